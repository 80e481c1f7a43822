"""Delivery of recorded notifications: claim, send, mark — with retries and backoff.

A worker claims a pending row with a lease (a conditional UPDATE: only one worker wins) and
commits the claim before sending; it then marks the row sent, or schedules a retry with
exponential backoff, and fails it after `max_attempts`. A worker that dies after claiming
leaves a lease that expires: the row is sent once, later, by whoever runs next.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from sla.alerts.models import Notification
from sla.safe_text import one_line

log = logging.getLogger("sla.alerts")
LEASE = timedelta(minutes=5)
BATCH = 100


class Undeliverable(Exception):
    """The message itself cannot be sent (it cannot be built, or the server refused it for
    good): retrying would fail the same way, so it fails at once, loudly."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


# The files a notification carries, read when it is sent (the monthly report's PDF): given
# by the layer that knows what a notification may refer to.
AttachmentSource = Callable[[Session, Notification], list[Attachment]]


class Transport(Protocol):
    def send(self, notification: Notification, attachments: Sequence[Attachment] = ()) -> None:
        """Deliver, or raise with the reason."""


@dataclass(frozen=True)
class SmtpTransport:
    """Mail through SMTP (none, STARTTLS or TLS; optional login), settings from [smtp]."""

    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str
    timeout: float

    @classmethod
    def from_settings(cls, smtp: Mapping[str, Any]) -> SmtpTransport:
        return cls(
            smtp["host"],
            smtp["port"],
            smtp["security"],
            smtp["username"],
            smtp["password"],
            smtp["sender"],
            smtp["timeout_seconds"],
        )

    def send(self, notification: Notification, attachments: Sequence[Attachment] = ()) -> None:
        """Send one mail; Undeliverable when retrying cannot help."""
        try:
            message = self._message(notification, attachments)
        except (ValueError, TypeError, LookupError) as error:
            raise Undeliverable(f"message cannot be built: {error}") from error
        context = ssl.create_default_context()
        try:
            if self.security == "tls":
                with smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                ) as client:
                    self._deliver(client, message)
            else:
                with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
                    if self.security == "starttls":
                        client.starttls(context=context)
                    self._deliver(client, message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            if codes and all(code >= 500 for code in codes):  # 5xx: refused for good
                raise Undeliverable(f"recipient refused by the mail server: {error}") from error
            raise

    def _message(
        self, notification: Notification, attachments: Sequence[Attachment]
    ) -> EmailMessage:
        message = EmailMessage()
        # Headers on one line whatever the names in them held (sla.safe_text.one_line).
        message["From"] = one_line(self.sender)
        message["To"] = one_line(notification.recipient)
        message["Subject"] = one_line(notification.subject)
        message["Date"] = formatdate(localtime=False)
        # The same notification always has the same Message-ID: receivers can drop a copy.
        message["Message-ID"] = make_msgid(idstring=f"n{notification.id}", domain="garantie")
        message["X-Garantie-Key"] = one_line(notification.key)
        message.set_content(notification.body_text)
        if notification.body_html:
            message.add_alternative(notification.body_html, subtype="html")
        for attachment in attachments:
            main, _, sub = attachment.mimetype.partition("/")
            message.add_attachment(
                attachment.content, maintype=main, subtype=sub, filename=attachment.filename
            )
        return message

    def _deliver(self, client: smtplib.SMTP, message: EmailMessage) -> None:
        if self.username:
            client.login(self.username, self.password)
        client.send_message(message)


@dataclass(frozen=True)
class WebhookTransport:
    """A JSON POST (the payload was composed when the notification was recorded)."""

    timeout: float = 10.0

    def send(self, notification: Notification, attachments: Sequence[Attachment] = ()) -> None:
        request = urllib.request.Request(  # noqa: S310 (URLs come from the configuration)
            notification.recipient,
            data=json.dumps(notification.payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "User-Agent": "Garantie"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise OSError(f"HTTP {response.status}")


def no_attachments(_session: Session, _notification: Notification) -> list[Attachment]:
    """Alerts carry no file of their own; the jobs module passes the reports' source."""
    return []


def release(engine: Engine, *, worker: str) -> int:
    """Give back what `worker` claimed and did not send (a clean stop): another instance may
    send it at once instead of waiting for the lease to run out."""
    with Session(engine) as session:
        released = session.execute(
            update(Notification)
            .where(col(Notification.claimed_by) == worker, col(Notification.status) == "pending")
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return int(released.rowcount)  # type: ignore[attr-defined]


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def claim(engine: Engine, *, now: datetime, worker: str, limit: int = BATCH) -> list[int]:
    """Claim due notifications for `worker` (committed before returning)."""
    claimed: list[int] = []
    with Session(engine) as session:
        candidates = session.exec(
            select(Notification.id)
            .where(
                Notification.status == "pending",
                col(Notification.next_attempt_at) <= now,
                or_(
                    col(Notification.claimed_until).is_(None), col(Notification.claimed_until) < now
                ),
            )
            .order_by(col(Notification.next_attempt_at), col(Notification.id))
            .limit(limit)
        ).all()
        for notification_id in candidates:
            won = session.execute(
                update(Notification)
                .where(
                    col(Notification.id) == notification_id,
                    col(Notification.status) == "pending",
                    or_(
                        col(Notification.claimed_until).is_(None),
                        col(Notification.claimed_until) < now,
                    ),
                )
                .values(claimed_by=worker, claimed_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
            if won.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(int(notification_id or 0))
        session.commit()
    return claimed


def deliver(
    engine: Engine,
    *,
    now: datetime,
    worker: str,
    transports: Mapping[str, Transport],
    max_attempts: int,
    attachments: AttachmentSource = no_attachments,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[int, int]:
    """Claim and send what is due. Returns (sent, failed attempts). When `should_stop` says
    so (the process is asked to stop), the rest of the batch is left for `release`."""
    sent = failed = 0
    for notification_id in claim(engine, now=now, worker=worker):
        if should_stop():
            break
        with Session(engine, expire_on_commit=False) as session:
            notification = session.get(Notification, notification_id)
            if notification is None or notification.claimed_by != worker:
                continue
            try:
                transports[notification.channel].send(
                    notification, attachments(session, notification)
                )
            except Exception as error:
                notification.attempts += 1
                notification.last_error = f"{type(error).__name__}: {error}"[:500]
                notification.claimed_by = None
                notification.claimed_until = None
                if isinstance(error, Undeliverable) or notification.attempts >= max_attempts:
                    notification.status = "failed"
                    log.error(
                        "alert not delivered",
                        extra={"notification": notification.id, "error": notification.last_error},
                    )
                else:
                    notification.next_attempt_at = now + backoff(notification.attempts)
                failed += 1
            else:
                notification.attempts += 1
                notification.status = "sent"
                notification.sent_at = now
                notification.claimed_until = None
                sent += 1
            session.add(notification)
            session.commit()
    return sent, failed
