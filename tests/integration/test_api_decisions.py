"""POST /v1/decisions and outcomes over HTTP, and the group commit behind them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.support.api import NATIONAL_ID, RESIDENT, Api, give_score, running_api
from tests.support.decisions import count

from creditcity.errors import InputRejected
from creditcity.ledger.audit import chain
from creditcity.ledger.tables import decisions, entries
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.decide import DecisionAnswer, DecisionRequest, policy_for
from creditcity.services.decision_batching import DecisionBatcher


@pytest.fixture
def api(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Api]:
    with running_api(db_url, engine, tmp_path) as running:
        yield running


def ask(api: Api, amount: object = 99, *, role: str = "provider", **extra: object) -> dict:
    body = {
        "subject": NATIONAL_ID,
        "service": "bike_deposit",
        "amount": amount,
        "purpose": "deposit-free bike",
        **extra,
    }
    answer = api.post("/v1/decisions", role, body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_good_score_gets_the_bike_deposit_waived_and_the_asker_is_on_the_audit_log(
    api: Api,
) -> None:
    give_score(api.engine, RESIDENT, 720)
    decision = ask(api, "99")
    assert decision["approved"] and Decimal(decision["waived_amount"]) == 99
    assert decision["subject"] == RESIDENT and decision["tier"] == "excellent"
    assert decision["provider"] == "bike_operator:hellobike"
    assert decision["record_kind"] == "deposit_waived"
    with UnitOfWork(api.engine) as uow:
        (event,) = [r.event for r in chain(uow.conn, RESIDENT)]
    assert (event.actor, event.purpose, event.action) == (
        "bike_operator:hellobike",
        "deposit-free bike",
        "decide",
    )


def test_a_decline_is_an_answer_not_an_error(api: Api) -> None:
    give_score(api.engine, RESIDENT, 520)
    decision = ask(api, 99)
    assert not decision["approved"] and decision["reasons"]
    assert Decimal(decision["waived_amount"]) == 0


@pytest.mark.parametrize(
    ("service", "amount", "field"),
    [
        ("scooter_deposit", 10, "service"),
        ("bike_deposit", 5000, "amount"),
        ("bike_deposit", "ten", "amount"),
        ("bike_deposit", 0, "amount"),
    ],
)
def test_the_domain_s_refusals_are_422s_naming_the_field_and_nothing_is_stored(
    api: Api, service: str, amount: object, field: str
) -> None:
    body = {"subject": RESIDENT, "service": service, "amount": amount, "purpose": "p"}
    answer = api.post("/v1/decisions", "provider", body)
    assert answer.status_code == 422
    assert [p["field"] for p in answer.json()["problems"]] == [field]
    assert count(api.engine, decisions) == 0


def test_an_identifier_that_is_neither_an_id_nor_a_pseudonym_is_refused(api: Api) -> None:
    body = {"subject": "Zhang San!", "service": "bike_deposit", "amount": 9, "purpose": "p"}
    answer = api.post("/v1/decisions", "provider", body)
    assert answer.status_code == 422 and answer.json()["problems"][0]["field"] == "subject"


def test_the_outcome_closes_the_loop_once_and_only_for_the_provider_that_asked(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    decision_id = ask(api)["decision_id"]
    path = f"/v1/decisions/{decision_id}/outcome"

    assert api.post(path, "landlord", {"result": "lost"}).status_code == 404
    first = api.post(path, "provider", {"result": "returned_on_time"})
    assert first.status_code == 200, first.text
    assert first.json()["released"] and not first.json()["duplicate"]
    again = api.post(path, "provider", {"result": "returned_on_time"})
    assert again.json()["duplicate"]
    conflict = api.post(path, "provider", {"result": "lost"})
    assert conflict.status_code == 409
    assert count(api.engine, entries, entries.c.kind == "borrowing_returned") == 1


def test_an_unknown_decision_or_result_is_refused(api: Api) -> None:
    assert (
        api.post(
            "/v1/decisions/abc123/outcome", "provider", {"result": "returned_on_time"}
        ).status_code
        == 404
    )
    give_score(api.engine, RESIDENT, 720)
    decision_id = ask(api)["decision_id"]
    bad = api.post(f"/v1/decisions/{decision_id}/outcome", "provider", {"result": "stolen"})
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "result"
    late = api.post(f"/v1/decisions/{decision_id}/outcome", "provider", {"result": "returned_late"})
    assert late.status_code == 422 and late.json()["problems"][0]["field"] == "days_late"


def _batcher(api: Api) -> DecisionBatcher:
    return DecisionBatcher(api.engine, policy=policy_for(api.settings), settings=api.settings)


def _request(amount: str, subject: str = RESIDENT) -> DecisionRequest:
    return DecisionRequest(subject, "bike_deposit", amount, "bench", "bike_operator:hellobike")


def test_concurrent_decisions_share_transactions_and_each_gets_its_own_answer(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    batcher = _batcher(api)

    async def together() -> list[DecisionAnswer]:
        return await asyncio.gather(*(batcher.decide(_request("10")) for _ in range(12)))

    answers = asyncio.run(together())
    assert len({a.decision_id for a in answers}) == 12
    assert batcher.decided == 12 and batcher.batches < 12
    assert count(api.engine, decisions) == 12
    # each decision saw the ones before it: exposure grows within a shared transaction
    assert sum(a.decision.waived_amount for a in answers) <= Decimal(1500)


def test_a_refused_request_in_a_batch_gets_its_error_and_the_others_are_decided_once(
    api: Api,
) -> None:
    give_score(api.engine, RESIDENT, 720)
    batcher = _batcher(api)
    outcomes = batcher.run([_request("10"), _request("99999"), _request("20")])
    assert isinstance(outcomes[1], InputRejected)
    assert [o.decision.granted for o in (outcomes[0], outcomes[2])] == [  # type: ignore[union-attr]
        Decimal("10.00"),
        Decimal("20.00"),
    ]
    assert count(api.engine, decisions) == 2
    assert count(api.engine, entries, entries.c.kind == "deposit_waived") == 2


def test_an_answer_is_exactly_the_published_decision_shape(api: Api) -> None:
    """The route answers without re-validating; this holds it to DecisionPublic."""
    from creditcity.api.schemas import DecisionPublic

    give_score(api.engine, RESIDENT, 720)
    granted = ask(api, "99")
    give_score(api.engine, RESIDENT, 380)
    declined = ask(api, "99")
    assert granted["approved"] and not declined["approved"]
    for answer in (granted, declined):
        assert DecisionPublic.model_validate(answer).model_dump() == answer
