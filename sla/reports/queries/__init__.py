"""Load the facts a report needs (a service: reads only).

Modules, each importing only those listed before it:

- `scope`: a report's scope, what names it, the contracts in it;
- `outcomes`: SQL expressions: what a stored target amounts to (`decided_state`, the SQL twin
  of `figures.outcome`), which of the twelve months an instant falls in;
- `changes`: requalifications and exclusions in the period;
- `period`: the incidents that matter to the period, their targets, its outages;
- `trends`: the twelve months, counted by the database;
- `penalties`: per contract that sets penalties, the statement of the period or the amount
  computed (`sla.penalties`);
- `load`: the facts loaded, the report made.

This package exports the names the rest of the application imports.
"""

from __future__ import annotations

from sla.reports.queries.load import load_facts, make_report
from sla.reports.queries.outcomes import decided_state
from sla.reports.queries.scope import Scope, scope_name

__all__ = ["Scope", "decided_state", "load_facts", "make_report", "scope_name"]
