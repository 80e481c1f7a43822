"""The contract document: one TOML file per contract (vendor, calendars, contract, SLA).

`parse_document` validates a mapping and returns every problem at once, each with the path of
the key at fault; `read_contract_file` adds the file's line numbers (`file:line: message`).
The format is documented in README.md ("Contracts as data") and shown by the five files of
`examples/contracts/`. Pure: no database, no clock.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from calendars.spec import CalendarError, CalendarSpec, parse_calendar
from sla.contracts.toml_lines import Path as KeyPath
from sla.contracts.toml_lines import key_lines, line_of
from sla.engine.alert_rules import ContractAlerts
from sla.engine.terms import (
    REPORT,
    AvailabilityTerms,
    Duration,
    DurationUnit,
    ExclusionTerms,
    SeverityTerms,
    SlaTerms,
    TargetKind,
    TargetTerms,
)

FORMAT = 1
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
RENEWALS = ("tacit", "express", "none")
DURATION_KEYS = {
    "business_hours": (DurationUnit.business_seconds, 3600),
    "business_minutes": (DurationUnit.business_seconds, 60),
    "business_days": (DurationUnit.business_days, 1),
    "calendar_hours": (DurationUnit.calendar_seconds, 3600),
    "calendar_days": (DurationUnit.calendar_seconds, 86400),
}
# Unless a target says otherwise, waiting on the customer pauses restoration and resolution
# clocks (Libriciel §5.2.4.1: "le temps de résolution est gelé"), not the take-charge.
PAUSING_KINDS = {TargetKind.restoration, TargetKind.resolution, TargetKind.other}


@dataclass(frozen=True)
class Problem:
    path: KeyPath
    message: str

    def where(self) -> str:
        return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in self.path).replace(
            ".[", "["
        )


class DocumentError(Exception):
    """A contract document has problems; each is `file:line: message` when from a file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class VendorInfo:
    name: str
    siret: str = ""
    support_email: str = ""
    support_phone: str = ""
    portal_url: str = ""
    notes: str = ""


@dataclass(frozen=True)
class UnitPrice:
    label: str
    unit: str
    amount_ht: Decimal
    minutes: int | None = None  # for time-based units (Aukfood: a ticket is 15 minutes)
    severities: tuple[str, ...] = ()  # the levels it is billed on (empty: all)


@dataclass(frozen=True)
class ContractInfo:
    reference: str
    title: str
    services: tuple[str, ...]
    start: date
    initial_months: int
    renewal: str
    max_renewals: int | None
    notice_months: int
    notice_days: int
    end: date | None
    yearly_amount_ht: Decimal | None
    calendar: str
    unit_prices: tuple[UnitPrice, ...]
    notes: str = ""


@dataclass(frozen=True)
class ContractDocument:
    vendor: VendorInfo
    contract: ContractInfo
    sla: SlaTerms
    alerts: ContractAlerts
    data: dict[str, Any]  # the normalized mapping (JSON-safe), stored with each version


class _Checker:
    """Collects problems while reading a mapping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(path, message))

    def table(
        self, data: Mapping[str, Any], key: str, path: KeyPath, *, required: bool = True
    ) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), f"missing table [{'.'.join(str(p) for p in (*path, key))}]")
            return {}
        if not isinstance(value, Mapping):
            self.fail((*path, key), "expected a table")
            return {}
        return value

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: KeyPath,
        *,
        required: bool = False,
        default: str = "",
    ) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), f"missing key {key}")
            return default
        if not isinstance(value, str):
            self.fail((*path, key), f"expected a string, got {value!r}")
            return default
        if required and not value.strip():
            self.fail((*path, key), f"{key} cannot be empty")
        return value.strip()

    def slug(self, data: Mapping[str, Any], key: str, path: KeyPath) -> str:
        value = self.text(data, key, path, required=True)
        if value and not KEY_RE.match(value):
            self.fail((*path, key), f"{value!r}: use lowercase letters, digits, '-' or '_'")
        return value

    def integer(
        self,
        data: Mapping[str, Any],
        key: str,
        path: KeyPath,
        *,
        default: int | None = None,
        low: int = 0,
    ) -> int | None:
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail((*path, key), f"expected a whole number, got {value!r}")
            return default
        if value < low:
            self.fail((*path, key), f"must be at least {low}")
            return default
        return value

    def number(self, data: Mapping[str, Any], key: str, path: KeyPath) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail((*path, key), f"expected a number, got {value!r}")
            return None
        if value < 0:
            self.fail((*path, key), "cannot be negative")
            return None
        return float(value)

    def money(self, data: Mapping[str, Any], key: str, path: KeyPath) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            amount = Decimal(str(value).replace(" ", "").replace(",", "."))
        except InvalidOperation:
            self.fail((*path, key), f"expected an amount such as 1350.00, got {value!r}")
            return None
        if isinstance(value, bool) or amount < 0 or not amount.is_finite():
            self.fail((*path, key), f"expected a positive amount, got {value!r}")
            return None
        return amount.quantize(Decimal("0.01"))

    def day(
        self, data: Mapping[str, Any], key: str, path: KeyPath, *, required: bool = False
    ) -> date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), f"missing key {key} (a date YYYY-MM-DD)")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail((*path, key), f"expected a date YYYY-MM-DD, got {value!r}")
        return None

    def boolean(self, data: Mapping[str, Any], key: str, path: KeyPath, default: bool) -> bool:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail((*path, key), f"expected true or false, got {value!r}")
            return default
        return value

    def array(self, data: Mapping[str, Any], key: str, path: KeyPath) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail((*path, key), "expected an array")
            return []
        return value

    def unknown(self, data: Mapping[str, Any], allowed: set[str], path: KeyPath) -> None:
        for key in data:
            if key not in allowed:
                self.fail((*path, key), f"unknown key {key} (known: {', '.join(sorted(allowed))})")


def _siret_ok(number: str) -> bool:
    digits = [int(c) for c in number]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def _vendor(c: _Checker, data: Mapping[str, Any]) -> VendorInfo:
    path: KeyPath = ("vendor",)
    table = c.table(data, "vendor", ())
    c.unknown(
        table, {"name", "siret", "support_email", "support_phone", "portal_url", "notes"}, path
    )
    siret = c.text(table, "siret", path).replace(" ", "")
    if siret and (not siret.isdigit() or len(siret) not in (9, 14) or not _siret_ok(siret)):
        c.fail((*path, "siret"), f"{siret!r} is not a valid SIRET (14 digits) or SIREN (9 digits)")
    email = c.text(table, "support_email", path)
    if email and "@" not in email:
        c.fail((*path, "support_email"), f"{email!r} is not an email address")
    return VendorInfo(
        name=c.text(table, "name", path, required=True),
        siret=siret,
        support_email=email,
        support_phone=c.text(table, "support_phone", path),
        portal_url=c.text(table, "portal_url", path),
        notes=c.text(table, "notes", path),
    )


def _calendars(c: _Checker, data: Mapping[str, Any]) -> dict[str, CalendarSpec]:
    result: dict[str, CalendarSpec] = {}
    for key, table in c.table(data, "calendars", ()).items():
        path: KeyPath = ("calendars", key)
        if not KEY_RE.match(key):
            c.fail(path, f"calendar key {key!r}: use lowercase letters, digits, '-' or '_'")
        if not isinstance(table, Mapping):
            c.fail(path, "expected a table")
            continue
        try:
            result[key] = parse_calendar(table, name=str(table.get("name", key)))
        except CalendarError as error:
            sub = tuple(part for part in (error.key or "").split(".") if part)
            c.fail((*path, *sub), error.reason)
    if not result and not c.problems:
        c.fail(("calendars",), "at least one calendar is needed ([calendars.support] …)")
    return result


def _contract(
    c: _Checker, data: Mapping[str, Any], calendars: Mapping[str, CalendarSpec]
) -> ContractInfo:
    path: KeyPath = ("contract",)
    table = c.table(data, "contract", ())
    c.unknown(
        table,
        {
            "reference",
            "title",
            "services",
            "start",
            "initial_months",
            "renewal",
            "max_renewals",
            "notice_months",
            "notice_days",
            "end",
            "yearly_amount_ht",
            "calendar",
            "unit_prices",
            "notes",
        },
        path,
    )
    services = c.array(table, "services", path)
    if not all(isinstance(s, str) and s.strip() for s in services):
        c.fail((*path, "services"), "expected a list of service names")
        services = []
    renewal = c.text(table, "renewal", path, default="none") or "none"
    if renewal not in RENEWALS:
        c.fail((*path, "renewal"), f"must be one of {', '.join(RENEWALS)}; got {renewal!r}")
    calendar = c.text(table, "calendar", path, required=True)
    if calendar and calendars and calendar not in calendars:
        c.fail(
            (*path, "calendar"),
            f"unknown calendar {calendar!r} (defined: {', '.join(sorted(calendars))})",
        )
    start = c.day(table, "start", path, required=True)
    end = c.day(table, "end", path)
    if start and end and end < start:
        c.fail((*path, "end"), "ends before it starts")
    prices: list[UnitPrice] = []
    for index, item in enumerate(c.array(table, "unit_prices", path)):
        item_path: KeyPath = (*path, "unit_prices", index)
        if not isinstance(item, Mapping):
            c.fail(item_path, "expected a table")
            continue
        c.unknown(item, {"label", "unit", "amount_ht", "minutes", "severities"}, item_path)
        levels = c.array(item, "severities", item_path)
        if not all(isinstance(level, str) for level in levels):
            c.fail((*item_path, "severities"), "expected a list of severity keys")
            levels = []
        amount = c.money(item, "amount_ht", item_path)
        if amount is None:
            c.fail((*item_path, "amount_ht"), "missing amount_ht")
        prices.append(
            UnitPrice(
                label=c.text(item, "label", item_path, required=True),
                unit=c.text(item, "unit", item_path, default="unité"),
                amount_ht=amount or Decimal(0),
                minutes=c.integer(item, "minutes", item_path, low=1),
                severities=tuple(levels),
            )
        )
    return ContractInfo(
        reference=c.text(table, "reference", path, required=True),
        title=c.text(table, "title", path, required=True),
        services=tuple(s.strip() for s in services),
        start=start or date.min,
        initial_months=c.integer(table, "initial_months", path, default=12, low=1) or 12,
        renewal=renewal,
        max_renewals=c.integer(table, "max_renewals", path),
        notice_months=c.integer(table, "notice_months", path, default=0) or 0,
        notice_days=c.integer(table, "notice_days", path, default=0) or 0,
        end=end,
        yearly_amount_ht=c.money(table, "yearly_amount_ht", path),
        calendar=calendar,
        unit_prices=tuple(prices),
        notes=c.text(table, "notes", path),
    )


def _target(
    c: _Checker,
    item: Mapping[str, Any],
    path: KeyPath,
    calendars: Mapping[str, CalendarSpec],
    default_calendar: str,
) -> TargetTerms | None:
    c.unknown(
        item,
        {
            "key",
            "kind",
            "label",
            "from",
            "calendar",
            "pauses",
            "article",
            "end_of_day",
            "no_fixed_time",
            *DURATION_KEYS,
        },
        path,
    )
    key = c.slug(item, "key", path)
    kind_text = c.text(item, "kind", path, required=True)
    try:
        kind = TargetKind(kind_text)
    except ValueError:
        c.fail(
            (*path, "kind"),
            f"must be one of {', '.join(k.value for k in TargetKind)}; got {kind_text!r}",
        )
        return None
    given = [name for name in DURATION_KEYS if name in item]
    no_fixed = c.boolean(item, "no_fixed_time", path, False)
    if len(given) + no_fixed != 1:
        c.fail(path, f"give exactly one of {', '.join(DURATION_KEYS)} or no_fixed_time = true")
        return None
    if no_fixed:
        duration = Duration(DurationUnit.none)
    else:
        name = given[0]
        unit, factor = DURATION_KEYS[name]
        amount = c.number(item, name, path)
        if amount is None:
            return None
        if amount == 0:
            c.fail((*path, name), "must be more than 0")
        if unit is DurationUnit.business_days and amount != int(amount):
            c.fail((*path, name), "business_days must be a whole number")
        duration = Duration(
            unit, amount * factor, end_of_day=c.boolean(item, "end_of_day", path, False)
        )
    if "end_of_day" in item and duration.unit is not DurationUnit.business_days:
        c.fail((*path, "end_of_day"), "end_of_day goes with business_days")
    calendar = c.text(item, "calendar", path) or default_calendar
    if calendar and calendars and calendar not in calendars:
        c.fail(
            (*path, "calendar"),
            f"unknown calendar {calendar!r} (defined: {', '.join(sorted(calendars))})",
        )
    return TargetTerms(
        key=key,
        kind=kind,
        label=c.text(item, "label", path, required=True),
        duration=duration,
        origin=c.text(item, "from", path, default=REPORT) or REPORT,
        calendar=calendar,
        pauses=c.boolean(item, "pauses", path, kind in PAUSING_KINDS),
        article=c.text(item, "article", path),
    )


def _sla(
    c: _Checker, data: Mapping[str, Any], calendars: dict[str, CalendarSpec], default_calendar: str
) -> SlaTerms:
    path: KeyPath = ("sla",)
    table = c.table(data, "sla", ())
    c.unknown(table, {"effective_from", "severities", "availability", "exclusions"}, path)
    severities: list[SeverityTerms] = []
    seen: set[str] = set()
    raw_severities = c.array(table, "severities", path)
    if not raw_severities and table:
        c.fail((*path, "severities"), "at least one severity level ([[sla.severities]])")
    for index, raw in enumerate(raw_severities):
        sev_path: KeyPath = (*path, "severities", index)
        if not isinstance(raw, Mapping):
            c.fail(sev_path, "expected a table")
            continue
        c.unknown(raw, {"key", "label", "definition", "targets"}, sev_path)
        key = c.slug(raw, "key", sev_path)
        if key in seen:
            c.fail((*sev_path, "key"), f"severity {key!r} is defined twice")
        seen.add(key)
        targets: list[TargetTerms] = []
        for t_index, item in enumerate(c.array(raw, "targets", sev_path)):
            t_path: KeyPath = (*sev_path, "targets", t_index)
            if not isinstance(item, Mapping):
                c.fail(t_path, "expected a table")
                continue
            target = _target(c, item, t_path, calendars, default_calendar)
            if target is not None:
                targets.append(target)
        keys = [t.key for t in targets]
        for t_index, target in enumerate(targets):
            if keys.count(target.key) > 1:
                c.fail(
                    (*sev_path, "targets", t_index, "key"),
                    f"target {target.key!r} is defined twice in {key!r}",
                )
            if target.origin != REPORT:
                if target.origin not in keys:
                    c.fail(
                        (*sev_path, "targets", t_index, "from"),
                        f"'from' must be 'report' or a target of {key!r} "
                        f"({', '.join(keys)}); got {target.origin!r}",
                    )
                elif target.origin == target.key or _cycle(targets, target):
                    c.fail(
                        (*sev_path, "targets", t_index, "from"),
                        "targets measured from each other form a loop",
                    )
        severities.append(
            SeverityTerms(
                key=key,
                label=c.text(raw, "label", sev_path, required=True),
                definition=c.text(raw, "definition", sev_path),
                targets=tuple(targets),
            )
        )
    availability = None
    raw_availability = c.table(table, "availability", path, required=False)
    if raw_availability:
        a_path: KeyPath = (*path, "availability")
        c.unknown(raw_availability, {"target_percent", "calendar", "period", "article"}, a_path)
        percent = c.number(raw_availability, "target_percent", a_path)
        if percent is None or not 0 < percent <= 100:
            c.fail((*a_path, "target_percent"), "a percentage between 0 and 100 is needed")
        calendar = c.text(raw_availability, "calendar", a_path) or default_calendar
        if calendars and calendar not in calendars:
            c.fail((*a_path, "calendar"), f"unknown calendar {calendar!r}")
        period = c.text(raw_availability, "period", a_path, default="month") or "month"
        if period not in ("month", "quarter", "year"):
            c.fail((*a_path, "period"), "must be month, quarter or year")
        availability = AvailabilityTerms(
            percent or 0, calendar, period, c.text(raw_availability, "article", a_path)
        )
    exclusions: list[ExclusionTerms] = []
    for index, raw in enumerate(c.array(table, "exclusions", path)):
        e_path: KeyPath = (*path, "exclusions", index)
        if not isinstance(raw, Mapping):
            c.fail(e_path, "expected a table")
            continue
        c.unknown(raw, {"key", "text", "article"}, e_path)
        exclusions.append(
            ExclusionTerms(
                c.slug(raw, "key", e_path),
                c.text(raw, "text", e_path, required=True),
                c.text(raw, "article", e_path),
            )
        )
    return SlaTerms(
        effective_from=c.day(table, "effective_from", path, required=bool(table)) or date.min,
        severities=tuple(severities),
        calendars=calendars,
        availability=availability,
        exclusions=tuple(exclusions),
    )


def _cycle(targets: list[TargetTerms], start: TargetTerms) -> bool:
    by_key = {t.key: t for t in targets}
    seen = {start.key}
    current = by_key.get(start.origin)
    while current is not None and current.origin != REPORT:
        if current.origin in seen:
            return True
        seen.add(current.key)
        current = by_key.get(current.origin)
    return False


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def parse_document(data: Mapping[str, Any]) -> tuple[ContractDocument | None, list[Problem]]:
    """Validate a contract mapping; return the document (None if any problem) and problems."""
    c = _Checker()
    c.unknown(data, {"format", "vendor", "calendars", "contract", "sla", "alerts"}, ())
    version = data.get("format", FORMAT)
    if version != FORMAT:
        c.fail(
            ("format",), f"unsupported format {version!r} (this version reads format = {FORMAT})"
        )
    vendor = _vendor(c, data)
    calendars = _calendars(c, data)
    contract = _contract(c, data, calendars)
    sla = _sla(c, data, calendars, contract.calendar)
    known = set(sla.severity_keys())
    for index, price in enumerate(contract.unit_prices):
        for level in price.severities:
            if known and level not in known:
                c.fail(
                    ("contract", "unit_prices", index, "severities"),
                    f"unknown severity {level!r} (defined: {', '.join(sorted(known))})",
                )
    alerts = _alerts(c, data, sla)
    if c.problems:
        return None, c.problems
    return (
        ContractDocument(
            vendor=vendor, contract=contract, sla=sla, alerts=alerts, data=_json_safe(data)
        ),
        [],
    )


def _alert_values(c: _Checker, table: Mapping[str, Any], path: KeyPath) -> dict[str, Any]:
    values: dict[str, Any] = {}
    ratio = c.number(table, "warn_used_ratio", path)
    if ratio is not None:
        if ratio > 1:
            c.fail((*path, "warn_used_ratio"), "a share between 0 and 1")
        values["warn_used_ratio"] = ratio
    for key in ("warn_remaining_minutes", "reminder_hours"):
        number = c.integer(table, key, path)
        if number is not None:
            values[key] = number
    return values


def _alerts(c: _Checker, data: Mapping[str, Any], sla: SlaTerms) -> ContractAlerts:
    """The optional [alerts] table: contacts, escalation to the vendor, thresholds."""
    path: KeyPath = ("alerts",)
    table = c.table(data, "alerts", (), required=False)
    if not table:
        return ContractAlerts()
    c.unknown(
        table,
        {
            "contacts",
            "escalate_to_vendor",
            "warn_used_ratio",
            "warn_remaining_minutes",
            "reminder_hours",
            "severities",
        },
        path,
    )
    contacts = c.array(table, "contacts", path)
    if not all(isinstance(x, str) and "@" in x for x in contacts):
        c.fail((*path, "contacts"), "expected a list of email addresses")
        contacts = []
    severities: dict[str, dict[str, Any]] = {}
    for key, own in c.table(table, "severities", path, required=False).items():
        s_path: KeyPath = (*path, "severities", key)
        if key not in sla.severity_keys():
            c.fail(s_path, f"unknown severity {key!r} (known: {', '.join(sla.severity_keys())})")
            continue
        if not isinstance(own, Mapping):
            c.fail(s_path, "expected a table")
            continue
        c.unknown(own, {"warn_used_ratio", "warn_remaining_minutes", "reminder_hours"}, s_path)
        severities[key] = _alert_values(c, own, s_path)
    values = _alert_values(c, table, path)
    return ContractAlerts(
        contacts=tuple(contacts),
        escalate_to_vendor=c.boolean(table, "escalate_to_vendor", path, False),
        warn_used_ratio=values.get("warn_used_ratio"),
        warn_remaining_minutes=values.get("warn_remaining_minutes"),
        reminder_hours=values.get("reminder_hours"),
        severities=severities,
    )


def read_contract_text(text: str, source: str) -> ContractDocument:
    """Parse TOML text; raise DocumentError listing `source:line: message` for each problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        line = match.group(1) if match else "1"
        raise DocumentError([f"{source}:{line}: not valid TOML: {error}"]) from None
    document, problems = parse_document(data)
    if document is None:
        lines = key_lines(text)
        raise DocumentError(
            [f"{source}:{line_of(lines, p.path)}: {p.where()}: {p.message}" for p in problems]
        )
    return document


def read_contract_file(path: Path) -> ContractDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError([f"{path}:1: cannot be read: {error}"]) from None
    return read_contract_text(text, str(path))
