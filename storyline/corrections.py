"""A person's corrections to the clustering: merge two stories, move an article elsewhere.

Each correction rewrites the stories' summaries (profiles) and claims so that later automatic
clustering builds on it: merged stories stay one, and a story an article was moved out of is
never merged again with the story it was moved to.
"""

from __future__ import annotations

from storyline.claims import Claim, relabelled, split_claims, update_claims
from storyline.cluster.online import story_id_for
from storyline.cluster.profile import StoryProfile, profile_of
from storyline.settings import Settings
from storyline.store import Store


class CorrectionError(ValueError):
    """The correction cannot be made (unknown story or article, or nothing to do)."""


def merge_stories(store: Store, into: str, merged: str) -> None:
    """Merge story `merged` into story `into`: its articles, statements and claims move over."""
    if into == merged:
        raise CorrectionError("a story cannot be merged into itself")
    for story_id in (into, merged):
        if store.story(story_id) is None:
            raise CorrectionError(f"no story {story_id!r}")
    profile = profile_of(into, store.load_articles(into) + store.load_articles(merged))
    store.merge_stories(into, merged, profile.to_bytes())


def move_article(
    store: Store, article_id: str, to_story: str | None, settings: Settings | None = None
) -> str:
    """Move an article to story `to_story` (a new story when None); return its story id now.

    A new story is a thread of its own; the article's statements move to the claims of its new
    story's thread.
    """
    article = store.article(article_id)
    if article is None:
        raise CorrectionError(f"no article {article_id!r}")
    left = article.story_id
    created = to_story is None
    target = to_story or story_id_for(f"{article_id}#moved")
    if not created and store.story(target) is None:
        raise CorrectionError(f"no story {target!r}")
    if target == left:
        raise CorrectionError(f"{article_id!r} is in story {target!r} already")
    threads = store.story_threads([s for s in (left, target) if s])
    left_thread, target_thread = threads.get(left or "", left), threads.get(target, target)
    target_claims = [Claim.from_record(r) for r in store.thread_claim_records([target_thread])]
    if left_thread == target_thread:  # the thread's claims hold the statements already
        claims = {target_thread: [c.to_record() for c in relabelled(target_claims, {article_id}, target)]}
    else:
        left_claims = [Claim.from_record(r) for r in store.thread_claim_records([left_thread])] if left else []
        staying, moved_in = split_claims(left_claims, {article_id}, target, target_thread, settings)
        claims = {target_thread: [c.to_record() for c in update_claims(target_claims, moved_in, settings)]}
        if left_thread:
            claims[left_thread] = [c.to_record() for c in staying]
    staying_articles = [a for a in store.load_articles(left) if a.id != article_id] if left else []
    moving_article = store.load_articles_by_id([article_id])
    profiles = {
        left: _profile_bytes(profile_of(left, staying_articles)),
        target: _profile_bytes(profile_of(target, store.load_articles(target) + moving_article)),
    }
    store.move_article(article_id, target, profiles, claims, created)
    return target


def _profile_bytes(profile: StoryProfile) -> bytes | None:
    return profile.to_bytes() if profile.article_count else None
