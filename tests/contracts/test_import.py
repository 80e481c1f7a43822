"""Contract documents: the examples import, errors carry file:line, nothing partial, versions."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import select

from calendars.models import VendorCalendar
from sla.cli import cli
from sla.contracts.document import DocumentError, read_contract_text
from sla.contracts.models import Contract, ContractVersion, Vendor
from sla.contracts.service import (
    contract_files,
    export_contract,
    import_documents,
    read_documents,
    version_in_force,
)
from sla.db import session_scope, utcnow
from tests.conftest import EXAMPLES


def test_the_five_seed_contracts_import(contracts: dict[str, int], engine: Engine) -> None:
    assert set(contracts) == {
        "D_2024_0110",
        "OSNY-GALLIMEDIA-2024",
        "MIRAMAS-AUKFOOD-2023",
        "SMICA-DRUELLE-2024",
        "2025CM0417",
    }
    with session_scope(engine) as session:
        assert len(session.exec(select(Vendor)).all()) == 5
        libriciel = session.get(Contract, contracts["D_2024_0110"])
        assert (
            libriciel is not None and libriciel.max_renewals == 3 and libriciel.notice_months == 2
        )
        # Conditions particulières: "337,50 | Total trimestriel HT", support included.
        assert str(libriciel.yearly_amount_ht) == "1350.00"


def test_every_figure_cites_its_article() -> None:
    for path in EXAMPLES.glob("*.toml"):
        data = tomllib.loads(path.read_text())
        for severity in data["sla"]["severities"]:
            for target in severity["targets"]:
                assert target.get("article"), (
                    f"{path.name}: {severity['key']}.{target['key']} has no article"
                )


def test_cli_import_reports_every_problem_with_file_and_line_and_writes_nothing(
    app: Flask, engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "contracts"
    shutil.copytree(EXAMPLES, folder)
    broken = folder / "operis-oxalis.toml"
    lines = broken.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("max_renewals"))
    lines[index] = 'max_renewals = "quatre"'
    target_index = next(i for i, line in enumerate(lines) if line.startswith("business_days = 8"))
    lines[target_index] = "business_dais = 8"
    broken.write_text("\n".join(lines) + "\n")
    result = app.test_cli_runner().invoke(cli, args=["contracts", "import", str(folder)])
    assert result.exit_code == 2
    assert (
        f"{broken}:{index + 1}: contract.max_renewals: expected a whole number, got 'quatre'"
        in result.output
    )
    assert (
        f"{broken}:{target_index + 1}: sla.severities[0].targets[0].business_dais: unknown key business_dais"
        in result.output
    )
    with session_scope(engine) as session:  # the four good files were not imported either
        assert session.exec(select(Contract)).all() == []


@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        ("[vendor\nname = 1", "document.invalid_toml", "x.toml:1: not valid TOML"),
        ("format = 3\n", "document.unsupported_format", "x.toml:1: format: unsupported format 3"),
        (
            '[vendor]\nname = "V"\nsiret = "12345678901234"\n',
            "document.bad_siret",
            "x.toml:3: vendor.siret: '12345678901234' is not a valid SIRET",
        ),
    ],
)
def test_document_errors_name_the_line(text: str, code: str, expected: str) -> None:
    with pytest.raises(DocumentError) as caught:
        read_contract_text(text, "x.toml")
    found = [p for p in caught.value.problems if p.code == code]
    assert found and str(found[0]).startswith(expected), caught.value.problems
    assert expected in str(caught.value)


def test_a_problem_is_data_located_in_its_source() -> None:
    text = '[vendor]\nname = "V"\nsupport_email = 3\n'
    with pytest.raises(DocumentError) as caught:
        read_contract_text(text, "x.toml")
    problem = next(p for p in caught.value.problems if p.where == "vendor.support_email")
    assert (problem.source, problem.line, problem.code) == ("x.toml", 3, "document.expected_string")
    assert problem.params == {"value": "3"}
    # English outside the pages, `file:line: key: message` for the command line.
    assert problem.message == "expected a string, got 3"
    assert str(problem) == "x.toml:3: vendor.support_email: expected a string, got 3"
    assert problem.worded(lambda code, params: f"<{code}>") == "<document.expected_string>"


def test_a_calendars_refusal_is_a_problem_of_the_document_with_its_code() -> None:
    text = (EXAMPLES / "libriciel-comelus.toml").read_text(encoding="utf-8")
    bad = text.replace('timezone = "Europe/Paris"', 'timezone = "Europe/Parsi"', 1)
    line = next(n for n, row in enumerate(bad.splitlines(), 1) if "Europe/Parsi" in row)
    with pytest.raises(DocumentError) as refused:
        read_contract_text(bad, "libriciel.toml")
    problem = next(p for p in refused.value.problems if p.code == "calendar.unknown_zone")
    assert (problem.line, problem.where) == (line, "calendars.support.timezone")
    assert problem.params == {"value": "'Europe/Parsi'"}
    assert str(problem) == (
        f"libriciel.toml:{line}: calendars.support.timezone: unknown IANA time zone 'Europe/Parsi'"
    )


def test_reading_files_reports_every_problem_of_every_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    text = (EXAMPLES / "operis-oxalis.toml").read_text(encoding="utf-8")
    first.write_text(text, encoding="utf-8")
    second.write_text(text, encoding="utf-8")
    (tmp_path / "c.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(DocumentError) as refused:
        read_documents(contract_files(tmp_path))
    codes = {(Path(p.source).name, p.code) for p in refused.value.problems}
    assert codes == {("b.toml", "import.duplicate_reference"), ("c.toml", "document.unreadable")}
    duplicate = next(p for p in refused.value.problems if p.code == "import.duplicate_reference")
    assert str(duplicate) == f"{second}:1: contract '2025CM0417' is also in {first}"
    with pytest.raises(DocumentError) as empty:
        read_documents([])
    assert [str(p) for p in empty.value.problems] == ["no .toml file to import"]


def test_target_from_unknown_milestone_is_refused() -> None:
    text = (
        (EXAMPLES / "libriciel-comelus.toml")
        .read_text()
        .replace('from = "prise-en-charge"', 'from = "prise-en-compte"')
    )
    with pytest.raises(DocumentError) as caught:
        read_contract_text(text, "l.toml")
    assert any(
        "'from' must be 'report' or a target of 'indisponibilite'" in str(p)
        for p in caught.value.problems
    )


def test_export_reads_back_identically(
    contracts: dict[str, int], engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        for contract in session.exec(select(Contract)):
            text = export_contract(session, contract)
            again = read_contract_text(text, "export.toml")
            version = session.exec(
                select(ContractVersion).where(ContractVersion.contract_id == contract.id)
            ).one()
            assert again.data == version.document


def test_amendment_creates_a_version_and_old_incidents_keep_theirs(
    contracts: dict[str, int], engine: Engine
) -> None:
    text = (EXAMPLES / "operis-oxalis.toml").read_text()
    amended = text.replace("effective_from = 2025-01-01", "effective_from = 2025-07-01").replace(
        "business_days = 8 ", "business_days = 5 "
    )
    with session_scope(engine) as session:
        outcome = import_documents(
            session, [("amended.toml", read_contract_text(amended, "amended.toml"))], now=utcnow()
        )
    assert outcome[0].action == "amended" and outcome[0].version == 2
    from datetime import date

    with session_scope(engine) as session:
        contract = session.get(Contract, contracts["2025CM0417"])
        assert contract is not None
        assert version_in_force(session, contract, date(2025, 3, 1)).number == 1
        assert version_in_force(session, contract, date(2025, 8, 1)).number == 2


def test_amendment_must_take_effect_later(contracts: dict[str, int], engine: Engine) -> None:
    text = (
        (EXAMPLES / "operis-oxalis.toml")
        .read_text()
        .replace("business_days = 8 ", "business_days = 5 ")
    )
    with (
        pytest.raises(DocumentError, match="must be after 2025-01-01"),
        session_scope(engine) as session,
    ):
        import_documents(session, [("a.toml", read_contract_text(text, "a.toml"))], now=utcnow())


@pytest.mark.parametrize("amount", ['"nan"', '"NaN"', '"-inf"', '"12,5,0"'])
def test_an_amount_that_is_not_a_number_is_a_problem_on_its_line(amount: str) -> None:
    text = (EXAMPLES / "libriciel-comelus.toml").read_text(encoding="utf-8")
    bad = text.replace('yearly_amount_ht = "1350.00"', f"yearly_amount_ht = {amount}")
    assert bad != text
    line = next(n for n, row in enumerate(bad.splitlines(), 1) if "yearly_amount_ht =" in row)
    with pytest.raises(DocumentError) as refused:
        read_contract_text(bad, "libriciel.toml")
    assert any(str(p).startswith(f"libriciel.toml:{line}:") for p in refused.value.problems)


def test_an_amendment_cannot_take_effect_after_the_contract_ends_nor_in_year_9999(
    contracts: dict[str, int], engine: Engine
) -> None:
    text = (EXAMPLES / "operis-oxalis.toml").read_text(encoding="utf-8")
    for effective, expected in (
        ("9999-12-31", "out of range"),
        ("2031-01-01", "after the contract's final end"),
    ):
        amended = text.replace("effective_from = 2025-01-01", f"effective_from = {effective}", 1)
        assert amended != text
        with pytest.raises(DocumentError) as refused, session_scope(engine) as session:
            import_documents(
                session, [("operis.toml", read_contract_text(amended, "operis.toml"))], now=utcnow()
            )
        assert any(expected in str(problem) for problem in refused.value.problems), (
            refused.value.problems
        )
    with session_scope(engine) as session:
        versions = session.exec(select(ContractVersion)).all()
        assert all(v.effective_from.year < 2030 for v in versions)


def test_the_demo_loads_again_after_a_contract_was_amended(
    contracts: dict[str, int], engine: Engine
) -> None:
    from sla.demo import load_demo
    from tests.support import ALERTS

    text = (EXAMPLES / "operis-oxalis.toml").read_text(encoding="utf-8")
    amended = text.replace("effective_from = 2025-01-01", "effective_from = 2025-07-01", 1)
    amended = amended.replace("business_days = 8 ", "business_days = 6 ", 1)
    assert amended != text
    with session_scope(engine) as session:
        import_documents(
            session, [("operis.toml", read_contract_text(amended, "operis.toml"))], now=utcnow()
        )
    with session_scope(engine) as session:
        lines = list(load_demo(session, now=utcnow(), alert_settings=ALERTS, incidents=0))
    assert not any("OXALIS" in line.upper() for line in lines if "contract" in line)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://vendor.example"])
def test_a_portal_url_must_be_http_or_https(url: str) -> None:
    text = (EXAMPLES / "libriciel-comelus.toml").read_text(encoding="utf-8")
    bad = text.replace(
        'portal_url = "https://www.libriciel.fr/espace-client/"', f'portal_url = "{url}"', 1
    )
    assert bad != text
    with pytest.raises(DocumentError) as refused:
        read_contract_text(bad, "libriciel.toml")
    assert any(
        p.where == "vendor.portal_url" and p.code == "document.bad_url" and "http" in str(p)
        for p in refused.value.problems
    )


def test_an_import_never_overwrites_what_the_vendor_and_calendar_forms_entered(
    engine: Engine,
) -> None:
    text = (EXAMPLES / "operis-oxalis.toml").read_text()
    with session_scope(engine) as session:
        import_documents(session, [("o.toml", read_contract_text(text, "o.toml"))], now=utcnow())
    with session_scope(engine) as session:  # what an administrator changed in the forms
        vendor = session.exec(select(Vendor)).one()
        vendor.support_email = "hotline@operis.example"
        calendar = session.exec(select(VendorCalendar).order_by(VendorCalendar.key)).first()
        assert calendar is not None
        calendar.definition = {**calendar.definition, "closed_dates": ["2026-08-10..2026-08-14"]}
        edited, key = dict(calendar.definition), calendar.key
    later = text.replace("effective_from = 2025-01-01", "effective_from = 2026-01-01")
    later = later.replace("business_days = 8", "business_days = 7", 1)
    assert later != text
    with session_scope(engine) as session:
        import_documents(session, [("o.toml", read_contract_text(later, "o.toml"))], now=utcnow())
    with session_scope(engine) as session:
        assert session.exec(select(Vendor)).one().support_email == "hotline@operis.example"
        kept = session.exec(select(VendorCalendar).where(VendorCalendar.key == key)).one()
        assert kept.definition == edited
        assert len(session.exec(select(ContractVersion)).all()) == 2
