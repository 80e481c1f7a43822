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
