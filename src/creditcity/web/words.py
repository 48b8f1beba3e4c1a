"""Ids the portal shows in words: record kinds, fields, items, sources, statuses, actions.

The ledger, the catalogue and the policy speak in ids (``pay_later_paid``,
``days_late``, ``bank:west-lake``, ``report.generated``); a person never
should. Each table maps an id to an English message id marked with
:func:`N_`, so Babel extracts it into the portal's catalogue and the page
shows it in the reader's language. An id missing here is a bug a test
finds (every catalogue kind, field and policy service must have words).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "ACTIONS",
    "BASES",
    "CITIES",
    "CONSENT_ACTIONS",
    "DECISION_CODES",
    "DIMENSIONS",
    "DISPUTE_STATUSES",
    "EXCLUSIONS",
    "FEATURES",
    "FIELDS",
    "ITEMS",
    "KINDS",
    "N_",
    "PURPOSES",
    "ROLES",
    "SERVICES",
    "SERVICE_KINDS",
    "SOURCE_ROLES",
    "TIERS",
]


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


def _table(pairs: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(pairs))


DIMENSIONS = _table(
    {
        "payment_history": N_("Payment history"),
        "obligations_capacity": N_("Obligations and capacity"),
        "history_length": N_("History length"),
        "new_obligations": N_("New obligations"),
        "public_records": N_("Public records"),
        "unassigned": N_("Other"),
    }
)

BASES = _table(
    {
        "statutory": N_("required by law"),
        "contract": N_("credit you took"),
        "consent": N_("shared with your consent"),
    }
)

SERVICE_KINDS = _table(
    {
        "deposit_waiver": N_("Deposit waived"),
        "fee_waiver": N_("Fee waived"),
        "pay_later": N_("Pay later"),
    }
)

CONSENT_ACTIONS = _table({"grant": N_("granted"), "withdraw": N_("withdrawn")})

SERVICES = _table(
    {
        "bike_deposit": N_("Bike deposit"),
        "power_bank_deposit": N_("Power-bank deposit"),
        "umbrella_deposit": N_("Umbrella deposit"),
        "library_deposit": N_("Library deposit"),
        "rental_deposit": N_("Rental deposit"),
        "agency_fee": N_("Agency fee"),
        "pay_later_clinic": N_("Clinic: pay later"),
        "pay_later_transit": N_("Transit: pay later"),
        "pay_later_public_office": N_("Public office: pay later"),
    }
)

TIERS = _table(
    {
        "building": N_("Building"),
        "fair": N_("Fair"),
        "good": N_("Good"),
        "very_good": N_("Very good"),
        "excellent": N_("Excellent"),
        "thin_file": N_("No score yet"),
    }
)

KINDS = _table(
    {
        "loan_opened": N_("Loan opened"),
        "loan_instalment_paid": N_("Loan instalment paid"),
        "loan_default": N_("Loan in default"),
        "loan_settled": N_("Loan repaid or default settled"),
        "card_statement": N_("Credit-card statement"),
        "utility_bill": N_("Utility bill"),
        "telecom_bill": N_("Phone bill"),
        "rent_payment": N_("Rent payment"),
        "tax_assessed": N_("Tax assessed"),
        "tax_paid": N_("Tax paid"),
        "tax_arrears": N_("Tax in arrears"),
        "traffic_fine_issued": N_("Traffic fine issued"),
        "traffic_fine_paid": N_("Traffic fine paid"),
        "traffic_fine_overdue": N_("Traffic fine overdue"),
        "court_judgment": N_("Court judgment to pay"),
        "judgment_satisfied": N_("Court judgment satisfied"),
        "proven_fraud": N_("Fraud proven by a court"),
        "credential_verified": N_("Academic credential verified"),
        "credential_fraud": N_("Academic credential found false"),
        "licence_disciplinary": N_("Licensing body disciplinary decision"),
        "borrowing_started": N_("Shared item borrowed"),
        "borrowing_returned": N_("Borrowed item returned"),
        "borrowing_lost": N_("Borrowed item lost or not returned"),
        "deposit_waived": N_("Deposit waived"),
        "pay_later_charged": N_("Pay-later charge"),
        "pay_later_paid": N_("Pay-later charge paid"),
        "pay_later_overdue": N_("Pay-later charge overdue"),
        "investment_holding": N_("Investment holdings (voluntary)"),
        "monthly_spending": N_("Monthly spending total (voluntary)"),
        "retraction": N_("Record withdrawn by its source"),
    }
)

FIELDS = _table(
    {
        "ref": N_("Reference"),
        "amount": N_("Amount"),
        "balance": N_("Balance"),
        "credit_limit": N_("Credit limit"),
        "days_late": N_("Days late"),
        "item": N_("Item"),
        "service": N_("Service"),
        # fields of the portal's own forms, named in error messages
        "source": N_("Source"),
        "statement": N_("Say what is wrong"),
        "entry": N_("Record"),
        "days": N_("Valid for (days)"),
        "audience": N_("For whom"),
        "settle": N_("Records to settle"),
        "note": N_("Resolution note"),
        "token": N_("Certificate"),
        "file": N_("File"),
    }
)

ITEMS = _table(
    {
        "bike": N_("bike"),
        "power_bank": N_("power bank"),
        "umbrella": N_("umbrella"),
        "library_book": N_("library book"),
        "other": N_("other item"),
    }
)

SOURCE_ROLES = _table(
    {
        "bank": N_("Bank"),
        "lender": N_("Lender"),
        "card_issuer": N_("Card issuer"),
        "utility": N_("Utility company"),
        "telecom": N_("Phone company"),
        "landlord_platform": N_("Rental platform"),
        "tax_office": N_("Tax office"),
        "traffic_police": N_("Traffic police"),
        "court": N_("Court"),
        "university_registry": N_("University registry"),
        "licensing_body": N_("Licensing body"),
        "bike_operator": N_("Bike sharing"),
        "power_bank_operator": N_("Power-bank kiosks"),
        "umbrella_operator": N_("Umbrella sharing"),
        "library": N_("Library"),
        "clinic": N_("Clinic"),
        "transit": N_("Transit"),
        "public_office": N_("Public office"),
        "broker": N_("Broker"),
        "creditcity": N_("City credit office"),
        "operator": N_("City credit office"),
        "resident": N_("You"),
        "provider": N_("Service provider"),
        "source": N_("Data source"),
    }
)

ROLES = _table(
    {
        "resident": N_("resident"),
        "operator": N_("credit office"),
        "provider": N_("service provider"),
        "source": N_("data source"),
        "system": N_("the system"),
    }
)

DISPUTE_STATUSES = _table(
    {
        "pending": N_("being looked at"),
        "upheld": N_("upheld: the record was withdrawn"),
        "rejected": N_("rejected: the record counts again"),
    }
)

ACTIONS = _table(
    {
        "show": N_("looked at your score"),
        "report.generated": N_("opened your full file"),
        "decide": N_("asked for a decision"),
        "outcome": N_("reported how a borrowing ended"),
        "dispute.opened": N_("a dispute was opened"),
        "dispute.resolved": N_("a dispute was answered"),
        "dispute.listed": N_("looked at disputes"),
        "consent.listed": N_("looked at your consents"),
        "consent.changed": N_("your consents changed"),
        "consent.granted": N_("you gave a consent"),
        "consent.withdrawn": N_("you withdrew a consent"),
        "dispute.upheld": N_("a dispute was upheld"),
        "dispute.rejected": N_("a dispute was rejected"),
        "restrictions.listed": N_("looked at restrictions"),
        "federation.batch_received": N_("records came from another city"),
        "certificate.issued": N_("a certificate was issued"),
        "certificate.revoked": N_("a certificate was revoked"),
        "fairness.audited": N_("fairness audit"),
        "purge": N_("expired records removed"),
    }
)

PURPOSES = _table(
    {
        "resident portal: my own score": N_("you looked at your own score"),
        "subject access": N_("you asked to see your file"),
        "fairness audit": N_("fairness audit of the city"),
        "retention purge": N_("removing expired records"),
    }
)

EXCLUSIONS = _table(
    {
        "retraction": N_("It withdraws an earlier record."),
        "unknown-kind": N_("Not a kind of record the catalogue knows."),
        "superseded": N_("Replaced by a newer record from its source."),
        "future": N_("Dated in the future."),
        "expired": N_("Too old: it no longer counts."),
        "disputed": N_("Under dispute: it does not count until the dispute is answered."),
        "no-consent": N_("Voluntary, and you have not consented to this source."),
    }
)

FEATURES = _table(
    {
        "on_time_obligations_12m": N_("Obligations met on time in the last 12 months"),
        "on_time_obligations_ever": N_("Obligations met on time on file"),
        "late_1_29_days_12m": N_("Payments 1–29 days late in the last 12 months"),
        "late_30_59_days_12m": N_("Payments 30–59 days late in the last 12 months"),
        "late_60_89_days_12m": N_("Payments 60–89 days late in the last 12 months"),
        "late_90_plus_days_12m": N_("Payments 90 or more days late in the last 12 months"),
        "late_1_29_days_ever": N_("Payments 1–29 days late on file"),
        "late_30_59_days_ever": N_("Payments 30–59 days late on file"),
        "late_60_89_days_ever": N_("Payments 60–89 days late on file"),
        "late_90_plus_days_ever": N_("Payments 90 or more days late on file"),
        "months_since_last_delinquency": N_("Months since the last serious late payment"),
        "loan_defaults": N_("Loans in default"),
        "loan_defaults_settled": N_("Defaulted loans settled"),
        "borrowings_returned_late": N_("Shared items returned late"),
        "borrowings_lost": N_("Shared items lost or not returned"),
        "pay_later_overdue": N_("Pay-later charges overdue"),
        "card_utilisation": N_("Share of card limits in use"),
        "card_outstanding_total": N_("Owed on cards"),
        "card_limit_total": N_("Card limits in total"),
        "investment_holdings_total": N_("Investment holdings shared"),
        "monthly_spending_variation": N_("How much monthly spending varies"),
        "history_length_months": N_("Length of your credit history"),
        "new_obligations_6m": N_("New obligations in the last 6 months"),
        "new_obligations_12m": N_("New obligations in the last 12 months"),
        "traffic_fines_unpaid": N_("Unpaid traffic fines"),
        "tax_arrears_unpaid": N_("Unpaid tax arrears"),
        "court_judgments_active": N_("Court judgments not yet satisfied"),
        "court_judgments_satisfied": N_("Court judgments satisfied"),
        "proven_fraud_count": N_("Frauds proven by a court"),
        "credential_fraud_count": N_("False academic credentials"),
        "licence_disciplinary_count": N_("Licence disciplinary decisions"),
    }
)

DECISION_CODES = _table(
    {
        "RESTRICTED": N_("A restriction blocks this service."),
        "TIER-TOO-LOW": N_("Your tier is below the one this service needs."),
        "THIN-FILE": N_("No score yet: too few records."),
        "TIER-LIMIT": N_("Cut to the most your tier allows."),
        "SERVICE-LIMIT": N_("Cut to the most this service allows."),
        "EXPOSURE-CAP": N_("Cut to what is left under your limit for money owed back."),
        "PH": N_("Your payment history kept the score down."),
        "OC": N_("What you owe against your limits kept the score down."),
        "HL": N_("A short credit history kept the score down."),
        "NO": N_("Many new obligations kept the score down."),
        "PR": N_("Public records kept the score down."),
        "GN": N_("Other factors kept the score down."),
    }
)

CITIES = _table(
    {
        "hangzhou": N_("Hangzhou"),
        "beijing": N_("Beijing"),
        "shanghai": N_("Shanghai"),
        "suzhou": N_("Suzhou"),
        "guangzhou": N_("Guangzhou"),
        "shenzhen": N_("Shenzhen"),
        "chengdu": N_("Chengdu"),
        "wuhan": N_("Wuhan"),
    }
)

VERDICTS = _table(
    {
        "valid": N_("Valid: a genuine certificate of this city, not revoked, not expired."),
        "signature": N_(
            "Not valid: the signature does not match. It was changed or not issued by this city."
        ),
        "expired": N_("Not valid: it has expired. Ask the holder for a new one."),
        "revoked": N_("Not valid: its holder revoked it."),
        "audience": N_("Not valid: it was issued for someone else."),
        "clock": N_("Not valid: it is dated in the future; a clock is wrong."),
    }
)
