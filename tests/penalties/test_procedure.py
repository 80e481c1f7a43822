"""The contradictory procedure end to end on the month of `tests/penalties/period.py`: draft,
notify, observations, decisions, final; what is refused and why; a final statement unchanged
by a later correction of an incident; a superseding statement."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from incidents.models import IncidentEvent
from sla.alerts.models import Notification
from sla.db import session_scope
from sla.engine.lifecycle import EventKind
from sla.errors import DomainError
from sla.penalties import procedure, reading
from sla.penalties.models import PenaltyLine, PenaltyStatement, PenaltyStep
from sla.penalties.statement import State
from sla.printing.organisation import Organisation
from tests.penalties.period import NOW, OCTOBER, TODAY, at, build_october, event
from tests.reports.test_languages import pdf_text

MAILING = procedure.Mailing(Organisation("Ville d'Exemple"), "fr")
DAY = timedelta(days=1)


def _draft(engine: Engine, contract_id: int) -> int:
    with session_scope(engine) as session:
        statement = procedure.create_statement(
            session,
            contract_id=contract_id,
            period_kind="month",
            first=OCTOBER[0],
            last=None,
            by=None,
            now=NOW,
            today=TODAY,
        )
        assert statement.id is not None
        return statement.id


def _notify(engine: Engine, statement_id: int, now=NOW) -> PenaltyStatement:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return procedure.notify(
            session, statement_id, revision=None, by=None, now=now, mailing=MAILING
        )


def _refused(engine: Engine, action, **values) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused, session_scope(engine) as session:
        action(session, **values)
    return refused.value


def _lines(engine: Engine, statement_id: int) -> list[PenaltyLine]:
    with Session(engine) as session:
        return list(
            session.exec(select(PenaltyLine).where(PenaltyLine.statement_id == statement_id))
        )


def test_notifying_freezes_the_lines_and_queues_the_letter(engine: Engine) -> None:
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    _notify(engine, statement_id)
    with Session(engine) as session:
        statement = session.get(PenaltyStatement, statement_id)
        assert statement is not None
        assert statement.state == State.notified
        assert statement.notified_total_ht == Decimal("2000.00")
        assert statement.letter_pdf is not None and statement.letter_pdf.startswith(b"%PDF")
        # Notified Fri 20 Nov 11:00 in Paris: 15 days → Sat 5 Dec, a Saturday: the period
        # runs to the end of the next working day, Mon 7 Dec, local time.
        assert statement.answer_due_at is not None
        assert statement.answer_due_at == at(7, 23, 59, month=12) + timedelta(seconds=59)
        (mail,) = session.exec(
            select(Notification).where(Notification.statement_id == statement_id)
        ).all()
        assert mail.recipient == "support@exemple-infogerance.invalid"
        assert "EXEMPLE-PENALITES-2026" in mail.subject
    assert len(_lines(engine, statement_id)) == 6


def test_the_letter_read_back_holds_each_line_its_clause_and_the_total(
    engine: Engine, tmp_path: Path
) -> None:
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    letter = _notify(engine, statement_id).letter_pdf
    assert letter is not None
    text = pdf_text(letter, tmp_path)
    for amount in ("150,00", "24,00", "30,00", "40,00", "3 600,00", "3 844,00", "2 000,00"):
        assert amount in text, amount
    for article in ("CCAP fictif art. 9.1", "CCAP fictif art. 9.2", "CCAP fictif art. 9.3"):
        assert article in text, article
    assert "CCAP fictif art. 9.4 ; CCAG-TIC 2021 art. 14.1" in text
    assert "CCAP fictif art. 9.7" in text
    assert "7 décembre 2026" in text  # the end of the answer period


def test_refused_transitions_say_why(engine: Engine) -> None:
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    line_free = {"revision": None, "line_id": 1, "decision": "applied", "reason": "r"}
    early = _refused(
        engine,
        procedure.decide,
        statement_id=statement_id,
        by=None,
        now=NOW,
        amount=None,
        **line_free,
    )
    assert early.code == "penalty.not_notified"
    _notify(engine, statement_id)
    twice = _refused(
        engine,
        procedure.notify,
        statement_id=statement_id,
        revision=None,
        by=None,
        now=NOW,
        mailing=MAILING,
    )
    assert twice.code == "penalty.already_notified"
    line_id = _lines(engine, statement_id)[0].id
    waiting = _refused(
        engine,
        procedure.decide,
        statement_id=statement_id,
        revision=None,
        line_id=line_id,
        decision="waived",
        amount=None,
        reason="Le prestataire n'a pas encore répondu",
        by=None,
        now=NOW + DAY,
    )
    assert waiting.code == "penalty.answer_period_open"
    stale = _refused(
        engine,
        procedure.record_observations,
        statement_id=statement_id,
        revision=1,
        text="…",
        received_at=NOW,
        files=[],
        by=None,
        now=NOW,
    )
    assert stale.code == "penalty.changed"
    overlapping = _refused(
        engine,
        procedure.create_statement,
        contract_id=built.contract_id,
        period_kind="range",
        first=OCTOBER[0] + 14 * DAY,
        last=OCTOBER[1] + 5 * DAY,
        by=None,
        now=NOW,
        today=TODAY,
    )
    assert overlapping.code == "penalty.statement_exists"
    not_over = _refused(
        engine,
        procedure.create_statement,
        contract_id=built.contract_id,
        period_kind="month",
        first=TODAY,
        last=None,
        by=None,
        now=NOW,
        today=TODAY,
    )
    assert not_over.code == "penalty.period_not_over"
    with Session(engine) as session:
        steps = session.exec(
            select(PenaltyStep.kind).where(PenaltyStep.statement_id == statement_id)
        ).all()
    assert steps == ["drafted", "notified"]  # nothing refused left a trace


def _decide_all(engine: Engine, statement_id: int, now) -> None:  # type: ignore[no-untyped-def]
    for line in _lines(engine, statement_id):
        with session_scope(engine) as session:
            if line.clause_key == "disponibilite":
                decision, amount = "reduced", "1000"
            elif line.clause_key == "prise-en-charge":
                decision, amount = "waived", None
            else:
                decision, amount = "applied", None
            procedure.decide(
                session,
                statement_id,
                revision=None,
                line_id=line.id or 0,
                decision=decision,
                amount=amount,
                reason="Observations du prestataire examinées",
                by=None,
                now=now,
            )


def test_the_whole_procedure_and_a_final_statement_unchanged_by_a_correction(
    engine: Engine,
) -> None:
    """Decided: availability reduced to 1 000 €, take-charge waived, the others applied:
    150 + 24 + 40 + 0 + 1 000 = 1 214 € (under the 2 000 € cap)."""
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    _notify(engine, statement_id)
    with session_scope(engine) as session:
        procedure.record_observations(
            session,
            statement_id,
            revision=None,
            text="La panne du 20 octobre venait d'une coupure électrique du site.",
            received_at=NOW + 3 * DAY,
            files=[procedure.Upload("reponse.pdf", "application/pdf", b"%PDF-1.4 reponse")],
            by=None,
            now=NOW + 4 * DAY,
        )
    _decide_all(engine, statement_id, NOW + 5 * DAY)
    with session_scope(engine) as session:
        procedure.finalise(
            session,
            statement_id,
            revision=None,
            by=None,
            now=NOW + 6 * DAY,
            organisation=MAILING.organisation,
            locale="fr",
        )
    with Session(engine) as session:
        before = reading.statement_view(session, statement_id, now=NOW + 7 * DAY)
        stored = session.get(PenaltyStatement, statement_id)
        assert stored is not None and stored.final_pdf is not None
        pdf_before = stored.final_pdf
    assert before.state is State.final
    assert before.decided is not None and before.decided.total == Decimal("1214.00")
    assert [step.kind.value for step in before.steps] == [
        "drafted",
        "notified",
        "observations",
        *["decided"] * 6,
        "finalised",
    ]
    assert before.steps[2].files[0].filename == "reponse.pdf"
    # A later correction: I1's GTR workaround was in fact at 14:00, in time.
    with Session(engine) as session:
        wrong = session.exec(
            select(IncidentEvent).where(
                IncidentEvent.incident_id == built.incidents["i1"],
                IncidentEvent.kind == "workaround",
            )
        ).one()
    event(
        engine,
        built.incidents["i1"],
        EventKind.cancellation,
        NOW + 8 * DAY,
        cancels=wrong.id,
        text="Heure corrigée",
    )
    event(engine, built.incidents["i1"], EventKind.workaround, at(5, 14), now=NOW + 8 * DAY)
    with Session(engine) as session:
        after = reading.statement_view(session, statement_id, now=NOW + 9 * DAY)
        stored = session.get(PenaltyStatement, statement_id)
        assert stored is not None
        assert stored.final_pdf == pdf_before
    assert after.lines == before.lines
    assert after.decided == before.decided
    refused = _refused(
        engine,
        procedure.decide,
        statement_id=statement_id,
        revision=None,
        line_id=before.lines[0].id,
        decision="waived",
        amount=None,
        reason="…",
        by=None,
        now=NOW + 9 * DAY,
    )
    assert refused.code == "penalty.closed"
    # A new statement supersedes it, with the reason; it counts the correction.
    with session_scope(engine) as session:
        replacement = procedure.supersede(
            session,
            statement_id,
            revision=None,
            reason="Contournement de l'incident du 5 octobre corrigé",
            by=None,
            now=NOW + 10 * DAY,
            today=TODAY + 10 * DAY,
        )
        new_id = replacement.id
    with Session(engine) as session:
        old = reading.statement_view(session, statement_id, now=NOW + 10 * DAY)
        new = reading.statement_view(session, new_id or 0, now=NOW + 10 * DAY)
    # The final one stays in force until its replacement is final.
    assert old.state is State.final and old.superseded_by_id == new_id
    assert new.supersedes_id == statement_id
    assert "gtr-bloquant" not in {line.clause_key for line in new.lines}
    _notify(engine, new_id or 0, now=NOW + 11 * DAY)
    with Session(engine) as session:
        # Notified, the replacement counts for the contract year instead of the one it
        # replaces (never both): its yearly cap's room is the whole 2 400 €.
        notified = reading.statement_view(session, new_id or 0, now=NOW + 11 * DAY)
    assert notified.totals.already_in_year == Decimal(0)
    _decide_all(engine, new_id or 0, NOW + 30 * DAY)
    with session_scope(engine) as session:
        procedure.finalise(
            session,
            new_id or 0,
            revision=None,
            by=None,
            now=NOW + 31 * DAY,
            organisation=MAILING.organisation,
            locale="fr",
        )
    with Session(engine) as session:
        old = reading.statement_view(session, statement_id, now=NOW + 32 * DAY)
    assert old.state is State.superseded and old.superseded_by_id == new_id
    assert old.steps[-1].kind.value == "superseded"
    assert old.steps[-1].text == "Contournement de l'incident du 5 octobre corrigé"


def test_a_reduced_amount_must_be_below_the_line(engine: Engine) -> None:
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    _notify(engine, statement_id)
    line = next(line for line in _lines(engine, statement_id) if line.clause_key == "gtr-bloquant")
    for amount, code in (
        ("150", "penalty.not_reduced"),
        ("abc", "penalty.amount"),
        ("-1", "penalty.amount"),
    ):
        refused = _refused(
            engine,
            procedure.decide,
            statement_id=statement_id,
            revision=None,
            line_id=line.id,
            decision="reduced",
            amount=amount,
            reason="Retard partiellement imputable à la Ville",
            by=None,
            now=NOW + 20 * DAY,
        )
        assert (refused.code, refused.field) == (code, "amount")
    unfinished = _refused(
        engine,
        procedure.finalise,
        statement_id=statement_id,
        revision=None,
        by=None,
        now=NOW + 20 * DAY,
        organisation=MAILING.organisation,
        locale="fr",
    )
    assert unfinished.code == "penalty.undecided"


def test_the_answer_period_runs_past_a_weekend_and_a_holiday() -> None:
    """15 days from Thu 16 Oct 2025 end on Fri 31 Oct (a working day); from Fri 17 Oct they end
    on Sat 1 Nov, All Saints' Day: then Sun 2 Nov, so Mon 3 Nov."""
    thursday = at(16, 10, month=10).replace(year=2025)
    assert procedure.answer_due(thursday, 15, "Europe/Paris", "FR").day == 31
    friday = thursday + DAY
    due = procedure.answer_due(friday, 15, "Europe/Paris", "FR")
    assert (due.month, due.day, due.hour, due.minute) == (11, 3, 23, 59)


def test_of_two_people_notifying_at_once_the_second_is_refused(engine: Engine) -> None:
    """Both read revision 1; the first notifies; the second, still holding revision 1, is
    refused by the database's conditional update: one letter, one set of lines."""
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    with Session(engine) as first, Session(engine) as second:
        mine = first.get(PenaltyStatement, statement_id)
        theirs = second.get(PenaltyStatement, statement_id)
        assert mine is not None and theirs is not None
        assert mine.revision == theirs.revision == 1
        procedure.notify(first, statement_id, revision=1, by=None, now=NOW, mailing=MAILING)
        first.commit()
        with pytest.raises(DomainError) as refused:
            procedure.notify(second, statement_id, revision=None, by=None, now=NOW, mailing=MAILING)
        second.rollback()
    assert refused.value.code == "penalty.changed"
    assert len(_lines(engine, statement_id)) == 6
    with Session(engine) as session:
        steps = session.exec(
            select(PenaltyStep.kind).where(PenaltyStep.statement_id == statement_id)
        ).all()
    assert steps == ["drafted", "notified"]


def test_a_line_within_its_grace_needs_no_decision(engine: Engine) -> None:
    """I3's GTR, 1 h late within 2 h of grace, charges 0 €: the statement is final once the
    five lines that charge something are decided."""
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    _notify(engine, statement_id)
    later = NOW + 20 * DAY  # the answer period is over
    for line in _lines(engine, statement_id):
        if line.amount_ht == 0:
            continue
        with session_scope(engine) as session:
            procedure.decide(
                session,
                statement_id,
                revision=None,
                line_id=line.id or 0,
                decision="applied",
                amount=None,
                reason="Retard constaté",
                by=None,
                now=later,
            )
    with session_scope(engine) as session:
        final = procedure.finalise(
            session,
            statement_id,
            revision=None,
            by=None,
            now=later,
            organisation=MAILING.organisation,
            locale="fr",
        )
        assert final.state == State.final
        assert final.final_total_ht == Decimal("2000.00")
