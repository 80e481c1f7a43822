"""`sla calendar …`: stable output for scripts, one-line errors with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.calendars.test_spec import ISSUE_EXAMPLE


@pytest.fixture
def calendar_file(tmp_path: Path) -> Path:
    path = tmp_path / "operis.toml"
    path.write_text(ISSUE_EXAMPLE)
    return path


def sla(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_")}
    return subprocess.run(
        [sys.executable, "-m", "sla", "calendar", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_deadline_json(calendar_file: Path) -> None:
    # Wednesday 7 May 2025 16:00 + 3.5 h: Thursday 8 May closed; Friday 9:00 + 1.5 h.
    result = sla(
        "deadline",
        "--calendar",
        str(calendar_file),
        "--start",
        "2025-05-07T16:00:00+02:00",
        "--business-hours",
        "3.5",
        "--json",
        cwd=calendar_file.parent,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"deadline": "2025-05-09T10:30:00+02:00"}


def test_deadline_in_minutes_and_days(calendar_file: Path) -> None:
    minutes = sla(
        "deadline",
        "--calendar",
        str(calendar_file),
        "--start",
        "2025-05-05T07:00:00Z",
        "--business-minutes",
        "90",
        cwd=calendar_file.parent,
    )
    assert minutes.stdout.strip() == "2025-05-05T10:30:00+02:00"
    days = sla(
        "deadline",
        "--calendar",
        str(calendar_file),
        "--start",
        "2025-05-07T16:00:00+02:00",
        "--business-days",
        "2",
        "--end-of-day",
        "--json",
        cwd=calendar_file.parent,
    )
    # Thursday 8 May (holiday) is skipped: Friday 9 (1), Monday 12 (2), end of day 18:00.
    assert json.loads(days.stdout) == {"deadline": "2025-05-12T18:00:00+02:00"}


def test_elapsed_json(calendar_file: Path) -> None:
    result = sla(
        "elapsed",
        "--calendar",
        str(calendar_file),
        "--start",
        "2025-05-07T16:00:00+02:00",
        "--end",
        "2025-05-09T10:30:00+02:00",
        "--json",
        cwd=calendar_file.parent,
    )
    assert json.loads(result.stdout) == {"business_seconds": 12600}
    plain = sla(
        "elapsed",
        "--calendar",
        str(calendar_file),
        "--start",
        "2025-05-07T16:00:00+02:00",
        "--end",
        "2025-05-09T10:30:00+02:00",
        cwd=calendar_file.parent,
    )
    assert plain.stdout.strip() == "3 h 30 min (12600 s)"


def test_holidays_lists_closed_days(calendar_file: Path) -> None:
    result = sla(
        "holidays", "--calendar", str(calendar_file), "--year", "2025", cwd=calendar_file.parent
    )
    lines = result.stdout.splitlines()
    assert "2025-04-18\tholiday\tVendredi saint" in lines  # FR-6AE
    assert "2025-05-30\tclosure\tfermeture" in lines
    assert not any(line.startswith("2025-06-09") for line in lines)  # worked Pentecost Monday


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["deadline", "--start", "2025-05-07T16:00:00", "--business-hours", "3"],
            "--start: '2025-05-07T16:00:00' has no offset",
        ),
        (
            ["deadline", "--start", "7 mai 2025", "--business-hours", "3"],
            "--start: '7 mai 2025' is not an ISO 8601 date-time",
        ),
        (["deadline", "--start", "2025-05-07T16:00:00Z"], "give exactly one of --business-hours"),
        (
            ["elapsed", "--start", "2025-05-07T16:00:00Z", "--end", "2025-05-07"],
            "--end: '2025-05-07' has no offset",
        ),
    ],
)
def test_errors_are_one_line_with_exit_code_2(
    calendar_file: Path, args: list[str], expected: str
) -> None:
    result = sla(*args[:1], "--calendar", str(calendar_file), *args[1:], cwd=calendar_file.parent)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert expected in result.stderr


def test_bad_calendar_file_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[hours]\nmon = ["09:00-12:00", "11:00-13:00"]\n')
    result = sla(
        "deadline",
        "--calendar",
        str(path),
        "--start",
        "2025-05-07T16:00:00Z",
        "--business-hours",
        "1",
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"Error: {path}: hours.mon: intervals overlap: 09:00-12:00 and 11:00-13:00"
    )


def test_deadline_explain_lists_each_stretch_and_the_closed_days(calendar_file: Path) -> None:
    # Wednesday 7 May 2025 16:00 + 3.5 h: Thursday 8 May (Victoire 1945) skipped.
    args = ["deadline", "--calendar", str(calendar_file), "--start", "2025-05-07T16:00:00+02:00"]
    result = sla(*args, "--business-hours", "3.5", "--json", "--explain", cwd=calendar_file.parent)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["deadline"] == "2025-05-09T10:30:00+02:00"
    stretches = body["explanation"]["stretches"]
    assert [(s["date"], s["from"], s["to"]) for s in stretches] == [
        ("2025-05-07", "16:00", "18:00"),
        ("2025-05-09", "09:00", "10:30"),
    ]
    assert stretches[-1]["total"] == 3.5 * 3600
    assert [d["date"] for d in body["explanation"]["closed_days"]] == ["2025-05-08"]
    text = sla(*args, "--business-hours", "3.5", "--explain", cwd=calendar_file.parent).stdout
    assert "2025-05-08  skipped: " in text and "= 3 h 30 min" in text


def test_deadline_in_civil_days_and_months(calendar_file: Path) -> None:
    start = ["deadline", "--calendar", str(calendar_file), "--start"]
    days = sla(
        *start, "2026-03-01T09:00:00+01:00", "--calendar-days", "60", cwd=calendar_file.parent
    )
    assert days.stdout.strip() == "2026-04-30T09:00:00+02:00"  # the same wall time after DST
    month = sla(*start, "2025-01-31T10:00:00+01:00", "--months", "1", cwd=calendar_file.parent)
    assert month.stdout.strip() == "2025-02-28T10:00:00+01:00"
