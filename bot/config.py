"""Every knob of the bot, read from the environment (or a `.env` file) once, at start."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL

from bot.reminders.schedule import BadSchedule, Schedule
from bot.rules import Action, parse_rule
from bot.store.url import UnsupportedUrl, default_url, parse

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class StoreSettings(BaseSettings):
    """Where the store is: all that `incident-bot migrate` needs, and part of Settings."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # A rejected value is never repeated in an error (DATABASE_URL may hold a password).
        hide_input_in_errors=True,
    )

    # The store (bot/store/): where the incident cards are. Unset, an SQLite file in the data
    # directory (one process); postgresql+asyncpg://… for several replicas sharing it.
    database_url: SecretStr | None = None
    incident_bot_data_dir: Path = Path("data")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        if not value.get_secret_value().strip():
            # Set but empty is a mistake (a secret that did not load): a replica would quietly run
            # on a store of its own. Unset means the default file.
            raise PydanticCustomError(
                "empty", "is set but empty (unset it for the SQLite file in the data directory)"
            )
        try:
            parse(value.get_secret_value())
        except UnsupportedUrl as error:
            raise PydanticCustomError("database_url", str(error)) from None
        return value

    def database(self) -> URL:
        """The store's database: DATABASE_URL, else the SQLite file in INCIDENT_BOT_DATA_DIR."""
        if self.database_url is None:
            return default_url(self.incident_bot_data_dir)
        return parse(self.database_url.get_secret_value())


class Settings(StoreSettings):
    """The bot's configuration. Field names map to upper-case environment variables."""

    incidentio_api_key: SecretStr
    incidentio_base_url: str = "https://api.incident.io"
    incidentio_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    incidentio_sandbox: bool = False
    # incident.io allows one API key 1200 requests a minute. The bucket is per process: N bot
    # processes sharing a key each take 1200 / N (README, Kubernetes).
    incidentio_rate_limit_per_minute: int = Field(default=1200, ge=1)
    # incident.io takes 60 pages (POST /v2/escalations) a minute; the bot stays under that.
    incidentio_page_limit: int = Field(default=60, ge=1)
    incidentio_page_window_seconds: float = Field(default=60.0, gt=0)

    slack_bot_token: SecretStr
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    # incident.io's webhook signing secret (whsec_…, from its dashboard): POST
    # /incidentio/webhooks is served only with it (bot/webhook_endpoint.py).
    incidentio_webhook_secret: SecretStr | None = None

    log_level: LogLevel = "INFO"
    log_format: Literal["auto", "json", "text"] = "auto"
    catalog_ttl_seconds: float = Field(default=300.0, gt=0)
    port: int = Field(default=3000, ge=1, le=65535)
    health_port: int | None = Field(default=None, ge=1, le=65535)

    # Who may use the bot at all (README "Who may do what"); members of the installing
    # workspace or Enterprise Grid organisation always may.
    policy_allow_guests: bool = False
    policy_allow_external: bool = False
    policy_allow_bots: bool = False
    # Per action, who among them may (bot/rules.py has the format).
    policy_declare: str = "everyone"
    policy_update: str = "everyone"
    policy_escalate: str = "everyone"
    policy_resolve: str = "everyone"
    policy_edit: str = "everyone"
    policy_roles: str = "everyone"
    policy_page: str = "everyone"
    # Whom a refused person should ask (mrkdwn: a channel, a person, a team's name).
    policy_contact: str | None = None
    policy_usergroup_ttl_seconds: float = Field(default=300.0, gt=0)
    # A channel ID (C…) where every public incident's card is posted too, besides the channel
    # it was declared in. The bot must be in it if it is private.
    incident_announce_channel: str | None = None
    # Update reminders (README "Update reminders"): minutes an open incident may go without an
    # update, per severity (bot/reminders/schedule.py has the format); unset turns them off.
    reminder_minutes: str | None = None
    reminder_check_seconds: float = Field(default=30.0, gt=0, le=3600)
    # A floor, not a fit: the lease must outlast handling a claimed batch (an incident.io read and
    # a Slack post, each up to its timeout); the check period does not matter, as a process
    # handles what it claimed before it sleeps.
    reminder_lease_seconds: float = Field(default=120.0, ge=10, le=3600)

    @field_validator("incidentio_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("slack_api_url")
    @classmethod
    def _slack_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        # slack_sdk joins method names with urljoin: without the slash the last segment is lost.
        return value if value.endswith("/") else value + "/"

    @field_validator(*(f"policy_{a.value}" for a in Action))
    @classmethod
    def _rule(cls, value: str, info: ValidationInfo) -> str:
        action = Action(str(info.field_name).removeprefix("policy_"))
        return str(parse_rule(value, action))

    @field_validator("policy_contact", "incident_announce_channel")
    @classmethod
    def _contact(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("reminder_minutes")
    @classmethod
    def _reminders(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            schedule = Schedule.parse(value)
        except BadSchedule as error:
            raise PydanticCustomError(
                "reminder_minutes", "{reason}", {"reason": str(error)}
            ) from None
        if not schedule.on:
            # As DATABASE_URL: set but empty is more likely a value that did not load than "off".
            raise PydanticCustomError("empty", "is set but empty (unset it to turn reminders off)")
        return str(schedule)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("incidentio_api_key", "slack_bot_token", "slack_signing_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Set but empty (`KEY=` in .env, `-e KEY=` in Docker) is a mistake, not "unset": it would
        # fail later, less clearly. Whitespace around a pasted secret is never part of it.
        if value is None:
            return None
        text = value.get_secret_value().strip()
        if not text:
            raise PydanticCustomError("empty", "is set but empty")
        return SecretStr(text)

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Empty means unset here: `SLACK_APP_TOKEN=` is how a .env turns Socket Mode off.
        if value is not None and not value.get_secret_value():
            return None
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("incidentio_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        text = value.get_secret_value().strip()
        if not text:
            raise PydanticCustomError("empty", "is set but empty (unset it to turn webhooks off)")
        wrong = _webhook_secret_fault(text)
        if wrong:
            # What is wrong, never the value: it may be another secret pasted by mistake.
            raise PydanticCustomError(
                "webhook_secret", f"{wrong}: copy the signing secret incident.io shows (whsec_…)"
            )
        return SecretStr(text)

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None


def _webhook_secret_fault(text: str) -> str | None:
    key = text.removeprefix("whsec_")
    if key == text:
        return "has no whsec_ prefix"
    if not key:
        return "has nothing after whsec_"
    try:
        # As svix reads it: base64, padding optional.
        decoded = base64.b64decode(key + "=" * (-len(key) % 4), validate=True)
    except binascii.Error:
        decoded = b""
    return None if decoded else "is not base64 after whsec_"


class Configured(BaseSettings):
    """Which of the settings that decide `incident-bot run` are there, read exactly as Settings
    reads them (environment, then `.env`, `export` lines included), requiring none of them."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    incidentio_api_key: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None

    def slack(self) -> list[str]:
        """The Slack variables set to something (a blank one counts as not set)."""
        values = {
            "SLACK_BOT_TOKEN": self.slack_bot_token,
            "SLACK_APP_TOKEN": self.slack_app_token,
            "SLACK_SIGNING_SECRET": self.slack_signing_secret,
        }
        return [name for name, v in values.items() if v and v.get_secret_value().strip()]


class ConfigError(Exception):
    """Configuration is missing or malformed; the message names each variable and the problem."""


def describe_validation_error(error: ValidationError) -> str:
    """Turn pydantic's error into lines naming the environment variable, never echoing values."""
    lines = []
    for item in error.errors():
        name = "_".join(str(part) for part in item["loc"]).upper() or "configuration"
        problem = "is required but not set" if item["type"] == "missing" else item["msg"]
        # pydantic prefixes what a validator raised; the reader needs only the reason.
        problem = problem.removeprefix("Value error, ")
        lines.append(f"  {name}: {problem}")
    return "Configuration error:\n" + "\n".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Read the environment into Settings, raising ConfigError with a readable message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None


def load_store_settings() -> StoreSettings:
    """Only where the store is (for `incident-bot migrate`, which needs no Slack or incident.io
    secret); ConfigError as load_settings."""
    try:
        return StoreSettings()
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None
