"""The SLA engine on worked examples from the five seed contracts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sla.contracts.document import read_contract_file
from sla.engine.lifecycle import Event, EventKind, LifecycleError, replay
from sla.engine.target_states import TargetStatus
from sla.engine.terms import SlaTerms
from tests.engine.worked import ev, targets

PARIS = ZoneInfo("Europe/Paris")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "contracts"
HOUR = 3600


def terms(name: str) -> SlaTerms:
    return read_contract_file(EXAMPLES / f"{name}.toml").sla


LIBRICIEL = terms("libriciel-comelus")
AUKFOOD = terms("aukfood-miramas")
GALLIMEDIA = terms("gallimedia-osny")
SMICA = terms("smica-druelle-balsac")
OPERIS = terms("operis-oxalis")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS)  # type: ignore[misc]


def test_libriciel_bloquant_reported_friday_afternoon_before_easter_monday() -> None:
    reported = at(2025, 4, 18, 16)  # Friday; Monday 21 April is Easter Monday
    events = [
        ev(1, EventKind.acknowledged, at(2025, 4, 22, 10, 30)),
        ev(2, EventKind.workaround, at(2025, 4, 22, 15)),
    ]
    result = targets(LIBRICIEL, "bloquant", reported, events, now=at(2025, 4, 25, 14))
    take = result["prise-en-charge"]
    assert take.deadline == at(2025, 4, 22, 11)  # Fri 16-18 (2 h), Tue 9-11
    assert take.status is TargetStatus.met
    gtr = result["contournement"]
    assert gtr.deadline == at(2025, 4, 22, 17)
    assert gtr.status is TargetStatus.met
    resolution = result["resolution"]  # 3 business days from the workaround
    assert resolution.started_at == at(2025, 4, 22, 15)
    assert resolution.deadline == at(2025, 4, 25, 15)
    assert resolution.status is TargetStatus.at_risk
    assert resolution.consumed_seconds == 20 * HOUR
    assert resolution.remaining_seconds == 1 * HOUR
    late = targets(LIBRICIEL, "bloquant", reported, events, now=at(2025, 4, 25, 17))
    assert late["resolution"].status is TargetStatus.breached
    assert late["resolution"].lateness_seconds == 2 * HOUR


def test_libriciel_take_charge_breached_with_lateness() -> None:
    reported = at(2025, 4, 18, 16)
    result = targets(
        LIBRICIEL,
        "bloquant",
        reported,
        [ev(1, EventKind.acknowledged, at(2025, 4, 22, 14, 30))],
        now=at(2025, 4, 23, 9),
    )
    assert result["prise-en-charge"].status is TargetStatus.breached
    assert result["prise-en-charge"].lateness_seconds == 1.5 * HOUR  # Tue 11-12, 14-14:30


def test_pause_across_a_weekend_moves_the_resolution_deadline() -> None:
    reported = at(2025, 6, 12, 9)
    events = [
        ev(1, EventKind.acknowledged, at(2025, 6, 12, 9, 30)),
        ev(2, EventKind.workaround, at(2025, 6, 12, 10)),
        ev(3, EventKind.waiting_customer, at(2025, 6, 13, 16)),
        ev(4, EventKind.resumed, at(2025, 6, 16, 11)),
    ]
    during = targets(LIBRICIEL, "majeur", reported, events[:3], now=at(2025, 6, 14, 10))
    assert during["resolution"].status is TargetStatus.paused
    after = targets(LIBRICIEL, "majeur", reported, events, now=at(2025, 6, 17, 9))
    resolution = after["resolution"]
    # Without the pause: Thursday 19 June 10:00 (5 business days). The pause covered Friday
    # 16-18 and Monday 9-11: 4 business hours, so the deadline moves to Thursday 16:00.
    assert resolution.deadline == at(2025, 6, 19, 16)
    assert resolution.status is TargetStatus.running
    assert (
        resolution.total_seconds
        == after["resolution"].consumed_seconds + resolution.remaining_seconds
    )  # type: ignore[operator]
    # The GTR does not pause (only the resolution time is frozen, §5.2.4.1).
    assert after["contournement"].status is TargetStatus.met


def test_requalification_keeps_heure_h_and_applies_the_new_targets() -> None:
    reported = at(2025, 3, 3, 10)
    events = [
        ev(
            1,
            EventKind.requalified,
            at(2025, 3, 3, 11),
            severity="bloquant",
            text="Tous les élus bloqués",
        )
    ]
    result = targets(LIBRICIEL, "mineur", reported, events, now=at(2025, 3, 3, 15))
    assert set(result) == {"prise-en-charge", "contournement", "resolution"}
    assert result["prise-en-charge"].deadline == at(2025, 3, 3, 16)  # 4 h from 10:00, lunch skipped
    assert result["prise-en-charge"].status is TargetStatus.at_risk
    assert result["resolution"].status is TargetStatus.pending  # counts from the workaround


def test_target_measured_from_the_take_charge() -> None:
    reported = at(2025, 3, 3, 11)
    before = targets(LIBRICIEL, "indisponibilite", reported, [], now=at(2025, 3, 3, 14))
    assert before["prise-en-charge"].deadline == at(2025, 3, 3, 15)
    assert before["retablissement"].status is TargetStatus.pending
    assert before["retablissement"].deadline is None
    after = targets(
        LIBRICIEL,
        "indisponibilite",
        reported,
        [ev(1, EventKind.acknowledged, at(2025, 3, 3, 14, 30))],
        now=at(2025, 3, 3, 16),
    )
    assert after["retablissement"].started_at == at(2025, 3, 3, 14, 30)
    assert after["retablissement"].deadline == at(2025, 3, 4, 9, 30)


def test_aukfood_gtr_exclusion_invoked() -> None:
    reported = at(2025, 5, 7, 16)
    events = [
        ev(
            1,
            EventKind.exclusion_invoked,
            at(2025, 5, 9, 10),
            exclusion="infrastructure",
            target="gtr",
            text="Panne de la baie de stockage",
        )
    ]
    result = targets(AUKFOOD, "linux", reported, events, now=at(2025, 5, 12, 17))
    assert result["gtr"].status is TargetStatus.excluded
    assert result["gti"].status is TargetStatus.breached  # 8 May is a holiday: due Fri 11:30
    assert result["gti"].deadline == at(2025, 5, 9, 11, 30)


def test_gallimedia_immediate_is_one_calendar_hour_at_night() -> None:
    result = targets(GALLIMEDIA, "bloquant", at(2025, 3, 29, 23, 30), [], now=at(2025, 3, 30, 0, 0))
    assert result["diagnostic"].deadline == at(2025, 3, 30, 0, 30)
    assert result["diagnostic"].status is TargetStatus.running


def test_smica_security_patch_within_60_calendar_days_across_dst() -> None:
    result = targets(SMICA, "correctif-securite", at(2025, 3, 1, 9), [], now=at(2025, 4, 1))
    # Civil days: the same wall time 60 days later, though DST took an hour on 30 March.
    assert result["application"].deadline == at(2025, 4, 30, 9)
    support = targets(SMICA, "support", at(2025, 3, 1, 9), [], now=at(2026, 3, 1))
    assert support["resolution"].status is TargetStatus.running  # no fixed time: never breached


def test_operis_bloquante_in_business_days_around_15_august() -> None:
    result = targets(OPERIS, "bloquante", at(2025, 8, 14, 10), [], now=at(2025, 8, 20, 10))
    assert result["contournement"].deadline == at(2025, 8, 27, 10)
    assert result["correctif"].deadline == at(2025, 9, 5, 10)
    majeure = targets(
        OPERIS,
        "majeure",
        at(2025, 8, 14, 10),
        [ev(1, EventKind.resolved, at(2025, 11, 3, 9))],
        now=at(2025, 12, 1),
    )
    assert majeure["correctif"].status is TargetStatus.met
    # The fix restored the service, but long after the 15 business days of the workaround.
    assert majeure["contournement"].milestone_at == at(2025, 11, 3, 9)
    assert majeure["contournement"].status is TargetStatus.breached


def test_cancelled_event_does_not_count() -> None:
    reported = at(2025, 4, 18, 16)
    events = [
        ev(1, EventKind.acknowledged, at(2025, 4, 18, 16, 30)),
        ev(
            2,
            EventKind.cancellation,
            at(2025, 4, 18, 17),
            cancels=1,
            text="saisi sur le mauvais incident",
        ),
    ]
    result = targets(LIBRICIEL, "bloquant", reported, events, now=at(2025, 4, 22, 12))
    assert result["prise-en-charge"].milestone_at is None
    assert result["prise-en-charge"].status is TargetStatus.breached


def test_reopen_clears_restoration_and_resolution() -> None:
    reported = at(2025, 3, 3, 9)
    events = [
        ev(1, EventKind.resolved, at(2025, 3, 3, 10)),
        ev(2, EventKind.reopened, at(2025, 3, 4, 9)),
    ]
    result = targets(LIBRICIEL, "majeur", reported, events, now=at(2025, 3, 4, 10))
    assert result["contournement"].milestone_at is None
    assert result["prise-en-charge"].status is TargetStatus.met  # stays taken in charge


def test_closed_without_resolution_before_deadline_is_not_applicable() -> None:
    result = targets(
        LIBRICIEL,
        "mineur",
        at(2025, 3, 3, 9),
        [
            ev(1, EventKind.acknowledged, at(2025, 3, 3, 10)),
            ev(2, EventKind.closed, at(2025, 3, 4, 9)),
        ],
        now=at(2025, 6, 1),
    )
    assert result["resolution"].status is TargetStatus.not_applicable


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([ev(1, EventKind.acknowledged, at(2025, 3, 3, 8))], "is before the time reported"),
        ([ev(1, EventKind.resumed, at(2025, 3, 3, 10))], "the incident is not waiting"),
        (
            [
                ev(1, EventKind.resolved, at(2025, 3, 3, 10)),
                ev(2, EventKind.resolved, at(2025, 3, 3, 11)),
            ],
            "already resolved",
        ),
        ([ev(1, EventKind.acknowledged, at(2025, 3, 5, 10))], "is in the future"),
        (
            [ev(1, EventKind.requalified, at(2025, 3, 3, 10), severity="urgent", text="x")],
            "unknown severity 'urgent'",
        ),
        (
            [ev(1, EventKind.requalified, at(2025, 3, 3, 10), severity="bloquant", text=" ")],
            "give the reason",
        ),
        (
            [
                ev(1, EventKind.waiting_customer, at(2025, 3, 3, 10)),
                ev(2, EventKind.waiting_third_party, at(2025, 3, 3, 11)),
            ],
            "already waiting",
        ),
        (
            [
                ev(1, EventKind.closed, at(2025, 3, 3, 10)),
                ev(2, EventKind.acknowledged, at(2025, 3, 3, 11)),
            ],
            "the incident is closed",
        ),
    ],
)
def test_impossible_sequences_are_refused(events: list[Event], message: str) -> None:
    with pytest.raises(LifecycleError, match=message):
        replay(
            reported_at=at(2025, 3, 3, 9),
            severity="majeur",
            events=events,
            now=at(2025, 3, 4, 9),
            severities=LIBRICIEL.severity_keys(),
        )
