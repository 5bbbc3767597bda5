import pytest

from bot.config import ConfigError, load_settings

SECRET_VALUES = {
    "INCIDENTIO_API_KEY": "inc_live_SUPERSECRET",
    "SLACK_BOT_TOKEN": "xoxb-SUPERSECRET",
    "SLACK_SIGNING_SECRET": "SIGNINGSUPERSECRET",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in [
        *SECRET_VALUES,
        "SLACK_APP_TOKEN",
        "LOG_LEVEL",
        "SLACK_API_URL",
        "CATALOG_TTL_SECONDS",
        "INCIDENTIO_TIMEOUT_SECONDS",
        "INCIDENTIO_BASE_URL",
    ]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRET_VALUES.items():
        monkeypatch.setenv(k, v)
    settings = load_settings()
    assert settings.incidentio_base_url == "https://api.incident.io"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert not settings.socket_mode
    assert "SUPERSECRET" not in repr(settings)


def test_missing_variables_are_named() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings()
    text = str(caught.value)
    assert "INCIDENTIO_API_KEY: is required" in text
    assert "SLACK_BOT_TOKEN: is required" in text


def test_malformed_values_are_named_without_echoing(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRET_VALUES.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("CATALOG_TTL_SECONDS", "soon")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-SUPERSECRET-wrong-kind")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    text = str(caught.value)
    assert "CATALOG_TTL_SECONDS" in text and "SLACK_APP_TOKEN" in text
    assert "SUPERSECRET" not in text


def test_dotenv_file_and_url_normalisation(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        "INCIDENTIO_API_KEY=k\nSLACK_BOT_TOKEN=xoxb-1\nSLACK_APP_TOKEN=xapp-1\n"
        "SLACK_API_URL=http://127.0.0.1:9/api\nLOG_LEVEL=debug\n"
    )
    settings = load_settings()
    assert settings.socket_mode
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize("name", sorted(SECRET_VALUES))
@pytest.mark.parametrize("value", ["", "   ", "\t"])
def test_a_secret_set_but_empty_or_blank_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    for k, v in SECRET_VALUES.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    text = str(caught.value)
    assert f"{name}: is set but empty" in text
    assert "SUPERSECRET" not in text


def test_whitespace_around_a_secret_is_not_part_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRET_VALUES.items():
        monkeypatch.setenv(k, f" {v}\n")
    settings = load_settings()
    assert settings.incidentio_api_key.get_secret_value() == "inc_live_SUPERSECRET"
    assert settings.slack_bot_token.get_secret_value() == "xoxb-SUPERSECRET"
    secret = settings.slack_signing_secret
    assert secret is not None and secret.get_secret_value() == "SIGNINGSUPERSECRET"


WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_the_webhook_secret_is_optional_and_kept_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRET_VALUES.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("INCIDENTIO_WEBHOOK_SECRET", raising=False)
    assert load_settings().incidentio_webhook_secret is None
    monkeypatch.setenv("INCIDENTIO_WEBHOOK_SECRET", f"  {WEBHOOK_SECRET}\n")
    settings = load_settings()
    assert settings.incidentio_webhook_secret is not None
    assert settings.incidentio_webhook_secret.get_secret_value() == WEBHOOK_SECRET
    assert "MfKQ9r8" not in repr(settings)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("", "is set but empty"),
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "has no whsec_ prefix"),  # probably not the secret
        ("abc", "has no whsec_ prefix"),
        ("whsec_", "has nothing after whsec_"),
        ("whsec_not*base64!", "is not base64 after whsec_"),
        ("whsec_!!!notbase64", "is not base64 after whsec_"),
    ],
)
def test_a_webhook_secret_that_cannot_be_used_is_named_not_echoed(
    monkeypatch: pytest.MonkeyPatch, value: str, said: str
) -> None:
    for k, v in SECRET_VALUES.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("INCIDENTIO_WEBHOOK_SECRET", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    text = str(caught.value)
    assert "INCIDENTIO_WEBHOOK_SECRET" in text and said in text
    assert not value.removeprefix("whsec_") or value.removeprefix("whsec_") not in text
