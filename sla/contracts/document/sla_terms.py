"""The [sla] table: severity levels and their targets, availability, exclusions → `SlaTerms`.

A target gives one duration (business time, calendar hours, civil days, months) or
`no_fixed_time`, the calendar it counts in, where its clock starts (the report or another
target of the same level) and the waiting states that pause it. An exclusion names the targets
it covers.

Format 1 documents keep their meaning: `pauses` is a boolean (true: both waiting states), and
a target that does not say pauses on waiting when it is a restoration, a resolution or other.
In format 2, a target that does not say is paused by waiting on the customer only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from calendars.engine import compiled
from calendars.spec import CalendarError, CalendarSpec
from sla.contracts.document.checker import MAX_COUNT, Checker
from sla.contracts.toml_lines import Path as KeyPath
from sla.engine.targets import TargetClock
from sla.engine.terms import (
    DEFAULT_PAUSES,
    END_OF_DAY_UNITS,
    REPORT,
    AvailabilityTerms,
    Duration,
    DurationUnit,
    ExclusionTerms,
    SeverityTerms,
    SlaTerms,
    TargetKind,
    TargetTerms,
    WaitingState,
)

DURATION_KEYS = {
    "business_hours": (DurationUnit.business_seconds, 3600),
    "business_minutes": (DurationUnit.business_seconds, 60),
    "business_days": (DurationUnit.business_days, 1),
    "calendar_hours": (DurationUnit.calendar_seconds, 3600),
    "calendar_days": (DurationUnit.calendar_days, 1),
    "months": (DurationUnit.months, 1),
}
LEGACY_CALENDAR_DAYS = (DurationUnit.calendar_seconds, 86_400)  # format 1: real 24 h days
# The largest amount of each duration key, about a century; a delay that a calendar with few
# opening hours cannot reach within the engine's horizon is refused too (`_check_reachable`).
DURATION_LIMITS = {
    "months": 1200,
    "calendar_days": 36_500,
    "calendar_hours": 876_000,
    "business_days": 25_000,
    "business_hours": 100_000,
}
WHOLE_UNITS = {DurationUnit.business_days, DurationUnit.calendar_days, DurationUnit.months}
TARGET_KEYS = {
    "key",
    "kind",
    "label",
    "from",
    "calendar",
    "pauses",
    "pauses_article",
    "article",
    "end_of_day",
    "no_fixed_time",
    *DURATION_KEYS,
}
PERIODS = ("month", "quarter", "year")  # what an availability is measured over
# Format 1 only: unless a target said otherwise, waiting paused restoration and resolution
# clocks, not the take-charge.
LEGACY_PAUSING_KINDS = {TargetKind.restoration, TargetKind.resolution, TargetKind.other}
ALL_WAITING = frozenset(WaitingState)


def sla_terms(
    check: Checker,
    data: Mapping[str, Any],
    calendars: dict[str, CalendarSpec],
    default_calendar: str,
    *,
    legacy: bool = False,
) -> SlaTerms:
    """The [sla] table; `legacy` reads it with format 1's meaning of `pauses`."""
    path: KeyPath = ("sla",)
    table = check.table(data, "sla", ())
    check.unknown(table, {"effective_from", "severities", "availability", "exclusions"}, path)
    effective_from = check.day(table, "effective_from", path, required=bool(table)) or date.min
    severities = _severities(check, table, path, calendars, default_calendar, legacy)
    _check_reachable(check, severities, calendars, effective_from)
    availability = _availability(check, table, path, calendars, default_calendar)
    exclusions = _exclusions(check, table, path, severities)
    return SlaTerms(
        effective_from=effective_from,
        severities=tuple(severities),
        calendars=calendars,
        availability=availability,
        exclusions=tuple(exclusions),
    )


def _severities(
    check: Checker,
    table: Mapping[str, Any],
    path: KeyPath,
    calendars: Mapping[str, CalendarSpec],
    default_calendar: str,
    legacy: bool,
) -> list[SeverityTerms]:
    severities: list[SeverityTerms] = []
    seen: set[str] = set()
    raw_severities = check.array(table, "severities", path)
    if not raw_severities and table:
        check.fail((*path, "severities"), "document.no_severity")
    for index, raw in enumerate(raw_severities):
        severity_path: KeyPath = (*path, "severities", index)
        if not isinstance(raw, Mapping):
            check.fail(severity_path, "document.expected_table")
            continue
        check.unknown(raw, {"key", "label", "definition", "targets"}, severity_path)
        key = check.slug(raw, "key", severity_path)
        if key in seen:
            check.fail((*severity_path, "key"), "document.duplicate_severity", severity=repr(key))
        seen.add(key)
        targets = _targets(check, raw, severity_path, calendars, default_calendar, legacy)
        _check_target_links(check, targets, severity_path, key)
        severities.append(
            SeverityTerms(
                key=key,
                label=check.text(raw, "label", severity_path, required=True),
                definition=check.text(raw, "definition", severity_path, multiline=True),
                targets=tuple(targets),
            )
        )
    return severities


def _targets(
    check: Checker,
    severity: Mapping[str, Any],
    severity_path: KeyPath,
    calendars: Mapping[str, CalendarSpec],
    default_calendar: str,
    legacy: bool,
) -> list[TargetTerms]:
    targets: list[TargetTerms] = []
    for index, item in enumerate(check.array(severity, "targets", severity_path)):
        target_path: KeyPath = (*severity_path, "targets", index)
        if not isinstance(item, Mapping):
            check.fail(target_path, "document.expected_table")
            continue
        target = _target(check, item, target_path, calendars, default_calendar, legacy)
        if target is not None:
            targets.append(target)
    return targets


def _check_target_links(
    check: Checker, targets: list[TargetTerms], severity_path: KeyPath, severity_key: str
) -> None:
    """Within one level: target keys are unique, and `from` names another target, no loop."""
    keys = [target.key for target in targets]
    for index, target in enumerate(targets):
        target_path: KeyPath = (*severity_path, "targets", index)
        if keys.count(target.key) > 1:
            check.fail(
                (*target_path, "key"),
                "document.duplicate_target",
                target=repr(target.key),
                severity=repr(severity_key),
            )
        if target.origin != REPORT:
            if target.origin not in keys:
                check.fail(
                    (*target_path, "from"),
                    "document.bad_origin",
                    severity=repr(severity_key),
                    known=keys,
                    value=repr(target.origin),
                )
            elif target.origin == target.key or _origin_loops(targets, target):
                check.fail((*target_path, "from"), "document.origin_loop")


def _origin_loops(targets: list[TargetTerms], start: TargetTerms) -> bool:
    by_key = {target.key: target for target in targets}
    seen = {start.key}
    current = by_key.get(start.origin)
    while current is not None and current.origin != REPORT:
        if current.origin in seen:
            return True
        seen.add(current.key)
        current = by_key.get(current.origin)
    return False


def _target(
    check: Checker,
    item: Mapping[str, Any],
    path: KeyPath,
    calendars: Mapping[str, CalendarSpec],
    default_calendar: str,
    legacy: bool,
) -> TargetTerms | None:
    check.unknown(item, TARGET_KEYS, path)
    key = check.slug(item, "key", path)
    kind_text = check.text(item, "kind", path, required=True)
    try:
        kind = TargetKind(kind_text)
    except ValueError:
        check.fail(
            (*path, "kind"),
            "document.not_one_of",
            choices=[known.value for known in TargetKind],
            value=repr(kind_text),
        )
        return None
    duration = _duration(check, item, path, legacy)
    if duration is None:
        return None
    if "end_of_day" in item and duration.unit not in END_OF_DAY_UNITS:
        check.fail((*path, "end_of_day"), "document.end_of_day")
    calendar = check.text(item, "calendar", path) or default_calendar
    if calendar and calendars and calendar not in calendars:
        check.fail(
            (*path, "calendar"),
            "document.unknown_calendar",
            calendar=repr(calendar),
            known=sorted(calendars),
        )
    return TargetTerms(
        key=key,
        kind=kind,
        label=check.text(item, "label", path, required=True),
        duration=duration,
        origin=check.text(item, "from", path, default=REPORT) or REPORT,
        calendar=calendar,
        pauses=_pauses(check, item, path, kind, legacy),
        article=check.text(item, "article", path),
        pauses_article=check.text(item, "pauses_article", path),
    )


def _duration(
    check: Checker, item: Mapping[str, Any], path: KeyPath, legacy: bool
) -> Duration | None:
    """The target's one duration key or `no_fixed_time`; None when it cannot be read. In
    format 1, `calendar_days` kept its old meaning: 24 real hours each."""
    given = [name for name in DURATION_KEYS if name in item]
    no_fixed = check.boolean(item, "no_fixed_time", path, False)
    if len(given) + no_fixed != 1:
        check.fail(path, "document.one_duration", keys=list(DURATION_KEYS))
        return None
    if no_fixed:
        return Duration(DurationUnit.none)
    name = given[0]
    unit, factor = (
        LEGACY_CALENDAR_DAYS if legacy and name == "calendar_days" else DURATION_KEYS[name]
    )
    amount = check.number(item, name, path, high=DURATION_LIMITS.get(name, MAX_COUNT))
    if amount is None:
        return None
    if amount == 0:
        check.fail((*path, name), "document.zero_duration")
    if unit in WHOLE_UNITS and amount != int(amount):
        check.fail((*path, name), "document.fractional_days", key=name)
    return Duration(
        unit, amount * factor, end_of_day=check.boolean(item, "end_of_day", path, False)
    )


def _pauses(
    check: Checker, item: Mapping[str, Any], path: KeyPath, kind: TargetKind, legacy: bool
) -> frozenset[WaitingState]:
    """The waiting states that pause a target: a list of them, or a boolean (true: both)."""
    value = item.get("pauses")
    if value is None:
        if legacy:
            return ALL_WAITING if kind in LEGACY_PAUSING_KINDS else frozenset()
        return DEFAULT_PAUSES
    if isinstance(value, bool):
        return ALL_WAITING if value else frozenset()
    choices = [state.value for state in WaitingState]
    if not isinstance(value, list):
        check.fail((*path, "pauses"), "document.not_one_of", choices=choices, value=repr(value))
        return DEFAULT_PAUSES
    states: set[WaitingState] = set()
    for entry in value:
        if entry not in choices:
            check.fail((*path, "pauses"), "document.not_one_of", choices=choices, value=repr(entry))
            continue
        states.add(WaitingState(entry))
    return frozenset(states)


def _check_reachable(
    check: Checker,
    severities: list[SeverityTerms],
    calendars: Mapping[str, CalendarSpec],
    effective_from: date,
) -> None:
    """Each fixed delay can be counted in its calendar: from noon on the day the version takes
    effect, its deadline falls within the engine's horizon (a calendar open one hour a week
    would take centuries to count 100,000 business hours)."""
    if effective_from == date.min:
        return
    for severity_index, severity in enumerate(severities):
        for target_index, target in enumerate(severity.targets):
            spec = calendars.get(target.calendar)
            if spec is None or not target.duration.is_fixed:
                continue
            start = datetime.combine(effective_from, time(12), spec.zone)
            try:
                TargetClock(target, compiled(spec)).base_deadline(start)
            except (CalendarError, OverflowError, ValueError):
                check.fail(
                    ("sla", "severities", severity_index, "targets", target_index),
                    "document.unreachable_delay",
                    calendar=repr(target.calendar),
                )


def _availability(
    check: Checker,
    table: Mapping[str, Any],
    path: KeyPath,
    calendars: Mapping[str, CalendarSpec],
    default_calendar: str,
) -> AvailabilityTerms | None:
    raw_availability = check.table(table, "availability", path, required=False)
    if not raw_availability:
        return None
    availability_path: KeyPath = (*path, "availability")
    check.unknown(
        raw_availability, {"target_percent", "calendar", "period", "article"}, availability_path
    )
    percent = check.number(raw_availability, "target_percent", availability_path)
    if percent is None or not 0 < percent <= 100:
        check.fail((*availability_path, "target_percent"), "document.percentage")
    calendar = check.text(raw_availability, "calendar", availability_path) or default_calendar
    if calendars and calendar not in calendars:
        check.fail(
            (*availability_path, "calendar"),
            "document.unknown_calendar",
            calendar=repr(calendar),
            known=sorted(calendars),
        )
    period = check.text(raw_availability, "period", availability_path, default="month") or "month"
    if period not in PERIODS:
        check.fail(
            (*availability_path, "period"),
            "document.not_one_of",
            choices=list(PERIODS),
            value=repr(period),
        )
    return AvailabilityTerms(
        percent or 0, calendar, period, check.text(raw_availability, "article", availability_path)
    )


def _exclusions(
    check: Checker, table: Mapping[str, Any], path: KeyPath, severities: list[SeverityTerms]
) -> list[ExclusionTerms]:
    """The exclusion clauses, each with the target keys it covers (none named: every one)."""
    known = sorted({target.key for severity in severities for target in severity.targets})
    exclusions: list[ExclusionTerms] = []
    for index, raw in enumerate(check.array(table, "exclusions", path)):
        exclusion_path: KeyPath = (*path, "exclusions", index)
        if not isinstance(raw, Mapping):
            check.fail(exclusion_path, "document.expected_table")
            continue
        check.unknown(raw, {"key", "text", "article", "targets"}, exclusion_path)
        covered = check.array(raw, "targets", exclusion_path)
        for target in covered:
            if target not in known:
                check.fail(
                    (*exclusion_path, "targets"),
                    "document.unknown_target",
                    target=repr(target),
                    known=known,
                )
        exclusions.append(
            ExclusionTerms(
                check.slug(raw, "key", exclusion_path),
                check.text(raw, "text", exclusion_path, required=True, multiline=True),
                check.text(raw, "article", exclusion_path),
                tuple(str(target) for target in covered),
            )
        )
    return exclusions
