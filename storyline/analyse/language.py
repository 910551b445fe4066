"""Language identification with py3langid (its model ships inside the package)."""

from __future__ import annotations

from functools import lru_cache

_SAMPLE_CHARS = 2000
_MIN_CHARS = 20


@lru_cache(maxsize=1)
def _identifier():  # loading the model takes ~0.3 s; do it once per process
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """Return the ISO 639-1 code of the text's language, or None when the text is too short."""
    sample = text[:_SAMPLE_CHARS]
    if len(sample.strip()) < _MIN_CHARS:
        return None
    code, _probability = _identifier().classify(sample)
    return code
