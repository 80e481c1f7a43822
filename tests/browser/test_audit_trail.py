"""An administrator's day in the audit trail, in Chromium: a failed sign-in from somewhere, an
account created and promoted through the pages, then the trail read back, filtered to the
sign-ins, and its CSV downloaded. No console error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from sla.auth import service as accounts
from sla.db import session_scope
from sla.web.roles import Role
from tests.support import PASSWORD

pytestmark = pytest.mark.browser


def test_the_trail_tells_who_did_what_from_where(
    live_app: Flask, live_server: str, browser_instance: Any, shots: Path
) -> None:
    with session_scope(live_app.extensions["sla.engine"]) as session:
        if accounts.find_user(session, "dsi-admin") is None:
            accounts.create_user(
                session,
                username="dsi-admin",
                password=PASSWORD,
                role=Role.admin,
                now=datetime.now(UTC),
                display_name="Claire Martin (DSI)",
            )
    stranger = browser_instance.new_context(locale="fr-FR")
    attempt = stranger.new_page()
    attempt.goto(f"{live_server}/login")
    attempt.get_by_label("Identifiant").fill("dsi-admin")
    attempt.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    attempt.get_by_role("button", name="Se connecter").click()
    assert "Identifiant ou mot de passe incorrect" in attempt.content()
    stranger.close()

    context = browser_instance.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Identifiant").fill("dsi-admin")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/admin/users/")
    page.get_by_label("Identifiant").fill("nouvel-agent")
    page.get_by_label("Nom complet").fill("Nadia Benali")
    page.get_by_role("button", name="Créer").click()
    page.get_by_role("link", name="nouvel-agent").click()
    page.get_by_label("Rôle").select_option("admin")
    page.get_by_role("button", name="Enregistrer").click()

    page.goto(f"{live_server}/admin/audit/")
    rows = page.locator("table tbody tr")
    text = page.locator("table").inner_text()
    for expected in ("Compte créé", "Rôle", "Connexion réussie", "Échec de connexion"):
        assert expected in text, text
    assert "nouvel-agent" in text and "127.0.0.1" in text
    assert rows.count() >= 4
    page.screenshot(path=str(shots / "audit-trail.png"), full_page=True)

    page.get_by_label("Action").select_option("signin")
    page.get_by_role("button", name="Filtrer").click()
    filtered = page.locator("table").inner_text()
    assert "Échec de connexion" in filtered and "Compte créé" not in filtered

    with page.expect_download() as caught:
        page.get_by_role("link", name="Télécharger en CSV").click()
    download = caught.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    assert "signin.failure" in content and "user.created" not in content
    assert errors == []
    context.close()
