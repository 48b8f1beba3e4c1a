"""The operator's model registry: which versions exist, what each was validated at, which is live.

A version becomes active either when ``train`` passes the activation gate or
when the operator activates it by name. Activating by name re-reads the
artefact first (charter and one-sided checks run on every load) and refuses
a version whose stored gate failed, so the gate cannot be skipped by a second
command. Every activation is on the audit chain (who, from which version to
which), in the same transaction as the switch, so the live model never
changes without a trace.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine

from creditcity.errors import InputRejected, Problem
from creditcity.ledger.audit import record_access
from creditcity.ledger.models import activate_model as _activate
from creditcity.ledger.models import active_model, model_artefact, model_rows
from creditcity.scoring.artefact import ModelArtefact

__all__ = ["ACTIVATED", "activate_version", "list_versions", "show_version"]

#: The audit action of a model activation.
ACTIVATED = "model.activated"
PURPOSE = "operate the scoring model"


def list_versions(engine: Engine) -> list[dict[str, Any]]:
    """Every version, newest first, with its as-of date, AUC and gate outcome."""
    with engine.connect() as conn:
        rows = model_rows(conn)
        out = []
        for row in rows:
            summary = _summary(json.loads(model_artefact(conn, row["version"])))
            out.append({**row, **summary})
    return out


def show_version(engine: Engine, version: str) -> dict[str, Any]:
    """One version's provenance, scale and full validation report (as stored)."""
    with engine.connect() as conn:
        rows = {r["version"]: r for r in model_rows(conn)}
        data = json.loads(model_artefact(conn, version))
    return {
        **rows[version],
        **_summary(data),
        "training_sha256": data.get("training_sha256"),
        "scaling": data.get("scaling"),
        "score_range_reachable": data.get("score_range_reachable"),
        "features": [f.get("name") for f in data.get("features", [])],
        "validation": data.get("validation", {}),
    }


def activate_version(
    engine: Engine, version: str, *, actor: str = "operator:cli"
) -> dict[str, Any]:
    """Make ``version`` live, provided it loads and its activation gate passed.

    ``actor`` is who asked (the signed-in office account, or the command line);
    it goes on the audit chain with the version that was live before.
    """
    with engine.begin() as conn:
        text = model_artefact(conn, version)
        artefact = ModelArtefact.from_json(text, where=f"model {version}")
        gate = artefact.validation.get("gate")
        if isinstance(gate, dict) and not gate.get("passed", False):
            raise InputRejected(
                f"model {version} failed its activation gate and cannot be activated",
                problems=[
                    Problem(str(reason), field="gate", expected="a model that passes the gate")
                    for reason in gate.get("failures", [])
                ],
            )
        before = active_model(conn)
        _activate(conn, version)
        record_access(
            conn,
            actor=actor,
            role="operator",
            purpose=PURPOSE,
            action=ACTIVATED,
            detail={"version": version, "previous": before[0] if before else None},
        )
    return show_version(engine, version)


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    validation = data.get("validation") or {}
    cv = validation.get("cross_validation") or {}
    gate = validation.get("gate") or {}
    return {
        "as_of": data.get("as_of"),
        "auc": cv.get("auc_mean"),
        "gate_passed": gate.get("passed"),
    }
