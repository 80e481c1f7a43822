"""Numbers as a French (or English) reader writes them: Babel's amounts and percentages,
plurals through ngettext, and one rule for long durations in the pages and the PDF."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from flask_babel import force_locale, npgettext

from sla.reports import text
from sla.web.i18n import duration, money, percent
from tests.wording.conftest import french

NNBSP, NBSP = "\u202f", "\u00a0"


def test_money_is_written_by_babel_in_french_and_english(app: Flask) -> None:
    with app.test_request_context("/"):
        with force_locale("fr"):
            french_amount = money(Decimal("1600.00"))
        with force_locale("en"):
            english_amount = money(Decimal("1600.00"))
    amount_fr = f"1{NNBSP}600,00{NBSP}€"
    assert french_amount == french(app, "%(amount)s excl. tax", amount=amount_fr)
    assert english_amount == "€1,600.00 excl. tax"
    assert money(None) == "—"
    # The PDF and the workbooks: in their language, in the spaces their fonts draw.
    assert text.words("fr").money(Decimal("1600")) == "1 600,00 € HT"
    assert text.words("en").money(Decimal("1600")) == "€1,600.00 excl. tax"


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (98.0, f"98{NBSP}%", "98%"),
        (97.5, f"97,5{NBSP}%", "97.5%"),
        (62.54, f"62,5{NBSP}%", "62.5%"),
        (100.0, f"100{NBSP}%", "100%"),
    ],
)
def test_percentages_are_written_by_babel_in_french_and_english(
    app: Flask, value: float, fr: str, en: str
) -> None:
    with app.test_request_context("/"):
        with force_locale("fr"):
            assert percent(value) == fr
        with force_locale("en"):
            assert percent(value) == en
    assert text.words("fr").percent(value) == fr.replace(NBSP, " ")
    assert text.words("en").percent(value) == en


def test_business_time_agrees_in_number_and_long_times_read_in_whole_hours(app: Flask) -> None:
    def business(time: str, count: int) -> str:
        with app.test_request_context("/"), force_locale("fr"):
            return str(
                npgettext("duration", "%(time)s business", "%(time)s business", count, time=time)
            )

    with app.test_request_context("/"):
        with force_locale("fr"):
            shown = {
                minutes: duration(minutes * 60)
                for minutes in (1, 45, 90, 180, 99 * 60 + 59, 895 * 60 + 46)
            }
            real = duration(40 * 86400 + 6 * 3600, business=False)
        with force_locale("en"):
            assert duration(90 * 60) == "1 h 30 business"
            assert duration(125 * 60, business=False) == "2 h 05"
            assert duration(60 * 86400, business=False) == "60 d"
    assert shown[1] == business("1 min", 1)
    assert shown[45] == business("45 min", 45)
    assert shown[90] == business("1 h 30", 1)
    assert shown[180] == business("3 h", 3)
    assert shown[99 * 60 + 59] == business("99 h 59", 99)
    assert shown[895 * 60 + 46] == business("896 h", 896)  # whole hours from 100 h on
    assert real == french(app, "%(days)d d %(hours)d h", days=40, hours=6)
    # The PDF and the mails follow the same rule, in their language.
    hours = text.words("fr").hours
    assert hours(60) == "1 min ouvrée"
    assert hours(90 * 60) == "1 h 30 ouvrée"
    assert hours(3 * 3600) == "3 h ouvrées"
    assert hours(45 * 60) == "45 min ouvrées"
    assert hours((99 * 60 + 59) * 60) == "99 h 59 ouvrées"
    assert hours((895 * 60 + 46) * 60) == "896 h ouvrées"
    assert hours(40 * 86400 + 6 * 3600, business=False) == "40 j 6 h"
    assert hours(60 * 86400, business=False) == "60 j"
    english = text.words("en").hours
    assert english(90 * 60) == "1 h 30 business"
    assert english(40 * 86400 + 6 * 3600, business=False) == "40 d 6 h"


def test_the_pdf_writes_one_incident_and_two_incidents() -> None:
    def reported(locale: str, count: int) -> str:
        return text.words(locale).ngettext(
            "%(num)d incident reported:", "%(num)d incidents reported:", count
        )

    assert text.plain(reported("fr", 1)) == "1 incident signalé :"
    assert text.plain(reported("fr", 0)) == "0 incident signalé :"
    assert text.plain(reported("fr", 2)) == "2 incidents signalés :"
    assert reported("en", 1) == "1 incident reported:"
    assert reported("en", 0) == "0 incidents reported:"
