"""Accessibility (RGAA, WCAG 2.1 A and AA): axe-core, injected into Debian's Chromium, checks
every screen of the main flows in French and English, on a desktop and on a phone, and a
keyboard alone logs an incident with the focus visible at each step.

axe-core comes from npm (`make axe`, into .cache/axe); absent, these tests skip here and fail
under CI. Each run prints the count of violations by impact, screen by screen; a violation of
serious or critical impact fails the test, naming the rule, the elements and the page."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import col, select

from calendars.models import VendorCalendar
from incidents.models import Incident
from sla.auth import service as accounts
from sla.auth.models import User
from sla.contracts.models import Contract
from sla.db import session_scope, utcnow
from sla.penalties.models import PenaltyStatement
from sla.web.roles import Role
from tests.browser.conftest import PASSWORD
from tests.support import require

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / ".cache/axe/node_modules/axe-core/axe.min.js"
# Served from the application's own origin (a route the browser never sends out): the strict
# CSP (`script-src 'self'`) stays on, and the pages are checked as the agents see them.
AXE_PATH = "/__axe__/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = {"critical", "serious"}
WIDTHS = {"desktop": 1280, "phone": 390}
# Administrators see every screen and every button; the French one reads the configured
# language, the English one chose English.
ADMINS = {"fr": ("a11y-admine", None), "en": ("a11y-admin-en", "en")}
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations']});
  return {passes: results.passes.length, violations: results.violations.map(v => ({
    id: v.id, impact: v.impact || 'minor', help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')),
  }))};
}"""


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    prepare: Callable[[Any], None] | None = None
    anonymous: bool = False
    phone_only: bool = False


def _open_every_disclosure(page: Any) -> None:
    """The incident page with its event form (and the corrections form) unfolded."""
    summaries = page.locator("section.actions details > summary")
    for index in range(summaries.count()):
        summaries.nth(index).click()
    page.locator("form.event-form select[name=kind]").wait_for()


def _open_statement_forms(page: Any) -> None:
    """A penalty statement with each of its actions' forms unfolded."""
    summaries = page.locator("main details > summary")
    for index in range(summaries.count()):
        summaries.nth(index).click()


def _open_menu(page: Any) -> None:
    """The phone's compact menu, unfolded by its button."""
    page.locator("button.menu-toggle").click()
    page.locator("#site-menu nav a").first.wait_for()


def _submit_empty(selector: str) -> Callable[[Any], None]:
    def submit(page: Any) -> None:
        page.locator(selector).click()
        page.locator(".error").first.wait_for()

    return submit


def _wrong_password(page: Any) -> None:
    page.locator("input[name=username]").fill("personne")
    page.locator("input[name=password]").fill("pas le bon")
    page.locator("form button[type=submit]").click()
    page.locator(".flash-error").wait_for()


@dataclass(frozen=True)
class Ids:
    incident: int
    contract: int
    vendor: int
    calendar: int
    user: int
    answered: int  # a penalty statement with the vendor's observations: every action's form
    final: int  # a final penalty statement


@pytest.fixture(scope="module")
def axe_source() -> str:
    require(AXE.exists(), f"axe-core is not installed at {AXE} (make axe; needs npm)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def ids(live_app: Flask) -> Ids:
    """The administrators, and the records whose pages are checked: an open incident with a
    history, the first contract, its vendor and one of that vendor's calendars."""
    with session_scope(live_app.extensions["sla.engine"]) as session:
        for username, locale in ADMINS.values():
            user = session.exec(select(User).where(User.username == username)).first()
            if user is None:
                user = accounts.create_user(
                    session,
                    username=username,
                    password=PASSWORD,
                    role=Role.admin,
                    now=utcnow(),
                    display_name=username.capitalize(),
                )
                user.locale = locale
        incident = session.exec(
            select(Incident).where(Incident.status == "open").order_by(col(Incident.id))
        ).first()
        assert incident is not None and incident.id is not None
        contract = session.get(Contract, incident.contract_id)
        assert contract is not None and contract.id is not None
        calendar = session.exec(
            select(VendorCalendar).where(VendorCalendar.vendor_id == contract.vendor_id)
        ).first()
        assert calendar is not None and calendar.id is not None
        agent = session.exec(select(User).where(User.username == "agente")).one()
        assert agent.id is not None
        statements = {
            statement.state: statement.id or 0
            for statement in session.exec(select(PenaltyStatement)).all()
        }
        return Ids(
            incident.id,
            contract.id,
            contract.vendor_id,
            calendar.id,
            agent.id,
            statements["observations"],
            statements["final"],
        )


def screens(ids: Ids) -> list[Screen]:
    return [
        Screen("login", "/login", anonymous=True),
        Screen("login (error)", "/login", _wrong_password, anonymous=True),
        Screen("accessibility (signed out)", "/accessibility", anonymous=True),
        Screen("dashboard", "/"),
        Screen("menu (open)", "/", _open_menu, phone_only=True),
        Screen("incident list", "/incidents/"),
        Screen("incident (forms open)", f"/incidents/{ids.incident}", _open_every_disclosure),
        Screen("deadlines explained", f"/incidents/{ids.incident}/deadlines"),
        Screen("log incident: contract", "/incidents/new"),
        Screen("log incident: form", f"/incidents/new?contract_id={ids.contract}"),
        Screen(
            "log incident (errors)",
            f"/incidents/new?contract_id={ids.contract}",
            _submit_empty("form.incident-form button[type=submit]"),
        ),
        Screen("contract", f"/contracts/{ids.contract}"),
        Screen("contract form (new)", "/contracts/new"),
        Screen("contract form (edit)", f"/contracts/{ids.contract}/edit"),
        Screen("vendor list", "/vendors/"),
        Screen("vendor", f"/vendors/{ids.vendor}"),
        Screen("vendor form", "/vendors/new"),
        Screen("calendar list", "/calendars/"),
        Screen("calendar", f"/calendars/{ids.calendar}"),
        Screen("calendar form", "/calendars/new"),
        Screen("reports", "/reports/"),
        Screen("alerts", "/alerts/"),
        Screen("outages", "/outages/"),
        Screen("penalty statements", "/penalties/"),
        Screen(
            "penalty statement (forms open)", f"/penalties/{ids.answered}", _open_statement_forms
        ),
        Screen("penalty statement (final)", f"/penalties/{ids.final}"),
        Screen("my account", "/account"),
        Screen("users admin", "/admin/users/"),
        Screen("user edit", f"/admin/users/{ids.user}"),
        Screen("audit trail", "/admin/audit/"),
        Screen("accessibility statement", "/accessibility"),
    ]


def _serve_axe(context: Any, base: str, source: str) -> None:
    context.route(
        f"{base}{AXE_PATH}",
        lambda route: route.fulfill(
            status=200, content_type="text/javascript; charset=utf-8", body=source
        ),
    )


def _signed_in(browser: Any, base: str, username: str, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    return page


def audit(page: Any, base: str) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it stands."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=f"{base}{AXE_PATH}")
    results: dict[str, Any] = page.evaluate(RUN_AXE, TAGS)
    assert results["passes"] > 0, f"axe-core checked nothing on {page.url}"
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def _table(title: str, rows: dict[str, Counter[str]]) -> str:
    width = max(len(name) for name in [*rows, "total"]) + 2
    lines = [
        f"axe-core, violations by impact ({title})",
        "screen".ljust(width) + "".join(impact.rjust(10) for impact in IMPACTS),
    ]
    total: Counter[str] = Counter()
    for name, counts in rows.items():
        total.update(counts)
        lines.append(name.ljust(width) + "".join(str(counts[i]).rjust(10) for i in IMPACTS))
    lines.append("total".ljust(width) + "".join(str(total[i]).rjust(10) for i in IMPACTS))
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", sorted(WIDTHS))
@pytest.mark.parametrize("language", sorted(ADMINS))
def test_no_serious_or_critical_violation_on_the_main_screens(
    browser_instance: Any,
    live_server: str,
    axe_source: str,
    ids: Ids,
    language: str,
    viewport: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    width = WIDTHS[viewport]
    signed_in = _signed_in(browser_instance, live_server, ADMINS[language][0], width)
    anonymous = browser_instance.new_context(
        viewport={"width": width, "height": 900}, locale="fr-FR"
    ).new_page()
    rows: dict[str, Counter[str]] = {}
    blocking: list[str] = []
    # Every screen of the main flows also loads without a console error, a script error or a
    # CSP violation (the first charts were black: their inline styles broke the policy).
    broken: list[str] = []
    current = {"screen": ""}
    try:
        for context in (signed_in.context, anonymous.context):
            _serve_axe(context, live_server, axe_source)
            context.add_init_script(CSP_WATCH)
        for page in (signed_in, anonymous):
            page.on(
                "console",
                lambda m: (
                    broken.append(f"{current['screen']}: console: {m.text}")
                    if m.type == "error"
                    else None
                ),
            )
            page.on("pageerror", lambda e: broken.append(f"{current['screen']}: {e}"))
        for screen in screens(ids):
            # Before anyone signs in, the pages read the configured language (French).
            if (screen.anonymous and language != "fr") or (
                screen.phone_only and viewport != "phone"
            ):
                continue
            page = anonymous if screen.anonymous else signed_in
            current["screen"] = screen.name
            response = page.goto(live_server + screen.path)
            assert response is not None and response.ok, f"{screen.path}: {response}"
            if not screen.anonymous:
                assert page.locator("html").get_attribute("lang") == language
            if screen.prepare:
                screen.prepare(page)
            violations = audit(page, live_server)
            broken += [
                f"{screen.name}: CSP blocked {v}" for v in page.evaluate("window.__csp || []")
            ]
            rows[screen.name] = Counter()
            for violation in violations:
                rows[screen.name][violation["impact"]] += len(violation["targets"])
                if violation["impact"] in BLOCKING:
                    blocking.append(
                        f"{screen.name} ({screen.path}): {violation['id']} "
                        f"[{violation['impact']}] {violation['help']}: "
                        + "; ".join(violation["targets"][:8])
                        + (" …" if len(violation["targets"]) > 8 else "")
                    )
    finally:
        signed_in.context.close()
        anonymous.context.close()
    with capsys.disabled():
        print("\n" + _table(f"{language}, {viewport} {width} px", rows), flush=True)
    assert not blocking, "serious or critical accessibility violations:\n" + "\n".join(blocking)
    # A form refused on purpose answers 4xx: the browser logs the page's own status.
    assert not [b for b in broken if "status of 4" not in b], "\n".join(broken)


CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || ''));
});
"""

FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim(),
          name: el.getAttribute('name') || '', type: el.getAttribute('type') || '',
          visible: outline || shadow};
}"""


def _focused(page: Any) -> dict[str, Any]:
    focused: dict[str, Any] | None = page.evaluate(FOCUS_SHOWN)
    assert focused is not None, f"nothing has the focus on {page.url}"
    assert focused["visible"], f"the focus is not visible on {focused} ({page.url})"
    return focused


def _tab_to(page: Any, wanted: Callable[[dict[str, Any]], bool], what: str) -> None:
    """Tab forward until the focused element is the one wanted, checking at every step that
    the focus can be seen."""
    for _step in range(200):
        page.keyboard.press("Tab")
        if wanted(_focused(page)):
            return
    raise AssertionError(f"Tab never reached {what} on {page.url}")


def test_a_keyboard_alone_logs_an_incident_with_the_focus_visible(
    page_as: Any, live_server: str
) -> None:
    page = page_as("agente")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/")

    # The skip link comes first and takes the focus to the content.
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Aller au contenu"
    _tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Déclarer un incident", "the link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/incidents/new")

    _tab_to(page, lambda f: f["tag"] == "select" and f["name"] == "contract_id", "the contract")
    wanted = "Libriciel SCOP — Maintenance et hébergement ComElus (D_2024_0110)"
    for _step in range(100):
        chosen = page.evaluate("() => document.activeElement.selectedOptions[0].label")
        if chosen == wanted:
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError(f"the arrow keys never reached {wanted}")
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Continuer", "Continuer")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/incidents/new\?contract_id=\d+$"))

    # The severities are one radio group: Tab enters it, an arrow key moves, Space checks.
    _tab_to(page, lambda f: f["type"] == "radio", "the severities")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    assert page.locator("input[name=severity]:checked").get_attribute("value") == "bloquant"
    page.keyboard.press("Shift+Tab")
    assert _focused(page)["tag"] == "a"  # the "change" link, just before the form
    _tab_to(page, lambda f: f["name"] == "title", "the title")
    page.keyboard.type("Saisie au clavier seul")
    _tab_to(
        page,
        lambda f: f["tag"] == "button" and f["text"] == "Enregistrer l'incident",
        "the submit button",
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/incidents/\d+$"))
    assert page.locator("h1").inner_text().endswith("Saisie au clavier seul")
    assert errors == []
