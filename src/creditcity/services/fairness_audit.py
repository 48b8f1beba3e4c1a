"""The fairness audit on stored scores and decisions, with group labels held only in memory.

The operator brings a file of group labels (national ID or pseudonym, and a
label column); the labels are pseudonymised and joined to current scores
and each person's latest decision per service, handed to
:func:`creditcity.rights.fairness.fairness_audit`, and dropped. Nothing about
a label is written anywhere: the audit log records that an audit ran and on
how many people, never the groups or anyone's label.

:func:`audit_policy_fairness` adds the policy-level view
(:mod:`creditcity.rights.fairness_policy`): every labelled resident, scored
or not, is judged eligible or not for every service by the active policy,
and with an outcomes file the scores' calibration per group is checked.
:func:`audit_fairness_upload` does all of it from an uploaded file's bytes
(for the portal, which must never name a server path).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection, Engine

from creditcity.config import Settings, get_settings
from creditcity.domain.subjects import NATIONAL_ID_FORM, is_national_id, is_pseudonym, pseudonymise
from creditcity.errors import InputRejected, Problem
from creditcity.ledger.audit import record_access
from creditcity.ledger.models import active_model
from creditcity.ledger.scores import current_scores
from creditcity.ledger.subject_file import latest_decisions
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.fairness import AuditedPerson, FairnessReport, fairness_audit
from creditcity.rights.fairness_policy import MIN_GROUP, PolicyFairness, Resident, policy_fairness
from creditcity.scoring.artefact import ModelArtefact

MAX_PROBLEMS = 50


def read_groups(path: Path, *, secret: str, attribute: str = "group") -> dict[str, str]:
    """``subject -> label`` from a Parquet or CSV file with national_id (or subject) + label."""
    return _groups_of(_read(path, attribute), str(path), secret, attribute)


def read_groups_bytes(
    data: bytes | BinaryIO, *, secret: str, attribute: str = "group", name: str = "upload"
) -> dict[str, str]:
    """``subject -> label`` from uploaded bytes: Parquet (told by its magic) or CSV."""
    raw = data if isinstance(data, bytes) else data.read()
    try:
        if raw[:4] == b"PAR1":
            import pyarrow.parquet as pq

            table = pq.read_table(pa.BufferReader(raw))
        else:
            import pyarrow.csv as pa_csv

            text = {c: pa.string() for c in ("national_id", "subject", attribute)}
            options = pa_csv.ConvertOptions(column_types=text)
            table = pa_csv.read_csv(io.BytesIO(raw), convert_options=options)
    except (OSError, pa.ArrowInvalid) as error:
        raise InputRejected(
            "the group file cannot be read",
            problems=[Problem(str(error), where=name, expected="a Parquet or CSV file")],
        ) from error
    return _groups_of(table, name, secret, attribute)


def _groups_of(table: pa.Table, where: str, secret: str, attribute: str) -> dict[str, str]:
    id_column = next((c for c in ("national_id", "subject") if c in table.column_names), None)
    missing = [c for c in (id_column or "national_id", attribute) if c not in table.column_names]
    if missing:
        raise InputRejected(
            "the group file lacks columns",
            problems=[
                Problem(
                    f"no column '{c}'",
                    where=where,
                    field=c,
                    expected=f"national_id (or subject) and {attribute}",
                )
                for c in missing
            ],
        )
    assert id_column is not None
    ids = table.column(id_column).cast(pa.string()).to_pylist()
    labels = table.column(attribute).cast(pa.string()).to_pylist()
    return _labelled(ids, labels, secret, where, id_column)


def _read(path: Path, attribute: str) -> pa.Table:
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return pq.read_table(path)
        if path.suffix.lower() == ".csv":
            import pyarrow.csv as pa_csv

            # IDs and labels are text even when they look like numbers (leading zeros).
            text = {name: pa.string() for name in ("national_id", "subject", attribute)}
            return pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(column_types=text))
    except (OSError, pa.ArrowInvalid) as error:
        raise InputRejected(
            "the group file cannot be read",
            problems=[Problem(str(error), where=str(path), expected="a Parquet or CSV file")],
        ) from error
    raise InputRejected(
        "unknown group file type",
        problems=[Problem(f"'{path.suffix}'", where=str(path), expected=".parquet or .csv")],
    )


def _labelled(
    ids: list[str | None], labels: list[str | None], secret: str, where: str, column: str
) -> dict[str, str]:
    groups: dict[str, str] = {}
    problems: list[Problem] = []
    for row, (raw, label) in enumerate(zip(ids, labels, strict=True), start=1):
        text = (raw or "").strip()
        if label is None or not label.strip():
            continue
        if is_pseudonym(text):
            subject = text
        elif is_national_id(text):
            subject = pseudonymise(text, secret)
        else:
            problems.append(
                Problem(
                    f"'{text[:40]}' is not a national ID or pseudonym",
                    where=f"{where} row {row}",
                    field=column,
                    expected=NATIONAL_ID_FORM,
                )
            )
            continue
        if groups.setdefault(subject, label) != label:
            problems.append(
                Problem(
                    "this person appears again with another label",
                    where=f"{where} row {row}",
                    field=column,
                    expected="one label per person",
                )
            )
    if problems:
        raise InputRejected(
            f"the group file has {len(problems)} bad rows", problems=problems[:MAX_PROBLEMS]
        )
    return groups


def audit_fairness(
    engine: Engine, groups: Mapping[str, str], *, attribute: str = "group", actor: str = "operator"
) -> FairnessReport:
    """Scores and decisions compared across ``groups``; the labels are not stored."""
    with UnitOfWork(engine) as uow:
        decided = latest_decisions(uow.conn)
        people = [
            AuditedPerson(s.subject, float(s.score), decided.get(s.subject, {}))
            for s in current_scores(uow.conn)
        ]
        report = fairness_audit(people, groups, attribute=attribute)
        record_access(
            uow.conn,
            actor=actor,
            role="operator",
            purpose="fairness audit",
            action="fairness.audited",
            subject="",
            detail={"people": len(people), "unlabelled": report.unlabelled},
        )
        uow.commit()
    return report


@dataclass(frozen=True, slots=True)
class FairnessAudit:
    """Both views: stored decisions and the policy applied to every labelled resident."""

    decisions: FairnessReport
    policy: PolicyFairness

    def as_dict(self) -> dict[str, Any]:
        return {"decisions": self.decisions.as_dict(), "policy": self.policy.as_dict()}


def read_outcome_labels(path: Path, *, secret: str) -> dict[str, bool]:
    """``subject -> defaulted`` from an outcomes file (the one ``train --outcomes`` reads)."""
    from creditcity.services.train_ledger import read_outcomes

    table = read_outcomes(path, secret)
    subjects = table.column("subject").to_pylist()
    labels = table.column("defaulted").to_pylist()
    return {s: bool(d) for s, d in zip(subjects, labels, strict=True) if d is not None}


def audit_policy_fairness(
    engine: Engine,
    groups: Mapping[str, str],
    *,
    attribute: str = "group",
    actor: str = "operator",
    outcomes: Mapping[str, bool] | None = None,
    min_group: int = MIN_GROUP,
    settings: Settings | None = None,
) -> FairnessAudit:
    """Stored decisions and policy eligibility compared across ``groups``; labels not stored."""
    from creditcity.services.decide import policy_for

    policy = policy_for(settings or get_settings())
    decisions = audit_fairness(engine, groups, attribute=attribute, actor=actor)
    with engine.connect() as conn:
        residents = _residents(conn, groups, outcomes or {})
    report = policy_fairness(residents, groups, policy, attribute=attribute, min_group=min_group)
    return FairnessAudit(decisions, report)


def _residents(
    conn: Connection, groups: Mapping[str, str], outcomes: Mapping[str, bool]
) -> list[Resident]:
    """Every scored person and every labelled one (unscored: no score), with outcome and PD."""
    scored = {s.subject: int(s.score) for s in current_scores(conn)}
    expected: dict[str, float] = {}
    found = active_model(conn) if scored and outcomes else None
    if found is not None:  # the probability each score states, on the active model's scale
        card = ModelArtefact.from_json(found[1], where=f"model {found[0]}").scorecard
        people = list(scored)
        pd_ = card.points_table_.scaling.probability_of_event(
            np.array([scored[p] for p in people], dtype=np.float64)
        )
        expected = dict(zip(people, (float(v) for v in pd_), strict=True))
    everyone = scored.keys() | groups.keys()
    return [Resident(s, scored.get(s), expected.get(s), outcomes.get(s)) for s in sorted(everyone)]


def audit_fairness_upload(
    engine: Engine,
    data: bytes | BinaryIO,
    *,
    attribute: str = "group",
    actor: str = "operator",
    min_group: int = MIN_GROUP,
    settings: Settings | None = None,
) -> FairnessAudit:
    """The whole audit from an uploaded group file's bytes or stream (never a server path)."""
    settings = settings or get_settings()
    groups = read_groups_bytes(data, secret=settings.pseudonym_secret, attribute=attribute)
    return audit_policy_fairness(
        engine, groups, attribute=attribute, actor=actor, min_group=min_group, settings=settings
    )
