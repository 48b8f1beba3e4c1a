"""Properties of the features over random files: what may and may not move them."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.features.entries import ALICE, BOB, consents, disputed, entry, features

from creditcity.domain.catalogue import CATALOGUE, CONSENT_KINDS, ITEMS, SERVICE_IDS, Polarity
from creditcity.features import FEATURES

PEOPLE = (ALICE, BOB)
KINDS = sorted(k for k in CATALOGUE if k != "retraction")
RATED = sorted(k for k in KINDS if CATALOGUE[k].polarity is Polarity.BY_LATENESS)
LATE = [f for f in FEATURES if f.startswith("late_")]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def records(draw: st.DrawFn, *, kinds: list[str] = KINDS, earliest: int = 0) -> dict[str, Any]:
    """One record about Alice or Bob within ~7 years before the as-of date."""
    kind = draw(st.sampled_from(kinds))
    rated = CATALOGUE[kind].polarity is Polarity.BY_LATENESS
    return entry(
        draw(st.sampled_from(PEOPLE)),
        kind,
        draw(st.integers(earliest, 2600)),
        ref=None if kind in CONSENT_KINDS else draw(st.sampled_from(["r1", "r2", "r3"])),
        amount=draw(st.floats(0, 20_000).map(lambda x: round(x, 2))),
        balance=draw(st.floats(0, 5_000).map(lambda x: round(x, 2))),
        credit_limit=draw(st.sampled_from([1_000.0, 5_000.0])),
        days_late=draw(st.sampled_from([0, 0, 3, 31, 65, 120])) if rated else None,
        item=draw(st.sampled_from(ITEMS)),
        service=draw(st.sampled_from(SERVICE_IDS)),
    )


def files(**kwargs: Any) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Random files in which both people always have at least one record."""
    anchors = [entry(p, "utility_bill", 1, days_late=0) for p in PEOPLE]
    return st.lists(records(**kwargs), max_size=25).map(lambda rows: anchors + rows)


SHARING = consents([(ALICE, "bank:west-lake", 3000, None), (BOB, "broker:east", 3000, None)])


def same(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> None:
    """Equal feature tables: integers exactly, floats up to summation order."""
    assert a.keys() == b.keys()
    for subject in a:
        for name, value in a[subject].items():
            other = b[subject][name]
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-9), (subject, name)
            else:
                assert value == other, (subject, name)


@SETTINGS
@given(files(), records(kinds=RATED))
def test_an_on_time_record_never_adds_to_late_counts(
    rows: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    on_time = {**extra, "days_late": 0}
    before, after = features(rows), features([*rows, on_time])
    for person in PEOPLE:
        assert all(after[person][f] == before[person][f] for f in LATE)
        on_time = "on_time_obligations_ever"
        assert after[person][on_time] >= before[person][on_time]
        assert (
            after[person]["months_since_last_delinquency"]
            == before[person]["months_since_last_delinquency"]
        )


@SETTINGS
@given(files(), records(), st.integers(1, 400))
def test_a_record_after_the_as_of_date_changes_nothing(
    rows: list[dict[str, Any]], extra: dict[str, Any], days_after: int
) -> None:
    future = entry(
        extra.pop("subject"),
        extra.pop("kind"),
        -days_after,
        **{k: v for k, v in extra.items() if k not in ("occurred_at", "received_at")},
    )
    same(features([*rows, future], consent=SHARING), features(rows, consent=SHARING))


@SETTINGS
@given(files(), records())
def test_a_disputed_record_gives_the_same_features_as_no_record(
    rows: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    with_it = features([*rows, extra], disputes=disputed([len(rows) + 1]), consent=SHARING)
    same(with_it, features(rows, consent=SHARING))


@SETTINGS
@given(files(), records(), st.integers(0, 400))
def test_an_expired_record_gives_the_same_features_as_no_record(
    rows: list[dict[str, Any]], extra: dict[str, Any], beyond: int
) -> None:
    kind = CATALOGUE[extra["kind"]]
    old = entry(
        extra.pop("subject"),
        extra.pop("kind"),
        kind.retention_for(extra["days_late"]) + beyond,
        **{k: v for k, v in extra.items() if k not in ("occurred_at", "received_at")},
    )
    same(features([*rows, old], consent=SHARING), features(rows, consent=SHARING))


@SETTINGS
@given(files(), records(kinds=sorted(CONSENT_KINDS)))
def test_a_voluntary_record_without_consent_gives_the_same_features_as_no_record(
    rows: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    unshared = {**extra, "source": "bank:unshared"}
    same(features([*rows, unshared], consent=SHARING), features(rows, consent=SHARING))


@SETTINGS
@given(files())
def test_granting_consent_changes_only_one_sided_features(rows: list[dict[str, Any]]) -> None:
    without, shared = features(rows), features(rows, consent=SHARING)
    for person in PEOPLE:
        for name, feature in FEATURES.items():
            if not feature.one_sided:
                assert shared[person][name] == without[person][name], name


@SETTINGS
@given(files(), st.randoms(use_true_random=False))
def test_the_order_of_entries_in_the_file_does_not_matter(
    rows: list[dict[str, Any]], random: Any
) -> None:
    numbered = [{"entry_id": i + 1, **row} for i, row in enumerate(rows)]
    shuffled = list(numbered)
    random.shuffle(shuffled)
    from tests.unit.features.entries import ENTRY_SCHEMA, pa

    one = features(pa.Table.from_pylist(numbered, schema=ENTRY_SCHEMA), consent=SHARING)
    two = features(pa.Table.from_pylist(shuffled, schema=ENTRY_SCHEMA), consent=SHARING)
    same(one, two)
