"""What stored targets amount to, and how those decided in a period add up: per kind, the
times to each milestone, the breaches.

Attribution rule: a target counts in the period in which its outcome was decided — a met
target at its milestone, a breached target at its deadline (the first instant it was late),
an excluded target when the exclusion was invoked. A past month's figures are therefore final
once it has ended, and an incident spanning two months counts each target once, in the month
it was decided. Compliance = met / (met + breached); excluded targets are left out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sla.reports.figures.facts import IncidentFact, Period, TargetFact

KIND_ORDER = ("take_charge", "first_response", "intervention", "restoration", "resolution", "other")


@dataclass(frozen=True)
class Outcome:
    state: str  # met, breached, excluded, running, none
    decided_at: datetime | None


def outcome(target: TargetFact, as_of: datetime) -> Outcome:
    """What a stored target amounts to at `as_of`, and when that was decided."""
    if target.excluded_at is not None:
        return Outcome("excluded", target.excluded_at)
    if target.deadline is None or target.status == "paused":
        return Outcome("none" if target.milestone_at else "running", None)
    if target.milestone_at is not None:
        if target.milestone_at <= target.deadline:
            return Outcome("met", target.milestone_at)
        return Outcome("breached", target.deadline)
    if target.deadline <= as_of:
        return Outcome("breached", target.deadline)
    return Outcome("running", None)


Decided = tuple[TargetFact, Outcome]


@dataclass(frozen=True)
class KindFigures:
    kind: str
    met: int
    breached: int
    excluded: int

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def compliance(self) -> float | None:
        return 100.0 * self.met / self.decided if self.decided else None


@dataclass(frozen=True)
class BreachLine:
    incident_id: int
    title: str
    severity: str
    target: str
    article: str
    deadline: datetime
    milestone_at: datetime | None
    lateness_seconds: float | None  # business seconds past the total; None while running
    business: bool


@dataclass
class Decisions:
    """The targets of one contract decided in a period: states counted per kind, times to
    take-charge and restoration, breaches in the order met, and per incident the business time
    to each milestone reached (take-charge, start of work (GTI), restoration)."""

    tally: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    take_charge: list[float] = field(default_factory=list)
    restoration: list[float] = field(default_factory=list)
    breaches: list[BreachLine] = field(default_factory=list)
    taken: dict[int, float] = field(default_factory=dict)
    started: dict[int, float] = field(default_factory=dict)
    restored: dict[int, float] = field(default_factory=dict)

    def kinds(self) -> tuple[KindFigures, ...]:
        """The states counted, per kind of target present, in `KIND_ORDER`."""
        tally = self.tally
        return tuple(
            KindFigures(kind, tally[kind]["met"], tally[kind]["breached"], tally[kind]["excluded"])
            for kind in KIND_ORDER
            if kind in tally
        )

    def handled(self, incidents: Mapping[int, IncidentFact]) -> list[tuple[IncidentFact, float]]:
        """Each incident restored, with the business time from the start of work (GTI, else
        take-charge) to restoration."""
        return [
            (incidents[i], max(0.0, seconds - self.started.get(i, self.taken.get(i, 0.0))))
            for i, seconds in self.restored.items()
        ]

    def record_time(self, target: TargetFact) -> None:
        """The business time a met or breached target took to its milestone."""
        if target.kind in ("take_charge", "first_response"):  # the vendor's first answer
            self.take_charge.append(target.consumed_seconds)
            self.taken[target.incident_id] = target.consumed_seconds
        elif target.kind == "intervention":
            self.started[target.incident_id] = target.consumed_seconds
        elif target.kind == "restoration":
            self.restoration.append(target.consumed_seconds)
            self.restored[target.incident_id] = target.consumed_seconds


def _breach_line(
    target: TargetFact, deadline: datetime, incident: IncidentFact, labels: Mapping[str, str]
) -> BreachLine:
    """A breached target (`deadline`: its own), with how late it was once its milestone was
    reached."""
    late = None
    if target.milestone_at is not None and target.total_seconds is not None:
        late = max(0.0, target.consumed_seconds - target.total_seconds)
    return BreachLine(
        incident.id,
        incident.title,
        labels.get(incident.severity, incident.severity),
        target.label,
        target.article,
        deadline,
        target.milestone_at,
        late,
        target.business,
    )


def decisions_in(
    period: Period,
    targets: Sequence[Decided],
    incidents: Mapping[int, IncidentFact],
    labels: Mapping[str, str],
) -> Decisions:
    """The targets decided in `period`, added up (`labels`: severity labels by key)."""
    decisions = Decisions()
    for target, result in targets:
        if result.decided_at is None or not period.contains(result.decided_at):
            continue
        decisions.tally[target.kind][result.state] += 1
        if target.milestone_at is not None and result.state in ("met", "breached"):
            decisions.record_time(target)
        if result.state == "breached" and target.deadline is not None:
            incident = incidents[target.incident_id]
            decisions.breaches.append(_breach_line(target, target.deadline, incident, labels))
    return decisions
