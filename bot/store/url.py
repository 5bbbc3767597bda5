"""DATABASE_URL: which databases the store speaks, the default file, and the password kept out of
every message (a URL is shown only through `redact`, an error's text only through `scrub`)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from urllib.parse import quote, quote_plus

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SQLITE = "sqlite+aiosqlite"
POSTGRESQL = "postgresql+asyncpg"
DEFAULT_FILE = "incident-bot.db"
# Said when a URL cannot be used: what is accepted, never what was given (it may hold a password).
ACCEPTED = (
    f"must be {SQLITE}:///path/to/file.db (one process) "
    f"or {POSTGRESQL}://user:password@host:5432/database (several replicas)"
)


class UnsupportedUrl(ValueError):
    """DATABASE_URL is malformed or names a database the store does not speak."""


def parse(text: str) -> URL:
    """The URL, if the store can use it; else UnsupportedUrl with a message free of its value."""
    try:
        url = make_url(text.strip())
    except (ArgumentError, ValueError):
        raise UnsupportedUrl(f"is not a database URL: it {ACCEPTED}") from None
    if url.drivername not in (SQLITE, POSTGRESQL):
        # The scheme alone is safe to repeat, and says what was misread ("postgres", "sqlite").
        raise UnsupportedUrl(f"{url.drivername!r} is not supported: it {ACCEPTED}") from None
    if url.drivername == POSTGRESQL and not url.database:
        raise UnsupportedUrl(f"names no database: it {ACCEPTED}")
    return url


def default_url(data_dir: Path) -> URL:
    """The embedded SQLite file in the data directory (absolute: the working directory of a
    process may change, the file must not)."""
    return URL.create(SQLITE, database=str(data_dir.expanduser().absolute() / DEFAULT_FILE))


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL, None for PostgreSQL and for an in-memory SQLite database."""
    if url.drivername != SQLITE or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def redact(url: URL) -> str:
    """The URL as it may be logged and shown: the password replaced by ***."""
    return url.render_as_string(hide_password=True)


def scrub(text: str, url: URL) -> str:
    """`text` (a driver's error message) with the URL's password hidden, in any spelling of it."""
    password = url.password
    if not password:
        return text
    for spelling in sorted(
        {password, quote(password, safe=""), quote_plus(password)}, key=len, reverse=True
    ):
        text = text.replace(spelling, "***")
    return text


def dialect_of(url: URL) -> ModuleType:
    """The SQLAlchemy dialect module whose insert() has on_conflict_* for this database,
    imported when first asked for: a process on SQLite never loads PostgreSQL's (2 MiB)."""
    name = "postgresql" if url.drivername == POSTGRESQL else "sqlite"
    return importlib.import_module(f"sqlalchemy.dialects.{name}")
