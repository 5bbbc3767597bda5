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
    EDIT = "incident_edit_modal"
    ROLES = "incident_roles_modal"
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
    CALL_URL = "call_url"
    PAGE_PATH = "page_path"
    PAGE_PEOPLE = "page_people"
    PAGE_TITLE = "page_title"
    PAGE_NOTE = "page_note"


class Block(StrEnum):
    """block_id of non-input blocks the bot needs to find again."""

    ERROR_BANNER = "error_banner"
    OVERFLOW = "overflow_notice"
    SANDBOX_BANNER = "sandbox_banner"
    CARD_ACTIONS = "incident_card_actions"
    REMINDER_ACTIONS = "incident_reminder_actions"


class Action(StrEnum):
    """action_id of buttons and links (links must still be acked)."""

    OPEN_INCIDENT = "open_incident_link"
    OPEN_CHANNEL = "open_channel_link"


# block_id and action_id of a custom field's input: this prefix, the field type, ".", its id.
CUSTOM_FIELD_PREFIX = "custom_field."
# A card button that opens a change verb's modal is named after the verb (`card_action`), so every
# registered verb gets its button; these are the ones the bot has or expects.
CARD_ACTION_PREFIX = "incident_card_"


def card_action(verb: str) -> str:
    """action_id of the card's button for `verb` (its value is the incident's ID)."""
    return CARD_ACTION_PREFIX + verb


class CardAction(StrEnum):
    """action_id of the incident card's buttons."""

    UPDATE = card_action("update")
    ESCALATE = card_action("escalate")
    RESOLVE = card_action("resolve")
    ROLES = card_action("roles")
    EDIT = card_action("edit")
    PAGE = card_action("page")
    DETAILS = card_action("details")


class ReminderAction(StrEnum):
    """action_id of an update reminder's buttons (their value is the incident's ID). Post update
    is the card's Update button: it opens the update modal through the same listener."""

    POST_UPDATE = CardAction.UPDATE.value
    SNOOZE_30 = "incident_reminder_snooze_30"
    SNOOZE_120 = "incident_reminder_snooze_120"


# How long each Snooze button puts the next reminder off, in minutes.
SNOOZE_MINUTES = {ReminderAction.SNOOZE_30: 30, ReminderAction.SNOOZE_120: 120}


# The roles modal's person picker for one role: block_id and action_id `role:<role id>:<the Slack
# ID of who held it when the modal opened, or nothing>`, so a refilled form still knows what changed.
ROLE_INPUT = "role"

# Checkbox value that marks a test incident.
TEST_MODE_VALUE = "test"
