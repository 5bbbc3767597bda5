"""A fake Slack Web API for tests and the sandbox (see core.FakeSlack)."""

from sandbox.fake_slack.core import DEFAULT_SCOPES, MESSAGE_METHODS, FakeSlack, SlackCall
from sandbox.fake_slack.errors import SlackError

__all__ = ["DEFAULT_SCOPES", "MESSAGE_METHODS", "FakeSlack", "SlackCall", "SlackError"]
