import json
from pathlib import Path

import jsonschema
import yaml

from bot.check import REQUIRED_SCOPES
from bot.command import USAGE, Verb
from bot.ids import SLASH_COMMAND, Shortcut

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_CANDIDATES = [
    ROOT.parent / "shared/slack/manifest.schema.json",
    ROOT / "tests/data/manifest.schema.json",
]


def load_manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yaml").read_text())


def test_manifest_is_valid_against_slacks_schema() -> None:
    schema_path = next(p for p in SCHEMA_CANDIDATES if p.exists())
    schema = json.loads(schema_path.read_text())
    jsonschema.Draft7Validator(schema).validate(load_manifest())


def test_manifest_ids_are_the_bots() -> None:
    manifest = load_manifest()
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == [SLASH_COMMAND]
    assert {s["callback_id"] for s in features["shortcuts"]} == {s.value for s in Shortcut}
    kinds = {s["callback_id"]: s["type"] for s in features["shortcuts"]}
    assert kinds[Shortcut.DECLARE_GLOBAL] == "global"
    assert kinds[Shortcut.DECLARE_FROM_MESSAGE] == kinds[Shortcut.ADD_TO_INCIDENT] == "message"


def test_manifest_asks_for_the_scopes_the_bot_needs_and_no_more() -> None:
    manifest = load_manifest()
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(REQUIRED_SCOPES)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_the_commands_usage_hint_names_the_verbs_help_lists_in_its_order() -> None:
    (command,) = load_manifest()["features"]["slash_commands"]
    verbs = command["usage_hint"].split()[0].split("|")
    assert verbs == [verb.value for verb in USAGE]
    described = command["description"].lower()
    assert all(v.value in described for v in USAGE if v not in (Verb.HELP, Verb.ONCALL, Verb.LEAD))
    assert "on call" in described
