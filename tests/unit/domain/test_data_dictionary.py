"""The data dictionary (``train --columns FILE``): a stated meaning decides a column's verdict."""

from __future__ import annotations

import pytest

from creditcity.domain.charter_columns import parse_data_dictionary, screen_columns
from creditcity.errors import InputRejected


def test_a_dictionary_reads_one_column_per_line_with_any_usual_separator() -> None:
    text = (
        "\ufeffname,meaning\n"
        "# comment\n"
        "\n"
        "age_of_oldest_account: months since the oldest account was opened, in months\n"
        "A1\tsex of the applicant\n"
        "A2, how much the applicant owes\n"
        "A3 = how long the applicant has banked with us\n"
        '"weird:name",what it holds, with a comma\n'
    )
    assert parse_data_dictionary(text, "cols.txt") == {
        "age_of_oldest_account": "months since the oldest account was opened, in months",
        "A1": "sex of the applicant",
        "A2": "how much the applicant owes",
        "A3": "how long the applicant has banked with us",
        "weird:name": "what it holds, with a comma",
    }


def test_bad_dictionary_lines_are_refused_together_with_their_line_numbers() -> None:
    text = "a: fine\nno separator here\nb:\na: again\n"
    with pytest.raises(InputRejected) as caught:
        parse_data_dictionary(text, "cols.txt")
    wheres = [p.where for p in caught.value.problems]
    assert wheres == ["cols.txt, line 2", "cols.txt, line 3", "cols.txt, line 4"]
    assert "declared twice" in caught.value.problems[2].message


def test_a_declared_meaning_clears_a_false_alarm_on_the_name_and_is_kept_on_record() -> None:
    screen = screen_columns(
        ["family_loan_balance", "A1"],
        {},
        {"family_loan_balance": "outstanding balance of a household mortgage"},
    )
    assert screen.flags == ()
    [declared] = screen.declared
    assert declared.name == "family_loan_balance"
    assert declared.overrides == "marital or family status"


def test_a_declared_meaning_that_marks_a_forbidden_attribute_is_refused_whatever_the_name() -> None:
    screen = screen_columns(["A1", "A2"], {}, {"A1": "sex of the applicant", "A2": "申请人年龄"})
    assert [(f.name, f.category, f.evidence) for f in screen.flags] == [
        ("A1", "sex or gender", "meaning"),
        ("A2", "age", "meaning"),
    ]
    message = screen.problems("t.csv")[0].message
    assert "declared as 'sex of the applicant'" in message and "--exclude A1" in message


def test_a_declared_meaning_also_clears_a_column_refused_by_its_values() -> None:
    values = {"size": ["S", "M", "F"]}
    assert [f.evidence for f in screen_columns(["size"], {"size": ["M", "F"]}).flags] == ["values"]
    screen = screen_columns(["size"], values, {"size": "metal (M) or fabric (F) collateral"})
    assert screen.flags == () and screen.declared[0].name == "size"


def test_an_artefact_keeps_a_declared_meaning_and_is_judged_by_it_when_loaded() -> None:
    import numpy as np
    import pyarrow as pa

    from creditcity.errors import CharterViolation
    from creditcity.scoring import ModelArtefact
    from creditcity.scoring.scorecard import Scorecard
    from creditcity.scoring.spec import FeatureSpec

    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, 400)
    y = (rng.random(400) < 1 / (1 + np.exp(-(x - 2.0)))).astype(int)
    spec = FeatureSpec("family_loan_balance", meaning="balance of a household mortgage")
    card = Scorecard(features=[spec]).fit(pa.table({"family_loan_balance": x}), y)
    artefact = ModelArtefact(card, version="v1", created_at="2026-12-01", training_sha256="0" * 64)
    text = artefact.to_json()
    loaded = ModelArtefact.from_json(text).scorecard.points_table_.features[0].spec
    assert loaded.meaning == spec.meaning
    with pytest.raises(CharterViolation, match="declared as 'age of the applicant'"):
        ModelArtefact.from_json(text.replace(spec.meaning or "", "age of the applicant"))
