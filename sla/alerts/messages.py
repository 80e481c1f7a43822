"""What alerts say: mail subject, plain-text and HTML bodies, webhook payloads. Pure.

Written in the application's language (`[app] default_locale`: the scheduler has no reader):
English msgids marked with `N_`, translated by the `Words` the caller gives (the French is in
the translations catalogue), `%(name)s` parameters filled in after translation; dates in the
calendar's local time.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from babel.dates import format_date

from sla import formats
from sla.error_codes import N_

TITLES = {
    "warning": N_("Deadline near"),
    "breach": N_("Delay breached"),
    "reminder": N_("Reminder: delay still breached"),
    "escalation": N_("Contractual delay breached"),
    "notice": N_("Notice of termination to give"),
    "end": N_("Contract ending soon"),
    "digest": N_("Daily digest"),
    "report": N_("Monthly service level report"),
    "penalty_answer": N_("Vendor's answer period over"),
    "penalty_draft": N_("Penalty statement left in draft"),
    "penalty_letter": N_("Penalty statement notified to the vendor"),
}
# What an alert read before it was worded, for an Alert built without words (a recorded alert
# delivered again, the monthly report's mail): today's French.
FRENCH_TITLES = {
    "warning": "Échéance proche",
    "breach": "Délai dépassé",
    "reminder": "Rappel : délai toujours dépassé",
    "escalation": "Délai contractuel dépassé",
    "notice": "Préavis de dénonciation à donner",
    "end": "Fin de contrat proche",
    "digest": "Synthèse quotidienne",
    "report": "Rapport mensuel des engagements de service",
    "penalty_answer": "Délai de réponse du prestataire expiré",
    "penalty_draft": "Relevé de pénalités resté en brouillon",
    "penalty_letter": "Relevé de pénalités notifié au prestataire",
}
SIGNATURE = "— Garantie"


@dataclass(frozen=True)
class Words:
    """How alerts are worded: a catalogue's `gettext` and its language (`fr`, `en`)."""

    translate: Callable[[str], str]
    locale: str

    def __call__(self, msgid: str, **params: object) -> str:
        """The msgid translated, then its `%(name)s` parameters filled in."""
        text = self.translate(msgid)
        return text % params if params else text


def day_of(value: date, words: Words) -> str:
    """A calendar day as a mail says it: `30 novembre 2026`, `November 30, 2026`."""
    return format_date(value, "long", locale=words.locale)


def heading_of(kind: str, words: Words) -> str:
    """The heading of an alert of this kind (`Délai dépassé`)."""
    return words(TITLES[kind]) if kind in TITLES else kind


def local(value: datetime | None, zone: str, words: Words) -> str:
    """`lun. 3 févr. 2025 14:30` (`Mon 3 Feb 2025 14:30`) in the given zone."""
    return formats.instant(value, zone, words.locale)


def duration(seconds: float | None, business: bool, words: Words) -> str:
    """`1 min ouvrée`, `3 h 30 ouvrées` (`3 h 30 business`): the one rule, `sla.formats`."""
    return formats.duration(seconds, business, words.locale)


@dataclass(frozen=True)
class Alert:
    """One alert about one target of one incident (or one contract date)."""

    kind: str
    subject: str
    lines: tuple[str, ...]
    link: str
    facts: dict[str, Any]
    # The HTML title and the label before the link, in the alert's language (`worded`);
    # an Alert built without words reads as it always did, in French.
    heading: str = ""
    see: str = "Voir :"

    def worded(self, words: Words) -> Alert:
        """This alert with its title and link label in the language of `words`."""
        return replace(self, heading=heading_of(self.kind, words), see=words(N_("See:")))

    def text(self) -> str:
        see = ["", f"{self.see} {self.link}"] if self.link else []
        return "\n".join([*self.lines, *see, "", SIGNATURE]) + "\n"

    def html(self) -> str:
        items = "".join(f"<p>{html.escape(line)}</p>" for line in self.lines)
        link = html.escape(self.link)
        heading = self.heading or FRENCH_TITLES.get(self.kind, self.kind)
        see = f'<p><a href="{link}">{link}</a></p>' if link else ""
        return (
            '<html><body style="font-family: sans-serif">'
            f"<h2>{html.escape(heading)}</h2>{items}"
            f'{see}<p style="color:#555">{SIGNATURE}</p></body></html>'
        )

    def webhook(self, style: str) -> dict[str, Any]:
        """The JSON posted to a webhook: Mattermost/Rocket.Chat and Teams incoming-webhook
        formats, or a generic object with every fact."""
        text = f"**{self.subject}**\n" + "\n".join(self.lines) + f"\n{self.link}"
        if style == "mattermost":
            return {"text": text, "username": "Garantie"}
        if style == "teams":
            return {
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": self.subject,
                "themeColor": "A4000F"
                if self.kind in ("breach", "reminder", "escalation")
                else "00308F",
                "title": self.subject,
                "text": "<br>".join(html.escape(line) for line in self.lines)
                + f'<br><a href="{self.link}">{self.link}</a>',
            }
        return {
            "kind": self.kind,
            "subject": self.subject,
            "text": "\n".join(self.lines),
            "link": self.link,
            **self.facts,
        }


def target_alert(
    *,
    kind: str,
    incident_id: int,
    title: str,
    vendor: str,
    contract: str,
    severity: str,
    target_label: str,
    article: str,
    deadline: datetime,
    remaining_seconds: float | None,
    lateness_seconds: float | None,
    business: bool,
    zone: str,
    base_url: str,
    words: Words,
) -> Alert:
    heading = heading_of(kind, words)
    subject = words(
        N_("[Garantie] %(heading)s — %(vendor)s — #%(incident)s %(title)s — %(target)s"),
        heading=heading,
        vendor=vendor,
        incident=incident_id,
        title=title,
        target=target_label,
    )
    lines = [
        words(
            N_("%(heading)s: %(target)s (%(article)s) for incident #%(incident)s '%(title)s'."),
            heading=heading,
            target=target_label,
            article=article or words(N_("contract")),
            incident=incident_id,
            title=title,
        ),
        words(
            N_("Vendor: %(vendor)s — contract %(contract)s — severity %(severity)s."),
            vendor=vendor,
            contract=contract,
            severity=severity,
        ),
        words(N_("Deadline: %(deadline)s."), deadline=local(deadline, zone, words)),
    ]
    if kind == "warning":
        left = duration(remaining_seconds, business, words)
        lines.append(words(N_("Time left: %(duration)s."), duration=left))
    elif lateness_seconds is not None:
        late = duration(lateness_seconds, business, words)
        lines.append(words(N_("Late by: %(duration)s."), duration=late))
    if kind == "escalation":
        lines.insert(
            0, words(N_("Dear Sir or Madam, the contractual delay below has not been met."))
        )
    link = f"{base_url.rstrip('/')}/incidents/{incident_id}"
    facts = {
        "incident_id": incident_id,
        "vendor": vendor,
        "contract": contract,
        "severity": severity,
        "target": target_label,
        "article": article,
        "deadline": deadline.isoformat(),
        "remaining_seconds": remaining_seconds,
        "lateness_seconds": lateness_seconds,
    }
    return Alert(kind, subject, tuple(lines), link, facts).worded(words)
