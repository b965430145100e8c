"""The SQLAlchemy engine and the per-request session dependency."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from common.dbfile import BUSY_TIMEOUT_MS, configure_connection


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        configure_connection(dbapi_connection)

    return engine


def make_sessionmaker(path: Path) -> "sessionmaker[Session]":
    return sessionmaker(make_engine(path), expire_on_commit=False)


def get_session(request: Request) -> Iterator[Session]:
    """Dependency: a session for this request, closed after it."""
    with request.app.state.sessionmaker() as session:
        yield session
