"""Entity resolution: one name per person within an article and across articles."""

from __future__ import annotations

import json
import re

from storyline.model import Article, EntityMention
from storyline.resolve.entities import LocalEntity, link_within_article
from storyline.resolve.names import name_key, person_similarity, split_titles, word_similarity
from storyline.resolve.resolver import EntityResolver, ResolverParams, canonical_name


def make_article(article_id: str, text: str, tags: list[tuple[str, str]]) -> Article:
    """Return an article whose entities are the tagged strings, at every place they occur."""
    mentions = []
    for surface, label in tags:
        for match in re.finditer(re.escape(surface), text):
            mentions.append(EntityMention(surface, label, match.start(), match.end()))
    mentions.sort(key=lambda mention: mention.start)
    return Article(id=article_id, title="", text=text, origin="test", entities=mentions)


def local(
    name: str,
    entity_type: str = "PERSON",
    roles: list[str] | None = None,
    aliases: list[str] | None = None,
) -> LocalEntity:
    """Return a local entity as the linker would give it."""
    return LocalEntity(name=name, type=entity_type, roles=roles or [], aliases=aliases or [name])


def resolve(
    resolver: EntityResolver, article_id: str, *entities: LocalEntity, story_id: str | None = None
) -> list[str]:
    """Return the canonical ids the resolver gives the entities of one article."""
    return [r.entity_id for r in resolver.resolve_article(article_id, list(entities), story_id)]


ALLIANCE_TEXT = (
    "NATO Secretary General Jens Stoltenberg told reporters in Brussels that the alliance "
    "would not send combat troops.\n"
    "Stoltenberg said the allies were reinforcing their eastern flank instead.\n"
    'Asked about the talks, Mr. Stoltenberg\'s answer was short: "We stay united."\n'
    "Later Stoltenberg met the defence ministers of the alliance."
)


def test_titles_and_possessives_are_stripped_and_mentions_grouped() -> None:
    article = make_article(
        "a1",
        ALLIANCE_TEXT,
        [
            ("Secretary General Jens Stoltenberg", "PERSON"),
            ("Stoltenberg", "PERSON"),
            ("Mr. Stoltenberg's", "PERSON"),
            ("Brussels", "GPE"),
            ("NATO", "ORG"),
        ],
    )
    # "Stoltenberg" inside the longer spans is tagged again by make_article; keep the outer ones.
    article.entities = [
        m
        for m in article.entities
        if not any(
            o is not m and o.start <= m.start and m.end <= o.end and len(o.text) > len(m.text)
            for o in article.entities
        )
    ]
    entities = {entity.name: entity for entity in link_within_article(article)}
    person = entities["Jens Stoltenberg"]
    assert person.type == "PERSON"
    assert "NATO Secretary General" in person.roles
    assert set(person.aliases) == {"Jens Stoltenberg", "Stoltenberg"}
    assert len(person.mentions) == 4
    possessive = [m for m in person.mentions if ALLIANCE_TEXT[m.start - 4 : m.start] == "Mr. "]
    assert possessive and ALLIANCE_TEXT[possessive[0].start : possessive[0].end] == "Stoltenberg"


def test_split_titles_keeps_role_and_drops_honorific() -> None:
    parts = split_titles("White House press secretary Jen Psaki")
    assert parts.name == "Jen Psaki"
    assert parts.titles == ("White House press secretary",)
    assert split_titles("Mrs. Alvarez").name == "Alvarez"
    assert split_titles("Mrs. Alvarez").gender == "female"
    # Role words inside an organisation's name stay there.
    assert split_titles("General Motors", person=False).name == "General Motors"


def test_type_is_fixed_by_the_article_majority() -> None:
    text = (
        "Marta Kowalczyk, the mayor, opened the bridge on Monday.\n"
        "Kowalczyk said the city had waited ten years.\n"
        "Critics of Kowalczyk called the cost too high.\n"
        "Kowalczyk did not reply."
    )
    article = make_article("a2", text, [("Marta Kowalczyk", "PERSON")])
    tags = ["GPE", "PERSON", "ORG"]
    for match, label in zip(re.finditer(r"(?<!Marta )Kowalczyk", text), tags, strict=False):
        article.entities.append(EntityMention("Kowalczyk", label, match.start(), match.end()))
    article.entities.sort(key=lambda mention: mention.start)
    [entity] = link_within_article(article)
    assert entity.name == "Marta Kowalczyk"
    assert entity.type == "PERSON"
    assert entity.roles == ["mayor"]


def test_headline_run_on_is_cut_to_the_names_the_body_uses() -> None:
    text = "Harbor Hawks Beat River Foxes In Overtime\nThe Harbor Hawks beat the River Foxes 3-2."
    article = make_article(
        "a3",
        text,
        [("Harbor Hawks Beat River Foxes", "ORG"), ("Harbor Hawks", "ORG"), ("River Foxes", "ORG")],
    )
    article.entities = [
        m
        for m in article.entities
        if not (m.start < 41 and m.text in {"Harbor Hawks", "River Foxes"})
    ]
    names = sorted(entity.name for entity in link_within_article(article))
    assert names == ["Harbor Hawks", "River Foxes"]


def test_junk_mentions_are_dropped() -> None:
    text = 'the minister met officials. "Ortega\u201d said nothing.'
    article = Article(
        id="a4",
        title="",
        text=text,
        origin="test",
        entities=[
            EntityMention("the", "ORG", 0, 3),
            EntityMention('"Ortega\u201d', "PERSON", text.index('"'), text.index("\u201d") + 1),
            EntityMention("2", "CARDINAL", 0, 1),
        ],
    )
    [entity] = link_within_article(article)
    assert entity.name == "Ortega"
    assert text[entity.mentions[0].start : entity.mentions[0].end] == "Ortega"


def test_psaki_spellings_merge_with_a_shared_role() -> None:
    resolver = EntityResolver()
    [first] = resolve(resolver, "a", local("Jen Psaki", roles=["White House press secretary"]))
    [second] = resolve(resolver, "b", local("Jin Psaki", roles=["White House spokeswoman"]))
    [third] = resolve(resolver, "c", local("Puski", roles=["The White House press secretary"]))
    [fourth] = resolve(resolver, "d", local("Psaki"))
    assert first == second == third == fourth
    entity = resolver.entity(first)
    assert entity.name == "Jen Psaki"
    assert set(entity.aliases) == {"Jen Psaki", "Jin Psaki", "Puski", "Psaki"}
    assert entity.article_ids == ["a", "b", "c", "d"]


def test_misspelt_surname_alone_needs_evidence() -> None:
    resolver = EntityResolver()
    [psaki] = resolve(resolver, "a", local("Jen Psaki"))
    [stranger] = resolve(resolver, "b", local("Puski"))
    assert stranger != psaki  # similar sound, nothing else in common
    [same] = resolve(resolver, "c", local("Puski"), story_id="s1")
    resolver2 = EntityResolver()
    resolve(resolver2, "a", local("Jen Psaki"), story_id="s1")
    [joined] = resolve(resolver2, "c", local("Puski"), story_id="s1")
    assert joined == resolver2.entities_[joined].id and resolver2.entity(joined).name == "Jen Psaki"
    assert same == stranger


def test_zelensky_variants_merge() -> None:
    resolver = EntityResolver()
    ids = set()
    for article_id, name in enumerate(
        ["Volodymyr Zelensky", "Zelenskiy", "Volodymyr Zelenskyy", "Zelanski"]
    ):
        context = [local("Kyiv", "GPE"), local("Vladimir Putin"), local(name)]
        ids.add(resolve(resolver, str(article_id), *context)[2])
    assert len(ids) == 1
    assert resolver.entity(ids.pop()).name.startswith("Volodymyr Zelensk")


def test_two_people_sharing_a_surname_stay_apart() -> None:
    resolver = EntityResolver()
    [joe] = resolve(resolver, "a", local("Joe Biden", roles=["President"]))
    [hunter] = resolve(resolver, "b", local("Hunter Biden"))
    assert joe != hunter
    # "Biden" alone could be either: it joins neither.
    [alone] = resolve(resolver, "c", local("Biden"))
    assert alone not in {joe, hunter}
    # ... unless the article gives evidence for one of them.
    [president] = resolve(resolver, "d", local("Biden", roles=["US President"]))
    assert president == joe


def test_lone_surname_joins_the_only_matching_full_name() -> None:
    resolver = EntityResolver()
    [kirby] = resolve(resolver, "a", local("John Kirby", roles=["Pentagon spokesman"]))
    [other] = resolve(resolver, "b", local("Anna Kirchner"))
    [alone] = resolve(resolver, "c", local("Kirby"))
    assert alone == kirby != other


def test_gender_from_honorifics_keeps_people_apart() -> None:
    resolver = EntityResolver()
    [katie] = resolve(
        resolver,
        "a",
        LocalEntity("Katie Morrow", "PERSON", aliases=["Katie Morrow"], gender="female"),
    )
    [mister] = resolve(
        resolver, "b", LocalEntity("Morrow", "PERSON", aliases=["Morrow"], gender="male")
    )
    assert katie != mister


def test_organisation_short_forms_and_acronyms() -> None:
    resolver = EntityResolver()
    [nato] = resolve(resolver, "a", local("North Atlantic Treaty Organization", "ORG"))
    [acronym] = resolve(resolver, "b", local("NATO", "ORG"))
    [police] = resolve(resolver, "c", local("Leeds Police Department", "ORG"))
    [fire] = resolve(resolver, "d", local("Leeds Fire Department", "ORG"))
    assert nato == acronym
    assert police != fire


def test_a_word_too_many_entities_share_is_not_looked_up_but_an_exact_name_is() -> None:
    ministries = ("Ministry of Fisheries", "Ministry of Forests", "Ministry of Finance")
    capped = EntityResolver(ResolverParams(max_key_entities=2))
    uncapped = EntityResolver()
    for resolver in (capped, uncapped):
        for index, name in enumerate(ministries):
            resolve(resolver, f"m{index}", local(name, "ORG"))
    finance = {resolver: resolve(resolver, "x", local("Ministry of Finances", "ORG"))[0] for resolver in (capped, uncapped)}
    # "ministry", "of" and the initials "mf" now name three entities: with the cap only the exact
    # name is read, so a spelling that shares nothing else ("Finances") is not found.
    assert uncapped.entity(finance[uncapped]).article_ids == ["m2", "x"]
    assert capped.entity(finance[capped]).article_ids == ["x"]
    [forests] = resolve(capped, "y", local("Ministry of Forests", "ORG"))
    assert capped.entity(forests).article_ids == ["m1", "y"]


def test_records_round_trip_keeps_resolving_the_same_way() -> None:
    resolver = EntityResolver(ResolverParams())
    resolve(resolver, "a", local("Jen Psaki", roles=["press secretary"]), local("NATO", "ORG"))
    resolve(resolver, "b", local("Jens Stoltenberg"))
    records = json.loads(json.dumps(resolver.to_records()))
    rebuilt = EntityResolver.from_records(records)
    assert rebuilt.to_records() == resolver.to_records()
    [again] = resolve(rebuilt, "c", local("Stoltenberg"))
    assert rebuilt.entity(again).name == "Jens Stoltenberg"
    [new] = resolve(rebuilt, "d", local("Olena Bondar"))
    assert new not in {record["id"] for record in records}


def test_canonical_name_prefers_complete_frequent_forms() -> None:
    assert canonical_name({"Psaki": 9, "Jen Psaki": 3, "Jin Psaki": 1}, "PERSON") == "Jen Psaki"
    assert canonical_name({"NATO": 5, "North Atlantic Treaty Organization": 1}, "ORG") == "NATO"


def test_name_similarity_building_blocks() -> None:
    assert name_key("The U.S. Fish-and-Wildlife Service") == "u s fish and wildlife service"
    assert word_similarity("stoltenberg", "stoltenburg") > 0.95
    assert person_similarity("Hunter Biden", "Joe Biden", 0.8) == 0.0
    assert person_similarity("Luis Gerardo (Jerry) Ortiz", "Jerry Ortiz", 0.8) == 1.0


def test_a_word_glued_after_a_name_is_cut_when_the_article_names_the_person_elsewhere() -> None:
    text = (
        "The plan was confirmed by a White House spokeswoman Jin Psaki Briefly on Tuesday.\n"
        "Jen Psaki said the decision would be taken with the allies."
    )
    first = text.index("Jin Psaki Briefly")
    second = text.index("Jen Psaki")
    article = Article(
        id="glued", title="", text=text, origin="t",
        entities=[
            EntityMention("Jin Psaki Briefly", "PERSON", first, first + len("Jin Psaki Briefly")),
            EntityMention("Jen Psaki", "PERSON", second, second + len("Jen Psaki")),
        ],
    )
    (entity,) = [e for e in link_within_article(article) if e.type == "PERSON"]
    assert entity.name in ("Jen Psaki", "Jin Psaki")
    assert "Jin Psaki Briefly" not in entity.aliases
    assert {m.text for m in entity.mentions} == {"Jin Psaki", "Jen Psaki"}


def test_names_in_other_scripts_resolve_to_the_latin_spelling() -> None:
    resolver = EntityResolver()
    [english] = resolve(resolver, "a1", local("Jens Stoltenberg"), story_id="s1")
    [ukrainian] = resolve(resolver, "a2", local("Єнс Столтенберг"), story_id="s1")
    [zelensky] = resolve(resolver, "a3", local("Volodymyr Zelensky"), story_id="s1")
    [cyrillic] = resolve(resolver, "a4", local("Володимир Зеленський"), story_id="s1")
    assert ukrainian == english and cyrillic == zelensky != english
    assert name_key("Зеленський") == "zelenskiy" and name_key("Столтенберг") == "stoltenberg"


def test_french_german_and_spanish_honorifics_are_stripped() -> None:
    assert split_titles("M. Stoltenberg").name == "Stoltenberg"
    assert split_titles("Frau Baerbock").name == "Baerbock"
    assert split_titles("Mme Borne").gender == "female"
    assert split_titles("Sr. Sánchez").name == "Sánchez"
