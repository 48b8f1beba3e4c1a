"""The compact in-memory score table finds exactly what a dict of the same rows would."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditcity.services.serving import ScoreFacts, ScoreTable

pseudonyms = st.binary(min_size=16, max_size=16).map(lambda b: "p_" + b.hex())
reasons = st.lists(
    st.tuples(st.sampled_from(["PH-LATE", "HL-SHORT", "OC-HIGH"]), st.text(max_size=5)),
    max_size=5,
)
rows = st.dictionaries(
    pseudonyms, st.tuples(st.integers(350, 950), st.sampled_from(["m1", "m2"]), reasons)
)


@given(rows, st.lists(pseudonyms, max_size=5))
def test_the_table_finds_every_person_s_score_model_and_first_four_reasons(
    people: dict[str, tuple[int, str, list[tuple[str, str]]]], strangers: list[str]
) -> None:
    table = ScoreTable.build((s, v, m, r) for s, (v, m, r) in people.items())
    for subject, (value, model, why) in people.items():
        found = table.find(subject)
        assert found is not None
        assert (found.score, found.model_version, found.reasons) == (value, model, tuple(why[:4]))
    for stranger in strangers:
        if stranger not in people:
            assert table.find(stranger) is None
    assert table.find("not-a-pseudonym") is None


#: pseudonyms that often share their first half, so the search past equal halves is tried
crowded = st.tuples(
    st.sampled_from(["0" * 16, "7" * 16, "f" * 16]), st.binary(min_size=8, max_size=8)
).map(lambda parts: "p_" + parts[0] + parts[1].hex())
mixed_rows = st.dictionaries(
    st.one_of(pseudonyms, crowded),
    st.tuples(st.integers(350, 950), st.sampled_from(["m1", "m2", "m3"]), reasons),
)


@given(mixed_rows, mixed_rows)
def test_putting_rows_into_a_table_finds_what_a_dict_updated_with_them_would(
    first: dict[str, tuple[int, str, list[tuple[str, str]]]],
    later: dict[str, tuple[int, str, list[tuple[str, str]]]],
) -> None:
    table = ScoreTable.build((s, v, m, r) for s, (v, m, r) in first.items())
    table = table.put([(s, ScoreFacts(v, m, tuple(r))) for s, (v, m, r) in later.items()])
    expected = {**first, **later}
    assert len(table) == len(expected)
    keys = list(zip(table.hi.tolist(), table.lo.tolist(), strict=True))
    assert keys == sorted(keys)
    for subject, (value, model, why) in expected.items():
        found = table.find(subject)
        assert found is not None
        assert (found.score, found.model_version, found.reasons) == (value, model, tuple(why[:4]))


def test_a_model_more_than_the_table_can_name_is_refused_and_changes_nothing() -> None:
    table = ScoreTable.build([("p_" + "1" * 32, 600, "m0", [])])
    many = [("p_" + f"{i:032x}", ScoreFacts(700, f"m{i}", ())) for i in range(2, 300)]
    with pytest.raises(ValueError, match="too many"):
        table.put(many)
    assert len(table) == 1 and table.models == ["m0"]
    assert table.find("p_" + "1" * 32) == ScoreFacts(600, "m0", ())
