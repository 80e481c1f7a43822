"""Alert mails, contract notices and the digest are written in the application's language
(`[app] default_locale`): English in English mode, today's French in French mode (a real SMTP
server and a real webhook endpoint on loopback)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from sla import formats
from sla.alerts.language import TRANSLATIONS, words_in
from sla.alerts.messages import Alert, Words
from sla.alerts.scheduler import digest
from sla.app import create_app
from sla.auth import service as accounts
from sla.db import session_scope
from tests.alerts.conftest import text_of
from tests.alerts.test_alerts import run, setup
from tests.conftest import app_config, empty_tables

PARIS = ZoneInfo("Europe/Paris")
# Bloquant, reported Monday 09:00: the take-charge (4 business hours) falls due at 15:00.
BREACH_AT = datetime(2025, 5, 5, 15, 1, tzinfo=PARIS)
NOTICE_AT = datetime(2025, 6, 10, 9, tzinfo=PARIS)  # Libriciel: last day 30/06/2025
DIGEST_AT = datetime(2025, 5, 6, 8, tzinfo=PARIS)


@dataclass(frozen=True)
class Expected:
    """What a language says; and the other language's words, which must not appear."""

    breach: str
    heading: str
    lines: tuple[str, ...]
    notice: str
    notice_line: str
    notice_heading: str
    digest: str
    digest_lines: tuple[str, ...]
    absent: tuple[str, ...]


ENGLISH = Expected(
    breach="[Garantie] Delay breached — Libriciel SCOP — #",
    heading="<h2>Delay breached</h2>",
    lines=(
        "Delay breached: Prise en compte (",
        "for incident #",
        "Vendor: Libriciel SCOP — contract D_2024_0110 — severity ",
        "Deadline: Mon 5 May 2025 15:00.",
        "Late by: 1 min business.",
        "See: https://garantie.ville.example/incidents/",
        "— Garantie",
    ),
    notice="[Garantie] Notice of termination to give — Libriciel SCOP — D_2024_0110",
    notice_line="Last day to give notice of non-renewal: June 30, 2025 "
    "(the period ends on August 31, 2025).",
    notice_heading="<h2>Notice of termination to give</h2>",
    digest="[Garantie] Digest of May 6, 2025",
    digest_lines=("Delays breached yesterday (1):", "Due today (0):", "  none"),
    absent=("Échéance", "Prestataire", "Voir", "Retard", "ouvrée", "Délai", "Contrat"),
)
FRENCH = Expected(
    breach="[Garantie] Délai dépassé — Libriciel SCOP — n° ",
    heading="<h2>Délai dépassé</h2>",
    lines=(
        "Délai dépassé : Prise en compte (",
        "pour l'incident n° ",
        "Prestataire : Libriciel SCOP — contrat D_2024_0110 — gravité ",
        "Échéance : lun. 5 mai 2025 15:00.",
        "Retard : 1 min ouvrée.",
        "Voir : https://garantie.ville.example/incidents/",
        "— Garantie",
    ),
    notice="[Garantie] Préavis de dénonciation à donner — Libriciel SCOP — D_2024_0110",
    notice_line="Dernier jour pour dénoncer la reconduction : 30 juin 2025 "
    "(fin de la période le 31 août 2025).",
    notice_heading="<h2>Préavis de dénonciation à donner</h2>",
    digest="[Garantie] Synthèse du 6 mai 2025",
    digest_lines=("Délais dépassés hier (1) :", "À échéance aujourd'hui (0) :", "  aucun"),
    absent=("Deadline", "Vendor", "See:", "Late by", "business", "breached"),
)
EXPECTED = {"en": ENGLISH, "fr": FRENCH}


@pytest.fixture
def app_in(
    database_url: str, tmp_path: Path, mailbox: Any, webhook: Any
) -> Iterator[Callable[[str], Flask]]:
    """An application in the given language whose alerts go to the loopback servers."""
    _box, port = mailbox
    _hooks, url = webhook
    made: list[Flask] = []

    def make(locale: str) -> Flask:
        config = app_config(
            database_url,
            tmp_path / "instance",
            smtp={"host": "127.0.0.1", "port": port, "sender": "garantie@ville.example"},
            alerts={
                "team_email": "dsi@ville.example",
                "webhooks": [url],
                "webhook_format": "mattermost",
            },
            app={"base_url": "https://garantie.ville.example", "default_locale": locale},
        )
        app = create_app(config, environ={})
        empty_tables(app.extensions["sla.engine"])
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["sla.engine"].dispose()


def html_of(message: Message) -> str:
    body = message.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    return str(body.get_content())


def with_subject(messages: list[Message], start: str) -> list[Message]:
    return [m for m in messages if str(m["Subject"]).startswith(start)]


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_a_breach_mail_reads_in_the_configured_language(
    app_in: Callable[[str], Flask], mailbox: Any, webhook: Any, locale: str
) -> None:
    box, _port = mailbox
    hooks, _url = webhook
    words = EXPECTED[locale]
    app = app_in(locale)
    setup(app)
    run(app, BREACH_AT)
    mails = with_subject(box.to("dsi@ville.example"), words.breach)
    assert len(mails) == 1, [m["Subject"] for m in box.to("dsi@ville.example")]
    assert str(mails[0]["Subject"]).endswith("Convocations bloquées — Prise en compte")
    text = text_of(mails[0])
    for line in words.lines:
        assert line in text
    html = html_of(mails[0])
    assert words.heading in html
    for other in words.absent:
        assert other not in text and other not in str(mails[0]["Subject"])
    assert any(h["text"].startswith(f"**{words.breach}") for h in hooks)


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_a_contract_notice_reads_in_the_configured_language(
    app_in: Callable[[str], Flask], mailbox: Any, locale: str
) -> None:
    box, _port = mailbox
    words = EXPECTED[locale]
    app = app_in(locale)
    setup(app)
    run(app, NOTICE_AT)
    notices = with_subject(box.messages, words.notice)
    assert notices, [m["Subject"] for m in box.messages]
    text = text_of(notices[0])
    assert words.notice_line in text
    assert words.notice_heading in html_of(notices[0])
    for other in words.absent:
        assert other not in text


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_digest_reads_in_the_configured_language(
    app_in: Callable[[str], Flask], mailbox: Any, locale: str
) -> None:
    box, _port = mailbox
    words = EXPECTED[locale]
    app = app_in(locale)
    setup(app)
    engine = app.extensions["sla.engine"]
    with session_scope(engine) as session:
        user = accounts.find_user(session, "camille")
        assert user is not None
        user.notify_digest = True
    run(app, BREACH_AT)  # the take-charge breached on Monday
    assert digest(engine, app.config["SLA_SETTINGS"], now=DIGEST_AT) == 1
    run(app, DIGEST_AT + timedelta(minutes=1))
    summaries = with_subject(box.to("camille@ville.example"), words.digest)
    assert len(summaries) == 1
    text = text_of(summaries[0])
    for line in words.digest_lines:
        assert line in text
    for other in words.absent:
        assert other not in text


def test_english_is_the_msgids_and_durations_follow_the_one_rule() -> None:
    english = words_in("en", str(TRANSLATIONS))
    assert english.locale == "en" and english("Deadline: %(deadline)s.", deadline="x") == (
        "Deadline: x."
    )
    assert [formats.duration(s, True, "en") for s in (60, 5400, 7200, 400 * 3600)] == [
        "1 min business",
        "1 h 30 business",
        "2 h business",
        "400 h business",
    ]
    assert formats.duration(3 * 86400 + 4 * 3600, False, "en") == "3 d 4 h"
    assert formats.duration(3 * 86400 + 4 * 3600, False, "fr") == "3 j 4 h"
    assert formats.french_duration(5400) == "1 h 30 ouvrée"
    assert formats.french_duration(7200) == "2 h ouvrées"
    assert formats.french_duration(60) == "1 min ouvrée"


def test_an_alert_built_without_words_reads_as_before_and_rewords() -> None:
    alert = Alert("breach", "s", ("line",), "https://x/incidents/1", {})
    assert "Voir : https://x/incidents/1" in alert.text()
    assert "<h2>Délai dépassé</h2>" in alert.html()
    english = alert.worded(Words(lambda msgid: msgid, "en"))
    assert "See: https://x/incidents/1" in english.text()
    assert "<h2>Delay breached</h2>" in english.html()
