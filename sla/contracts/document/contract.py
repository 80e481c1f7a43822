"""The [vendor], [calendars] and [contract] tables: who the vendor is, the calendars the
contract counts in, and the contract's dates, renewal, amounts and unit prices."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from calendars.spec import CalendarError, CalendarSpec, parse_calendar
from sla.contracts.document.checker import KEY_RE, Checker
from sla.contracts.document.types import ContractInfo, UnitPrice, VendorInfo
from sla.contracts.siret import normalized_siret, siret_problem
from sla.contracts.toml_lines import Path as KeyPath
from sla.safe_text import control_characters

RENEWALS = ("none", "express", "tacit")
# A contract's periods and renewals: generous bounds (a public contract runs a few years) that
# keep its last day, start + months × (1 + renewals), a date.
MAX_MONTHS = 240
MAX_RENEWALS = 50
# The keys of [contract], in the order a document writes them.
CONTRACT_KEYS = (
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
)


def vendor_info(check: Checker, data: Mapping[str, Any]) -> VendorInfo:
    path: KeyPath = ("vendor",)
    table = check.table(data, "vendor", ())
    check.unknown(
        table, {"name", "siret", "support_email", "support_phone", "portal_url", "notes"}, path
    )
    siret = normalized_siret(check.text(table, "siret", path))
    if siret and siret_problem(siret, siren_allowed=True):
        check.fail((*path, "siret"), "document.bad_siret", value=repr(siret))
    email = check.text(table, "support_email", path)
    if email and "@" not in email:
        check.fail((*path, "support_email"), "document.bad_email", value=repr(email))
    portal = check.text(table, "portal_url", path)
    if portal and urlsplit(portal).scheme.lower() not in ("http", "https"):
        # The URL becomes a link on the vendor's page: `javascript:` would run there.
        check.fail((*path, "portal_url"), "document.bad_url", value=repr(portal))
        portal = ""
    return VendorInfo(
        name=check.text(table, "name", path, required=True),
        siret=siret,
        support_email=email,
        support_phone=check.text(table, "support_phone", path),
        portal_url=portal,
        notes=check.text(table, "notes", path, multiline=True),
    )


def calendar_specs(check: Checker, data: Mapping[str, Any]) -> dict[str, CalendarSpec]:
    result: dict[str, CalendarSpec] = {}
    for key, table in check.table(data, "calendars", ()).items():
        path: KeyPath = ("calendars", key)
        if not KEY_RE.match(key):
            check.fail(path, "document.bad_calendar_key", value=repr(key))
        if not isinstance(table, Mapping):
            check.fail(path, "document.expected_table")
            continue
        try:
            result[key] = parse_calendar(table, name=str(table.get("name", key)))
        except CalendarError as error:
            sub = tuple(part for part in (error.key or "").split(".") if part)
            check.fail((*path, *sub), error.code, **error.params)
    if not result and not check.problems:
        check.fail(("calendars",), "document.no_calendar")
    return result


def contract_info(
    check: Checker, data: Mapping[str, Any], calendars: Mapping[str, CalendarSpec]
) -> ContractInfo:
    path: KeyPath = ("contract",)
    table = check.table(data, "contract", ())
    check.unknown(table, set(CONTRACT_KEYS), path)
    services = check.array(table, "services", path)
    if not all(
        isinstance(service, str) and service.strip() and not control_characters(service)
        for service in services
    ):
        check.fail((*path, "services"), "document.expected_services")
        services = []
    renewal = check.text(table, "renewal", path, default="none") or "none"
    if renewal not in RENEWALS:
        check.fail(
            (*path, "renewal"), "document.not_one_of", choices=list(RENEWALS), value=repr(renewal)
        )
    calendar = check.text(table, "calendar", path, required=True)
    if calendar and calendars and calendar not in calendars:
        check.fail(
            (*path, "calendar"),
            "document.unknown_calendar",
            calendar=repr(calendar),
            known=sorted(calendars),
        )
    start = check.day(table, "start", path, required=True)
    end = check.day(table, "end", path)
    if start and end and end < start:
        check.fail((*path, "end"), "document.ends_before_start")
    prices = _unit_prices(check, table, path)
    return ContractInfo(
        reference=check.text(table, "reference", path, required=True),
        title=check.text(table, "title", path, required=True),
        services=tuple(service.strip() for service in services),
        start=start or date.min,
        initial_months=check.integer(
            table, "initial_months", path, default=12, low=1, high=MAX_MONTHS
        )
        or 12,
        renewal=renewal,
        max_renewals=check.integer(table, "max_renewals", path, high=MAX_RENEWALS),
        notice_months=check.integer(table, "notice_months", path, default=0, high=MAX_MONTHS) or 0,
        notice_days=check.integer(table, "notice_days", path, default=0) or 0,
        end=end,
        yearly_amount_ht=check.money(table, "yearly_amount_ht", path),
        calendar=calendar,
        unit_prices=tuple(prices),
        notes=check.text(table, "notes", path, multiline=True),
    )


def _unit_prices(check: Checker, table: Mapping[str, Any], path: KeyPath) -> list[UnitPrice]:
    """The [[contract.unit_prices]]; their severities are checked against [sla] by `parse`."""
    prices: list[UnitPrice] = []
    for index, item in enumerate(check.array(table, "unit_prices", path)):
        item_path: KeyPath = (*path, "unit_prices", index)
        if not isinstance(item, Mapping):
            check.fail(item_path, "document.expected_table")
            continue
        check.unknown(item, {"label", "unit", "amount_ht", "minutes", "severities"}, item_path)
        levels = check.array(item, "severities", item_path)
        if not all(isinstance(level, str) for level in levels):
            check.fail((*item_path, "severities"), "document.expected_severity_keys")
            levels = []
        amount = check.money(item, "amount_ht", item_path)
        if amount is None:
            check.fail((*item_path, "amount_ht"), "document.missing_key", key="amount_ht")
        prices.append(
            UnitPrice(
                label=check.text(item, "label", item_path, required=True),
                unit=check.text(item, "unit", item_path, default="unité"),
                amount_ht=amount or Decimal(0),
                minutes=check.integer(item, "minutes", item_path, low=1),
                severities=tuple(levels),
            )
        )
    return prices
