"""Choosing a story's headline: the title most representative of the story's other titles."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

MAX_TITLES = 60  # a story's headline is chosen among its latest titles; older ones rarely win


def representative_title(titles: Sequence[str]) -> str:
    """Return the title sharing the most content words with the other titles (ties: the first).

    Costs O(n * words) with n at most `MAX_TITLES`.
    """
    # scikit-learn's stop words load with the first headline, not with every store opened
    from storyline.cluster.features import content_words

    candidates = [t for t in titles if t.strip()][-MAX_TITLES:]
    if not candidates:
        return ""
    words = [set(content_words(title)) for title in candidates]
    support: Counter[str] = Counter(word for title_words in words for word in title_words)

    def centrality(index: int) -> float:
        own = words[index]
        if not own:
            return 0.0
        return sum(support[word] - 1 for word in own) / len(own) ** 0.5

    best = max(range(len(candidates)), key=lambda i: (centrality(i), -i))
    return candidates[best]
