"""The organisation's directory (LDAP, Active Directory), asked with ldap3: who a sign-in name
is, whether a password opens their entry, and which of the mapped groups they are in.

One sign-in is one connection: open it (ldaps://, or ldap:// upgraded with StartTLS when
starttls = true; the certificate checked against ca_file, else the system's CAs, and the host
name or address of the URL checked against it), bind as the service account, search the person
under user_base_dn with user_filter, search their groups under group_base_dn with group_filter,
then bind again on the same connection as the person to check the password. A failed StartTLS
is an unavailable directory, never a bind in clear text.

Reaching the directory (URLs in order, TLS, the service bind) is `sla.auth.ldap_connection`.

The name and the user's DN are escaped in the filters (RFC 4515). An empty password never
reaches a bind: a simple bind with a DN and no password is an unauthenticated bind, which
directories answer with success. Passwords are never logged.

Nested groups (Active Directory) are the filter's business:
`(member:1.2.840.113556.1.4.1941:={user_dn})` asks the directory for them.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sla.auth.external import ExternalIdentity
from sla.auth.ldap_connection import (
    DirectoryUnavailable,
    service_connection,
)
from sla.auth.service import normalise_username
from sla.config import ConfigError
from sla.web.roles import Role

with warnings.catch_warnings():
    # ldap3 2.9.1 imports pyasn1's old names (tagMap, typeMap), deprecated since pyasn1 0.6.1:
    # a warning at import that says nothing about our code (and fails the tests).
    warnings.filterwarnings("ignore", r"(tag|type)Map is deprecated", DeprecationWarning)
    from ldap3 import BASE, SUBTREE
    from ldap3.core.exceptions import LDAPInvalidDnError
    from ldap3.utils.conv import escape_filter_chars
    from ldap3.utils.dn import parse_dn

logger = logging.getLogger(__name__)

# Bind results that mean "this password does not open this entry" (RFC 4511). Active Directory
# answers invalidCredentials for a wrong password and for a locked or expired account too.
_PASSWORD_REFUSED = frozenset(
    {"invalidCredentials", "inappropriateAuthentication", "unwillingToPerform"}
)
_FOUND = frozenset({"success"})
# The simple paged results control (RFC 2696): a person's groups may pass a server's size limit.
_PAGED_RESULTS = "1.2.840.113556.1.4.319"
_PAGE_SIZE = 500
_NO_ATTRIBUTES = "1.1"
_MAPPED_GROUPS = (
    (Role.admin, "admin_groups"),
    (Role.agent, "agent_groups"),
    (Role.viewer, "viewer_groups"),
)


@dataclass(frozen=True)
class DirectoryPerson:
    """A person as the directory describes them."""

    dn: str
    username: str  # the sign-in name, normalised as Garantie stores names
    display_name: str
    email: str
    groups: tuple[str, ...]  # the DNs of the groups group_filter finds for them


@dataclass(frozen=True)
class PasswordCheck:
    """What the directory says of a name and a password."""

    person: DirectoryPerson | None  # None: nobody by that name under user_filter (unknown, or
    # excluded by the filter: disabled), or several people (an ambiguous filter)
    password_ok: bool


def check_password(section: Mapping[str, Any], username: str, password: str) -> PasswordCheck:
    """Whether `password` opens the directory entry of the person `username` names.

    Raises DirectoryUnavailable when the directory cannot be asked."""
    with service_connection(section) as connection:
        person = _find(connection, section, username)
        if person is None:
            return PasswordCheck(None, False)
        if not password:  # an unauthenticated bind would succeed: never sent
            return PasswordCheck(person, False)
        return PasswordCheck(person, _password_opens(connection, person.dn, password))


def lookup(section: Mapping[str, Any], username: str) -> DirectoryPerson | None:
    """The person `username` names, asked with the service account only (no password).

    Raises DirectoryUnavailable when the directory cannot be asked."""
    return lookup_all(section, [username])[username]


def lookup_all(
    section: Mapping[str, Any], usernames: Iterable[str]
) -> dict[str, DirectoryPerson | None]:
    """Each name -> the person it names (None: nobody), over one connection; all or nothing:
    raises DirectoryUnavailable when any search cannot be made."""
    with service_connection(section) as connection:
        return {name: _find(connection, section, name) for name in usernames}


def role_of(section: Mapping[str, Any], person: DirectoryPerson) -> Role | None:
    """The highest role a mapped group of the person gives; None when in no mapped group."""
    groups = {dn_key(group) for group in person.groups}
    for role, key in _MAPPED_GROUPS:
        if any(dn_key(group) in groups for group in section[key]):
            return role
    return None


def identity_of(section: Mapping[str, Any], person: DirectoryPerson) -> ExternalIdentity:
    """The person as Garantie's accounts see them (source "ldap", the DN as external id)."""
    return ExternalIdentity(
        source="ldap",
        external_id=person.dn,
        username=person.username,
        display_name=person.display_name,
        email=person.email,
        role=role_of(section, person),
    )


def same_dn(first: str, second: str) -> bool:
    """Whether two DNs name the same entry (case, spacing and escaping aside)."""
    return dn_key(first) == dn_key(second)


def dn_key(dn: str) -> tuple[tuple[str, str], ...]:
    """A DN as a comparable value: attribute types and values lower-cased, escapes decoded."""
    try:
        parts = parse_dn(dn)
    except LDAPInvalidDnError:  # lenient: spaces after separators and the like
        return (("", re.sub(r"\s*([,+=])\s*", r"\1", dn.strip().lower())),)
    return tuple(
        (kind.strip().lower(), _unescape(value).strip().lower()) for kind, value, _ in parts
    )


def _unescape(value: str) -> str:
    """An attribute value of a DN without its escapes (RFC 4514: `\\,` or `\\2c`)."""
    if "\\" not in value:
        return value
    raw = bytearray()
    index = 0
    while index < len(value):
        char = value[index]
        pair = value[index + 1 : index + 3]
        if char == "\\" and re.fullmatch(r"[0-9a-fA-F]{2}", pair):
            raw.append(int(pair, 16))
            index += 3
        elif char == "\\" and index + 1 < len(value):
            raw.extend(value[index + 1].encode())
            index += 2
        else:
            raw.extend(char.encode())
            index += 1
    return raw.decode("utf-8", errors="replace")


def verify_configuration(section: Mapping[str, Any]) -> None:
    """At start-up, with [ldap] enabled: the directory answers at `url`, its certificate is
    trusted, the service account's bind is accepted, user_base_dn (and group_base_dn) exist,
    and so does every group the role keys name. Raises ConfigError naming the key."""
    if not section["enabled"]:
        return
    try:
        with service_connection(section, log=False) as connection:
            problem = _missing_entry(connection, section)
    except DirectoryUnavailable as error:
        raise ConfigError(f"[ldap] {error.key}: {error}") from None
    if problem is not None:
        key, reason = problem
        raise ConfigError(f"[ldap] {key}: {reason}")


def _missing_entry(connection: Any, section: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first configured entry the service account cannot find: (key, reason)."""
    group_base = section["group_base_dn"] or section["user_base_dn"]
    bases = [("user_base_dn", section["user_base_dn"])]
    if section["group_base_dn"]:
        bases.append(("group_base_dn", section["group_base_dn"]))
    for key, dn in bases:
        if not _exists(connection, section, dn):
            return key, f"no such entry in the directory (or not readable by bind_dn): {dn!r}"
    for _role, key in _MAPPED_GROUPS:
        for dn in section[key]:
            if not _exists(connection, section, dn):
                return key, f"no such group in the directory (or not readable by bind_dn): {dn!r}"
            if not _is_under(dn, group_base):
                return key, f"{dn!r} is outside {group_base!r}, where groups are searched"
    return None


def _exists(connection: Any, section: Mapping[str, Any], dn: str) -> bool:
    connection.search(
        dn,
        "(objectClass=*)",
        search_scope=BASE,
        attributes=[_NO_ATTRIBUTES],
        time_limit=int(section["timeout_seconds"]),
    )
    description = connection.result.get("description")
    if description in {"noSuchObject", "referral", "insufficientAccessRights"}:
        return False
    if description not in _FOUND:
        raise DirectoryUnavailable(f"the search of {dn!r} failed ({description})")
    return bool(_entries(connection))


def _is_under(dn: str, base: str) -> bool:
    entry, parent = dn_key(dn), dn_key(base)
    return len(entry) >= len(parent) and entry[len(entry) - len(parent) :] == parent


def _find(connection: Any, section: Mapping[str, Any], username: str) -> DirectoryPerson | None:
    """The one person user_filter finds for the name, with their groups; None when nobody (or
    several people: the filter is ambiguous, and nobody is better than a guess)."""
    name = normalise_username(username)
    if not name:
        return None
    name_attribute, email_attribute = section["name_attribute"], section["email_attribute"]
    connection.search(
        section["user_base_dn"],
        section["user_filter"].replace("{username}", escape_filter_chars(name)),
        search_scope=SUBTREE,
        attributes=[name_attribute, email_attribute],
        size_limit=2,
        time_limit=int(section["timeout_seconds"]),
    )
    description = connection.result.get("description")
    if description not in {"success", "sizeLimitExceeded"}:
        # A missing base, refused rights...: the directory cannot say who this is, which is
        # not the same as "nobody" (that would withdraw the account).
        raise DirectoryUnavailable(
            f"the search under {section['user_base_dn']!r} failed ({description})",
            key="user_base_dn",
        )
    entries = _entries(connection)
    if len(entries) != 1:
        if len(entries) > 1:
            logger.warning("directory: user_filter finds several entries for %r", name)
        return None
    dn, attributes = entries[0]
    return DirectoryPerson(
        dn=dn,
        username=name,
        display_name=_first(attributes.get(name_attribute)) or name,
        email=_first(attributes.get(email_attribute)),
        groups=_groups_of(connection, section, dn),
    )


def _groups_of(connection: Any, section: Mapping[str, Any], dn: str) -> tuple[str, ...]:
    """The DNs of the groups group_filter finds for the person, page by page."""
    base = section["group_base_dn"] or section["user_base_dn"]
    query = section["group_filter"].replace("{user_dn}", escape_filter_chars(dn))
    groups: list[str] = []
    cookie: Any = None
    while True:
        connection.search(
            base,
            query,
            search_scope=SUBTREE,
            attributes=[_NO_ATTRIBUTES],
            paged_size=_PAGE_SIZE,
            paged_cookie=cookie,
            time_limit=int(section["timeout_seconds"]),
        )
        description = connection.result.get("description")
        if description not in _FOUND:
            raise DirectoryUnavailable(
                f"the search of groups under {base!r} failed ({description})",
                key="group_base_dn",
            )
        groups.extend(entry_dn for entry_dn, _ in _entries(connection))
        control = connection.result.get("controls", {}).get(_PAGED_RESULTS, {})
        cookie = control.get("value", {}).get("cookie")
        if not cookie:
            return tuple(groups)


def _password_opens(connection: Any, dn: str, password: str) -> bool:
    """Bind as the person on the same connection: True when the password opens the entry."""
    if connection.rebind(user=dn, password=password):
        return True
    description = connection.result.get("description")
    if description in _PASSWORD_REFUSED:
        return False
    raise DirectoryUnavailable(f"the directory did not answer the bind ({description})")


def _entries(connection: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """The entries of the last search (referrals left out)."""
    return [
        (str(item["dn"]), item.get("attributes", {}))
        for item in connection.response or []
        if item.get("type") == "searchResEntry"
    ]


def _first(value: Any) -> str:
    """The first value of an attribute as text ("" when absent)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").strip()
    return "" if value is None else str(value).strip()
