"""The real bot process, driven over HTTP the way Slack drives it, against the emulator."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.ids import Field, Modal
from tests.e2e.conftest import E2E
from tests.e2e.helpers import metric, metric_samples, replies, text_of

# users.info: who is asking, for the policy (once per person, then cached).
SLACK_METHODS = {"auth.test", "users.info", "views.open", "views.update", "response_url"}
# The incident card: posted on declare, edited and replied to after each change.
CARD_METHODS = {"chat.postMessage", "chat.update", "chat.getPermalink"}


async def open_modal(e2e: E2E, text: str, callback: Modal) -> dict[str, Any]:
    response = await e2e.driver.command(text)
    assert response.status == 200
    await e2e.settle()
    view = e2e.driver.last_view()
    assert view["callback_id"] == callback
    return view


async def test_declare_update_escalate_resolve_through_signed_http(e2e: E2E) -> None:
    d = e2e.driver

    form = await open_modal(e2e, "declare Checkout API returning 500s", Modal.DECLARE)
    ack = await d.submit(form["id"], {"severity": "Minor", "summary": "EU customers see errors"})
    assert ack.status == 200 and ack.json()["response_action"] == "update"
    await e2e.settle()
    [incident] = e2e.emulator.incidents
    ref = incident["reference"]
    assert (ref, incident["name"], incident["summary"]) == (
        "INC-1",
        "Checkout API returning 500s",
        "EU customers see errors",
    )
    roles = {
        a["role"]["role_type"]: a.get("assignee", {}) for a in incident["incident_role_assignments"]
    }
    assert roles["reporter"]["slack_user_id"] == d.user_id
    declared = text_of(e2e.shown(form["id"]))
    assert "INC-1" in declared and "Checkout API returning 500s" in declared

    update_form = await open_modal(e2e, f"update {ref}", Modal.UPDATE)
    await d.submit(update_form["id"], {"message": "Rolled back the deploy", "status": "Monitoring"})
    quick = await d.command(f"update {ref} Error rate is back to normal")
    escalate_form = await open_modal(e2e, f"escalate {ref}", Modal.ESCALATE)
    await d.submit(escalate_form["id"], {"reason": "Spreading to the US", "severity": "Critical"})
    resolve_form = await open_modal(e2e, f"resolve {ref} Fix verified", Modal.RESOLVE)
    await d.submit(resolve_form["id"], {"status": "Closed"})
    await e2e.settle()

    final = e2e.emulator.incident(ref)
    assert final["incident_status"]["category"] == "closed"
    assert final["severity"]["name"] == "Critical"
    updates = [u for u in e2e.emulator.updates if u["incident_id"] == incident["id"]]
    messages = [u["message"].split("\n")[0] for u in updates if u.get("message")]
    assert messages == [
        "Rolled back the deploy",
        "Error rate is back to normal",
        "Spreading to the US",
        "Fix verified",
    ]
    # incident.io attributes API writes to the key; the message names the person.
    assert all(u["message"].endswith("_Shared from Slack by @alice_") for u in updates)
    assert all("api_key" in u["updater"] for u in updates)
    changes = [
        (u.get("new_incident_status", {}).get("name"), u.get("new_severity", {}).get("name"))
        for u in updates
    ]
    assert changes[0][0] == "Monitoring" and changes[2][1] == "Critical"
    assert changes[3][0] == "Closed"

    # What the person saw: each modal ends on its result, the one-liner is confirmed.
    assert "Update shared" in text_of(e2e.shown(update_form["id"]))
    assert "Escalated" in text_of(e2e.shown(escalate_form["id"]))
    assert "Closed" in text_of(e2e.shown(resolve_form["id"]))
    said = text_of(quick.json()) + "\n".join(replies(e2e.fake))
    assert "Update shared on *INC-1*" in said

    calls = [c for c in e2e.fake.calls if c.method != "auth.test"]  # auth.test: once per process
    assert {c.method for c in calls} <= SLACK_METHODS | CARD_METHODS
    assert [c.method for c in calls].count("views.open") == 4
    assert [c.method for c in calls].count("users.info") == 1
    assert [c.error for c in calls] == [None] * len(calls)
    assert all(c.token == "xoxb-sandbox" for c in calls if c.method != "response_url")

    # One log line per request, naming the incident.io calls it made and their request ids.
    lines = e2e.interactions()
    assert len(lines) == 9 and {line["outcome"] for line in lines} == {"ok"}
    submitted = [line for line in lines if line["interaction"] == "view_submission"]
    assert [line["api_calls"][0].split()[:2] for line in submitted] == [
        ["POST", "/v2/incidents"],
        *[["POST", "/v2/incident_updates"]] * 3,
    ]
    assert all(line["api_calls"][0].split()[2].startswith("20") for line in submitted)
    logged_ids = [rid for line in lines for rid in line.get("request_ids") or []]
    made = {r.request_id: r.route for r in e2e.requests()}
    assert set(logged_ids) <= made.keys() and len(set(logged_ids)) == len(logged_ids)
    # The rest are the cards' re-reads (the incident, its latest update, its pages), made after
    # the person's answer (and its line).
    unlogged = {route for rid, route in made.items() if rid not in logged_ids}
    card_reads = {"GET /v2/incidents/{id}", "GET /v2/incident_updates", "GET /v2/escalations"}
    assert unlogged <= card_reads, unlogged


async def test_double_submit_creates_one_incident(e2e: E2E) -> None:
    form = await open_modal(e2e, "declare Payments flaky", Modal.DECLARE)
    # Two clicks on Submit, the second before the first is answered: one view, two requests.
    first, second = await asyncio.gather(
        e2e.driver.submit(form["id"], {"severity": "Major"}, shown=form),
        e2e.driver.submit(form["id"], {"severity": "Major"}, shown=form),
    )
    await e2e.settle()
    assert (first.status, second.status) == (200, 200)
    creates = e2e.requests("POST", "POST /v2/incidents")
    assert len(creates) == 2
    assert creates[0].body["idempotency_key"] == creates[1].body["idempotency_key"]
    [incident] = e2e.emulator.incidents
    assert incident["severity"]["name"] == "Major"
    assert "INC-1" in text_of(e2e.shown(form["id"]))


async def test_commands_saying_payload_are_answered(e2e: E2E) -> None:
    # Bolt's body parser took any form body containing "payload" for an interactivity payload:
    # these got a 404 and no answer. The process parses bodies itself (bot/http_request.py).
    form = await open_modal(e2e, "declare payload service down", Modal.DECLARE)
    await e2e.driver.submit(form["id"], {"severity": "Minor"})
    await e2e.settle()
    [incident] = e2e.emulator.incidents
    assert incident["name"] == "payload service down"
    response = await e2e.driver.command(f"update {incident['reference']} payload too large")
    await e2e.settle()
    assert response.status == 200
    messages = [u.get("message") or "" for u in e2e.emulator.updates]
    assert any(m.startswith("payload too large") for m in messages)


async def test_declare_survives_two_503s(e2e: E2E) -> None:
    form = await open_modal(e2e, "declare Search is slow", Modal.DECLARE)
    await e2e.fault(kind="status", route="POST /v2/incidents", status=503, count=2)

    ack = await e2e.driver.submit(form["id"], {"severity": "Minor"})
    await e2e.settle()

    assert ack.status == 200
    creates = e2e.requests("POST", "POST /v2/incidents")
    assert [r.status for r in creates] == [503, 503, 200]
    assert len({r.body["idempotency_key"] for r in creates}) == 1  # the same write, resent
    [incident] = e2e.emulator.incidents
    assert incident["name"] == "Search is slow"
    seen = text_of(e2e.shown(form["id"]))
    assert "INC-1" in seen and "Search is slow" in seen
    [line] = [i for i in e2e.interactions() if i["interaction"] == "view_submission"]
    assert line["outcome"] == "ok" and len(line["api_calls"]) == 3


async def test_readyz_and_metrics_after_a_flow(e2e: E2E) -> None:
    ready = await e2e.http.get(f"{e2e.bot.url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["catalog_loaded"] is True
    before = metric_samples(await e2e.metrics())

    form = await open_modal(e2e, "declare Metrics check", Modal.DECLARE)
    await e2e.driver.submit(form["id"], {"severity": "Minor"})
    await e2e.settle()

    after = metric_samples(await e2e.metrics())

    def grew(name: str, **labels: str) -> float:
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert (
        grew("incident_bot_interactions_total", kind="command", verb="declare", outcome="ok") == 1
    )
    submission = {"kind": "view_submission", "verb": Modal.DECLARE.value, "outcome": "ok"}
    assert grew("incident_bot_interactions_total", **submission) == 1
    created = {"method": "POST", "route": "/v2/incidents", "status": "200"}
    assert grew("incident_bot_incidentio_requests_total", **created) == 1
    assert grew("incident_bot_ack_seconds_count", kind="view_submission") == 1


async def test_inline_form_errors_write_nothing(e2e: E2E) -> None:
    form = await open_modal(e2e, "declare", Modal.DECLARE)
    ack = await e2e.driver.submit(form["id"], {"name": "", "severity": "Minor"})
    await e2e.settle()
    body = ack.json()
    assert body["response_action"] == "errors" and Field.NAME in body["errors"]
    assert e2e.requests("POST") == []
