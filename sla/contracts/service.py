"""Contract services: import documents (all or nothing), versions in force, export, queries.

Services flush, never commit: the CLI command or the request commits once.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import tomli_w
from sqlmodel import Session, col, select

from calendars.models import VendorCalendar
from sla.audit.record import SYSTEM, Actor, record
from sla.contracts.document import (
    ContractDocument,
    ContractInfo,
    DocumentError,
    SourcedProblem,
    parse_document,
    read_contract_file,
)
from sla.contracts.models import Contract, ContractVersion, Vendor
from sla.contracts.periods import Periods, periods
from sla.db import id_of
from sla.engine.alert_rules import ContractAlerts
from sla.engine.terms import SlaTerms
from sla.errors import DomainError, NotFound, reader_words

EFFECTIVE_FROM = "sla.effective_from"  # the key an amendment's date problems name


@dataclass(frozen=True)
class ImportOutcome:
    reference: str
    action: str  # "created", "amended" (new version), "unchanged"
    version: int


def contract_files(path: Path) -> list[Path]:
    """The .toml files of a folder (sorted), or the file itself."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix == ".toml" and p.is_file())
    return [path]


def read_documents(paths: Sequence[Path]) -> list[tuple[str, ContractDocument]]:
    """Read and validate every file; raise DocumentError with every problem of every file."""
    problems: list[SourcedProblem] = []
    documents: list[tuple[str, ContractDocument]] = []
    for path in paths:
        try:
            documents.append((str(path), read_contract_file(path)))
        except DocumentError as error:
            problems.extend(error.problems)
    seen: dict[str, str] = {}
    for source, document in documents:
        reference = document.contract.reference
        if reference in seen:
            problems.append(
                SourcedProblem(
                    source,
                    1,
                    "",
                    "import.duplicate_reference",
                    {"reference": repr(reference), "other": seen[reference]},
                )
            )
        seen[reference] = source
    if not paths:
        problems.append(SourcedProblem("", 0, "", "import.no_file"))
    if problems:
        raise DocumentError(problems)
    return documents


def _latest_version(session: Session, contract_id: int) -> ContractVersion | None:
    return session.exec(
        select(ContractVersion)
        .where(ContractVersion.contract_id == contract_id)
        .order_by(col(ContractVersion.number).desc())
    ).first()


def _upsert_vendor(session: Session, document: ContractDocument, now: datetime) -> Vendor:
    """The document's vendor, created with its calendars when new. A vendor already known
    keeps what its form says: a document only fills what is empty, and adds the calendars the
    vendor does not have yet (each contract version keeps its own copy of those it counts in:
    an import never overwrites what an administrator entered)."""
    info = document.vendor
    vendor = session.exec(select(Vendor).where(Vendor.name == info.name)).first()
    if vendor is None:
        vendor = Vendor(name=info.name, created_at=now)
    vendor.siret = vendor.siret or info.siret
    vendor.support_email = vendor.support_email or info.support_email
    vendor.support_phone = vendor.support_phone or info.support_phone
    vendor.portal_url = vendor.portal_url or info.portal_url
    vendor.notes = vendor.notes or info.notes
    session.add(vendor)
    session.flush()
    vendor_id = id_of(vendor)
    known = set(
        session.exec(select(VendorCalendar.key).where(VendorCalendar.vendor_id == vendor_id))
    )
    for key, definition in document.data.get("calendars", {}).items():
        if key in known:
            continue
        session.add(
            VendorCalendar(
                vendor_id=vendor_id,
                key=key,
                name=str(definition.get("name", key)),
                definition=dict(definition),
            )
        )
    return vendor


def _final_end(document: ContractDocument) -> date | None:
    """The last day the contract can run, renewals included (None: open-ended)."""
    info = document.contract
    return periods(
        start=info.start,
        initial_months=info.initial_months,
        renewal=info.renewal,
        max_renewals=info.max_renewals,
        notice_months=info.notice_months,
        notice_days=info.notice_days,
        end=info.end,
        today=info.start,
    ).final_end


def _terms_of_data(data: Mapping[str, Any]) -> tuple[object, object]:
    """What a version promises and what missing it costs: an amendment of either takes
    effect from a new date (it must not apply to the past)."""
    return data.get("sla"), data.get("penalties")


def _date_refused(
    source: str, document: ContractDocument, previous: ContractVersion | None
) -> SourcedProblem | None:
    """Why the document's effective date cannot be: an amendment takes effect after the
    version before it, and while the contract runs. Dates as the document writes them."""
    effective = document.sla.effective_from
    if (
        previous is not None
        and effective <= previous.effective_from
        and _terms_of_data(previous.document) != _terms_of_data(document.data)
    ):
        return SourcedProblem(
            source,
            1,
            EFFECTIVE_FROM,
            "import.not_after_previous",
            {
                "effective": effective.isoformat(),
                "previous": previous.effective_from.isoformat(),
                "version": previous.number,
            },
        )
    final_end = _final_end(document)
    if final_end is not None and effective > final_end:
        return SourcedProblem(
            source,
            1,
            EFFECTIVE_FROM,
            "import.after_final_end",
            {"effective": effective.isoformat(), "final_end": final_end.isoformat()},
        )
    return None


def _copy_terms(contract: Contract, info: ContractInfo, now: datetime) -> None:
    """The contract row takes the document's dates, money and wording."""
    contract.title = info.title
    contract.services = list(info.services)
    contract.start_date = info.start
    contract.end_date = info.end
    contract.initial_months = info.initial_months
    contract.renewal = info.renewal
    contract.max_renewals = info.max_renewals
    contract.notice_months = info.notice_months
    contract.notice_days = info.notice_days
    contract.yearly_amount_ht = info.yearly_amount_ht
    contract.calendar_key = info.calendar
    contract.notes = info.notes
    contract.updated_at = now


def import_documents(
    session: Session,
    documents: Sequence[tuple[str, ContractDocument]],
    *,
    now: datetime,
    actor: Actor = SYSTEM,
) -> list[ImportOutcome]:
    """Write validated documents. A contract already known gets a new version when its
    document changed; the new version must take effect after the last one (otherwise the
    whole import is refused, nothing written: the caller rolls back on DocumentError).

    Each version written goes to the audit trail under `actor`, and so does a change of who
    receives the contract's alerts (its contacts, the escalation to the vendor)."""
    outcomes: list[ImportOutcome] = []
    problems: list[SourcedProblem] = []
    for source, document in documents:
        info = document.contract
        vendor = _upsert_vendor(session, document, now)
        contract = session.exec(
            select(Contract).where(Contract.reference == info.reference)
        ).first()
        if contract is not None and contract.vendor_id != vendor.id:
            problems.append(
                SourcedProblem(
                    source, 1, "", "import.other_vendor", {"reference": repr(info.reference)}
                )
            )
            continue
        if contract is None:
            contract = Contract(
                reference=info.reference,
                vendor_id=vendor.id or 0,
                title=info.title,
                start_date=info.start,
                calendar_key=info.calendar,
                created_at=now,
                updated_at=now,
            )
        previous = _latest_version(session, contract.id) if contract.id else None
        if previous is not None and previous.document == document.data:
            outcomes.append(ImportOutcome(info.reference, "unchanged", previous.number))
            continue
        refused = _date_refused(source, document, previous)
        if refused:
            problems.append(refused)
            continue
        _copy_terms(contract, info, now)
        session.add(contract)
        session.flush()
        contract_id = id_of(contract)
        number = previous.number + 1 if previous else 1
        session.add(
            ContractVersion(
                contract_id=contract_id,
                number=number,
                effective_from=max(document.sla.effective_from, previous.effective_from)
                if previous
                else document.sla.effective_from,
                document=document.data,
                created_at=now,
                created_by_id=actor.user_id,
            )
        )
        session.flush()
        outcomes.append(ImportOutcome(info.reference, "amended" if previous else "created", number))
        _audit_version(session, actor, contract, document, previous, number, source, now=now)
    if problems:
        raise DocumentError(problems)
    return outcomes


def _audit_version(
    session: Session,
    actor: Actor,
    contract: Contract,
    document: ContractDocument,
    previous: ContractVersion | None,
    number: int,
    source: str,
    *,
    now: datetime,
) -> None:
    """The audit trail's account of a version written: the import or amendment, and the
    change of the alerts' recipients it brings, if any."""
    record(
        session,
        actor,
        "contract.amended" if previous else "contract.imported",
        now=now,
        target_kind="contract",
        target_id=contract.id,
        target_label=contract.reference,
        version=number,
        effective_from=document.sla.effective_from.isoformat(),
        source=Path(source).name if source else None,
    )
    before = document_of(previous).alerts if previous else None
    after = document.alerts
    if before is None and not after.contacts and not after.escalate_to_vendor:
        return
    if before is not None and (before.contacts, before.escalate_to_vendor) == (
        after.contacts,
        after.escalate_to_vendor,
    ):
        return
    record(
        session,
        actor,
        "recipients.contract_contacts",
        now=now,
        target_kind="contract",
        target_id=contract.id,
        target_label=contract.reference,
        before=None if before is None else _recipients_text(before),
        after=_recipients_text(after),
    )


def note_vendor_address(
    session: Session, actor: Actor, vendor: Vendor, before: str, *, now: datetime
) -> None:
    """Put a change of a vendor's support address (where escalations go) in the audit trail."""
    if vendor.support_email != before:
        record(
            session,
            actor,
            "recipients.vendor_address",
            now=now,
            target_kind="vendor",
            target_id=vendor.id,
            target_label=vendor.name,
            before=before,
            after=vendor.support_email,
        )


def _recipients_text(alerts: ContractAlerts) -> str:
    """A contract's alert recipients as the audit trail keeps them."""
    contacts = ", ".join(alerts.contacts) or "-"
    return f"{contacts}; escalate_to_vendor={'yes' if alerts.escalate_to_vendor else 'no'}"


# Parsed documents, keyed by what they are parsed from: the stored JSON's content. A row id
# would not do: SQLite reuses the ids of deleted rows and of rolled-back inserts, and another
# database's version 1 is another document. The identity map keeps a version's JSON object
# for a session's life, so repeated reads of one row skip even the hashing.
_BY_CONTENT: dict[str, ContractDocument] = {}
_BY_OBJECT: OrderedDict[int, tuple[object, ContractDocument]] = OrderedDict()
_RECENT_OBJECTS = 256


def _content_key(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def document_of(version: ContractVersion) -> ContractDocument:
    """The parsed document of a stored version (parsed once per distinct content)."""
    data = version.document
    seen = _BY_OBJECT.get(id(data))
    if seen is not None and seen[0] is data:
        return seen[1]
    key = _content_key(data)
    document = _BY_CONTENT.get(key)
    if document is None:
        document, problems = parse_document(data)
        if document is None:
            raise DomainError(
                "contract_version.invalid",
                version_id=version.id,
                problem=problems[0].worded(reader_words),
            )
        _BY_CONTENT[key] = document
    # Holding `data` keeps its id from being reused by another object while it is cached.
    _BY_OBJECT[id(data)] = (data, document)
    if len(_BY_OBJECT) > _RECENT_OBJECTS:
        _BY_OBJECT.popitem(last=False)
    return document


def terms_of(version: ContractVersion) -> SlaTerms:
    """The SLA terms of a stored version."""
    return document_of(version).sla


def version_in_force(session: Session, contract: Contract, on: date) -> ContractVersion:
    """The version in force on a date: the latest that took effect on or before it."""
    version = session.exec(
        select(ContractVersion)
        .where(
            ContractVersion.contract_id == contract.id, col(ContractVersion.effective_from) <= on
        )
        .order_by(col(ContractVersion.effective_from).desc(), col(ContractVersion.number).desc())
    ).first()
    if version is None:
        raise DomainError(
            "contract.no_sla_in_force",
            field="reported_at",
            reference=contract.reference,
            date=on,
        )
    return version


def current_version(session: Session, contract: Contract, on: date) -> ContractVersion:
    """The version to present as the contract's SLA on a date: the one in force, or, before
    the first one takes effect, that first one. A version to come is never presented as in
    force."""
    try:
        return version_in_force(session, contract, on)
    except DomainError:
        first = session.exec(
            select(ContractVersion)
            .where(ContractVersion.contract_id == contract.id)
            .order_by(col(ContractVersion.effective_from), col(ContractVersion.number))
        ).first()
        if first is None:
            raise NotFound("contract.no_version", reference=contract.reference) from None
        return first


def get_contract(session: Session, contract_id: int) -> Contract:
    """The contract, or NotFound."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound("contract.not_found", field="contract_id", contract_id=contract_id)
    return contract


def latest_version(session: Session, contract: Contract) -> ContractVersion:
    """The contract's latest version (its current SLA document)."""
    contract_id = id_of(contract)
    version = _latest_version(session, contract_id)
    if version is None:
        raise NotFound("contract.no_version", reference=contract.reference)
    return version


def _toml_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _toml_ready(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_toml_ready(v) for v in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def export_contract(session: Session, contract: Contract) -> str:
    """The contract's latest version as a TOML document that `import` reads back."""
    version = latest_version(session, contract)
    header = (
        f"# {contract.reference} — exported by Garantie (version {version.number}, "
        f"in force from {version.effective_from.isoformat()})\n"
    )
    return header + tomli_w.dumps(_toml_ready(version.document))


def list_contracts(session: Session, vendor_id: int | None = None) -> list[Contract]:
    """Contracts by reference, of one vendor or all."""
    query = select(Contract).order_by(Contract.reference)
    if vendor_id is not None:
        query = query.where(Contract.vendor_id == vendor_id)
    return list(session.exec(query))


def list_vendors(session: Session) -> list[Vendor]:
    """Vendors by name."""
    return list(session.exec(select(Vendor).order_by(Vendor.name)))


def contract_periods(contract: Contract, today: date) -> Periods:
    """Where a contract stands on `today`: current period, notice deadline, final end."""
    return periods(
        start=contract.start_date,
        initial_months=contract.initial_months,
        renewal=contract.renewal,
        max_renewals=contract.max_renewals,
        notice_months=contract.notice_months,
        notice_days=contract.notice_days,
        end=contract.end_date,
        today=today,
    )
