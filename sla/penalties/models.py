"""Tables of penalty statements and their contradictory procedure (CCAG-TIC 2021 art. 14.1.1).

A statement is a contract's penalties over a period. While it is a draft its lines are
computed afresh each time it is read (nothing was sent: the incidents may still change). When
it is notified to the vendor its lines are written (`PenaltyLine`) with the letter (its PDF):
from then on nothing recomputes them. Decisions are rows too (`PenaltyDecision`, the last of a
line counts), and every step of the procedure is a `PenaltyStep` with who, when and what it
said. Nothing is deleted or overwritten except the statement's state and revision, the cache
of its steps that the optimistic lock reads. A final statement keeps its PDF; a later one may
supersede it, with a reason."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from sla.db import UTCDateTime


class PenaltyStatement(SQLModel, table=True):
    __tablename__ = "penalty_statements"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contracts.id", index=True)
    period_kind: str = Field(max_length=16)  # month, quarter, range
    period_start: date  # the first day
    period_end: date  # the last day, included
    state: str = Field(default="draft", max_length=24, index=True)
    revision: int = Field(default=1)
    supersedes_id: int | None = Field(default=None, foreign_key="penalty_statements.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    # Set when notified: to whom, when, the end of the vendor's answer period, the lines' as-of.
    notified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    notified_to: str = Field(default="", max_length=254)
    answer_days: int = Field(default=15)
    answer_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))
    computed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # What the limits made of the lines (subtotal, threshold, caps, total), as notified and
    # as finally decided: JSON of `sla.penalties.statement.totals_data`.
    notified_totals: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    # Who and what it is about, and the articles it cites, as the letter named them.
    header: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    final_totals: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    notified_total_ht: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    final_total_ht: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    finalised_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    letter_pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    final_pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    final_sha256: str = Field(default="", max_length=64)
    language: str = Field(default="fr", max_length=8)  # the letter's and the PDF's


class PenaltyLine(SQLModel, table=True):
    """One line of a notified statement, as the letter said it: a breach or an availability
    stretch, the clause and what it charged."""

    __tablename__ = "penalty_lines"
    __table_args__ = (UniqueConstraint("statement_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="penalty_statements.id", index=True)
    position: int
    kind: str = Field(max_length=16)  # breach, availability
    clause_key: str = Field(max_length=64)
    clause_kind: str = Field(max_length=16)
    clause_label: str = Field(default="")
    clause_article: str = Field(default="", max_length=200)
    incident_id: int | None = Field(default=None, foreign_key="incidents.id", index=True)
    incident_title: str = Field(default="", max_length=300)
    severity: str = Field(default="", max_length=200)  # the level's label
    target_key: str = Field(default="", max_length=64)
    target_label: str = Field(default="", max_length=200)
    target_article: str = Field(default="", max_length=200)
    deadline: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    milestone_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # Availability: the stretch measured, the target and the measure.
    stretch_start: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    stretch_end: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    target_percent: float | None = None
    measured_percent: float | None = None
    lateness: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    zone: str = Field(default="Europe/Paris", max_length=64)  # the target's calendar's
    units: int = Field(default=0)
    unit: str = Field(default="", max_length=16)
    rate_ht: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    grace: int = Field(default=0)
    value_ht: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    divisor: int | None = None
    amount_ht: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))


class PenaltyDecision(SQLModel, table=True):
    """The buyer's decision on a line after the vendor's answer: applied, reduced (to an
    amount) or waived, with its reason. A line may be decided again until the statement is
    final: the last decision counts, the earlier ones stay."""

    __tablename__ = "penalty_decisions"

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="penalty_statements.id", index=True)
    line_id: int = Field(foreign_key="penalty_lines.id", index=True)
    decision: str = Field(max_length=16)  # applied, reduced, waived
    amount_ht: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    reason: str = Field(default="")
    decided_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")


class PenaltyStep(SQLModel, table=True):
    """One step of a statement's procedure: drafted, notified, observations, decided,
    finalised, superseded, abandoned; with who, when, and its text (observations, reason)."""

    __tablename__ = "penalty_steps"

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="penalty_statements.id", index=True)
    kind: str = Field(max_length=24)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # For observations: when the vendor's answer was received (may be before it is recorded).
    received_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    by_id: int | None = Field(default=None, foreign_key="users.id")
    text: str = Field(default="")
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class PenaltyFile(SQLModel, table=True):
    """A file the vendor sent with its observations, kept with the step that recorded it."""

    __tablename__ = "penalty_files"

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="penalty_statements.id", index=True)
    step_id: int = Field(foreign_key="penalty_steps.id", index=True)
    filename: str = Field(max_length=255)
    mimetype: str = Field(max_length=127)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id")
