"""Exporting a registered model version as PMML, so a score can be recomputed with standard tools.

The artefact is read from the registry and loaded (so the charter check runs
as on every load), then written by :func:`creditcity.scoring.pmml.scorecard_pmml`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from creditcity import __version__
from creditcity.errors import InputRejected, Problem
from creditcity.ledger.models import model_artefact
from creditcity.scoring.artefact import ModelArtefact
from creditcity.scoring.pmml import scorecard_pmml

__all__ = ["export_pmml"]


def export_pmml(engine: Engine, version: str, path: Path) -> dict[str, Any]:
    """Write ``version`` as a PMML 4.4 Scorecard to ``path``; what was written."""
    with engine.connect() as conn:
        text = model_artefact(conn, version)
    artefact = ModelArtefact.from_json(text, where=f"model {version}")
    xml = scorecard_pmml(artefact.to_dict(), application_version=__version__)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(xml, encoding="utf-8")
    except OSError as error:
        raise InputRejected(
            f"cannot write the PMML file {path}",
            problems=[Problem(str(error), where=str(path), expected="a writable file path")],
        ) from None
    table = artefact.scorecard.points_table_
    return {
        "version": version,
        "pmml": str(path),
        "features": len(table.features),
        "base_points": table.base,
        "bytes": len(xml.encode("utf-8")),
    }
