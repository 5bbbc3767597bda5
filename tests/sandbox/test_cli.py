"""`incident-bot sandbox`: the stack over real sockets, the script steps and the prompt."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.__main__ import main
from bot.app import Bot
from bot.ids import Block, Modal
from sandbox import cli, session
from sandbox.answers import SessionError, command_text, pick_option
from sandbox.stack import SandboxStack

NOTICE = "incidents here are not real"


@pytest.fixture(autouse=True)
def _fast_and_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    # settle() also waits for the bot's in-flight work, so a short quiet period is enough.
    monkeypatch.setattr(session, "QUIET_SECONDS", 0.05)
    # run replaces the root log handlers; pytest's capture must keep its own.
    monkeypatch.setattr(cli, "setup_logging", lambda level: None)


def sandbox(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["sandbox", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_say_help_prints_the_banner_and_the_bots_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = sandbox(capsys, "--say", "/incident help")
    assert code == 0
    assert "incident-bot SANDBOX: incidents here are NOT real." in out
    assert "incident.io emulator  http://127.0.0.1:" in out
    assert "/slack/events" in out
    reply = out[out.index("> /incident help") :]
    assert "╭─ Reply (only you can see this)" in reply
    assert "│ == /incident ==" in reply
    assert "`/incident declare [name]`" in reply
    # Slack shows the blocks of a reply, so the sandbox notice must be among them.
    assert NOTICE in reply


def test_declare_fill_submit_list_show_state(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = sandbox(
        capsys,
        "--say", "declare Checkout down",
        "--fill", "severity=Major",
        "--fill", "Summary=EU customers see 500s\\nsince 09:00",
        "--submit",
        "--say", "/incident list",
        "--say", "show INC-1",
        "--say", ":state",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "╭─ Modal: Declare incident" in out
    assert "│ Name [name] (text): Checkout down" in out
    assert "> (pressed [ Declare ])" in out
    declared = out[out.index("> (pressed [ Declare ])") : out.index("> /incident list")]
    assert "╭─ Modal: Incident declared" in declared
    assert "*INC-1 (https://app.incident.io/sandbox/incidents/1)* Checkout down" in declared
    assert "Major · Investigating · Default" in declared
    listed = out[out.index("> /incident list") : out.index("> /incident show INC-1")]
    assert "== 1 open incident ==" in listed
    shown = out[out.index("> /incident show INC-1") :]
    assert "EU customers see 500s" in shown and "since 09:00" in shown
    assert "INC-1  Checkout down  ·  Major  ·  Investigating (live)  ·  public" in out


def test_update_through_the_picker_escalate_and_resolve(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = sandbox(
        capsys,
        "--say", "declare Payments flaky", "--fill", "severity=1", "--submit",
        "--say", "update",
        "--fill", "incident=INC-1", "--submit",
        "--fill", "message=Rolled back", "--fill", "New status=Fixing", "--submit",
        "--say", "escalate INC-1", "--fill", "severity=Critical",
        "--fill", "reason=All regions now", "--submit",
        "--say", "resolve INC-1 Fix verified", "--fill", "status=Closed", "--submit",
        "--say", ":state",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "╭─ Modal: Update incident" in out  # the picker
    assert "╭─ Modal: Update INC-1" in out  # turned into the update form in place
    assert "Update shared on *INC-1*.\n│ >Rolled back\n│ Status: Fixing\n" in out
    assert "Status: Fixing · Severity: Critical" in out
    assert "Status: Closed" in out
    assert "INC-1  Payments flaky  ·  Critical  ·  Closed (closed)" in out
    assert "3 incident update(s) shared" in out


def test_inline_errors_are_printed_and_the_form_stays_open(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = sandbox(
        capsys,
        "--say", "declare", "--submit",
        "--fill", "name=Disk full", "--fill", "severity=Minor", "--submit",
    )  # fmt: skip
    assert code == 0
    assert "The form came back with errors:" in out
    assert "! Name: Give the incident a name." in out
    assert "! Severity: Choose a severity." in out
    assert "Incident declared" in out


def test_message_shortcuts_and_cancel(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = sandbox(
        capsys,
        "--say", ":declare-from db-1 is at 100% CPU",
        "--fill", "name=DB CPU", "--fill", "severity=Major", "--submit",
        "--say", ":add-to it recovered", "--fill", "incident=1", "--submit",
        "--say", ":declare", "--cancel",
        "--say", ":state",
    )  # fmt: skip
    assert code == 0
    assert "db-1 is at 100% CPU" in out
    assert "From Slack: https://" in out
    assert "╭─ Modal: Added to incident" in out
    assert "> (pressed [ Cancel ]; the modal closed)" in out
    assert "The emulator holds 1 incident(s)" in out
    assert "1 incident update(s) shared" in out


MISTAKES = [
    (["--fill", "severity=Major"], "no form is open"),
    (["--submit"], "no form is open to submit"),
    (["--say", ":nope"], "':nope' is not a sandbox action"),
    (["--say", "declare X", "--fill", "colour=red"], "no single field 'colour'"),
    (["--say", "declare X", "--fill", "severity=Huge"], "'Huge' is not one of the options"),
    (["--say", "declare X", "--fill", "severity"], "--fill wants FIELD=VALUE"),
]


def test_script_mistakes_stop_with_status_1(
    capsys: pytest.CaptureFixture[str], stack: SandboxStack
) -> None:
    for argv, message in MISTAKES:
        steps = cli_args(*argv).steps
        assert cli.run_script(session.Session(stack), steps) == 1, argv
        assert message in capsys.readouterr().err, argv
        stack.fake.reset()


def test_script_fails_when_slack_would_reject_what_the_bot_sent(
    capsys: pytest.CaptureFixture[str], stack: SandboxStack
) -> None:
    stack.fake.fail_next("views.open", "expired_trigger_id")
    code = cli.run_script(session.Session(stack), cli_args("--say", "declare X").steps)
    assert code == 1
    assert "! Slack answered views.open with error expired_trigger_id" in capsys.readouterr().out


def test_prompt_fills_a_form_field_by_field(capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter(
        [
            "help",
            "/incident declare Disk full",
            "",  # name: keep
            "Almost out of space",  # summary
            "zz",  # severity: not an option, asked again
            "3",  # severity: Critical
            "",  # incident type: keep
            "private",  # visibility
            "1",  # test: this is a test incident
            "",  # submit
            "state",
            ":declare",
            "",
            "",
            "",
            "",
            "",
            "",
            "c",  # cancel
            "quit",
        ]
    )
    prompts: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    code = cli.run(cli_args(), read=read)
    out = capsys.readouterr().out
    assert code == 0
    assert ":declare-from <text>" in out  # the prompt's help
    assert "! 'zz' is not one of the options: 1) Minor, 2) Major, 3) Critical" in out
    assert "  Severity (number or name) []: " in prompts
    assert "  Name [Disk full]: " in prompts
    assert "INC-1  Disk full  ·  Critical  ·  Investigating (live)  ·  private, test" in out
    assert "> (pressed [ Cancel ]; the modal closed)" in out
    assert out.rstrip().endswith("Bye. The sandbox's incidents are gone with it.")


def test_prompt_quits_cleanly_at_end_of_input(capsys: pytest.CaptureFixture[str]) -> None:
    def read(prompt: str) -> str:
        raise EOFError

    assert cli.run(cli_args(), read=read) == 0
    assert "Bye." in capsys.readouterr().out


def cli_args(*argv: str) -> Any:
    import argparse

    parser = argparse.ArgumentParser()
    cli.configure_parser(parser)
    return parser.parse_args(list(argv))


@pytest.fixture
def stack() -> Iterator[SandboxStack]:
    with SandboxStack(settings={"catalog_ttl_seconds": 60}) as running:
        yield running


async def test_stack_serves_the_bot_over_real_http(stack: SandboxStack) -> None:
    settings = stack.bot.deps.settings
    assert settings.incidentio_base_url == stack.emulator_url
    assert settings.slack_api_url == stack.fake.api_url
    assert settings.incidentio_sandbox is True
    assert stack.events_url.startswith("http://127.0.0.1:")
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{stack.bot_url}/healthz")).status_code == 200
        # The bot checks Slack's signature: an unsigned request is refused.
        unsigned = await client.post(stack.events_url, content="command=/incident&text=help")
        assert unsigned.status_code == 401
    response = await stack.driver.command("help")
    assert response.status == 200
    assert response.json()["blocks"][0]["block_id"] == Block.SANDBOX_BANNER


async def test_every_reply_and_modal_carries_the_sandbox_notice(stack: SandboxStack) -> None:
    replies = [await stack.driver.command(text) for text in ("help", "nonsense", "list")]
    await stack.driver.command("declare Checkout down")
    await stack.settle(0.1)
    view = stack.driver.last_view()
    assert view["callback_id"] == Modal.DECLARE
    submitted = await stack.driver.submit(view["id"], {"severity": "Major"})
    replies.append(await stack.driver.command("update INC-1 Rolled back"))
    replies.append(await stack.driver.command("show INC-1"))
    await stack.settle(0.1)

    assert len(stack.emulator.incidents) == 1
    for reply in replies:
        body = reply.json()
        assert NOTICE in body["text"]
        if body.get("blocks"):
            assert body["blocks"][0]["block_id"] == Block.SANDBOX_BANNER
    assert submitted.json()["view"]["blocks"][0]["block_id"] == Block.SANDBOX_BANNER
    for shown in stack.fake.views.values():
        assert shown["blocks"][0]["block_id"] == Block.SANDBOX_BANNER
    assert stack.fake.violations == []


def test_stack_stops_cleanly_and_frees_its_ports() -> None:
    with SandboxStack() as running:
        urls = [running.bot_url, running.emulator_url, running.slack_url]
    for url in urls:
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/healthz", timeout=1)
    with pytest.raises(RuntimeError):
        _ = running.bot_url


def test_pick_option_and_command_text() -> None:
    options = [
        {"text": {"type": "plain_text", "text": "Minor"}, "value": "s1"},
        {"text": {"type": "plain_text", "text": "Major"}, "value": "s2"},
        {"text": {"type": "plain_text", "text": "Majorly broken"}, "value": "s3"},
    ]
    assert pick_option(options, "2")["value"] == "s2"
    assert pick_option(options, "major")["value"] == "s2"  # exact label beats a longer match
    assert pick_option(options, "s3")["value"] == "s3"
    assert pick_option(options, "broken")["value"] == "s3"
    with pytest.raises(SessionError, match="matches several"):
        pick_option(options, "maj")
    with pytest.raises(SessionError, match="not one of the options"):
        pick_option(options, "4")
    refs = [
        {"text": {"type": "plain_text", "text": f"INC-{n}: Checkout down"}, "value": f"i{n}"}
        for n in (12, 1)
    ]
    assert pick_option(refs, "INC-1")["value"] == "i1"
    assert pick_option(refs, "inc-12")["value"] == "i12"
    assert command_text("/incident declare X") == "declare X"
    assert command_text("  declare X ") == "declare X"
    assert command_text("/incident") == ""
    assert command_text("/incidental") == "/incidental"


def test_real_slack_runs_the_real_bot_on_the_emulator(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("SLACK_APP_TOKEN", "INCIDENTIO_API_KEY", "INCIDENTIO_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real-looking")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "real-signing-secret")
    monkeypatch.setenv("INCIDENTIO_SANDBOX", "true")
    seen: dict[str, Any] = {}

    def fake_serve_http(bot: Bot, host: str, port: int) -> None:
        settings = bot.deps.settings
        seen.update(host=host, port=port, sandbox=settings.incidentio_sandbox)
        # The bot's incident.io is the emulator, which is up while the bot serves.
        response = httpx.get(
            f"{settings.incidentio_base_url}/v1/severities",
            headers={"Authorization": f"Bearer {settings.incidentio_api_key.get_secret_value()}"},
        )
        seen["severities"] = [s["name"] for s in response.json()["severities"]]

    monkeypatch.setattr("bot.server.serve_http", fake_serve_http)
    code = main(["sandbox", "--real-slack", "--port", "3999"])
    out = capsys.readouterr().out
    assert code == 0
    assert "incidents are NOT real" in out
    assert "HTTP on http://127.0.0.1:3999/slack/events" in out
    assert seen == {
        "host": "127.0.0.1",
        "port": 3999,
        "sandbox": True,
        "severities": ["Minor", "Major", "Critical"],
    }
    assert "real-signing-secret" not in out


def test_real_slack_needs_slack_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    code = main(["sandbox", "--real-slack"])
    assert code == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real-looking")
    assert main(["sandbox", "--real-slack"]) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err
    assert main(["sandbox", "--real-slack", "--say", "help"]) == 2


def test_lead_names_a_person_of_the_sandbox_organisation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = sandbox(
        capsys,
        "--say", "declare Payments flaky", "--fill", "severity=Minor", "--submit",
        "--say", "lead INC-1 @grace",
    )  # fmt: skip
    assert (code, err) == (0, "")
    reply = out[out.index("> /incident lead INC-1 @grace") :]
    assert "Roles of *INC-1* changed:" in reply and "Incident Lead: " in reply
    assert "(Grace Hopper)" in reply


def test_page_people_and_ask_who_is_on_call(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = sandbox(
        capsys,
        "--say", "declare Payments flaky", "--fill", "severity=1", "--submit",
        "--say", "page INC-1", "--fill", "page_people=U0SBXADA01, @U0SBXALAN1", "--submit",
        "--say", "oncall payments",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "…or page people [page_people] (people, optional)" in out
    assert "Paged @U0SBXADA01, @U0SBXALAN1: status *triggered*" in out
    assert "*Payments* (escalation path): @U0SBXALAN1, Lin Contractor" in out


def test_people_pickers_take_the_names_people_go_by(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = sandbox(
        capsys,
        "--say", "declare Payments flaky", "--fill", "severity=Minor", "--submit",
        "--say", "roles INC-1", "--fill", "Incident Lead=grace", "--submit",
        "--say", "page INC-1", "--fill", "page_people=@grace, ada", "--submit",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "• Incident Lead: @U0SBXGRACE (Grace Hopper)" in out
    assert "Paged @U0SBXGRACE, @U0SBXADA01" in out


def test_a_change_made_outside_reaches_the_card(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = sandbox(
        capsys,
        "--say", "declare Checkout down",
        "--fill", "severity=Major",
        "--submit",
        "--say", ":outside INC-1 name=Checkout fully down",
        "--say", ":outside INC-1 status=Monitoring",
    )  # fmt: skip
    assert code == 0, err
    renamed = out[out.index("> (in incident.io's dashboard: INC-1 name = Checkout fully down)") :]
    first = renamed[: renamed.index("> (in incident.io's dashboard: INC-1 status")]
    assert "╭─ Message edited" in first and "Checkout fully down" in first
    moved = renamed[renamed.index("INC-1 status = Monitoring") :]
    assert "╭─ Message edited" in moved and "│ Monitoring" in moved


def test_outside_says_what_it_wants(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = sandbox(capsys, "--say", ":outside INC-1")
    assert code == 1 and "FIELD=VALUE" in err
    code, _, err = sandbox(capsys, "--say", ":outside INC-9 name=Nothing")
    assert code == 1 and "dashboard refused" in err


def test_outside_refuses_what_it_cannot_change_saying_what_it_can(
    capsys: pytest.CaptureFixture[str],
) -> None:
    declared = ("--say", "declare Checkout down", "--fill", "severity=Major", "--submit")
    code, _, err = sandbox(capsys, *declared, "--say", ":outside INC-1 lead=bob")
    assert code == 1
    assert "cannot change lead: only name, summary, severity, status" in err
    code, _, err = sandbox(capsys, *declared, "--say", ":outside INC-1 severity=Huge")
    assert code == 1 and "no severity named 'Huge': one of " in err and "Major" in err
    code, _, err = sandbox(capsys, *declared, "--say", ":outside INC-1 status=Gone")
    assert code == 1 and "no status named 'Gone': one of " in err and "Monitoring" in err


@pytest.mark.parametrize("flag", ["--port", "--emulator-port"])
def test_a_port_in_use_is_one_line_naming_it(capsys: pytest.CaptureFixture[str], flag: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = sandbox(capsys, flag, str(port), "--say", "/incident help")
    assert code == 2
    assert err.startswith(f"incident-bot sandbox: port {port} on 127.0.0.1 is already in use: ")
    assert "--port" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
