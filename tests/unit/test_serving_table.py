"""The compact in-memory score table finds exactly what a dict of the same rows would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from creditcity.services.serving import ScoreTable

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
