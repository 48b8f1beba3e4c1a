"""The fairness audit on stored scores and decisions, with group labels held only in memory.

The operator brings a file of group labels (national ID or pseudonym, and a
label column); the labels are pseudonymised and joined to current scores
and each person's latest decision per service, handed to
:func:`creditcity.rights.fairness.fairness_audit`, and dropped. Nothing about
a label is written anywhere: the audit log records that an audit ran and on
how many people, never the groups or anyone's label.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
from sqlalchemy import Engine

from creditcity.domain.subjects import NATIONAL_ID_FORM, is_national_id, is_pseudonym, pseudonymise
from creditcity.errors import InputRejected, Problem
from creditcity.ledger.audit import record_access
from creditcity.ledger.scores import current_scores
from creditcity.ledger.subject_file import latest_decisions
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.fairness import AuditedPerson, FairnessReport, fairness_audit

MAX_PROBLEMS = 50


def read_groups(path: Path, *, secret: str, attribute: str = "group") -> dict[str, str]:
    """``subject -> label`` from a Parquet or CSV file with national_id (or subject) + label."""
    table = _read(path, attribute)
    where = str(path)
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
