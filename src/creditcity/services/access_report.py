"""The subject access report: everything held about a person, and what is done with it.

It lists every record ever received (with its source and legal basis) and
says for each whether it counts today or why not -- expired under the
catalogue's retention, disputed and pending, voluntary without consent,
replaced or withdrawn -- by the same rules the feature engines apply; then
scores with dimensions and reasons, every decision, restrictions and
notices with their appeal route and expiry, disputes with the person's
statements, consents, and every access to the file from the audit chain.
Producing it is itself an access, recorded before the chain is read, so the
report lists itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from creditcity.config import Settings
from creditcity.domain.catalogue import CATALOGUE, CONSENT_KINDS, FIELD_TYPES
from creditcity.domain.policy import Policy
from creditcity.domain.reason_catalogue import DEFAULT_LANG, render_all
from creditcity.domain.restrictions import active_restrictions
from creditcity.ledger import consents as consent_store
from creditcity.ledger import disputes as dispute_store
from creditcity.ledger.audit import chain, record_access
from creditcity.ledger.decisions import adjudicated_records, decisions_of, notices_of
from creditcity.ledger.exclusions import PENDING
from creditcity.ledger.scores import StoredScore, score_history
from creditcity.ledger.subject_file import entries_of, supersessions
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.audit_chain import AuditEvent
from creditcity.services.consent import UNAFFECTED
from creditcity.services.decide import policy_for
from creditcity.services.disputes import sweep, utc_now

PURPOSE = "subject access"
RETRACTED_BY_DISPUTE = "dispute-"


def access_report(
    engine: Engine,
    subject: str,
    *,
    settings: Settings,
    as_of: date | None = None,
    actor: str = "resident",
    output: str = "json",
    lang: str = DEFAULT_LANG,
) -> dict[str, Any]:
    """Everything held about ``subject`` as of ``as_of`` (default today), JSON-ready.

    Score reasons are worded in ``lang`` (``zh`` or ``en``).
    """
    day = as_of or utc_now().date()
    sweep(engine)
    with UnitOfWork(engine) as uow:
        record_access(
            uow.conn,
            actor=actor,
            role="resident",
            purpose=PURPOSE,
            action="report.generated",
            subject=subject,
            detail={"as_of": day.isoformat(), "format": output},
        )
        report = _gather(uow.conn, subject, day, policy_for(settings), lang)
        uow.commit()
    return report


def _gather(conn: Connection, subject: str, day: date, policy: Policy, lang: str) -> dict[str, Any]:
    disputes = dispute_store.listed(conn, subject=subject)
    consent_events = consent_store.events(conn, subject)
    consented = consent_store.active_sources(consent_events, datetime.combine(day, time.max))
    records = classify_records(
        entries_of(conn, subject), supersessions(conn, subject), disputes, consented, day
    )
    counting = [r for r in records if r["counts"]]
    decisions = [plain(asdict(d)) for d in decisions_of(conn, subject)]
    accesses = [_access(row.event) for row in chain(conn, subject)]
    return {
        "subject": subject,
        "as_of": day.isoformat(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "summary": {
            "records": len(records),
            "counting": len(counting),
            "excluded": len(records) - len(counting),
            "decisions": len(decisions),
            "disputes": len(disputes),
            "accesses": len(accesses),
        },
        "records": records,
        "scores": _scores(score_history(conn, subject), policy, lang),
        "decisions": decisions,
        "restrictions": [
            a.as_dict()
            for a in active_restrictions(policy, adjudicated_records(conn, subject), day)
        ],
        "notices": [plain(asdict(n)) for n in notices_of(conn, subject)],
        "disputes": [d.as_dict() for d in disputes],
        "consents": {
            "active": sorted(consented),
            "events": [e.as_dict() for e in consent_events],
            "note": UNAFFECTED,
        },
        "accesses": accesses,
    }


def classify_records(
    rows: list[Mapping[str, Any]],
    replaced: Mapping[tuple[str, str], list[int]],
    disputes: list[dispute_store.DisputeRow],
    consented: set[str],
    day: date,
) -> list[dict[str, Any]]:
    """Each entry with whether it counts on ``day`` and, if not, every reason why.

    The rules are those of :mod:`creditcity.features.sql`: an entry counts if
    it is current (not a retraction, not superseded), occurred on or before
    ``day``, has not expired (``occurred day + retention > day``), is not
    under a pending dispute and, if voluntary, its source holds the person's
    consent at the end of ``day``.
    """
    by_entry: dict[int, list[dispute_store.DisputeRow]] = {}
    for dispute in disputes:
        by_entry.setdefault(dispute.entry_id, []).append(dispute)
    keys = {int(r["entry_id"]): (r["kind"], r["idempotency_key"]) for r in rows}
    return [
        _record(
            row,
            _replacement(replaced.get((row["source"], row["idempotency_key"])), keys),
            by_entry.get(int(row["entry_id"]), []),
            consented,
            day,
        )
        for row in rows
    ]


def _replacement(newer: list[int] | None, keys: Mapping[int, tuple[str, str]]) -> str | None:
    """How an entry was replaced, in words, or None if it is current."""
    if not newer:
        return None
    entry_id = newer[-1]
    kind, key = keys.get(entry_id, ("", ""))
    if kind == "retraction" and key.startswith(RETRACTED_BY_DISPUTE):
        return f"withdrawn after dispute {key.removeprefix(RETRACTED_BY_DISPUTE)} was upheld"
    if kind == "retraction":
        return f"withdrawn by its source (entry {entry_id})"
    return f"corrected by its source (entry {entry_id})"


def _record(
    row: Mapping[str, Any],
    replaced_by: str | None,
    disputes: list[dispute_store.DisputeRow],
    consented: set[str],
    day: date,
) -> dict[str, Any]:
    kind = CATALOGUE.get(row["kind"])
    occurred: datetime = row["occurred_at"]
    keep = kind.retention_for(row["days_late"]) if kind else 0
    expires = occurred.date() + timedelta(days=keep)
    fields = {name: row[name] for name in FIELD_TYPES if row[name] is not None}
    reasons = _exclusions(row, replaced_by, disputes, consented, day, expires)
    return {
        "entry_id": int(row["entry_id"]),
        "source": row["source"],
        "idempotency_key": row["idempotency_key"],
        "kind": row["kind"],
        "description": kind.description if kind else "unknown kind",
        "basis": kind.basis.value if kind else None,
        "dimension": kind.dimension.value if kind else None,
        "occurred_at": occurred.isoformat(),
        "received_at": row["received_at"].isoformat(),
        "city": row["city"],
        "supersedes": row["supersedes"],
        "fields": fields,
        "retention_days": keep,
        "counts_until": expires.isoformat(),
        "purged": expires <= day and not fields and row["city"] is None,
        "counts": not reasons,
        "excluded": reasons,
        # the person's statements stay attached to the record, whatever the outcome
        "disputes": [
            {"dispute_id": d.dispute_id, "status": d.status, "statement": d.statement}
            for d in disputes
        ],
    }


def _exclusions(
    row: Mapping[str, Any],
    replaced_by: str | None,
    disputes: list[dispute_store.DisputeRow],
    consented: set[str],
    day: date,
    expires: date,
) -> list[dict[str, str]]:
    """Every reason the entry does not count on ``day`` (empty: it counts)."""
    reasons: list[dict[str, str]] = []

    def because(code: str, why: str) -> None:
        reasons.append({"code": code, "why": why})

    kind = row["kind"]
    if kind == "retraction":
        because("retraction", f"withdraws the record {row['supersedes']} of {row['source']}")
    elif kind not in CATALOGUE:
        because("unknown-kind", f"'{kind}' is not in the record catalogue")
    if replaced_by:
        because("superseded", replaced_by)
    if row["occurred_at"].date() > day:
        because("future", f"dated after {day.isoformat()}")
    if kind != "retraction" and expires <= day:
        because("expired", f"expired on {expires.isoformat()} (kept {_years(row)})")
    for dispute in disputes:
        if dispute.status == PENDING:
            because(
                "disputed",
                f"under dispute {dispute.dispute_id}, pending until {dispute.deadline:%Y-%m-%d}",
            )
    if kind in CONSENT_KINDS and row["source"] not in consented:
        because("no-consent", f"voluntary record; no active consent for {row['source']}")
    return reasons


def _years(row: Mapping[str, Any]) -> str:
    days = CATALOGUE[row["kind"]].retention_for(row["days_late"])
    return f"{days} days, about {round(days / 365.25)} years"


def _scores(history: list[StoredScore], policy: Policy, lang: str) -> dict[str, Any]:
    shown = [
        {
            "score": s.score,
            "tier": policy.tier_for(s.score).name,
            "percentile": s.percentile,
            "as_of": s.as_of.isoformat(),
            "computed_at": s.computed_at.isoformat(),
            "model_version": s.model_version,
            "city": s.city,
            "dimensions": s.dimensions,
            "reasons": render_all(s.reasons, lang),
        }
        for s in history
    ]
    return {"current": shown[-1] if shown else None, "history": shown[::-1]}


def _access(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "role": event.role,
        "purpose": event.purpose,
        "action": event.action,
        "detail": dict(event.detail),
    }


def plain(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row with dates as ISO text and decimals as numbers, ready for JSON."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, datetime | date):
            out[key] = value.isoformat()
        elif isinstance(value, Decimal):
            out[key] = float(value)
        else:
            out[key] = value
    return out


def render_html(report: Mapping[str, Any]) -> str:
    """The report as one self-contained HTML file (Chinese and English, phone-sized).

    For the command line's ``--html`` and the API's ``format=html``; the portal shows
    ``report.html`` instead, in the reader's language only, inside the site's header.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=PackageLoader("creditcity", "web/templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    return environment.get_template("report_export.html").render(r=report)
