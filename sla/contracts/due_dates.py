"""The contract dates due soon, for the dashboard: last days to give notice, renewals, ends,
with the days left, past due first (the longest overdue first), then the nearest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from sla.contracts.models import Vendor
from sla.contracts.periods import dates_of
from sla.contracts.service import contract_periods, list_contracts

# Past dates stay shown this long: a notice missed yesterday is still worth reading.
SHOWN_AFTER = timedelta(days=30)


@dataclass(frozen=True)
class DueDate:
    contract_id: int
    reference: str
    title: str
    vendor: str
    what: str  # notice, renewal, end
    day: date
    days_left: int  # negative: past due by that many days

    @property
    def past_due(self) -> bool:
        return self.days_left < 0


def due_dates(session: Session, *, today: date, ahead_days: int) -> list[DueDate]:
    """The dates from `SHOWN_AFTER` ago to `ahead_days` from `today`, most urgent first."""
    first, last = today - SHOWN_AFTER, today + timedelta(days=ahead_days)
    vendors: dict[int, str] = {}
    found: list[DueDate] = []
    for contract in list_contracts(session):
        if contract.vendor_id not in vendors:
            vendor = session.get(Vendor, contract.vendor_id)
            vendors[contract.vendor_id] = vendor.name if vendor else ""
        for item in dates_of(contract_periods(contract, today)):
            if first <= item.day <= last:
                found.append(
                    DueDate(
                        contract_id=contract.id or 0,
                        reference=contract.reference,
                        title=contract.title,
                        vendor=vendors[contract.vendor_id],
                        what=item.what,
                        day=item.day,
                        days_left=(item.day - today).days,
                    )
                )
    order = {"notice": 0, "end": 1, "renewal": 2}
    return sorted(found, key=lambda d: (d.days_left, order[d.what], d.reference))
