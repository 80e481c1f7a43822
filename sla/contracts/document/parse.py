"""Reading a whole contract document: a mapping, TOML text or a file → `ContractDocument`.

`parse_document` runs the table readers in order, checks what spans tables (unit prices
billed on severity levels), and returns every problem with the path of the key at fault;
`read_contract_text` and `read_contract_file` locate each at its line (`SourcedProblem`).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sla.contracts.document.alerts import contract_alerts
from sla.contracts.document.checker import Checker
from sla.contracts.document.contract import calendar_specs, contract_info, vendor_info
from sla.contracts.document.penalty_terms import penalty_terms
from sla.contracts.document.sla_terms import sla_terms
from sla.contracts.document.types import (
    ContractDocument,
    ContractInfo,
    DocumentError,
    Problem,
    SourcedProblem,
)
from sla.contracts.toml_lines import key_lines, line_of
from sla.engine.terms import SlaTerms

FORMAT = 2  # what this release writes
FORMATS = (1, 2)  # what it reads: format 1 keeps its meaning of `pauses`


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _check_price_severities(check: Checker, contract: ContractInfo, sla: SlaTerms) -> None:
    """Each unit price is billed on severity levels that [sla] defines."""
    known = set(sla.severity_keys())
    for index, price in enumerate(contract.unit_prices):
        for level in price.severities:
            if known and level not in known:
                check.fail(
                    ("contract", "unit_prices", index, "severities"),
                    "document.unknown_severity",
                    severity=repr(level),
                    known=sorted(known),
                )


def parse_document(data: Mapping[str, Any]) -> tuple[ContractDocument | None, list[Problem]]:
    """Validate a contract mapping; return the document (None if any problem) and problems."""
    check = Checker()
    check.unknown(
        data, {"format", "vendor", "calendars", "contract", "sla", "alerts", "penalties"}, ()
    )
    version = data.get("format", 1)  # documents written before format 2 said nothing
    if isinstance(version, bool) or not isinstance(version, int) or version not in FORMATS:
        check.fail(("format",), "document.unsupported_format", value=repr(version), format=FORMAT)
    vendor = vendor_info(check, data)
    calendars = calendar_specs(check, data)
    contract = contract_info(check, data, calendars)
    sla = sla_terms(check, data, calendars, contract.calendar, legacy=version == 1)
    _check_price_severities(check, contract, sla)
    sla = dataclasses.replace(sla, penalties=penalty_terms(check, data, sla, contract))
    alerts = contract_alerts(check, data, sla)
    if check.problems:
        return None, check.problems
    return (
        ContractDocument(
            vendor=vendor, contract=contract, sla=sla, alerts=alerts, data=_json_safe(data)
        ),
        [],
    )


def read_contract_text(text: str, source: str) -> ContractDocument:
    """Parse TOML text; raise DocumentError with each problem located at its line in `source`
    (`str` of each: `source:line: key: message`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        line = int(match.group(1)) if match else 1
        raise DocumentError(
            [SourcedProblem(source, line, "", "document.invalid_toml", {"detail": str(error)})]
        ) from None
    document, problems = parse_document(data)
    if document is None:
        lines = key_lines(text)
        raise DocumentError(
            [
                SourcedProblem(
                    source,
                    line_of(lines, problem.path),
                    problem.where(),
                    problem.code,
                    problem.params,
                )
                for problem in problems
            ]
        )
    return document


def read_contract_file(path: Path) -> ContractDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError(
            [SourcedProblem(str(path), 1, "", "document.unreadable", {"detail": str(error)})]
        ) from None
    return read_contract_text(text, str(path))
