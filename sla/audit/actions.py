"""What the audit trail records: the acts (keys) and the channels they come through."""

from __future__ import annotations

# Each act of administration, by family (the page filters by family or by act).
ACTIONS: dict[str, tuple[str, ...]] = {
    "signin": (
        "signin.success",  # a sign-in, with its method in the channel (web, ldap, oidc)
        "signin.failure",  # a wrong name or password, an unknown or refused person
        "signin.refused",  # a person the directory or the provider no longer allows
        "signin.paused",  # a sign-in refused because the account is paused after failures
    ),
    "user": (
        "user.created",
        "user.role_changed",
        "user.deactivated",
        "user.activated",
        "user.password_reset",  # an administrator gave a new one-time password
        "user.pause_lifted",  # an administrator lifted a sign-in pause
        "user.details_changed",  # name, email, or the local-account mark (from the directory too)
    ),
    "token": ("token.created", "token.revoked"),
    "contract": ("contract.imported", "contract.amended"),
    "recipients": (
        "recipients.contract_contacts",  # a contract's alert contacts changed
        "recipients.user_email",  # where a person's alerts go
        "recipients.user_choices",  # which alerts a person receives
        "recipients.vendor_address",  # where escalations to a vendor go (its support address)
    ),
}
ALL_ACTIONS = tuple(action for family in ACTIONS.values() for action in family)
CHANNELS = ("web", "api", "cli", "ldap", "oidc", "system")
TARGET_KINDS = ("user", "token", "contract", "vendor")
