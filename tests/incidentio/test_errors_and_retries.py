"""Error mapping, and which failures are retried, how long the adapter waits, and what it resends."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.incidentio import errors
from bot.incidentio.client import ApiCall, IncidentIoClient
from tests.incidentio import factories as f
from tests.incidentio.conftest import SpecCheckedRouter

EDIT_ID = "01FDAG4SAP5TYPT98WGR2N7W91"
EDIT_PATH = f"/v2/incidents/{EDIT_ID}/actions/edit"


@pytest.mark.parametrize(
    ("status", "expected", "attempts"),
    [
        (400, errors.InvalidRequestError, 1),
        (401, errors.AuthenticationError, 1),
        (403, errors.PermissionDeniedError, 1),
        (404, errors.NotFoundError, 1),
        (409, errors.ConflictError, 1),
        (422, errors.ValidationError, 1),
        (500, errors.ServerError, 4),
        (503, errors.ServerError, 4),
    ],
)
async def test_each_error_status_maps_to_its_exception_with_request_id(
    client: IncidentIoClient,
    api: SpecCheckedRouter,
    sleeps: list[float],
    status: int,
    expected: type[errors.IncidentIoError],
    attempts: int,
) -> None:
    rid = f.request_id()
    route = api.get("/v1/severities").mock(return_value=f.error(status, "Nope", rid=rid))

    with pytest.raises(expected) as caught:
        await client.list_severities()

    assert type(caught.value) is expected
    assert (caught.value.status, caught.value.request_id) == (status, rid)
    assert rid in str(caught.value)
    assert route.call_count == attempts
    assert len(sleeps) == attempts - 1


async def test_422_maps_field_errors(client: IncidentIoClient, api: SpecCheckedRouter) -> None:
    api.post("/v2/incidents").mock(
        return_value=f.error(422, "A severity is required to open an incident", field="severity_id")
    )

    with pytest.raises(errors.ValidationError) as caught:
        await client.create_incident(idempotency_key="k", name="x")

    assert caught.value.field_messages() == {
        "severity_id": "A severity is required to open an incident"
    }


async def test_request_id_from_header_when_the_body_is_not_json(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    api.check_responses = False
    api.get("/v2/incidents/1").respond(404, text="not found", headers={"x-request-id": "hdr-rid"})

    with pytest.raises(errors.NotFoundError) as caught:
        await client.get_incident("1")

    assert caught.value.request_id == "hdr-rid"


async def test_429_waits_retry_after_then_succeeds(
    client: IncidentIoClient, api: SpecCheckedRouter, sleeps: list[float]
) -> None:
    route = api.get("/v1/severities").mock(
        side_effect=[
            f.error(429, "Too many requests", headers={"Retry-After": "7"}),
            httpx.Response(200, json={"severities": [f.severity()]}),
        ]
    )

    found = await client.list_severities()

    assert len(found) == 1
    assert route.call_count == 2
    # Retry-After, plus up to a second of jitter so callers refused together come back apart.
    assert 7.0 <= sleeps[0] <= 8.0


async def test_429_is_retried_until_the_waiting_budget_is_spent(
    client: IncidentIoClient, api: SpecCheckedRouter, sleeps: list[float]
) -> None:
    rid = f.request_id()
    route = api.get("/v1/severities").mock(
        return_value=f.error(429, "Slow down", rid=rid, headers={"Retry-After": "20"})
    )

    with pytest.raises(errors.RateLimitedError) as caught:
        await client.list_severities()

    # 20-21 s per refusal against a 60 s budget: three waits, four attempts (not max_retries).
    assert route.call_count == 4
    assert caught.value.request_id == rid
    assert sum(sleeps) >= 60.0


async def test_a_429_holds_and_slows_every_caller_of_the_client(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    bucket = client.rate_limiter
    base = bucket.rate
    api.get("/v1/severities").mock(
        side_effect=[
            f.error(429, headers={"Retry-After": "2"}),
            httpx.Response(200, json={"severities": []}),
        ]
    )

    await client.list_severities()

    # Halved for the refusal, then 1/50 of the configured rate won back by the success.
    assert bucket.rate == pytest.approx(base / 2 + base / 50)
    for _ in range(100):
        bucket.accepted()
    assert bucket.rate == base


async def test_429_retry_after_is_capped(
    client: IncidentIoClient, api: SpecCheckedRouter, sleeps: list[float]
) -> None:
    api.get("/v1/severities").mock(
        side_effect=[
            f.error(429, headers={"Retry-After": "3600"}),
            httpx.Response(200, json={"severities": []}),
        ]
    )

    await client.list_severities()

    assert 30.0 <= sleeps[0] <= 31.0


@pytest.mark.parametrize("header", [None, "soon", ""])
async def test_429_without_usable_retry_after_backs_off(
    client: IncidentIoClient, api: SpecCheckedRouter, sleeps: list[float], header: str | None
) -> None:
    headers = {"Retry-After": header} if header is not None else None
    api.get("/v1/severities").mock(
        side_effect=[f.error(429, headers=headers), httpx.Response(200, json={"severities": []})]
    )

    await client.list_severities()

    # No usable header: the usual backoff (the bucket also holds a second before the retry).
    assert 0.0 <= sleeps[0] <= 0.5


async def test_create_503_twice_then_success_resends_the_same_key_and_body(
    client: IncidentIoClient, api: SpecCheckedRouter, sleeps: list[float]
) -> None:
    body = f.incident(77)
    route = api.post("/v2/incidents").mock(
        side_effect=[f.error(503), f.error(503), httpx.Response(200, json={"incident": body})]
    )

    created = await client.create_incident(
        idempotency_key="slack:T1:declare:V123", name="Outage", severity_id="SEV"
    )

    assert created.id == body["id"]
    sent = [c.request.content for c in route.calls]
    assert len(sent) == 3
    assert sent[0] == sent[1] == sent[2]
    assert json.loads(sent[0])["idempotency_key"] == "slack:T1:declare:V123"
    assert len(sleeps) == 2
    assert 0.0 <= sleeps[0] <= 0.5
    assert 0.0 <= sleeps[1] <= 1.0


async def test_create_retries_on_timeout(client: IncidentIoClient, api: SpecCheckedRouter) -> None:
    route = api.post("/v2/incidents").mock(
        side_effect=[
            httpx.ReadTimeout("timed out"),
            httpx.Response(200, json={"incident": f.incident(1)}),
        ]
    )

    await client.create_incident(idempotency_key="k", name="x")

    assert route.call_count == 2
    assert route.calls[0].request.content == route.calls[1].request.content


async def test_incident_update_retries_on_502(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    incident_id = f.ulid()
    api.check_responses = False  # the 502 body below is a proxy's, not the API's envelope
    route = api.post("/v2/incident_updates").mock(
        side_effect=[
            httpx.Response(502, text="Bad gateway"),
            httpx.Response(201, json={"incident_update": f.incident_update(incident_id)}),
        ]
    )

    await client.create_incident_update(incident_id=incident_id, idempotency_key="k", message="m")

    assert route.call_count == 2
    assert route.calls[0].request.content == route.calls[1].request.content


async def test_edit_timeout_is_not_retried(
    client: IncidentIoClient, api: SpecCheckedRouter, sleeps: list[float]
) -> None:
    route = api.post(EDIT_PATH).mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(errors.TransportError, match="timed out after 10s calling POST"):
        await client.edit_incident(EDIT_ID, name="x")

    assert route.call_count == 1
    assert sleeps == []


async def test_edit_5xx_is_not_retried(client: IncidentIoClient, api: SpecCheckedRouter) -> None:
    route = api.post(EDIT_PATH).mock(return_value=f.error(500))

    with pytest.raises(errors.ServerError):
        await client.edit_incident(EDIT_ID, name="x")

    assert route.call_count == 1


async def test_edit_429_is_retried(
    client: IncidentIoClient, api: SpecCheckedRouter, sleeps: list[float]
) -> None:
    route = api.post(EDIT_PATH).mock(
        side_effect=[
            f.error(429, headers={"Retry-After": "1"}),
            httpx.Response(200, json={"incident": f.incident(1)}),
        ]
    )

    await client.edit_incident(EDIT_ID, name="x")

    assert route.call_count == 2
    assert 1.0 <= sleeps[0] <= 2.0


async def test_edit_retried_when_the_connection_was_never_made(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    route = api.post(EDIT_PATH).mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(200, json={"incident": f.incident(1)}),
        ]
    )

    await client.edit_incident(EDIT_ID, name="x")

    assert route.call_count == 2


async def test_reads_give_up_after_max_retries_on_connection_errors(
    client: IncidentIoClient, api: SpecCheckedRouter, sleeps: list[float]
) -> None:
    route = api.get("/v1/severities").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(
        errors.TransportError, match=r"ConnectError \(refused\) calling GET /v1/severities"
    ):
        await client.list_severities()

    assert route.call_count == 4
    # Full jitter under a doubling ceiling: 0.5, 1, 2.
    assert [s <= c for s, c in zip(sleeps, [0.5, 1.0, 2.0], strict=True)] == [True] * 3


async def test_max_retries_zero_sends_once(api: SpecCheckedRouter) -> None:
    route = api.get("/v1/severities").mock(return_value=f.error(503))
    async with IncidentIoClient("k", max_retries=0) as client:
        with pytest.raises(errors.ServerError):
            await client.list_severities()
    assert route.call_count == 1


async def test_observers_see_every_attempt(
    client: IncidentIoClient, api: SpecCheckedRouter, calls: list[ApiCall]
) -> None:
    rid = f.request_id()
    api.get("/v2/incidents/12").mock(
        side_effect=[
            f.error(503, rid=rid),
            httpx.ReadTimeout("timed out"),
            httpx.Response(
                200, json={"incident": f.incident(12)}, headers={"x-request-id": "ok-rid"}
            ),
        ]
    )

    await client.get_incident("INC-12")

    assert [(c.route, c.status, c.attempt, c.error, c.request_id) for c in calls] == [
        ("/v2/incidents/{id}", 503, 1, "ServerError", rid),
        ("/v2/incidents/{id}", None, 2, "TransportError", None),
        ("/v2/incidents/{id}", 200, 3, None, "ok-rid"),
    ]
    assert all(c.method == "GET" and c.duration_s >= 0 for c in calls)


async def test_a_failing_observer_does_not_break_the_call(
    client: IncidentIoClient, api: SpecCheckedRouter, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(call: ApiCall) -> None:
        raise RuntimeError("metrics down")

    client.add_observer(broken)
    api.get("/v1/severities").respond(json={"severities": []})

    assert await client.list_severities() == []
    assert "observer" in caplog.text


@pytest.mark.parametrize(
    ("answers", "raised", "maybe_applied"),
    [
        # Arrived, no clear answer: it may have been applied.
        ([httpx.ReadTimeout("timed out")], errors.TransportError, True),
        ([f.error(500)], errors.ServerError, True),
        # Never left: nothing applied.
        ([httpx.ConnectError("refused")], errors.TransportError, False),
        # Refused at last, whatever came before: nothing applied.
        (
            [httpx.ReadTimeout("timed out"), f.error(422, "Name is required")],
            errors.ValidationError,
            False,
        ),
    ],
)
async def test_a_failed_write_says_whether_it_may_have_been_applied(
    client: IncidentIoClient,
    api: SpecCheckedRouter,
    answers: list[object],
    raised: type[errors.IncidentIoError],
    maybe_applied: bool,
) -> None:
    last = answers[-1]
    api.post("/v2/incidents").mock(side_effect=[*answers[:-1], *[last] * 4])
    with pytest.raises(raised) as caught:
        await client.create_incident(idempotency_key="k", name="x")
    assert caught.value.maybe_applied is maybe_applied


async def test_a_read_that_failed_applied_nothing(
    client: IncidentIoClient, api: SpecCheckedRouter
) -> None:
    api.get("/v1/severities").mock(return_value=f.error(500))
    with pytest.raises(errors.ServerError) as caught:
        await client.list_severities()
    assert not caught.value.maybe_applied


@pytest.mark.parametrize(
    "failure",
    [f.error(503), f.error(429, "Too many requests", headers={"Retry-After": "1"})],
)
async def test_an_identity_probe_sends_once_whatever_failed(
    client: IncidentIoClient, api: SpecCheckedRouter, sleeps: list[float], failure: httpx.Response
) -> None:
    route = api.get("/v1/identity").mock(return_value=failure)

    with pytest.raises(errors.IncidentIoError):
        await client.get_identity(once=True)

    assert route.call_count == 1 and sleeps == []
    with pytest.raises(errors.IncidentIoError):
        await client.get_identity()  # the ordinary read retries
    assert route.call_count > 2
