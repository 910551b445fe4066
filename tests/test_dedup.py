"""Deduplication: canonical URLs, content hashes and near-duplicate detection."""

from __future__ import annotations

from storyline.dedup import NearDuplicateIndex, canonical_url, content_hash, fingerprint
from storyline.model import Article
from storyline.settings import Settings

WIRE = (
    "Rescue teams reached the flooded villages north of the city on Sunday after the river burst "
    "its banks overnight, regional officials said. About 2,300 people were moved to schools and "
    "sports halls, and the army sent boats and helicopters to reach farms cut off by the water. "
    "The regional governor said the damage to roads and bridges would take months to repair and "
    "asked the national government for emergency funds. Forecasters expect more rain on Tuesday."
)


def test_canonical_url_drops_tracking_fragment_and_www() -> None:
    assert (
        canonical_url("http://www.Example.com/news/flood/?utm_source=tw&utm_medium=social&id=7#comments")
        == "https://example.com/news/flood?id=7"
    )
    assert canonical_url("https://example.com/news/flood?fbclid=abc") == canonical_url(
        "https://example.com/news/flood/"
    )
    assert canonical_url("javascript:alert(1)") is None
    assert canonical_url(None) is None


def test_content_hash_ignores_case_spacing_and_punctuation() -> None:
    assert content_hash("Rescue teams  reached the villages.") == content_hash("rescue teams reached, the villages")
    assert content_hash("Rescue teams reached the villages.") != content_hash("Rescue teams left the villages.")


def test_near_duplicates_are_found_and_different_texts_are_not() -> None:
    settings = Settings()
    index = NearDuplicateIndex(settings)
    original = fingerprint(Article(id="wire-1", title="Floods", text=WIRE, origin="t"), settings)
    index.add(original.id, original.minhash)
    republished = WIRE.replace("regional officials said", "officials told Danube Herald") + " (Editing by Ana Vlad)"
    copy = fingerprint(Article(id="dh-9", title="Floods", text=republished, origin="t"), settings)
    other = fingerprint(
        Article(id="x", title="Budget", text="The city council passed its budget on Monday after a long debate "
                "about school funding and the cost of new buses for the northern districts.", origin="t"),
        settings,
    )
    found = index.find_original(copy.minhash)
    assert found is not None and found[0] == "wire-1" and found[1] >= settings.minhash_threshold
    assert index.find_original(other.minhash) is None
