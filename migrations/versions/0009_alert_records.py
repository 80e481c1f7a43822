"""alerts as facts: alert records (kept even when nobody receives them), deliveries pointing
at them, and the sweep's marks; existing deliveries get their alert record

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sla.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Deliveries that are alerts about an incident or a contract (not digests nor report mails).
ALERT_KINDS = ("warning", "breach", "reminder", "escalation", "notice", "end")


def upgrade() -> None:
    op.create_table(
        "alert_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("target_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body_html", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("unreachable", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sla.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"]),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alert_records") as batch:
        batch.create_index(batch.f("ix_alert_records_key"), ["key"], unique=True)
        batch.create_index(batch.f("ix_alert_records_incident_id"), ["incident_id"])
        batch.create_index(batch.f("ix_alert_records_contract_id"), ["contract_id"])
        batch.create_index(batch.f("ix_alert_records_recorded_at"), ["recorded_at"])
    op.create_table(
        "sweep_marks",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("updated_at", sla.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("alert_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_notifications_alert_id"), ["alert_id"])
        batch.create_foreign_key("fk_notifications_alert_id", "alert_records", ["alert_id"], ["id"])
    _backfill()


def _backfill() -> None:
    """One alert record per alert already delivered: the delivery key without its recipient
    (`breach:12:gtr:2026-…|email:dsi@…` → `breach:12:gtr:2026-…`)."""
    bind = op.get_bind()
    notifications = sa.table(
        "notifications",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("kind", sa.String),
        sa.column("subject", sa.String),
        sa.column("body_text", sa.String),
        sa.column("body_html", sa.String),
        sa.column("incident_id", sa.Integer),
        sa.column("contract_id", sa.Integer),
        sa.column("created_at", sla.db.UTCDateTime(timezone=True)),
        sa.column("alert_id", sa.Integer),
    )
    records = sa.table(
        "alert_records",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("kind", sa.String),
        sa.column("incident_id", sa.Integer),
        sa.column("contract_id", sa.Integer),
        sa.column("target_key", sa.String),
        sa.column("subject", sa.String),
        sa.column("body_text", sa.String),
        sa.column("body_html", sa.String),
        sa.column("facts", sa.JSON),
        sa.column("unreachable", sa.JSON),
        sa.column("recorded_at", sla.db.UTCDateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(notifications)
        .where(notifications.c.kind.in_(ALERT_KINDS))
        .order_by(notifications.c.id)
    ).mappings()
    ids: dict[str, int] = {}
    found = rows.all()
    # Delivery keys now name their address in lower case (one mailbox, whatever the case).
    taken = {row["key"] for row in found}
    for row in found:
        key, _bar, where = row["key"].partition("|")
        lowered = f"{key}|{where.lower()}"
        new_key = row["key"] if lowered in taken else lowered
        taken.add(new_key)
        if key not in ids:
            parts = key.split(":")
            about_target = row["kind"] in ("warning", "breach", "reminder", "escalation")
            target = parts[2] if about_target and len(parts) > 2 else ""
            ids[key] = bind.execute(
                sa.insert(records)
                .values(
                    key=key,
                    kind=row["kind"],
                    incident_id=row["incident_id"],
                    contract_id=row["contract_id"],
                    target_key=target[:64],
                    subject=row["subject"],
                    body_text=row["body_text"],
                    body_html=row["body_html"],
                    facts={},
                    unreachable=[],
                    recorded_at=row["created_at"],
                )
                .returning(records.c.id)
            ).scalar_one()
        bind.execute(
            sa.update(notifications)
            .where(notifications.c.id == row["id"])
            .values(alert_id=ids[key], key=new_key)
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint("fk_notifications_alert_id", type_="foreignkey")
        batch.drop_index(batch.f("ix_notifications_alert_id"))
        batch.drop_column("alert_id")
    op.drop_table("sweep_marks")
    op.drop_table("alert_records")
