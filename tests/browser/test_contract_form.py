"""In a real browser: an administrator enters a contract through the form, with JavaScript
(rows added by the page's buttons, the deadlines preview refreshed as she types), saves it,
and finds every field as typed after a mistake. No console error."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sla.app import create_app
from sla.auth import service as accounts
from sla.contracts.service import contract_files, import_documents, read_documents
from sla.db import session_scope, upgrade
from sla.web.roles import Role
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

ADMIN = "admine-contrats"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "contracts"


@pytest.fixture(scope="module")
def form_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The five example contracts (their vendors and calendars) and an administrator."""
    from waitress.server import create_server

    folder = tmp_path_factory.mktemp("contract-form")
    app = create_app(
        {
            "app": {"instance_path": str(folder), "secret_key": "browser-tests"},
            "database": {"url": f"sqlite:///{folder / 'form.db'}"},
        },
        environ={},
    )
    engine = app.extensions["sla.engine"]
    upgrade(engine)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        import_documents(session, read_documents(contract_files(EXAMPLES)), now=now)
        accounts.create_user(session, username=ADMIN, password=PASSWORD, role=Role.admin, now=now)
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    server.close()
    engine.dispose()


@pytest.fixture
def admin_page(browser_instance: Any, form_server: str) -> Iterator[Any]:
    context = browser_instance.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []

    def noted(message: Any) -> None:
        if message.type != "error":
            return
        # A refused form answers 400 by design (the page itself, not a script or a file).
        refused = "status of 400" in message.text and message.location.get("url", "").endswith(
            "/contracts/new"
        )
        if not refused:
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", noted)
    page.console_errors = errors
    page.goto(f"{form_server}/login")
    page.get_by_label("Identifiant").fill(ADMIN)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{form_server}/")
    yield page
    context.close()


def field(page: Any, name: str) -> Any:
    return page.locator(f'#contract-form [name="{name}"]')


def start_new_contract(page: Any, server: str, reference: str) -> None:
    page.goto(f"{server}/contracts/new")
    # Choosing the vendor shows its calendars (the page comes back with them).
    field(page, "vendor").select_option(label="Libriciel SCOP")
    page.wait_for_selector('input[name="calendars"][value="support"]')
    assert field(page, "contract.calendar").input_value() in ("psg", "support")
    page.locator('input[name="calendars"][value="psg"]').uncheck()
    field(page, "contract.calendar").select_option("support")
    field(page, "contract.reference").fill(reference)
    field(page, "contract.title").fill("Parapheur électronique hébergé")
    field(page, "contract.services").fill("Parapheur\nSignature")
    field(page, "contract.start").fill("2026-01-01")
    field(page, "contract.renewal").select_option("tacit")
    field(page, "contract.notice_months").fill("2")
    field(page, "contract.yearly_amount_ht").fill("2 400,00")
    field(page, "sla.effective_from").fill("2026-01-01")


def test_an_administrator_enters_a_contract_with_the_live_preview(
    admin_page: Any, form_server: str, shots: Path
) -> None:
    page = admin_page
    start_new_contract(page, form_server, "ANNEMASSE-PARAPHEUR-NAV")
    field(page, "sla.severities.0.key").fill("bloquant")
    field(page, "sla.severities.0.label").fill("Niveau 0 – Bloquant")
    field(page, "sla.severities.0.definition").fill("Plus personne ne peut signer.")
    field(page, "sla.severities.0.targets.0.key").fill("prise-en-compte")
    field(page, "sla.severities.0.targets.0.kind").select_option("first_response")
    field(page, "sla.severities.0.targets.0.label").fill("Prise en compte")
    field(page, "sla.severities.0.targets.0.amount").fill("4")
    # A second target, added by the page's button (no reload), measured from the first.
    page.locator('button[data-js="add"][value="add-target:0"]').click()
    field(page, "sla.severities.0.targets.1.key").fill("retablissement")
    field(page, "sla.severities.0.targets.1.kind").select_option("restoration")
    field(page, "sla.severities.0.targets.1.label").fill("Rétablissement")
    field(page, "sla.severities.0.targets.1.amount").fill("8")
    field(page, "sla.severities.0.targets.1.from").select_option("prise-en-compte")
    # A second level with its first target.
    page.locator('button[data-js="add"][value="add-severity"]').click()
    field(page, "sla.severities.1.key").fill("mineur")
    field(page, "sla.severities.1.label").fill("Niveau 3 – Mineur")
    field(page, "sla.severities.1.targets.0.key").fill("correctif")
    field(page, "sla.severities.1.targets.0.kind").select_option("resolution")
    field(page, "sla.severities.1.targets.0.label").fill("Correctif")
    field(page, "sla.severities.1.targets.0.unit").select_option("business_days")
    field(page, "sla.severities.1.targets.0.amount").fill("5")
    # The preview: Monday 3 March 2025 10:00 + 4 business hours (9-12 / 14-18) = 16:00.
    page.locator("#f-preview_at").fill("2025-03-03T10:00")
    first = page.locator('#contract-preview li[data-target="prise-en-compte"]')
    first.wait_for()
    page.wait_for_function(
        "() => (document.querySelector('#contract-preview li[data-target=\"prise-en-compte\"]')"
        " || {}).textContent?.includes('16:00')"
    )
    assert "3 mars 2025 16:00" in first.inner_text()
    later = page.locator('#contract-preview li[data-target="correctif"]').inner_text()
    assert "10 mars 2025 10:00" in later  # five business days later, same time
    waiting = page.locator('#contract-preview li[data-target="retablissement"]').inner_text()
    assert "Prise en compte" in waiting
    page.evaluate("window.scrollTo(0, 0)")  # the preview at the top of the service levels
    page.screenshot(path=str(shots / "contract-form.png"), full_page=True)
    page.locator('button[name="action"][value="save"]').click()
    page.wait_for_url(re.compile(r"/contracts/\d+$"))
    assert "Parapheur électronique hébergé" in page.locator("h1").inner_text()
    table = page.locator("table.sla").inner_text()
    assert "Prise en compte" in table and "Rétablissement" in table and "Correctif" in table
    assert page.console_errors == []


def test_a_mistake_keeps_every_field_typed(admin_page: Any, form_server: str, shots: Path) -> None:
    page = admin_page
    start_new_contract(page, form_server, "ANNEMASSE-ERREUR")
    field(page, "sla.severities.0.key").fill("bloquant")
    field(page, "sla.severities.0.label").fill("Bloquant")
    page.locator('button[data-js="add"][value="add-target:0"]').click()
    for number, (key, amount) in enumerate((("gti", "quatre"), ("gtr", "8"))):
        name = f"sla.severities.0.targets.{number}."
        field(page, name + "key").fill(key)
        field(page, name + "label").fill(key.upper())
        field(page, name + "amount").fill(amount)
    field(page, "sla.severities.0.targets.1.pauses").nth(1).check()  # a third party too
    # A third target, typed then removed: the others keep their names and values.
    page.locator('button[data-js="add"][value="add-target:0"]').click()
    field(page, "sla.severities.0.targets.2.key").fill("en-trop")
    page.locator('#contract-form [data-row="target"]').nth(2).locator(
        'button[data-js="remove"]'
    ).click()
    assert page.locator('#contract-form [data-row="target"]').count() == 2
    assert field(page, "sla.severities.0.targets.1.amount").input_value() == "8"
    # Moved above the first: the names follow the rows.
    page.locator('#contract-form [data-row="target"]').nth(1).locator(
        'button[data-js="up"]'
    ).click()
    assert field(page, "sla.severities.0.targets.0.key").input_value() == "gtr"
    page.locator('button[name="action"][value="save"]').click()
    page.wait_for_load_state()
    assert field(page, "sla.severities.0.targets.0.key").input_value() == "gtr"
    assert field(page, "sla.severities.0.targets.1.key").input_value() == "gti"
    assert field(page, "sla.severities.0.targets.1.amount").input_value() == "quatre"
    assert field(page, "sla.severities.0.targets.0.pauses").nth(1).is_checked()
    assert field(page, "contract.yearly_amount_ht").input_value() == "2 400,00"
    assert field(page, "contract.services").input_value() == "Parapheur\nSignature"
    assert "en-trop" not in page.content()
    error = page.locator("#f-sla-severities-0-targets-1-amount-error").inner_text()
    assert "nombre attendu" in error and "quatre" in error
    described = field(page, "sla.severities.0.targets.1.amount").get_attribute("aria-describedby")
    assert "f-sla-severities-0-targets-1-amount-error" in described
    assert page.locator("#form-problems").is_visible()
    page.locator('[data-row="target"]').nth(1).screenshot(
        path=str(shots / "contract-form-error.png")
    )
    assert page.console_errors == []
