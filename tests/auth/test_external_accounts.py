"""The account of a person a source vouches for follows their name when the source's identifier
changes (an OpenID Connect issuer moved from integration to production), and the source's own
reactivation leaves no refusal reason in the trail."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from sla.audit.models import AuditEvent
from sla.auth import external
from sla.db import session_scope, utcnow
from sla.web.roles import Role


def _person(external_id: str, role: Role | None = Role.agent) -> external.ExternalIdentity:
    return external.ExternalIdentity(
        "oidc", external_id, "marie@ville.example", "Marie Curie", "marie@ville.example", role
    )


def test_a_new_issuer_finds_the_same_account(app: Flask, engine: Engine) -> None:
    with session_scope(engine) as session:
        first = external.sign_in(
            session, _person("https://integ.example/api/v2 s1"), now=utcnow(), remote_addr=""
        )
        first_id = first.id
    with session_scope(engine) as session:
        again = external.sign_in(
            session, _person("https://prod.example/api/v2 s9"), now=utcnow(), remote_addr=""
        )
        assert (again.id, again.external_id) == (first_id, "https://prod.example/api/v2 s9")


def test_the_source_gives_back_its_withdrawal_without_a_refusal_reason(
    app: Flask, engine: Engine
) -> None:
    with session_scope(engine) as session:
        external.sign_in(session, _person("iss s1"), now=utcnow(), remote_addr="")
    with session_scope(engine) as session:
        try:
            external.sign_in(session, _person("iss s1", role=None), now=utcnow(), remote_addr="")
        except external.ExternalRefused as refused:
            assert refused.reason == "not_allowed"
    with session_scope(engine) as session:
        user = external.sign_in(session, _person("iss s1"), now=utcnow(), remote_addr="")
        assert user.active
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).in_(["user.deactivated", "user.activated"]))
            .order_by(col(AuditEvent.id))
        ).all()
    assert [(e.action, e.detail.get("reason")) for e in events] == [
        ("user.deactivated", "not_allowed"),
        ("user.activated", None),
    ]
