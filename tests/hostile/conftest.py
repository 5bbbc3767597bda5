"""The in-process harness of tests/slack, shared with the hostile-input tests."""

from tests.slack.conftest import h, harness, slack_server  # noqa: F401
