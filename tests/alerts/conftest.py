"""A real SMTP server (aiosmtpd) and a real HTTP endpoint on loopback, and an application
whose alerts go to them."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from sla.app import create_app
from tests.conftest import app_config, empty_tables


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """Keeps what it accepts. While `holding` is set, a message is held unanswered (the sender
    is stuck mid-send; `arrived` tells the test) and then refused with a temporary error."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.holding = threading.Event()
        self.arrived = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.holding.is_set():
            self.arrived.set()
            while self.holding.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        with self.lock:
            message = message_from_bytes(envelope.content, policy=default)
            message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


def text_of(message: Message) -> str:
    body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(body.get_content())


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


class Hooks(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        Hooks.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def webhook() -> Iterator[tuple[list[dict[str, Any]], str]]:
    Hooks.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Hooks.received, f"http://127.0.0.1:{server.server_address[1]}/hooks/garantie"
    server.shutdown()
    server.server_close()


@pytest.fixture
def alerts_app(
    database_url: str, tmp_path: Path, mailbox: tuple[Mailbox, int], webhook: tuple[list[Any], str]
) -> Iterator[Flask]:
    _box, port = mailbox
    _received, url = webhook
    config = app_config(
        database_url,
        tmp_path / "instance",
        smtp={"host": "127.0.0.1", "port": port, "sender": "garantie@ville.example"},
        alerts={
            "team_email": "dsi@ville.example",
            "webhooks": [url],
            "webhook_format": "mattermost",
            "reminder_hours": 24,
            "max_attempts": 3,
        },
        app={"base_url": "https://garantie.ville.example"},
    )
    app = create_app(config, environ={})
    engine = app.extensions["sla.engine"]
    empty_tables(engine)
    yield app
    engine.dispose()
