"""What each feature counts, on small hand-built files (DuckDB engine)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.unit.features.entries import ALICE, AS_OF, BOB, consents, disputed, entry, features, one

from creditcity.domain.catalogue import CATALOGUE


def test_late_payments_are_counted_by_severity_and_recency() -> None:
    rows = [
        entry(ALICE, "utility_bill", 10, days_late=0),
        entry(ALICE, "utility_bill", 20, days_late=5),
        entry(ALICE, "rent_payment", 30, days_late=45),
        entry(ALICE, "telecom_bill", 364, days_late=60),
        entry(ALICE, "loan_instalment_paid", 365, days_late=95),
        entry(ALICE, "card_statement", 400, days_late=29, balance=10.0, credit_limit=100.0),
    ]
    got = one(rows)
    assert got["on_time_obligations_12m"] == 1
    assert (got["late_1_29_days_12m"], got["late_1_29_days_ever"]) == (1, 2)
    assert (got["late_30_59_days_12m"], got["late_30_59_days_ever"]) == (1, 1)
    assert (got["late_60_89_days_12m"], got["late_60_89_days_ever"]) == (1, 1)
    assert (got["late_90_plus_days_12m"], got["late_90_plus_days_ever"]) == (0, 1)


def test_months_since_last_delinquency_counts_30_days_late_or_worse_only() -> None:
    rows = [
        entry(ALICE, "utility_bill", 10, days_late=29),
        entry(ALICE, "rent_payment", 100, days_late=30),
        entry(ALICE, "rent_payment", 400, days_late=90),
    ]
    assert one(rows)["months_since_last_delinquency"] == 3
    assert one(rows[:1])["months_since_last_delinquency"] is None


def test_a_lost_borrowing_is_a_delinquency_and_a_late_return_is_counted() -> None:
    rows = [
        entry(ALICE, "borrowing_lost", 61, item="bike"),
        entry(ALICE, "borrowing_returned", 5, item="bike", days_late=2),
        entry(ALICE, "borrowing_returned", 6, item="bike", days_late=0),
    ]
    got = one(rows)
    assert (got["borrowings_lost"], got["borrowings_returned_late"]) == (1, 1)
    assert got["months_since_last_delinquency"] == 2
    assert got["on_time_obligations_ever"] == 1


def test_history_length_runs_from_the_first_record_that_still_counts() -> None:
    rows = [entry(ALICE, "utility_bill", 731, days_late=0), entry(ALICE, "loan_opened", 3)]
    assert one(rows)["history_length_months"] == 24


def test_new_obligations_are_counted_in_the_last_6_and_12_months() -> None:
    rows = [
        entry(ALICE, "loan_opened", 10),
        entry(ALICE, "borrowing_started", 182, item="bike"),
        entry(ALICE, "pay_later_charged", 183, service="pay_later_clinic"),
        entry(ALICE, "deposit_waived", 364, service="bike_deposit"),
        entry(ALICE, "loan_opened", 365),
    ]
    got = one(rows)
    assert (got["new_obligations_6m"], got["new_obligations_12m"]) == (2, 4)


def test_card_utilisation_uses_the_latest_statement_of_each_card() -> None:
    rows = [
        entry(ALICE, "card_statement", 40, ref="c1", balance=900.0, credit_limit=1000.0),
        entry(ALICE, "card_statement", 10, ref="c1", balance=100.0, credit_limit=1000.0),
        entry(ALICE, "card_statement", 10, ref="c2", balance=50.0, credit_limit=500.0),
        # same day as the previous one: the later arrival (higher entry id) wins
        entry(ALICE, "card_statement", 10, ref="c2", balance=250.0, credit_limit=500.0),
    ]
    got = one(rows)
    assert got["card_outstanding_total"] == pytest.approx(350.0)
    assert got["card_limit_total"] == pytest.approx(1500.0)
    assert got["card_utilisation"] == pytest.approx(350.0 / 1500.0)


def test_a_person_without_cards_has_no_utilisation_and_zero_totals() -> None:
    got = one([entry(ALICE, "utility_bill", 1, days_late=0)])
    assert got["card_utilisation"] is None
    assert (got["card_outstanding_total"], got["card_limit_total"]) == (0.0, 0.0)


def test_defaults_are_settled_only_by_a_settlement_of_the_same_loan_on_or_after_it() -> None:
    rows = [
        entry(ALICE, "loan_default", 300, ref="L1"),
        entry(ALICE, "loan_settled", 100, ref="L1"),
        entry(ALICE, "loan_default", 200, ref="L2"),
        entry(ALICE, "loan_settled", 250, ref="L2"),
        entry(ALICE, "loan_default", 50, ref="L3"),
        entry(ALICE, "loan_settled", 40, ref="L9"),
    ]
    got = one(rows)
    assert (got["loan_defaults"], got["loan_defaults_settled"]) == (3, 1)


def test_fines_and_tax_count_as_unpaid_until_paid_after_going_overdue() -> None:
    rows = [
        entry(ALICE, "traffic_fine_overdue", 90, ref="F1"),
        entry(ALICE, "traffic_fine_paid", 80, ref="F1"),
        entry(ALICE, "traffic_fine_overdue", 70, ref="F2"),
        entry(ALICE, "traffic_fine_paid", 75, ref="F2"),
        entry(ALICE, "tax_arrears", 60, ref="T1"),
        entry(ALICE, "tax_paid", 60, ref="T1"),
        entry(ALICE, "tax_arrears", 30, ref="T2"),
    ]
    got = one(rows)
    assert (got["traffic_fines_unpaid"], got["tax_arrears_unpaid"]) == (1, 1)


def test_court_judgments_are_active_until_satisfied() -> None:
    rows = [
        entry(ALICE, "court_judgment", 500, ref="J1"),
        entry(ALICE, "judgment_satisfied", 400, ref="J1"),
        entry(ALICE, "court_judgment", 100, ref="J2"),
    ]
    got = one(rows)
    assert (got["court_judgments_active"], got["court_judgments_satisfied"]) == (1, 1)


def test_public_record_counts() -> None:
    rows = [
        entry(ALICE, "proven_fraud", 10, ref="X"),
        entry(ALICE, "credential_fraud", 10, ref="D"),
        entry(ALICE, "licence_disciplinary", 10, ref="L"),
        entry(ALICE, "licence_disciplinary", 20, ref="M"),
    ]
    got = one(rows)
    assert (got["proven_fraud_count"], got["credential_fraud_count"]) == (1, 1)
    assert got["licence_disciplinary_count"] == 2


@pytest.mark.parametrize("kind", ["loan_default", "court_judgment", "borrowing_lost"])
def test_a_negative_record_stops_counting_on_exactly_the_day_its_retention_ends(
    kind: str,
) -> None:
    retention = CATALOGUE[kind].retention_for(None)
    rows = [entry(ALICE, kind, 0, ref="R1", item="bike"), entry(ALICE, "utility_bill", 0)]
    last_day = AS_OF + timedelta(days=retention - 1)
    counted = {
        "loan_default": "loan_defaults",
        "court_judgment": "court_judgments_active",
        "borrowing_lost": "borrowings_lost",
    }[kind]
    assert one(rows, as_of=last_day)[counted] == 1
    assert one(rows, as_of=last_day + timedelta(days=1))[counted] == 0


def test_a_late_payment_expires_after_5_years_but_an_on_time_one_is_kept_longer() -> None:
    rows = [
        entry(ALICE, "utility_bill", 0, days_late=40),
        entry(ALICE, "utility_bill", 0, days_late=0),
    ]
    kind = CATALOGUE["utility_bill"]
    after_negative = AS_OF + timedelta(days=kind.retention_for(40))
    got = one(rows, as_of=after_negative)
    assert (got["late_30_59_days_ever"], got["on_time_obligations_ever"]) == (0, 1)
    assert kind.retention_for(0) > kind.retention_for(40)


def test_a_record_after_the_as_of_date_does_not_count() -> None:
    rows = [entry(ALICE, "loan_default", -1, ref="L1"), entry(ALICE, "loan_default", 0, ref="L2")]
    assert one(rows)["loan_defaults"] == 1


def test_a_disputed_record_does_not_count_while_the_dispute_is_pending() -> None:
    rows = [entry(ALICE, "court_judgment", 10, ref="J1"), entry(ALICE, "court_judgment", 9)]
    assert one(rows, disputes=disputed([1]))["court_judgments_active"] == 1


def test_a_person_whose_records_are_all_excluded_still_gets_an_empty_row() -> None:
    rows = [entry(ALICE, "utility_bill", 1, days_late=0), entry(BOB, "loan_default", -5)]
    got = features(rows, disputes=disputed([1]))
    assert set(got) == {ALICE, BOB}
    for person in got.values():
        assert person["on_time_obligations_ever"] == 0
        assert person["loan_defaults"] == 0
        assert person["history_length_months"] is None


def _shared(subject: str = ALICE) -> list[dict[str, object]]:
    return [
        entry(subject, "investment_holding", 100, amount=5000.0, ref=None),
        entry(subject, "investment_holding", 10, amount=8000.0, ref=None),
        *(
            entry(subject, "monthly_spending", 30 * m + 1, amount=a, ref=None)
            for m, a in enumerate([1000.0, 1200.0, 800.0, 1000.0])
        ),
    ]


def test_voluntary_data_counts_only_with_an_active_consent_for_its_source() -> None:
    register = consents([(ALICE, "broker:east", 200, None), (ALICE, "bank:west-lake", 200, None)])
    got = one(_shared(), consent=register)
    assert got["investment_holdings_total"] == pytest.approx(6500.0)  # mean of 5000 and 8000
    assert got["monthly_spending_variation"] == pytest.approx(0.141421356, rel=1e-6)
    assert one(_shared())["investment_holdings_total"] is None


def test_withdrawing_consent_removes_the_consent_features_from_the_withdrawal_day() -> None:
    register = consents([(ALICE, "broker:east", 200, 5), (ALICE, "bank:west-lake", 200, 0)])
    got = one(_shared(), consent=register)
    assert got["investment_holdings_total"] is None
    assert got["monthly_spending_variation"] is None
    before = one(_shared(), consent=register, as_of=AS_OF - timedelta(days=6))
    assert before["investment_holdings_total"] == pytest.approx(6500.0)


def test_a_consent_granted_after_the_as_of_date_does_not_count_yet() -> None:
    register = consents([(ALICE, "broker:east", -1, None)])
    assert one(_shared(), consent=register)["investment_holdings_total"] is None


def test_consent_for_one_source_does_not_open_another() -> None:
    register = consents([(ALICE, "broker:west", 200, None), (BOB, "broker:east", 200, None)])
    assert one(_shared(), consent=register)["investment_holdings_total"] is None


def test_spending_variation_needs_three_shared_months() -> None:
    rows = [entry(ALICE, "monthly_spending", d, amount=900.0, ref=None) for d in (1, 31)]
    register = consents([(ALICE, "bank:west-lake", 200, None)])
    assert one(rows, consent=register)["monthly_spending_variation"] is None


def test_voluntary_records_never_lengthen_the_history() -> None:
    register = consents([(ALICE, "broker:east", 2000, None), (ALICE, "bank:west-lake", 2000, None)])
    rows = [*_shared(), entry(ALICE, "utility_bill", 1, days_late=0)]
    assert one(rows, consent=register)["history_length_months"] == 0


def test_a_card_last_reported_more_than_12_months_ago_is_not_counted_as_open() -> None:
    rows = [
        entry(ALICE, "card_statement", 365, ref="old", balance=900.0, credit_limit=1000.0),
        entry(ALICE, "card_statement", 364, ref="new", balance=100.0, credit_limit=400.0),
    ]
    got = one(rows)
    assert (got["card_outstanding_total"], got["card_limit_total"]) == (100.0, 400.0)
    assert got["card_utilisation"] == pytest.approx(0.25)
