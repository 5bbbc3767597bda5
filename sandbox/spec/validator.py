"""ApiSpec: match a request to its operation and check it, or a response, against the schema."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from sandbox.spec.document import build_document, strict_copy
from sandbox.spec.envelope import ERROR_ENVELOPE_SCHEMA, envelope_mismatch
from sandbox.spec.errors import Problem, SpecViolation
from sandbox.spec.query import check_query

_BASE_URI = "urn:incidentio:openapi"
_CODES = {"required": "is_required", "additionalProperties": "unknown_field"}


@dataclass(frozen=True)
class Operation:
    method: str  # lower case, as in the schema
    template: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]
    params: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def route(self) -> str:
        """`GET /v2/incidents/{id}`: the name used in logs and counters."""
        return f"{self.method.upper()} {self.template}"


@dataclass(frozen=True)
class RouteMatch:
    operation: Operation
    path_params: dict[str, str]


def _compile(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{regex}$")


def _problem(error: ValidationError) -> Problem:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = re.match(r"'([^']+)' is a required property", error.message)
        parts += [missing.group(1)] if missing else []
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        parts += sorted(k for k in error.instance if k not in known)[:1]
    dotted = ".".join(parts) if parts else None
    return Problem(
        f"{dotted or 'body'}: {error.message}",
        field=dotted,
        pointer="/" + "/".join(parts),
        code=_CODES.get(str(error.validator), "invalid_value"),
    )


class ApiSpec:
    """incident.io's schema, ready to check traffic. Use `ApiSpec.load()` (built once a process)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._registries = {
            False: self._registry(document),
            True: self._registry(strict_copy(document)),
        }
        self._validators: dict[tuple[str, bool], Any] = {}
        self.operations = [
            Operation(
                method=method,
                template=template,
                pattern=_compile(template),
                spec=op,
                params={p["name"]: p for p in op.get("parameters", [])},
            )
            for template, item in document["paths"].items()
            for method, op in item.items()
        ]

    @classmethod
    def load(cls) -> ApiSpec:
        return _load()

    @staticmethod
    def _registry(document: dict[str, Any]) -> Registry[Any]:
        resource = Resource.from_contents(document, default_specification=DRAFT4)
        registry: Registry[Any] = Registry().with_resource(_BASE_URI, resource)
        return registry

    def _schema_problems(
        self, schema: dict[str, Any], instance: Any, strict: bool
    ) -> list[Problem]:
        if "$ref" in schema:
            key = (schema["$ref"], strict)
            validator = self._validators.get(key)
            if validator is None:
                ref = {"$ref": _BASE_URI + schema["$ref"]}
                validator = OAS30Validator(
                    ref, registry=self._registries[strict], format_checker=oas30_format_checker
                )
                self._validators[key] = validator
        else:
            validator = OAS30Validator(schema, format_checker=oas30_format_checker)
        errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.path])
        return [_problem(error) for error in errors]

    def match(self, method: str, path: str) -> RouteMatch:
        """The operation serving `method path`, or SpecViolation of kind not_found /
        method_not_allowed."""
        allowed = []
        for op in self.operations:
            found = op.pattern.match(path)
            if found is None:
                continue
            if op.method == method.lower():
                return RouteMatch(op, found.groupdict())
            allowed.append(op.method.upper())
        context = f"{method.upper()} {path}"
        if allowed:
            problem = Problem(f"method not allowed (allowed: {', '.join(sorted(allowed))})")
            raise SpecViolation(context, [problem], kind="method_not_allowed")
        raise SpecViolation(context, [Problem("unknown path")], kind="not_found")

    def validate_request(
        self, method: str, path: str, query: list[tuple[str, str]], body: bytes | None
    ) -> None:
        """Raise SpecViolation unless the path, query and JSON body match the schema (strict
        on payloads) and the list-filter rules."""
        found = self.match(method, path)
        op = found.operation
        context = f"{op.route} request"
        problems = [
            Problem(f"path parameter {name}: must not be blank", field=name)
            for name, value in found.path_params.items()
            if not value.strip()
        ]
        problems += check_query(op.method, op.template, op.params, query)
        if problems:
            raise SpecViolation(context, problems, kind="invalid_request")
        request_body = op.spec.get("requestBody")
        if request_body is None:
            if body:
                raise SpecViolation(context, [Problem("this operation takes no request body")])
            return
        if not body:
            raise SpecViolation(context, [Problem("a JSON request body is required")])
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise SpecViolation(context, [Problem(f"body is not valid JSON ({exc})")]) from exc
        schema = request_body["content"]["application/json"]["schema"]
        problems = self._schema_problems(schema, payload, strict=True)
        if problems:
            raise SpecViolation(context, problems, kind="validation")

    def validate_response(self, method: str, path: str, status: int, body: bytes) -> None:
        """Raise SpecViolation unless `body` is what the schema promises for `status`; any
        4xx/5xx must be the error envelope, whatever the path (a 404 for an unknown one too)."""
        context = f"{method.upper()} {path} response {status}"
        try:
            payload = json.loads(body) if body else None
        except ValueError as exc:
            raise SpecViolation(context, [Problem(f"not JSON ({exc})")], kind="response") from exc
        schema: dict[str, Any] | None
        if status >= 400:
            schema = ERROR_ENVELOPE_SCHEMA
            problems = [Problem(m) for m in envelope_mismatch(payload, status)]
        else:
            op = self.match(method, path).operation
            declared = op.spec.get("responses", {})
            if str(status) not in declared:
                message = f"status {status} is not declared (declared: {', '.join(declared)})"
                raise SpecViolation(context, [Problem(message)], kind="response")
            content = declared[str(status)].get("content", {}).get("application/json", {})
            schema = content.get("schema")
            problems = []
            if schema is not None and schema.get("format") == "binary":
                schema = None  # the schema document itself: any JSON
        if schema is not None:
            if payload is None:
                problems.append(Problem("body is empty"))
            else:
                problems += self._schema_problems(schema, payload, strict=False)
        if problems:
            raise SpecViolation(context, problems, kind="response")


@functools.cache
def _load() -> ApiSpec:
    return ApiSpec(build_document())
