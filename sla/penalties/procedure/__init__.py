"""The contradictory procedure of a penalty statement (CCAG-TIC 2021 art. 14.1.1): draft →
notified to the vendor → observations received → a decision per line → final; a final
statement may be superseded by a new one, a draft abandoned. Each transition checks the
revision the user saw (optimistic lock), adds a step (who, when, what), flushes and never
commits; a refused transition is a DomainError naming the rule.

- Notify: the lines are computed one last time and written, with their totals, and the
  letter (the PDF) is stored and queued through the outbox to the vendor's address; the
  vendor's answer period (`answer_days` calendar days, the contract's, 15 by default) ends
  at the end of the day, local time, that many days after the notification.
- Observations: a text and files, received on a date; several may be recorded.
- Decide a line: applied, reduced (to a lower amount) or waived, always with a reason; only
  once the vendor has answered or its answer period is over; again until final.
- Finalise: every line decided; the decided total goes through the same threshold and caps;
  the final PDF is stored with its SHA-256 and nothing changes the statement any more.
"""

from __future__ import annotations

from sla.penalties.procedure.deciding import (
    MAX_FILE_BYTES,
    MAX_FILES,
    Upload,
    decide,
    finalise,
    record_observations,
)
from sla.penalties.procedure.drafting import (
    PERIOD_KINDS,
    abandon,
    create_statement,
    period_bounds,
    supersede,
)
from sla.penalties.procedure.notice import Mailing, answer_due, notify, notify_address
from sla.penalties.procedure.steps import MAX_REASON

__all__ = [
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_REASON",
    "PERIOD_KINDS",
    "Mailing",
    "Upload",
    "abandon",
    "answer_due",
    "create_statement",
    "decide",
    "finalise",
    "notify",
    "notify_address",
    "period_bounds",
    "record_observations",
    "supersede",
]
