"""Which clocks run on while an incident waits on the customer or a third party.

Each target names the waiting states that pause it; a contract may say that waiting freezes
only some delays (Libriciel §5.2.4.1 freezes only
the resolution): the others keep running, and the pages say so beside their remaining time,
with the clause that says it when the contract names one.
"""

from __future__ import annotations

from incidents.replay import IncidentView
from sla.engine.target_states import TargetStatus
from sla.engine.targets import WAITING_STATE_OF

RUNNING = {TargetStatus.running, TargetStatus.at_risk, TargetStatus.breached}


def running_while_waiting(view: IncidentView) -> dict[str, str]:
    """While the incident waits: each target whose clock runs on all the same (its terms say
    the wait does not pause it, its milestone is still to come), with the clause saying so
    ("" when the contract names none)."""
    if not view.state.is_paused:
        return {}
    try:
        severity = view.terms.severity(view.state.severity)
    except KeyError:
        return {}
    waiting = WAITING_STATE_OF[view.state.pauses[-1].kind]
    clauses = {t.key: t.pauses_article for t in severity.targets if waiting not in t.pauses}
    return {
        t.key: clauses[t.key]
        for t in view.targets
        if t.key in clauses and t.milestone_at is None and t.status in RUNNING
    }
