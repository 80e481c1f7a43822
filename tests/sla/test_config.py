"""Configuration: defaults, overrides, and refusals that name the key and the file."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sla.config import DEFAULT_CONFIG_FILE, SCHEMA, ConfigError, load_settings


def test_config_toml_documents_every_key_with_its_default() -> None:
    data = tomllib.loads(DEFAULT_CONFIG_FILE.read_text())
    assert set(data) == set(SCHEMA)
    for section, keys in SCHEMA.items():
        assert set(data[section]) == set(keys), section
        for key, spec in keys.items():
            assert data[section][key] == spec.default, f"[{section}] {key}"


def test_environment_overrides_file_and_is_typed(tmp_path: Path) -> None:
    extra = tmp_path / "site.toml"
    extra.write_text('[smtp]\nhost = "mail.example.org"\nport = 587\n')
    settings = load_settings(
        {
            "SLA_CONFIG": str(extra),
            "SLA_SMTP_PORT": "2525",
            "SLA_REPORTS_RECIPIENTS": "a@x.fr, b@x.fr",
        }
    )
    assert settings["smtp"]["host"] == "mail.example.org"
    assert settings["smtp"]["port"] == 2525
    assert settings["reports"]["recipients"] == ("a@x.fr", "b@x.fr")
    assert settings.source_of("smtp", "port") == "environment SLA_SMTP_PORT"
    assert settings.source_of("smtp", "host") == str(extra)


def test_settings_are_immutable() -> None:
    settings = load_settings({})
    with pytest.raises(TypeError):
        settings["smtp"]["port"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[smtp]\nport = 'abc'\n", "[smtp] port: expected an integer"),
        ("[smtp]\nportt = 25\n", "unknown key [smtp] portt"),
        ("[mail]\nhost = 'x'\n", "unknown section [mail]"),
        ("[app]\ntimezone = 'Europe/Pariss'\n", "[app] timezone: unknown IANA time zone"),
        ("[smtp]\nsecurity = 'ssl'\n", "[smtp] security: must be one of none, starttls, tls"),
        ("[alerts]\nwarn_used_ratio = 1.5\n", "[alerts] warn_used_ratio: must be between 0 and 1"),
        ("[database]\nurl = 'mysql://x/y'\n", "[database] url: only sqlite and postgresql"),
        ("[smtp\n", "not valid TOML"),
    ],
)
def test_bad_file_names_file_and_key(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_settings({"SLA_CONFIG": str(path)})
    assert str(path) in caught.value.message
    assert expected in caught.value.message


def test_unknown_environment_variable_is_refused() -> None:
    with pytest.raises(ConfigError, match="SLA_SMTP_HOSTNAME: unknown key"):
        load_settings({"SLA_SMTP_HOSTNAME": "x"})


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere\.toml: file not found"):
        load_settings({"SLA_CONFIG": str(tmp_path / "nowhere.toml")})


def _sla(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLA_")}
    return subprocess.run(
        [sys.executable, "-m", "sla", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SLA_SERVER_PORT": "eighty"}, "SLA_SERVER_PORT: expected an integer, got 'eighty'"),
        ({"SLA_SMTP_PROT": "25"}, "SLA_SMTP_PROT: unknown key"),
        (
            {"SLA_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/garantie"},
            "[database] url (from environment SLA_DATABASE_URL): cannot connect",
        ),
    ],
)
def test_cli_stops_with_one_line_and_exit_code_2(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    result = _sla({**env, "SLA_APP_INSTANCE_PATH": str(tmp_path)}, "db", "upgrade", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_names_the_bad_key_of_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text("[server]\nport = true\n")
    result = _sla({"SLA_CONFIG": str(path)}, "serve", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Error: configuration: {path}: [server] port: expected an integer, got True"
    )
