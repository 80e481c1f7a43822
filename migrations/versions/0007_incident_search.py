"""incidents: a search column folded without case nor accents

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 20:40:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(*parts: str | None) -> str:
    # A frozen copy of incidents.search.search_key as it was when this revision was written.
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    incidents = sa.table(
        "incidents",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("description", sa.Text),
        sa.column("vendor_ticket_ref", sa.String),
        sa.column("search_text", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            incidents.c.id,
            incidents.c.title,
            incidents.c.description,
            incidents.c.vendor_ticket_ref,
        )
    ).all()
    for start in range(0, len(rows), 1000):
        connection.execute(
            incidents.update().where(incidents.c.id == sa.bindparam("row_id")),
            [
                {
                    "row_id": row.id,
                    "search_text": _key(row.title, row.description, row.vendor_ticket_ref),
                }
                for row in rows[start : start + 1000]
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("search_text")
