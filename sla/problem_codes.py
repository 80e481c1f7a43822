"""The words of the problems a contract document, a calendar or an import can have.

Same design as `sla.error_codes` (which merges these codes into its `MESSAGES`, the one
catalogue `word` reads): a code, its English msgid marked with `N_` for `pybabel extract`
(the French is in the translations catalogue), `%(name)s` its parameters. A value read from
a document is given as its `repr` (`'quatre'`, `3`), a list as a list (worded joined).

Pure and at the base: it imports nothing of the project (`sla.error_codes` imports it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final


def N_(message: str) -> str:
    """Mark a msgid for extraction; it is translated when the problem is worded."""
    return message


# -- a contract document: the typed reads of any table ---------------------------------------
DOCUMENT_READS: Final[Mapping[str, str]] = {
    "document.missing_table": N_("missing table [%(table)s]"),
    "document.missing_key": N_("missing key %(key)s"),
    "document.missing_date": N_("missing key %(key)s (a date YYYY-MM-DD)"),
    "document.unknown_key": N_("unknown key %(key)s (known: %(known)s)"),
    "document.expected_table": N_("expected a table"),
    "document.expected_array": N_("expected an array"),
    "document.expected_string": N_("expected a string, got %(value)s"),
    "document.expected_integer": N_("expected a whole number, got %(value)s"),
    "document.expected_number": N_("expected a number, got %(value)s"),
    "document.expected_boolean": N_("expected true or false, got %(value)s"),
    "document.expected_date": N_("expected a date YYYY-MM-DD, got %(value)s"),
    "document.expected_amount": N_("expected an amount such as 1350.00, got %(value)s"),
    "document.expected_positive_amount": N_("expected a positive amount, got %(value)s"),
    "document.empty": N_("%(key)s cannot be empty"),
    "document.one_line": N_("%(key)s: one line only (no control character)"),
    "document.control_characters": N_(
        "%(key)s: line breaks, tabs and printable characters only (no control character)"
    ),
    "document.bad_key": N_("%(value)s: use lowercase letters, digits, '-' or '_'"),
    "document.too_small": N_("must be at least %(low)d"),
    "document.too_large": N_("must be at most %(high)s"),
    "document.unreachable_delay": N_(
        "this delay cannot be counted in the calendar %(calendar)s: it opens too seldom "
        "for so long a delay"
    ),
    "document.negative": N_("cannot be negative"),
    "document.date_out_of_range": N_("%(date)s is out of range (%(first)d-%(last)d)"),
    "document.not_one_of": N_("must be one of %(choices)s; got %(value)s"),
}

# -- a contract document: its tables --------------------------------------------------------
DOCUMENT_TABLES: Final[Mapping[str, str]] = {
    "document.unsupported_format": N_(
        "unsupported format %(value)s (this version reads format = %(format)d)"
    ),
    "document.bad_siret": N_("%(value)s is not a valid SIRET (14 digits) or SIREN (9 digits)"),
    "document.bad_email": N_("%(value)s is not an email address"),
    "document.bad_url": N_("%(value)s: an http:// or https:// address"),
    "document.bad_calendar_key": N_(
        "calendar key %(value)s: use lowercase letters, digits, '-' or '_'"
    ),
    "document.no_calendar": N_("at least one calendar is needed ([calendars.support] ...)"),
    "document.unknown_calendar": N_("unknown calendar %(calendar)s (defined: %(known)s)"),
    "document.expected_services": N_("expected a list of service names"),
    "document.ends_before_start": N_("ends before it starts"),
    "document.expected_severity_keys": N_("expected a list of severity keys"),
    "document.unknown_severity": N_("unknown severity %(severity)s (defined: %(known)s)"),
    "document.no_severity": N_("at least one severity level ([[sla.severities]])"),
    "document.duplicate_severity": N_("severity %(severity)s is defined twice"),
    "document.duplicate_target": N_("target %(target)s is defined twice in %(severity)s"),
    "document.bad_origin": N_(
        "'from' must be 'report' or a target of %(severity)s (%(known)s); got %(value)s"
    ),
    "document.origin_loop": N_("targets measured from each other form a loop"),
    "document.end_of_day": N_("end_of_day goes with business_days, calendar_days or months"),
    "document.unknown_target": N_("unknown target %(target)s; the levels define %(known)s"),
    "document.one_duration": N_("give exactly one of %(keys)s or no_fixed_time = true"),
    "document.zero_duration": N_("must be more than 0"),
    "document.fractional_days": N_("%(key)s must be a whole number"),
    "document.percentage": N_("a percentage between 0 and 100 is needed"),
    "document.share": N_("a share between 0 and 1"),
    "document.expected_emails": N_("expected a list of email addresses"),
    # [penalties]
    "document.no_penalty_clause": N_("a [penalties] table needs at least one clause"),
    "document.duplicate_clause": N_("penalty clause %(clause)s is defined twice"),
    "document.formula_value": N_(
        "the formula needs value_ht (V), or the contract's yearly_amount_ht to stand for it"
    ),
    "document.no_availability_target": N_(
        "an availability penalty needs an availability target in [sla.availability]"
    ),
    "document.one_cap": N_("a cap gives either percent or amount_ht"),
    "document.cap_needs_amount": N_(
        "a cap in percent needs the contract's yearly_amount_ht, which it is a share of"
    ),
    # The document as a whole: its file and its TOML (`detail` is the reader's own words).
    "document.unreadable": N_("cannot be read: %(detail)s"),
    "document.invalid_toml": N_("not valid TOML: %(detail)s"),
}

# -- importing documents: what the stored contracts refuse ----------------------------------
IMPORT: Final[Mapping[str, str]] = {
    "import.no_file": N_("no .toml file to import"),
    "import.duplicate_reference": N_("contract %(reference)s is also in %(other)s"),
    "import.other_vendor": N_("contract %(reference)s belongs to another vendor"),
    "import.not_after_previous": N_(
        "%(effective)s must be after %(previous)s, the date of version %(version)d (an "
        "amendment takes effect from a new date)"
    ),
    "import.after_final_end": N_(
        "%(effective)s is after the contract's final end (%(final_end)s): an amendment takes "
        "effect while it runs"
    ),
}

# -- a calendar: its definition, then the queries of its engine ------------------------------
CALENDAR: Final[Mapping[str, str]] = {
    "calendar.interval_not_string": N_("expected a string 'HH:MM-HH:MM', got %(value)s"),
    "calendar.interval_format": N_("expected 'HH:MM-HH:MM', got %(value)s"),
    "calendar.not_time_of_day": N_("%(value)s is not a time of day (00:00 to 24:00)"),
    "calendar.interval_reversed": N_("%(value)s ends before it starts"),
    "calendar.expected_intervals": N_("expected a list of 'HH:MM-HH:MM', got %(value)s"),
    "calendar.overlap": N_("intervals overlap: %(first)s and %(second)s"),
    "calendar.bad_date": N_("%(value)s is not a date YYYY-MM-DD"),
    "calendar.expected_dates": N_("expected a list of dates or ranges 'YYYY-MM-DD..YYYY-MM-DD'"),
    "calendar.date_not_string": N_("expected a date string, got %(value)s"),
    "calendar.range_reversed": N_("range %(value)s ends before it starts"),
    "calendar.range_too_long": N_("range %(value)s spans more than ten years"),
    "calendar.unknown_country": N_("unknown country %(value)s; known: %(known)s"),
    "calendar.unknown_subdivision": N_("unknown code %(value)s; valid: %(valid)s"),
    "calendar.unknown_keys": N_("unknown key(s) %(keys)s; known: %(known)s"),
    "calendar.zone_not_string": N_("expected an IANA zone name, got %(value)s"),
    "calendar.unknown_zone": N_("unknown IANA time zone %(value)s"),
    "calendar.holidays_not_string": N_("expected a code such as 'FR' or 'FR-57', got %(value)s"),
    "calendar.no_hours": N_("missing table [hours] (e.g. mon = ['09:00-12:00'])"),
    "calendar.unknown_days": N_("unknown day(s) %(days)s; use %(known)s"),
    "calendar.never_opens": N_("the calendar never opens: give at least one day's hours"),
    "calendar.name_not_string": N_("expected a string"),
    "calendar.file_not_found": N_("file not found"),
    "calendar.unreadable": N_("cannot be read: %(detail)s"),
    "calendar.invalid_toml": N_("not valid TOML: %(detail)s"),
    "calendar.naive_datetime": N_("naive datetime refused: give an offset or a zone (%(value)s)"),
    "calendar.negative_duration": N_("a duration cannot be negative"),
    "calendar.negative_days": N_("a number of days cannot be negative"),
    "calendar.deadline_too_late": N_("the deadline falls after %(year)d"),
    "calendar.never_opens_again": N_("the calendar never opens again before %(year)d"),
    "calendar.years_out_of_range": N_("dates must fall between %(first)d and %(last)d"),
}

PROBLEM_MESSAGES: Final[Mapping[str, str]] = {
    **DOCUMENT_READS,
    **DOCUMENT_TABLES,
    **IMPORT,
    **CALENDAR,
}
