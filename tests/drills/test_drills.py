"""Drills with real processes: `sla serve` killed with SIGKILL in the middle of a burst of
writes (nothing acknowledged may be lost), and a long maintenance job (`sla incidents refresh
--all`) while a client keeps using the API (answers stay prompt or say 503 with Retry-After).

Each process is `python -m sla …` with only the variables set here (no SLA_* variable of the
test run leaks in), its output in a log file under the test's temporary folder."""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from sla.auth import service as accounts
from sla.config import load_settings
from sla.db import make_engine, session_scope, utcnow
from sla.web.roles import Role
from tests.conftest import EXAMPLES, SUITE_DATABASE_URL, empty_tables
from tests.support import is_postgres

WAIT = 60.0  # seconds; bounds a failure (a process starts in a few seconds)
PROJECT = Path(__file__).resolve().parents[2]
CONTRACT = "D_2024_0110"  # an example contract with a "bloquant" severity
BURST_SECONDS = 2.0
BURST_CLIENTS = 4
EVENTS_PER_INCIDENT = 3
DEMO_INCIDENTS = 1500  # `sla incidents refresh --all` then runs for ~6-10 s here
WRITE_DEADLINE = 1.0  # seconds: a write succeeds within this, or is refused with a 503


# -- processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Children:
    """`sla` commands as child processes on one database; those still running are killed
    at the end of the test."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.folder = folder
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_")}
        self.env.update(
            SLA_DATABASE_URL=database_url,
            SLA_APP_INSTANCE_PATH=str(folder / "instance"),
            SLA_APP_SECRET_KEY="drill-secret-key",
            SLA_SERVER_SCHEDULER="false",
        )
        self.started: list[subprocess.Popen[bytes]] = []

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else "(no log)"

    def run(self, *args: str, timeout: float = WAIT) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "sla", *args],
            env=self.env,
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"sla {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("wb") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                [sys.executable, "-m", "sla", *args],
                env={**self.env, **env},
                cwd=PROJECT,
                stdout=log,
                stderr=log,
            )
        self.started.append(process)
        return process

    def serve(self, name: str) -> tuple[subprocess.Popen[bytes], int]:
        """`sla serve` on a free port, once /healthz answers 200."""
        port = free_port()
        process = self.start(name, "serve", SLA_SERVER_PORT=str(port))
        deadline = time.monotonic() + WAIT
        while True:
            assert process.poll() is None, f"{name} exited:\n{self.log(name)}"
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                try:
                    connection.request("GET", "/healthz")
                    if connection.getresponse().status == 200:
                        return process, port
                finally:
                    connection.close()
            except OSError:
                pass
            assert time.monotonic() < deadline, f"{name} not ready:\n{self.log(name)}"
            time.sleep(0.1)

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(WAIT)


@pytest.fixture
def children(tmp_path: Path) -> Iterator[Callable[[str], Children]]:
    made: list[Children] = []

    def make(database_url: str) -> Children:
        made.append(Children(database_url, tmp_path))
        return made[-1]

    yield make
    for group in made:
        group.stop()


def api_token(database_url: str, username: str, *, create: bool) -> str:
    """A personal API token of `username` (an agent created here when `create`)."""
    engine = make_engine(load_settings({}, overrides={"database": {"url": database_url}}))
    try:
        with session_scope(engine) as session:
            if create:
                user = accounts.create_user(
                    session,
                    username=username,
                    password="correct horse battery",
                    role=Role.agent,
                    now=utcnow(),
                )
            else:
                found = accounts.find_user(session, username)
                assert found is not None, f"no user {username}"
                user = found
            token, _ = accounts.create_api_token(session, user, name="drill", now=utcnow())
    finally:
        engine.dispose()
    return token


# -- HTTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    seconds: float


class Client:
    """One keep-alive connection to the server with a bearer token. A request that gets no
    answer (connection refused or reset, timeout) raises OSError or HTTPException."""

    def __init__(self, port: int, token: str, timeout: float = WAIT) -> None:
        self.port = port
        self.timeout = timeout
        self.auth = {"Authorization": f"Bearer {token}"}
        self.connection: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: Any = None) -> Answer:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=self.timeout
            )
        headers = dict(self.auth)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        seconds = time.monotonic() - started
        if response.will_close:
            self.close()
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        parsed = (
            json.loads(raw)
            if answer_headers.get("content-type", "").startswith("application/json")
            else raw
        )
        return Answer(response.status, answer_headers, parsed, seconds)

    def get(self, path: str) -> Answer:
        return self.call("GET", path)

    def post(self, path: str, body: Any) -> Answer:
        return self.call("POST", path, body)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def contract_id(client: Client, reference: str = CONTRACT) -> int:
    listed = client.get("/api/v1/contracts")
    assert listed.status == 200, listed.body
    return next(int(c["id"]) for c in listed.body if c["reference"] == reference)


def report(client: Client, contract: int, title: str) -> Answer:
    return client.post(
        "/api/v1/incidents",
        {"contract_id": contract, "severity": "bloquant", "title": title, "channel": "portal"},
    )


def comment(client: Client, incident: int, revision: int, text: str) -> Answer:
    return client.post(
        f"/api/v1/incidents/{incident}/events",
        {"kind": "comment", "revision": revision, "text": text},
    )


# -- 1. SIGKILL during a burst of writes -----------------------------------------------------


@dataclass
class Burst:
    """What one client thread sent and what was acknowledged (a 2xx answer received)."""

    incidents: dict[int, tuple[str, int]] = field(default_factory=dict)  # id -> title, revision
    events: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> incident, text
    statuses: Counter[int] = field(default_factory=Counter)
    unanswered: int = 0
    error: BaseException | None = None


def burst(client: Client, contract: int, number: int, stop: threading.Event, out: Burst) -> None:
    """Report incidents and comment on them as fast as the server answers, until `stop`."""
    try:
        sequence = 0
        while not stop.is_set():
            sequence += 1
            title = f"drill {number}-{sequence}"
            try:
                answer = report(client, contract, title)
            except (OSError, http.client.HTTPException):
                out.unanswered += 1
                continue
            out.statuses[answer.status] += 1
            if answer.status // 100 != 2:
                continue
            incident, revision = int(answer.body["id"]), int(answer.body["revision"])
            out.incidents[incident] = (title, revision)
            for step in range(EVENTS_PER_INCIDENT):
                text = f"{title} event {step}"
                try:
                    answer = comment(client, incident, revision, text)
                except (OSError, http.client.HTTPException):
                    out.unanswered += 1
                    break
                out.statuses[answer.status] += 1
                if answer.status // 100 != 2:
                    break
                event = answer.body["events"][-1]
                assert event["text"] == text, answer.body
                revision = int(answer.body["revision"])
                out.incidents[incident] = (title, revision)
                out.events[int(event["id"])] = (incident, text)
    except BaseException as error:  # reported by the test, not lost in the thread
        out.error = error
    finally:
        client.close()


def test_server_killed_during_a_burst_of_writes_loses_nothing_acknowledged(
    database_url: str, tmp_path: Path, children: Callable[[str], Children]
) -> None:
    if is_postgres(database_url):
        url = database_url  # the suite's PostgreSQL database, emptied first
        engine = make_engine(load_settings({}, overrides={"database": {"url": url}}))
        empty_tables(engine)
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'drill.db'}"
    group = children(url)
    group.run("contracts", "import", str(EXAMPLES))
    token = api_token(url, "drill-agent", create=True)
    first, port = group.serve("first")
    with Client(port, token) as setup:
        contract = contract_id(setup)

    stop = threading.Event()
    results = [Burst() for _ in range(BURST_CLIENTS)]
    threads = [
        threading.Thread(target=burst, args=(Client(port, token), contract, n, stop, out))
        for n, out in enumerate(results)
    ]
    for thread in threads:
        thread.start()
    time.sleep(BURST_SECONDS)
    first.kill()  # SIGKILL: requests in flight, no clean-up of any kind
    stop.set()
    assert first.wait(WAIT) == -9
    for thread in threads:
        thread.join(WAIT)
    for out in results:
        if out.error is not None:
            raise out.error
    acknowledged = {i: t for out in results for i, t in out.incidents.items()}
    events = {e: t for out in results for e, t in out.events.items()}
    statuses = sum((out.statuses for out in results), Counter[int]())
    unanswered = sum(out.unanswered for out in results)
    print(
        f"\n[kill -9 drill] {make_url(url).get_backend_name()}: answers {dict(statuses)}, "
        f"unanswered {unanswered}; acknowledged {len(acknowledged)} incidents, "
        f"{len(events)} events"
    )
    assert acknowledged and events, f"the burst wrote nothing: {dict(statuses)}"
    # 503 (database busy, retry) is allowed under load; nothing else.
    assert set(statuses) <= {201, 503}, f"unexpected answers in the burst: {dict(statuses)}"

    second, port = group.serve("second")
    with Client(port, token) as client:
        seen_events: dict[int, tuple[int, str]] = {}
        missing: list[str] = []
        for incident, (title, revision) in sorted(acknowledged.items()):
            answer = client.get(f"/api/v1/incidents/{incident}")
            if answer.status != 200:
                missing.append(f"incident {incident} ({title}): {answer.status}")
                continue
            body = answer.body
            if body["title"] != title or body["revision"] < revision:
                missing.append(f"incident {incident}: {body['title']!r} rev {body['revision']}")
            seen_events.update({int(e["id"]): (incident, e["text"]) for e in body["events"]})
        missing += [
            f"event {e} {want}: found {seen_events.get(e)}"
            for e, want in sorted(events.items())
            if seen_events.get(e) != want
        ]
        assert not missing, "acknowledged writes lost after SIGKILL:\n" + "\n".join(missing)

        # Every incident stored is whole: one revision per event recorded after its report.
        stored: list[int] = []
        while True:
            page = client.get(f"/api/v1/incidents?limit=500&offset={len(stored)}")
            assert page.status == 200, page.body
            stored += [int(item["id"]) for item in page.body["items"]]
            if not page.body["items"] or len(stored) >= page.body["total"]:
                break
        assert set(acknowledged) <= set(stored)
        for incident in stored:
            detail = client.get(f"/api/v1/incidents/{incident}").body
            assert detail["revision"] == 1 + len(detail["events"]), detail
    second.kill()
    second.wait(WAIT)

    if not is_postgres(url):
        database = make_url(url).database
        assert database
        with sqlite3.connect(database) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        connection.close()
        assert rows == [("ok",)], rows


# -- 2. A long maintenance job while a client uses the API -----------------------------------


@dataclass(frozen=True)
class Call:
    kind: str  # "list", "read" or "write"
    started: float  # time.monotonic()
    status: int | None  # None: no answer (connection error, timeout)
    seconds: float
    retry_after: str | None


def test_long_refresh_while_a_client_reads_and_writes(
    tmp_path: Path, children: Callable[[str], Children]
) -> None:
    if SUITE_DATABASE_URL and is_postgres(SUITE_DATABASE_URL):
        pytest.skip(
            "SQLite only: the drill is about SQLite's single writer lock held by a long job; "
            "the suite runs on PostgreSQL (SLA_DATABASE_URL)"
        )
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    group = children(url)
    group.run("demo", "--incidents", str(DEMO_INCIDENTS), timeout=180)
    token = api_token(url, "agent", create=False)  # the demo's agent
    server, port = group.serve("server")
    with Client(port, token) as setup:
        created = report(setup, contract_id(setup), "drill: commented during the refresh")
    assert created.status == 201, created.body
    incident, revision = int(created.body["id"]), int(created.body["revision"])

    calls: list[Call] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def timed(client: Client, kind: str, path: str, body: Any = None) -> Answer | None:
        started = time.monotonic()
        try:
            answer = client.call("POST" if body is not None else "GET", path, body)
        except (OSError, http.client.HTTPException):
            calls.append(Call(kind, started, None, time.monotonic() - started, None))
            return None
        calls.append(
            Call(kind, started, answer.status, answer.seconds, answer.headers.get("retry-after"))
        )
        return answer

    def reader() -> None:
        client = Client(port, token, timeout=30)
        try:
            while not stop.is_set():
                listed = timed(client, "list", "/api/v1/incidents?limit=20")
                if listed is not None and listed.status == 200 and listed.body["items"]:
                    timed(client, "read", f"/api/v1/incidents/{listed.body['items'][-1]['id']}")
                timed(client, "read", f"/api/v1/incidents/{incident}")
        except BaseException as error:
            errors.append(error)
        finally:
            client.close()

    def writer() -> None:
        nonlocal revision
        client = Client(port, token, timeout=30)
        try:
            number = 0
            while not stop.is_set():
                number += 1
                answer = timed(
                    client,
                    "write",
                    f"/api/v1/incidents/{incident}/events",
                    {
                        "kind": "comment",
                        "revision": revision,
                        "text": f"pendant le refresh {number}",
                    },
                )
                if answer is not None and answer.status == 201:
                    revision = int(answer.body["revision"])
                time.sleep(0.05)
        except BaseException as error:
            errors.append(error)
        finally:
            client.close()

    threads = [threading.Thread(target=reader), threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the client is busy before the job starts
    began = time.monotonic()
    refresh = group.start("refresh", "incidents", "refresh", "--all")
    try:
        refresh.wait(WAIT)
    finally:
        ended = time.monotonic()
        time.sleep(1.0)  # and after it ends
        stop.set()
        for thread in threads:
            thread.join(WAIT)
    assert not errors, errors

    during = [c for c in calls if began <= c.started <= ended]
    writes = [c for c in calls if c.kind == "write"]
    by_kind = {
        kind: dict(Counter(c.status for c in calls if c.kind == kind))
        for kind in ("list", "read", "write")
    }
    succeeded = [c.seconds for c in writes if c.status is not None and c.status // 100 == 2]
    refused = [c.seconds for c in writes if c.status == 503]
    reads = [c.seconds for c in calls if c.kind != "write" and c.status == 200]
    figures = (
        f"refresh --all over {DEMO_INCIDENTS} demo incidents: {ended - began:.1f} s "
        "with the process's start "
        f"({group.log('refresh').strip().splitlines()[-1:]}); "
        f"{len(calls)} requests, {len(during)} while it ran; statuses {by_kind}; "
        f"write latency max {max(succeeded, default=0):.2f} s over {len(succeeded)} successes, "
        f"503 after {min(refused, default=0):.2f}-{max(refused, default=0):.2f} s "
        f"({len(refused)}); successful read latency max {max(reads, default=0):.2f} s"
    )
    print(f"\n[refresh drill] {figures}")
    assert server.poll() is None, group.log("server")
    assert any(c.kind == "write" for c in during), f"no write while the job ran: {figures}"

    problems = []
    if refresh.returncode != 0:
        job_log = "\n".join(group.log("refresh").strip().splitlines()[-3:])
        problems.append(f"the refresh failed (exit {refresh.returncode}):\n{job_log}")
    problems += [
        f"{c.kind} at +{c.started - began:.1f} s: {c.status} after {c.seconds:.2f} s"
        for c in calls
        if c.status is None
        or (c.status >= 500 and c.status != 503)
        or (c.status == 503 and not c.retry_after)
    ]
    problems += [
        f"write at +{c.started - began:.1f} s: {c.status} after {c.seconds:.2f} s "
        f"(more than {WRITE_DEADLINE:g} s, or neither a success nor a 503)"
        for c in writes
        if c.status is not None
        and c.status != 503
        and not (c.status // 100 == 2 and c.seconds <= WRITE_DEADLINE)
    ]
    assert not problems, f"{figures}\n" + "\n".join(problems)
