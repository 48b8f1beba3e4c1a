"""The one shape every error body has (RFC 9457 problem details plus ``problems``)."""

from __future__ import annotations

from typing import Any

import jsonschema_rs

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance", "problems"],
    "properties": {
        "type": {"type": "string", "pattern": "^urn:creditcity:problem:[a-z-]+$"},
        "title": {"type": "string", "minLength": 1},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "minLength": 1},
        "instance": {"type": "string", "pattern": "^urn:creditcity:request:[A-Za-z0-9._:-]+$"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["where", "field", "message", "expected"],
                "properties": {
                    "where": {"type": "string"},
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "expected": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
    },
}
_VALIDATOR = jsonschema_rs.validator_for(PROBLEM_SCHEMA)


def assert_problem(answer: Any, status: int) -> dict[str, Any]:
    """``answer`` is a problem+json of ``status`` whose instance names its request id."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json", answer.headers
    body: dict[str, Any] = answer.json()
    errors = [e.message for e in _VALIDATOR.iter_errors(body)]
    assert not errors, (errors, body)
    assert body["status"] == status
    assert body["instance"].endswith(":" + answer.headers["x-request-id"])
    return body
