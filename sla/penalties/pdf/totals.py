"""The statement's totals (as notified, as decided) and the signature block."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from sla.engine.penalties import Totals
from sla.penalties.pdf.look import RIGHT, RIGHT_BOLD, SMALL_BOLD, TOTALS, WIDTH
from sla.penalties.pdf.tables import whole_width
from sla.penalties.statement import StatementView
from sla.penalties.text import TotalRow, Words
from sla.printing.layout import (
    BODY,
    FONT,
    H3,
    SMALL,
    para,
)


def _total_table(rows: list[TotalRow], w: Words) -> Table:
    cells, amounts = [], []
    for row in rows:
        label = f"{row.label} ({row.article})" if row.article else row.label
        amount = "—" if row.amount is None else w.money(row.amount)
        style, right = (SMALL_BOLD, RIGHT_BOLD) if row.total else (SMALL, RIGHT)
        cells.append([para(label, style), para(amount, right)])
        amounts.append(amount)
    width = whole_width(amounts)
    table = Table(cells, colWidths=[(WIDTH - width) * cm, width * cm], hAlign="LEFT")
    table.setStyle(TOTALS)
    return table


def totals_block(view: StatementView, w: Words, *, letter: bool) -> list[Flowable]:
    """The totals through the threshold and caps, with their articles: as notified (the
    letter), and as decided (the final statement); amounts outside VAT. On one page."""

    def rows(totals: Totals, decided: bool = False) -> list[TotalRow]:
        return w.totals_rows(
            totals,
            threshold_article=view.threshold_article,
            cap_article=view.cap_article,
            decided=decided,
        )

    story: list[Flowable] = [para(w.gettext("Totals"), H3)]
    if letter or view.decided is None:
        story.append(_total_table(rows(view.totals), w))
        if not letter and view.undecided:
            story.append(
                para(
                    w.ngettext(
                        "%(num)d line is not decided yet.",
                        "%(num)d lines are not decided yet.",
                        view.undecided,
                    ),
                    SMALL,
                )
            )
    else:
        story += [
            para(w.gettext("As notified"), SMALL_BOLD),
            _total_table(rows(view.totals), w),
            Spacer(1, 0.3 * cm),
            para(w.gettext("As decided"), SMALL_BOLD),
            _total_table(rows(view.decided, decided=True), w),
            Spacer(1, 0.3 * cm),
            para(
                w.gettext(
                    "This statement is settled at the sum of %(amount)s.",
                    amount=w.money(view.decided.total),
                ),
                BODY,
            ),
        ]
    story.append(para(w.gettext("Amounts outside VAT: penalties are not subject to VAT."), SMALL))
    return [KeepTogether(story)]  # a few lines: on one page, with their heading


def signature_block(w: Words) -> Flowable:
    """Where the buyer's representative signs the final statement, kept on one page."""
    box = Table(
        [
            [para(w.gettext("Done at ……, on ……"), BODY)],
            [para(w.gettext("The representative of the contracting authority"), BODY)],
            [para(w.gettext("Name, position and signature"), SMALL)],
        ],
        colWidths=[8.5 * cm],
        rowHeights=[None, None, 3.5 * cm],
        hAlign="RIGHT",
    )
    box.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("BOX", (0, 2), (0, 2), 0.6, colors.HexColor("#5f6368")),
                ("TOPPADDING", (0, 1), (0, 1), 6),
            ]
        )
    )
    return KeepTogether([Spacer(1, 0.8 * cm), box])
