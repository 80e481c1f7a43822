"""The contract document: one TOML file per contract (vendor, calendars, contract, SLA).

`parse_document` validates a mapping and returns every problem at once, each with the path of
the key at fault; `read_contract_file` adds the file's line numbers (`SourcedProblem`, whose
`str` is `file:line: key: message`). Problems are data, a code of `sla.problem_codes` and its
parameters, worded in the reader's language where they are shown.
The format is documented in README.md ("Contracts as data") and shown by the five files of
`examples/contracts/`. Pure: no database, no clock.

Modules, each one job: `types` (what a document holds), `checker` (typed reads collecting
problems), `contract` ([vendor], [calendars], [contract]), `sla_terms` ([sla]), `alerts`
([alerts]), `parse` (the whole document, from a mapping, text or file).
"""

from __future__ import annotations

from sla.contracts.document.parse import parse_document, read_contract_file, read_contract_text
from sla.contracts.document.types import (
    ContractDocument,
    ContractInfo,
    DocumentError,
    Problem,
    SourcedProblem,
    UnitPrice,
)

__all__ = [
    "ContractDocument",
    "ContractInfo",
    "DocumentError",
    "Problem",
    "SourcedProblem",
    "UnitPrice",
    "parse_document",
    "read_contract_file",
    "read_contract_text",
]
