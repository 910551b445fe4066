"""The static HTML report: an index of stories and one page per story with its timeline."""

from __future__ import annotations

import shutil
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from storyline.cluster.features import calendar_day
from storyline.store import Store
from storyline.timeline import TimelineMark, timeline_svg

_environment = Environment(
    loader=PackageLoader("storyline", "report"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def write_report(store: Store, out: Path, max_stories: int = 1000) -> Path:
    """Write `index.html` and one page per story into `out`; return the index's path."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(__file__).with_name("report.css"), out / "report.css")
    stories = store.stories(limit=max_stories)
    for story in stories:
        articles = store.story_articles(story.id)
        marks = [
            TimelineMark(
                day=day,
                lane=article.source or "unknown source",
                label=article.title or article.id,
                kind="copy" if article.duplicate_of else "article",
            )
            for article in articles
            if (day := calendar_day(article.date))
        ]
        page = _environment.get_template("story.html").render(
            story=story,
            articles=articles,
            timeline=Markup(timeline_svg(marks)),
        )
        (out / f"story-{story.id}.html").write_text(page, encoding="utf-8")
    index = out / "index.html"
    index.write_text(
        _environment.get_template("index.html").render(
            stories=stories, article_count=store.count_articles()
        ),
        encoding="utf-8",
    )
    return index
