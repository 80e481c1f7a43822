"""The rules the contract model completes (issue 13): months, civil days across both DST
changes, first response, scoped exclusions, the two waiting states, and the explanation of a
deadline built from the same measure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.contracts.document import parse_document
from sla.engine.explain import explain_targets
from sla.engine.lifecycle import Event, EventKind, IncidentState
from sla.engine.target_states import TargetState, TargetStatus
from sla.engine.terms import SlaTerms, WaitingState
from tests.engine.worked import ev, replayed
from tests.engine.worked import targets as targets_at

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600

OFFICE = {
    "name": "Bureau",
    "timezone": "Europe/Paris",
    "holidays": "FR",
    "closed_dates": ["2025-12-29..2025-12-31"],
    "hours": {d: ["09:00-12:00", "14:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
}


def document(targets: list[dict[str, object]], **sla: object) -> SlaTerms:
    data = {
        "format": 2,
        "vendor": {"name": "Prestataire"},
        "calendars": {"bureau": OFFICE},
        "contract": {
            "reference": "REF-1",
            "title": "Contrat",
            "start": date(2025, 1, 1),
            "calendar": "bureau",
        },
        "sla": {
            "effective_from": date(2025, 1, 1),
            "severities": [{"key": "n1", "label": "Niveau 1", "targets": targets}],
            **sla,
        },
    }
    parsed, problems = parse_document(data)
    assert parsed is not None, problems
    return parsed.sla


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS)  # type: ignore[misc]


def state_of(
    terms: SlaTerms, reported: datetime, events: list[Event], now: datetime
) -> IncidentState:
    return replayed(terms, "n1", reported, events, now)


def targets(
    terms: SlaTerms, reported: datetime, events: list[Event], now: datetime
) -> dict[str, TargetState]:
    return targets_at(terms, "n1", reported, events, now)


def target(key: str, kind: str = "resolution", **duration: object) -> dict[str, object]:
    return {"key": key, "kind": kind, "label": key.upper(), **duration}


# ---- months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        (at(2025, 1, 31, 10), at(2025, 2, 28, 10)),  # no 31 February: the month's last day
        (at(2024, 1, 31, 10), at(2024, 2, 29, 10)),  # leap year
        (at(2025, 3, 15, 16, 30), at(2025, 4, 15, 16, 30)),  # across the spring change
        (at(2025, 10, 10, 9), at(2025, 11, 10, 9)),  # across the autumn change
        (at(2025, 12, 31, 8), at(2026, 1, 31, 8)),  # across the year
    ],
)
def test_one_month_is_the_same_day_of_the_next_month(
    reported: datetime, expected: datetime
) -> None:
    terms = document([target("majic", months=1)])
    assert targets(terms, reported, [], reported)["majic"].deadline == expected


def test_months_may_end_at_the_end_of_the_last_day() -> None:
    terms = document([target("majic", months=1, end_of_day=True)])
    deadline = targets(terms, at(2025, 1, 31, 10), [], at(2025, 1, 31, 10))["majic"].deadline
    assert deadline == at(2025, 2, 28, 23, 59, 59, 999_999)


# ---- civil days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "days", "expected"),
    [
        (at(2026, 3, 1, 9), 60, at(2026, 4, 30, 9)),  # spring change on 29 March: not 10:00
        (at(2026, 10, 1, 9), 60, at(2026, 11, 30, 9)),  # autumn change on 25 October: not 08:00
        (at(2026, 3, 28, 2, 30), 1, at(2026, 3, 29, 3, 0)),  # 02:30 does not exist: the change
    ],
)
def test_calendar_days_are_civil_days(reported: datetime, days: int, expected: datetime) -> None:
    terms = document([target("patch", calendar_days=days)])
    assert targets(terms, reported, [], reported)["patch"].deadline == expected


def test_calendar_hours_stay_real_hours_across_dst() -> None:
    terms = document([target("gti", kind="intervention", calendar_hours=24)])
    # 24 real hours from Saturday 28 March 2026 12:00 is Sunday 13:00 (the night lost an hour).
    assert targets(terms, at(2026, 3, 28, 12), [], at(2026, 3, 28, 12))["gti"].deadline == at(
        2026, 3, 29, 13
    )


def test_calendar_days_may_end_at_the_end_of_the_day() -> None:
    terms = document([target("patch", calendar_days=2, end_of_day=True)])
    assert targets(terms, at(2026, 3, 1, 9), [], at(2026, 3, 1, 9))["patch"].deadline == at(
        2026, 3, 3, 23, 59, 59, 999_999
    )


def test_fractional_days_and_end_of_day_on_hours_are_refused() -> None:
    for bad, where in (
        ({"calendar_days": 1.5}, ("sla", "severities", 0, "targets", 0, "calendar_days")),
        (
            {"business_hours": 4, "end_of_day": True},
            ("sla", "severities", 0, "targets", 0, "end_of_day"),
        ),
    ):
        data = {
            "format": 2,
            "vendor": {"name": "V"},
            "calendars": {"bureau": OFFICE},
            "contract": {
                "reference": "R",
                "title": "T",
                "start": date(2025, 1, 1),
                "calendar": "bureau",
            },
            "sla": {
                "effective_from": date(2025, 1, 1),
                "severities": [{"key": "n1", "label": "N1", "targets": [target("t", **bad)]}],
            },
        }
        parsed, problems = parse_document(data)
        assert parsed is None
        assert where in [p.path for p in problems]


# ---- first response -----------------------------------------------------------------------


def test_a_first_response_is_met_by_the_acknowledgement() -> None:
    terms = document(
        [
            target("gti", kind="first_response", business_hours=4),
            target("intervention", kind="intervention", business_hours=4),
        ]
    )
    reported = at(2025, 6, 2, 9)  # Monday
    found = targets(
        terms, reported, [ev(1, EventKind.acknowledged, at(2025, 6, 2, 10))], at(2025, 6, 3, 9)
    )
    assert found["gti"].status is TargetStatus.met
    assert found["gti"].milestone_at == at(2025, 6, 2, 10)
    # An intervention target waits for the work itself: the answer does not meet it.
    assert found["intervention"].status is TargetStatus.breached


# ---- scoped exclusions --------------------------------------------------------------------


def test_an_exclusion_covers_the_targets_it_names_and_no_other() -> None:
    terms = document(
        [
            target("gti", kind="first_response", business_hours=4),
            target("gtr", kind="restoration", business_hours=8),
        ],
        exclusions=[{"key": "tierce", "text": "Application tierce", "targets": ["gtr"]}],
    )
    reported = at(2025, 6, 2, 9)
    events = [
        ev(
            1,
            EventKind.exclusion_invoked,
            at(2025, 6, 2, 9, 30),
            exclusion="tierce",
            text="hors périmètre",
        )
    ]
    found = targets(terms, reported, events, at(2025, 6, 4, 9))
    assert found["gtr"].status is TargetStatus.excluded
    assert found["gti"].status is TargetStatus.breached  # still measured: the clause is the GTR's


def test_an_exclusion_naming_no_target_covers_every_target() -> None:
    terms = document(
        [
            target("gti", kind="first_response", business_hours=4),
            target("gtr", kind="restoration", business_hours=8),
        ],
        exclusions=[{"key": "force-majeure", "text": "Force majeure"}],
    )
    events = [
        ev(
            1,
            EventKind.exclusion_invoked,
            at(2025, 6, 2, 9, 30),
            exclusion="force-majeure",
            text="orage",
        )
    ]
    found = targets(terms, at(2025, 6, 2, 9), events, at(2025, 6, 4, 9))
    assert {t.status for t in found.values()} == {TargetStatus.excluded}


def test_an_exclusion_naming_an_unknown_target_is_refused() -> None:
    with pytest.raises(AssertionError):
        document(
            [target("gtr", business_hours=8)],
            exclusions=[{"key": "x", "text": "X", "targets": ["gti"]}],
        )


# ---- the two waiting states ---------------------------------------------------------------


def test_each_target_is_paused_by_the_waiting_states_it_names() -> None:
    terms = document(
        [
            target("default", business_hours=8),  # format 2 default: waiting on the customer
            target("both", business_hours=8, pauses=["customer", "third_party"]),
            target("none", business_hours=8, pauses=[]),
        ]
    )
    assert terms.severity("n1").targets[0].pauses == {WaitingState.customer}
    reported = at(2025, 6, 2, 9)  # Monday 9:00; 8 business hours: Tuesday 10:00 unpaused
    third_party = [
        ev(1, EventKind.waiting_third_party, at(2025, 6, 2, 10)),
        ev(2, EventKind.resumed, at(2025, 6, 2, 11)),
    ]
    found = targets(terms, reported, third_party, at(2025, 6, 2, 12))
    assert found["default"].deadline == at(2025, 6, 3, 10)  # a third party does not pause it
    assert found["both"].deadline == at(2025, 6, 3, 11)
    assert found["none"].deadline == at(2025, 6, 3, 10)
    customer = [
        ev(1, EventKind.waiting_customer, at(2025, 6, 2, 10)),
        ev(2, EventKind.resumed, at(2025, 6, 2, 11)),
    ]
    found = targets(terms, reported, customer, at(2025, 6, 2, 12))
    assert found["default"].deadline == at(2025, 6, 3, 11)
    assert found["both"].deadline == at(2025, 6, 3, 11)
    assert found["none"].deadline == at(2025, 6, 3, 10)


def test_a_target_shows_paused_only_while_its_own_waiting_state_lasts() -> None:
    terms = document([target("default", business_hours=8)])
    events = [ev(1, EventKind.waiting_third_party, at(2025, 6, 2, 10))]
    assert (
        targets(terms, at(2025, 6, 2, 9), events, at(2025, 6, 2, 11))["default"].status
        is TargetStatus.running
    )
    events = [ev(1, EventKind.waiting_customer, at(2025, 6, 2, 10))]
    assert (
        targets(terms, at(2025, 6, 2, 9), events, at(2025, 6, 2, 11))["default"].status
        is TargetStatus.paused
    )


def test_format_1_keeps_its_meaning_of_pauses() -> None:
    data = {
        "format": 1,
        "vendor": {"name": "V"},
        "calendars": {"bureau": OFFICE},
        "contract": {
            "reference": "R",
            "title": "T",
            "start": date(2025, 1, 1),
            "calendar": "bureau",
        },
        "sla": {
            "effective_from": date(2025, 1, 1),
            "severities": [
                {
                    "key": "n1",
                    "label": "N1",
                    "targets": [
                        target("pec", kind="take_charge", business_hours=4),
                        target("gtr", kind="restoration", business_hours=8),
                        target("flag", kind="take_charge", business_hours=4, pauses=True),
                    ],
                }
            ],
        },
    }
    parsed, _ = parse_document(data)
    assert parsed is not None
    pec, gtr, flag = parsed.sla.severity("n1").targets
    assert pec.pauses == frozenset()
    assert gtr.pauses == set(WaitingState) == flag.pauses


# ---- why this deadline --------------------------------------------------------------------


def test_the_explanation_across_a_weekend_a_holiday_and_a_pause() -> None:
    terms = document([target("gtr", kind="restoration", business_hours=12)])
    # Wednesday 28 May 2025 16:00; Thursday 29 May is Ascension; a wait on the customer on
    # Friday 10:00-11:00; then the weekend.
    reported = at(2025, 5, 28, 16)
    events = [
        ev(1, EventKind.waiting_customer, at(2025, 5, 30, 10)),
        ev(2, EventKind.resumed, at(2025, 5, 30, 11)),
    ]
    now = at(2025, 6, 2, 9)
    state = state_of(terms, reported, events, now)
    (explained,) = explain_targets(terms, state, now)
    # Wed 16-18 (2 h), Thu holiday, Fri 9-10 + 11-12 + 14-18 (6 h), weekend, Mon 9-12 + 14-15.
    assert explained.deadline == at(2025, 6, 2, 15)
    assert explained.base_deadline == at(2025, 6, 2, 12)  # without the pause (then lunch)
    assert explained.moved_seconds == HOUR
    assert [p.moved_seconds for p in explained.pauses] == [HOUR]
    assert [(s.start, s.end) for s in explained.stretches] == [
        (at(2025, 5, 28, 16), at(2025, 5, 28, 18)),
        (at(2025, 5, 30, 9), at(2025, 5, 30, 10)),
        (at(2025, 5, 30, 11), at(2025, 5, 30, 12)),
        (at(2025, 5, 30, 14), at(2025, 5, 30, 18)),
        (at(2025, 6, 2, 9), at(2025, 6, 2, 12)),
        (at(2025, 6, 2, 14), at(2025, 6, 2, 15)),
    ]
    assert explained.counted_seconds == 12 * HOUR
    assert [(d.day, d.name) for d in explained.closed_days] == [(date(2025, 5, 29), "Ascension")]
    assert explained.origin == reported and explained.origin_target is None
    # The same deadline as the target's state: one computation.
    assert explained.state.deadline == explained.deadline


def test_the_explanation_of_a_target_measured_from_another() -> None:
    terms = document(
        [
            target("pec", kind="take_charge", business_hours=2),
            {**target("gtr", kind="restoration", business_hours=4), "from": "pec"},
        ]
    )
    reported = at(2025, 6, 2, 9)
    events = [ev(1, EventKind.acknowledged, at(2025, 6, 2, 10))]
    state = state_of(terms, reported, events, at(2025, 6, 2, 11))
    _, gtr = explain_targets(terms, state, at(2025, 6, 2, 11))
    assert gtr.origin == at(2025, 6, 2, 10) and gtr.origin_target == "pec"
    assert gtr.deadline == at(2025, 6, 2, 16)


@settings(max_examples=60, deadline=None)
@given(
    start_minutes=st.integers(0, 60 * 24 * 400),
    hours=st.integers(1, 80),
    pause_start=st.integers(0, 60 * 24 * 20),
    pause_minutes=st.integers(1, 60 * 24 * 3),
    waiting=st.sampled_from([EventKind.waiting_customer, EventKind.waiting_third_party]),
)
def test_the_stretches_add_up_to_the_duration(
    start_minutes: int, hours: int, pause_start: int, pause_minutes: int, waiting: EventKind
) -> None:
    terms = document([target("gtr", kind="restoration", business_hours=hours)])
    reported = at(2025, 1, 1) + timedelta(minutes=start_minutes)
    pause_at = reported + timedelta(minutes=pause_start)
    events = [
        ev(1, waiting, pause_at),
        ev(2, EventKind.resumed, pause_at + timedelta(minutes=pause_minutes)),
    ]
    now = pause_at + timedelta(minutes=pause_minutes + 1)
    state = state_of(terms, reported, events, now)
    (explained,) = explain_targets(terms, state, now)
    assert explained.counted_seconds == pytest.approx(hours * HOUR, abs=1e-3)
    assert explained.stretches[-1].end == explained.deadline
    moved = sum(p.moved_seconds for p in explained.pauses)
    assert moved == pytest.approx(explained.moved_seconds, abs=1e-3)


ROUND_THE_CLOCK = {
    "name": "24/7",
    "timezone": "Europe/Paris",
    "hours": {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}
UNITS = [
    {"business_hours": 30},
    {"business_days": 3},
    {"business_days": 2, "end_of_day": True},
    {"calendar_hours": 30},
    {"calendar_days": 2},
    {"months": 1},
    {"months": 1, "end_of_day": True},
]


def _terms_on(calendar: dict[str, object], duration: dict[str, object]) -> SlaTerms:
    data = {
        "format": 2,
        "vendor": {"name": "V"},
        "calendars": {"bureau": calendar},
        "contract": {
            "reference": "R",
            "title": "T",
            "start": date(2024, 1, 1),
            "calendar": "bureau",
        },
        "sla": {
            "effective_from": date(2024, 1, 1),
            "severities": [
                {
                    "key": "n1",
                    "label": "N1",
                    "targets": [
                        target("pec", kind="take_charge", business_hours=2),
                        {**target("gtr", kind="restoration", **duration), "from": "pec"},
                    ],
                }
            ],
        },
    }
    parsed, problems = parse_document(data)
    assert parsed is not None, problems
    return parsed.sla


@settings(max_examples=120, deadline=None)
@given(
    calendar=st.sampled_from([OFFICE, ROUND_THE_CLOCK]),
    duration=st.sampled_from(UNITS),
    # Around the DST changes of 2025 (30 March, 26 October) and elsewhere.
    start=st.sampled_from([at(2025, 3, 28, 15), at(2025, 10, 24, 16), at(2025, 6, 2, 9)]),
    minutes=st.integers(0, 60 * 24 * 3),
    pause_offset=st.integers(-60 * 24, 60 * 24 * 10),
    pause_minutes=st.integers(1, 60 * 24 * 4),
    open_pause=st.booleans(),
)
def test_every_unit_explains_the_deadline_it_computes(
    calendar: dict[str, object],
    duration: dict[str, object],
    start: datetime,
    minutes: int,
    pause_offset: int,
    pause_minutes: int,
    open_pause: bool,
) -> None:
    """Whatever the unit and the calendar, across DST, measured from another target, with a
    wait that began before the start or is still open: the stretches end at the deadline and
    add up to the target's time; the pauses' shares add up to the move."""
    terms = _terms_on(calendar, duration)
    # Instants in UTC: wall-clock arithmetic in Paris would make times that do not exist.
    reported = start.astimezone(UTC) + timedelta(minutes=minutes)
    acknowledged = reported + timedelta(minutes=30)
    pause_at = acknowledged + timedelta(minutes=pause_offset)
    if pause_at <= reported:
        pause_at = reported + timedelta(minutes=1)
    events = [ev(1, EventKind.acknowledged, acknowledged)]
    pause = [ev(2, EventKind.waiting_customer, pause_at)]
    if not open_pause:
        pause.append(ev(3, EventKind.resumed, pause_at + timedelta(minutes=pause_minutes)))
    events = sorted([*events, *pause], key=lambda e: e.occurred_at)
    events = [ev(n + 1, e.kind, e.occurred_at) for n, e in enumerate(events)]
    now = max(acknowledged, pause_at + timedelta(minutes=pause_minutes)) + timedelta(minutes=1)
    state = state_of(terms, reported, events, now)
    _, gtr = explain_targets(terms, state, now)
    assert gtr.origin == acknowledged and gtr.origin_target == "pec"
    assert gtr.deadline == gtr.state.deadline
    if gtr.stretches:  # the last stretch ends at the deadline, or at the closing before it
        assert gtr.stretches[-1].end <= gtr.deadline  # type: ignore[operator]
    assert gtr.counted_seconds == pytest.approx(gtr.state.total_seconds, abs=1e-3)
    if "business_hours" in duration or "calendar_hours" in duration:
        amount = float(duration.get("business_hours", duration.get("calendar_hours", 0)))  # type: ignore[arg-type]
        assert gtr.counted_seconds == pytest.approx(amount * HOUR, abs=1e-3)
    moved = sum(p.moved_seconds for p in gtr.pauses)
    assert moved == pytest.approx(gtr.moved_seconds, abs=1e-3)
    if not gtr.business:
        assert gtr.closed_days == ()


def test_a_delay_the_calendar_cannot_reach_is_refused() -> None:
    seldom = {**OFFICE, "hours": {"mon": ["09:00-10:00"]}}
    data = {
        "format": 2,
        "vendor": {"name": "V"},
        "calendars": {"bureau": seldom},
        "contract": {
            "reference": "R",
            "title": "T",
            "start": date(2025, 1, 1),
            "calendar": "bureau",
        },
        "sla": {
            "effective_from": date(2025, 1, 1),
            "severities": [
                {"key": "n1", "label": "N1", "targets": [target("t", business_hours=100_000)]}
            ],
        },
    }
    parsed, problems = parse_document(data)
    assert parsed is None
    assert [p.code for p in problems] == ["document.unreachable_delay"]


def test_a_long_wait_that_begins_just_before_the_deadline_moves_it_by_its_whole_length() -> None:
    # 8 business hours from Monday 2 June 2025 09:00: Tuesday 10:00. A wait on the customer
    # from Tuesday 09:59 to Friday 09:59 covers one business minute before the deadline, then
    # the rest of the week: the deadline is Friday 10:00 (the first engine moved it 100 min).
    terms = document([target("gtr", business_hours=8)])
    events = [
        ev(1, EventKind.waiting_customer, at(2025, 6, 3, 9, 59)),
        ev(2, EventKind.resumed, at(2025, 6, 6, 9, 59)),
    ]
    found = targets(terms, at(2025, 6, 2, 9), events, at(2025, 6, 6, 10))
    assert found["gtr"].deadline == at(2025, 6, 6, 10)


def test_a_wait_moves_a_calendar_hours_deadline_in_real_time_across_dst() -> None:
    # 12 real hours from Saturday 25 October 2025 12:00 is midnight (22:00 UTC); a four-hour
    # wait moves it four real hours, across the change at 03:00: Sunday 03:00 CET (02:00 UTC),
    # not 04:00 (the first engine added the wait on the wall clock).
    terms = document([target("gti", kind="intervention", calendar_hours=12)])
    events = [
        ev(1, EventKind.waiting_customer, at(2025, 10, 25, 14)),
        ev(2, EventKind.resumed, at(2025, 10, 25, 18)),
    ]
    found = targets(terms, at(2025, 10, 25, 12), events, at(2025, 10, 25, 19))
    deadline = found["gti"].deadline
    assert deadline is not None
    assert deadline.astimezone(UTC) == datetime(2025, 10, 26, 2, tzinfo=UTC)
