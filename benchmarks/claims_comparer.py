"""The claims stage with each statement comparer: seconds, comparisons and verdicts, in one process.

Usage: python benchmarks/claims_comparer.py STORE_URL
(a store an ingest filled, e.g. `storyline ingest ../shared/data/corpora/ukraine2022 --db
sqlite:///ukraine.db`; its claims were grouped by whichever comparer the ingest used).

Every stored statement, with the frame its claim record keeps, is grouped again into claims from
scratch, story by story, once with the hand-written rules and once with the learned comparer,
twice each in alternation so neither runs cold. The cross-encoder is loaded before the first run
and forgets the pairs it read before each learned run, so every run reads them afresh. Prints the seconds of each, the ratio learned /
rules, the comparisons made, and how many claims and verdicts of each kind each comparer gives.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict

from storyline.claims import Claim, group_claims
from storyline.claims.compare import ComparerParams
from storyline.claims.cross_encoder import load_cross_encoder
from storyline.claims.group import GroupParams
from storyline.store import Store


def main(url: str) -> None:
    store = Store(url)
    try:
        story_ids = [row.id for row in store.stories(limit=1_000_000)]
        records = store.claim_records(story_ids)
    finally:
        store.close()
    statements = defaultdict(list)
    for record in records:
        for statement in Claim.from_record(record).statements:
            statements[statement.story_id].append(statement)
    print(f"{url}: {sum(len(s) for s in statements.values())} statements in {len(statements)} stories")
    results: dict[str, tuple[float, list[Claim]]] = {}
    encoder = load_cross_encoder()
    for method in ("rules", "learned", "rules", "learned"):
        encoder.forget()
        params = GroupParams(comparer=ComparerParams(method=method))
        start = time.perf_counter()
        claims = [claim for group in statements.values() for claim in group_claims(group, params=params)]
        seconds = time.perf_counter() - start
        if method not in results or seconds < results[method][0]:
            results[method] = (seconds, claims)
    for method, (seconds, claims) in results.items():
        verdicts = Counter(v.kind for claim in claims for v in claim.verdicts)
        print(
            f"{method:8} {seconds:7.2f} s  {len(claims)} claims, "
            + ", ".join(f"{kind} {count}" for kind, count in sorted(verdicts.items()))
        )
    ratio = results["learned"][0] / results["rules"][0]
    print(f"ratio: the learned comparer's claims stage takes {ratio:.2f}x the rules' (best of two runs each)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
