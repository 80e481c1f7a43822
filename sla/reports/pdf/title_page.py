"""The PDF's first page: period, scope, production date, summary and the dates ahead."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import (
    Spacer,
)
from reportlab.platypus.flowables import Flowable

from sla.reports import text as t
from sla.reports.figures import Report
from sla.reports.pdf.layout import (
    BODY,
    H2,
    H3,
    SMALL,
    TITLE,
    grid_table,
    none_line,
    para,
)


def title_page(report: Report) -> list[Flowable]:
    period = t.period_title(report.period.first, report.period.last)
    story: list[Flowable] = [
        Spacer(1, 5 * cm),
        para("Rapport des engagements de service", TITLE),
        para(f"Période : {period}", H2),
        para(f"Périmètre : {report.scope}", BODY),
        para(f"Produit le {t.when(report.as_of, report.period.zone)}", BODY),
        Spacer(1, 1 * cm),
        para("Synthèse", H2),
    ]
    rows = []
    for vendor in report.vendors:
        for contract in vendor.contracts:
            avail = contract.availability
            rows.append(
                [
                    vendor.vendor,
                    contract.contract.reference,
                    str(contract.reported),
                    str(contract.met),
                    str(contract.breached),
                    str(contract.excluded),
                    t.percent(contract.compliance),
                    t.percent(avail.measured_percent) if avail else "—",
                ]
            )
    story.extend(
        grid_table(
            [
                "Prestataire",
                "Contrat",
                "Incidents",
                "Délais respectés",
                "Dépassés",
                "Exclus",
                "Taux de respect",
                "Disponibilité",
            ],
            rows,
            [3.2, 3.4, 1.6, 1.7, 1.6, 1.3, 2, 2],
        )
    )
    story += [Spacer(1, 0.6 * cm), para("Échéances contractuelles des trois prochains mois", H3)]
    if report.dates_ahead:
        story.extend(
            grid_table(
                ["Date", "Échéance", "Contrat", "Prestataire"],
                [
                    [t.day(line.day), t.DATE_LABELS[line.what], line.contract, line.vendor]
                    for line in report.dates_ahead
                ],
                [3.5, 4.5, 4.5, 4.3],
            )
        )
    else:
        story.append(none_line("Aucune."))
    story.append(
        para(
            "Un délai compte dans la période où son issue est acquise : respecté à la date de "
            "l'étape, dépassé à l'échéance, exclu à l'invocation de la clause. Taux de respect "
            "= respectés / (respectés + dépassés). Les montants sont des estimations.",
            SMALL,
        )
    )
    return story
