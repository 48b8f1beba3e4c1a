"""The fairness audit maths, checked against hand-computed figures and by properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcity.errors import CharterViolation, InputRejected
from creditcity.rights.fairness import (
    BIN_EDGES,
    AuditedPerson,
    fairness_audit,
    refuse_group_labels_in_training,
)


def _people() -> tuple[list[AuditedPerson], dict[str, str]]:
    rows = [
        # group a: bike 3 of 4 approved; rental 1 of 2
        ("a1", 400, {"bike_deposit": True, "rental_deposit": True}),
        ("a2", 500, {"bike_deposit": True, "rental_deposit": False}),
        ("a3", 600, {"bike_deposit": True}),
        ("a4", 700, {"bike_deposit": False}),
        # group b: bike 2 of 5 approved; rental 1 of 1
        ("b1", 350, {"bike_deposit": True}),
        ("b2", 450, {"bike_deposit": False}),
        ("b3", 450, {"bike_deposit": False, "rental_deposit": True}),
        ("b4", 800, {"bike_deposit": True}),
        ("b5", 950, {"bike_deposit": False}),
        ("nobody", 610, {"bike_deposit": True}),
    ]
    people = [AuditedPerson(s, score, d) for s, score, d in rows]
    groups = {s: s[0] for s, _, _ in rows if s != "nobody"}
    return people, groups


def test_score_distributions_per_group_match_the_hand_computation() -> None:
    report = fairness_audit(*_people(), attribute="district")
    a, b = report.groups
    assert (report.attribute, report.unlabelled) == ("district", 1)
    assert (a.group, a.count, a.mean, a.q1, a.median, a.q3) == ("a", 4, 550, 475, 550, 625)
    assert (b.group, b.count, b.mean, b.q1, b.median, b.q3) == ("b", 5, 600, 450, 450, 800)
    assert a.histogram == (0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0)
    assert b.histogram == (1, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0, 1)
    assert BIN_EDGES == (350, 400, 450, 500, 550, 600, 650, 700, 750, 800, 850, 900, 950)


def test_approval_rates_and_adverse_impact_ratios_are_exact() -> None:
    report = fairness_audit(*_people())
    a, b = report.groups
    assert report.services == ("bike_deposit", "rental_deposit")
    bike_a, bike_b = a.services["bike_deposit"], b.services["bike_deposit"]
    assert (bike_a.approvals, bike_a.decisions, bike_a.rate) == (3, 4, 0.75)
    assert (bike_b.approvals, bike_b.decisions, bike_b.rate) == (2, 5, 0.4)
    assert bike_a.impact_ratio == 1.0 and not bike_a.flagged
    assert bike_b.impact_ratio == 8 / 15 and bike_b.flagged  # 0.4 / 0.75
    rent_a, rent_b = a.services["rental_deposit"], b.services["rental_deposit"]
    assert (rent_a.rate, rent_a.impact_ratio, rent_a.flagged) == (0.5, 0.5, True)
    assert (rent_b.rate, rent_b.impact_ratio, rent_b.flagged) == (1.0, 1.0, False)
    assert report.flagged == [("a", "rental_deposit", 0.5), ("b", "bike_deposit", 8 / 15)]


def test_a_ratio_of_exactly_four_fifths_is_not_flagged() -> None:
    people = [AuditedPerson(f"x{i}", 600, {"s": i < 4}) for i in range(5)]
    people += [AuditedPerson(f"y{i}", 600, {"s": True}) for i in range(3)]
    groups = {p.subject: p.subject[0] for p in people}
    x = fairness_audit(people, groups).groups[0].services["s"]
    assert (x.impact_ratio, x.flagged) == (0.8, False)


def test_when_nobody_is_approved_nobody_is_favoured() -> None:
    people = [AuditedPerson("x", 500, {"s": False}), AuditedPerson("y", 500, {"s": False})]
    report = fairness_audit(people, {"x": "x", "y": "y"})
    assert [g.services["s"].impact_ratio for g in report.groups] == [1.0, 1.0]
    assert report.flagged == []


def test_a_group_that_never_used_a_service_has_no_rate_for_it() -> None:
    people = [AuditedPerson("x", 500, {"s": True}), AuditedPerson("y", 500, {})]
    y = fairness_audit(people, {"x": "x", "y": "y"}).groups[1].services["s"]
    assert (y.decisions, y.rate, y.impact_ratio, y.flagged) == (0, None, None, False)


def test_the_report_serialises_to_plain_json_types() -> None:
    body = fairness_audit(*_people()).as_dict()
    assert body["groups"][1]["services"]["bike_deposit"]["impact_ratio"] == 8 / 15
    assert body["flagged"][0] == ["a", "rental_deposit", 0.5]


@pytest.mark.parametrize("score", [349, 951, float("nan")])
def test_a_score_off_the_scale_is_rejected_with_its_subject(score: float) -> None:
    with pytest.raises(InputRejected, match="outside the scale") as caught:
        fairness_audit([AuditedPerson("p1", score, {})], {"p1": "a"})
    assert caught.value.problems[0].where == "subject p1"


def test_a_person_listed_twice_is_rejected() -> None:
    twice = [AuditedPerson("p1", 500, {}), AuditedPerson("p1", 600, {})]
    with pytest.raises(InputRejected, match="appears twice"):
        fairness_audit(twice, {"p1": "a"})


people_strategy = st.lists(
    st.tuples(
        st.sampled_from(["g1", "g2", "g3", None]),
        st.integers(350, 950),
        st.dictionaries(st.sampled_from(["bike", "rent", "clinic"]), st.booleans(), max_size=3),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(people_strategy)
def test_impact_ratios_lie_in_0_1_and_the_best_group_scores_1(
    rows: list[tuple[str | None, int, dict[str, bool]]],
) -> None:
    people = [AuditedPerson(f"p{i}", score, d) for i, (_, score, d) in enumerate(rows)]
    groups = {f"p{i}": g for i, (g, _, _) in enumerate(rows) if g is not None}
    report = fairness_audit(people, groups)
    assert report.unlabelled == sum(g is None for g, _, _ in rows)
    assert sum(g.count for g in report.groups) == len(groups)
    for group in report.groups:
        assert sum(group.histogram) == group.count
        assert group.q1 <= group.median <= group.q3
    for service in report.services:
        used = [g.services[service] for g in report.groups if g.services[service].decisions]
        for rate in used:
            assert rate.impact_ratio is not None and 0.0 <= rate.impact_ratio <= 1.0
            assert rate.flagged == (rate.impact_ratio < 0.8)
        best = max(r.rate or 0.0 for r in used)
        assert all(r.impact_ratio == 1.0 for r in used if r.rate == best)


def test_a_training_table_with_a_group_label_is_refused_naming_each_column() -> None:
    with pytest.raises(CharterViolation, match="group labels: Group, district") as caught:
        refuse_group_labels_in_training(
            ["days_late_max", "Group", "district "], ["group", "district"]
        )
    assert [p.field for p in caught.value.problems] == ["Group", "district "]
    assert "only to the fairness audit, never to a model" in caught.value.problems[0].message


def test_a_training_table_without_group_labels_passes() -> None:
    refuse_group_labels_in_training(["days_late_max", "balance_ratio"], ["district"])
