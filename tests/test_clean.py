"""Cleaning: boilerplate, spam and comment forms go with a reason; every real paragraph stays."""

from __future__ import annotations

from storyline.clean import clean_article, count_source_lines
from storyline.clean.normalize import normalize_line_key, normalize_text
from storyline.model import Article

# Written for these tests in the style of a machine-translated regional outlet.
BODY = """Ministers of the alliance met in Vilnius on the 14th to discuss air defence for the Baltic states.

«We will not leave our eastern members alone», the secretary general told reporters after the meeting.

Lithuania has asked for two more Patriot batteries, officials said the day before.

Bitcoin Trader

Bitcoin Trader

Click here to claim your free crypto bonus today

Share this article

Sign up for our morning newsletter

ADVERTISEMENT

The talks will continue in Riga next month. (Responsible editor: Li Na) Share let more people see it.

Leave a Reply

Your email address will not be published. Required fields are marked *

Post Comment"""

REAL_PARAGRAPHS = (
    "Ministers of the alliance met in Vilnius",
    "the secretary general told reporters",
    "Lithuania has asked for two more Patriot batteries",
    "The talks will continue in Riga next month.",
)


def _article(text: str = BODY, title: str = "Alliance ministers discuss Baltic air defence") -> Article:
    return Article(id="a1", title=title, text=text, origin="test", source="Baltic Daily")


def test_spam_comment_form_and_prompts_are_removed_with_reasons() -> None:
    clean = clean_article(_article())
    reasons = {line.text: line.reason for line in clean.removed}
    assert reasons["Bitcoin Trader"] == "spam"
    assert reasons["Click here to claim your free crypto bonus today"] == "spam"
    assert reasons["Leave a Reply"] == "comment form"
    assert reasons["Your email address will not be published. Required fields are marked *"] == "comment form"
    assert reasons["Post Comment"] == "comment form"
    assert reasons["Share this article"] == "share prompt"
    assert reasons["Sign up for our morning newsletter"] == "sign-up prompt"
    assert reasons["ADVERTISEMENT"] == "advertising"
    assert reasons["(Responsible editor: Li Na)"] == "editor credit"
    assert reasons["Share let more people see it."] == "share prompt"
    assert sum(1 for line in clean.removed if line.text == "Bitcoin Trader") == 2


def test_every_real_paragraph_is_kept_whole() -> None:
    clean = clean_article(_article())
    for paragraph in REAL_PARAGRAPHS:
        assert paragraph in clean.text
    assert clean.text.endswith("The talks will continue in Riga next month.")
    for junk in ("Bitcoin", "Leave a Reply", "Responsible editor", "newsletter"):
        assert junk not in clean.text


def test_removed_lines_point_at_their_line_in_the_input() -> None:
    clean = clean_article(_article())
    lines = normalize_text(BODY).split("\n")
    for removed in clean.removed:
        assert removed.text in lines[removed.line_no - 1]


def test_quotes_and_spaces_are_normalised() -> None:
    clean = clean_article(_article("„Wir sind bereit“, said the minister.\u00a0 It was “final”.\u200b"))
    assert clean.text == '"Wir sind bereit", said the minister. It was "final".'
    assert '"We will not leave our eastern members alone"' in clean_article(_article()).text


def test_headline_repeated_at_the_top_of_the_body_is_removed() -> None:
    title = "Alliance ministers discuss Baltic air defence"
    clean = clean_article(_article(f"{title}\n\n{title}\n\nMinisters met on Monday in Vilnius."))
    assert clean.text == "Ministers met on Monday in Vilnius."
    assert [r.reason for r in clean.removed] == ["repeats the headline", "repeats the headline"]


def test_translation_debris_between_sentences_becomes_a_full_stop() -> None:
    clean = clean_article(_article("The ministry closed the border crossing Essence The army moved north."))
    assert clean.text == "The ministry closed the border crossing. The army moved north."
    assert clean.removed[0].reason == "machine-translation debris"


def test_real_sentences_mentioning_rule_words_are_kept() -> None:
    text = (
        "Investors who bought bitcoin in January have lost a third of their money, the central bank said.\n"
        "Readers can leave a reply to the minister's letter at any post office until Friday, officials said.\n"
        "The share of households with heating debts rose to 12 percent."
    )
    clean = clean_article(_article(text))
    assert clean.text == normalize_text(text)
    assert clean.removed == []


def test_lines_repeated_across_a_source_are_removed_only_when_listed() -> None:
    follow = "Follow Baltic Daily for breaking news from the region"
    articles = [_article(f"Story number {n} about the harbour strike.\n{follow}") for n in range(3)]
    counts = count_source_lines(articles)
    key = normalize_line_key(follow)
    assert counts[("Baltic Daily", key)] == 3
    clean = clean_article(articles[0], frozenset({key}))
    assert clean.text == "Story number 0 about the harbour strike."
    assert clean.removed[0].reason == "repeated across articles of this source"
    assert clean_article(articles[0]).text.endswith(follow)


def test_long_paragraphs_are_never_counted_as_source_boilerplate() -> None:
    paragraph = " ".join(["Russia has massed about 100,000 troops near the border"] * 4)
    counts = count_source_lines([_article(paragraph)] * 3)
    assert counts == {}


def test_a_brief_that_only_repeats_its_headline_keeps_it() -> None:
    title = "Magnitude 6.1 quake shakes northern Chile"
    clean = clean_article(_article(f"{title}\n", title=title))
    assert clean.text == title and clean.removed == []


def test_newsletter_listings_and_their_consent_lines_are_removed() -> None:
    # Written for this test in the shape of a US paper's sign-up block under a wire report.
    text = (
        "The biathlon relay was postponed by a day because of high winds, organisers said.\n"
        "Newsletter Weekly\n"
        "The Morning Lap: A newsletter for the week's biggest races\n"
        "By entering your email, you agree to our Terms of Use and Privacy Policy. You may also "
        "receive offers from our partners. You can unsubscribe at any time.\n"
        "NEW You can now listen to our articles!\n"
        "Readers said: a newsletter for parents of young skiers would help.\n"
        "By signing the treaty, both sides would agree to a ceasefire, the envoy said."
    )
    clean = clean_article(_article(text))
    reasons = [line.reason for line in clean.removed]
    assert reasons == ["sign-up prompt", "sign-up prompt", "sign-up prompt", "site furniture"]
    assert clean.text.split("\n") == [
        "The biathlon relay was postponed by a day because of high winds, organisers said.",
        "Readers said: a newsletter for parents of young skiers would help.",
        "By signing the treaty, both sides would agree to a ceasefire, the envoy said.",
    ]
