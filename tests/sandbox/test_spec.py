from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox.spec import ApiSpec, SpecViolation

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "schema"
SHARED_DIR = Path(__file__).resolve().parents[3] / "shared" / "incidentio"
NOW = "2026-09-01T10:00:00Z"


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


def _violation(spec: ApiSpec, method: str, path: str, query=(), body: Any = None) -> SpecViolation:
    raw = None if body is None else _json(body)
    with pytest.raises(SpecViolation) as caught:
        spec.validate_request(method, path, list(query), raw)
    return caught.value


def _status(category: str = "live") -> dict[str, Any]:
    return {
        "id": "01ST",
        "name": "Investigating",
        "description": "",
        "rank": 1,
        "category": category,
        "created_at": NOW,
        "updated_at": NOW,
    }


def _incident(**overrides: Any) -> dict[str, Any]:
    incident = {
        "id": "01INC",
        "reference": "INC-1",
        "name": "Database down",
        "incident_status": _status(),
        "mode": "standard",
        "visibility": "public",
        "creator": {"api_key": {"id": "01KEY", "name": "Sandbox key"}},
        "custom_field_entries": [],
        "incident_role_assignments": [],
        "slack_channel_id": "C0INC1",
        "slack_team_id": "T0SANDBOX",
        "created_at": NOW,
        "updated_at": NOW,
    }
    incident.update(overrides)
    return incident


CREATE = {
    "idempotency_key": "slack:T1:declare:V1",
    "visibility": "public",
    "name": "Database down",
    "severity_id": "01SEV",
    "mode": "standard",
    "incident_role_assignments": [
        {"incident_role_id": "01ROLE", "assignee": {"slack_user_id": "U123"}}
    ],
}


def test_load_is_cached_per_process() -> None:
    assert ApiSpec.load() is ApiSpec.load()


def test_trimmed_document_keeps_the_supplement_operation(api_spec: ApiSpec) -> None:
    assert "post" in api_spec.document["paths"]["/v2/incident_updates"]
    assert "get" in api_spec.document["paths"]["/v2/incident_updates"]
    assert "IncidentUpdatesCreatePayloadV2" in api_spec.document["components"]["schemas"]


@pytest.mark.parametrize(
    ("method", "path", "query", "body"),
    [
        ("POST", "/v2/incidents", [], CREATE),
        ("GET", "/v2/incidents/01FDAG4SAP5TYPT98WGR2N7W91", [], None),
        ("GET", "/v2/incidents/123", [], None),
        (
            "POST",
            "/v2/incidents/01INC/actions/edit",
            [],
            {"incident": {"name": "Renamed"}, "notify_incident_channel": True},
        ),
        (
            "POST",
            "/v2/incident_updates",
            [],
            {"incident_id": "01INC", "idempotency_key": "k", "message": "Fix shipped"},
        ),
        (
            "GET",
            "/v2/incidents",
            [
                ("page_size", "250"),
                ("after", "01INC"),
                ("sort_by", "created_at_oldest_first"),
                ("status_category[one_of]", "live"),
                ("status_category[one_of]", "triage"),
                ("status[not_in]", "01ST"),
                ("severity[gte]", "01SEV"),
                ("incident_type[one_of]", "01TYPE"),
                ("created_at[date_range]", "2024-12-02~2024-12-08"),
                ("updated_at[gte]", "2024-12-02T10:00:00Z"),
                ("incident_role[01ROLE][is_blank]", "false"),
                ("mode[one_of]", "test"),
            ],
            None,
        ),
        ("GET", "/v2/incident_updates", [("incident_id", "01INC"), ("page_size", "250")], None),
        ("GET", "/v2/users", [("slack_user_id", "U123"), ("page_size", "10000")], None),
        ("GET", "/v1/severities", [], None),
        ("GET", "/v1/identity", [], None),
    ],
)
def test_valid_requests_pass(
    api_spec: ApiSpec, method: str, path: str, query: list[tuple[str, str]], body: Any
) -> None:
    api_spec.validate_request(method, path, query, None if body is None else _json(body))


def test_misspelled_payload_field_is_named(api_spec: ApiSpec) -> None:
    body = {**CREATE, "sevrity_id": "01SEV"}
    error = _violation(api_spec, "POST", "/v2/incidents", body=body)
    assert error.kind == "validation"
    assert "sevrity_id" in str(error)
    assert error.problems[0].field == "sevrity_id"
    assert error.problems[0].code == "unknown_field"


def test_unknown_field_nested_through_refs_is_rejected(api_spec: ApiSpec) -> None:
    # The seed's mistake: `user` where the API expects `assignee` (UserReferencePayloadV2).
    body = {**CREATE, "incident_role_assignments": [{"incident_role_id": "R", "user": {"id": "U"}}]}
    error = _violation(api_spec, "POST", "/v2/incidents", body=body)
    assert error.problems[0].field == "incident_role_assignments.0.user"
    assert error.problems[0].pointer == "/incident_role_assignments/0/user"
    body = {**CREATE, "retrospective_incident_options": {"slack_channel": "C1"}}
    assert "slack_channel" in str(_violation(api_spec, "POST", "/v2/incidents", body=body))


@pytest.mark.parametrize("missing", ["idempotency_key", "visibility"])
def test_missing_required_field_is_named(api_spec: ApiSpec, missing: str) -> None:
    body = {k: v for k, v in CREATE.items() if k != missing}
    error = _violation(api_spec, "POST", "/v2/incidents", body=body)
    assert error.messages == [f"{missing}: '{missing}' is a required property"]
    assert error.problems[0].code == "is_required"
    assert error.problems[0].field == missing


def test_wrong_enum_is_named(api_spec: ApiSpec) -> None:
    error = _violation(api_spec, "POST", "/v2/incidents", body={**CREATE, "visibility": "secret"})
    assert "visibility" in error.messages[0]
    assert "'secret' is not one of" in error.messages[0]


def test_edit_needs_notify_incident_channel_and_wrapping(api_spec: ApiSpec) -> None:
    path = "/v2/incidents/01INC/actions/edit"
    error = _violation(api_spec, "POST", path, body={"incident": {"name": "x"}})
    assert "notify_incident_channel" in str(error)
    error = _violation(api_spec, "POST", path, body={"name": "x", "notify_incident_channel": True})
    assert {p.field for p in error.problems} == {"incident", "name"}


def test_update_payload_is_strict(api_spec: ApiSpec) -> None:
    body = {"incident_id": "01INC", "message": "hello"}
    assert "idempotency_key" in str(_violation(api_spec, "POST", "/v2/incident_updates", body=body))
    body = {"incident_id": "01INC", "idempotency_key": "k", "status_id": "01ST"}
    assert "status_id" in str(_violation(api_spec, "POST", "/v2/incident_updates", body=body))


def test_filter_without_operator_fails(api_spec: ApiSpec) -> None:
    error = _violation(api_spec, "GET", "/v2/incidents", [("severity", "01SEV")])
    assert error.kind == "invalid_request"
    assert "severity: filter without an operator" in error.messages[0]


def test_unknown_status_category_fails(api_spec: ApiSpec) -> None:
    error = _violation(api_spec, "GET", "/v2/incidents", [("status_category[one_of]", "active")])
    assert "'active' is not one of" in str(error)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ([("status_category[is]", "live")], "unknown operator 'is'"),
        ([("mode[not_in]", "test")], "unknown operator 'not_in'"),
        ([("mode[one_of]", "demo")], "'demo' is not one of"),
        ([("severity[gte]", "A"), ("severity[gte]", "B")], "given more than once"),
        ([("created_at[gte]", "last week")], "is not a date"),
        ([("created_at[date_range]", "2024-12-02")], "is not a date range"),
        ([("incident_role[one_of]", "U1")], "expected incident_role[<id>][operator]"),
        ([("incident_role[R][is_blank]", "yes")], "is not true or false"),
        ([("priority[one_of]", "P1")], "unknown query parameter"),
        ([("page_sise", "10")], "unknown query parameter"),
        ([("page_size", "251")], "out of range 1..250"),
        ([("page_size", "0")], "out of range"),
        ([("page_size", "ten")], "is not an integer"),
        ([("sort_by", "newest")], "is not one of"),
        ([("page_size", "10"), ("page_size", "20")], "given more than once"),
        ([("status[one_of]", "")], "empty value"),
    ],
)
def test_bad_list_queries_fail(
    api_spec: ApiSpec, query: list[tuple[str, str]], expected: str
) -> None:
    assert expected in str(_violation(api_spec, "GET", "/v2/incidents", query))


def test_updates_page_size_bound(api_spec: ApiSpec) -> None:
    error = _violation(api_spec, "GET", "/v2/incident_updates", [("page_size", "251")])
    assert "page_size" in str(error)


def test_unknown_path_and_method(api_spec: ApiSpec) -> None:
    error = _violation(api_spec, "GET", "/v2/incident")
    assert (error.kind, error.messages) == ("not_found", ["unknown path"])
    error = _violation(api_spec, "PUT", "/v2/incidents/01INC")
    assert error.kind == "method_not_allowed"
    assert "GET" in str(error)


def test_body_problems(api_spec: ApiSpec) -> None:
    with pytest.raises(SpecViolation, match="not valid JSON"):
        api_spec.validate_request("POST", "/v2/incidents", [], b"{nope")
    with pytest.raises(SpecViolation, match="body is required"):
        api_spec.validate_request("POST", "/v2/incidents", [], None)
    with pytest.raises(SpecViolation, match="takes no request body"):
        api_spec.validate_request("GET", "/v1/severities", [], b"{}")


def test_violation_str_joins_every_message(api_spec: ApiSpec) -> None:
    error = _violation(api_spec, "POST", "/v2/incidents", body={"visibility": "secret"})
    assert len(error.messages) == 2
    assert str(error).startswith("POST /v2/incidents request: ")
    assert all(m in str(error) for m in error.messages)


def test_valid_response_passes_and_tolerates_new_fields(api_spec: ApiSpec) -> None:
    # The live API adds response fields without notice; strictness is for payloads only.
    body = {"incident": _incident(last_activity_at=NOW, team_ids=[])}
    api_spec.validate_response("GET", "/v2/incidents/01INC", 200, _json(body))


def test_response_missing_required_field_fails(api_spec: ApiSpec) -> None:
    incident = _incident()
    del incident["reference"]
    with pytest.raises(SpecViolation) as caught:
        api_spec.validate_response("POST", "/v2/incidents", 200, _json({"incident": incident}))
    assert caught.value.kind == "response"
    assert caught.value.problems[0].field == "incident.reference"


def test_response_formats_and_enums_are_checked(api_spec: ApiSpec) -> None:
    bad = {"incident": _incident(created_at="yesterday", incident_status=_status("active"))}
    with pytest.raises(SpecViolation) as caught:
        api_spec.validate_response("GET", "/v2/incidents/1", 200, _json(bad))
    text = str(caught.value)
    assert "'yesterday' is not a 'date-time'" in text
    assert "'active' is not one of" in text


def test_undeclared_success_status_fails(api_spec: ApiSpec) -> None:
    # Create answers 200 in the schema; the updates create (supplement) answers 201.
    with pytest.raises(SpecViolation, match="status 201 is not declared"):
        api_spec.validate_response("POST", "/v2/incidents", 201, _json({"incident": _incident()}))


def test_error_envelope(api_spec: ApiSpec) -> None:
    good = {
        "type": "validation_error",
        "status": 422,
        "request_id": "5f0c8a1e-3b0c-4c3e-9a53-2d4c2f1e7a10",
        "errors": [
            {
                "code": "is_required",
                "message": "A severity is required to open an incident",
                "source": {"field": "severity_id", "pointer": "/severity_id"},
            }
        ],
    }
    api_spec.validate_response("POST", "/v2/incidents", 422, _json(good))
    for broken, expected in [
        ({k: v for k, v in good.items() if k != "request_id"}, "request_id"),
        ({**good, "type": "not_found"}, "type"),
        ({**good, "status": 400}, "differs from HTTP 422"),
        ({**good, "errors": [{"message": "no code"}]}, "'code' is a required property"),
        ({**good, "request_id": "abc"}, "uuid"),
    ]:
        with pytest.raises(SpecViolation, match=expected):
            api_spec.validate_response("POST", "/v2/incidents", 422, _json(broken))


@pytest.mark.skipif(not SHARED_DIR.is_dir(), reason="no shared/incidentio folder here")
@pytest.mark.parametrize("name", ["openapi.json", "openapi-supplement.json"])
def test_vendored_schema_is_byte_identical_to_shared(name: str) -> None:
    assert (SCHEMA_DIR / name).read_bytes() == (SHARED_DIR / name).read_bytes()
