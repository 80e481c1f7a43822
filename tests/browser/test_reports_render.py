"""The charts as Chromium draws them under the application's CSP (`style-src 'self'`): the
reports page and a contract page load without a console error, a page error or a CSP
violation; the charts are coloured (an inline style blocked by the CSP would leave them
black), their texts whole and apart (legends never cut, month labels never overlapping), and a
chart without values says so."""

from __future__ import annotations

from typing import Any

import pytest

from sla.catalogues import catalogue

# Every CSP violation of a page, in the order they happen (set before any of its scripts run).
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample || ""}`);
});
"""
# Per chart: its title, the fills of its shapes as the browser computes them, and its texts
# with their boxes in the chart's own units (the viewBox).
CHARTS = """
() => [...document.querySelectorAll("svg.chart")].map((svg) => {
  const box = svg.viewBox.baseVal;
  const scale = svg.getBoundingClientRect().width / box.width;
  return {
    title: svg.querySelector("title")?.textContent || "",
    width: box.width,
    fills: [...svg.querySelectorAll("rect, path, polygon, circle")].map(
      (shape) => getComputedStyle(shape).fill
    ),
    texts: [...svg.querySelectorAll("text")].map((text) => {
      const r = text.getBoundingClientRect();
      const origin = svg.getBoundingClientRect();
      return {
        text: text.textContent,
        left: (r.left - origin.left) / scale,
        right: (r.right - origin.left) / scale,
        top: (r.top - origin.top) / scale,
        bottom: (r.bottom - origin.top) / scale,
      };
    }),
  };
})
"""
BLACK = "rgb(0, 0, 0)"
# The SVG writes colours in whole percents: near the palette's, a unit or two off.
SEVERITY_RED = (179, 38, 30)  # charts.PALETTE[0]: the most severe level
RESTORATION_GREEN = (24, 128, 56)  # charts.BARS


def _watched(page: Any) -> list[str]:
    """The console errors and page errors of `page` from now on; CSP violations are read from
    `window.__csp` after each load."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(CSP_LISTENER)
    return problems


def _load(page: Any, url: str, problems: list[str]) -> list[dict[str, Any]]:
    """Open `url`, fail on any problem, return its charts as drawn."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("load")
    violations = page.evaluate("window.__csp")
    assert violations == [], f"{url}: CSP violations {violations[:5]}"
    assert problems == [], f"{url}: {problems[:5]}"
    charts: list[dict[str, Any]] = page.evaluate(CHARTS)
    return charts


def _near(fill: str, colour: tuple[int, int, int]) -> bool:
    """`rgb(179, 36, 28)` is `colour` within 3 units per channel."""
    if not fill.startswith("rgb("):
        return False
    channels = [int(part) for part in fill[4:-1].split(",")]
    return all(abs(a - b) <= 3 for a, b in zip(channels, colour, strict=True))


def _overlapping(texts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap (by more than half a unit each way)."""
    found = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if (
                min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5
                and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
            ):
                found.append((a["text"], b["text"]))
    return found


def _assert_legible(chart: dict[str, Any]) -> None:
    """No black shape, every text inside the chart, whole and apart from the others."""
    assert BLACK not in chart["fills"], chart["title"]
    for text in chart["texts"]:
        assert "…" not in text["text"], text
        assert text["left"] >= -0.5 and text["right"] <= chart["width"] + 0.5, text
    assert _overlapping(chart["texts"]) == [], chart["title"]


def test_the_report_charts_are_coloured_whole_and_apart(page_as: Any, live_server: str) -> None:
    page = page_as("lectrice")
    problems = _watched(page)
    charts = _load(page, f"{live_server}/reports/", problems)
    assert len(charts) >= 3 * 5  # three per vendor of the demo
    fills = {fill for chart in charts for fill in chart["fills"]}
    assert any(_near(fill, SEVERITY_RED) for fill in fills), fills
    assert any(_near(fill, RESTORATION_GREEN) for fill in fills), fills
    for chart in charts:
        _assert_legible(chart)
    # The severities' legend names each level whole (the demo's Aukfood: "Mission 1 – …").
    legend = {text["text"] for chart in charts for text in chart["texts"]}
    assert "Mission 1 – Collabora Online" in legend
    assert "Mission 2 – Serveurs Linux" in legend
    # Twelve months side by side, every one named (none dropped at this width).
    months = [t for t in charts[0]["texts"] if t["text"][-2:].isdigit() and " " in t["text"]]
    assert len(months) == 12, [t["text"] for t in months]


@pytest.mark.parametrize(("username", "locale"), [("lectrice", "fr"), ("agent-en", "en")])
def test_a_chart_without_values_says_so(
    page_as: Any, live_server: str, username: str, locale: str
) -> None:
    page = page_as(username)
    problems = _watched(page)
    charts = _load(page, f"{live_server}/reports/?month=2001-01", problems)
    assert charts, "the vendors' charts are drawn even for a year without incident"
    no_data = catalogue(locale).gettext("No data")
    for chart in charts:
        assert [t["text"] for t in chart["texts"]] == [chart["title"], no_data]
        _assert_legible(chart)


def test_the_contract_page_draws_its_compliance_chart(page_as: Any, live_server: str) -> None:
    page = page_as("agente")
    problems = _watched(page)
    charts = _load(page, f"{live_server}/contracts/1", problems)
    assert len(charts) == 1
    (chart,) = charts
    _assert_legible(chart)
    assert page.locator("svg.chart").get_attribute("role") == "img"
    described = page.locator("svg.chart desc").text_content() or ""
    assert described.count(":") == 12  # the twelve months' rates in words, for screen readers
