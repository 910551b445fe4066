"""The online story clusterer on realistic news written for these tests (no spaCy needed)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from storyline.analyse.timex import find_times
from storyline.cluster.features import (
    content_words,
    date_keys,
    entity_key,
    extract_features,
    headline_grams,
    numbers,
)
from storyline.cluster.headline import representative_title
from storyline.cluster.online import (
    FEATURE_NAMES,
    DocumentFrequencies,
    OnlineClusterer,
    story_id_for,
)
from storyline.cluster.profile import StoryProfile
from storyline.cluster.weights import ARTICLE, StoryWeights, load_weights
from storyline.model import Article, EntityMention
from storyline.settings import Settings

# Entities as spaCy would tag them, so tests need no model.
ENTITIES = {
    "Valparaiso": "GPE", "Chile": "GPE", "Vina del Mar": "GPE", "Ana Rojas": "PERSON",
    "ONEMI": "ORG", "Arequipa": "GPE", "Peru": "GPE", "Camana": "GPE", "Luis Quispe": "PERSON",
    "INDECI": "ORG", "Split": "GPE", "Brac": "GPE", "Jadrolinija": "ORG", "Marko Horvat": "PERSON",
    "Geneva": "GPE", "WHO": "ORG", "Helga Berg": "PERSON",
}  # fmt: skip

QUAKE_CHILE = (
    "Strong quake shakes Valparaiso, killing 9",
    "A magnitude 6.8 earthquake struck off the coast of Valparaiso in central Chile on Monday, "
    "killing at least 9 people and bringing down homes in Vina del Mar. ONEMI, the national "
    "emergency office, said 214 people were injured. Regional governor Ana Rojas said rescue "
    "teams were searching collapsed buildings through the night.",
    "2023-03-06",
)
QUAKE_CHILE_FOLLOW_UP = (
    "Valparaiso quake death toll rises to 14 as aftershocks rattle Chile",
    "The death toll from Monday's magnitude 6.8 earthquake near Valparaiso rose to 14 on "
    "Tuesday, Chile's emergency office ONEMI said, as aftershocks shook Vina del Mar. Governor "
    "Ana Rojas said 214 injured people had been treated and that schools would stay closed.",
    "2023-03-07",
)
QUAKE_PERU = (
    "Earthquake hits southern Peru near Arequipa, 3 dead",
    "A magnitude 6.1 earthquake struck southern Peru near Arequipa on Monday, killing 3 people "
    "and damaging roads to Camana, the civil defence institute INDECI said. Mayor Luis Quispe "
    "said 57 families had lost their homes and asked for tents and water.",
    "2023-03-13",
)
BACKGROUND = [
    (
        "Ferry runs aground off Split, passengers safe",
        "A Jadrolinija ferry ran aground near Brac off Split on Saturday and all 212 passengers "
        "were taken ashore. Captain Marko Horvat said strong wind pushed the vessel onto rocks.",
        "2023-02-25",
    ),
    (
        "WHO warns of measles rise in Europe",
        "The WHO said in Geneva on Thursday that measles cases in Europe had tripled this year. "
        "Its regional director Helga Berg urged parents to vaccinate children before summer.",
        "2023-03-02",
    ),
]


def make_article(article_id: str, title: str, text: str, day: str | None) -> Article:
    """Return an analysed article: entities found by name, times by the rule-based tagger."""
    body = f"{title}\n\n{text}"
    entities = [
        EntityMention(name, label, m.start(), m.end())
        for name, label in ENTITIES.items()
        for m in re.finditer(re.escape(name), body)
    ]
    return Article(
        id=article_id, title=title, text=body, origin=article_id, date=day,
        date_source="metadata" if day else None, entities=entities, times=find_times(body, day),
    )  # fmt: skip


@pytest.fixture
def clusterer() -> OnlineClusterer:
    clusterer = OnlineClusterer(Settings(db_url="sqlite://"), DocumentFrequencies())
    for n, item in enumerate(BACKGROUND):
        clusterer.assign(f"bg-{n}", extract_features(make_article(f"bg-{n}", *item)))
    return clusterer


def test_follow_up_joins_and_same_kind_event_a_week_later_starts_its_own_story(
    clusterer: OnlineClusterer,
) -> None:
    first = clusterer.assign("chile-1", extract_features(make_article("chile-1", *QUAKE_CHILE)))
    follow_up = clusterer.assign(
        "chile-2", extract_features(make_article("chile-2", *QUAKE_CHILE_FOLLOW_UP))
    )
    peru = clusterer.assign("peru-1", extract_features(make_article("peru-1", *QUAKE_PERU)))
    assert first.created
    assert not follow_up.created and follow_up.story_id == first.story_id
    assert "rojas" in follow_up.signals["entities"]
    assert peru.created and peru.story_id != first.story_id


def test_story_outside_the_window_is_not_a_candidate(clusterer: OnlineClusterer) -> None:
    clusterer.assign("chile-1", extract_features(make_article("chile-1", *QUAKE_CHILE)))
    title, text, _ = QUAKE_CHILE_FOLLOW_UP
    # The same report, dated long after the story ended, without naming the quake's day.
    stale = make_article("chile-late", title, text.replace("Monday's", "the"), "2023-06-20")
    features = extract_features(stale)
    assert story_id_for("chile-1") not in {p.story_id for p in clusterer._candidates(features)}
    assert clusterer.assign("chile-late", features).created
    within = make_article("chile-2", *QUAKE_CHILE_FOLLOW_UP)
    assert story_id_for("chile-1") in {
        p.story_id for p in clusterer._candidates(extract_features(within))
    }


def test_story_id_is_its_first_article_and_stays_as_the_story_grows(
    clusterer: OnlineClusterer,
) -> None:
    first = clusterer.assign("chile-1", extract_features(make_article("chile-1", *QUAKE_CHILE)))
    clusterer.assign("chile-2", extract_features(make_article("chile-2", *QUAKE_CHILE_FOLLOW_UP)))
    assert first.story_id == story_id_for("chile-1") == story_id_for("chile-1")
    assert clusterer.profiles[first.story_id].article_count == 2


def test_features_hold_people_places_numbers_and_dates() -> None:
    features = extract_features(make_article("chile-1", *QUAKE_CHILE))
    assert {"@p:rojas", "@l:valparaiso", "@o:onemi"} <= set(features.entities)
    assert {"#6.8", "#9", "#214"} <= set(features.numbers)
    assert "%d:2023-03-06" in features.dates and "%y:2023" in features.dates
    assert features.day == date(2023, 3, 6)


def test_numbers_skip_small_counts_and_date_spans() -> None:
    text = "On March 6, 2023 two of 3 ferries carried 1,200 people at 4.5 knots."
    found = numbers(text, skip=[(3, 16)])
    assert found == Counter({"#1200": 1, "#4.5": 1})


def test_date_keys_at_each_granularity() -> None:
    keys = date_keys(["2023-03-06", "XXXX-12-24", "2022-11", "1998", "P3D"])
    assert set(keys) == {
        "%d:2023-03-06", "%md:03-06", "%m:2023-03", "%y:2023", "%md:12-24", "%m:2022-11",
        "%y:2022", "%y:1998",
    }  # fmt: skip


def test_entity_key_is_kind_and_last_word() -> None:
    assert entity_key("President Ana Rojas's", "PERSON") == "@p:rojas"
    assert entity_key("the Vltava", "LOC") == "@l:vltava"
    assert entity_key("the", "ORG") == ""


def test_headline_is_the_most_representative_title() -> None:
    titles = [
        "Live: follow our coverage",
        "Valparaiso quake kills 9, injures 214",
        "Quake death toll in Valparaiso rises to 14",
        "Rescuers search rubble after Valparaiso quake",
    ]
    # "valparaiso" and "quake" are in three titles each; the second title has them with the
    # fewest other words, the live-blog title shares nothing.
    assert representative_title(titles) == "Valparaiso quake kills 9, injures 214"
    assert representative_title(titles[:1]) == "Live: follow our coverage"
    assert representative_title(["", "  "]) == ""


def test_profile_round_trip_keeps_everything_the_clusterer_uses() -> None:
    profile = StoryProfile("s1")
    profile.add(extract_features(make_article("chile-1", *QUAKE_CHILE)))
    profile.add(extract_features(make_article("chile-2", *QUAKE_CHILE_FOLLOW_UP)))
    again = StoryProfile.from_bytes("s1", profile.to_bytes())
    assert again == profile
    assert again.first_day == date(2023, 3, 6) and again.last_day == date(2023, 3, 7)
    assert again.entities["@p:rojas"] == 2


def test_shipped_weights_cover_every_feature_and_say_how_they_were_fitted() -> None:
    models = load_weights()
    assert set(models) == {"article", "headline"}
    for kind, weights in models.items():
        assert weights.features == FEATURE_NAMES
        assert 0.0 < weights.threshold < 1.0
        assert weights.fitted["by"].startswith("storyline eval stories --fit")
        assert weights.probability([0.0] * len(FEATURE_NAMES)) < weights.threshold
        assert kind in weights.fitted["model"]
    # ECB+, the sample corpus and the Ukraine file train the article model, Olympic headlines the
    # headline model.
    assert models["article"].fitted["data"] == [
        "ecbplus_traindev [split train]", "ecbplus_traindev [split dev]",
        "corpus [labels examples/labels/sample_stories.json]",
        "news_gdelt_2022 [labels evaluation/ukraine2022_gdelt_stories.json]",
    ]
    assert models["headline"].fitted["data"] == ["og2021_titles_dev [before 2021-07-24]"]
    # Articles read their embedding cosines against a background from the fit until the window
    # gives one; headlines alone read raw cosines only.
    mean, spread = models["article"].background
    assert 0.5 < mean < 1.0 and 0.0 < spread < 0.2
    assert models["headline"].background is None


def test_story_models_read_back_as_they_were_written(tmp_path) -> None:
    from storyline.cluster.weights import weights_json

    path = tmp_path / "weights.json"
    path.write_text(weights_json(load_weights()), encoding="utf-8")
    assert load_weights(path) == load_weights()


def test_an_article_is_scored_by_the_model_of_its_kind() -> None:
    article = StoryWeights(FEATURE_NAMES, (0.0,) * len(FEATURE_NAMES), -2.0, 0.3)
    headline = StoryWeights(FEATURE_NAMES, (0.0,) * len(FEATURE_NAMES), 2.0, 0.6)
    clusterer = OnlineClusterer(
        Settings(db_url="sqlite://"), DocumentFrequencies(), {"article": article, "headline": headline}
    )
    body = make_article("full", "Quake", "A strong earthquake shook the region. " * 8, None)
    title = make_article("title", "Quake shakes the region", "Quake shakes the region", None)
    profile = StoryProfile("s1")
    assert clusterer.probability(extract_features(body), profile) < 0.2
    assert clusterer.probability(extract_features(title), profile) > 0.8


def test_headline_grams_and_entity_keys_cross_scripts() -> None:
    assert entity_key("Столтенберг", "PERSON") == entity_key("Jens Stoltenberg", "PERSON")
    latin, cyrillic = headline_grams("Stoltenberg"), headline_grams("Столтенберг")
    assert set(latin) == set(cyrillic) and "~ sto" in latin
    assert set(headline_grams("Biles withdraws")) & set(headline_grams("Biles se retire"))


def test_stop_words_follow_the_language_of_the_text() -> None:
    german = "Die Nato schickt keine Truppen in die Ukraine und nicht nach Kiew"
    assert "keine" not in content_words(german, "de") and "truppen" in content_words(german, "de")
    assert "keine" in content_words(german)  # unknown language: English stop words only


def test_a_report_in_another_language_finds_its_story_through_the_embedding() -> None:
    import numpy as np

    clusterer = OnlineClusterer(Settings(db_url="sqlite://"), DocumentFrequencies())
    english = extract_features(make_article("en", "NATO rules out troops", "NATO rules out troops", "2022-01-25"))
    english = replace(english, embedding=np.array([1.0, 0.0], dtype=np.float32), lang="en")
    clusterer._fold("s-en", english)
    german = extract_features(make_article("de", "Keine Soldaten", "Keine Soldaten", "2022-01-25"))
    german = replace(german, embedding=np.array([0.99, 0.141], dtype=np.float32), lang="de")
    assert [p.story_id for p in clusterer._candidates(german)] == ["s-en"]  # no word shared
    values = dict(zip(FEATURE_NAMES, clusterer.vectors(german).pair_features(clusterer.profiles["s-en"]), strict=True))
    assert values["embedding_cosine"] == pytest.approx(0.99, abs=1e-3)
    assert values["language_shared"] == 0.0 and values["terms_cosine"] == 0.0


def test_embedding_cosines_are_also_read_against_the_windows_stories() -> None:
    """A report in another language reads lower with every story, its own included; as a
    standard score against its cosines with the whole window it stands out as far as a report
    in the story's language does. A headline alone keeps its raw cosines only."""
    import numpy as np

    from storyline.cluster.online import BACKGROUND_STORIES, Background

    rng = np.random.default_rng(3)
    event = np.zeros(16, dtype=np.float32)
    event[0] = 1.0
    body = "La tempête a balayé le nord de la France et le sud de l'Angleterre avec des rafales record."

    def unit(vector: np.ndarray) -> np.ndarray:
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    def scores(story_count: int, text: str = body, weights=None) -> dict[str, dict[str, float]]:
        clusterer = OnlineClusterer(Settings(db_url="sqlite://"), DocumentFrequencies(), weights)
        story = extract_features(make_article("en-1", "Storm Eunice hits London", "Storm Eunice hits London", "2022-02-18"))
        clusterer._fold("s-eunice", replace(story, embedding=unit(event + 0.3 * rng.standard_normal(16)), lang="en"))
        for i in range(story_count - 1):
            other = extract_features(make_article(f"o{i}", "Markets close", "Markets close", "2022-02-18"))
            clusterer._fold(f"s-{i}", replace(other, embedding=unit(rng.standard_normal(16) + 2.0), lang="en"))
        read = {}
        for lang, offset in (("en", 0.0), ("fr", 0.6)):  # another language: every cosine lower
            report = extract_features(make_article(f"r-{lang}", "Tempête Eunice", text, "2022-02-18"))
            vector = unit(event + 0.2 * rng.standard_normal(16) - offset * unit(np.full(16, 1.0)))
            vectors = clusterer.vectors(replace(report, embedding=vector, lang=lang))
            read[lang] = dict(zip(FEATURE_NAMES, vectors.pair_features(clusterer.profiles["s-eunice"]), strict=True))
        return read

    window = scores(BACKGROUND_STORIES + 12)
    english, french = window["en"], window["fr"]
    assert french["embedding_cosine"] < english["embedding_cosine"] - 0.1
    assert french["embedding_z"] > 2.0 and english["embedding_z"] > 2.0
    assert abs(french["embedding_z"] - english["embedding_z"]) < 1.0
    # Too few stories to tell a background: the one the model was fitted under, if it has one.
    shipped = load_weights()[ARTICLE]
    young = scores(BACKGROUND_STORIES - 1)["fr"]
    prior = Background(*shipped.background)
    assert young["embedding_z"] == pytest.approx(prior.score(young["embedding_cosine"]))
    assert young["member_embedding_z"] == pytest.approx(prior.score(young["member_embedding_max"]))
    unknown = scores(BACKGROUND_STORIES - 1, weights=replace(shipped, background=None))["fr"]
    assert unknown["embedding_z"] == unknown["member_embedding_z"] == 0.0 and unknown["embedding_cosine"] > 0
    headline = scores(BACKGROUND_STORIES + 12, text="Tempête Eunice")["fr"]
    assert headline["embedding_z"] == 0.0 and headline["embedding_cosine"] > 0


def test_a_story_told_mostly_in_another_language_has_its_words_read_as_absent() -> None:
    from storyline.cluster.online import across_languages, language_shared

    story = StoryProfile("s1")
    story.languages.update({"en": 20, "es": 1})
    assert not language_shared("es", story) and language_shared("en", story)
    assert language_shared(None, story) and language_shared("de", StoryProfile("empty"))
    values = [1.0] * len(FEATURE_NAMES)
    masked = dict(zip(FEATURE_NAMES, across_languages(values), strict=True))
    assert masked["terms_cosine"] == masked["member_terms_max"] == masked["language_shared"] == 0.0
    assert masked["embedding_cosine"] == masked["entity_share_p"] == 1.0
    nameless = dict(zip(FEATURE_NAMES, across_languages(values, without_names=True), strict=True))
    assert nameless["entity_share_p"] == nameless["entity_has_l"] == 0.0
    assert nameless["number_share"] == 1.0


def test_a_headline_alone_is_short_and_no_longer_than_its_title() -> None:
    def features(title: str, text: str):
        return extract_features(Article(id="a", title=title, text=text, origin="test"))

    title = "Biles withdraws from the all-around final"
    assert features(title, title).headline_only
    sentence = (
        "An alleged Mafia boss caught on wiretaps discussing the new hierarchy of the family "
        "was arrested on Tuesday in a dawn raid on his farmhouse outside Palermo, police said."
    )
    assert not features(sentence, sentence).headline_only  # a one-sentence report
    assert not features(title, title + ". " + sentence).headline_only


def test_candidates_come_nearest_first_then_by_keys_shared_each_once() -> None:
    from storyline.cluster.online import _ranked

    hits = {"s-b": 3, "s-a": 3, "s-c": 1, "s-d": 5, "s-near": 1}
    assert list(_ranked(["s-near", "s-c"], hits)) == ["s-near", "s-c", "s-d", "s-a", "s-b"]
    assert list(_ranked([], hits)) == [k for k, _ in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))]


def test_names_in_a_language_without_a_pipeline_count_once_the_window_knows_them() -> None:
    """A German report has no entities (no German pipeline): its capitalised words that earlier
    articles had as names become entities of that kind; capitalised nouns stay words."""
    clusterer = OnlineClusterer(Settings(db_url="sqlite://"), DocumentFrequencies())
    english = Article(
        id="en", title="Stoltenberg: NATO will not send troops", origin="en", lang="en",
        text="NATO Secretary General Jens Stoltenberg said in Brussels that NATO would not send troops.",
        entities=[
            EntityMention("Jens Stoltenberg", "PERSON", 31, 47), EntityMention("NATO", "ORG", 0, 4),
            EntityMention("Brussels", "GPE", 56, 64),
        ],
    )  # fmt: skip
    clusterer.assign("en", extract_features(english))
    german = extract_features(Article(
        id="de", title="Stoltenberg: Keine Nato-Soldaten", origin="de", lang="de",
        text="Nato-Generalsekretär Jens Stoltenberg sagte in Brüssel, die Nato schicke keine Soldaten.",
    ))  # fmt: skip
    assert german.entities == Counter() and german.names["stoltenberg"] == 2
    assert "soldaten" in german.names and "keine" not in german.names  # a stop word
    named = clusterer.with_names(german)
    assert named.entities == Counter({"@p:stoltenberg": 2, "@o:nato": 3})  # "Brüssel" is not "Brussels"
    assert named.names == Counter() and clusterer.with_names(named) == named
    assert english.entities and extract_features(english).names == Counter()  # a pipeline read it
