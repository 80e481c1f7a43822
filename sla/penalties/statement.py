"""A penalty statement as its readers see it (the page, the PDF, the spreadsheet, the API):
plain immutable data, made by `sla.penalties.reading` from the stored rows or, for a
draft, from the lines computed afresh. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sla.engine.penalties import CapApplied, Lateness, Totals
from sla.engine.penalty_terms import CapScope, PenaltyCap


class State(StrEnum):
    draft = "draft"
    notified = "notified"  # the letter went to the vendor: its answer period runs
    observations = "observations"  # the vendor's observations are recorded
    final = "final"  # decided and archived: unchangeable
    superseded = "superseded"  # a final statement replaced by a later one
    abandoned = "abandoned"  # a draft given up (never notified)


class Decision(StrEnum):
    applied = "applied"
    reduced = "reduced"
    waived = "waived"


class StepKind(StrEnum):
    drafted = "drafted"
    notified = "notified"
    observations = "observations"
    decided = "decided"
    finalised = "finalised"
    superseded = "superseded"
    abandoned = "abandoned"


# The states in which lines may be decided, and those that count in a contract year's cap.
DECIDING = (State.notified, State.observations)
ACTIVE = (State.draft, State.notified, State.observations, State.final)


def answer_period_running(state: str, answer_due_at: datetime | None, now: datetime) -> bool:
    """The vendor may still answer, and has not: notified, its answer period not over. Lines
    are decided only once it is not (CCAG-TIC 2021 art. 14.1.1)."""
    return state == State.notified and answer_due_at is not None and now <= answer_due_at


@dataclass(frozen=True)
class DecisionView:
    decision: Decision
    amount: Decimal
    reason: str
    decided_at: datetime
    decided_by: str


@dataclass(frozen=True)
class LineView:
    """One line: a breach (incident, target, deadline, milestone, lateness) or an
    availability stretch, the clause, what it charges, and its decision once decided."""

    id: int | None  # the stored line; None while the statement is a draft
    position: int
    kind: str  # breach, availability
    clause_key: str
    clause_kind: str  # a ClauseKind
    clause_label: str
    clause_article: str
    units: int
    unit: str  # a LatenessUnit, "breach", or an AvailabilityStep
    amount: Decimal
    zone: str  # the calendar's time zone, to read its instants
    # The clause's figures: its amount per unit, breach or step; its grace in units; the
    # formula's V (the clause's, or the yearly amount it stood for) and D.
    rate_ht: Decimal | None = None
    grace: int = 0
    value_ht: Decimal | None = None
    divisor: int | None = None
    incident_id: int | None = None
    incident_title: str = ""
    severity: str = ""
    target_key: str = ""
    target_label: str = ""
    target_article: str = ""
    deadline: datetime | None = None
    milestone_at: datetime | None = None  # None on a breach line: still open at `computed_at`
    lateness: Lateness | None = None
    stretch_start: datetime | None = None
    stretch_end: datetime | None = None
    target_percent: float | None = None
    measured_percent: float | None = None
    decision: DecisionView | None = None

    @property
    def decided_amount(self) -> Decimal | None:
        return None if self.decision is None else self.decision.amount


@dataclass(frozen=True)
class FileView:
    id: int
    filename: str
    mimetype: str
    size: int
    sha256: str


@dataclass(frozen=True)
class StepView:
    kind: StepKind
    at: datetime
    by: str
    text: str = ""
    received_at: datetime | None = None
    data: dict[str, Any] | None = None
    files: tuple[FileView, ...] = ()


@dataclass(frozen=True)
class StatementView:
    id: int
    state: State
    revision: int
    contract_id: int
    contract_reference: str
    contract_title: str
    vendor_name: str
    vendor_siret: str
    period_kind: str  # month, quarter, range
    period_start: date
    period_end: date  # included
    zone: str  # the contract calendar's time zone
    lines: tuple[LineView, ...]
    totals: Totals  # of the lines as computed (a draft) or notified
    decided: Totals | None  # of the decided amounts, once every line is decided
    computed_at: datetime  # when the lines were computed (open breaches count until then)
    procedure_article: str
    threshold_article: str
    cap_article: str
    answer_days: int
    created_at: datetime
    created_by: str
    notified_at: datetime | None = None
    notified_to: str = ""
    answer_due_at: datetime | None = None
    finalised_at: datetime | None = None
    final_sha256: str = ""
    supersedes_id: int | None = None
    superseded_by_id: int | None = None  # its replacement: drawn up (still final) or in force
    steps: tuple[StepView, ...] = ()

    @property
    def undecided(self) -> int:
        """The lines still to decide: those that charge something (a line within its grace,
        at 0, has nothing to apply, reduce or waive)."""
        return sum(1 for line in self.lines if to_decide(line))


def to_decide(line: LineView) -> bool:
    return line.decision is None and line.amount > 0


def transitions(view: StatementView, now: datetime) -> tuple[str, ...]:
    """The transitions the procedure accepts now, whatever the reader's role: notify or
    abandon a draft; record observations while notified; decide once the vendor answered or
    its answer period is over; finalise once every line is decided; supersede a final one."""
    if view.state is State.draft:
        return ("notify", "abandon")
    if view.state is State.final:  # once: a replacement being drawn up is the one to finish
        return () if view.superseded_by_id is not None else ("supersede",)
    if view.state not in DECIDING:
        return ()
    allowed = ["observations"]
    if not answer_period_running(view.state, view.answer_due_at, now):
        allowed.append("decisions")
        if not view.undecided:
            allowed.append("finalise")
    return tuple(allowed)


def document_stem(kind: str, reference: str, period_kind: str, first: date, last: date) -> str:
    """A statement's file name without its extension: `releve-penalites-REF-2026-10` (a
    month: its month, else its first and last days). Each channel makes it safe its own way
    (downloads: `sla.web.downloads.attachment`; mail: the attachment's header)."""
    period = f"{first:%Y-%m}" if period_kind == "month" else f"{first}_{last}"
    return f"{kind}-{reference}-{period}"


def totals_data(totals: Totals) -> dict[str, Any]:
    """Totals as JSON (stored with the statement when notified and when final)."""
    return {
        "subtotal": str(totals.subtotal),
        "threshold_ht": None if totals.threshold_ht is None else str(totals.threshold_ht),
        "exempted": totals.exempted,
        "caps": [
            {
                "scope": applied.cap.scope.value,
                "percent": None if applied.cap.percent is None else str(applied.cap.percent),
                "amount_ht": None if applied.cap.amount_ht is None else str(applied.cap.amount_ht),
                "limit": str(applied.limit),
                "reduction": str(applied.reduction),
            }
            for applied in totals.caps
        ],
        "total": str(totals.total),
        "already_in_year": str(totals.already_in_year),
    }


def totals_from(data: dict[str, Any]) -> Totals:
    """Totals read back from `totals_data`."""
    caps = tuple(
        CapApplied(
            PenaltyCap(
                CapScope(cap["scope"]),
                None if cap["percent"] is None else Decimal(cap["percent"]),
                None if cap["amount_ht"] is None else Decimal(cap["amount_ht"]),
            ),
            Decimal(cap["limit"]),
            Decimal(cap["reduction"]),
        )
        for cap in data.get("caps", ())
    )
    threshold = data.get("threshold_ht")
    return Totals(
        Decimal(data["subtotal"]),
        None if threshold is None else Decimal(threshold),
        bool(data["exempted"]),
        caps,
        Decimal(data["total"]),
        Decimal(data.get("already_in_year", "0")),
    )


def lateness_data(lateness: Lateness | None) -> dict[str, Any]:
    if lateness is None:
        return {}
    return {
        "business_seconds": lateness.business_seconds,
        "calendar_seconds": lateness.calendar_seconds,
        "business_days": lateness.business_days,
        "calendar_days": lateness.calendar_days,
    }


def lateness_from(data: dict[str, Any]) -> Lateness | None:
    if not data:
        return None
    return Lateness(
        float(data["business_seconds"]),
        float(data["calendar_seconds"]),
        int(data["business_days"]),
        int(data["calendar_days"]),
    )
