"""One database session per request, committed once when the view succeeds."""

from __future__ import annotations

from flask import Flask, Response, current_app, g
from sqlalchemy.engine import Engine
from sqlmodel import Session


def engine() -> Engine:
    value: Engine = current_app.extensions["sla.engine"]
    return value


def db_session() -> Session:
    """The request's session (created on first use)."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    session: Session = g.db_session
    return session


def init_app(app: Flask) -> None:
    @app.after_request
    def commit(response: Response) -> Response:
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()
        return response

    @app.teardown_request
    def close(_error: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
