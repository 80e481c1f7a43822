"""The contract form's preview: when each target of each level would fall due for an incident
reported at a chosen instant, computed by the engine from the form's document.

The document is read by the same validator as an import; the parts the preview does not need
(the contract's reference, title and dates, its unit prices, its alerts) are filled in or
left out so that a form still being typed shows its deadlines as soon as its SLA reads.
Pure: no database, no request; the instant is given.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from calendars.engine import BusinessCalendar, compiled
from sla.contracts.document import Problem, parse_document
from sla.engine.lifecycle import IncidentState
from sla.engine.target_states import TargetStatus
from sla.engine.targets import compute_targets
from sla.engine.terms import REPORT, SlaTerms
from sla.reach import year_in_reach

LOCAL_INSTANT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})")
FALLBACK_ZONE = "Europe/Paris"
# What the preview fills in when the form does not say yet (it is never saved).
PLACEHOLDER = "preview"


@dataclass(frozen=True)
class TargetPreview:
    key: str
    label: str
    deadline: datetime | None  # None: no fixed time, or waiting for its origin
    zone: str  # the time zone of the target's calendar
    waits_for: str  # the label of the target it is measured from, while that has not happened
    no_fixed_time: bool
    failed: bool = False  # the engine could not compute it (a delay beyond any calendar)


@dataclass(frozen=True)
class LevelPreview:
    key: str
    label: str
    targets: tuple[TargetPreview, ...]


@dataclass(frozen=True)
class Preview:
    reported_at: datetime
    zone: str  # the contract's calendar's time zone: the chosen instant is read in it
    levels: tuple[LevelPreview, ...]
    problems: tuple[Problem, ...]  # what keeps the SLA from being read (then no levels)


def _previewable(document: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The document with what the preview does not need filled in or left out."""
    data = copy.deepcopy(dict(document))
    data.pop("alerts", None)
    data.pop("penalties", None)  # checked on saving, with the amounts they are a share of
    contract = data.get("contract")
    contract = dict(contract) if isinstance(contract, Mapping) else {}
    contract.pop("unit_prices", None)
    for key in ("initial_months", "max_renewals", "notice_months", "notice_days", "end"):
        contract.pop(key, None)
    contract.pop("yearly_amount_ht", None)
    contract["reference"] = contract.get("reference") or PLACEHOLDER
    contract["title"] = contract.get("title") or PLACEHOLDER
    sla = data.get("sla")
    sla = dict(sla) if isinstance(sla, Mapping) else {}
    sla.setdefault("effective_from", today.isoformat())
    contract["start"] = sla["effective_from"]
    data["contract"] = contract
    data["sla"] = sla
    return data


def contract_zone(document: Mapping[str, Any]) -> str:
    """The time zone of the contract's calendar, as the document says (else Paris)."""
    calendars = document.get("calendars")
    contract = document.get("contract")
    if isinstance(calendars, Mapping) and isinstance(contract, Mapping):
        definition = calendars.get(contract.get("calendar"))
        if isinstance(definition, Mapping):
            zone = definition.get("timezone")
            if isinstance(zone, str) and zone:
                try:
                    ZoneInfo(zone)
                except (ZoneInfoNotFoundError, ValueError):
                    return FALLBACK_ZONE
                return zone
    return FALLBACK_ZONE


def reported_at(text: str, zone: str, now: datetime) -> datetime:
    """The instant chosen (`YYYY-MM-DDTHH:MM`, local time in `zone`), or `now`."""
    match = LOCAL_INSTANT.fullmatch(text.strip())
    if match is None:
        return now
    year, month, day, hour, minute = (int(part) for part in match.groups())
    if not year_in_reach(year):
        return now
    try:
        return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))
    except ValueError:
        return now


def _level(terms: SlaTerms, key: str, label: str, instant: datetime) -> LevelPreview:
    severity = terms.severity(key)

    def calendar_for(calendar_key: str) -> BusinessCalendar:
        return compiled(terms.calendars[calendar_key])

    labels = {target.key: target.label for target in severity.targets}
    zones = {target.key: terms.calendars[target.calendar].timezone for target in severity.targets}
    state = IncidentState(reported_at=instant, severity=key, initial_severity=key)
    try:
        states = compute_targets(terms, state, now=instant, calendar_for=calendar_for)
    except (ArithmeticError, ValueError):
        failed = tuple(
            TargetPreview(t.key, t.label, None, zones[t.key], "", False, failed=True)
            for t in severity.targets
        )
        return LevelPreview(key, label, failed)
    targets = []
    for target, found in zip(severity.targets, states, strict=True):
        pending = found.status is TargetStatus.pending and target.origin != REPORT
        targets.append(
            TargetPreview(
                key=target.key,
                label=target.label,
                deadline=found.deadline,
                zone=zones[target.key],
                waits_for=labels.get(target.origin, target.origin) if pending else "",
                no_fixed_time=not target.duration.is_fixed,
            )
        )
    return LevelPreview(key, label, tuple(targets))


def preview(document: Mapping[str, Any], chosen: str, now: datetime) -> Preview:
    """The deadlines of each target of each level for an incident reported at the instant
    `chosen` (local time of the contract's calendar; empty: `now`)."""
    zone = contract_zone(document)
    instant = reported_at(chosen, zone, now)
    parsed, problems = parse_document(_previewable(document, instant.date()))
    if parsed is None:
        return Preview(instant, zone, (), tuple(problems))
    terms = parsed.sla
    levels = tuple(
        _level(terms, severity.key, severity.label, instant) for severity in terms.severities
    )
    return Preview(instant, zone, levels, ())
