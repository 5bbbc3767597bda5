"""What an operator meets at the command line: errors that name the setting, the mode `make run`
picks, the healthcheck asking the process that serves, and redaction that spares plain words."""

from __future__ import annotations

import http.server
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot import __main__ as cli
from bot import probe, server
from bot.incidentio.client import IncidentIoClient

BOT_ENV = {"INCIDENTIO_API_KEY": "k-123456789", "SLACK_BOT_TOKEN": "xoxb-1"}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    for name in (
        "INCIDENTIO_API_KEY",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "PORT",
        "HEALTH_PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(probe.PROBE_FILE_VARIABLE, str(tmp_path / "probe"))
    return tmp_path


def test_a_port_that_is_not_a_number_is_named(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in BOT_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PORT", "abc")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve", "--http"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "PORT:" in err and "Traceback" not in err


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_a_port_flag_out_of_range_is_an_argument_error(
    clean_env: Path, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve", "--http", "--port", port])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--port" in err and "Traceback" not in err


def test_serve_with_neither_secret_nor_app_token_names_both_ways(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in BOT_ENV.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_APP_TOKEN" in err and "SLACK_SIGNING_SECRET" in err and "--http" in err


@pytest.mark.parametrize(
    ("dotenv", "mode"),
    [
        ("export INCIDENTIO_API_KEY=k-1\n", "serve"),
        ("INCIDENTIO_API_KEY=k-1\n", "serve"),
        ("# INCIDENTIO_API_KEY=k-1\n", "sandbox"),
        ("", "sandbox"),
    ],
)
def test_make_run_decides_from_the_settings_the_bot_reads(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, dotenv: str, mode: str
) -> None:
    (clean_env / ".env").write_text(dotenv)
    chosen: list[str] = []
    monkeypatch.setattr(cli, "_settings", lambda: chosen.append("serve") or pytest.fail("stop"))
    monkeypatch.setattr(cli, "_sandbox", lambda: chosen.append("sandbox") or None)
    try:
        cli.main(["run"])
    except pytest.fail.Exception:
        pass
    assert chosen[-1] == mode


@pytest.fixture
def healthz() -> Iterator[int]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_the_healthcheck_asks_the_port_the_serving_process_recorded(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, healthz: int
) -> None:
    # An HTTP-mode process with SLACK_APP_TOKEN still set in the environment: the healthcheck
    # must not go looking for HEALTH_PORT.
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("HEALTH_PORT", "9")
    written = probe.record(healthz)
    assert cli.main(["healthcheck"]) == 0
    probe.forget(written)
    assert cli.main(["healthcheck"]) == 1  # nothing serving


def test_a_process_that_exits_leaves_another_process_s_probe_file_alone(
    clean_env: Path, healthz: int
) -> None:
    first = probe.record(1)  # a process serving on port 1, then a second one on healthz's
    second = probe.record(healthz)
    probe.forget(first)  # the first one exits
    assert cli.main(["healthcheck"]) == 0  # the second one's address is still there
    probe.forget(second)
    assert not probe.probe_file().exists()


def test_a_second_live_process_on_the_same_probe_file_is_warned_about(
    clean_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    held_by_other = "http://127.0.0.1:9/healthz\npid {}\n"
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as other:
        try:
            probe.probe_file().write_text(held_by_other.format(other.pid))
            with caplog.at_level(logging.WARNING, logger="bot.probe"):
                probe.record(8080)
        finally:
            other.kill()
    [warning] = [r.getMessage() for r in caplog.records]
    assert f"pid {other.pid}" in warning and probe.PROBE_FILE_VARIABLE in warning
    # A file left by a process that is gone (reaped above) is taken over without a word.
    caplog.clear()
    probe.probe_file().write_text(held_by_other.format(other.pid))
    with caplog.at_level(logging.WARNING, logger="bot.probe"):
        probe.record(8081)
    assert caplog.records == []


def test_the_healthcheck_without_a_serving_process_says_so(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["healthcheck"]) == 1
    assert "no probe address" in capsys.readouterr().err


async def test_a_very_short_key_is_redacted_as_a_whole_word_only() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("cannot connect to api: abc is down, abcdef too")

    client = IncidentIoClient("abc", transport=httpx.MockTransport(refuse), max_retries=0)
    try:
        with pytest.raises(Exception, match="api") as caught:
            await client.get_identity()
    finally:
        await client.aclose()
    text = str(caught.value)
    assert "[redacted] is down" in text and "abcdef too" in text


@pytest.mark.parametrize("name", ["INCIDENTIO_API_KEY", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"])
@pytest.mark.parametrize("value", ["", "  "])
def test_serve_with_an_empty_secret_names_it_without_a_traceback(
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
) -> None:
    for variable, setting in {**BOT_ENV, "SLACK_SIGNING_SECRET": "s3cret-signing"}.items():
        monkeypatch.setenv(variable, setting)
    monkeypatch.setenv(name, value)
    monkeypatch.setattr(server, "serve_http", lambda *_: pytest.fail("served"))
    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve", "--http"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"{name}: is set but empty" in err
    assert "Traceback" not in err and "k-123456789" not in err and "s3cret" not in err


@pytest.mark.parametrize(
    ("flag", "other", "needed", "not_named"),
    [
        ("--http", None, "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"),
        ("--http", ("SLACK_APP_TOKEN", "xapp-1"), "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"),
        ("--socket", None, "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"),
        ("--socket", ("SLACK_SIGNING_SECRET", "s"), "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"),
    ],
)
def test_a_chosen_mode_names_only_what_it_needs(
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flag: str,
    other: tuple[str, str] | None,
    needed: str,
    not_named: str,
) -> None:
    for name, value in (*BOT_ENV.items(), *([other] if other else [])):
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", flag]) == 2
    err = capsys.readouterr().err
    assert needed in err and not_named not in err


def test_make_run_with_a_key_says_it_serves_and_what_slack_lacks(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INCIDENTIO_API_KEY", "k-123456789")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["run"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "INCIDENTIO_API_KEY is set, so this serves Slack" in err
    assert "SLACK_BOT_TOKEN: is required but not set" in err
    assert "k-123456789" not in err


def test_make_run_with_slack_settings_but_no_key_stops_and_says_why(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-secret-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "")  # blank: not counted as set
    monkeypatch.setattr(cli, "_settings", lambda: pytest.fail("serve was started"))
    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err
    assert cli.NO_SANDBOX not in err  # the sandbox was not tried either
    assert "SLACK_BOT_TOKEN, SLACK_APP_TOKEN are set but INCIDENTIO_API_KEY is not" in err
    assert "sandbox --real-slack" in err and "secret-1" not in err


def test_make_run_with_nothing_set_says_it_starts_the_sandbox(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[bool] = []
    monkeypatch.setattr(cli, "_sandbox", lambda: started.append(True) or None)
    cli.main(["run"])
    assert started
    assert "no INCIDENTIO_API_KEY and no Slack settings, so this starts the sandbox" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize("workers", ["0", "two", "65"])
def test_a_number_of_workers_out_of_range_is_an_argument_error(
    clean_env: Path, capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve", "--http", "--workers", workers])
    assert stopped.value.code == 2
    assert "number of workers" in capsys.readouterr().err


def test_workers_in_socket_mode_are_refused_before_anything_starts(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {**BOT_ENV, "SLACK_APP_TOKEN": "xapp-1"}.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", "--socket", "--workers", "2"]) == 2
    assert "--workers serves HTTP" in capsys.readouterr().err
    assert not (clean_env / "data").exists()  # the store was not even migrated


def test_socket_mode_webhooks_without_a_health_port_are_refused_before_anything_starts(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    env = {**BOT_ENV, "SLACK_APP_TOKEN": "xapp-1", "INCIDENTIO_WEBHOOK_SECRET": secret}
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    async def served(*_: object) -> None:
        pytest.fail("serve started Socket Mode with an endpoint nobody can reach")

    monkeypatch.setattr(server, "serve_socket", served)
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "INCIDENTIO_WEBHOOK_SECRET is set, but Socket Mode serves them on HEALTH_PORT" in err
    assert secret not in err and "MfKQ9r8" not in err
    assert not (clean_env / "data").exists()  # the store was not even migrated


@pytest.mark.parametrize(
    ("secret", "said"),
    [
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "POST /incidentio/webhooks: on"),
        (None, "POST /incidentio/webhooks: off (INCIDENTIO_WEBHOOK_SECRET is not set)"),
    ],
)
def test_the_http_start_up_line_says_whether_webhooks_are_on(
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    secret: str | None,
    said: str,
) -> None:
    for name, value in {**BOT_ENV, "SLACK_SIGNING_SECRET": "s"}.items():
        monkeypatch.setenv(name, value)
    if secret:
        monkeypatch.setenv("INCIDENTIO_WEBHOOK_SECRET", secret)
    else:
        monkeypatch.delenv("INCIDENTIO_WEBHOOK_SECRET", raising=False)
    monkeypatch.setattr(cli, "setup_logging", lambda *_: None)
    monkeypatch.setattr(server, "serve_http", lambda *_: None)
    caplog.set_level(logging.INFO)
    assert cli.main(["serve", "--http", "--port", "3999"]) == 0
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("serving HTTP")]
    assert lines == [f"serving HTTP on 0.0.0.0:3999 (POST /slack/events; {said})"]


@pytest.mark.parametrize("command", [[], ["serve"], ["run"], ["check"], ["migrate"]])
def test_help_names_every_command_and_where_settings_come_from(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main([*command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "environment variables, or a .env file" in out
    assert 'README.md, "Configuration"' in out
    if not command:
        assert "serve, run, check, migrate, healthcheck, sandbox" in out


@pytest.mark.parametrize(("level", "logged"), [("INFO", False), ("DEBUG", True)])
def test_check_prints_only_its_report_unless_debugging(
    clean_env: Path, level: str, logged: bool
) -> None:
    closed = "http://127.0.0.1:9"  # nothing listens: every call fails, and would be logged
    env = {
        **BOT_ENV,
        "PATH": "/usr/bin:/bin",
        "SLACK_SIGNING_SECRET": "s",
        "INCIDENTIO_BASE_URL": closed,
        "SLACK_API_URL": f"{closed}/api/",
        "LOG_LEVEL": level,
        "LOG_FORMAT": "json",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        env=env,
        cwd=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and "FAIL incident.io" in done.stdout
    assert bool(done.stderr.strip()) is logged, done.stderr
