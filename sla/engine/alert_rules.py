"""Alert thresholds: global defaults ([alerts] in config.toml), a contract's own ([alerts] in its
document), per severity. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sla.engine.terms import SlaTerms


@dataclass(frozen=True)
class ContractAlerts:
    """The `[alerts]` table of a contract document (all optional)."""

    contacts: tuple[str, ...] = ()
    escalate_to_vendor: bool = False
    warn_used_ratio: float | None = None
    warn_remaining_minutes: int | None = None
    reminder_hours: int | None = None
    severities: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    warn_ratio: float  # warn once this share of a target's time is used
    warn_remaining_seconds: float  # ...or when this much of its time remains
    reminder_seconds: float  # remind while breached (0: never)


def thresholds(
    defaults: Mapping[str, Any], contract: ContractAlerts, terms: SlaTerms, severity: str
) -> Thresholds:
    """The thresholds for one incident: the severity's own, else the contract's, else the
    defaults — where the most severe level of a contract warns earlier (warn_used_ratio_top)."""
    own = contract.severities.get(severity, {})
    keys = terms.severity_keys()
    top = bool(keys) and keys[0] == severity
    ratio = own.get("warn_used_ratio", contract.warn_used_ratio)
    if ratio is None:
        ratio = defaults["warn_used_ratio_top"] if top else defaults["warn_used_ratio"]
    remaining = own.get("warn_remaining_minutes", contract.warn_remaining_minutes)
    if remaining is None:
        remaining = defaults["warn_remaining_minutes"]
    reminder = own.get("reminder_hours", contract.reminder_hours)
    if reminder is None:
        reminder = defaults["reminder_hours"]
    return Thresholds(float(ratio), float(remaining) * 60, float(reminder) * 3600)
