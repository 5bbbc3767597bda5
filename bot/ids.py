"""Every Slack identifier the bot owns: the slash command, callback IDs, block IDs and action IDs.

Builders, parsers, tests and manifest.yaml all read these, so a renamed ID cannot drift apart.
Input blocks use the same string for block_id and action_id: one name per form field.
"""

from __future__ import annotations

from enum import StrEnum

SLASH_COMMAND = "/incident"


class Shortcut(StrEnum):
    """callback_id of each shortcut declared in manifest.yaml."""

    DECLARE_FROM_MESSAGE = "incident_declare_from_message"
    ADD_TO_INCIDENT = "incident_add_message"
    DECLARE_GLOBAL = "incident_declare_global"


class Modal(StrEnum):
    """callback_id of each modal the bot opens."""

    DECLARE = "incident_declare_modal"
    UPDATE = "incident_update_modal"
    ESCALATE = "incident_escalate_modal"
    RESOLVE = "incident_resolve_modal"
    PAGE = "incident_page_modal"
    ADD_MESSAGE = "incident_add_message_modal"
    PICK = "incident_pick_modal"
    LOADING = "incident_loading_modal"
    RESULT = "incident_result_modal"


class Field(StrEnum):
    """block_id and action_id of each modal input."""

    NAME = "name"
    SUMMARY = "summary"
    SEVERITY = "severity"
    INCIDENT_TYPE = "incident_type"
    VISIBILITY = "visibility"
    TEST_MODE = "test_mode"
    INCIDENT = "incident"
    MESSAGE = "message"
    STATUS = "status"
    REASON = "reason"
    PAGE_PATH = "page_path"
    PAGE_PEOPLE = "page_people"
    PAGE_TITLE = "page_title"
    PAGE_NOTE = "page_note"


class Block(StrEnum):
    """block_id of non-input blocks the bot needs to find again."""

    ERROR_BANNER = "error_banner"
    OVERFLOW = "overflow_notice"
    SANDBOX_BANNER = "sandbox_banner"


class Action(StrEnum):
    """action_id of buttons and links (links must still be acked)."""

    OPEN_INCIDENT = "open_incident_link"
    OPEN_CHANNEL = "open_channel_link"


# Checkbox value that marks a test incident.
TEST_MODE_VALUE = "test"
