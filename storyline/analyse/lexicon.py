"""Hand-written word lists that frames and comparisons read: synonyms, aliases, control, hedges.

Kept general on purpose (news about states, armies, diplomacy and trade), not fitted to any one
data set: a word belongs here when a reporter or a machine translation would swap it for another
without changing the claim.
"""

from __future__ import annotations

# Words that one outlet or a translation swaps for another; a word may sit in several groups
# ("send" goes with both "deploy" and "deliver").
SYNONYM_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "troop force soldier military serviceman servicemember army unit personnel",
        "send deploy dispatch despatch station move put place transfer",
        "send supply deliver provide give transfer ship hand delivery supply provision",
        "weapon arm armament munition ammunition missile",
        "attack invade invasion assault offensive strike",
        "talk negotiation negotiate discussion dialogue round",
        "speak talk conversation call phone telephone",
        "leave flee depart escape exit evacuate",
        "evacuate evacuation rescue",
        "stop halt cut suspend end cease freeze shut",
        "start begin launch",
        "sanction penalty restriction",
        "impose introduce",
        "border frontier",
        "civilian resident people inhabitant person",
        "kill die death dead",
        "withdraw withdrawal retreat return pull",
        "increase raise boost bolster reinforce strengthen expand",
        "big large major main",
        "official authority",
        "corridor route passage",
        "jet plane aircraft fighter warplane",
        "help aid assistance support",
        "capture seize take occupy control",
        "territory soil ground land",
        "ask urge call appeal request",
        "ban prohibit embargo block",
        "exclude disconnect remove",
        "alert standby readiness",
        "join membership accession",
        "application request bid",
        "agreement deal accord",
        "approval certification authorisation authorization",
        "gas fuel",
        "import purchase",
        "export sale",
        "refugee displaced",
        "drill exercise manoeuvre maneuver",
        "base barrack",
        "allow let permit",
        "arrive come",
        "fight combat battle",
        "warn caution",
        "mass gather concentrate amass",
    )
)

# Pairs that make a statement say the opposite when one replaces the other.
ANTONYMS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair.split())
    for pair in (
        "open close",
        "resume halt",
        "resume stop",
        "resume suspend",
        "impose lift",
        "accept reject",
        "advance withdraw",
        "advance retreat",
        "increase decrease",
        "increase reduce",
        "rise fall",
        "hold collapse",
        "allow ban",
        "allow block",
        "win lose",
        "enter leave",
        "stay leave",
        "stay withdraw",
        "continue stop",
        "continue halt",
        "willing unwilling",
        "able unable",
        "agree refuse",
        "confirm deny",
        "succeed fail",
        "reopen close",
        "approve reject",
        "open shut",
        "increase fall",
        "stay withdrawal",
        "resume halt",
        "advance withdrawal",
    )
)

# Verbs that frame a report; the claim is their clausal complement.
REPORTING = frozenset(
    ["say", "tell", "state", "announce", "claim", "report", "add", "stress", "emphasise", "emphasize", "reiterate", "confirm", "note", "inform", "explain", "insist", "warn", "declare", "write", "tweet", "post", "assert", "argue", "believe", "think", "estimate", "suggest", "acknowledge", "admit", "remark", "recall", "indicate", "reveal", "repeat", "point", "mention", "comment"]
)
# Reporting verbs that deny their complement.
NEGATING_REPORTING = frozenset(["deny", "dismiss"])

# Verbs, nouns and adjectives that take the real event as their complement: "plans to send",
# "has no intention of sending", "ruled out sending", "is ready to deploy".
CONTROL = frozenset(
    ["plan", "intend", "want", "wish", "decide", "agree", "try", "seek", "aim", "strive", "threaten", "promise", "pledge", "vow", "prepare", "consider", "weigh", "mull", "explore", "discuss", "refuse", "decline", "fail", "reject", "exclude", "rule", "hope", "expect", "go", "have", "need", "continue", "begin", "start", "keep", "intention", "intent", "desire", "interest", "idea", "decision", "readiness", "willingness", "ready", "prepared", "willing", "unwilling", "able", "unable", "likely", "possible", "plan", "determined", "commit", "commitment"]
)
# Control words that negate their complement.
NEGATING_CONTROL = frozenset(
    ["refuse", "decline", "fail", "reject", "exclude", "unwilling", "unable"]
)
# Phrasal verbs read as one word: (verb lemma, particle) -> lemma.
PHRASAL = {
    ("go", "on"): "continue",
    ("carry", "on"): "continue",
    ("pull", "back"): "withdraw",
    ("pull", "out"): "withdraw",
    ("cut", "off"): "cut",
    ("call", "on"): "urge",
    ("shut", "down"): "close",
    ("step", "up"): "increase",
    ("go", "ahead"): "proceed",
    ("move", "away"): "withdraw",
    ("back", "down"): "withdraw",
}
# Phrasal negators: verb lemma -> particle.
NEGATING_PHRASAL = {"rule": "out"}

# Words that mark a statement as possible rather than asserted.
HEDGES = frozenset(
    ["may", "might", "could", "possibly", "perhaps", "maybe", "reportedly", "probably", "likely", "possible", "consider", "weigh", "mull", "explore", "allegedly", "apparently", "potentially"]
)
NEGATORS = frozenset(["not", "n't", "never", "no", "none", "nothing", "nobody", "neither", "nor"])

# Names that outlets and translations write differently; metonyms (a capital for its state, the
# Kremlin for Russia) count as the state. Keys are what comparisons see.
_ALIAS_TABLE = {
    "us": "u.s.|usa|u.s.a.|america|american|united states|white house|us military",
    "russia": "russian|russians|kremlin|russian federation",
    "ukraine": "ukrainian|ukrainians",
    "uk": "u.k.|britain|british|great britain|united kingdom",
    "nato": "alliance|north atlantic alliance|north atlantic treaty organization|north atlantic council",
    "eu": "e.u.|european union|european commission",
    "un": "u.n.|united nations",
    "germany": "german|germans",
    "france": "french",
    "poland": "polish|poles",
    "belarus": "belarusian",
    "turkey": "turkish|turkiye",
    "japan": "japanese",
    "canada": "canadian",
    "china": "chinese",
    "denmark": "danish",
    "netherlands": "dutch",
    "hungary": "hungarian",
    "finland": "finnish",
    "sweden": "swedish",
    "lithuania": "lithuanian",
    "latvia": "latvian",
    "estonia": "estonian",
    "romania": "romanian",
    "bulgaria": "bulgarian",
    "unhcr": "un refugee agency|united nations refugee agency|un high commissioner for refugees",
    "pentagon": "us defense department|department of defense|us department of defense",
}
ALIASES: dict[str, str] = {
    alias: key for key, aliases in _ALIAS_TABLE.items() for alias in (key, *aliases.split("|"))
}

# A capital stands for its state only as an actor ("Moscow said", "Berlin will send"); elsewhere
# ("troops near Kyiv") it is the city.
CAPITALS: dict[str, str] = {
    "washington": "us", "moscow": "russia", "kyiv": "ukraine", "kiev": "ukraine", "london": "uk",
    "berlin": "germany", "paris": "france", "warsaw": "poland", "minsk": "belarus",
    "ankara": "turkey", "tokyo": "japan", "ottawa": "canada", "beijing": "china",
    "copenhagen": "denmark", "the hague": "netherlands", "budapest": "hungary",
    "helsinki": "finland", "stockholm": "sweden", "vilnius": "lithuania", "riga": "latvia",
    "tallinn": "estonia", "bucharest": "romania", "sofia": "bulgaria", "brussels": "eu",
}  # fmt: skip
