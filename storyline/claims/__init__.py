"""Claims across sources and time: compare statements, group them into claims, give verdicts."""

from storyline.claims.compare import (
    CONTRADICTION,
    ENTAILMENT,
    NEUTRAL,
    ComparerParams,
    Comparison,
    StatementFrame,
    compare_frames,
    compare_pairs,
    compare_statements,
)
from storyline.claims.group import (
    CHANGED,
    CONFIRMED,
    DISPUTED,
    REPEATED,
    Claim,
    ClaimInput,
    GroupParams,
    Verdict,
    claim_id,
    group_claims,
    update_claims,
)

__all__ = [
    "CHANGED",
    "CONFIRMED",
    "DISPUTED",
    "REPEATED",
    "Claim",
    "ClaimInput",
    "GroupParams",
    "Verdict",
    "claim_id",
    "group_claims",
    "update_claims",
    "CONTRADICTION",
    "ENTAILMENT",
    "NEUTRAL",
    "Comparison",
    "ComparerParams",
    "StatementFrame",
    "compare_frames",
    "compare_pairs",
    "compare_statements",
]
