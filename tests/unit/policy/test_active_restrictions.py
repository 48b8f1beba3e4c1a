"""Restrictions follow from adjudicated records alone and lift themselves."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from creditcity.domain.policy import Policy, default_policy
from creditcity.domain.restrictions import AdjudicatedRecord, active_restrictions

COURT = "court:hangzhou-intermediate"
JUDGED = date(2026, 3, 2)


def judgment(ref: str = "J-1", source: str = COURT, on: date = JUDGED) -> AdjudicatedRecord:
    return AdjudicatedRecord("court_judgment", source, ref, on)


def satisfied(ref: str = "J-1", source: str = COURT, on: date = JUDGED) -> AdjudicatedRecord:
    return AdjudicatedRecord("judgment_satisfied", source, ref, on)


def policy() -> Policy:
    return default_policy()


def test_an_unpaid_judgment_restricts_with_its_notice_expiry_and_appeal_route() -> None:
    (active,) = active_restrictions(policy(), [judgment()], date(2026, 4, 1))
    assert active.rule == "unpaid_court_judgment"
    assert active.record_ref == "J-1" and active.source == COURT
    assert "rental_deposit" in active.blocks and "bike_deposit" not in active.blocks
    assert active.expires_on == JUDGED + timedelta(days=1826)
    assert active.appeal_route.en.startswith("Appeal to the issuing court")
    assert "A court judgment (J-1, court:hangzhou-intermediate, 2026-03-02)" in active.notice
    assert active.expires_on.isoformat() in active.notice
    assert "{" not in active.notice


def test_a_satisfied_judgment_lifts_its_restriction_the_same_day() -> None:
    paid_on = date(2026, 5, 10)
    records = [judgment(), satisfied(on=paid_on)]
    assert active_restrictions(policy(), records, paid_on - timedelta(days=1))
    assert active_restrictions(policy(), records, paid_on) == []


def test_satisfying_another_judgment_or_the_same_ref_at_another_court_lifts_nothing() -> None:
    records = [judgment(), satisfied(ref="J-2"), satisfied(source="court:suzhou-basic")]
    assert len(active_restrictions(policy(), records, date(2026, 6, 1))) == 1


def test_a_restriction_lifts_itself_on_its_expiry_date() -> None:
    expiry = JUDGED + timedelta(days=1826)
    assert active_restrictions(policy(), [judgment()], expiry - timedelta(days=1))
    assert active_restrictions(policy(), [judgment()], expiry) == []


def test_proven_fraud_is_not_lifted_by_a_satisfied_judgment_but_does_expire() -> None:
    fraud = AdjudicatedRecord("proven_fraud", COURT, "F-9", JUDGED)
    records = [fraud, AdjudicatedRecord("judgment_satisfied", COURT, "F-9", JUDGED)]
    (active,) = active_restrictions(policy(), records, date(2027, 1, 1))
    assert active.rule == "proven_fraud" and "bike_deposit" in active.blocks
    assert active_restrictions(policy(), records, JUDGED + timedelta(days=1826)) == []


def test_records_dated_after_today_do_not_count_yet() -> None:
    assert active_restrictions(policy(), [judgment()], JUDGED - timedelta(days=1)) == []
    records = [judgment(), satisfied(on=date(2026, 9, 1))]
    assert len(active_restrictions(policy(), records, date(2026, 8, 31))) == 1


def test_record_kinds_no_rule_triggers_on_restrict_nothing() -> None:
    records = [AdjudicatedRecord("loan_default", "bank:west-lake", "L-1", JUDGED)]
    assert active_restrictions(policy(), records, date(2026, 4, 1)) == []


def test_timestamps_count_by_their_calendar_day() -> None:
    records = [
        AdjudicatedRecord("court_judgment", COURT, "J-1", datetime(2026, 3, 2, 9, 30)),
        AdjudicatedRecord("judgment_satisfied", COURT, "J-1", datetime(2026, 7, 1, 23, 59)),
    ]
    assert active_restrictions(policy(), records, date(2026, 3, 2))
    assert active_restrictions(policy(), records, date(2026, 7, 1)) == []


def test_several_judgments_give_several_restrictions_in_a_stable_order() -> None:
    records = [judgment("J-2"), judgment("J-1"), satisfied("J-3")]
    refs = [a.record_ref for a in active_restrictions(policy(), records, date(2026, 4, 1))]
    assert refs == ["J-1", "J-2"]
