"""The scheduler as real processes: killed between recording and sending, then restarted;
two schedulers on one PostgreSQL database. Each process's clock starts at an instant given
with `--now`, so the alerts' times are set by the test, not by waiting for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from incidents.service import report_incident
from sla.alerts.models import Notification
from sla.app import create_app
from sla.db import session_scope, upgrade
from tests.alerts.test_alerts import H, setup
from tests.conftest import POSTGRES_URL, app_config, reset_postgres_schema
from tests.support import ALERTS, require

WAIT = 120.0  # seconds; a process starts in a few seconds, this only bounds a failure


def config_file(path: Path, settings: dict[str, Any]) -> Path:
    """A TOML configuration (values written as JSON, which TOML reads the same for these)."""
    lines = []
    for section, values in settings.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Processes:
    """`sla` commands as child processes, with only our configuration file in their
    environment (no SLA_* variable of the test run leaks in); killed at the end."""

    def __init__(self, config: Path, logs: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_")}
        self.env["SLA_CONFIG"] = str(config)
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                [sys.executable, "-m", "sla", *args], env=self.env, stdout=log, stderr=log
            )
        self.started.append(process)
        return process

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "sla", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=WAIT)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], Processes]]:
    made: list[Processes] = []

    def make(settings: dict[str, Any]) -> Processes:
        made.append(Processes(config_file(tmp_path / "garantie.toml", settings), tmp_path))
        return made[-1]

    yield make
    for group in made:
        group.stop()


def child_settings(app: Flask) -> dict[str, Any]:
    """What the child processes need of the test application's settings."""
    settings = app.config["SLA_SETTINGS"]
    alerts = settings["alerts"]
    return {
        "database": {"url": settings["database"]["url"]},
        "app": {
            "instance_path": settings["app"]["instance_path"],
            "secret_key": "test-secret-key",
            "base_url": settings["app"]["base_url"],
        },
        "smtp": {k: settings["smtp"][k] for k in ("host", "port", "sender", "timeout_seconds")},
        "alerts": {
            "team_email": alerts["team_email"],
            "webhooks": list(alerts["webhooks"]),
            "webhook_format": alerts["webhook_format"],
            "sweep_seconds": 5,
        },
        "server": {"scheduler": False},
    }


def outbox(engine: Engine) -> list[Notification]:
    with Session(engine) as session:
        return list(session.exec(select(Notification)).all())


def wait_for(condition: Callable[[], bool], what: str, logs: Callable[[], str]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{logs()}"
        time.sleep(0.2)


def test_scheduler_killed_between_recording_and_sending_sends_once_after_restart(
    alerts_app: Flask, mailbox: Any, webhook: Any, processes: Any
) -> None:
    box, _port = mailbox
    hooks, _url = webhook
    engine = alerts_app.extensions["sla.engine"]
    setup(alerts_app)
    children = processes(child_settings(alerts_app))
    now = H + timedelta(hours=3)  # the take-charge warning is due (see test_alerts)

    # The first scheduler records the alerts, claims them and is stuck sending the first mail.
    box.holding.set()
    first = children.start("first", "scheduler", "--now", now.isoformat())
    assert box.arrived.wait(WAIT), children.log("first")
    recorded = outbox(engine)
    assert sorted(n.channel for n in recorded) == ["email", "email", "webhook"]
    assert any(n.status == "pending" and n.claimed_by for n in recorded)
    first.kill()  # SIGKILL: no clean-up of any kind
    assert first.wait(WAIT) == -9
    box.holding.clear()
    assert box.messages == []

    # Restarted after its lease (5 minutes) has run out: what was claimed is sent, once.
    second = children.start(
        "second", "scheduler", "--now", (now + timedelta(minutes=6)).isoformat()
    )
    wait_for(
        lambda: all(n.status == "sent" for n in outbox(engine)),
        "the restarted scheduler to send the outbox",
        lambda: children.log("second"),
    )
    second.kill()
    second.wait(WAIT)
    # And a later tick in yet another process has nothing left to send.
    later = (now + timedelta(minutes=10)).isoformat()
    assert children.run("alerts", "tick", "--now", later).strip() == (
        "recorded 0, sent 0, failed 0"
    )
    assert sorted(m["X-Envelope-To"] for m in box.messages) == [
        "camille@ville.example",
        "dsi@ville.example",
    ]
    assert len(hooks) == 1
    assert all(n.attempts == 1 for n in outbox(engine) if n.channel == "email")


def test_two_scheduler_processes_on_postgresql_send_each_alert_once(
    mailbox: Any, tmp_path: Path, processes: Any
) -> None:
    require(bool(POSTGRES_URL), "SLA_TEST_POSTGRES_URL is not set: no PostgreSQL server here")
    box, port = mailbox
    reset_postgres_schema(POSTGRES_URL)
    app = create_app(
        app_config(
            POSTGRES_URL,
            tmp_path / "instance",
            smtp={"host": "127.0.0.1", "port": port, "sender": "garantie@ville.example"},
            alerts={"team_email": "dsi@ville.example"},
            app={"base_url": "https://garantie.ville.example"},
        ),
        environ={},
    )
    engine = app.extensions["sla.engine"]
    try:
        upgrade(engine)
        first_id = setup(app)
        with session_scope(engine) as session:
            from incidents.models import Incident

            model = session.get(Incident, first_id)
            assert model is not None
            for number in range(11):
                report_incident(
                    session,
                    contract_id=model.contract_id,
                    severity=("bloquant", "majeur")[number % 2],
                    title=f"Incident {number}",
                    reported_at=H + timedelta(minutes=number),
                    now=H + timedelta(minutes=number),
                    user_id=model.reporter_id,
                    alert_settings=ALERTS,
                )
        children = processes(child_settings(app))
        now = (H + timedelta(days=2)).isoformat()  # every target of every incident breached
        pair = [children.start(f"scheduler{i}", "scheduler", "--now", now) for i in range(2)]

        def settled() -> bool:
            rows = outbox(engine)
            return bool(rows) and all(n.status == "sent" for n in rows)

        wait_for(settled, "both schedulers to send everything", lambda: children.log("scheduler0"))
        # Let both run at least one more round each (their first ticks may have been
        # skipped on the sweep lock), then stop them.
        time.sleep(6)
        assert all(p.poll() is None for p in pair), children.log("scheduler1")
        for process in pair:
            process.kill()
            process.wait(WAIT)
        mails = [n for n in outbox(engine) if n.channel == "email"]
        assert len(mails) >= 24  # 12 incidents × (reporter + team) at least
        assert len(box.messages) == len(mails)
        assert len({m["Message-ID"] for m in box.messages}) == len(mails)
        assert {n.status for n in mails} == {"sent"} and {n.attempts for n in mails} == {1}
    finally:
        engine.dispose()


def test_scheduler_stopped_by_sigterm_mid_batch_gives_its_claims_back(
    alerts_app: Flask, mailbox: Any, webhook: Any, processes: Any
) -> None:
    box, _port = mailbox
    engine = alerts_app.extensions["sla.engine"]
    setup(alerts_app)
    children = processes(child_settings(alerts_app))
    now = H + timedelta(hours=3)
    box.holding.set()  # the first mail is held: the batch is mid-send
    first = children.start("first", "scheduler", "--now", now.isoformat())
    assert box.arrived.wait(WAIT), children.log("first")
    assert any(n.claimed_by for n in outbox(engine))
    first.terminate()  # SIGTERM, as systemd or docker stop send
    time.sleep(1.0)
    box.holding.clear()  # the held mail is refused (temporary error); no other is sent
    assert first.wait(WAIT) == 0, children.log("first")
    assert "given back" in children.log("first")
    left = outbox(engine)
    assert all(n.claimed_by is None and n.claimed_until is None for n in left), [
        (n.id, n.status, n.claimed_by) for n in left
    ]
    assert all(n.status in ("pending", "sent") for n in left)
    assert box.messages == []
