"""What a key may be for: each bad field is named with what to write instead."""

from __future__ import annotations

import pytest

from creditcity.domain.principals import Role, Scope
from creditcity.services.key_specs import KeySpec, check_spec


def test_a_source_key_gets_its_roles_default_scopes() -> None:
    spec = check_spec(role="source", principal="bank:west-lake", scopes=None)
    assert isinstance(spec, KeySpec)
    assert spec.role is Role.SOURCE and spec.scopes == {Scope.RECORDS_WRITE}


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"role": "banker", "principal": "bank:west-lake"}, "role"),
        ({"role": "source", "principal": "fortune_teller:anju"}, "principal"),
        ({"role": "operator", "principal": "bank:office"}, "principal"),
        ({"role": "resident", "principal": "resident:bob"}, "principal"),
        ({"role": "source", "principal": "bank:x", "scopes": ["everything"]}, "scopes"),
        ({"role": "source", "principal": "bank:x", "services": ["bike_deposit"]}, "services"),
        (
            {"role": "provider", "principal": "bike_operator:x", "services": ["Bad Name"]},
            "services",
        ),
    ],
)
def test_a_bad_field_is_named_with_the_fix(fields: dict[str, object], named: str) -> None:
    found = check_spec(**{"scopes": None, **fields})  # type: ignore[arg-type]
    assert isinstance(found, list) and [p.field for p in found] == [named]
    assert all(p.expected for p in found)


def test_a_provider_service_must_be_one_the_policy_offers() -> None:
    found = check_spec(
        role="provider",
        principal="bike_operator:hellobike",
        scopes=None,
        services=["moon_rental"],
        known_services={"bike_deposit", "rental_deposit"},
    )
    assert isinstance(found, list)
    assert found[0].field == "services" and "bike_deposit" in found[0].expected
