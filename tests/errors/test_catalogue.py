"""The catalogue of error codes: every code raised by the services and the lifecycle engine is
in it with an English msgid that `pybabel extract` finds, whose parameters the raise gives;
the event kinds read with the pages' labels; no sentence is raised from Python."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

from sla.engine.lifecycle import EventKind
from sla.error_codes import EVENT_KINDS, MESSAGES
from sla.problem_codes import PROBLEM_MESSAGES
from sla.web.labels import EVENT_KIND

ROOT = Path(__file__).resolve().parent.parent.parent
# The modules that raise coded errors (the services, the lifecycle engine).
RAISERS = (
    "sla/engine/lifecycle.py",
    "incidents/service.py",
    "sla/contracts/service.py",
    "sla/outages/service.py",
    "sla/auth/service.py",
    "sla/auth/passwords.py",
)
ERRORS = {"DomainError", "NotFound", "Conflict", "LifecycleError"}
# The modules that record the problems of documents, calendars and imports (as data too).
PROBLEM_SOURCES = (
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sla/contracts/document").glob("*.py")),
    "sla/contracts/service.py",
    "calendars/spec.py",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "calendars/engine").glob("*.py")),
)
SECTIONS = ("document", "calendar", "import")
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def placeholders(msgid: str) -> set[str]:
    return {name for name, _ in PLACEHOLDER.findall(msgid)}


def _error_calls(path: str) -> list[ast.Call]:
    tree = ast.parse((ROOT / path).read_text(), filename=path)
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id in ERRORS)
            or (isinstance(node.func, ast.Attribute) and node.func.attr in ERRORS)
        )
    ]


def _raised() -> list[tuple[str, int, ast.Call]]:
    return [(path, call.lineno, call) for path in RAISERS for call in _error_calls(path)]


def test_every_code_has_an_english_msgid() -> None:
    assert MESSAGES
    for code, msgid in MESSAGES.items():
        assert CODE.match(code), code
        assert msgid.strip() and msgid.isascii(), code
        # Parameters are named (`%(name)s`): a translation may put them in another order.
        assert msgid.count("%") == len(PLACEHOLDER.findall(msgid)), code


def test_the_msgids_are_extracted_with_the_projects_keywords() -> None:
    """`make messages` runs `pybabel extract -k _l -k lazy_gettext` (default keywords kept)."""
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = {
        message
        for path in ("sla/error_codes.py", "sla/problem_codes.py")
        for _, message, _, _ in extract_from_file("python", str(ROOT / path), keywords=keywords)
    }
    assert set(MESSAGES.values()) <= found
    assert set(EVENT_KINDS.values()) <= found


def _literal_codes(path: str) -> set[str]:
    """The codes a module's catalogue writes as dictionary keys."""
    tree = ast.parse((ROOT / path).read_text(), filename=path)
    return {
        key.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key in node.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and CODE.match(key.value)
    }


def test_the_problem_codes_are_one_catalogue_with_the_errors() -> None:
    """`sla.problem_codes` holds the document, calendar and import codes, none of which
    shadows an error's code: `word` finds them all in `MESSAGES`."""
    assert {code.split(".")[0] for code in PROBLEM_MESSAGES} == set(SECTIONS)
    assert not _literal_codes("sla/error_codes.py") & set(PROBLEM_MESSAGES)
    assert all(MESSAGES[code] == msgid for code, msgid in PROBLEM_MESSAGES.items())


def _problem_calls(path: str) -> list[tuple[int, ast.expr | None, dict[str, bool]]]:
    """Each problem a module records: its line, its code's expression and the parameters it
    gives (name -> True; `None` for `**params`): `….fail(path, code, …)`,
    `CalendarError(code, …)` and `SourcedProblem(source, line, where, code, {…})`."""
    tree = ast.parse((ROOT / path).read_text(), filename=path)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        calendar = name in ("CalendarError", "NaiveDatetimeError")
        # A calendar error's `key` is the part at fault, not a parameter of its sentence.
        given = {
            str(k.arg): True for k in node.keywords if k.arg and not (calendar and k.arg == "key")
        }
        if any(k.arg is None for k in node.keywords):
            given["**"] = True
        if name == "fail" and len(node.args) >= 2:
            found.append((node.lineno, node.args[1], given))
        elif calendar and node.args:
            found.append((node.lineno, node.args[0], given))
        elif name == "SourcedProblem" and len(node.args) >= 4:
            params = node.args[4] if len(node.args) > 4 else None
            if isinstance(params, ast.Dict):
                given = {k.value: True for k in params.keys if isinstance(k, ast.Constant)}
            elif params is not None:
                given = {"**": True}
            found.append((node.lineno, node.args[3], given))
    return found


def test_every_problem_names_a_code_of_the_catalogue_with_its_parameters() -> None:
    """No sentence is recorded as a document's, a calendar's or an import's problem: a code
    of `sla.problem_codes` with the parameters its msgid names (or one passed on as data)."""
    calls = [(path, *call) for path in PROBLEM_SOURCES for call in _problem_calls(path)]
    assert len(calls) > 80  # the scan sees them
    used: set[str] = set()
    for path, line, code, given in calls:
        where = f"{path}:{line}"
        if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
            # A problem passed on (`error.code`) or chosen between two codes (`code`).
            assert isinstance(code, ast.Attribute | ast.Name), where
            continue
        assert code.value in PROBLEM_MESSAGES, f"{where}: {code.value!r} is not in the catalogue"
        used.add(code.value)
        if "**" not in given:
            missing = placeholders(MESSAGES[code.value]) - set(given)
            assert not missing, f"{where}: {code.value} lacks {missing}"
    sources = "".join((ROOT / path).read_text() for path in PROBLEM_SOURCES)
    unused = [code for code in PROBLEM_MESSAGES if f'"{code}"' not in sources]
    assert unused == []


def test_every_raise_names_a_code_of_the_catalogue_with_its_parameters() -> None:
    calls = _raised()
    assert len(calls) > 50  # the scan sees the raises
    converted = []
    for path, line, call in calls:
        where = f"{path}:{line}"
        first = call.args[0] if call.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            converted.append(where)  # an error raised again with its code and parameters
            assert isinstance(first, ast.Attribute) and first.attr == "code", where
            continue
        assert first.value in MESSAGES, f"{where}: {first.value!r} is not in the catalogue"
        given = {k.arg for k in call.keywords}
        if None in given:  # **params: checked where they are made
            continue
        if isinstance(call.func, ast.Name) and call.func.id == "LifecycleError" and call.args[1:]:
            given |= {"kind", "event_id"}  # from the event
        missing = placeholders(MESSAGES[first.value]) - given
        assert not missing, f"{where}: {first.value} lacks {missing}"
    assert converted == [f"incidents/service.py:{_line_of_conversion()}"]


def _line_of_conversion() -> int:
    for call in _error_calls("incidents/service.py"):
        if isinstance(call.args[0], ast.Attribute):
            return call.lineno
    raise AssertionError("incidents/service.py raises no LifecycleError again")


def test_the_engine_codes_are_in_the_catalogue() -> None:
    codes = {
        call.args[0].value
        for call in _error_calls("sla/engine/lifecycle.py")
        if isinstance(call.args[0], ast.Constant)
    }
    assert codes and codes <= set(MESSAGES)


@pytest.mark.parametrize("kind", list(EventKind))
def test_event_kinds_read_with_the_labels_of_the_pages(kind: EventKind) -> None:
    """The base layer keeps its own copy of the labels' msgids (it may not import sla.web):
    one msgid, one translation."""
    assert EVENT_KINDS[kind.value] == str(EVENT_KIND[kind.value])


def test_the_labels_cover_the_event_kinds_exactly() -> None:
    assert set(EVENT_KINDS) == {k.value for k in EventKind} == set(EVENT_KIND)
