"""Check traffic against incident.io's official OpenAPI schema (vendored in sandbox/schema).

`ApiSpec.load()` builds, once a process, a copy trimmed to the operations in scope; requests are
checked against a strict copy where payload objects allow no unknown fields, because the real
API ignores them and a typo would fail silently in production.
"""

from sandbox.spec.document import OPERATIONS, build_document, strict_copy
from sandbox.spec.envelope import ERROR_ENVELOPE_SCHEMA, ERROR_TYPES
from sandbox.spec.errors import Problem, SpecViolation
from sandbox.spec.query import LIST_FILTERS, MODES, PAGE_SIZE_MAX, STATUS_CATEGORIES
from sandbox.spec.validator import ApiSpec, Operation, RouteMatch

__all__ = [
    "ERROR_ENVELOPE_SCHEMA",
    "ERROR_TYPES",
    "LIST_FILTERS",
    "MODES",
    "OPERATIONS",
    "PAGE_SIZE_MAX",
    "STATUS_CATEGORIES",
    "ApiSpec",
    "Operation",
    "Problem",
    "RouteMatch",
    "SpecViolation",
    "build_document",
    "strict_copy",
]
