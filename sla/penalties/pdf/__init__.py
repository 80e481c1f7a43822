"""The statement as a PDF (ReportLab, A4): the letter notified to the vendor (the penalties the
buyer intends to apply, and until when the vendor may answer: CCAG-TIC 2021 art. 14.1.1), and
the final statement with each line's decision, ready to sign.

Made from the `StatementView` alone, worded in the language given (`sla.penalties.text`), with
the look every Garantie PDF shares (`sla.printing.layout`): the organisation and its logo at
the top, the statement named at the top of each page, the organisation, contract, period and
page numbers at the bottom. Every line quotes its clause's article, the totals the articles of
the threshold and caps. The same view makes the same bytes: the document's dates are the
instant of its step (notified, finalised), not the instant it is drawn. A long statement's
lines are one-line cells (`grid_table`): 5,000 lines make their PDF in about a second."""

from __future__ import annotations

from sla.penalties.pdf.document import statement_pdf

__all__ = ["statement_pdf"]
