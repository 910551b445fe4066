"""Revising online decisions: split a story whose members form two groups, merge two that are one.

Online assignment sees an article once, against the stories as they stood when it arrived. Once
more reports are in, the window's stories are revised by average link over their members: the
members of a story are grouped by the story model's probability that two of them report one
event (each member scored as an article against the other alone, both ways, averaged), and a
story whose members fall into groups whose mean link is under the revise threshold is split; two
stories whose members' mean link reaches it are merged. Both use one threshold, so a revision
never undoes another. The larger, older part keeps the story's id; a split-off part gets an id
made from its first article (stable across runs). A story a person corrected is never split, and
two stories a person kept apart are never merged.

The decisions read the clusterer's profiles only (each member's sketch: top words, specifics,
headline grams, embedding, date); applying a split needs the full features of the story's
articles, which the caller gives (the pipeline reads them from the store).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from storyline.cluster.features import ArticleFeatures
from storyline.cluster.online import (
    ArticleVectors,
    OnlineClusterer,
    StoryVectors,
    first_set,
    story_id_for,
)
from storyline.cluster.profile import Member, StoryProfile
from storyline.cluster.weights import ARTICLE, HEADLINE, NEVER

# The latest members of a story compared in a revision: bounds a story's cost at
# REVISE_MEMBERS^2 pair scores whatever its size (older articles stay with the part keeping the id).
REVISE_MEMBERS = 12
# How many neighbouring stories a revised story is compared with for a merge, chosen by the
# probability of its latest member joining them.
MERGE_NEIGHBOURS = 3


@dataclass(frozen=True)
class Split:
    """Story `story_id` keeps its id; the articles `article_ids` move to a new story."""

    story_id: str
    new_story_id: str
    article_ids: tuple[str, ...]
    link: float  # mean probability between the two parts' members

    def reason(self) -> dict[str, list[str]]:
        """Return why a moved article is in its new story (what `storyline why` shows)."""
        return {"split from": [self.story_id], "mean link with the rest": [f"{self.link:.3f}"]}


@dataclass(frozen=True)
class Merge:
    """Story `merged` is folded into story `into` (the larger, older one)."""

    into: str
    merged: str
    link: float  # mean probability between the two stories' members


Revision = Split | Merge


def revise_threshold(clusterer: OnlineClusterer, profile: StoryProfile) -> float:
    """Return the mean link under which a story's groups are split and over which stories merge."""
    members = profile.members
    headline = bool(members) and sum(m.headline_only for m in members) * 2 > len(members)
    model = clusterer.models[HEADLINE if headline else ARTICLE]
    return first_set(clusterer.settings.story_revise_probability, model.revise_threshold)


def revisions(
    clusterer: OnlineClusterer, story_ids: Iterable[str], pinned: frozenset[str] = frozenset()
) -> list[Revision]:
    """Return the splits and merges that make the given stories (and their neighbours) agree
    with average link over their members; pure: the clusterer is read, not changed.

    `pinned`: stories a person corrected, never split. Merges are planned on the stories as
    they stand after the splits; a split-off part is only considered for merging next time,
    and each story is merged at most once per revision.
    """
    links = _Links(clusterer)
    planned: list[Revision] = []
    kept: dict[str, list[Member]] = {}  # each revised story's members after its split
    for story_id in sorted(set(story_ids)):
        profile = clusterer.profiles.get(story_id)
        if profile is None:
            continue
        members = _revisable(profile)
        threshold = revise_threshold(clusterer, profile)
        if threshold >= NEVER:
            continue
        if story_id in pinned or len(members) < 2:
            kept[story_id] = members
            continue
        groups = _groups(members, links, threshold)
        keeper = max(groups, key=len)  # groups come oldest first: a tie keeps the older part
        kept[story_id] = keeper
        for group in groups:
            if group is not keeper:
                new_id = _new_story_id(clusterer, group[0].article_id, planned)
                link = links.mean(group, keeper) or 0.0
                planned.append(Split(story_id, new_id, tuple(m.article_id for m in group), link))
    merged: set[str] = set()
    for story_id in sorted(kept):
        if story_id in merged or not kept[story_id]:
            continue
        threshold = revise_threshold(clusterer, clusterer.profiles[story_id])
        for other in _neighbours(clusterer, kept[story_id], exclude={story_id} | merged):
            if frozenset((story_id, other)) in clusterer.kept_apart:
                continue
            other_members = kept.get(other) or _revisable(clusterer.profiles[other])
            link = links.mean_reaching(kept[story_id], other_members, threshold)
            if link is not None:
                into, gone = _larger_first(clusterer, story_id, other)
                planned.append(Merge(into, gone, link))
                merged.add(gone)
                if gone == story_id:
                    break
    return planned


def apply_revisions(
    clusterer: OnlineClusterer,
    planned: Sequence[Revision],
    articles_of: Callable[[str], Sequence[ArticleFeatures]],
) -> None:
    """Make the planned revisions in the clusterer: the splits first, then the merges.

    `articles_of(story_id)`: the features of every article of a story to be split, in arrival
    order (the profile of both parts is made again from them).
    """
    splits = [r for r in planned if isinstance(r, Split)]
    for story_id in dict.fromkeys(split.story_id for split in splits):
        parts = [split for split in splits if split.story_id == story_id]
        moving = {article_id for split in parts for article_id in split.article_ids}
        articles = articles_of(story_id)
        keep = [f for f in articles if f.article_id not in moving]
        for split in parts:
            part = set(split.article_ids)
            clusterer.split(story_id, split.new_story_id, keep, [f for f in articles if f.article_id in part])
    for merge in (r for r in planned if isinstance(r, Merge)):
        clusterer.merge(merge.into, merge.merged)


def _new_story_id(clusterer: OnlineClusterer, article_id: str, planned: Sequence[Revision]) -> str:
    """Return the id of a story split off with `article_id` first: made from it, and not one in
    use (an article split off, merged back and split off again gets the next number)."""
    taken = {r.new_story_id for r in planned if isinstance(r, Split)}
    n = 1
    while True:
        story_id = story_id_for(f"{article_id}#split" + (f"{n}" if n > 1 else ""))
        if story_id not in clusterer.profiles and story_id not in taken:
            return story_id
        n += 1


def _revisable(profile: StoryProfile) -> list[Member]:
    """Return the story's latest members that can be revised (those that know their article)."""
    return [m for m in profile.members if m.article_id][-REVISE_MEMBERS:]


def _groups(members: list[Member], links: _Links, threshold: float) -> list[list[Member]]:
    """Return the members grouped by average link, cut where the mean link falls under `threshold`."""
    n = len(members)
    distance = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            link = links.pair(members[i], members[j])
            # a pair across languages neither holds the story together nor splits it
            distance[i, j] = distance[j, i] = 1.0 - (threshold if link is None else link)
    labels = fcluster(linkage(squareform(distance, checks=False), "average"), 1.0 - threshold, "distance")
    groups: dict[int, list[Member]] = {}
    for label, member in zip(labels, members, strict=True):
        groups.setdefault(int(label), []).append(member)
    return list(groups.values())  # in order of their first member: oldest first


def _neighbours(clusterer: OnlineClusterer, members: Sequence[Member], exclude: set[str]) -> list[str]:
    """Return the stories its latest member would most probably join, besides those excluded.

    Only stories it scores at least the thread probability (`StoryWeights.thread_threshold`,
    0.1) are compared for a merge: one its latest report would not even take for another event
    of its storyline is not the same event. Replayed with revisions at mean link 0.3, 0.5 and 0.7,
    ECB+ train and dev, the sample corpus and the Ukraine file score the same B-cubed F1 with
    and without this floor; at 100k articles revisions cost about 10 ms per article against 16
    (`benchmarks/cluster_scaling.py`, BENCHMARKS.md).
    """
    if not members:
        return []
    latest = members[-1].features()
    vectors = clusterer.vectors(latest)
    least = clusterer.thread_probability(latest)
    scored = sorted(
        (-p, profile.story_id)
        for profile in clusterer._candidates(latest, vectors)
        if profile.story_id not in exclude and (p := clusterer.probability(latest, profile, vectors)) >= least
    )
    return [story_id for _, story_id in scored[:MERGE_NEIGHBOURS]]


def _larger_first(clusterer: OnlineClusterer, a: str, b: str) -> tuple[str, str]:
    """Return the two stories as (keeps its id, merged): more articles first, then the older."""

    def key(story_id: str) -> tuple:
        profile = clusterer.profiles[story_id]
        return (-profile.article_count, profile.first_day is None, profile.first_day or 0, story_id)

    first, second = sorted((a, b), key=key)
    return first, second


class _Links:
    """The symmetric probability that two members report one event, each pair scored once."""

    def __init__(self, clusterer: OnlineClusterer) -> None:
        self.clusterer = clusterer
        self._scored: dict[tuple[str, str], float] = {}
        self._sides: dict[str, tuple[ArticleFeatures, ArticleVectors, StoryProfile, StoryVectors]] = {}

    def pair(self, a: Member, b: Member) -> float | None:
        """Return the link of two members, None across languages (their words do not compare)."""
        if a.article_id == b.article_id:
            return 1.0
        if a.lang and b.lang and a.lang != b.lang:
            return None
        key = (a.article_id, b.article_id) if a.article_id < b.article_id else (b.article_id, a.article_id)
        if key not in self._scored:
            (fa, va, pa, sa), (fb, vb, pb, sb) = self._side(a), self._side(b)
            p = self.clusterer.probability(fa, pb, va, sb) + self.clusterer.probability(fb, pa, vb, sa)
            self._scored[key] = p / 2
        return self._scored[key]

    def mean(self, group: Sequence[Member], other: Sequence[Member]) -> float | None:
        """Return the mean link of two groups over their pairs in one language (None: no such pair)."""
        return self.mean_reaching(group, other, 0.0)

    def mean_reaching(self, group: Sequence[Member], other: Sequence[Member], threshold: float) -> float | None:
        """Return the mean link of two groups when it reaches `threshold`, else None.

        Exact, and cheaper than `mean` where the groups are apart: it stops scoring pairs once
        the mean could not reach the threshold even if every pair left linked with 1.0.
        """
        total, counted = 0.0, 0
        left = len(group) * len(other)
        for a in group:
            for b in other:
                link = self.pair(a, b)
                left -= 1
                if link is not None:
                    total, counted = total + link, counted + 1
                if (total + left) < threshold * (counted + left):
                    return None
        mean = total / counted if counted else None
        return mean if mean is not None and mean >= threshold else None

    def _side(self, member: Member) -> tuple[ArticleFeatures, ArticleVectors, StoryProfile, StoryVectors]:
        """Return the member as an article (features, vectors) and as a story of one (profile,
        vectors), built once per revision."""
        side = self._sides.get(member.article_id)
        if side is None:
            features = member.features()
            alone = StoryProfile(member.article_id)
            alone.add(features)
            vectors = self.clusterer.vectors(features)
            side = self._sides[member.article_id] = (features, vectors, alone, StoryVectors(alone, vectors.idf))
        return side
