"""The contracts the demo loads: the five seeds (examples/contracts) and the fictional one with
penalty clauses (examples/illustrative), not a seed."""

from __future__ import annotations

from sla.config import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "examples" / "contracts"
# Fictional, clearly marked as such in the file: the demo's (and the tests') penalties.
ILLUSTRATIVE = PROJECT_ROOT / "examples" / "illustrative" / "exemple-penalites.toml"
ILLUSTRATIVE_REFERENCE = "EXEMPLE-PENALITES-2026"
