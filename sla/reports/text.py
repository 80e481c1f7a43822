"""The words of a report in one language: its PDF, its CSV and XLSX, its archive and its mail,
and the report page's words about its values (pure: Babel, no Flask).

A document is worded in the language it is made in (`locale`, "fr" or "en"): the reader's when
it is downloaded from the web, the application's default (`[app] default_locale`) when the
scheduler archives and mails it. The words are English msgids translated by the catalogue of
`translations/`, the one Flask-Babel reads for the pages (`make messages` extracts the
`w.gettext(...)` and `w.ngettext(...)` calls and the `N_` marks); dates, numbers, percentages
and amounts are Babel's for the locale. The words are the glossary's (`sla.web.labels`):
French `Prestataire`, `Gravité`, `Délai`, `Échéance`, `Taux de respect`, `1 600,00 € HT`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Final

from sla.catalogues import catalogue
from sla.error_codes import N_, STATEMENT_STATES
from sla.printing.words import DEFAULT_LOCALE, DocumentWords, capitalised, plain
from sla.reports.figures import (
    ChangeFact,
    ContractFact,
    MoneyLine,
    PenaltyFact,
    Period,
    ScopeName,
)

__all__ = ["DEFAULT_LOCALE", "Words", "capitalised", "plain", "words"]

# The target kinds (`sla.web.labels.TARGET_KIND`'s msgids), capitalised at a line's start.
KIND_LABELS: Final[Mapping[str, str]] = {
    "take_charge": N_("take-charge"),
    "first_response": N_("first response"),
    "intervention": N_("intervention (GTI)"),
    "restoration": N_("restoration (GTR)"),
    "resolution": N_("resolution"),
    "other": N_("other"),
}
DATE_LABELS: Final[Mapping[str, str]] = {
    "notice": N_("Last day of notice"),
    "renewal": N_("Renewal"),
    "end": N_("Contract end"),
}
MONEY_LABELS: Final[Mapping[str, str]] = {
    "floor": N_("%(label)s — floor"),
    "ceiling": N_("%(label)s — ceiling"),
}
MONEY_BASES: Final[Mapping[str, str]] = {
    "floor": N_("one unit per incident restored or resolved in the period"),
    "ceiling": N_("business time from the start of work to restoration, per unit begun"),
}


@dataclass(frozen=True)
class Words(DocumentWords):
    """A report's words in one language: a document's, and the report's own (target kinds,
    scopes, contract dates, estimates, changes, penalties)."""

    def kind(self, kind: str) -> str:
        """`Prise en charge`, `Rétablissement (GTR)`: a target kind at a line's start."""
        return capitalised(self.gettext(KIND_LABELS[kind])) if kind in KIND_LABELS else kind

    def date_label(self, what: str) -> str:
        """A contract date ahead: notice deadline, renewal or end."""
        return self.gettext(DATE_LABELS[what])

    def scope(self, scope: ScopeName) -> str:
        """`Tous les prestataires`, a vendor's name, `Contrat D_2024_0110`."""
        if scope.kind == "contract":
            if not scope.name:
                return self.gettext("Unknown contract")
            return self.gettext("Contract %(reference)s", reference=scope.name)
        if scope.kind == "vendor":
            return scope.name or self.gettext("Unknown vendor")
        return self.gettext("All vendors")

    def late_by(
        self,
        lateness: float | None,
        business: bool,
        deadline: datetime,
        milestone_at: datetime | None,
        until: datetime,
    ) -> str:
        """How late a breached target is: its lateness once its milestone was reached
        (`2 h 41 ouvrées`); while it is not, the time elapsed from its deadline to `until`, the
        report's end (`3 j 4 h à ce stade`, calendar time: the report does not hold the
        target's business calendar)."""
        if lateness is not None:
            return self.hours(lateness, business)
        end = milestone_at or until
        elapsed = self.hours(max(0.0, (end - deadline).total_seconds()), business=False)
        if milestone_at is not None:
            return elapsed
        return self.gettext("%(duration)s so far", duration=elapsed)

    def money_line(self, line: MoneyLine) -> tuple[str, str, str]:
        """An estimate's item, quantity and basis."""
        if line.kind == "yearly":
            yearly = line.yearly_amount_ht or Decimal(0)
            return (
                self.gettext("Yearly amount (pro rata)"),
                self.gettext("%(days)d d", days=line.count) + " / 365",
                self.gettext("%(amount)s a year", amount=self.money(yearly)),
            )
        return (
            self.gettext(MONEY_LABELS[line.kind], label=line.label),
            f"{line.count} × {line.unit}",
            self.gettext(MONEY_BASES[line.kind]),
        )

    def change(self, contract: ContractFact, change: ChangeFact) -> str:
        """A requalification with the severities' labels (`Niveau 0 – Bloquant → Niveau 1 –
        Majeur`), or the exclusion clause invoked (its text) and the delay it applies to (its
        label)."""
        if change.kind == "requalified":
            labels = dict(contract.severities)
            before, after = change.before, change.after
            return f"{labels.get(before, before)} → {labels.get(after, after)}"
        clause = dict(contract.clause_texts).get(change.clause, change.clause)
        labels = dict(contract.target_labels)
        # The delay it was invoked for, or those the clause covers, or every one.
        covered = (
            (change.target,)
            if change.target
            else dict(contract.clause_targets).get(change.clause, ())
        )
        if covered:
            applies = self.gettext(
                "target “%(target)s”", target=", ".join(labels.get(k, k) for k in covered)
            )
        else:
            applies = self.gettext("all targets")
        return self.gettext("exclusion “%(clause)s” (%(applies)s)", clause=clause, applies=applies)

    def penalty_heading(self, fact: PenaltyFact, period: Period) -> str:
        """`Pénalités du mois :`, `Pénalités de la période :`; when the statement covers a
        longer period (its amount is that period's): `Pénalités sur la période du relevé
        (du 1 juillet 2026 au 30 septembre 2026) :`."""
        if (
            fact.first is not None
            and fact.last is not None
            and (fact.first, fact.last) != (period.first, period.last)
        ):
            return self.gettext(
                "Penalties over the statement's period (%(period)s):",
                period=self.period_title(fact.first, fact.last),
            )
        if _whole_month(period):
            return self.gettext("Penalties for the month:")
        return self.gettext("Penalties for the period:")

    def penalty_lines(self, fact: PenaltyFact) -> str:
        """`37 lignes`: the statement's lines, or those computed."""
        return self.ngettext("%(num)d line", "%(num)d lines", fact.lines)

    def penalty_statement(self, fact: PenaltyFact) -> str:
        """`relevé n° 12`, or `aucun relevé` when no statement covers the period yet."""
        if fact.statement_id is None:
            return self.gettext("no statement yet")
        return self.gettext("statement no. %(id)d", id=fact.statement_id)

    def penalty_state(self, fact: PenaltyFact) -> str:
        """The statement's state (`notifié, en attente de la réponse du prestataire`); empty
        without a statement."""
        if fact.state is None:
            return ""
        msgid = STATEMENT_STATES.get(fact.state)
        return self.gettext(msgid) if msgid else fact.state

    def penalty_status(self, fact: PenaltyFact) -> str:
        """`relevé n° 12, notifié, en attente de la réponse du prestataire`, `aucun relevé`."""
        return ", ".join(filter(None, (self.penalty_statement(fact), self.penalty_state(fact))))

    def penalty_line(self, fact: PenaltyFact, period: Period) -> str:
        """`Pénalités du mois : 1 234,00 € HT (37 lignes) — relevé n° 12, notifié, en attente
        de la réponse du prestataire`."""
        return (
            f"{self.penalty_heading(fact, period)} {self.money(fact.amount)} "
            f"({self.penalty_lines(fact)}) — {self.penalty_status(fact)}"
        )


def _whole_month(period: Period) -> bool:
    after = period.last + timedelta(days=1)
    same = (period.first.year, period.first.month) == (period.last.year, period.last.month)
    return period.first.day == 1 and after.day == 1 and same


@lru_cache(maxsize=8)
def words(locale: str) -> Words:
    """A document's words in `locale`, translated by the catalogue of `translations/` (none
    for English, whose words are the msgids)."""
    return Words(locale, catalogue(locale))
