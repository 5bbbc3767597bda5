"""The API key never shows up in logs, exceptions or reprs, on any path."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest

from bot.config import Settings
from bot.incidentio import errors
from bot.incidentio.client import IncidentIoClient
from tests.incidentio import factories as f
from tests.incidentio.conftest import API_KEY, BASE_URL, SpecCheckedRouter


def _exception_text(error: BaseException) -> str:
    """Everything a log handler could print for this error, causes included."""
    parts = [str(error), repr(error), *traceback.format_exception(error)]
    if isinstance(error, errors.IncidentIoError):
        parts.append(error.user_message)
    cause = error.__cause__ or error.__context__
    if cause is not None:
        parts += [str(cause), repr(cause)]
    return "\n".join(parts)


async def test_api_key_is_absent_from_logs_and_errors_on_every_path(
    client: IncidentIoClient, api: SpecCheckedRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.get("/v1/severities").respond(json={"severities": [f.severity()]})
    api.get("/v1/incident_types").mock(return_value=f.error(401, "Invalid API key"))
    api.get("/v1/incident_statuses").mock(return_value=f.error(500))
    api.get("/v2/incident_roles").mock(side_effect=httpx.ReadTimeout("timed out"))
    # Even a transport message that somehow quotes the key must not carry it further.
    api.get("/v2/users").mock(side_effect=httpx.ConnectError(f"refused for {API_KEY}"))
    api.post("/v2/incidents").mock(return_value=f.error(422, "Bad severity", field="severity_id"))
    api.get("/v1/identity").mock(
        side_effect=[f.error(429, headers={"Retry-After": "1"}), httpx.Response(200, json={})]
    )
    api.check_responses = False  # the identity body above is malformed on purpose

    await client.list_severities()
    failures: list[BaseException] = []
    for call in (
        client.list_incident_types(),
        client.list_incident_statuses(),
        client.list_incident_roles(),
        client.find_user_by_slack_id("U1"),
        client.create_incident(idempotency_key="k", name="x"),
        client.get_identity(),
    ):
        with pytest.raises(errors.IncidentIoError) as caught:
            await call
        failures.append(caught.value)

    kinds = [type(e).__name__ for e in failures]
    assert kinds == [
        "AuthenticationError",
        "ServerError",
        "TransportError",
        "TransportError",
        "ValidationError",
        "UnexpectedResponseError",
    ]
    assert len(caplog.records) > 10  # the paths above did log: debug lines, retries, failures
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            assert API_KEY not in _exception_text(record.exc_info[1])
    assert API_KEY not in caplog.text
    for error in failures:
        assert API_KEY not in _exception_text(error)
    assert API_KEY not in repr(client)


async def test_from_settings_uses_the_secret_base_url_and_timeout(api: SpecCheckedRouter) -> None:
    settings = Settings(
        incidentio_api_key=API_KEY,
        incidentio_base_url=BASE_URL + "/",
        incidentio_timeout_seconds=3,
        slack_bot_token="xoxb-test",
    )
    assert API_KEY not in repr(settings)
    route = api.get("/v1/severities").mock(side_effect=httpx.ReadTimeout("timed out"))

    async with IncidentIoClient.from_settings(settings, max_retries=0) as client:
        with pytest.raises(errors.TransportError) as caught:
            await client.list_severities()

    assert str(caught.value) == "timed out after 3s calling GET /v1/severities"
    assert route.calls.last.request.headers["authorization"] == f"Bearer {API_KEY}"


def test_an_empty_key_is_refused_up_front() -> None:
    with pytest.raises(ValueError, match="API key is required"):
        IncidentIoClient("")
