"""PostgreSQL specifics: concurrent `sla db upgrade` runs one after the other (advisory lock)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import inspect

from sla.config import load_settings
from sla.db import current_revision, head_revision, make_engine, upgrade
from tests.conftest import POSTGRES_URL, reset_postgres_schema
from tests.support import require


def test_two_concurrent_upgrades_apply_migrations_once() -> None:
    require(bool(POSTGRES_URL), "SLA_TEST_POSTGRES_URL is not set: no PostgreSQL server here")
    reset_postgres_schema(POSTGRES_URL)
    engines = [
        make_engine(load_settings({}, overrides={"database": {"url": POSTGRES_URL}}))
        for _ in range(2)
    ]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(
                pool.map(upgrade, engines)
            )  # one of them would fail on "table exists" without the lock
        assert current_revision(engines[0]) == head_revision()
        assert "users" in inspect(engines[0]).get_table_names()
    finally:
        for engine in engines:
            engine.dispose()
