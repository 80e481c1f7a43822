"""The outage services: record, end once, cancel with a reason (never deleted, never
overwritten), list; and the input each of them refuses, naming the field at fault."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from incidents.service import report_incident
from sla.auth.models import User
from sla.contracts.models import Contract
from sla.db import id_of, session_scope
from sla.errors import DomainError, NotFound
from sla.outages.models import Outage
from sla.outages.service import cancel_outage, end_outage, list_outages, record_outage
from sla.web.roles import Role
from tests.support import ALERTS

PARIS = ZoneInfo("Europe/Paris")
LIBRICIEL = "D_2024_0110"
AUKFOOD = "MIRAMAS-AUKFOOD-2023"


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=PARIS)


NOW = at(20, 12, month=11)


@pytest.fixture
def session(engine: Engine, contracts: dict[str, int]) -> Iterator[Session]:
    """A session on the imported contracts, rolled back at the end (the services flush)."""
    with Session(engine, expire_on_commit=False) as value:
        yield value
        value.rollback()


@pytest.fixture
def agent_id(make_user: Callable[..., User]) -> int:
    return id_of(make_user("dominique", Role.agent))


def record(session: Session, contract_id: int, **overrides: Any) -> Outage:
    values: dict[str, Any] = {
        "started_at": at(7, 10),
        "ended_at": at(7, 15, 30),
        "service": "",
        "cause": "Hébergement indisponible",
        "incident_id": None,
        "user_id": None,
        "now": NOW,
        **overrides,
    }
    return record_outage(session, contract_id=contract_id, **values)


def stored(session: Session) -> list[Outage]:
    return list(session.exec(select(Outage)))


def refused(session: Session, field: str | None, call: Callable[[], Any]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.field == field, caught.value.message
    assert caught.value.message
    return caught.value


def test_recording_an_outage_stores_every_field_as_aware_utc_instants(
    engine: Engine, contracts: dict[str, int], agent_id: int
) -> None:
    contract = contracts[LIBRICIEL]
    with session_scope(engine) as session:
        incident = report_incident(
            session,
            contract_id=contract,
            severity="bloquant",
            title="Convocations bloquées",
            reported_at=at(7, 9),
            now=NOW,
            user_id=None,
            alert_settings=ALERTS,
        ).incident
        outage = record(
            session,
            contract,
            service="ComElus",
            cause="  Hébergement indisponible \n",
            incident_id=incident.id,
            user_id=agent_id,
        )
        outage_id, incident_id = id_of(outage), id_of(incident)
    with Session(engine) as session:
        kept = session.get(Outage, outage_id)
        assert kept is not None
        assert kept.contract_id == contract and kept.service == "ComElus"
        assert kept.cause == "Hébergement indisponible"  # trimmed
        assert kept.incident_id == incident_id
        assert kept.started_at == datetime(2025, 10, 7, 8, 0, tzinfo=UTC)  # 10:00 Paris (CEST)
        assert kept.ended_at == datetime(2025, 10, 7, 13, 30, tzinfo=UTC)
        assert kept.recorded_at == NOW
        for instant in (kept.started_at, kept.ended_at, kept.recorded_at):
            assert instant is not None and instant.tzinfo is UTC
        assert kept.recorded_by_id == agent_id and kept.ended_by_id == agent_id
        assert kept.cancelled_at is None and kept.cancelled_by_id is None
        assert kept.cancel_reason == ""


def test_an_ongoing_outage_is_recorded_without_end_nor_who_ended_it(
    session: Session, contracts: dict[str, int], agent_id: int
) -> None:
    outage = record(session, contracts[LIBRICIEL], ended_at=None, user_id=agent_id)
    assert outage.id is not None
    assert outage.ended_at is None and outage.ended_by_id is None
    assert outage.recorded_by_id == agent_id


def test_start_and_end_may_be_given_in_any_offset_and_are_compared_as_instants(
    session: Session, contracts: dict[str, int]
) -> None:
    # 09:00 UTC is 11:00 in Paris: an end at 10:30 Paris comes before it and is refused,
    # an end at 11:30 Paris comes after it and is taken.
    start = datetime(2025, 10, 7, 9, 0, tzinfo=UTC)
    refused(
        session,
        "ended_at",
        lambda: record(session, contracts[LIBRICIEL], started_at=start, ended_at=at(7, 10, 30)),
    )
    outage = record(session, contracts[LIBRICIEL], started_at=start, ended_at=at(7, 11, 30))
    assert outage.ended_at is not None and outage.ended_at - start == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("started_at", {"started_at": at(7, 10).replace(tzinfo=None)}),
        ("ended_at", {"ended_at": at(7, 15, 30).replace(tzinfo=None)}),
    ],
    ids=["naive-start", "naive-end"],
)
def test_a_naive_start_or_end_is_refused_naming_the_field(
    session: Session, contracts: dict[str, int], field: str, overrides: dict[str, Any]
) -> None:
    refused(session, field, lambda: record(session, contracts[LIBRICIEL], **overrides))
    assert stored(session) == []


@pytest.mark.parametrize(
    "ended_at", [at(7, 10), at(7, 9, 59), at(6, 18)], ids=["equal", "a-minute-before", "day-before"]
)
def test_an_end_not_after_the_start_is_refused_on_ended_at(
    session: Session, contracts: dict[str, int], ended_at: datetime
) -> None:
    error = refused(
        session, "ended_at", lambda: record(session, contracts[LIBRICIEL], ended_at=ended_at)
    )
    assert "after the start" in error.message
    assert stored(session) == []


def test_a_start_in_the_future_is_refused_on_started_at(
    session: Session, contracts: dict[str, int]
) -> None:
    error = refused(
        session,
        "started_at",
        lambda: record(
            session, contracts[LIBRICIEL], started_at=NOW + timedelta(minutes=1), ended_at=None
        ),
    )
    assert "future" in error.message
    assert stored(session) == []
    # The present instant itself is not the future.
    assert record(session, contracts[LIBRICIEL], started_at=NOW, ended_at=None).id is not None


def test_an_end_in_the_future_is_refused_on_ended_at(
    session: Session, contracts: dict[str, int]
) -> None:
    error = refused(
        session,
        "ended_at",
        lambda: record(session, contracts[LIBRICIEL], ended_at=NOW + timedelta(minutes=1)),
    )
    assert "future" in error.message
    assert stored(session) == []
    assert record(session, contracts[LIBRICIEL], ended_at=NOW).ended_at == NOW


def test_an_unknown_contract_is_refused_on_contract_id(
    session: Session, contracts: dict[str, int]
) -> None:
    unknown = max(contracts.values()) + 1000
    with pytest.raises(NotFound) as caught:
        record(session, unknown)
    assert caught.value.field == "contract_id"
    assert stored(session) == []


def test_a_service_outside_the_contract_is_refused_on_service(
    session: Session, contracts: dict[str, int]
) -> None:
    # Libriciel's contract lists "ComElus" only; Aukfood's services are not Libriciel's.
    for name in ("Collabora Online", "comelus", " ComElus"):
        refused(session, "service", partial(record, session, contracts[LIBRICIEL], service=name))
    assert stored(session) == []
    assert record(session, contracts[LIBRICIEL], service="ComElus").service == "ComElus"
    assert record(session, contracts[LIBRICIEL], service="").service == ""  # the whole contract


def test_a_contract_that_lists_no_service_takes_any_service_name(
    session: Session, contracts: dict[str, int]
) -> None:
    contract = session.get(Contract, contracts[LIBRICIEL])
    assert contract is not None
    contract.services = []
    session.add(contract)
    session.flush()
    assert record(session, contracts[LIBRICIEL], service="Portail élus").service == "Portail élus"


def test_an_incident_of_another_contract_or_unknown_is_refused_on_incident_id(
    session: Session, contracts: dict[str, int]
) -> None:
    other = report_incident(
        session,
        contract_id=contracts[AUKFOOD],
        severity="linux",
        title="Serveur de fichiers saturé",
        reported_at=at(7, 9),
        now=NOW,
        user_id=None,
        alert_settings=ALERTS,
    ).incident
    for incident_id in (id_of(other), id_of(other) + 1000):
        refused(
            session,
            "incident_id",
            partial(record, session, contracts[LIBRICIEL], incident_id=incident_id),
        )
    assert stored(session) == []
    linked = record(session, contracts[AUKFOOD], incident_id=id_of(other))
    assert linked.incident_id == id_of(other)


def test_ending_an_ongoing_outage_sets_its_end_and_who_gave_it(
    engine: Engine, contracts: dict[str, int], agent_id: int
) -> None:
    with session_scope(engine) as session:
        outage_id = id_of(record(session, contracts[LIBRICIEL], ended_at=None, user_id=None))
    with session_scope(engine) as session:
        ended = end_outage(session, outage_id, ended_at=at(7, 15, 30), user_id=agent_id, now=NOW)
        assert ended.ended_at == at(7, 15, 30)
    with Session(engine) as session:
        kept = session.get(Outage, outage_id)
        assert kept is not None
        assert kept.ended_at == datetime(2025, 10, 7, 13, 30, tzinfo=UTC)
        assert kept.ended_at.tzinfo is UTC
        assert kept.ended_by_id == agent_id and kept.recorded_by_id is None
        assert kept.started_at == at(7, 10)  # untouched


def test_a_second_end_is_refused_and_the_first_end_stays(
    session: Session, contracts: dict[str, int], agent_id: int
) -> None:
    outage = record(session, contracts[LIBRICIEL], ended_at=None)
    end_outage(session, id_of(outage), ended_at=at(7, 15, 30), user_id=None, now=NOW)
    error = refused(
        session,
        "ended_at",
        lambda: end_outage(session, id_of(outage), ended_at=at(7, 18), user_id=agent_id, now=NOW),
    )
    assert "already" in error.message
    session.expire_all()
    kept = session.get(Outage, id_of(outage))
    assert kept is not None and kept.ended_at == at(7, 15, 30) and kept.ended_by_id is None


def test_an_outage_recorded_with_its_end_cannot_be_ended_again(
    session: Session, contracts: dict[str, int]
) -> None:
    outage = record(session, contracts[LIBRICIEL], ended_at=at(7, 15, 30))
    refused(
        session,
        "ended_at",
        lambda: end_outage(session, id_of(outage), ended_at=at(7, 18), user_id=None, now=NOW),
    )
    assert outage.ended_at == at(7, 15, 30)


@pytest.mark.parametrize(
    "ended_at",
    [at(7, 10), at(7, 9), NOW + timedelta(seconds=1), at(7, 15, 30).replace(tzinfo=None)],
    ids=["at-start", "before-start", "future", "naive"],
)
def test_ending_refuses_an_end_not_after_the_start_in_the_future_or_naive(
    session: Session, contracts: dict[str, int], ended_at: datetime
) -> None:
    outage = record(session, contracts[LIBRICIEL], ended_at=None)
    refused(
        session,
        "ended_at",
        lambda: end_outage(session, id_of(outage), ended_at=ended_at, user_id=None, now=NOW),
    )
    session.expire_all()
    kept = session.get(Outage, id_of(outage))
    assert kept is not None and kept.ended_at is None


def test_ending_a_cancelled_outage_is_refused(session: Session, contracts: dict[str, int]) -> None:
    outage = record(session, contracts[LIBRICIEL], ended_at=None)
    cancel_outage(session, id_of(outage), reason="doublon", user_id=None, now=NOW)
    error = refused(
        session,
        None,
        lambda: end_outage(session, id_of(outage), ended_at=at(7, 12), user_id=None, now=NOW),
    )
    assert "cancelled" in error.message
    assert outage.ended_at is None


def test_ending_or_cancelling_an_unknown_outage_is_not_found(
    session: Session, contracts: dict[str, int]
) -> None:
    with pytest.raises(NotFound):
        end_outage(session, 424242, ended_at=at(7, 12), user_id=None, now=NOW)
    with pytest.raises(NotFound):
        cancel_outage(session, 424242, reason="doublon", user_id=None, now=NOW)


def test_cancelling_keeps_the_outage_flagged_with_who_when_and_why(
    engine: Engine, contracts: dict[str, int], agent_id: int
) -> None:
    with session_scope(engine) as session:
        outage_id = id_of(record(session, contracts[LIBRICIEL]))
    with session_scope(engine) as session:
        cancel_outage(
            session, outage_id, reason="  saisie sur le mauvais contrat ", user_id=agent_id, now=NOW
        )
    with Session(engine) as session:
        rows = stored(session)
        assert [r.id for r in rows] == [outage_id]  # still there, not deleted
        kept = rows[0]
        assert kept.cancelled_at == NOW and kept.cancelled_at.tzinfo is UTC
        assert kept.cancelled_by_id == agent_id
        assert kept.cancel_reason == "saisie sur le mauvais contrat"
        # Nothing else is overwritten.
        assert kept.started_at == at(7, 10) and kept.ended_at == at(7, 15, 30)
        assert kept.cause == "Hébergement indisponible"


@pytest.mark.parametrize("reason", ["", "   \n\t"], ids=["empty", "blank"])
def test_a_cancel_without_reason_is_refused_on_reason(
    session: Session, contracts: dict[str, int], reason: str
) -> None:
    outage = record(session, contracts[LIBRICIEL])
    refused(
        session,
        "reason",
        lambda: cancel_outage(session, id_of(outage), reason=reason, user_id=None, now=NOW),
    )
    assert outage.cancelled_at is None and outage.cancel_reason == ""


def test_a_second_cancel_is_refused_and_the_first_reason_stays(
    session: Session, contracts: dict[str, int], agent_id: int
) -> None:
    outage = record(session, contracts[LIBRICIEL])
    cancel_outage(session, id_of(outage), reason="doublon", user_id=None, now=NOW)
    error = refused(
        session,
        None,
        lambda: cancel_outage(
            session,
            id_of(outage),
            reason="autre raison",
            user_id=agent_id,
            now=NOW + timedelta(hours=1),
        ),
    )
    assert "already" in error.message
    session.expire_all()
    kept = session.get(Outage, id_of(outage))
    assert kept is not None
    assert (kept.cancel_reason, kept.cancelled_at, kept.cancelled_by_id) == ("doublon", NOW, None)


def test_listing_is_newest_first_keeps_cancelled_ones_filters_by_contract_and_limits(
    session: Session, contracts: dict[str, int]
) -> None:
    libriciel, aukfood = contracts[LIBRICIEL], contracts[AUKFOOD]
    early = record(session, libriciel, started_at=at(3, 9), ended_at=at(3, 10))
    late = record(session, libriciel, started_at=at(9, 9), ended_at=None)
    middle = record(session, aukfood, started_at=at(5, 9), ended_at=at(5, 11))
    twin = record(session, libriciel, started_at=at(3, 9), ended_at=at(3, 12))
    cancel_outage(session, id_of(early), reason="doublon", user_id=None, now=NOW)

    everything = list_outages(session)
    # Newest start first; two outages starting together: the later record first.
    assert [o.id for o in everything] == [late.id, middle.id, twin.id, early.id]
    assert [o.id for o in list_outages(session, contract_id=libriciel)] == [
        late.id,
        twin.id,
        early.id,
    ]
    assert [o.id for o in list_outages(session, contract_id=aukfood)] == [middle.id]
    assert [o.id for o in list_outages(session, limit=2)] == [late.id, middle.id]
    assert list_outages(session, contract_id=max(contracts.values()) + 1000) == []


# Two requests that act on the same outage at once: each reads it before the other commits.
# The service writes with a conditional UPDATE (`WHERE ended_at IS NULL`, resp.
# `cancelled_at IS NULL`), so the request that comes second is refused instead of overwriting
# the first one's end (resp. cancellation).


def _two_sessions_race(
    engine: Engine,
    outage_id: int,
    act: Callable[[Session, int], Any],
    second_act: Callable[[Session, int], Any],
) -> None:
    first = Session(engine, expire_on_commit=False)
    second = Session(engine, expire_on_commit=False)
    try:
        act(first, outage_id)  # checks, then flushes its UPDATE
        read = second.get(Outage, outage_id)  # the second request reads it meanwhile (and
        assert read is not None  # keeps it: the session's identity map holds it weakly)
        first.commit()
        try:
            second_act(second, outage_id)  # its checks run on what it read
            second.commit()
        except (DomainError, StaleDataError):
            second.rollback()
    finally:
        first.close()
        second.close()


def test_two_concurrent_ends_keep_the_first_end(
    engine: Engine, contracts: dict[str, int], agent_id: int
) -> None:
    with session_scope(engine) as session:
        outage_id = id_of(record(session, contracts[LIBRICIEL], ended_at=None))
    _two_sessions_race(
        engine,
        outage_id,
        lambda s, i: end_outage(s, i, ended_at=at(7, 15, 30), user_id=None, now=NOW),
        lambda s, i: end_outage(s, i, ended_at=at(7, 18), user_id=agent_id, now=NOW),
    )
    with Session(engine) as session:
        kept = session.get(Outage, outage_id)
        assert kept is not None
        assert (kept.ended_at, kept.ended_by_id) == (at(7, 15, 30), None)


def test_two_concurrent_cancels_keep_the_first_reason(
    engine: Engine, contracts: dict[str, int], agent_id: int
) -> None:
    with session_scope(engine) as session:
        outage_id = id_of(record(session, contracts[LIBRICIEL]))
    _two_sessions_race(
        engine,
        outage_id,
        lambda s, i: cancel_outage(s, i, reason="doublon", user_id=None, now=NOW),
        lambda s, i: cancel_outage(
            s, i, reason="autre raison", user_id=agent_id, now=NOW + timedelta(hours=1)
        ),
    )
    with Session(engine) as session:
        kept = session.get(Outage, outage_id)
        assert kept is not None
        assert (kept.cancel_reason, kept.cancelled_at, kept.cancelled_by_id) == (
            "doublon",
            NOW,
            None,
        )
