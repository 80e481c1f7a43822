"""The words of a penalty statement in one language: its letter and final PDF, its XLSX (pure:
Babel, no Flask).

A document's words (`sla.printing.words.DocumentWords`: dates, amounts, durations) and the
statement's own: its states and decisions, the kinds of clause, the units a clause charges in
(`3 heures ouvrées commencées`), how a line reads its lateness and its basis
(`3 × 50,00 € HT`, `12 000,00 € HT × 4 / 1000`), the period (`3e trimestre 2026`) and the
totals' lines (threshold, caps). English msgids translated by the catalogue of `translations/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal, format_percent

from sla.catalogues import catalogue
from sla.engine.penalties import CENT, ZERO, CapApplied, Totals, cents
from sla.engine.penalty_terms import CapScope
from sla.error_codes import N_, STATEMENT_STATES
from sla.formats import NO_VALUE
from sla.penalties.statement import LineView
from sla.printing.words import DocumentWords, capitalised, plain

__all__ = ["TotalRow", "Words", "words"]

DECISIONS: Final[Mapping[str, str]] = {
    "applied": N_("applied"),
    "reduced": N_("reduced"),
    "waived": N_("waived"),
}
CLAUSE_KINDS: Final[Mapping[str, str]] = {
    "per_unit": N_("per started unit of lateness"),
    "per_breach": N_("flat rate per breach"),
    "formula": N_("formula P = V × R / D"),
    "availability": N_("availability below its target"),
}
# What a line's units count: a lateness unit, a breach, an availability step.
UNIT_NAMES: Final[Mapping[str, str]] = {
    "business_hour": N_("business hour"),
    "calendar_hour": N_("calendar hour"),
    "calendar_day": N_("calendar day"),
    "business_day": N_("business day"),
    "breach": N_("breach"),
    "tenth": N_("tenth of a point"),
    "point": N_("point"),
}
QUARTERS: Final[Mapping[int, str]] = {
    1: N_("1st quarter %(year)d"),
    2: N_("2nd quarter %(year)d"),
    3: N_("3rd quarter %(year)d"),
    4: N_("4th quarter %(year)d"),
}
# Lateness read in real time for these units, in business time for the others.
CALENDAR_UNITS: Final = frozenset({"calendar_hour", "calendar_day"})


@dataclass(frozen=True)
class TotalRow:
    """A line of the totals: what it says, the article it applies, the amount it adds or
    takes off (None: it changes nothing), and whether it is a total."""

    label: str
    article: str
    amount: Decimal | None
    total: bool = False


@dataclass(frozen=True)
class Words(DocumentWords):
    """A statement's words in one language."""

    def money(self, value: Decimal) -> str:
        """`1 600,00 € HT`: each amount formatted once (a long statement repeats a few)."""
        return _money(self, value)

    def figure(self, value: Decimal) -> str:
        """`1 600,00` (`1,600.00`): an amount in a column that says `€ HT` once."""
        return _figure(self, value)

    def state(self, state: str) -> str:
        """`Brouillon`, `Notifié, en attente de la réponse du prestataire`."""
        msgid = STATEMENT_STATES.get(state)
        return capitalised(self.gettext(msgid)) if msgid else state

    def decision(self, decision: str) -> str:
        """`Appliquée`, `Réduite`, `Non appliquée`."""
        msgid = DECISIONS.get(decision)
        return capitalised(self.gettext(msgid)) if msgid else decision

    def clause_kind(self, kind: str) -> str:
        msgid = CLAUSE_KINDS.get(kind)
        return capitalised(self.gettext(msgid)) if msgid else kind

    def unit_name(self, unit: str) -> str:
        """`heure ouvrée`, `manquement`, `dixième de point`: what one unit is."""
        msgid = UNIT_NAMES.get(unit)
        return self.gettext(msgid) if msgid else unit

    def units(self, count: int, unit: str) -> str:
        """`3 heures ouvrées commencées`, `1 manquement`, `2 dixièmes de point commencés`."""
        if unit == "business_hour":
            return self.ngettext(
                "%(num)d started business hour", "%(num)d started business hours", count
            )
        if unit == "calendar_hour":
            return self.ngettext(
                "%(num)d started calendar hour", "%(num)d started calendar hours", count
            )
        if unit == "calendar_day":
            return self.ngettext(
                "%(num)d started calendar day", "%(num)d started calendar days", count
            )
        if unit == "business_day":
            return self.ngettext("%(num)d business day", "%(num)d business days", count)
        if unit == "breach":
            return self.ngettext("%(num)d breach", "%(num)d breaches", count)
        if unit == "tenth":
            return self.ngettext(
                "%(num)d started tenth of a point", "%(num)d started tenths of a point", count
            )
        if unit == "point":
            return self.ngettext("%(num)d started point", "%(num)d started points", count)
        return f"{count} {unit}"

    def lateness(self, line: LineView) -> str:
        """How late a breach line is, in the time its clause counts: `2 h 10 ouvrées`
        (business hours and days, a breach), `3 j 4 h` (calendar hours and days)."""
        late = line.lateness
        if late is None:
            return NO_VALUE
        if line.unit in CALENDAR_UNITS:
            return self.hours(late.calendar_seconds, business=False)
        return self.hours(late.business_seconds)

    def short_when(self, instant: datetime | None, zone: str) -> str:
        """`03/10/26 14:30` (`26-10-03 14:30`): an instant in a long table's narrow column."""
        if instant is None:
            return NO_VALUE
        local = instant.astimezone(ZoneInfo(zone))
        return f"{local:%y-%m-%d %H:%M}" if self.locale == "en" else f"{local:%d/%m/%y %H:%M}"

    def exact_percent(self, value: float | None) -> str:
        """`98,85 %`: a measure to the thousandth of a point, as the shortfall counts it."""
        if value is None:
            return NO_VALUE
        share = (Decimal(str(round(value, 3))) / 100).normalize()
        return plain(format_percent(share, locale=self.locale, decimal_quantization=False))

    def shortfall(self, line: LineView) -> str:
        """`98,85 % mesurés, écart de 0,15 pt`: an availability line's measure."""
        if line.measured_percent is None:
            return self.gettext("no open time in the stretch")
        gap = max(
            Decimal(str(round(line.target_percent or 0.0, 6)))
            - Decimal(str(round(line.measured_percent, 6))),
            ZERO,
        )
        points = format_decimal(round(gap, 3), "#,##0.###", locale=self.locale)
        return plain(
            self.gettext(
                "%(measured)s measured, %(points)s pt short",
                measured=self.exact_percent(line.measured_percent),
                points=points,
            )
        )

    def rate(self, line: LineView) -> Decimal | None:
        """What one unit cost: the amount over the units (None: no unit charged)."""
        if line.units <= 0:
            return None
        return cents(line.amount / line.units)

    def basis(self, line: LineView) -> str:
        """How a line's amount is reached: `3 × 50,00 € HT`, `forfait de 30,00 € HT`,
        `12 000,00 € HT × 4 / 1000`, `2 dixièmes de point sous 99 % × 100,00 € HT`; a line
        within its grace: `0 (dans la tolérance de 2)`."""
        rate = line.rate_ht if line.rate_ht is not None else self.rate(line)
        if line.clause_kind == "per_breach":
            return self.gettext("flat rate of %(amount)s", amount=self.money(line.amount))
        if line.clause_kind == "formula":
            value = self.money(line.value_ht) if line.value_ht is not None else "V"
            divisor = line.divisor if line.divisor is not None else "D"
            return f"{value} × {line.units} / {divisor}"
        if line.clause_kind == "availability":
            target = self.exact_percent(line.target_percent)
            if line.unit == "point":
                below = self.ngettext(
                    "%(num)d point below %(target)s",
                    "%(num)d points below %(target)s",
                    line.units,
                    target=target,
                )
            else:
                below = self.ngettext(
                    "%(num)d tenth of a point below %(target)s",
                    "%(num)d tenths of a point below %(target)s",
                    line.units,
                    target=target,
                )
            return plain(below) if rate is None else f"{plain(below)} × {self.money(rate)}"
        if line.units <= 0:
            return self.gettext("0 (within the grace of %(grace)d)", grace=line.grace)
        return f"{line.units} × {self.money(rate or line.amount)}"

    def statement_period(self, kind: str, first: date, last: date) -> str:
        """`octobre 2026`, `3e trimestre 2026`, `du 1 octobre 2026 au 15 octobre 2026`."""
        if kind == "quarter" and first.day == 1 and first.month % 3 == 1:
            return self.gettext(QUARTERS[(first.month + 2) // 3], year=first.year)
        return self.period_title(first, last)

    def cap(self, applied: CapApplied) -> str:
        """`Plafond mensuel : 2 000,00 € HT`, `Plafond annuel (10 % du montant annuel) :
        reste 1 200,00 € HT`."""
        cap = applied.cap
        limit = self.money(applied.limit)
        if cap.scope is CapScope.year:
            if cap.percent is not None:
                return self.gettext(
                    "Yearly cap (%(percent)s of the yearly amount): %(limit)s left",
                    percent=self.percent(float(cap.percent)),
                    limit=limit,
                )
            return self.gettext(
                "Yearly cap (%(amount)s): %(limit)s left",
                amount=self.money(cap.amount_ht or ZERO),
                limit=limit,
            )
        if cap.percent is not None and cap.amount_ht is None:
            return self.gettext(
                "Monthly cap (%(percent)s of a twelfth of the yearly amount): %(limit)s",
                percent=self.percent(float(cap.percent)),
                limit=limit,
            )
        return self.gettext("Monthly cap: %(limit)s", limit=limit)

    def totals_rows(
        self,
        totals: Totals,
        *,
        threshold_article: str,
        cap_article: str,
        decided: bool = False,
    ) -> list[TotalRow]:
        """The totals as lines: the subtotal, the threshold (the amount it takes off when the
        subtotal is at most it), each cap (what it takes off), the total (`decided`: of the
        decided amounts)."""
        rows = [TotalRow(self.gettext("Subtotal of the lines"), "", totals.subtotal)]
        if totals.threshold_ht is not None:
            threshold = self.money(totals.threshold_ht)
            if totals.exempted:
                label = self.gettext(
                    "Exemption: total at most the threshold of %(amount)s", amount=threshold
                )
                rows.append(TotalRow(label, threshold_article, -totals.subtotal))
            else:
                label = self.gettext(
                    "Exemption threshold of %(amount)s exceeded: penalties due", amount=threshold
                )
                rows.append(TotalRow(label, threshold_article, None))
        for applied in totals.caps:
            taken = -applied.reduction if applied.reduction > 0 else None
            rows.append(TotalRow(self.cap(applied), cap_article, taken))
        label = (
            self.gettext("Total of the penalties applied")
            if decided
            else self.gettext("Total of the penalties")
        )
        rows.append(TotalRow(label, "", totals.total.quantize(CENT), total=True))
        return rows


@lru_cache(maxsize=4096)
def _money(w: Words, value: Decimal) -> str:
    return DocumentWords.money(w, value)


@lru_cache(maxsize=4096)
def _figure(w: Words, value: Decimal) -> str:
    return plain(format_decimal(value, "#,##0.00", locale=w.locale))


@lru_cache(maxsize=8)
def words(locale: str) -> Words:
    """A statement's words in `locale`, translated by the catalogue of `translations/` (none
    for English, whose words are the msgids)."""
    return Words(locale, catalogue(locale))
