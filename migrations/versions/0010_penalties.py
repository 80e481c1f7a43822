"""penalty statements: statements, lines, decisions, steps, files; deliveries carrying a letter

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 04:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sla.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "penalty_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("period_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sla.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("notified_at", sla.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notified_to", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("answer_days", sa.Integer(), nullable=False),
        sa.Column("answer_due_at", sla.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("computed_at", sla.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notified_totals", sa.JSON(), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("final_totals", sa.JSON(), nullable=False),
        sa.Column("notified_total_ht", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("final_total_ht", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("finalised_at", sla.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("letter_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("final_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("final_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["penalty_statements.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("penalty_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_penalty_statements_answer_due_at"), ["answer_due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_penalty_statements_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_penalty_statements_state"), ["state"], unique=False)

    op.create_table(
        "penalty_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("at", sla.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", sla.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["penalty_statements.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("penalty_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_penalty_steps_statement_id"), ["statement_id"], unique=False
        )

    op.create_table(
        "penalty_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("mimetype", sqlmodel.sql.sqltypes.AutoString(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sla.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["penalty_statements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["penalty_steps.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("penalty_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_penalty_files_statement_id"), ["statement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_penalty_files_step_id"), ["step_id"], unique=False)

    op.create_table(
        "penalty_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("clause_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("clause_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("clause_label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("clause_article", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("incident_title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("target_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("target_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("target_article", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("deadline", sla.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("milestone_at", sla.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stretch_start", sla.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stretch_end", sla.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("target_percent", sa.Float(), nullable=True),
        sa.Column("measured_percent", sa.Float(), nullable=True),
        sa.Column("lateness", sa.JSON(), nullable=False),
        sa.Column("zone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("rate_ht", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("grace", sa.Integer(), nullable=False),
        sa.Column("value_ht", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("divisor", sa.Integer(), nullable=True),
        sa.Column("amount_ht", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["penalty_statements.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("statement_id", "position"),
    )
    with op.batch_alter_table("penalty_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_penalty_lines_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_penalty_lines_statement_id"), ["statement_id"], unique=False
        )

    op.create_table(
        "penalty_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("amount_ht", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_at", sla.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["penalty_lines.id"],
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["penalty_statements.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("penalty_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_penalty_decisions_line_id"), ["line_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_penalty_decisions_statement_id"), ["statement_id"], unique=False
        )

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("statement_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_notifications_statement_id", "penalty_statements", ["statement_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notifications_statement_id", type_="foreignkey")
        batch_op.drop_column("statement_id")

    with op.batch_alter_table("penalty_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_decisions_statement_id"))
        batch_op.drop_index(batch_op.f("ix_penalty_decisions_line_id"))

    op.drop_table("penalty_decisions")
    with op.batch_alter_table("penalty_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_lines_statement_id"))
        batch_op.drop_index(batch_op.f("ix_penalty_lines_incident_id"))

    op.drop_table("penalty_lines")
    with op.batch_alter_table("penalty_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_files_step_id"))
        batch_op.drop_index(batch_op.f("ix_penalty_files_statement_id"))

    op.drop_table("penalty_files")
    with op.batch_alter_table("penalty_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_steps_statement_id"))

    op.drop_table("penalty_steps")
    with op.batch_alter_table("penalty_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_statements_state"))
        batch_op.drop_index(batch_op.f("ix_penalty_statements_contract_id"))
        batch_op.drop_index(batch_op.f("ix_penalty_statements_answer_due_at"))

    op.drop_table("penalty_statements")
