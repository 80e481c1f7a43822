"""What a contract promises, as plain immutable data: the SLA engine's input.

Built from a contract document by `sla.contracts.document`; nothing here reads a file, the
database or the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from calendars.spec import CalendarSpec
from sla.engine.penalty_terms import PenaltyTerms


class TargetKind(StrEnum):
    """What a target waits for. Each kind is met by the first of its milestone events."""

    take_charge = "take_charge"  # prise en charge / prise en compte
    first_response = "first_response"  # première réponse: met by the vendor's first answer
    intervention = "intervention"  # GTI: work started / first answer
    restoration = "restoration"  # GTR: service restored, by a fix or a workaround
    resolution = "resolution"  # correctif, definitive fix
    other = "other"  # a free label, met by the resolution


class DurationUnit(StrEnum):
    business_seconds = "business_seconds"
    business_days = "business_days"
    calendar_seconds = "calendar_seconds"  # real elapsed time, DST included
    calendar_days = "calendar_days"  # civil days: the same local wall time N days later
    months = "months"  # calendar months: the same day N months later, or that month's last
    none = "none"  # "in the next release": tracked, never breached


CIVIL_UNITS = frozenset({DurationUnit.calendar_days, DurationUnit.months})
# The units whose deadline may fall at the end of its last day instead of the start's time.
END_OF_DAY_UNITS = frozenset({DurationUnit.business_days, *CIVIL_UNITS})


class WaitingState(StrEnum):
    """Who the vendor waits on: each target says which of them pause its clock."""

    customer = "customer"
    third_party = "third_party"


DEFAULT_PAUSES = frozenset({WaitingState.customer})


@dataclass(frozen=True, slots=True)
class Duration:
    unit: DurationUnit
    amount: float = 0
    end_of_day: bool = False

    @property
    def is_fixed(self) -> bool:
        return self.unit is not DurationUnit.none

    @property
    def is_business(self) -> bool:
        return self.unit in (DurationUnit.business_seconds, DurationUnit.business_days)


REPORT = "report"  # a target measured from heure H


@dataclass(frozen=True, slots=True)
class TargetTerms:
    key: str
    kind: TargetKind
    label: str
    duration: Duration
    origin: str = REPORT  # "report" or the key of another target of the same severity
    calendar: str = ""  # a calendar key of the contract
    pauses: frozenset[WaitingState] = DEFAULT_PAUSES  # the waiting states that freeze it
    article: str = ""
    pauses_article: str = ""  # the clause that says whether waiting freezes it


@dataclass(frozen=True, slots=True)
class SeverityTerms:
    key: str
    label: str
    definition: str
    targets: tuple[TargetTerms, ...]


@dataclass(frozen=True, slots=True)
class AvailabilityTerms:
    target_percent: float
    calendar: str
    period: str = "month"
    article: str = ""


@dataclass(frozen=True, slots=True)
class ExclusionTerms:
    key: str
    text: str
    article: str = ""
    targets: tuple[str, ...] = ()  # the target keys the clause covers; none named: every one


@dataclass(frozen=True, slots=True)
class SlaTerms:
    """One version of a contract's SLA, with the calendars its targets count in."""

    effective_from: date
    severities: tuple[SeverityTerms, ...]
    calendars: dict[str, CalendarSpec] = field(default_factory=dict)
    availability: AvailabilityTerms | None = None
    exclusions: tuple[ExclusionTerms, ...] = ()
    penalties: PenaltyTerms | None = None  # the contract's penalty clauses, if it has any

    def severity(self, key: str) -> SeverityTerms:
        for severity in self.severities:
            if severity.key == key:
                return severity
        raise KeyError(key)

    def severity_keys(self) -> list[str]:
        return [s.key for s in self.severities]

    def exclusion(self, key: str) -> ExclusionTerms | None:
        return next((e for e in self.exclusions if e.key == key), None)
