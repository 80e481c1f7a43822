"""What alerts say: mail subject, plain-text and HTML bodies, webhook payloads. Pure.

French by default (the DSI's language); dates in the calendar's local time.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sla import formats

TITLES = {
    "warning": "Échéance proche",
    "breach": "Délai dépassé",
    "reminder": "Rappel : délai toujours dépassé",
    "escalation": "Délai contractuel dépassé",
    "notice": "Préavis de dénonciation à donner",
    "end": "Fin de contrat proche",
    "digest": "Synthèse quotidienne",
    "report": "Rapport mensuel des engagements de service",
}


def local(value: datetime | None, zone: str) -> str:
    """`lun. 3 févr. 2025 14:30` in the given zone (alerts are written in French)."""
    return formats.instant(value, zone, "fr")


def duration(seconds: float | None, business: bool) -> str:
    """`1 min ouvrée`, `3 h 30 ouvrées` (the one rule: `sla.formats.french_duration`)."""
    return formats.french_duration(seconds, business)


@dataclass(frozen=True)
class Alert:
    """One alert about one target of one incident (or one contract date)."""

    kind: str
    subject: str
    lines: tuple[str, ...]
    link: str
    facts: dict[str, Any]

    def text(self) -> str:
        return "\n".join([*self.lines, "", f"Voir : {self.link}", "", "— Garantie"]) + "\n"

    def html(self) -> str:
        items = "".join(f"<p>{html.escape(line)}</p>" for line in self.lines)
        link = html.escape(self.link)
        return (
            '<html><body style="font-family: sans-serif">'
            f"<h2>{html.escape(TITLES.get(self.kind, self.kind))}</h2>{items}"
            f'<p><a href="{link}">{link}</a></p><p style="color:#555">— Garantie</p></body></html>'
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
) -> Alert:
    heading = TITLES[kind]
    subject = f"[Garantie] {heading} — {vendor} — n° {incident_id} {title} — {target_label}"
    lines = [
        f"{heading} : {target_label} ({article or 'contrat'}) "
        f"pour l'incident n° {incident_id} « {title} ».",
        f"Prestataire : {vendor} — contrat {contract} — gravité {severity}.",
        f"Échéance : {local(deadline, zone)}.",
    ]
    if kind == "warning":
        lines.append(f"Temps restant : {duration(remaining_seconds, business)}.")
    elif lateness_seconds is not None:
        lines.append(f"Retard : {duration(lateness_seconds, business)}.")
    if kind == "escalation":
        lines.insert(0, "Madame, Monsieur, le délai contractuel ci-dessous n'a pas été respecté.")
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
    return Alert(kind, subject, tuple(lines), link, facts)
