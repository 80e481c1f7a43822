"""Signals the contracts domain sends to the domains above it (blinker, shipped with Flask)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

contract_page = _signals.signal("contract-page-sections")
"""Sent by the contract page with the contract as sender, `session` and `now`; a receiver
returns a `sla.web.sections.Section` shown below the service levels (incidents, compliance)."""
