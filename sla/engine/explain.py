"""Why a deadline falls where it does: the reasoning behind each target of an incident.

A vendor that disputes a breach asks how the deadline was computed. For each target this
gives the start instant and why (heure H, or the milestone it follows), the calendar, each
stretch of time counted (from, to, running total), the holidays and closures skipped with
their names, the pauses and how much each moved the deadline, and the result.

It is built from the same measure as the target's state (`targets.measure`): the deadline,
the pauses and the positions are those of the computation, not of a second implementation;
the stretches are the calendar's openings between the start and the deadline, less the
pauses, and they add up to the target's time. Pure: `now` is a parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from calendars.engine import BusinessCalendar
from calendars.engine.closed_days import ClosedDay
from calendars.engine.display import Stretch
from sla.engine.lifecycle import IncidentState
from sla.engine.target_states import DEFAULT_AT_RISK_RATIO, TargetState
from sla.engine.targets import (
    IncidentClocks,
    Measure,
    TargetClock,
    calendars_of,
    compute_targets,
    measure,
    origin_of,
)
from sla.engine.terms import REPORT, Duration, SlaTerms, TargetTerms, WaitingState


@dataclass(frozen=True, slots=True)
class PauseEffect:
    """A wait of the incident and what it did to this target's deadline."""

    start: datetime
    end: datetime  # a wait still open ends at `now`
    waiting: WaitingState
    freezes: bool  # whether this target's terms let this waiting state pause it
    moved_seconds: float  # how much later it put the deadline (0 when it does not freeze it)


@dataclass(frozen=True, slots=True)
class DeadlineExplanation:
    """The reasoning behind one target's deadline."""

    state: TargetState
    terms: TargetTerms
    duration: Duration
    origin: datetime | None  # heure H or the origin milestone; None while that is to come
    origin_target: str | None  # the target whose milestone starts it; None: heure H
    calendar: str
    calendar_name: str
    timezone: str
    business: bool  # counted in business time (else real time)
    base_deadline: datetime | None  # the deadline before the pauses
    deadline: datetime | None
    stretches: tuple[Stretch, ...] = ()
    closed_days: tuple[ClosedDay, ...] = ()  # holidays and closures between start and deadline
    pauses: tuple[PauseEffect, ...] = ()
    moved_seconds: float = 0.0  # all the pauses together

    @property
    def counted_seconds(self) -> float:
        return self.stretches[-1].running_total if self.stretches else 0.0


def explain_targets(
    terms: SlaTerms,
    state: IncidentState,
    now: datetime,
    *,
    at_risk_ratio: float = DEFAULT_AT_RISK_RATIO,
    calendar_for: Callable[[str], BusinessCalendar] | None = None,
) -> list[DeadlineExplanation]:
    """The explanation of each target of the incident's current severity at `now`."""
    severity = terms.severity(state.severity)
    calendar_of = calendar_for or calendars_of(terms).__getitem__
    states = compute_targets(
        terms, state, now, at_risk_ratio=at_risk_ratio, calendar_for=calendar_of
    )
    clocks = IncidentClocks(state, severity.targets, now, at_risk_ratio, None, 0.0)
    return [
        _explain(target, target_state, TargetClock(target, calendar_of(target.calendar)), clocks)
        for target, target_state in zip(severity.targets, states, strict=True)
    ]


def _explain(
    target: TargetTerms, state: TargetState, clock: TargetClock, clocks: IncidentClocks
) -> DeadlineExplanation:
    calendar = clock.calendar
    spec = calendar.spec
    origin = origin_of(target, clocks)
    bare = DeadlineExplanation(
        state=state,
        terms=target,
        duration=target.duration,
        origin=origin,
        origin_target=None if target.origin == REPORT else target.origin,
        calendar=target.calendar,
        calendar_name=spec.name or target.calendar,
        timezone=spec.timezone,
        business=clock.business,
        base_deadline=None,
        deadline=state.deadline,
    )
    if origin is None or state.deadline is None or not target.duration.is_fixed:
        return bare
    stop = state.milestone_at or clocks.end_of_clock
    m = measure(target, clock, origin, max(stop, origin), clocks)
    pauses = _pause_effects(target, clock, m, clocks)
    stretches = calendar.stretches(m.origin, m.deadline, business=clock.business, pauses=m.pauses)
    return DeadlineExplanation(
        state=state,
        terms=target,
        duration=target.duration,
        origin=origin,
        origin_target=bare.origin_target,
        calendar=target.calendar,
        calendar_name=bare.calendar_name,
        timezone=spec.timezone,
        business=clock.business,
        base_deadline=m.base_deadline.astimezone(calendar.zone),
        deadline=m.deadline,
        stretches=tuple(stretches),
        # Calendar time skips no day: only business time says which days it left out.
        closed_days=tuple(calendar.closed_days_between(origin, m.deadline))
        if clock.business
        else (),
        pauses=tuple(pauses),
        moved_seconds=m.deadline_position - m.base_position,
    )


def _pause_effects(
    target: TargetTerms, clock: TargetClock, m: Measure, clocks: IncidentClocks
) -> list[PauseEffect]:
    """Every wait of the incident; those that freeze the target with the time they added
    (their share of the axis between the start and the deadline)."""
    effects: list[PauseEffect] = []
    freezing = iter(m.pause_positions)
    for start, end, waiting in clocks.pause_spans:
        freezes = waiting in target.pauses
        moved = 0.0
        if freezes and end > m.origin:
            low, high = next(freezing)
            moved = max(0.0, min(high, m.deadline_position) - max(low, m.origin_position))
        effects.append(PauseEffect(start, end, waiting, freezes, moved))
    return effects
