"""One section per vendor: per contract its targets, times, availability, money, breaches,
open incidents and changes, then the vendor's charts."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Spacer,
)
from reportlab.platypus.flowables import Flowable

from sla.reports import text as t
from sla.reports.charts import compliance_chart, restoration_chart, severity_chart
from sla.reports.figures import ContractReport, Report, VendorReport
from sla.reports.pdf.layout import (
    BODY,
    H1,
    H2,
    H3,
    grid_table,
    none_line,
    para,
)


def _contract_heading(contract: ContractReport) -> list[Flowable]:
    """The contract's title and its incidents reported, per severity."""
    fact = contract.contract
    return [
        CondPageBreak(6 * cm),
        para(f"Contrat {fact.reference} — {fact.title}", H3),
        para(
            t.plural(contract.reported, "incident signalé", "incidents signalés")
            + " : "
            + ", ".join(f"{label} {count}" for label, count in contract.by_severity),
            BODY,
        ),
    ]


def _targets_table(contract: ContractReport) -> list[Flowable]:
    """Targets met, breached and excluded per kind, and all together, with the rates."""
    kinds = [
        [
            t.KIND_LABELS.get(k.kind, k.kind),
            str(k.met),
            str(k.breached),
            str(k.excluded),
            t.percent(k.compliance),
        ]
        for k in contract.kinds
    ]
    kinds.append(
        [
            "Tous les délais",
            str(contract.met),
            str(contract.breached),
            str(contract.excluded),
            t.percent(contract.compliance),
        ]
    )
    return grid_table(
        ["Délai", "Respectés", "Dépassés", "Exclus", "Taux de respect"], kinds, [5, 2, 2, 2, 2.5]
    )


def _times_table(contract: ContractReport) -> list[Flowable]:
    """Times to take-charge and to restoration: count, median, 90th percentile."""
    return grid_table(
        ["Temps (heures ouvrées)", "Nombre", "Médiane", "90e centile"],
        [
            [label, str(s.count), t.hours(s.median), t.hours(s.p90)]
            for label, s in (
                ("Prise en charge", contract.take_charge),
                ("Rétablissement", contract.restoration),
            )
        ],
        [5, 2, 3.5, 3.5],
    )


def _availability_and_outages(contract: ContractReport, zone: str) -> list[Flowable]:
    """The availability measured against the target, when the contract has one, and the
    outages counted."""
    story: list[Flowable] = []
    if contract.availability is not None:
        a = contract.availability
        verdict = {True: "engagement respecté", False: "engagement non respecté", None: "—"}[a.met]
        story.append(
            para(
                f"Disponibilité sur la plage de service garantie : {t.percent(a.measured_percent)}"
                f" pour un engagement de {t.percent(a.target_percent)} ({a.article}) — {verdict}."
                f" Indisponibilité comptée : {t.hours(a.down_seconds)}"
                f" sur {t.hours(a.open_seconds)}.",
                BODY,
            )
        )
    if contract.outages:
        story.extend(
            grid_table(
                ["Début", "Fin", "Service", "Cause", "Durée comptée"],
                [
                    [
                        t.when(o.started_at, zone),
                        t.when(o.ended_at, zone) if o.ended_at else "en cours",
                        o.service,
                        o.cause,
                        t.hours(o.down_seconds, contract.availability is not None),
                    ]
                    for o in contract.outages
                ],
                [3.3, 3.3, 3, 4.4, 2.8],
            )
        )
    return story


def _money_table(contract: ContractReport) -> list[Flowable]:
    """The amounts estimated, when there are any."""
    if not contract.money:
        return []
    return [
        para("Montants (estimation)", H3),
        *grid_table(
            ["Poste", "Quantité", "Montant estimé", "Base"],
            [[m.label, m.quantity, t.money(m.amount_ht), m.basis] for m in contract.money],
            [5, 3.4, 2.8, 5.6],
        ),
    ]


def _breach_list(contract: ContractReport, zone: str) -> list[Flowable]:
    """The targets breached in the period, with how late."""
    story: list[Flowable] = [para(f"Délais dépassés ({len(contract.breaches)})", H3)]
    if not contract.breaches:
        story.append(none_line("Aucun."))
        return story
    story.extend(
        grid_table(
            ["Incident", "Gravité", "Délai", "Échéance", "Étape", "Retard"],
            [
                [
                    f"n° {b.incident_id} {b.title}",
                    b.severity,
                    f"{b.target} ({b.article})" if b.article else b.target,
                    t.when(b.deadline, zone),
                    t.when(b.milestone_at, zone) if b.milestone_at else "non atteinte",
                    t.hours(b.lateness_seconds, b.business),
                ]
                for b in contract.breaches
            ],
            [3.6, 2.4, 3.4, 2.8, 2.8, 1.8],
        )
    )
    return story


def _open_incidents(contract: ContractReport, zone: str) -> list[Flowable]:
    """The incidents still unresolved at the end of the period."""
    title = f"Incidents non résolus en fin de période ({len(contract.open_at_end)})"
    story: list[Flowable] = [para(title, H3)]
    if not contract.open_at_end:
        story.append(none_line("Aucun."))
        return story
    story.extend(
        grid_table(
            ["Incident", "Gravité", "Signalé le"],
            [
                [f"n° {o.incident_id} {o.title}", o.severity, t.when(o.reported_at, zone)]
                for o in contract.open_at_end
            ],
            [8, 4.5, 4.3],
        )
    )
    return story


def _requalifications_and_exclusions(contract: ContractReport, zone: str) -> list[Flowable]:
    """The severities changed and the exclusion clauses invoked in the period, if any."""
    if not (contract.requalifications or contract.exclusions):
        return []
    return [
        para("Requalifications et exclusions invoquées", H3),
        *grid_table(
            ["Date", "Incident", "Changement", "Motif"],
            [
                [
                    t.when(c.at, zone),
                    f"n° {c.incident_id}",
                    t.change(contract.contract, c),
                    c.reason,
                ]
                for c in (*contract.requalifications, *contract.exclusions)
            ],
            [3.3, 2, 5, 6.5],
        ),
    ]


def contract_section(report: Report, contract: ContractReport) -> list[Flowable]:
    """A contract's part of its vendor's section: its figures, then the lists behind them."""
    zone = report.period.zone
    return [
        *_contract_heading(contract),
        *_targets_table(contract),
        Spacer(1, 0.2 * cm),
        *_times_table(contract),
        *_availability_and_outages(contract, zone),
        *_money_table(contract),
        *_breach_list(contract, zone),
        *_open_incidents(contract, zone),
        *_requalifications_and_exclusions(contract, zone),
    ]


def vendor_section(report: Report, vendor: VendorReport) -> list[Flowable]:
    story: list[Flowable] = [
        PageBreak(),
        para(vendor.vendor, H1),
        para(
            f"Taux de respect des délais sur la période : {t.percent(vendor.compliance)}.",
            BODY,
        ),
    ]
    for contract in vendor.contracts:
        story += contract_section(report, contract)
    story.append(CondPageBreak(14 * cm))
    story.append(para("Tendances sur douze mois", H2))
    for chart in (
        compliance_chart(vendor.trend),
        severity_chart(vendor.trend),
        restoration_chart(vendor.trend),
    ):
        story.append(KeepTogether([chart, Spacer(1, 0.3 * cm)]))
    return story
