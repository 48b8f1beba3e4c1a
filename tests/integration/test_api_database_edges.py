"""Text, numbers and dates at the edges of what SQLite and PostgreSQL hold are 4xx naming
the field, on both stores: NUL characters, lone surrogates, huge integers, years 0 and
10000, very long strings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.support.api import KEYS, RESIDENT, give_score, keys_file, record, settings_for
from tests.support.problems import assert_problem

from creditcity.asgi import create_app

NUL, SURROGATE, LONG = "a\x00b", "\ud800", "x" * 100_000
LONGISH = "x" * 10_000  # long, but under the decisions body limit (that would be a 413)


def _decision(**field: Any) -> dict[str, Any]:
    return {"subject": RESIDENT, "service": "bike_deposit", "amount": 99, "purpose": "p", **field}


#: (what, method, path, role, body, the field the answer must name)
PROBES: list[tuple[str, str, str, str, Any, str]] = [
    *(
        (
            f"decision {name} {label}",
            "POST",
            "/v1/decisions",
            "provider",
            _decision(**{name: v}),
            name,
        )
        for name in ("subject", "service", "purpose")
        for label, v in (("nul", NUL), ("surrogate", SURROGATE), ("long", LONGISH))
    ),
    (
        "decision huge amount",
        "POST",
        "/v1/decisions",
        "provider",
        _decision(amount=10**30),
        "amount",
    ),
    *(
        (f"record {name} {label}", "POST", "/v1/records", "bank", [record("k", **{name: v})], name)
        for name, label, v in (
            ("idempotency_key", "nul", NUL),
            ("ref", "nul", NUL),
            ("ref", "surrogate", SURROGATE),
            ("ref", "long", LONG),
            ("city", "nul", NUL),
            ("supersedes", "nul", NUL),
            ("occurred_at", "year 0", "0000-01-01"),
            ("occurred_at", "year 10000", "10000-01-01"),
            ("amount", "huge", 10**30),
            ("days_late", "past int64", 2**63),
        )
    ),
    *(
        (f"dispute {label}", "POST", "/v1/me/disputes", "resident", body, name)
        for label, body, name in (
            ("statement nul", {"entry_id": 1, "statement": NUL}, "statement"),
            ("statement surrogate", {"entry_id": 1, "statement": SURROGATE}, "statement"),
            ("entry past int64", {"entry_id": 2**63, "statement": "x"}, "entry_id"),
        )
    ),
    (
        "consent source nul",
        "POST",
        "/v1/me/consents",
        "resident",
        {"action": "grant", "source": NUL},
        "source",
    ),
    (
        "certificate audience surrogate",
        "POST",
        "/v1/me/certificates",
        "resident",
        {"audience": SURROGATE, "ttl_days": 30},
        "audience",
    ),
    (
        "resolution note nul",
        "POST",
        "/v1/operator/disputes/1/resolution",
        "operator",
        {"upheld": True, "note": NUL},
        "note",
    ),
]


@pytest.fixture
def client(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    give_score(engine, RESIDENT, 720)
    app = create_app(db_url, settings=settings_for(tmp_path / "home"), keys=keys_file(tmp_path))
    with TestClient(app, raise_server_exceptions=False) as running:
        yield running


def test_edge_of_database_bodies_are_4xx_naming_the_field(client: TestClient) -> None:
    for what, method, path, role, body, field in PROBES:
        answer = client.request(
            method,
            path,
            content=json.dumps(body).encode(),  # \ud800 travels as JSON spells it
            headers={"X-API-Key": KEYS[role], "Content-Type": "application/json"},
        )
        assert 400 <= answer.status_code < 500, (what, answer.status_code, answer.text[:300])
        problem = assert_problem(answer, answer.status_code)
        named = {p["field"].split(".")[-1] for p in problem["problems"]}
        assert any(field in n for n in named), (what, problem["problems"])


@pytest.mark.parametrize(
    ("header", "query"), [("a%00b", None), (None, "a%00b")], ids=["header", "query"]
)
def test_a_stated_purpose_with_a_nul_is_a_422_naming_it(
    client: TestClient, header: str | None, query: str | None
) -> None:
    headers = {"X-API-Key": KEYS["operator"], **({"X-Purpose": header} if header else {})}
    path = "/v1/operator/stats" + (f"?purpose={query}" if query else "")
    problem = assert_problem(client.get(path, headers=headers), 422)
    assert problem["problems"][0]["field"] in ("X-Purpose", "purpose")
