"""Fixtures for the adapter tests.

`api` (autouse) is a respx router that mocks every httpx call in these tests and checks each one
against incident.io's schema: the request (method, path, query incl. list filters, strict body)
and the canned response. A violation fails the test, whether or not the adapter swallowed it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
import respx

from bot.incidentio.client import ApiCall, IncidentIoClient
from sandbox.spec import ApiSpec, SpecViolation

BASE_URL = "https://api.incident.io"
# Distinctive, so that a leak anywhere (logs, errors, reprs) is found by a plain substring search.
API_KEY = "inc_test_key_8f3a1c9e7b2d4f60"


class SpecCheckedRouter(respx.MockRouter):
    """A respx router that validates every request it serves, and every response it returns."""

    def __init__(self, spec: ApiSpec, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.spec = spec
        self.violations: list[str] = []
        # Off only in tests that serve what the schema does not allow on purpose (a future enum
        # value, a malformed body) to prove the adapter copes.
        self.check_responses = True

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        query = list(request.url.params.multi_items())
        self._check(
            lambda: self.spec.validate_request(
                request.method, request.url.path, query, request.content or None
            )
        )
        response = await super().async_handler(request)
        if self.check_responses:
            body = response.content
            self._check(
                lambda: self.spec.validate_response(
                    request.method, request.url.path, response.status_code, body
                )
            )
        return response

    def _check(self, check: Callable[[], None]) -> None:
        try:
            check()
        except SpecViolation as violation:
            self.violations.append(str(violation))
            raise


@pytest.fixture(scope="session")
def api_spec() -> ApiSpec:
    return ApiSpec.load()


@pytest.fixture(autouse=True)
def api(api_spec: ApiSpec) -> Iterator[SpecCheckedRouter]:
    router = SpecCheckedRouter(
        api_spec, base_url=BASE_URL, assert_all_called=False, assert_all_mocked=True
    )
    with router:
        yield router
    assert not router.violations, "requests or responses broke the schema:\n" + "\n".join(
        router.violations
    )


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def calls() -> list[ApiCall]:
    return []


@pytest.fixture
async def client(sleeps: list[float], calls: list[ApiCall]) -> AsyncIterator[IncidentIoClient]:
    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(0)

    async with IncidentIoClient(
        API_KEY, BASE_URL, sleep=fake_sleep, observers=[calls.append]
    ) as instance:
        yield instance
