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
from datetime import UTC, datetime, timedelta

from calendars.engine import BusinessCalendar, compiled
from sla.engine.lifecycle import EventKind, IncidentState, Pause
from sla.engine.target_states import DEFAULT_AT_RISK_RATIO, TargetState, TargetStatus
from sla.engine.terms import (
    REPORT,
    DurationUnit,
    SlaTerms,
    TargetKind,
    TargetTerms,
    WaitingState,
)

# The waiting state each pausing event puts the incident in.
WAITING_STATE_OF = {
    EventKind.waiting_customer: WaitingState.customer,
    EventKind.waiting_third_party: WaitingState.third_party,
}


def milestone_of(kind: TargetKind, state: IncidentState) -> datetime | None:
    """The instant a target of this kind was met: its own event, or a later stage that implies
    it (a vendor who restored the service has taken charge of it)."""
    if kind is TargetKind.take_charge or kind is TargetKind.first_response:
        # The vendor's first answer, whatever the contract calls it.
        candidates: tuple[datetime | None, ...] = (
            state.acknowledged_at,
            state.intervention_at,
            state.first_restored_at,
        )
    elif kind is TargetKind.intervention:
        candidates = (state.intervention_at, state.first_restored_at)
    elif kind is TargetKind.restoration:
        candidates = (state.restored_at, state.resolved_at)
    else:
        return state.resolved_at
    earliest: datetime | None = None  # the first of the earliest, as `min` would find it
    for candidate in candidates:
        if candidate is not None and (earliest is None or candidate < earliest):
            earliest = candidate
    return earliest


def _state(
    target: TargetTerms,
    started_at: datetime | None,
    milestone_at: datetime | None,
    business: bool,
    status: TargetStatus,
    deadline: datetime | None,
    total_seconds: float | None,
    consumed_seconds: float,
    lateness_seconds: float | None,
    warn_at: datetime | None = None,
) -> TargetState:
    return TargetState(
        target.key,
        target.kind,
        target.label,
        target.article,
        target.origin,
        started_at,
        deadline,
        milestone_at,
        total_seconds,
        consumed_seconds,
        None if total_seconds is None else total_seconds - consumed_seconds,
        lateness_seconds,
        status,
        business,
        warn_at,
    )


class TargetClock:
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
        # Real time: added in UTC. Python adds a timedelta to an aware datetime on its wall
        # clock, which is an hour off across a DST change.
        return (start.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(self.calendar.zone)

    def base_deadline(self, origin: datetime) -> datetime:
        duration = self.target.duration
        if duration.unit is DurationUnit.business_seconds:
            return self.calendar.deadline(origin, duration.amount)
        if duration.unit is DurationUnit.business_days:
            return self.calendar.deadline_business_days(
                origin, int(duration.amount), end_of_day=duration.end_of_day
            )
        if duration.unit is DurationUnit.calendar_days:
            return self.calendar.civil_deadline(
                origin, days=int(duration.amount), end_of_day=duration.end_of_day
            )
        if duration.unit is DurationUnit.months:
            return self.calendar.civil_deadline(
                origin, months=int(duration.amount), end_of_day=duration.end_of_day
            )
        return BusinessCalendar.calendar_deadline(
            origin, timedelta(seconds=duration.amount), self.calendar.zone
        )


PauseSpan = tuple[datetime, datetime, WaitingState]


def _pause_spans(pauses: list[Pause], now: datetime) -> list[PauseSpan]:
    return [(pause.start, pause.end or now, WAITING_STATE_OF[pause.kind]) for pause in pauses]


def excluded_targets(terms: SlaTerms, state: IncidentState) -> dict[str, datetime]:
    """The targets of the incident's current severity that an invoked exclusion clause takes
    out of the measure, with when the clause was invoked. A clause that names the targets it
    covers excludes those and no other; one that names none, the target it was invoked for, or
    every target."""
    keys = [target.key for target in terms.severity(state.severity).targets]
    excluded: dict[str, datetime] = {}
    for exclusion in state.exclusions:
        clause = terms.exclusion(exclusion.clause)
        if clause is not None and clause.targets:
            covered = [key for key in keys if key in clause.targets]
        elif exclusion.target is not None:
            covered = [exclusion.target]
        else:
            covered = keys
        for key in covered:
            excluded.setdefault(key, exclusion.at)
    return excluded


@dataclass(slots=True, init=False)
class IncidentClocks:
    """What the targets of one incident share at `now`, and the thresholds that judge them."""

    reported_at: datetime
    milestones: dict[str, datetime | None]  # per target key, as `milestone_of` finds it
    pause_spans: list[PauseSpan]  # a pause still open ends at `now`
    end_of_clock: datetime  # the closure, or `now`
    is_closed: bool
    waiting: WaitingState | None  # who the vendor waits on now, if it does
    at_risk_ratio: float
    warn_ratio: float | None
    warn_remaining_seconds: float

    def __init__(
        self,
        state: IncidentState,
        targets: tuple[TargetTerms, ...],
        now: datetime,
        at_risk_ratio: float,
        warn_ratio: float | None,
        warn_remaining_seconds: float,
    ) -> None:
        self.reported_at = state.reported_at
        self.milestones = {t.key: milestone_of(t.kind, state) for t in targets}
        self.pause_spans = _pause_spans(state.pauses, now)
        self.end_of_clock = state.closed_at or now
        self.is_closed = state.is_closed
        self.waiting = WAITING_STATE_OF[state.pauses[-1].kind] if state.is_paused else None
        self.at_risk_ratio = at_risk_ratio
        self.warn_ratio = warn_ratio
        self.warn_remaining_seconds = warn_remaining_seconds


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
    calendar_of = calendar_for or calendars_of(terms).__getitem__
    excluded_keys = excluded_targets(terms, state)
    incident = IncidentClocks(
        state, severity.targets, now, at_risk_ratio, warn_ratio, warn_remaining_seconds
    )
    results: list[TargetState] = []
    for target in severity.targets:
        clock = TargetClock(target, calendar_of(target.calendar))
        origin = origin_of(target, incident)
        milestone = _milestone(target, origin, incident)
        if target.key in excluded_keys:
            results.append(_unmeasured(target, clock, origin, milestone, TargetStatus.excluded))
        elif origin is None:
            results.append(_unmeasured(target, clock, origin, milestone, TargetStatus.pending))
        elif target.duration.is_fixed:
            results.append(_with_deadline(target, clock, origin, milestone, incident))
        else:
            results.append(_open_ended(target, clock, origin, milestone, incident))
    return results


def origin_of(target: TargetTerms, incident: IncidentClocks) -> datetime | None:
    """Where a target starts counting: heure H, or the milestone of the target it is measured
    from (None while that milestone has not happened)."""
    if target.origin == REPORT:
        return incident.reported_at
    return incident.milestones.get(target.origin)


def _milestone(
    target: TargetTerms, origin: datetime | None, incident: IncidentClocks
) -> datetime | None:
    """The instant the target was met, never before it started counting."""
    milestone = incident.milestones[target.key]
    if milestone is not None and origin is not None and milestone < origin:
        return origin  # met by the same event as its origin
    return milestone


def _unmeasured(
    target: TargetTerms,
    clock: TargetClock,
    origin: datetime | None,
    milestone: datetime | None,
    status: TargetStatus,
) -> TargetState:
    """A target not measured: excluded, or pending its origin (no deadline, nothing used)."""
    return _state(target, origin, milestone, clock.business, status, None, None, 0.0, None)


def _positions(
    clock: TargetClock,
    origin: datetime,
    stop: datetime,
    pause_spans: list[tuple[datetime, datetime]],
    base_deadline: datetime | None = None,
) -> tuple[float, float, list[tuple[float, float]], float | None]:
    """The origin, the stop (the milestone, or the end of the clock), the pauses that end after
    the origin and, if given, the base deadline, as positions on the target's axis: one search
    for all of them."""
    instants = [origin, max(stop, origin)]
    for start, end in pause_spans:
        if end > origin:
            instants += (start, end)
    pauses_end = len(instants)
    if base_deadline is not None:
        instants.append(base_deadline)
    points = clock.positions(instants)
    pause_positions = list(zip(points[2:pauses_end:2], points[3:pauses_end:2], strict=True))
    base_position = points[pauses_end] if base_deadline is not None else None
    return points[0], points[1], pause_positions, base_position


def _counted(pause_positions: list[tuple[float, float]], low: float, high: float) -> float:
    """The time from `low` to `high` (positions) that counts: the paused time does not.
    (Inlined: this runs two or three times for every target.)"""
    paused = 0.0
    for start, end in pause_positions:
        if end > low and start < high:
            paused += (end if end < high else high) - (start if start > low else low)
    return (high - low) - paused


def _pauses_of(target: TargetTerms, incident: IncidentClocks) -> list[tuple[datetime, datetime]]:
    """The incident's pauses that freeze this target: those in a waiting state it names."""
    return [
        (start, end) for start, end, waiting in incident.pause_spans if waiting in target.pauses
    ]


def _open_ended(
    target: TargetTerms,
    clock: TargetClock,
    origin: datetime,
    milestone: datetime | None,
    incident: IncidentClocks,
) -> TargetState:
    """A target with no fixed time ("in the next release"): tracked, never breached."""
    stop = incident.end_of_clock if milestone is None else milestone
    pauses = _pauses_of(target, incident)
    origin_position, stop_position, pause_positions, _ = _positions(clock, origin, stop, pauses)
    consumed = _counted(pause_positions, origin_position, stop_position)
    if milestone is not None:
        status = TargetStatus.met
    elif incident.is_closed:
        status = TargetStatus.not_applicable
    else:
        status = TargetStatus.running
    return _state(target, origin, milestone, clock.business, status, None, None, consumed, None)


@dataclass(slots=True)
class Measure:
    """One fixed-time target measured: where it starts, its deadline before and after the
    pauses, what it has consumed, on its axis (business or real seconds). The target's state
    and the explanation of its deadline both read it."""

    origin: datetime
    base_deadline: datetime
    deadline: datetime
    origin_position: float
    base_position: float
    deadline_position: float
    stop_position: float
    pauses: list[tuple[datetime, datetime]]  # the pauses that freeze it, ending after origin
    pause_positions: list[tuple[float, float]]  # the same, on the axis
    total: float  # the target's time, pauses left out
    consumed: float


def measure(
    target: TargetTerms,
    clock: TargetClock,
    origin: datetime,
    stop: datetime,
    incident: IncidentClocks,
) -> Measure:
    """Measure a fixed-time target from `origin` until `stop` (its milestone, or the end of
    the clock): its deadline moved by the pauses that freeze it."""
    pauses = [span for span in _pauses_of(target, incident) if span[1] > origin]
    duration = target.duration
    base_deadline = clock.base_deadline(origin)
    # Business hours: the base deadline sits exactly `amount` after the origin on the axis.
    on_axis = duration.unit is DurationUnit.business_seconds
    origin_position, stop_position, pause_positions, searched_base = _positions(
        clock, origin, stop, pauses, None if on_axis else base_deadline
    )
    base_position = origin_position + duration.amount if searched_base is None else searched_base
    deadline_position = _deadline_position(origin_position, base_position, pause_positions)
    return Measure(
        origin=origin,
        base_deadline=base_deadline,
        deadline=clock.advance(base_deadline, deadline_position - base_position),
        origin_position=origin_position,
        base_position=base_position,
        deadline_position=deadline_position,
        stop_position=stop_position,
        pauses=pauses,
        pause_positions=pause_positions,
        total=_counted(pause_positions, origin_position, deadline_position),
        consumed=_counted(pause_positions, origin_position, stop_position),
    )


def _with_deadline(
    target: TargetTerms,
    clock: TargetClock,
    origin: datetime,
    milestone: datetime | None,
    incident: IncidentClocks,
) -> TargetState:
    """A target with a fixed time: its deadline moved by the pauses, what it has consumed,
    its status, lateness and warning instant."""
    stop = incident.end_of_clock if milestone is None else milestone
    m = measure(target, clock, origin, stop, incident)
    deadline, total, consumed = m.deadline, m.total, m.consumed
    warn_at = None
    if incident.warn_ratio is not None and milestone is None:
        warn_at = _warn_at(
            clock,
            origin,
            m.origin_position,
            m.deadline_position,
            total,
            incident.warn_ratio,
            incident.warn_remaining_seconds,
        )
    paused = incident.waiting is not None and incident.waiting in target.pauses
    status = _status(milestone, deadline, paused, consumed, total, incident)
    lateness: float | None = None
    if status is TargetStatus.breached:
        # A late milestone: the time that counts past the deadline; none: all the time since.
        lateness = (
            m.stop_position - m.deadline_position
            if milestone is None
            else _counted(m.pause_positions, m.deadline_position, m.stop_position)
        )
    return _state(
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


def _deadline_position(
    origin_position: float, base_position: float, pause_positions: list[tuple[float, float]]
) -> float:
    """The deadline with the pauses, on the axis: the base deadline moved later by the paused
    time between the origin and the deadline. Exact in one pass over the pauses in order: a
    pause that begins before the deadline reached so far lies wholly before the moved one (it
    moves the deadline by its whole length past the origin), and one that begins after it
    does not count. (Iterating "move by the overlap" converges only step by step when the
    deadline falls inside a pause: a pause starting a minute before it took 100 steps to
    move it 100 minutes of a days-long wait.)"""
    deadline_position = base_position
    for start, end in sorted(pause_positions):
        start = max(start, origin_position)
        if end <= start:
            continue
        if start >= deadline_position:
            break
        deadline_position += end - start
    return deadline_position


def _warn_at(
    clock: TargetClock,
    origin: datetime,
    origin_position: float,
    deadline_position: float,
    total: float,
    warn_ratio: float,
    warn_remaining_seconds: float,
) -> datetime:
    """When a warning falls due: the used share reaches `warn_ratio`, or only
    `warn_remaining_seconds` remain, whichever comes first (`total`: the target's time)."""
    # "When 1 h remains" means nothing for a target of 1 h or less: the share alone counts.
    time_left = (1.0 - warn_ratio) * total
    if warn_remaining_seconds < total:
        time_left = max(time_left, warn_remaining_seconds)
    return clock.advance(origin, max(0.0, deadline_position - time_left - origin_position))


def _status(
    milestone: datetime | None,
    deadline: datetime,
    paused: bool,
    consumed: float,
    total: float,
    incident: IncidentClocks,
) -> TargetStatus:
    """A milestone at or before the deadline meets the target; a deadline passed without one
    breaches it, except a closure exactly at the deadline; a closure before makes it moot.
    Still waiting: paused, at risk once it has used `at_risk_ratio` of its time, or running."""
    if milestone is not None:
        return TargetStatus.met if milestone <= deadline else TargetStatus.breached
    if incident.end_of_clock >= deadline:
        if incident.is_closed and incident.end_of_clock == deadline:
            return TargetStatus.not_applicable
        return TargetStatus.breached
    if incident.is_closed:
        return TargetStatus.not_applicable
    if paused:
        return TargetStatus.paused
    if total and consumed / total >= incident.at_risk_ratio:
        return TargetStatus.at_risk
    return TargetStatus.running


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
