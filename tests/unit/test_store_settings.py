"""DATABASE_URL and INCIDENT_BOT_DATA_DIR: the default file, the databases accepted, a refusal
that names the setting, and a password that no message, repr or log line repeats."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import __main__ as cli
from bot.config import ConfigError, load_settings, load_store_settings
from bot.store import migrate
from bot.store.url import parse, redact, scrub

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hunter2-s3cret"
BOT_ENV = {"INCIDENTIO_API_KEY": "k-123456789", "SLACK_BOT_TOKEN": "xoxb-1"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("INCIDENT_BOT_DATA_DIR", raising=False)
    for name, value in BOT_ENV.items():
        monkeypatch.setenv(name, value)
    return tmp_path


def test_the_default_is_an_sqlite_file_in_the_data_directory(clean_env: Path) -> None:
    url = load_settings().database()
    assert url.drivername == "sqlite+aiosqlite"
    assert url.database == str(clean_env / "data" / "incident-bot.db")


def test_the_data_directory_moves_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENT_BOT_DATA_DIR", "/data")
    assert load_settings().database().database == "/data/incident-bot.db"


@pytest.mark.parametrize("empty", ["", " "])
def test_a_database_url_set_but_empty_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path, empty: str
) -> None:
    # A secret that did not load must not leave a replica on a store of its own.
    monkeypatch.setenv("DATABASE_URL", empty)
    with pytest.raises(ConfigError, match="DATABASE_URL: is set but empty"):
        load_settings()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:////var/lib/incident-bot/bot.db",
        f"postgresql+asyncpg://bot:{PASSWORD}@db.internal:5432/incident_bot",
    ],
)
def test_the_databases_the_store_speaks_are_accepted(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    settings = load_settings()
    assert settings.database() == parse(url)
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (f"postgres://bot:{PASSWORD}@db/incidents", "'postgres' is not supported"),
        (f"postgresql://bot:{PASSWORD}@db/incidents", "'postgresql' is not supported"),
        (f"mysql+aiomysql://bot:{PASSWORD}@db/incidents", "is not supported"),
        (f"sqlite:///{PASSWORD}.db", "'sqlite' is not supported"),
        (f"postgresql+asyncpg://bot:{PASSWORD}@db", "names no database"),
        (f"{PASSWORD} is not a URL", "is not a database URL"),
    ],
)
def test_a_url_the_store_cannot_use_stops_start_up_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, url: str, said: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    for load in (load_settings, load_store_settings):
        with pytest.raises(ConfigError) as caught:
            load()
        message = str(caught.value)
        assert "DATABASE_URL:" in message and said in message
        assert "postgresql+asyncpg://" in message  # what would be accepted
        assert PASSWORD not in message


def test_redact_and_scrub_hide_the_password_in_every_spelling() -> None:
    url = parse("postgresql+asyncpg://bot:p%40ss%20word@db/incidents")
    assert redact(url) == "postgresql+asyncpg://bot:***@db/incidents"
    said = "auth failed for p@ss word (p%40ss%20word, p%40ss+word)"
    assert scrub(said, url) == "auth failed for *** (***, ***)"
    assert scrub("nothing to hide", parse("sqlite+aiosqlite:///x.db")) == "nothing to hide"


def test_migrate_needs_only_the_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], clean_env: Path
) -> None:
    for name in BOT_ENV:
        monkeypatch.delenv(name)
    assert cli.main(["migrate"]) == 0
    assert cli.main(["migrate"]) == 0  # a second run finds nothing to do
    out = capsys.readouterr().out
    assert out.count(f"is at revision {migrate.head()}") == 2 and migrate.head() != "0001"
    assert (clean_env / "data" / "incident-bot.db").is_file()


def test_migrate_says_why_it_failed_without_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql+asyncpg://bot:{PASSWORD}@127.0.0.1:1/bot")
    assert cli.main(["migrate"]) == 1
    err = capsys.readouterr().err
    assert "postgresql+asyncpg://bot:***@127.0.0.1:1/bot" in err and "could not migrate" in err
    assert PASSWORD not in err and "Traceback" not in err


def test_a_malformed_url_stops_migrate_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"mysql://bot:{PASSWORD}@db/bot")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["migrate"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "DATABASE_URL:" in err and PASSWORD not in err


def test_the_migrations_ship_in_the_package() -> None:
    # `pip install .` (the Docker image) installs the packages setuptools finds under bot*, and a
    # folder without __init__.py is not one: every folder of the scripts must be a package.
    scripts = ROOT / "bot" / "store" / "migrations"
    folders = [scripts, *(p for p in scripts.rglob("*") if p.is_dir() and p.name != "__pycache__")]
    assert all((folder / "__init__.py").is_file() for folder in folders)
    assert (scripts / "env.py").is_file() and list((scripts / "versions").glob("0001_*.py"))
    assert 'include = ["bot*"]' in (ROOT / "pyproject.toml").read_text()
