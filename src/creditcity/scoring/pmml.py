"""A model artefact as a PMML 4.4 Scorecard, so anyone can recompute a score with standard tools.

Pure: the artefact's published JSON form in, XML text out (``xml.etree``).
The mapping is one to one, so a PMML engine gives creditcity's scores:

- ``initialScore`` is the base points; each feature is a ``Characteristic``
  whose ``Attribute``s are its bins with their points (``partialScore``);
- a numeric bin ``(lower, upper]`` is ``lower < x <= upper``; a categorical
  bin is ``isIn`` its categories; a special value is ``equal``;
- bins are tried in PMML's order (the first that matches wins), so a
  numeric feature lists its missing bin first, then special values, then
  the ranges; a categorical one lists special values, the category groups,
  and last the missing bin as a catch-all (``True``), because creditcity
  puts a category unseen in training in the missing bin too;
- reason codes: each bin carries the stable code creditcity cites for it
  (``<dimension>-<stem>-<direction>``, from the reason catalogue) and each
  characteristic's ``baselineScore`` is the feature's best points, so PMML's
  ``pointsBelow`` ranks reasons by points lost, as creditcity does. A bin
  creditcity never cites (the best bin, or a direction the catalogue has no
  words for) carries ``<dimension>-<stem>-NONE``: a PMML engine ranks it like
  any other code, creditcity skips it. One reason output per feature, so the
  first four codes not ending in ``-NONE`` are creditcity's four reasons;
- a ``Target`` holds the score inside the published scale (``min``/``max``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from creditcity.domain.reason_catalogue import Direction, code_for
from creditcity.scoring.bins import Bin
from creditcity.scoring.reasons import steps_for
from creditcity.scoring.spec import FeatureSpec

__all__ = ["NAMESPACE", "NOT_CITED", "SCORE_FIELD", "scorecard_pmml"]

NAMESPACE = "http://www.dmg.org/PMML-4_4"
SCORE_FIELD = "score"
#: The suffix of the code of a bin creditcity never cites as a reason.
NOT_CITED = "-NONE"


def scorecard_pmml(artefact: Mapping[str, Any], *, application_version: str = "") -> str:
    """The PMML document (XML text) of an artefact's JSON form (``ModelArtefact.to_dict()``)."""
    features: Sequence[Mapping[str, Any]] = artefact["features"]
    taken = {str(f["name"]) for f in features}
    score_field = SCORE_FIELD if SCORE_FIELD not in taken else "creditcity_score"
    root = ET.Element("PMML", {"xmlns": NAMESPACE, "version": "4.4"})
    _header(root, artefact, application_version)
    _data_dictionary(root, features, score_field)
    scale = artefact["scaling"]
    card = ET.SubElement(
        root,
        "Scorecard",
        {
            "modelName": f"creditcity-{artefact['version']}",
            "functionName": "regression",
            "useReasonCodes": "true",
            "reasonCodeAlgorithm": "pointsBelow",
            "baselineMethod": "max",
            "initialScore": _number(scale["base_points"]),
        },
    )
    schema = ET.SubElement(card, "MiningSchema")
    for feature in features:
        ET.SubElement(schema, "MiningField", {"name": str(feature["name"])})
    ET.SubElement(schema, "MiningField", {"name": score_field, "usageType": "target"})
    _output(card, score_field, len(features))
    targets = ET.SubElement(card, "Targets")
    ET.SubElement(
        targets,
        "Target",
        {
            "field": score_field,
            "min": _number(scale["score_min"]),
            "max": _number(scale["score_max"]),
        },
    )
    characteristics = ET.SubElement(card, "Characteristics")
    for feature in features:
        _characteristic(characteristics, feature)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _header(root: ET.Element, artefact: Mapping[str, Any], version: str) -> None:
    header = ET.SubElement(
        root,
        "Header",
        {"description": f"creditcity scorecard {artefact['version']} (points table, 350-950)"},
    )
    ET.SubElement(header, "Application", {"name": "creditcity", "version": version or "unknown"})
    ET.SubElement(header, "Timestamp").text = str(artefact.get("created_at", ""))


def _data_dictionary(
    root: ET.Element, features: Sequence[Mapping[str, Any]], score_field: str
) -> None:
    fields = ET.SubElement(root, "DataDictionary", {"numberOfFields": str(len(features) + 1)})
    for feature in features:
        numeric = feature["kind"] == "numeric"
        ET.SubElement(
            fields,
            "DataField",
            {
                "name": str(feature["name"]),
                "optype": "continuous" if numeric else "categorical",
                "dataType": "double" if numeric else "string",
            },
        )
    ET.SubElement(
        fields, "DataField", {"name": score_field, "optype": "continuous", "dataType": "double"}
    )


def _output(card: ET.Element, score_field: str, reasons: int) -> None:
    output = ET.SubElement(card, "Output")
    ET.SubElement(
        output,
        "OutputField",
        {
            "name": "points",
            "feature": "predictedValue",
            "targetField": score_field,
            "dataType": "double",
            "optype": "continuous",
        },
    )
    for rank in range(1, reasons + 1):
        ET.SubElement(
            output,
            "OutputField",
            {
                "name": f"reason_{rank}",
                "feature": "reasonCode",
                "rank": str(rank),
                "dataType": "string",
                "optype": "categorical",
            },
        )


def _reason_codes(feature: Mapping[str, Any]) -> list[str]:
    """Per bin, the code creditcity cites for it, or ``<dimension>-<stem>-NONE``."""
    spec = FeatureSpec.from_dict(dict(feature))
    bins = [Bin.from_dict(dict(b)) for b in feature["bins"]]
    points = np.array([int(b["points"]) for b in feature["bins"]], dtype=np.int64)
    steps = steps_for(spec, bins, points)
    dimension = None if spec.dimension is None else spec.dimension.value
    never = code_for(spec.name, dimension, Direction.HIGH, spec.reason_code_stem)
    never = never.rsplit("-", 1)[0] + NOT_CITED
    return [never if step is None else step.code for step in steps]


def _characteristic(parent: ET.Element, feature: Mapping[str, Any]) -> None:
    name = str(feature["name"])
    bins: Sequence[Mapping[str, Any]] = feature["bins"]
    best = max(int(b["points"]) for b in bins)
    codes = dict(zip(map(id, bins), _reason_codes(feature), strict=True))
    element = ET.SubElement(
        parent, "Characteristic", {"name": f"{name}_points", "baselineScore": str(best)}
    )
    missing = [b for b in bins if b["kind"] == "missing"]
    special = [b for b in bins if b["kind"] == "special"]
    regular = [b for b in bins if b["kind"] in ("range", "categories")]
    numeric = feature["kind"] == "numeric"
    ordered = [*missing, *special, *regular] if numeric else [*special, *regular, *missing]
    for bin_ in ordered:
        if bin_["kind"] == "categories" and not bin_.get("categories"):
            continue  # a group with no category matches nobody
        attribute = ET.SubElement(
            element,
            "Attribute",
            {"partialScore": str(int(bin_["points"])), "reasonCode": codes[id(bin_)]},
        )
        _predicate(attribute, name, bin_, numeric=numeric)


def _predicate(parent: ET.Element, field: str, bin_: Mapping[str, Any], *, numeric: bool) -> None:
    kind = bin_["kind"]
    if kind == "missing":
        if numeric:
            ET.SubElement(parent, "SimplePredicate", {"field": field, "operator": "isMissing"})
        else:
            ET.SubElement(parent, "True")  # missing, and any category unseen in training
    elif kind == "special":
        value = bin_["special"]
        text = _number(value) if numeric else str(value)
        ET.SubElement(
            parent, "SimplePredicate", {"field": field, "operator": "equal", "value": text}
        )
    elif kind == "categories":
        _is_in(parent, field, [str(c) for c in bin_["categories"]])
    else:
        _range(parent, field, bin_.get("lower"), bin_.get("upper"))


def _range(parent: ET.Element, field: str, lower: float | None, upper: float | None) -> None:
    """``lower < x <= upper``, either side unbounded when ``None``."""
    tests = []
    if lower is not None:
        tests.append({"field": field, "operator": "greaterThan", "value": _number(lower)})
    if upper is not None:
        tests.append({"field": field, "operator": "lessOrEqual", "value": _number(upper)})
    if not tests:
        ET.SubElement(parent, "SimplePredicate", {"field": field, "operator": "isNotMissing"})
        return
    if len(tests) == 1:
        ET.SubElement(parent, "SimplePredicate", tests[0])
        return
    both = ET.SubElement(parent, "CompoundPredicate", {"booleanOperator": "and"})
    for test in tests:
        ET.SubElement(both, "SimplePredicate", test)


def _is_in(parent: ET.Element, field: str, categories: list[str]) -> None:
    predicate = ET.SubElement(
        parent, "SimpleSetPredicate", {"field": field, "booleanOperator": "isIn"}
    )
    array = ET.SubElement(predicate, "Array", {"n": str(len(categories)), "type": "string"})
    array.text = " ".join(_quoted(c) for c in categories)


def _quoted(value: str) -> str:
    """A PMML string array item: always quoted, inner quotes and backslashes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value: Any) -> str:
    """A number as PMML reads it back exactly: integers bare, floats by ``repr``."""
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
