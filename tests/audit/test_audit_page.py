"""The audit trail's page and CSV: administrators only, filters that narrow the list (the
days are the deployment's), messages for bad values instead of an error page, pages that keep
the filters, and a CSV whose cells a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy.engine import Engine

from sla.audit import queries
from sla.audit.actions import ACTIONS, ALL_ACTIONS, CHANNELS
from sla.audit.labels import ACTION, AUDIT_CHANNEL, FAMILY, facts_text
from sla.audit.queries import AuditFilter
from sla.audit.record import Actor, record
from sla.audit.views import CSV_COLUMNS
from sla.db import id_of, session_scope
from sla.web.roles import Role

MARIE = Actor(7, "Marie Curie", "web", "192.0.2.10")
ROBOT = Actor(None, "deploy", "cli")
# 2025-03-09 23:30 UTC is already 10 March in Paris (UTC+1 then).
LATE_EVENING = datetime(2025, 3, 9, 23, 30, tzinfo=UTC)
EVENT_ROW = re.compile(r'<tr data-event="(\d+)"')


def _record(engine: Engine, action: str, *, at: datetime, actor: Actor = MARIE, **kw: Any) -> int:
    with session_scope(engine) as session:
        return id_of(record(session, actor, action, now=at, **kw))


def _shown(client: FlaskClient, query: str = "") -> tuple[int, set[int], str]:
    response = client.get(f"/admin/audit/{query}")
    html = response.get_data(as_text=True)
    return response.status_code, {int(i) for i in EVENT_ROW.findall(html)}, html


@pytest.fixture
def admin(client_as: Callable[[Role], FlaskClient]) -> FlaskClient:
    return client_as(Role.admin)


@pytest.fixture
def trail(engine: Engine) -> dict[str, int]:
    """A few acts of 2025, of several families, channels and people."""
    return {
        "role": _record(
            engine,
            "user.role_changed",
            at=LATE_EVENING,
            target_kind="user",
            target_id=99_999,
            target_label="jean",
            before="viewer",
            after="agent",
        ),
        "failure": _record(
            engine,
            "signin.failure",
            at=LATE_EVENING - timedelta(days=1),
            actor=Actor(None, "intrus", "web", "203.0.113.5"),
            target_kind="user",
            target_label="intrus",
            reason="wrong_password",
        ),
        "token": _record(
            engine,
            "token.created",
            at=LATE_EVENING + timedelta(days=2),
            actor=ROBOT,
            target_kind="token",
            target_id=3,
            target_label='=HYPERLINK("http://evil.example")',
            prefix="gar_ab12",
        ),
        "import": _record(
            engine,
            "contract.imported",
            at=LATE_EVENING + timedelta(days=5),
            actor=ROBOT,
            target_kind="contract",
            target_id=88_888,
            target_label="MARCHE-2025-01",
            version=1,
        ),
    }


def test_administrators_see_the_trail_with_its_words(
    app: Flask, admin: FlaskClient, trail: dict[str, int]
) -> None:
    status, shown, html = _shown(admin)
    assert status == 200
    assert set(trail.values()) <= shown
    with app.test_request_context(), force_locale("fr"):
        role_changed = str(ACTION["user.role_changed"])
        command_line = str(AUDIT_CHANNEL["cli"])
        change = facts_text("user.role_changed", {"before": "viewer", "after": "agent"})
    assert role_changed in html
    assert command_line in html
    # The change is worded with the roles' names, not their keys.
    assert "lecteur → agent" in change
    assert "192.0.2.10" in html and "Marie Curie" in html
    # The failed sign-in has no account behind it: its "who" reads as the name typed.
    assert "intrus" in html
    # Newest first: the import (10 March + 5 days) comes before the role change.
    assert html.index(f'data-event="{trail["import"]}"') < html.index(
        f'data-event="{trail["role"]}"'
    )


def test_a_target_links_to_its_page_only_while_it_exists(
    admin: FlaskClient, engine: Engine, contracts: dict[str, int]
) -> None:
    reference, contract_id = next(iter(contracts.items()))
    _record(
        engine,
        "contract.amended",
        at=LATE_EVENING,
        target_kind="contract",
        target_id=contract_id,
        target_label=reference,
    )
    _record(
        engine,
        "contract.amended",
        at=LATE_EVENING,
        target_kind="contract",
        target_id=987_654,
        target_label="GONE-REF",
    )
    _status, _shown_ids, html = _shown(admin, "?what=contract.amended")
    assert f'href="/contracts/{contract_id}"' in html
    assert "GONE-REF" in html
    assert 'href="/contracts/987654"' not in html


@pytest.mark.parametrize("role", [Role.viewer, Role.agent])
def test_agents_and_viewers_are_refused(
    client_as: Callable[[Role], FlaskClient], role: Role
) -> None:
    client = client_as(role)
    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/admin/audit/audit.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(app: Flask) -> None:
    client = app.test_client()
    for url in ("/admin/audit/", "/admin/audit/audit.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        # (The administrator reading the page was created now, by the fixtures: not in 2025.)
        ("?what=user&to=2025-12-31", {"role"}),
        ("?what=signin.failure", {"failure"}),
        ("?what=token", {"token"}),
        ("?channel=cli", {"token", "import"}),
        ("?actor=marie", {"role"}),
        ("?actor=DEPLOY&what=contract", {"import"}),
        ("?target=hyperlink", {"token"}),
        # 23:30 UTC on 9 March is 10 March in Paris: in "from 10 March", not in "to 9 March".
        ("?from=2025-03-10&to=2025-03-10", {"role"}),
        ("?from=2025-03-01&to=2025-03-09", {"failure"}),
        ("?from=2025-03-11&to=2025-12-31", {"token", "import"}),
    ],
)
def test_filters_narrow_the_list(
    admin: FlaskClient, trail: dict[str, int], query: str, kept: set[str]
) -> None:
    status, shown, _html = _shown(admin, query)
    assert status == 200
    assert shown == {trail[name] for name in kept}


@pytest.mark.parametrize(
    ("query", "field", "kept"),
    [
        ("?from=2025-02-30", "Du", {"role", "failure", "token", "import"}),
        ("?to=demain", "Au", {"role", "failure", "token", "import"}),
        ("?from=0001-01-01", "Du", {"role", "failure", "token", "import"}),
        # The first day stands; the last one, before it, is refused.
        ("?from=2025-03-10&to=2025-03-01", "Au", {"role", "token", "import"}),
    ],
)
def test_a_bad_day_is_refused_with_a_french_message_naming_the_field(
    admin: FlaskClient, trail: dict[str, int], query: str, field: str, kept: set[str]
) -> None:
    status, shown, html = _shown(admin, query)
    assert status == 400
    # « Du » : date attendue…, with French typography's no-break spaces.
    assert re.search(rf"«\s{field}\s»\s: (date attendue|le dernier jour)", html), html
    assert 'aria-invalid="true"' in html
    # The value it cannot read restricts nothing (the sign-in of the test's admin is today).
    assert {trail[name] for name in kept} <= shown
    assert not {trail[name] for name in set(trail) - kept} & shown
    csv_response = admin.get(f"/admin/audit/audit.csv{query}")
    assert csv_response.status_code == 400
    assert "Content-Disposition" not in csv_response.headers


@pytest.mark.parametrize(
    "query", ["?what=user.deleted", "?channel=fax", "?actor=a%0Ab", "?page=x&what=%00"]
)
def test_other_bad_values_are_a_400_not_a_500(
    admin: FlaskClient, trail: dict[str, int], query: str
) -> None:
    status, _shown_ids, html = _shown(admin, query)
    assert status == 400
    assert 'class="error"' in html


def _csv_rows(response: Any) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_has_the_header_and_one_row_per_event(
    app: Flask, admin: FlaskClient, trail: dict[str, int]
) -> None:
    response = admin.get("/admin/audit/audit.csv?from=2025-01-01&to=2025-12-31")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = _csv_rows(response)
    with app.test_request_context(), force_locale("fr"):
        header = [str(column) for column in CSV_COLUMNS]
        token_label = str(ACTION["token.created"])
        web_label = str(AUDIT_CHANNEL["web"])
        change = facts_text("user.role_changed", {"before": "viewer", "after": "agent"})
    assert rows[0] == header
    assert len(rows) == 1 + len(trail)
    by_key = {row[2]: row for row in rows[1:]}
    token = by_key["token.created"]
    assert token[1] == token_label
    # 11 March 2025 23:30 UTC, in Paris time with its offset.
    assert token[0] == "2025-03-12T00:30:00+01:00"
    # A label a spreadsheet would run as a formula stays text.
    assert token[8] == '\'=HYPERLINK("http://evil.example")'
    assert by_key["user.role_changed"][3:6] == ["Marie Curie", web_label, "192.0.2.10"]
    assert by_key["user.role_changed"][9] == change


def test_the_csv_keeps_the_filters_and_a_safe_download_name(
    admin: FlaskClient, trail: dict[str, int]
) -> None:
    response = admin.get("/admin/audit/audit.csv?what=user&from=2025-03-01&to=2025-03-31")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    name = re.search(r'filename="?([^";]+)"?', disposition)
    assert name is not None
    assert re.fullmatch(r"[\w.-]+\.csv", name.group(1))
    assert "user_2025-03-01_2025-03-31" in name.group(1)
    rows = _csv_rows(response)
    assert [row[2] for row in rows[1:]] == ["user.role_changed"]


def test_the_page_link_to_the_csv_keeps_the_filters(
    admin: FlaskClient, trail: dict[str, int]
) -> None:
    _status, _shown_ids, html = _shown(admin, "?what=token&actor=deploy")
    link = re.search(r'href="(/admin/audit/audit\.csv\?[^"]+)"', html)
    assert link is not None
    assert "what=token" in link.group(1) and "actor=deploy" in link.group(1)


def test_pages_of_fifty_keep_the_filters(admin: FlaskClient, engine: Engine) -> None:
    start = datetime(2025, 6, 1, 8, tzinfo=UTC)
    with session_scope(engine) as session:
        ids = [
            id_of(
                record(
                    session, ROBOT, "token.revoked", now=start + timedelta(minutes=i), prefix=str(i)
                )
            )
            for i in range(queries.PAGE_SIZE * 2 + 7)
        ]
    newest_first = ids[::-1]
    status, first, html = _shown(admin, "?what=token.revoked")
    assert status == 200
    assert first == set(newest_first[: queries.PAGE_SIZE])
    assert "page=2" in html and "what=token.revoked" in html
    _status, third, html = _shown(admin, "?what=token.revoked&page=3")
    assert third == set(newest_first[2 * queries.PAGE_SIZE :])
    assert "page=2" in html and "page=4" not in html
    # A page past the last shows the last one.
    _status, beyond, _html = _shown(admin, "?what=token.revoked&page=99")
    assert beyond == third


def test_the_csv_reads_the_trail_in_batches(engine: Engine, app: Flask) -> None:
    start = datetime(2025, 6, 1, 8, tzinfo=UTC)
    with session_scope(engine) as session:
        for i in range(23):
            record(session, ROBOT, "token.created", now=start + timedelta(seconds=i))
    with session_scope(engine) as session:
        read = [event.at for event in queries.iter_events(session, AuditFilter(), batch=5)]
    assert len(read) == 23
    assert read == sorted(read, reverse=True)


def test_every_act_family_and_channel_has_its_words() -> None:
    assert set(ACTION) == set(ALL_ACTIONS)
    assert set(FAMILY) == set(ACTIONS)
    assert set(AUDIT_CHANNEL) == set(CHANNELS)
