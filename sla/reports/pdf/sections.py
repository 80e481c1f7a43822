"""One section per vendor: per contract its targets, times, availability, money, penalties,
breaches, open incidents and changes, then the vendor's charts, kept together on one page with
their heading. The vendor's heading names it at the top of each of its pages; the vendors, their
contracts and trends are the document's outline."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import cm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Spacer,
)
from reportlab.platypus.flowables import Flowable

from sla.printing.layout import (
    BODY,
    H1,
    H2,
    H3,
    SMALL,
    SectionHeading,
    grid_table,
    none_line,
    para,
)
from sla.reports.charts import compliance_chart, restoration_chart, severity_chart
from sla.reports.figures import ContractReport, Report, VendorReport
from sla.reports.text import Words, capitalised


def _contract_heading(contract: ContractReport, w: Words) -> list[Flowable]:
    """The contract's title and its incidents reported, per severity."""
    fact = contract.contract
    reported = w.ngettext(
        "%(num)d incident reported:", "%(num)d incidents reported:", contract.reported
    )
    return [
        CondPageBreak(6 * cm),
        SectionHeading(
            f"{w.gettext('Contract %(reference)s', reference=fact.reference)} — {fact.title}",
            H3,
            key=f"contract-{fact.id}",
            level=1,
        ),
        para(
            f"{reported} " + ", ".join(f"{label} {count}" for label, count in contract.by_severity),
            BODY,
        ),
    ]


def _targets_table(contract: ContractReport, w: Words) -> list[Flowable]:
    """Targets met, breached and excluded per kind, and all together, with the rates."""
    kinds = [
        [w.kind(k.kind), str(k.met), str(k.breached), str(k.excluded), w.percent(k.compliance)]
        for k in contract.kinds
    ]
    kinds.append(
        [
            capitalised(w.gettext("all targets")),
            str(contract.met),
            str(contract.breached),
            str(contract.excluded),
            w.percent(contract.compliance),
        ]
    )
    header = [
        w.gettext("Target"),
        w.gettext("Met"),
        w.gettext("Breaches"),
        w.gettext("Excluded"),
        w.gettext("Compliance"),
    ]
    return grid_table(header, kinds, [5, 2, 2, 2, 2.5])


def _times_table(contract: ContractReport, w: Words) -> list[Flowable]:
    """Times to take-charge and to restoration: count, median, 90th percentile."""
    header = [
        w.gettext("Time (business hours)"),
        w.gettext("Count"),
        w.gettext("Median"),
        w.gettext("90th percentile"),
    ]
    rows = [
        [label, str(s.count), w.hours(s.median), w.hours(s.p90)]
        for label, s in (
            (w.gettext("Take-charge"), contract.take_charge),
            (w.gettext("Restoration"), contract.restoration),
        )
    ]
    return grid_table(header, rows, [5, 2, 3.5, 3.5])


def _availability(contract: ContractReport, w: Words) -> list[Flowable]:
    """The availability measured against the target, when the contract has one."""
    a = contract.availability
    if a is None:
        return []
    verdict = {
        True: w.gettext("commitment met"),
        False: w.gettext("commitment not met"),
        None: "—",
    }[a.met]
    sentence = w.gettext(
        "Availability over the guaranteed service hours: %(measured)s for a commitment of "
        "%(target)s (%(article)s) — %(verdict)s. Downtime counted: %(down)s of %(open)s.",
        measured=w.percent(a.measured_percent),
        target=w.percent(a.target_percent),
        article=a.article,
        verdict=verdict,
        down=w.hours(a.down_seconds),
        open=w.hours(a.open_seconds),
    )
    return [para(sentence, BODY)]


def _outages(contract: ContractReport, zone: str, w: Words) -> list[Flowable]:
    """The outages counted, in the availability calendar when there is one."""
    if not contract.outages:
        return []
    header = [
        w.gettext("Start"),
        w.gettext("End date"),
        w.gettext("Service"),
        w.gettext("Cause"),
        w.gettext("Time counted"),
    ]
    rows = [
        [
            w.when(o.started_at, zone),
            w.when(o.ended_at, zone) if o.ended_at else w.gettext("ongoing"),
            o.service,
            o.cause,
            w.hours(o.down_seconds, contract.availability is not None),
        ]
        for o in contract.outages
    ]
    return grid_table(header, rows, [3.3, 3.3, 3, 4.4, 2.8])


def _money_table(contract: ContractReport, w: Words) -> list[Flowable]:
    """The amounts estimated, when there are any."""
    if not contract.money:
        return []
    header = [
        w.gettext("Item"),
        w.gettext("Quantity"),
        w.gettext("Estimated amount"),
        w.gettext("Basis"),
    ]
    rows = []
    for line in contract.money:
        label, quantity, basis = w.money_line(line)
        rows.append([label, quantity, w.money(line.amount_ht), basis])
    return [
        para(w.gettext("Amounts (estimate)"), H3),
        *grid_table(header, rows, [5, 3.4, 2.8, 5.6]),
    ]


def _penalties(contract: ContractReport, report: Report, w: Words) -> list[Flowable]:
    """The period's penalties, when the contract sets some: `Pénalités du mois : 1 234,00 € HT
    (37 lignes) — relevé n° 12, notifié, en attente de la réponse du prestataire`."""
    if contract.penalties is None:
        return []
    return [para(w.penalty_line(contract.penalties, report.period), BODY)]


def _breach_list(contract: ContractReport, zone: str, until: datetime, w: Words) -> list[Flowable]:
    """The targets breached in the period, with how late: a target not reached yet, by how much
    at `until` (the report's end)."""
    title = w.gettext("Breaches (%(n)d)", n=len(contract.breaches))
    story: list[Flowable] = [para(title, H3)]
    if not contract.breaches:
        return [*story, none_line(w.gettext("None."))]
    header = [
        w.gettext("Incident"),
        w.gettext("Severity"),
        w.gettext("Target"),
        w.gettext("Deadline"),
        w.gettext("Milestone at"),
        w.gettext("Late by"),
    ]
    rows = [
        [
            f"{w.gettext('#%(id)d', id=b.incident_id)} {b.title}",
            b.severity,
            f"{b.target} ({b.article})" if b.article else b.target,
            w.when(b.deadline, zone),
            w.when(b.milestone_at, zone) if b.milestone_at else w.gettext("not reached"),
            w.late_by(b.lateness_seconds, b.business, b.deadline, b.milestone_at, until),
        ]
        for b in contract.breaches
    ]
    story += grid_table(header, rows, [3.6, 2.4, 3.4, 2.8, 2.8, 1.8])
    if any(b.lateness_seconds is None and b.milestone_at is None for b in contract.breaches):
        note = w.gettext(
            "A target not reached yet is late by the calendar time from its deadline to %(until)s.",
            until=w.when(until, zone),
        )
        story.append(para(note, SMALL))
    return story


def _open_incidents(contract: ContractReport, zone: str, w: Words) -> list[Flowable]:
    """The incidents still unresolved at the end of the period."""
    title = w.gettext(
        "Incidents unresolved at the end of the period (%(n)d)", n=len(contract.open_at_end)
    )
    story: list[Flowable] = [para(title, H3)]
    if not contract.open_at_end:
        return [*story, none_line(w.gettext("None."))]
    header = [w.gettext("Incident"), w.gettext("Severity"), w.gettext("Reported on")]
    rows = [
        [
            f"{w.gettext('#%(id)d', id=o.incident_id)} {o.title}",
            o.severity,
            w.when(o.reported_at, zone),
        ]
        for o in contract.open_at_end
    ]
    return [*story, *grid_table(header, rows, [8, 4.5, 4.3])]


def _requalifications_and_exclusions(
    contract: ContractReport, zone: str, w: Words
) -> list[Flowable]:
    """The severities changed and the exclusion clauses invoked in the period, if any."""
    if not (contract.requalifications or contract.exclusions):
        return []
    header = [w.gettext("Date"), w.gettext("Incident"), w.gettext("Change"), w.gettext("Reason")]
    rows = [
        [
            w.when(c.at, zone),
            w.gettext("#%(id)d", id=c.incident_id),
            w.change(contract.contract, c),
            c.reason,
        ]
        for c in (*contract.requalifications, *contract.exclusions)
    ]
    return [
        para(w.gettext("Requalifications and exclusions invoked"), H3),
        *grid_table(header, rows, [3.3, 2, 5, 6.5]),
    ]


def contract_section(report: Report, contract: ContractReport, w: Words) -> list[Flowable]:
    """A contract's part of its vendor's section: its figures, then the lists behind them."""
    zone = report.period.zone
    until = min(report.as_of, report.period.end)
    return [
        *_contract_heading(contract, w),
        *_targets_table(contract, w),
        Spacer(1, 0.2 * cm),
        *_times_table(contract, w),
        *_availability(contract, w),
        *_outages(contract, zone, w),
        *_money_table(contract, w),
        *_penalties(contract, report, w),
        *_breach_list(contract, zone, until, w),
        *_open_incidents(contract, zone, w),
        *_requalifications_and_exclusions(contract, zone, w),
    ]


def vendor_section(report: Report, vendor: VendorReport, w: Words) -> list[Flowable]:
    """A vendor's pages: its name (at the top of each page too), its contracts, then its
    twelve-month charts with their heading, together on one page."""
    story: list[Flowable] = [
        PageBreak(),
        SectionHeading(vendor.vendor, H1, key=f"vendor-{vendor.vendor_id}", level=0, section=True),
        para(
            w.gettext("Compliance over the period: %(rate)s.", rate=w.percent(vendor.compliance)),
            BODY,
        ),
    ]
    for contract in vendor.contracts:
        story += contract_section(report, contract, w)
    charts: list[Flowable] = [
        SectionHeading(
            w.gettext("Twelve-month trends"), H2, key=f"trends-{vendor.vendor_id}", level=1
        )
    ]
    for chart in (
        compliance_chart(vendor.trend, w),
        severity_chart(vendor.trend, w),
        restoration_chart(vendor.trend, w),
    ):
        charts += [chart.drawing, Spacer(1, 0.4 * cm)]
    story.append(KeepTogether(charts))
    return story
