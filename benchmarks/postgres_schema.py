"""A schema of a benchmark's own in a PostgreSQL database (its tables go there, nothing else is
touched), dropped at the end: how the benchmarks run on PostgreSQL (SLA_BENCH_POSTGRES_URL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def postgres_schema(url: str, name: str) -> Iterator[str]:
    """A schema `<name>_<pid>` in the database at `url`, dropped at the end; yields the URL
    that works in it."""
    schema = f"{name}_{os.getpid()}"
    target = make_url(url)
    admin = create_engine(target.set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        inside = target.update_query_dict({"options": f"-csearch_path={schema}"})
        yield inside.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
