"""A report's scope (all vendors, a vendor, a contract), what names it, and the contracts in
it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from calendars.engine import compiled
from sla.contracts.models import Contract, Vendor
from sla.contracts.service import contract_periods, document_of, latest_version, list_contracts
from sla.db import id_of
from sla.reports.figures import ContractFact, Period, ScopeName


@dataclass(frozen=True)
class Scope:
    vendor_id: int | None = None
    contract_id: int | None = None

    @property
    def key(self) -> str:
        if self.contract_id is not None:
            return f"contract:{self.contract_id}"
        if self.vendor_id is not None:
            return f"vendor:{self.vendor_id}"
        return "all"

    @classmethod
    def parse(cls, key: str) -> Scope:
        kind, _, value = key.partition(":")
        if kind == "contract" and value.isdigit():
            return cls(contract_id=int(value))
        if kind == "vendor" and value.isdigit():
            return cls(vendor_id=int(value))
        return cls()


def scope_name(session: Session, scope: Scope) -> ScopeName:
    """What names a report's scope (all vendors, a vendor, a contract); the words are the
    document's, in its language (`sla.reports.text.Words.scope`)."""
    if scope.contract_id is not None:
        contract = session.get(Contract, scope.contract_id)
        return ScopeName("contract", contract.reference if contract else "")
    if scope.vendor_id is not None:
        vendor = session.get(Vendor, scope.vendor_id)
        return ScopeName("vendor", vendor.name if vendor else "")
    return ScopeName("all")


def contract_facts(session: Session, scope: Scope, period: Period) -> list[ContractFact]:
    """The contracts in scope, with the terms of their latest version and where they stand the
    day after the period."""
    vendors = {id_of(vendor): vendor for vendor in session.execute(select(Vendor)).scalars()}
    facts = []
    day_after = period.last + timedelta(days=1)
    for contract in list_contracts(session, scope.vendor_id):
        if scope.contract_id is not None and contract.id != scope.contract_id:
            continue
        document = document_of(latest_version(session, contract))
        terms = document.sla
        availability = terms.availability
        calendar = None
        if availability is not None:
            calendar = compiled(terms.calendars[availability.calendar])
        facts.append(
            ContractFact(
                id=id_of(contract),
                reference=contract.reference,
                title=contract.title,
                vendor_id=contract.vendor_id,
                vendor=vendors[contract.vendor_id].name,
                severities=tuple((severity.key, severity.label) for severity in terms.severities),
                availability_target=availability.target_percent if availability else None,
                availability_calendar=calendar,
                availability_article=availability.article if availability else "",
                yearly_amount_ht=contract.yearly_amount_ht,
                prices=document.contract.unit_prices,
                periods=contract_periods(contract, day_after),
                target_labels=tuple(
                    (target.key, target.label)
                    for severity in terms.severities
                    for target in severity.targets
                ),
                clause_texts=tuple((clause.key, clause.text) for clause in terms.exclusions),
                clause_targets=tuple((clause.key, clause.targets) for clause in terms.exclusions),
            )
        )
    return facts
