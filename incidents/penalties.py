"""The penalties an incident's breached targets would bring under its contract version's
clauses, for the incident page. Pure: the targets as the page computed them, the terms and the
yearly amount in, lines out (the engine's `sla.engine.penalties`, as a statement counts them).

A statement counts the same lines for the same breach, then applies its threshold and caps to
the whole period: the page says these amounts come before them. An excluded target brings no
penalty (it says so when a clause would cover it); a met target brings nothing; a contract
without penalty clauses, nothing at all. A breach still open counts until `now`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sla.engine.penalties import BreachFact, PenaltyLine, breach_lines, lateness_between
from sla.engine.target_states import TargetState, TargetStatus
from sla.engine.targets import calendars_of
from sla.engine.terms import SlaTerms


@dataclass(frozen=True, slots=True)
class TargetPenalty:
    """What one target of the incident would cost the vendor: its lines (one per clause that
    covers it), or none because an exclusion was invoked on it."""

    target_key: str
    target_label: str
    excluded: bool
    still_open: bool  # breached and its milestone not reached: counted until now
    lines: tuple[PenaltyLine, ...] = ()

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def target_penalties(
    incident_id: int,
    severity: str,
    targets: Sequence[TargetState],
    terms: SlaTerms,
    yearly_amount_ht: Decimal | None,
    *,
    now: datetime,
) -> list[TargetPenalty]:
    """The penalty of each breached or excluded target that a clause covers, in the order of
    the targets (empty when the contract sets no penalty)."""
    penalties = terms.penalties
    if penalties is None:
        return []
    try:
        level = terms.severity(severity)
    except KeyError:
        return []
    calendars = calendars_of(terms)
    found = []
    for state in targets:
        if not penalties.lateness_clauses(severity, state.key):
            continue
        if state.status is TargetStatus.excluded:
            found.append(TargetPenalty(state.key, state.label, excluded=True, still_open=False))
            continue
        if state.status is not TargetStatus.breached or state.deadline is None:
            continue
        target_terms = next((t for t in level.targets if t.key == state.key), None)
        calendar = calendars.get(target_terms.calendar) if target_terms is not None else None
        end = state.milestone_at or now
        lateness = lateness_between(
            calendar,
            state.deadline,
            end,
            own_seconds=state.lateness_seconds,
            business=state.business,
        )
        breach = BreachFact(
            incident_id, severity, state.key, state.deadline, state.milestone_at, lateness
        )
        found.append(
            TargetPenalty(
                state.key,
                state.label,
                excluded=False,
                still_open=state.milestone_at is None,
                lines=tuple(breach_lines(penalties, breach, yearly_amount_ht)),
            )
        )
    return found
