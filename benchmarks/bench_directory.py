"""Signing in through the directory: POST /login with the test client against a real slapd on
loopback (tests/ldap_server.py: Debian's slapd, a throw-away database), over StartTLS with the
certificate checked, the application with [ldap] enabled. 50 sign-ins of 10 people: the first
of each creates the account, the next ones refresh it. Prints the median and p95 in ms of the
POST (the login page's GET, for its CSRF token, is not counted), and of the directory's part
alone (`check_password`). Goal: under 300 ms. A directory sign-in also costs one argon2
verification against a dummy hash, as a local one does (the time taken must not tell a local
account's name from the directory's): most of the figure.

Run: `python benchmarks/bench_directory.py` (needs /usr/sbin/slapd). With
`SLA_BENCH_POSTGRES_URL=postgresql://user:password@host/database` set, the same again on
PostgreSQL, in a schema of its own created in that database and dropped at the end.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' slapd starter

from postgres_schema import postgres_schema  # benchmarks/postgres_schema.py, beside this script

from sla.app import create_app
from sla.auth import ldap_directory
from sla.db import upgrade
from tests.ldap_server import AGENTS, Directory, run_directory, slapd_missing
from tests.support import PASSWORD, csrf_from

PEOPLE = 10
SIGN_INS = 50
GOAL_MS = 300.0


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _line(label: str, samples: list[float]) -> None:
    median, p95 = statistics.median(samples), _p95(samples)
    verdict = "ok" if p95 < GOAL_MS else "OVER"
    print(
        f"  {label:<34} median {median:6.1f} ms, p95 {p95:6.1f} ms"
        f"   (goal: p95 < {GOAL_MS:.0f} ms: {verdict})"
    )


def _timed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _sign_in(app: Flask, uid: str) -> float:
    client = app.test_client()
    token = csrf_from(client, "/login")
    form = {"username": uid, "password": PASSWORD, "csrf_token": token}
    started = time.perf_counter()
    response = client.post("/login", data=form)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        raise SystemExit(f"sign-in of {uid} refused: {response.status_code}")
    return elapsed


def run(directory: Directory, uids: list[str], database_url: str, where: str) -> None:
    values = directory.section_values(starttls=True, ca_file=str(directory.ca_file))
    with tempfile.TemporaryDirectory() as folder:
        config = {
            "app": {"instance_path": folder, "secret_key": "bench"},
            "ldap": values,
            **({"database": {"url": database_url}} if database_url else {}),
        }
        app = create_app(config, environ={})
        engine = app.extensions["sla.engine"]
        try:
            upgrade(engine)
            first = [_sign_in(app, uid) for uid in uids]
            later = [_sign_in(app, uids[n % len(uids)]) for n in range(SIGN_INS - len(uids))]
        finally:
            engine.dispose()
    print(f"{where}: {SIGN_INS} sign-ins through the directory (StartTLS), POST /login")
    _line("first sign-in (account created)", first)
    _line("next sign-ins (account refreshed)", later)
    _line("all", first + later)


def main() -> None:
    missing = slapd_missing()
    if missing:
        raise SystemExit(missing)
    logging.getLogger("sla.request").disabled = True  # one JSON line per request otherwise
    with run_directory() as directory:
        uids = [f"bench{n}" for n in range(PEOPLE)]
        for uid in uids:
            directory.add_person(uid, groups=[AGENTS])
        section = directory.section(starttls=True, ca_file=str(directory.ca_file))
        alone = [
            _timed_ms(lambda: ldap_directory.check_password(section, "bench0", PASSWORD))
            for _ in range(SIGN_INS)
        ]
        print(f"The directory alone: check_password over StartTLS, {SIGN_INS} times")
        _line("check_password", alone)
        run(directory, uids, "", "SQLite")
        url = os.environ.get("SLA_BENCH_POSTGRES_URL", "")
        if not url:
            print("PostgreSQL: set SLA_BENCH_POSTGRES_URL to run the same there")
            return
        with postgres_schema(url, "bench_directory") as inside:
            run(directory, uids, inside, "PostgreSQL")


if __name__ == "__main__":
    main()
