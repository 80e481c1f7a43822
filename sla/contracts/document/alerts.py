"""The optional [alerts] table: contacts, escalation to the vendor, thresholds per level."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sla.contracts.document.checker import Checker
from sla.contracts.toml_lines import Path as KeyPath
from sla.engine.alert_rules import ContractAlerts
from sla.engine.terms import SlaTerms

THRESHOLD_KEYS = {"warn_used_ratio", "warn_remaining_minutes", "reminder_hours"}


def _alert_values(check: Checker, table: Mapping[str, Any], path: KeyPath) -> dict[str, Any]:
    values: dict[str, Any] = {}
    ratio = check.number(table, "warn_used_ratio", path)
    if ratio is not None:
        if ratio > 1:
            check.fail((*path, "warn_used_ratio"), "document.share")
        values["warn_used_ratio"] = ratio
    for key in ("warn_remaining_minutes", "reminder_hours"):
        number = check.integer(table, key, path)
        if number is not None:
            values[key] = number
    return values


def contract_alerts(check: Checker, data: Mapping[str, Any], sla: SlaTerms) -> ContractAlerts:
    """The optional [alerts] table: contacts, escalation to the vendor, thresholds."""
    path: KeyPath = ("alerts",)
    table = check.table(data, "alerts", (), required=False)
    if not table:
        return ContractAlerts()
    check.unknown(table, {"contacts", "escalate_to_vendor", "severities", *THRESHOLD_KEYS}, path)
    contacts = check.array(table, "contacts", path)
    if not all(isinstance(contact, str) and "@" in contact for contact in contacts):
        check.fail((*path, "contacts"), "document.expected_emails")
        contacts = []
    severities: dict[str, dict[str, Any]] = {}
    for key, own in check.table(table, "severities", path, required=False).items():
        severity_path: KeyPath = (*path, "severities", key)
        if key not in sla.severity_keys():
            check.fail(
                severity_path,
                "document.unknown_severity",
                severity=repr(key),
                known=list(sla.severity_keys()),
            )
            continue
        if not isinstance(own, Mapping):
            check.fail(severity_path, "document.expected_table")
            continue
        check.unknown(own, THRESHOLD_KEYS, severity_path)
        severities[key] = _alert_values(check, own, severity_path)
    values = _alert_values(check, table, path)
    return ContractAlerts(
        contacts=tuple(contacts),
        escalate_to_vendor=check.boolean(table, "escalate_to_vendor", path, False),
        warn_used_ratio=values.get("warn_used_ratio"),
        warn_remaining_minutes=values.get("warn_remaining_minutes"),
        reminder_hours=values.get("reminder_hours"),
        severities=severities,
    )
