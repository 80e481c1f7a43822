"""sign-in through the directory or OpenID Connect (accounts' source, external id, local mark)
and the audit trail of administration (append-only: triggers refuse UPDATE and DELETE)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sla.db
from sla.audit import append_only

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "auth_source",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="local",
            )
        )
        batch.add_column(
            sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True)
        )
        batch.add_column(
            sa.Column("local_account", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column(
                "withdrawn_by_source", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.create_index("ix_users_external_id", ["external_id"])
    # The administrators of today stay able to sign in with their password once
    # [security] password_login = "marked": nobody is locked out by the upgrade.
    op.execute("UPDATE users SET local_account = TRUE WHERE role = 'admin' AND active = TRUE")
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sla.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("remote_addr", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("target_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_action", "audit_events", ["action"])
    op.create_index("ix_audit_events_actor_id", "audit_events", ["actor_id"])
    append_only.guard(op.get_bind())


def downgrade() -> None:
    append_only.lift(op.get_bind())
    op.drop_table("audit_events")
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_external_id")
        batch.drop_column("withdrawn_by_source")
        batch.drop_column("local_account")
        batch.drop_column("external_id")
        batch.drop_column("auth_source")
