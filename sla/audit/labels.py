"""Words people read for the audit trail's keys: acts and their families, channels, the
reasons of a refused sign-in, the facts an act keeps (its detail), and those facts worded.

The keys stay in the database, the URLs and the CSV's machine column; the page and the CSV
show these words (French by default, English msgids).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from sla.audit.actions import ACTIONS
from sla.web.labels import AUTH_SOURCE, ROLE

FAMILY = {
    "signin": _l("Sign-ins"),
    "user": _l("Accounts"),
    "token": _l("API tokens"),
    "contract": _l("Contracts"),
    "recipients": _l("Alert recipients"),
}
ACTION = {
    "signin.success": _l("Signed in"),
    "signin.failure": _l("Sign-in failed"),
    "signin.refused": _l("Sign-in refused"),
    "signin.paused": _l("Sign-in refused: account paused after failures"),
    "user.created": _l("Account created"),
    "user.role_changed": _l("Role changed"),
    "user.deactivated": _l("Account deactivated"),
    "user.activated": _l("Account reactivated"),
    "user.password_reset": _l("One-time password issued"),
    "user.pause_lifted": _l("Sign-in pause lifted"),
    "user.details_changed": _l("Account details changed"),
    "token.created": _l("API token created"),
    "token.revoked": _l("API token revoked"),
    "contract.imported": _l("Contract imported"),
    "contract.amended": _l("Contract amended"),
    "recipients.contract_contacts": _l("Contract's alert contacts changed"),
    "recipients.user_email": _l("Alert address changed"),
    "recipients.user_choices": _l("Alerts received changed"),
    "recipients.vendor_address": _l("Vendor's support address changed"),
}
AUDIT_CHANNEL = {
    "web": _l("web pages"),
    "api": _l("API"),
    "cli": _l("command line"),
    "ldap": _l("directory (LDAP)"),
    "oidc": _l("OpenID Connect"),
    "system": _l("system"),
}
# What an act was done on (`target_kind`).
TARGET = {
    "user": _l("account"),
    "token": _l("API token"),
    "contract": _l("contract"),
    "vendor": _l("vendor"),
}
# Why a sign-in was refused or failed (`sla.auth.sign_in`, `sla.auth.external`,
# `sla.auth.oidc.FAILURES`).
REASON = {
    "wrong_password": _l("wrong password"),
    "unknown": _l("unknown name"),
    "paused": _l("sign-in paused after failures"),
    "password_login_disabled": _l("password sign-in disabled for this account"),
    "other_method": _l("this account signs in another way"),
    "source_disabled": _l("the account's sign-in method is disabled"),
    "not_allowed": _l("not allowed by the directory or the provider"),
    "deactivated": _l("account deactivated"),
    "name_taken": _l("name already used by another account"),
    "directory_unavailable": _l("directory unavailable"),
    "bad_state": _l("answer matching no sign-in in progress"),
    "bad_nonce": _l("identity token not issued for this sign-in"),
    "expired_token": _l("identity token expired"),
    "invalid_token": _l("invalid identity token"),
    "provider_error": _l("error from the identity provider"),
    "provider_unreachable": _l("identity provider unreachable"),
    "unusable_email": _l("no usable email address"),
    "last_admin": _l("the last active administrator keeps the role"),
}
# The facts an act keeps (`AuditEvent.detail`), by key.
DETAIL_KEY = {
    "before": _l("Before"),
    "after": _l("After"),
    "role": _l("Role"),
    "source": _l("Source"),
    "reason": _l("Reason"),
    "name": _l("Name"),
    "version": _l("Version"),
    "reference": _l("Reference"),
    "effective_from": _l("In force from"),
    "prefix": _l("Token prefix"),
    "owner": _l("Owner"),
    "local_account": _l("Local account"),
    "provider_error": _l("Provider's error code"),
}
# A contract's version comes from a file: its `source` is the file's name.
CONTRACT_SOURCE = _l("File")
CHANGE = _l("Before → after")
# The alerts a person chooses to receive (`recipients.user_choices`' before and after).
ALERT_CHOICE = {
    "warnings": _l("warnings"),
    "breaches": _l("breaches"),
    "digest": _l("digest"),
    "none": _l("no alert"),
}
YES_NO = {True: _l("yes"), False: _l("no")}
NO_VALUE = "—"


class Fact(NamedTuple):
    """One fact of an act as people read it: a label and its value."""

    label: str
    text: str


def action_label(action: str) -> str:
    return str(ACTION.get(action, action))


def channel_label(channel: str) -> str:
    return str(AUDIT_CHANNEL.get(channel, channel))


def _worded(action: str, key: str, value: Any) -> str:
    """A fact's value in words where it is one of our keys; other values as they are."""
    if isinstance(value, bool):
        return str(YES_NO[value])
    if value is None or value == "":
        return NO_VALUE
    text = str(value)
    if key == "reason":
        return str(REASON.get(text, text))
    if key == "role" or (action == "user.role_changed" and key in ("before", "after")):
        return str(ROLE.get(text, text))
    if key == "source" and text in AUTH_SOURCE and not action.startswith("contract."):
        return str(AUTH_SOURCE[text])
    if action == "recipients.user_choices" and key in ("before", "after"):
        return ", ".join(str(ALERT_CHOICE.get(k, k)) for k in text.split(", "))
    return text


def _key_label(action: str, key: str) -> str:
    if key == "source" and action.startswith("contract."):
        return str(CONTRACT_SOURCE)
    return str(DETAIL_KEY.get(key, key))


def facts(action: str, detail: Mapping[str, Any]) -> list[Fact]:
    """An act's detail in words: a change first ("Before → after: viewer → agent"), then
    every other fact under its label, in the order recorded."""
    found: list[Fact] = []
    if "before" in detail and "after" in detail:
        change = f"{_worded(action, 'before', detail['before'])} → "
        found.append(Fact(str(CHANGE), change + _worded(action, "after", detail["after"])))
    for key, value in detail.items():
        if key in ("before", "after") and "before" in detail and "after" in detail:
            continue
        found.append(Fact(_key_label(action, key), _worded(action, key, value)))
    return found


def facts_text(action: str, detail: Mapping[str, Any]) -> str:
    """An act's detail on one line (the CSV's cell): `Label: value; Label: value`."""
    return "; ".join(
        _("%(label)s: %(value)s", label=fact.label, value=fact.text)
        for fact in facts(action, detail)
    )


def choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The page's "what" filter: per family its key and label, then its acts."""
    return [
        (family, str(FAMILY[family]), [(a, action_label(a)) for a in acts])
        for family, acts in ACTIONS.items()
    ]


def register(app: Flask) -> None:
    """The maps the audit page's template reads."""
    app.jinja_env.globals.update(
        AUDIT_ACTION=ACTION,
        AUDIT_FAMILY=FAMILY,
        AUDIT_CHANNEL=AUDIT_CHANNEL,
        AUDIT_TARGET=TARGET,
    )
