"""Each target of an incident at an instant: deadline, milestone, consumed, remaining, status.

Rules (shared/DOMAIN.md): a target counts from heure H or from another target's milestone,
in its calendar; a paused interval does not count and moves the deadline later by the time it
covered; requalification keeps heure H and applies the new severity's targets; a target is met
when its milestone happened at or before the deadline, breached otherwise or once the deadline
has passed with no milestone. Pure: `now` is a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from calendars.engine import BusinessCalendar, compiled
from sla.engine.lifecycle import IncidentState, Pause
from sla.engine.terms import REPORT, DurationUnit, SlaTerms, TargetKind, TargetTerms

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


def milestone_of(kind: TargetKind, state: IncidentState) -> datetime | None:
    """The instant a target of this kind was met: its own event, or a later stage that implies
    it (a vendor who restored the service has taken charge of it)."""
    if kind is TargetKind.take_charge:
        candidates = [state.acknowledged_at, state.intervention_at, state.first_restored_at]
    elif kind is TargetKind.intervention:
        candidates = [state.intervention_at, state.first_restored_at]
    elif kind is TargetKind.restoration:
        candidates = [state.restored_at, state.resolved_at]
    else:
        candidates = [state.resolved_at]
    found = [c for c in candidates if c is not None]
    return min(found) if found else None


def _state(
    target: TargetTerms,
    origin: datetime | None,
    milestone: datetime | None,
    business: bool,
    status: TargetStatus,
    deadline: datetime | None,
    total: float | None,
    consumed: float,
    lateness: float | None,
    warn_at: datetime | None = None,
) -> TargetState:
    return TargetState(
        target.key,
        target.kind,
        target.label,
        target.article,
        target.origin,
        origin,
        deadline,
        milestone,
        total,
        consumed,
        None if total is None else total - consumed,
        lateness,
        status,
        business,
        warn_at,
    )


class _Clock:
    """Measures and moves time in one target's terms: business time in its calendar, or real
    time. Measures go through positions on an axis, so that many of them cost one search each."""

    def __init__(self, target: TargetTerms, calendar: BusinessCalendar) -> None:
        self.target = target
        self.calendar = calendar
        self.business = target.duration.is_business

    def positions(self, instants: list[datetime]) -> list[float]:
        if self.business:
            return self.calendar.positions(instants)
        return [value.timestamp() for value in instants]

    def advance(self, start: datetime, seconds: float) -> datetime:
        if seconds <= 0:
            return start
        if self.business:
            return self.calendar.deadline(start, seconds)
        return start + timedelta(seconds=seconds)

    def base_deadline(self, origin: datetime) -> datetime:
        duration = self.target.duration
        if duration.unit is DurationUnit.business_seconds:
            return self.calendar.deadline(origin, duration.amount)
        if duration.unit is DurationUnit.business_days:
            return self.calendar.deadline_business_days(
                origin, int(duration.amount), end_of_day=duration.end_of_day
            )
        return BusinessCalendar.calendar_deadline(
            origin, timedelta(seconds=duration.amount), self.calendar.zone
        )


def _overlap(spans: list[tuple[float, float]], low: float, high: float) -> float:
    """How much of [low, high) the spans cover (positions)."""
    covered = 0.0
    for a, b in spans:
        if b > low and a < high:
            covered += (b if b < high else high) - (a if a > low else low)
    return covered


def _pause_spans(pauses: list[Pause], now: datetime) -> list[tuple[datetime, datetime]]:
    return [(p.start, p.end or now) for p in pauses]


def compute_targets(
    terms: SlaTerms,
    state: IncidentState,
    now: datetime,
    *,
    at_risk_ratio: float = DEFAULT_AT_RISK_RATIO,
    calendar_for: Callable[[str], BusinessCalendar] | None = None,
    warn_ratio: float | None = None,
    warn_remaining_seconds: float = 0.0,
) -> list[TargetState]:
    """The targets of the incident's current severity, as they stand at `now`.

    With `warn_ratio`, each target still waiting for its milestone gets `warn_at`: the instant
    its used share reaches `warn_ratio`, or only `warn_remaining_seconds` remain, if earlier.
    """
    severity = terms.severity(state.severity)
    lookup = calendar_for or calendars_of(terms).__getitem__
    excluded_all = any(e.target is None for e in state.exclusions)
    excluded = {e.target for e in state.exclusions}
    spans = _pause_spans(state.pauses, now)
    open_pause = state.pauses[-1] if state.is_paused else None
    milestones: dict[str, datetime | None] = {
        t.key: milestone_of(t.kind, state) for t in severity.targets
    }
    end_of_clock = state.closed_at or now
    results: list[TargetState] = []
    for target in severity.targets:
        clock = _Clock(target, lookup(target.calendar))
        origin = state.reported_at if target.origin == REPORT else milestones.get(target.origin)
        milestone = milestones[target.key]
        if milestone is not None and origin is not None and milestone < origin:
            milestone = origin  # met by the same event as its origin

        early = (
            TargetStatus.excluded
            if excluded_all or target.key in excluded
            else TargetStatus.pending
            if origin is None
            else None
        )
        if early is not None or origin is None:
            state_now = early or TargetStatus.pending
            results.append(
                _state(target, origin, milestone, clock.business, state_now, None, None, 0.0, None)
            )
            continue
        stop = milestone if milestone is not None else end_of_clock
        target_pauses = [(a, b) for a, b in spans if b > origin] if target.pauses else []
        fixed = target.duration.is_fixed
        base = clock.base_deadline(origin) if fixed else origin
        # Business hours: the base deadline sits exactly `amount` after the origin on the axis.
        derived = target.duration.unit is DurationUnit.business_seconds
        instants = [origin, max(stop, origin)]
        if not derived:
            instants.append(base)
        instants.extend(x for span in target_pauses for x in span)
        points = clock.positions(instants)
        o, st = points[0], points[1]
        bp = o + target.duration.amount if derived else points[2]
        first = 2 if derived else 3
        pause_p = [
            (points[first + 2 * i], points[first + 1 + 2 * i]) for i in range(len(target_pauses))
        ]
        consumed = (st - o) - _overlap(pause_p, o, st)
        if not fixed:
            status = (
                TargetStatus.met
                if milestone
                else (TargetStatus.not_applicable if state.is_closed else TargetStatus.running)
            )
            results.append(
                _state(
                    target, origin, milestone, clock.business, status, None, None, consumed, None
                )
            )
            continue
        d = bp
        for _ in range(
            100 if pause_p else 0
        ):  # the deadline moves later by the paused time it covers
            moved = bp + _overlap(pause_p, o, d)
            if moved == d:
                break
            d = moved
        deadline = clock.advance(base, d - bp)
        total = (d - o) - _overlap(pause_p, o, d)
        warn_at = None
        if warn_ratio is not None and milestone is None:
            # "When 1 h remains" means nothing for a target of 1 h or less: the share alone counts.
            time_left = (1.0 - warn_ratio) * total
            if warn_remaining_seconds < total:
                time_left = max(time_left, warn_remaining_seconds)
            warn_at = clock.advance(origin, max(0.0, d - time_left - o))
        lateness: float | None = None
        if milestone is not None:
            if milestone <= deadline:
                status = TargetStatus.met
            else:
                status = TargetStatus.breached
                lateness = st - d - _overlap(pause_p, d, st)
        elif end_of_clock >= deadline:
            if state.is_closed:
                status = (
                    TargetStatus.not_applicable
                    if end_of_clock == deadline
                    else TargetStatus.breached
                )
            else:
                status = TargetStatus.breached
            if status is TargetStatus.breached:
                lateness = st - d
        elif state.is_closed:
            status = TargetStatus.not_applicable
        elif open_pause is not None and target.pauses:
            status = TargetStatus.paused
        elif total and consumed / total >= at_risk_ratio:
            status = TargetStatus.at_risk
        else:
            status = TargetStatus.running
        results.append(
            _state(
                target,
                origin,
                milestone,
                clock.business,
                status,
                deadline,
                total,
                consumed,
                lateness,
                warn_at,
            )
        )
    return results


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


_COMPILED: dict[int, tuple[SlaTerms, dict[str, BusinessCalendar]]] = {}


def calendars_of(terms: SlaTerms) -> Mapping[str, BusinessCalendar]:
    """The compiled calendars of a version's terms (kept per terms object: versions never
    change, and hashing a calendar definition for every target would cost more than the rest)."""
    cached = _COMPILED.get(id(terms))
    if cached is None or cached[0] is not terms:
        cached = _COMPILED[id(terms)] = (
            terms,
            {k: compiled(spec) for k, spec in terms.calendars.items()},
        )
    return cached[1]
