"""Demo data for `sla demo` and `make run`: users, the five example contracts and the
illustrative one with penalty clauses (examples/illustrative: fictional, not a seed),
incidents, and that contract's penalty statements for the last three full months (one final,
one answered by the vendor, one draft), made through the procedure as people would.

Incidents are deterministic for a seed and a day: the same seed on the same day gives the
same data. Their vendors behave like real ones: most answer in time, some late, some wait on
us, some incidents get requalified or an exclusion invoked, the recent ones are still open.
Every generated history is checked by the lifecycle engine before it is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlmodel import Session, func, select

from incidents.models import Incident
from incidents.summary import AlertSettings
from sla.auth import service as accounts
from sla.config import defaults
from sla.contracts.models import Contract
from sla.contracts.service import contract_files, import_documents, read_documents
from sla.demo.examples import EXAMPLES, ILLUSTRATIVE, ILLUSTRATIVE_REFERENCE
from sla.demo.incidents import ILLUSTRATIVE_SHARE, generate_incidents, illustrative_incidents
from sla.demo.penalties import make_statements
from sla.penalties import procedure
from sla.printing.organisation import Organisation
from sla.web.roles import Role

__all__ = [
    "DEFAULT_INCIDENTS",
    "DEFAULT_SEED",
    "EXAMPLES",
    "ILLUSTRATIVE",
    "ILLUSTRATIVE_REFERENCE",
    "generate_incidents",
    "load_demo",
]

DEMO_USERS = (
    ("agent", "Camille Agent", Role.agent),
    ("lecteur", "Dominique Lecteur", Role.viewer),
)
DEFAULT_INCIDENTS = 600
DEFAULT_SEED = 2026


def ensure_users(session: Session, *, now: datetime) -> Iterator[str]:
    for username, name, role in DEMO_USERS:
        if accounts.find_user(session, username) is not None:
            continue
        password = accounts.generate_password()
        accounts.create_user(
            session,
            username=username,
            password=password,
            role=role,
            now=now,
            display_name=name,
            must_change_password=True,
        )
        yield f"demo user {username} ({role.value}), one-time password: {password}"


def load_demo(
    session: Session,
    *,
    now: datetime,
    alert_settings: AlertSettings,
    incidents: int | None = None,
    seed: int = DEFAULT_SEED,
    organisation: Organisation | None = None,
    locale: str = "fr",
) -> Iterator[str]:
    """Create what is missing and say what was done; never overwrite what exists. The penalty
    statements' letters and PDFs are from `organisation` (by default the configuration's
    default) in `locale`."""
    yield from ensure_users(session, now=now)
    # Contracts already there are left as they are (an agent may have amended them since).
    known = set(session.exec(select(Contract.reference)).all())
    documents = [
        (source, document)
        for source, document in read_documents([*contract_files(EXAMPLES), ILLUSTRATIVE])
        if document.contract.reference not in known
    ]
    for outcome in import_documents(session, documents, now=now):
        if outcome.action != "unchanged":
            yield f"contract {outcome.reference}: {outcome.action} (version {outcome.version})"
    existing = session.exec(select(func.count()).select_from(Incident)).one()
    if existing and incidents is None:
        yield f"{existing} incidents already there: none added"
        return
    agent = accounts.find_user(session, "agent")
    count = DEFAULT_INCIDENTS if incidents is None else incidents
    written = generate_incidents(
        session,
        count=count,
        seed=seed,
        now=now,
        user_id=agent.id if agent else None,
        alert_settings=alert_settings,
    )
    yield f"{written} demo incidents over the last twelve months (seed {seed})"
    extra = illustrative_incidents(
        session,
        count=round(count * ILLUSTRATIVE_SHARE),
        seed=seed,
        now=now,
        user_id=agent.id if agent else None,
        alert_settings=alert_settings,
    )
    if extra:
        yield f"{extra} incidents of the illustrative contract {ILLUSTRATIVE_REFERENCE} (fictional)"
    if written or extra:
        mailing = procedure.Mailing(
            organisation or Organisation.from_settings(defaults("organisation")),
            locale,
            str(alert_settings.get("webhook_format", "generic")),
        )
        yield from make_statements(session, now=now, mailing=mailing)
