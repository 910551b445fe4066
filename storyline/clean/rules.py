"""Rules that recognise lines which are not part of an article, each with the reason it gives.

Rules match whole lines (comment forms, spam, sign-ups) or trailing fragments of a paragraph
(editor credits, share prompts glued to the last sentence). They are deliberately narrow: a
false removal loses a real paragraph, so each pattern needs the line to be short or to have the
exact shape of the boilerplate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LineRule:
    """A whole-line pattern and the reason reported when it removes a line."""

    reason: str
    pattern: re.Pattern[str]
    max_words: int = 40


def _rule(reason: str, *patterns: str, max_words: int = 40) -> LineRule:
    return LineRule(reason, re.compile("|".join(patterns), re.IGNORECASE), max_words)


LINE_RULES: tuple[LineRule, ...] = (
    _rule(
        "comment form",
        r"^leave a (reply|comment)\b",
        r"^your email address will not be published",
        r"^required fields are marked",
        r"^(post|submit) (a )?comment\b",
        r"^(cancel reply|reply|comments?( \(\d+\))?|\d+ comments?|add a comment)\W*$",
        r"^save my name, email",
        r"^notify me of (new|follow-up) ",
        r"^you must be logged in to post a comment",
        r"^(name|email|website)\s*\*?\s*$",
    ),
    _rule(
        "spam",
        r"^\W*(bitcoin|crypto|forex|btc|ethereum)\s*(trader|era|code|profit|revolution|"
        r"loophole|superstar|evolution|engine|system|prime|bank|up)\W*$",
        r"\b(click here|claim your|earn \$?\d+.{0,20} (a|per) (day|week)|work from home|"
        r"casino bonus|free spins|hot singles)\b",
        max_words=25,
    ),
    _rule(
        "advertising",
        r"^(advertisement|advertising|sponsored( content)?|ad|promoted|paid content|"
        r"story continues below( advertisement)?|continue reading below)\W*$",
        max_words=6,
    ),
    _rule(
        "sign-up prompt",
        r"^(sign up|subscribe|register|join)\b.{0,80}\b(newsletter|updates|inbox|free|"
        r"channel|alerts|briefing|account|subscription)\b",
        r"^(get|receive) (our|the) .{0,40}(newsletter|briefing|alerts)",
        r"^(already a subscriber|log ?in|sign in)\b",
        r"^follow (us|\w[\w ]{0,30}) on (telegram|twitter|x|facebook|instagram|google news|"
        r"whatsapp|youtube)",
        r"\bsubscribe to our (telegram|youtube|whatsapp)",
        max_words=30,
    ),
    _rule(
        "share prompt",
        r"^(share|tweet|email|print|copy link|pin it)( (this|the) (article|story|page|post))?"
        r"( (on|via|to) [\w ]+)?\W*$",
        r"^share (let|to let) more people see it",
        r"^(share|follow) (on|via) (facebook|twitter|whatsapp|telegram|linkedin|email)",
        max_words=12,
    ),
    _rule(
        "editor credit",
        r"^\(?(responsible editor|editor|edited by|editing by|reporting by|writing by|"
        r"compiled by|translated by|participat\w* (in the )?reporters?|additional reporting by)"
        r"\s*[:\-]",
        r"^\((editing|reporting|writing|additional reporting) by [^)]*\)\W*$",
        max_words=30,
    ),
    _rule(
        "publication line",
        r"^\W*(published|posted|updated|last updated)(\s+on)?\s*:?\s*\d",
        r"^\W*(published|posted|updated)(\s+on)?\s*:?\s*[a-z]+\.? \d",
        max_words=12,
    ),
    _rule("byline", r"^\W*by [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3}\W*$", max_words=6),
    _rule(
        "read-more link",
        r"^(read more|related|see also|more on this|recommended|most read|watch|"
        r"read also|also read|more from)\s*[:>»|-]",
        r"^(read more|related (articles|stories|news)|you may also like|most popular|"
        r"trending now|more stories)\W*$",
        max_words=25,
    ),
    _rule(
        "site furniture",
        r"^(©|\(c\)|copyright\b).{0,120}$",
        r"\ball rights reserved\b",
        r"^(we use cookies|this (web)?site uses cookies|accept (all )?cookies)",
        r"^(image|photo|picture) (source|credit|caption)\s*[:,]",
        r"^(skip to (main )?content|menu|search|home|back to top)\W*$",
        max_words=30,
    ),
)

# Trailing fragments glued to the end of a real paragraph, as wire copy does with credits.
TRAILING_RULES: tuple[LineRule, ...] = (
    _rule(
        "editor credit",
        r"\s*\((responsible editor|editor|edited by|editing by|reporting by|writing by|"
        r"participat\w* (in the )?reporters?|additional reporting by|compiled by)\b[^()]*\)\W*$",
    ),
    _rule(
        "share prompt",
        r"\s*\b(share (let|to let) more people see it|share this (article|story))\W*$",
    ),
)

# Google-style machine translation of Chinese renders the full stop "。" now and then as the
# word "Essence" between two sentences; it is debris, and the sentence boundary is real.
MT_SENTENCE_DEBRIS = re.compile(r"(?<=[a-z\d'\")]) Essence (?=[A-Z])")


def match_line_rule(line: str) -> str | None:
    """Return the reason a whole line is boilerplate, or None if it may be a real paragraph."""
    words = len(line.split())
    for rule in LINE_RULES:
        if words <= rule.max_words and rule.pattern.search(line):
            return rule.reason
    return None


def split_trailing_boilerplate(line: str) -> tuple[str, list[tuple[str, str]]]:
    """Return the line without trailing credits and share prompts, and the (fragment, reason) cut."""
    removed: list[tuple[str, str]] = []
    changed = True
    while changed:
        changed = False
        for rule in TRAILING_RULES:
            match = rule.pattern.search(line)
            if match and match.start() > 0:
                removed.insert(0, (match.group(0).strip(), rule.reason))
                line = line[: match.start()].rstrip()
                changed = True
    return line, removed
