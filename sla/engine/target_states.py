"""What a target is at an instant (its status, deadline, milestone, times) and what lists
need of an incident's targets (the next deadline, the breach and warning instants). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sla.engine.terms import TargetKind

DEFAULT_AT_RISK_RATIO = 0.75


class TargetStatus(StrEnum):
    running = "running"
    paused = "paused"
    at_risk = "at_risk"
    breached = "breached"
    met = "met"
    pending = "pending"  # measured from a milestone that has not happened yet
    not_applicable = "not_applicable"  # closed before its deadline without its milestone
    excluded = "excluded"  # an exclusion clause was invoked


@dataclass(slots=True)
class TargetState:
    key: str
    kind: TargetKind
    label: str
    article: str
    origin: str
    started_at: datetime | None  # heure H or the origin milestone
    deadline: datetime | None  # None: no fixed time, or not started yet
    milestone_at: datetime | None
    total_seconds: float | None  # the target's time, in its measure (business or real)
    consumed_seconds: float
    remaining_seconds: float | None
    lateness_seconds: float | None
    status: TargetStatus
    business: bool  # seconds are business seconds (else real seconds)
    warn_at: datetime | None = None  # when a warning falls due (share used or time left)

    @property
    def used_ratio(self) -> float | None:
        if not self.total_seconds:
            return None
        return self.consumed_seconds / self.total_seconds


@dataclass(frozen=True, slots=True)
class Summary:
    """What lists and dashboards need of an incident's targets, valid until its next event."""

    next_deadline_at: datetime | None
    next_target: str
    breach_at: datetime | None
    warn_at: datetime | None = None


def summarize(targets: list[TargetState]) -> Summary:
    """The next deadline still to meet, and the instant the incident is or will be in breach
    (a late milestone: its deadline; no milestone yet: the deadline, unless paused)."""
    waiting = [
        t
        for t in targets
        if t.deadline is not None
        and t.milestone_at is None
        and t.status
        not in (TargetStatus.paused, TargetStatus.excluded, TargetStatus.not_applicable)
    ]
    late = [t for t in targets if t.status is TargetStatus.breached and t.deadline is not None]
    upcoming = min(waiting, key=lambda t: t.deadline or _never(t)) if waiting else None
    breach_candidates = [t.deadline for t in waiting + late if t.deadline is not None]
    warnings = [t.warn_at for t in waiting if t.warn_at is not None]
    return Summary(
        next_deadline_at=upcoming.deadline if upcoming else None,
        next_target=upcoming.label if upcoming else "",
        breach_at=min(breach_candidates) if breach_candidates else None,
        warn_at=min(warnings) if warnings else None,
    )


def _never(target: TargetState) -> datetime:
    raise ValueError(f"{target.key} has no deadline")  # filtered out by the callers


def next_deadline(targets: list[TargetState]) -> TargetState | None:
    """The running target that falls due first (for the dashboard's ordering)."""
    live = [t for t in targets if t.deadline is not None and t.status in _LIVE]
    return min(live, key=lambda t: t.deadline or _never(t)) if live else None


_LIVE = {TargetStatus.running, TargetStatus.at_risk, TargetStatus.paused, TargetStatus.breached}
