"""Configuration: `config.toml`, an optional file named in `SLA_CONFIG`, then `SLA_*` variables.

The schema below is the single list of keys, with their types and defaults; `config.toml` at
the project root documents them. Values are validated once, at start-up, and the result is
immutable. A bad value or an unknown key raises :class:`ConfigError`, whose message names the
key and where it came from (file or environment variable); the CLI prints that one line and
exits with code 2.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config.toml"
ENV_PREFIX = "SLA_"
# Environment variables with the prefix that are not configuration keys.
NON_KEY_VARIABLES = frozenset(
    {"SLA_CONFIG", "SLA_ADMIN_PASSWORD", "SLA_ADMIN_USERNAME", "SLA_TEST_POSTGRES_URL"}
)


class ConfigError(click.ClickException):
    """A configuration problem; the message names the key and its source."""

    exit_code = 2

    def format_message(self) -> str:
        return f"configuration: {self.message}"


Validator = Callable[[Any], str | None]


@dataclass(frozen=True)
class Key:
    """One configuration key: its type, default and an optional extra check."""

    kind: type
    default: Any
    check: Validator | None = None
    doc: str = ""


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown IANA time zone {value!r} (e.g. 'Europe/Paris')"
    return None


def _one_of(*allowed: str) -> Validator:
    def check(value: str) -> str | None:
        if value not in allowed:
            return f"must be one of {', '.join(allowed)}; got {value!r}"
        return None

    return check


def _between(low: float, high: float) -> Validator:
    def check(value: float) -> str | None:
        if not low <= value <= high:
            return f"must be between {low:g} and {high:g}; got {value!r}"
        return None

    return check


def _hhmm(value: str) -> str | None:
    parts = value.split(":")
    if len(parts) == 2 and all(p.isdigit() and len(p) == 2 for p in parts):
        hours, minutes = int(parts[0]), int(parts[1])
        if hours < 24 and minutes < 60:
            return None
    return f"must be a time HH:MM; got {value!r}"


def _database_url(value: str) -> str | None:
    if value == "":
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except ArgumentError:
        return f"not a database URL: {value!r}"
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        return f"only sqlite and postgresql are supported; got {url.get_backend_name()!r}"
    return None


def _ldap_url(value: str) -> str | None:
    if value == "":
        return None
    for url in value.split():
        scheme, _, rest = url.partition("://")
        if scheme.lower() not in {"ldap", "ldaps"} or not rest.strip("/"):
            return (
                f"must be ldap://host[:port] or ldaps://host[:port] (several: spaces); got {url!r}"
            )
    return None


def _dn(value: str) -> str | None:
    if value == "":
        return None
    from ldap3.core.exceptions import LDAPInvalidDnError
    from ldap3.utils.dn import parse_dn

    try:
        parse_dn(value)
    except LDAPInvalidDnError:
        return f"not a distinguished name (e.g. 'cn=Garantie,ou=Groupes,dc=ville,dc=fr'): {value!r}"
    return None


def _dns(values: list[str]) -> str | None:
    for value in values:
        problem = _dn(value) if value else f"an empty group name in {values!r}"
        if problem:
            return problem
    return None


def _ldap_filter(placeholder: str) -> Validator:
    def check(value: str) -> str | None:
        if not (value.startswith("(") and value.endswith(")")) or value.count("(") != value.count(
            ")"
        ):
            return f"not an LDAP filter in parentheses: {value!r}"
        if placeholder not in value:
            return (
                f"must contain {placeholder} (e.g. '(sAMAccountName={{username}})'); got {value!r}"
            )
        return None

    return check


def _issuer(value: str) -> str | None:
    if value == "":
        return None

    parts = urlsplit(value)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        return f"must be an https:// address (http:// only on loopback); got {value!r}"
    if not parts.hostname or parts.query or parts.fragment:
        return f"must be the issuer's address, without query nor fragment; got {value!r}"
    return None


def _emails(values: list[str]) -> str | None:
    for value in values:
        _local, at, domain = value.partition("@")
        if not at or "." not in domain or " " in value or "@" in domain:
            return f'each entry is an address or "@domain" (e.g. "@ville.example"); got {value!r}'
    return None


SCHEMA: dict[str, dict[str, Key]] = {
    "app": {
        "timezone": Key(str, "Europe/Paris", _timezone, "default zone for dates people read"),
        "secret_key": Key(str, "", None, "empty: generated once into instance/secret_key"),
        "base_url": Key(str, "http://127.0.0.1:8000", None, "public URL, for links in mails"),
        "default_locale": Key(str, "fr", _one_of("fr", "en")),
        "secure_cookies": Key(bool, False, None, "true when served over HTTPS"),
        "instance_path": Key(str, "", None, "empty: ./instance"),
    },
    "database": {
        "url": Key(str, "", _database_url, "empty: SQLite file instance/garantie.db"),
    },
    "server": {
        "host": Key(str, "127.0.0.1"),
        "port": Key(int, 8000, _between(1, 65535)),
        "threads": Key(int, 8, _between(1, 256)),
        "scheduler": Key(bool, True, None, "run the scheduler inside `sla serve`"),
        # How many reverse proxies stand in front and set X-Forwarded-For/-Proto (Werkzeug's
        # ProxyFix); 0 trusts none, so a client cannot forge its address.
        "trusted_proxies": Key(int, 0, _between(0, 10)),
    },
    "security": {
        "login_max_failures": Key(int, 5, _between(1, 1000)),
        "login_lockout_minutes": Key(int, 15, _between(1, 24 * 60)),
        "session_lifetime_hours": Key(int, 12, _between(1, 24 * 30)),
        # Who may sign in with a Garantie password: "all" accounts, or only those "marked" as
        # local accounts (the first administrator, a break-glass account) once the directory or
        # OpenID Connect signs everyone else in.
        "password_login": Key(str, "all", _one_of("all", "marked")),
    },
    # Sign-in through the organisation's directory (LDAP, Active Directory): the form's name
    # and password are checked by binding as the user; the groups give the role.
    "ldap": {
        "enabled": Key(bool, False),
        "url": Key(str, "", _ldap_url, "ldaps://dc1.ville.example:636 or ldap://...:389"),
        "starttls": Key(bool, False, None, "upgrade ldap:// with StartTLS"),
        "ca_file": Key(str, "", None, "PEM file of the CA of the directory's certificate"),
        "bind_dn": Key(str, "", _dn, "the service account that searches"),
        "bind_password": Key(str, "", None, "prefer SLA_LDAP_BIND_PASSWORD"),
        "user_base_dn": Key(str, "", _dn),
        "user_filter": Key(str, "(sAMAccountName={username})", _ldap_filter("{username}")),
        "group_base_dn": Key(str, "", _dn, "empty: user_base_dn"),
        "group_filter": Key(str, "(member={user_dn})", _ldap_filter("{user_dn}")),
        "name_attribute": Key(str, "displayName"),
        "email_attribute": Key(str, "mail"),
        "admin_groups": Key(list, [], _dns, "group DNs whose members are administrators"),
        "agent_groups": Key(list, [], _dns),
        "viewer_groups": Key(list, [], _dns),
        "timeout_seconds": Key(int, 5, _between(1, 60)),
        # How often the scheduler asks the directory about every account it made: a person
        # gone or out of every mapped group is deactivated (sessions end, tokens revoked).
        "sync_minutes": Key(int, 60, _between(0, 7 * 24 * 60), "0: only at sign-in"),
    },
    # Sign-in through an OpenID Connect provider (ProConnect, Keycloak, Entra ID...).
    "oidc": {
        "enabled": Key(bool, False),
        "name": Key(str, "ProConnect", None, 'the button reads "Se connecter avec <name>"'),
        "issuer": Key(str, "", _issuer, "discovery at <issuer>/.well-known/openid-configuration"),
        "client_id": Key(str, ""),
        "client_secret": Key(str, "", None, "prefer SLA_OIDC_CLIENT_SECRET"),
        "scopes": Key(list, ["openid", "email", "given_name", "usual_name"]),
        "acr_values": Key(str, "", None, 'e.g. "eidas1" (ProConnect)'),
        "pkce": Key(bool, True, None, "send a PKCE challenge (S256)"),
        # A provider that sends no email_verified claim: trust its addresses (ProConnect) or not.
        "require_email_verified": Key(bool, True),
        "role_claim": Key(str, "", None, "a claim whose values give the role"),
        "admin_values": Key(list, []),
        "agent_values": Key(list, []),
        "viewer_values": Key(list, []),
        "admin_emails": Key(list, [], _emails, 'addresses, or "@domain" for a whole domain'),
        "agent_emails": Key(list, [], _emails),
        "viewer_emails": Key(list, [], _emails),
        "timeout_seconds": Key(int, 10, _between(1, 60)),
    },
    "smtp": {
        "host": Key(str, "localhost"),
        "port": Key(int, 25, _between(1, 65535)),
        "security": Key(str, "none", _one_of("none", "starttls", "tls")),
        "username": Key(str, ""),
        "password": Key(str, "", None, "prefer SLA_SMTP_PASSWORD over writing it here"),
        "sender": Key(str, "garantie@localhost"),
        "timeout_seconds": Key(int, 10, _between(1, 300)),
    },
    "alerts": {
        "warn_used_ratio": Key(float, 0.75, _between(0.0, 1.0)),
        "warn_used_ratio_top": Key(float, 0.5, _between(0.0, 1.0), "the most severe level"),
        "warn_remaining_minutes": Key(int, 60, _between(0, 60 * 24 * 30)),
        "reminder_hours": Key(int, 24, _between(0, 24 * 30)),
        "team_email": Key(str, ""),
        "digest_time": Key(str, "08:00", _hhmm),
        "digest_recipients": Key(list, []),
        "notice_days": Key(int, 30, _between(0, 366), "warn before notice deadlines and ends"),
        "webhooks": Key(list, []),
        "webhook_format": Key(str, "generic", _one_of("generic", "mattermost", "teams")),
        "max_attempts": Key(int, 8, _between(1, 100)),
        "sweep_seconds": Key(int, 60, _between(5, 3600)),
    },
    "reports": {
        "recipients": Key(list, []),
        "monthly_time": Key(str, "07:00", _hhmm),
    },
    "penalties": {
        # A draft statement still not notified (nor abandoned) this many days after the end of
        # its period raises an alert, once.
        "draft_alert_days": Key(int, 15, _between(1, 366), "alert on a draft left this long"),
    },
    # Who runs this Garantie: named on the reports' cover and footer, in the PDF's metadata,
    # and in the accessibility statement (RGAA).
    "organisation": {
        "name": Key(str, "Collectivité (à configurer)", None, "e.g. Ville de Miramas — DSI"),
        "logo": Key(str, "", None, "optional PNG or JPEG file for the reports' cover"),
        "contact_email": Key(str, "", None, "where people write about the service"),
        "accessibility_email": Key(str, "", None, "empty: contact_email"),
        "accessibility_status": Key(
            str,
            "non_compliant",
            _one_of("compliant", "partially_compliant", "non_compliant"),
            "RGAA compliance as audited",
        ),
    },
}


@dataclass(frozen=True)
class Settings:
    """Validated, immutable configuration. Read values with ``settings["smtp"]["host"]``."""

    values: Mapping[str, Mapping[str, Any]]
    sources: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, section: str) -> Mapping[str, Any]:
        return self.values[section]

    def source_of(self, section: str, key: str) -> str:
        """Where a key's value came from: a file path, an environment variable or 'default'."""
        return self.sources.get(f"{section}.{key}", "default")

    @property
    def instance_path(self) -> Path:
        configured = self.values["app"]["instance_path"]
        return Path(configured) if configured else Path.cwd() / "instance"

    @property
    def database_url(self) -> str:
        url = self.values["database"]["url"]
        if url:
            return str(url)
        return f"sqlite:///{self.instance_path / 'garantie.db'}"


def _coerce(kind: type, raw: Any, *, from_env: bool) -> Any:
    """Convert a raw value to the key's type, or raise ValueError with a reason."""
    if from_env:
        raw = str(raw)
        if kind is bool:
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(f"expected true or false, got {raw!r}")
        if kind is list:
            return [item.strip() for item in raw.split(",") if item.strip()]
        if kind is int:
            try:
                return int(raw)
            except ValueError:
                raise ValueError(f"expected an integer, got {raw!r}") from None
        if kind is float:
            try:
                return float(raw)
            except ValueError:
                raise ValueError(f"expected a number, got {raw!r}") from None
        return raw
    if kind is bool:
        if not isinstance(raw, bool):
            raise ValueError(f"expected true or false, got {raw!r}")
        return raw
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"expected an integer, got {raw!r}")
        return raw
    if kind is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"expected a number, got {raw!r}")
        return float(raw)
    if kind is list:
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise ValueError(f"expected a list of strings, got {raw!r}")
        return list(raw)
    if not isinstance(raw, str):
        raise ValueError(f"expected a string, got {raw!r}")
    return raw


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None


def _apply(
    values: dict[str, dict[str, Any]],
    sources: dict[str, str],
    section: str,
    key: str,
    raw: Any,
    *,
    origin: str,
    from_env: bool,
) -> None:
    spec = SCHEMA[section][key]
    where = f"{origin}: [{section}] {key}" if not from_env else f"{origin}"
    try:
        value = _coerce(spec.kind, raw, from_env=from_env)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None
    if spec.check is not None:
        problem = spec.check(value)
        if problem:
            raise ConfigError(f"{where}: {problem}")
    values[section][key] = value
    sources[f"{section}.{key}"] = origin


def _apply_file(values: dict[str, dict[str, Any]], sources: dict[str, str], path: Path) -> None:
    data = _read_toml(path)
    for section, table in data.items():
        if section not in SCHEMA:
            known = ", ".join(sorted(SCHEMA))
            raise ConfigError(f"{path}: unknown section [{section}] (known: {known})")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        for key, raw in table.items():
            if key not in SCHEMA[section]:
                known = ", ".join(sorted(SCHEMA[section]))
                raise ConfigError(f"{path}: unknown key [{section}] {key} (known: {known})")
            _apply(values, sources, section, key, raw, origin=str(path), from_env=False)


def _env_name(section: str, key: str) -> str:
    return f"{ENV_PREFIX}{section}_{key}".upper()


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    base_file: Path | None = DEFAULT_CONFIG_FILE,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Build the settings: schema defaults, `base_file`, `$SLA_CONFIG`, `SLA_*`, `overrides`.

    `overrides` (used by tests and `create_app(test_config)`) are validated like a file.
    """
    env = os.environ if environ is None else environ
    values: dict[str, dict[str, Any]] = {
        section: {key: spec.default for key, spec in keys.items()}
        for section, keys in SCHEMA.items()
    }
    sources: dict[str, str] = {}
    if base_file is not None and base_file.exists():
        _apply_file(values, sources, base_file)
    extra = env.get("SLA_CONFIG")
    if extra:
        _apply_file(values, sources, Path(extra))
    known_env = {_env_name(s, k): (s, k) for s, keys in SCHEMA.items() for k in keys}
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX) or name in NON_KEY_VARIABLES:
            continue
        if name not in known_env:
            raise ConfigError(
                f"environment variable {name}: unknown key "
                f"(configuration variables are SLA_<SECTION>_<KEY>, e.g. SLA_DATABASE_URL)"
            )
        section, key = known_env[name]
        _apply(values, sources, section, key, raw, origin=f"environment {name}", from_env=True)
    for section, table in (overrides or {}).items():
        for key, raw in table.items():
            if section not in SCHEMA or key not in SCHEMA[section]:
                raise ConfigError(f"test configuration: unknown key [{section}] {key}")
            _apply(values, sources, section, key, raw, origin="test configuration", from_env=False)
    _check_sign_in(values, sources)
    frozen = {
        section: MappingProxyType(
            {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
        )
        for section, table in values.items()
    }
    return Settings(values=MappingProxyType(frozen), sources=MappingProxyType(sources))


def _check_sign_in(values: Mapping[str, Mapping[str, Any]], sources: Mapping[str, str]) -> None:
    """The checks that span several keys of [ldap] and [oidc], once every source is read."""

    def refuse(section: str, key: str, problem: str) -> ConfigError:
        origin = sources.get(f"{section}.{key}", "default")
        return ConfigError(f"{origin}: [{section}] {key}: {problem}")

    ldap = values["ldap"]
    if ldap["enabled"]:
        for key in ("url", "user_base_dn"):
            if not ldap[key]:
                raise refuse("ldap", key, "required when [ldap] enabled = true")
        if not (ldap["admin_groups"] or ldap["agent_groups"] or ldap["viewer_groups"]):
            raise refuse(
                "ldap",
                "viewer_groups",
                "name at least one group in admin_groups, "
                "agent_groups or viewer_groups (nobody could sign in)",
            )
        urls = ldap["url"].split()
        if ldap["starttls"] and any(u.lower().startswith("ldaps://") for u in urls):
            raise refuse("ldap", "starttls", "ldaps:// is TLS already; set starttls = false")
        loopback = ("ldap://127.0.0.1", "ldap://localhost", "ldap://[::1]")
        clear = [u for u in urls if u.lower().startswith("ldap://")]
        if (
            clear
            and not ldap["starttls"]
            and not all(u.lower().startswith(loopback) for u in clear)
        ):
            raise refuse(
                "ldap",
                "starttls",
                "passwords would cross the network in clear: use ldaps:// or starttls = true",
            )
        if ldap["ca_file"] and not Path(ldap["ca_file"]).is_file():
            raise refuse("ldap", "ca_file", f"no such file: {ldap['ca_file']!r}")
    oidc = values["oidc"]
    reserved = values["security"]["password_login"] == "marked"  # noqa: S105 (not a password)
    if reserved and not (ldap["enabled"] or oidc["enabled"]):
        raise refuse(
            "security",
            "password_login",
            '"marked" reserves passwords to marked local accounts, '
            "but neither [ldap] nor [oidc] is enabled: nobody else could sign in",
        )
    if oidc["enabled"]:
        for key in ("issuer", "client_id"):
            if not oidc[key]:
                raise refuse("oidc", key, "required when [oidc] enabled = true")
        if "openid" not in oidc["scopes"]:
            raise refuse("oidc", "scopes", "must include openid")
        by_claim = oidc["admin_values"] or oidc["agent_values"] or oidc["viewer_values"]
        if oidc["role_claim"] and not by_claim:
            raise refuse(
                "oidc", "role_claim", "name the values: admin_values, agent_values, viewer_values"
            )
        if by_claim and not oidc["role_claim"]:
            raise refuse(
                "oidc", "role_claim", "required with admin_values, agent_values or viewer_values"
            )
        by_email = oidc["admin_emails"] or oidc["agent_emails"] or oidc["viewer_emails"]
        if not (by_claim or by_email):
            raise refuse(
                "oidc",
                "viewer_emails",
                "give roles by a claim (role_claim and its values) or by "
                "addresses (admin_emails, agent_emails, viewer_emails): nobody could sign in",
            )


def defaults(section: str) -> dict[str, Any]:
    """The schema defaults of a section (for services called without the app's settings)."""
    return {key: spec.default for key, spec in SCHEMA[section].items()}


def describe_source(settings: Settings, section: str, key: str) -> str:
    """A phrase naming a key and its origin, for error messages."""
    return f"[{section}] {key} (from {settings.source_of(section, key)})"
