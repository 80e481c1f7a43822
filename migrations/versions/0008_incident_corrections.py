"""incident events: corrections of an incident's details (field, before, after)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incident_events") as batch:
        batch.add_column(sa.Column("field", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("before", sa.Text(), nullable=True))
        batch.add_column(sa.Column("after", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incident_events") as batch:
        batch.drop_column("after")
        batch.drop_column("before")
        batch.drop_column("field")
