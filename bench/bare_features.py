"""The batch benchmark's bare engine: the same aggregates, hand-written as one DuckDB query.

What a data engineer would write to get every feature of the registry from a
Parquet export of live entries with no disputes and no consents on file,
without creditcity: kind lists and retention typed out by hand, one pass
grouped by subject with conditional aggregates, one group-by per open card
and per case, joined back per subject. ``tests/unit/features/
test_bare_baseline.py`` proves it computes what ``compute_features`` does,
so the ratio in ``bench_score`` compares equal work.

Consent-based features are NULL here because the export carries no consents
(voluntary records then never count).
"""

from __future__ import annotations

PAYMENT = (
    "'loan_instalment_paid', 'utility_bill', 'telecom_bill', 'rent_payment', 'card_statement',"
    " 'pay_later_paid'"
)
RATED = f"{PAYMENT}, 'borrowing_returned'"
NEW = "'loan_opened', 'borrowing_started', 'pay_later_charged', 'deposit_waived'"
FIVE_YEARS = (
    "'loan_default', 'tax_arrears', 'traffic_fine_overdue', 'court_judgment', 'proven_fraud',"
    " 'credential_fraud', 'licence_disciplinary', 'borrowing_lost', 'pay_later_overdue'"
)
KNOWN = (
    f"{RATED}, {NEW}, {FIVE_YEARS}, 'loan_settled', 'tax_assessed', 'tax_paid',"
    " 'traffic_fine_issued', 'traffic_fine_paid', 'judgment_satisfied', 'credential_verified'"
)

QUERY = """
WITH kinds AS (
  SELECT kind,
         kind IN ({payment}) AS payment,
         kind IN ({rated}) AS rated,
         kind IN ({new}) AS new_obligation,
         kind IN ('loan_default', 'borrowing_lost', 'pay_later_overdue') AS delinquency,
         CASE WHEN kind IN ({five_years}) THEN 1826 ELSE 3652 END AS keep_on_time,
         CASE WHEN kind IN ({five_years}) OR kind IN ({rated}) THEN 1826 ELSE 3652 END
           AS keep_late
  FROM (SELECT UNNEST([{known}]) AS kind)
),
e AS (
  SELECT e.subject, e.source, e.ref, e.balance, e.credit_limit, e.days_late, e.entry_id, e.day,
         k.kind, k.payment, k.rated, k.new_obligation, k.delinquency
  FROM (SELECT subject, source, ref, kind, balance, credit_limit, days_late, entry_id,
               CAST(occurred_at AS DATE) - DATE '1970-01-01' AS day
        FROM read_parquet('{path}')) e
  LEFT JOIN kinds k ON e.kind = k.kind AND e.day <= {d}
   AND e.day + CASE WHEN e.days_late > 0 THEN k.keep_late ELSE k.keep_on_time END > {d}
),
per_subject AS (
  SELECT subject,
    COUNT(CASE WHEN rated AND days_late = 0 AND day > {d} - 365 THEN 1 END) AS on_time_12m,
    COUNT(CASE WHEN rated AND days_late = 0 THEN 1 END) AS on_time_ever,
    COUNT(CASE WHEN payment AND days_late BETWEEN 1 AND 29 AND day > {d} - 365 THEN 1 END) AS l1_12,
    COUNT(CASE WHEN payment AND days_late BETWEEN 30 AND 59 AND day > {d} - 365 THEN 1 END)
      AS l30_12,
    COUNT(CASE WHEN payment AND days_late BETWEEN 60 AND 89 AND day > {d} - 365 THEN 1 END)
      AS l60_12,
    COUNT(CASE WHEN payment AND days_late >= 90 AND day > {d} - 365 THEN 1 END) AS l90_12,
    COUNT(CASE WHEN payment AND days_late BETWEEN 1 AND 29 THEN 1 END) AS l1_ever,
    COUNT(CASE WHEN payment AND days_late BETWEEN 30 AND 59 THEN 1 END) AS l30_ever,
    COUNT(CASE WHEN payment AND days_late BETWEEN 60 AND 89 THEN 1 END) AS l60_ever,
    COUNT(CASE WHEN payment AND days_late >= 90 THEN 1 END) AS l90_ever,
    MAX(CASE WHEN (rated AND days_late >= 30) OR delinquency THEN day END) AS delinquent_day,
    COUNT(CASE WHEN kind = 'borrowing_returned' AND days_late > 0 THEN 1 END) AS returned_late,
    COUNT(CASE WHEN kind = 'borrowing_lost' THEN 1 END) AS lost,
    COUNT(CASE WHEN kind = 'pay_later_overdue' THEN 1 END) AS pay_later_overdue,
    MIN(day) FILTER (WHERE kind IS NOT NULL) AS first_day,
    COUNT(CASE WHEN new_obligation AND day > {d} - 183 THEN 1 END) AS new_6m,
    COUNT(CASE WHEN new_obligation AND day > {d} - 365 THEN 1 END) AS new_12m,
    COUNT(CASE WHEN kind = 'proven_fraud' THEN 1 END) AS fraud,
    COUNT(CASE WHEN kind = 'credential_fraud' THEN 1 END) AS credential_fraud,
    COUNT(CASE WHEN kind = 'licence_disciplinary' THEN 1 END) AS disciplinary
  FROM e GROUP BY subject
),
cards AS (
  SELECT subject, SUM(balance) AS balance, SUM(credit_limit) AS credit_limit
  FROM (SELECT subject, MAX_BY(balance, day * 1000000000000 + entry_id) AS balance,
               MAX_BY(credit_limit, day * 1000000000000 + entry_id) AS credit_limit
        FROM e WHERE kind = 'card_statement' AND day > {d} - 365
        GROUP BY subject, source, ref)
  GROUP BY subject
),
cases AS (
  SELECT subject,
    COUNT(defaulted) AS defaults,
    COUNT(CASE WHEN settled >= defaulted THEN 1 END) AS defaults_settled,
    COUNT(CASE WHEN overdue IS NOT NULL AND NOT COALESCE(fine_paid >= overdue, FALSE) THEN 1 END)
      AS fines_unpaid,
    COUNT(CASE WHEN arrears IS NOT NULL AND NOT COALESCE(tax_paid >= arrears, FALSE) THEN 1 END)
      AS arrears_unpaid,
    COUNT(CASE WHEN judged IS NOT NULL AND NOT COALESCE(satisfied >= judged, FALSE) THEN 1 END)
      AS judgments_active,
    COUNT(CASE WHEN satisfied >= judged THEN 1 END) AS judgments_satisfied
  FROM (SELECT subject,
          MAX(day) FILTER (WHERE kind = 'loan_default') AS defaulted,
          MAX(day) FILTER (WHERE kind = 'loan_settled') AS settled,
          MAX(day) FILTER (WHERE kind = 'traffic_fine_overdue') AS overdue,
          MAX(day) FILTER (WHERE kind = 'traffic_fine_paid') AS fine_paid,
          MAX(day) FILTER (WHERE kind = 'tax_arrears') AS arrears,
          MAX(day) FILTER (WHERE kind = 'tax_paid') AS tax_paid,
          MAX(day) FILTER (WHERE kind = 'court_judgment') AS judged,
          MAX(day) FILTER (WHERE kind = 'judgment_satisfied') AS satisfied
        FROM e
        WHERE kind IN ('loan_default', 'loan_settled', 'traffic_fine_overdue',
                       'traffic_fine_paid', 'tax_arrears', 'tax_paid', 'court_judgment',
                       'judgment_satisfied')
        GROUP BY subject, source, ref)
  GROUP BY subject
)
SELECT s.subject,
  s.on_time_12m AS on_time_obligations_12m, s.on_time_ever AS on_time_obligations_ever,
  s.l1_12 AS late_1_29_days_12m, s.l30_12 AS late_30_59_days_12m,
  s.l60_12 AS late_60_89_days_12m, s.l90_12 AS late_90_plus_days_12m,
  s.l1_ever AS late_1_29_days_ever, s.l30_ever AS late_30_59_days_ever,
  s.l60_ever AS late_60_89_days_ever, s.l90_ever AS late_90_plus_days_ever,
  CAST(FLOOR(({d} - s.delinquent_day) / 30.4375) AS BIGINT) AS months_since_last_delinquency,
  COALESCE(c.defaults, 0) AS loan_defaults,
  COALESCE(c.defaults_settled, 0) AS loan_defaults_settled,
  s.returned_late AS borrowings_returned_late, s.lost AS borrowings_lost,
  s.pay_later_overdue AS pay_later_overdue,
  k.balance / NULLIF(k.credit_limit, 0) AS card_utilisation,
  COALESCE(k.balance, 0) AS card_outstanding_total, COALESCE(k.credit_limit, 0) AS card_limit_total,
  CAST(NULL AS DOUBLE) AS investment_holdings_total,
  CAST(NULL AS DOUBLE) AS monthly_spending_variation,
  CAST(FLOOR(({d} - s.first_day) / 30.4375) AS BIGINT) AS history_length_months,
  s.new_6m AS new_obligations_6m, s.new_12m AS new_obligations_12m,
  COALESCE(c.fines_unpaid, 0) AS traffic_fines_unpaid,
  COALESCE(c.arrears_unpaid, 0) AS tax_arrears_unpaid,
  COALESCE(c.judgments_active, 0) AS court_judgments_active,
  COALESCE(c.judgments_satisfied, 0) AS court_judgments_satisfied,
  s.fraud AS proven_fraud_count, s.credential_fraud AS credential_fraud_count,
  s.disciplinary AS licence_disciplinary_count
FROM per_subject s
LEFT JOIN cards k ON s.subject = k.subject
LEFT JOIN cases c ON s.subject = c.subject
"""


def bare_features_sql(path: str, as_of_day: int) -> str:
    """The hand-written query over one Parquet file (or glob) as of a day number."""
    return QUERY.format(
        payment=PAYMENT,
        rated=RATED,
        new=NEW,
        five_years=FIVE_YEARS,
        known=KNOWN,
        path=path.replace("'", "''"),
        d=int(as_of_day),
    )
