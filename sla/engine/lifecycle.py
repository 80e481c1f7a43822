"""An incident's events replayed into its state: severity, pauses, milestones, exclusions.

Events are append-only evidence: a mistaken event is cancelled by a later `cancellation`
event, never deleted. `replay` applies the effective events in the order they happened
(`occurred_at`, then recording order) and refuses impossible sequences with a message that
says why. Pure: no database, no clock (`now` is a parameter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from operator import attrgetter


class EventKind(StrEnum):
    acknowledged = "acknowledged"  # prise en charge
    intervention_started = "intervention_started"
    waiting_customer = "waiting_customer"  # pause: the vendor waits on us
    waiting_third_party = "waiting_third_party"  # pause: the vendor waits on a third party
    resumed = "resumed"
    workaround = "workaround"  # service restored (contournement)
    resolved = "resolved"
    closed = "closed"  # closed by the customer
    reopened = "reopened"
    requalified = "requalified"  # severity changed (with a reason); heure H stays
    exclusion_invoked = "exclusion_invoked"  # a contract exclusion clause, with why
    comment = "comment"
    cancellation = "cancellation"  # cancels an earlier event (a correction)


PAUSES = {EventKind.waiting_customer, EventKind.waiting_third_party}
MILESTONES = {
    EventKind.acknowledged,
    EventKind.intervention_started,
    EventKind.workaround,
    EventKind.resolved,
}


_NAMING_TERMS = {EventKind.requalified, EventKind.exclusion_invoked}  # a severity, a clause


class LifecycleError(ValueError):
    """An event that cannot happen at that point of the incident's life."""


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    kind: EventKind
    occurred_at: datetime
    severity: str | None = None  # requalified: the new severity
    exclusion: str | None = None  # exclusion_invoked: the clause key
    target: str | None = None  # exclusion_invoked: one target, or None for all
    cancels: int | None = None  # cancellation: the event cancelled
    text: str = ""


@dataclass(frozen=True, slots=True)
class Pause:
    start: datetime
    end: datetime | None  # None: still waiting
    kind: EventKind


@dataclass(frozen=True, slots=True)
class Requalification:
    at: datetime
    before: str
    after: str
    reason: str


@dataclass(frozen=True, slots=True)
class Exclusion:
    at: datetime
    clause: str
    target: str | None
    reason: str


@dataclass
class IncidentState:
    """What the events say, at the end of the replay."""

    reported_at: datetime
    severity: str
    initial_severity: str
    acknowledged_at: datetime | None = None
    intervention_at: datetime | None = None
    restored_at: datetime | None = None  # in the current episode (reset by a reopen)
    resolved_at: datetime | None = None  # idem
    closed_at: datetime | None = None
    reopened_at: datetime | None = None
    # The first restoration ever, kept through reopenings: it proves take-charge and action.
    first_restored_at: datetime | None = None
    pauses: list[Pause] = field(default_factory=list)
    requalifications: list[Requalification] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def status(self) -> str:
        if self.closed_at is not None:
            return "closed"
        if self.resolved_at is not None:
            return "resolved"
        if self.is_paused:
            return "paused"
        return "open"


_IN_ORDER = attrgetter("occurred_at", "id")  # when it happened, then recording order


def effective_events(events: Iterable[Event]) -> list[Event]:
    """Events not cancelled, without the cancellations, in the order they happened."""
    listed = list(events)
    cancelled = {e.cancels for e in listed if e.kind is EventKind.cancellation}
    kept = [e for e in listed if e.kind is not EventKind.cancellation and e.id not in cancelled]
    return sorted(kept, key=_IN_ORDER)


def _end_pause(state: IncidentState, at: datetime) -> None:
    if state.is_paused:
        last = state.pauses[-1]
        state.pauses[-1] = Pause(last.start, at, last.kind)


def replay(
    *,
    reported_at: datetime,
    severity: str,
    events: Sequence[Event],
    now: datetime,
    severities: Sequence[str] | None = None,
    exclusions: Sequence[str] | None = None,
) -> IncidentState:
    """Apply the effective events in order; raise LifecycleError for an impossible one.

    `severities` and `exclusions`, when given, are the keys the contract version defines.
    """
    _check_cancellations(events)
    state = IncidentState(reported_at=reported_at, severity=severity, initial_severity=severity)
    for event in effective_events(events):
        _check_possible(state, event, now, severities, exclusions)
        _APPLY[event.kind](state, event)
    return state


def _check_cancellations(events: Sequence[Event]) -> None:
    """Refuse a cancellation of an event that does not exist, or of another cancellation."""
    by_id: dict[int, Event] | None = None  # built for the first cancellation: most have none
    for event in events:
        if event.kind is EventKind.cancellation:
            if by_id is None:
                by_id = {recorded.id: recorded for recorded in events}
            cancelled = by_id.get(event.cancels or -1)
            if cancelled is None:
                raise LifecycleError(f"there is no event {event.cancels} to cancel")
            if cancelled.kind is EventKind.cancellation:
                raise LifecycleError(
                    "a cancellation cannot itself be cancelled: record the event again"
                )


def _check_possible(
    state: IncidentState,
    event: Event,
    now: datetime,
    severities: Sequence[str] | None,
    exclusions: Sequence[str] | None,
) -> None:
    """Refuse an event before heure H, in the future, on a closed incident (only reopening it
    or a comment can follow a closure), or naming what the contract version does not define."""
    at = event.occurred_at
    label = event.kind.value
    if at < state.reported_at:
        raise LifecycleError(
            f"{label}: {at.isoformat()} is before heure H ({state.reported_at.isoformat()})"
        )
    if at > now:
        raise LifecycleError(f"{label}: {at.isoformat()} is in the future")
    if state.is_closed and event.kind not in (EventKind.reopened, EventKind.comment):
        raise LifecycleError(f"{label}: the incident is closed (reopen it first)")
    if event.kind in _NAMING_TERMS:
        _check_known(event, severities, exclusions)


def _check_known(
    event: Event, severities: Sequence[str] | None, exclusions: Sequence[str] | None
) -> None:
    """Refuse a severity or an exclusion clause that the contract version does not define."""
    if event.kind is EventKind.requalified and severities is not None:
        new = event.severity or ""
        if new not in severities:
            raise LifecycleError(
                f"requalified: unknown severity {new!r} (known: {', '.join(severities)})"
            )
    elif event.kind is EventKind.exclusion_invoked and exclusions is not None:
        clause = event.exclusion or ""
        if clause not in exclusions:
            known = ", ".join(exclusions) or "none in this contract"
            raise LifecycleError(f"exclusion_invoked: unknown clause {clause!r} (known: {known})")


def _acknowledge(state: IncidentState, event: Event) -> None:
    if state.acknowledged_at is not None:
        raise LifecycleError("acknowledged: the incident is already acknowledged")
    state.acknowledged_at = event.occurred_at


def _start_intervention(state: IncidentState, event: Event) -> None:
    if state.intervention_at is not None:
        raise LifecycleError("intervention_started: the intervention has already started")
    state.intervention_at = event.occurred_at


def _wait(state: IncidentState, event: Event) -> None:
    """A pause: the vendor waits on the customer or on a third party."""
    label = event.kind.value
    if state.is_paused:
        raise LifecycleError(f"{label}: the incident is already waiting (resume it first)")
    if state.resolved_at is not None:
        raise LifecycleError(f"{label}: the incident is resolved")
    state.pauses.append(Pause(event.occurred_at, None, event.kind))


def _resume(state: IncidentState, event: Event) -> None:
    if not state.is_paused:
        raise LifecycleError("resumed: the incident is not waiting")
    _end_pause(state, event.occurred_at)


def _restore(state: IncidentState, event: Event) -> None:
    """A workaround: the service is restored, the incident not resolved yet."""
    if state.resolved_at is not None:
        raise LifecycleError("workaround: the incident is resolved")
    if state.restored_at is not None:
        raise LifecycleError("workaround: the service is already restored")
    at = event.occurred_at
    _end_pause(state, at)
    state.restored_at = at
    state.first_restored_at = state.first_restored_at or at


def _resolve(state: IncidentState, event: Event) -> None:
    if state.resolved_at is not None:
        raise LifecycleError("resolved: the incident is already resolved")
    at = event.occurred_at
    _end_pause(state, at)
    state.resolved_at = at
    if state.restored_at is None:
        state.restored_at = at  # a fix restores the service too
    state.first_restored_at = state.first_restored_at or at


def _close(state: IncidentState, event: Event) -> None:
    _end_pause(state, event.occurred_at)
    state.closed_at = event.occurred_at


def _reopen(state: IncidentState, event: Event) -> None:
    if state.resolved_at is None and state.closed_at is None:
        raise LifecycleError("reopened: the incident is neither resolved nor closed")
    state.resolved_at = state.restored_at = state.closed_at = None
    state.reopened_at = event.occurred_at


def _requalify(state: IncidentState, event: Event) -> None:
    new = event.severity or ""
    if new == state.severity:
        raise LifecycleError(f"requalified: the severity is already {new!r}")
    if not event.text.strip():
        raise LifecycleError("requalified: give the reason")
    state.requalifications.append(
        Requalification(event.occurred_at, state.severity, new, event.text)
    )
    state.severity = new


def _invoke_exclusion(state: IncidentState, event: Event) -> None:
    if not event.text.strip():
        raise LifecycleError("exclusion_invoked: say why the clause applies")
    clause = event.exclusion or ""
    state.exclusions.append(Exclusion(event.occurred_at, clause, event.target, event.text))


def _no_change(state: IncidentState, event: Event) -> None:
    """A comment: evidence only, the state does not change."""


# Applying one effective event to the state, by kind (cancellations are gone by then).
_APPLY: dict[EventKind, Callable[[IncidentState, Event], None]] = {
    EventKind.acknowledged: _acknowledge,
    EventKind.intervention_started: _start_intervention,
    **dict.fromkeys(PAUSES, _wait),
    EventKind.resumed: _resume,
    EventKind.workaround: _restore,
    EventKind.resolved: _resolve,
    EventKind.closed: _close,
    EventKind.reopened: _reopen,
    EventKind.requalified: _requalify,
    EventKind.exclusion_invoked: _invoke_exclusion,
    EventKind.comment: _no_change,
}
