"""An incident's events replayed into its state: severity, pauses, milestones, exclusions.

Events are append-only evidence: a mistaken event is cancelled by a later `cancellation`
event, never deleted. `replay` applies the effective events in the order they happened
(`occurred_at`, then recording order) and refuses impossible sequences with a LifecycleError
that says why as data: a code of `sla.error_codes` and its parameters (the refused event's
kind and id, instants as aware datetimes), worded where it is read. Pure: no database, no
clock (`now` is a parameter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from operator import attrgetter

from sla.error_codes import word


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
    corrected = "corrected"  # a detail of the record (title, vendor ticket…): evidence only


PAUSES = {EventKind.waiting_customer, EventKind.waiting_third_party}
MILESTONES = {
    EventKind.acknowledged,
    EventKind.intervention_started,
    EventKind.workaround,
    EventKind.resolved,
}


_NAMING_TERMS = {EventKind.requalified, EventKind.exclusion_invoked}  # a severity, a clause


class LifecycleError(ValueError):
    """An event that cannot happen at that point of the incident's life.

    `code` names the rule (a key of `sla.error_codes.MESSAGES`); `params` hold the refused
    event's `kind` (its value) and `event_id`, and what the rule names (instants as aware
    datetimes, keys, the contract's lists). The services raise it again as a DomainError.
    """

    def __init__(self, code: str, event: Event | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        about = {} if event is None else {"kind": event.kind.value, "event_id": event.id}
        self.params: dict[str, object] = {**about, **params}

    def __str__(self) -> str:
        """In English, instants in UTC: for logs and tracebacks (people read the service's
        DomainError in their language and zone)."""
        return word(self.code, self.params)


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
                raise LifecycleError("cancellation.unknown_event", event, cancels=event.cancels)
            if cancelled.kind is EventKind.cancellation:
                raise LifecycleError("cancellation.of_cancellation", event, cancels=event.cancels)


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
    if at < state.reported_at:
        raise LifecycleError("event.before_heure_h", event, at=at, reported_at=state.reported_at)
    if at > now:
        raise LifecycleError("event.future", event, at=at)
    if state.is_closed and event.kind not in (
        EventKind.reopened,
        EventKind.comment,
        EventKind.corrected,
    ):
        raise LifecycleError("event.incident_closed", event)
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
                "event.unknown_severity", event, severity=new, known=list(severities)
            )
    elif event.kind is EventKind.exclusion_invoked and exclusions is not None:
        clause = event.exclusion or ""
        if not exclusions:
            raise LifecycleError("event.no_clause", event, clause=clause)
        if clause not in exclusions:
            raise LifecycleError(
                "event.unknown_clause", event, clause=clause, known=list(exclusions)
            )


def _acknowledge(state: IncidentState, event: Event) -> None:
    if state.acknowledged_at is not None:
        raise LifecycleError("event.already_acknowledged", event)
    state.acknowledged_at = event.occurred_at


def _start_intervention(state: IncidentState, event: Event) -> None:
    if state.intervention_at is not None:
        raise LifecycleError("event.already_started", event)
    state.intervention_at = event.occurred_at


def _wait(state: IncidentState, event: Event) -> None:
    """A pause: the vendor waits on the customer or on a third party."""
    if state.is_paused:
        raise LifecycleError("event.already_waiting", event)
    if state.resolved_at is not None:
        raise LifecycleError("event.resolved", event)
    state.pauses.append(Pause(event.occurred_at, None, event.kind))


def _resume(state: IncidentState, event: Event) -> None:
    if not state.is_paused:
        raise LifecycleError("event.not_waiting", event)
    _end_pause(state, event.occurred_at)


def _restore(state: IncidentState, event: Event) -> None:
    """A workaround: the service is restored, the incident not resolved yet."""
    if state.resolved_at is not None:
        raise LifecycleError("event.resolved", event)
    if state.restored_at is not None:
        raise LifecycleError("event.already_restored", event)
    at = event.occurred_at
    _end_pause(state, at)
    state.restored_at = at
    state.first_restored_at = state.first_restored_at or at


def _resolve(state: IncidentState, event: Event) -> None:
    if state.resolved_at is not None:
        raise LifecycleError("event.already_resolved", event)
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
        raise LifecycleError("event.not_reopenable", event)
    state.resolved_at = state.restored_at = state.closed_at = None
    state.reopened_at = event.occurred_at


def _requalify(state: IncidentState, event: Event) -> None:
    new = event.severity or ""
    if new == state.severity:
        raise LifecycleError("event.same_severity", event, severity=new)
    if not event.text.strip():
        raise LifecycleError("event.no_reason", event)
    state.requalifications.append(
        Requalification(event.occurred_at, state.severity, new, event.text)
    )
    state.severity = new


def _invoke_exclusion(state: IncidentState, event: Event) -> None:
    if not event.text.strip():
        raise LifecycleError("event.no_justification", event)
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
    EventKind.corrected: _no_change,
}
