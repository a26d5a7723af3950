"""Golden scores: respondents whose scores were computed by hand from the published keys.

The expected values below are worked out by hand in the comments (keyed answer = 8 - raw on
reversed items; score = mean of the keyed answers that were given), never by the code under test.

ECR-R key (Fraley, Waller & Brennan 2000; Fraley's ECR-R page): anxiety 1-18 with 9 and 11
reversed; avoidance 19-36 with 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36 reversed, so the
non-reversed avoidance items are 19, 21, 23, 24, 25 and 32.
ECR-S key (Wei et al. 2007): anxiety 2, 4, 6, 8R, 10, 12; avoidance 1R, 3, 5R, 7, 9R, 11.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iwm import InputError
from iwm.measure import read_mapping, read_responses, score

NAN = math.nan

# id: (anxiety, avoidance, anxiety items missing, avoidance items missing, midpoint category)
ECR_R_EXPECTED = {
    # all 4: every keyed answer is 4 (8 - 4 = 4); 4 is not above the cut -> secure
    "a01": (Fraction(4), Fraction(4), 0, 0, "secure"),
    # all 7: anxiety 16 x 7 + 2 x (8-7) = 114 -> 114/18; avoidance 6 x 7 + 12 x 1 = 54 -> 3
    "a02": (Fraction(114, 18), Fraction(54, 18), 0, 0, "preoccupied"),
    # all 1: anxiety 16 x 1 + 2 x 7 = 30 -> 30/18; avoidance 6 x 1 + 12 x 7 = 90 -> 5
    "a03": (Fraction(30, 18), Fraction(90, 18), 0, 0, "dismissing"),
    # 6 on non-reversed, 2 (keyed 6) on reversed items -> 6 and 6
    "a04": (Fraction(6), Fraction(6), 0, 0, "fearful"),
    # anxiety: items 1-3 blank (3 of 18 <= 20%), the 15 given are keyed 5 -> 5;
    # avoidance: items 19-22 blank (4 of 18 > 20%) -> missing
    "a05": (Fraction(5), None, 3, 4, None),
    # anxiety raw 1,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4: non-reversed sum 29 + 3 + 28 = 60,
    #   item 9 raw 2 -> 6, item 11 raw 4 -> 4: total 70 -> 70/18
    # avoidance raw 7,6,5,4,3,2,1,7,6,5,4,3,2,1,7,6,5,4 (items 19-36): non-reversed
    #   19:7 21:5 23:3 24:2 25:1 32:1 = 19; reversed 20:6->2 22:4->4 26:7->1 27:6->2 28:5->3
    #   29:4->4 30:3->5 31:2->6 33:7->1 34:6->2 35:5->3 36:4->4 = 37: total 56 -> 56/18
    "a06": (Fraction(70, 18), Fraction(56, 18), 0, 0, "secure"),
    # anxiety: items 15-18 blank (4 > 3) -> missing; avoidance: 19 "NA" and 36 blank
    #   (2 <= 3), the 16 given are keyed 3 -> 3
    "a07": (None, Fraction(3), 4, 2, None),
    # " 5 " everywhere in anxiety: 16 x 5 + 2 x 3 = 86 -> 86/18; "2.0" everywhere in
    #   avoidance: 6 x 2 + 12 x 6 = 84 -> 84/18
    "a08": (Fraction(86, 18), Fraction(84, 18), 0, 0, "fearful"),
}

# Sample medians (cut="median") by hand, over the scored respondents:
#   anxiety 30/18, 70/18, 4, 86/18, 5, 6, 114/18 -> median 86/18
#   avoidance 3, 3, 56/18, 4, 84/18, 5, 6 -> median 4
# "high" is strictly above the cut, so a08 (anxiety = the median) is low on anxiety.
ECR_R_MEDIAN_CATEGORY = {
    "a01": "secure",
    "a02": "preoccupied",
    "a03": "dismissing",
    "a04": "fearful",
    "a05": None,
    "a06": "secure",
    "a07": None,
    "a08": "dismissing",
}

ECR_S_EXPECTED = {
    # all 7: anxiety 5 x 7 + 1 (item 8) = 36 -> 6; avoidance 3 x 7 + 3 x 1 = 24 -> 4
    "s01": (Fraction(6), Fraction(4), 0, 0, "preoccupied"),
    # raw 1..7,1..5 for items 1-12: anxiety 2:2 4:4 6:6 8:1->7 10:3 12:5 = 27 -> 27/6;
    #   avoidance 1:1->7 3:3 5:5->3 7:7 9:2->6 11:4 = 30 -> 5
    "s02": (Fraction(27, 6), Fraction(30, 6), 0, 0, "fearful"),
    # anxiety: item 12 blank (1 of 6 allowed), 2,4,6,10 = 3, 8: 5 -> 3: mean 3;
    #   avoidance: items 1 and 3 blank (2 of 6 > 20%) -> missing
    "s03": (Fraction(3), None, 1, 2, None),
    "s04": (Fraction(4), Fraction(4), 0, 0, "secure"),
}

# Griffin & Bartholomew (1994): self = (S + D) - (F + P); other = (S + P) - (F + D)
RQ_EXPECTED = {
    "q01": (Fraction(6 + 4 - 2 - 1), Fraction(6 + 1 - 2 - 4), "secure"),  # choice "A"
    "q02": (Fraction(2 + 3 - 6 - 5), Fraction(2 + 5 - 6 - 3), "fearful"),
    "q03": (None, None, "preoccupied"),  # fearful rating missing; choice "3" = C
    "q04": (Fraction(1 + 7 - 1 - 7), Fraction(1 + 7 - 1 - 7), None),  # no forced choice
    "q05": (Fraction(5 + 6 - 3 - 2), Fraction(5 + 2 - 3 - 6), "dismissing"),  # choice "d"
}


def _check(value: float, expected: Fraction | None) -> None:
    if expected is None:
        assert math.isnan(value)
    else:
        assert value == pytest.approx(float(expected), abs=1e-12)


def _category(value: object, expected: str | None) -> None:
    if expected is None:
        assert pd.isna(value)
    else:
        assert value == expected


def _by_id(frame: pd.DataFrame, id_column: str = "id") -> pd.DataFrame:
    return frame.set_index(id_column)


def test_ecr_r_golden_scores(data_dir: Path) -> None:
    scored = score("ecr-r", read_responses(data_dir / "ecr_r_responses.csv"))
    out = _by_id(scored.scores)
    assert list(out.index) == list(ECR_R_EXPECTED)
    for rid, (anx, avo, anx_miss, avo_miss, category) in ECR_R_EXPECTED.items():
        row = out.loc[rid]
        _check(row["ecr_r_anxiety"], anx)
        _check(row["ecr_r_avoidance"], avo)
        assert row["ecr_r_anxiety_n_missing"] == anx_miss
        assert row["ecr_r_avoidance_n_missing"] == avo_miss
        _category(row["ecr_r_category"], category)
        if anx is None or avo is None:
            assert "missing" in row["ecr_r_note"] and "over 20%" in row["ecr_r_note"]
        else:
            assert row["ecr_r_note"] == ""


def test_ecr_r_median_cut(data_dir: Path) -> None:
    scored = score("ecr-r", read_responses(data_dir / "ecr_r_responses.csv"), cut="median")
    assert scored.categorization.anxiety_cut == pytest.approx(86 / 18)
    assert scored.categorization.avoidance_cut == pytest.approx(4.0)
    got = dict(zip(scored.scores["id"], scored.scores["ecr_r_category"], strict=True))
    assert got.keys() == ECR_R_MEDIAN_CATEGORY.keys()
    for rid, category in ECR_R_MEDIAN_CATEGORY.items():
        _category(got[rid], category)


def test_ecr_r_output_keeps_every_original_column(data_dir: Path) -> None:
    table = read_responses(data_dir / "ecr_r_responses.csv")
    original = table.data.copy()
    scored = score("ecr-r", table)
    assert list(scored.table.columns[: original.shape[1]]) == list(original.columns)
    pd.testing.assert_frame_equal(scored.table[list(original.columns)], original)
    assert scored.table.loc[0, "site"] == "Zürich, CH"
    assert scored.table.loc[7, "ecr_r_01"] == " 5 "  # cell text kept exactly
    pd.testing.assert_frame_equal(table.data, original)  # the input frame is not modified


def test_ecr_s_golden_scores(data_dir: Path) -> None:
    scored = score("ecr-s", read_responses(data_dir / "ecr_s_responses.csv"))
    _compare_ecr_s(scored.scores, "id")


def _compare_ecr_s(scores: pd.DataFrame, id_column: str) -> None:
    out = _by_id(scores, id_column)
    for rid, (anx, avo, anx_miss, avo_miss, category) in ECR_S_EXPECTED.items():
        row = out.loc[rid]
        _check(row["ecr_s_anxiety"], anx)
        _check(row["ecr_s_avoidance"], avo)
        assert row["ecr_s_anxiety_n_missing"] == anx_miss
        assert row["ecr_s_avoidance_n_missing"] == avo_miss
        _category(row["ecr_s_category"], category)


def test_ecr_s_with_mapping_file(data_dir: Path) -> None:
    table = read_responses(data_dir / "ecr_s_renamed.csv")
    mapping = read_mapping(data_dir / "ecr_s_mapping.yaml")
    scored = score("ecr-s", table, id_column="respondent", columns=mapping)
    _compare_ecr_s(scored.scores, "respondent")
    assert list(scored.table.columns[:14]) == list(table.data.columns)


def test_ecr_s_with_item_columns(data_dir: Path) -> None:
    table = read_responses(data_dir / "ecr_s_renamed.csv")
    columns = [f"Q{i}" for i in range(1, 13)]
    scored = score("ecr-s", table, id_column="respondent", columns=columns)
    _compare_ecr_s(scored.scores, "respondent")


def test_ecr_s_mapping_by_canonical_names(data_dir: Path) -> None:
    table = read_responses(data_dir / "ecr_s_renamed.csv")
    mapping: dict[str | int, str] = {f"ecr_s_{i:02d}": f"Q{i}" for i in range(1, 13)}
    _compare_ecr_s(score("ecr-s", table, id_column="respondent", columns=mapping).scores, "respondent")


def test_rq_golden_scores(data_dir: Path) -> None:
    scored = score("rq", read_responses(data_dir / "rq_responses.csv"))
    out = _by_id(scored.scores)
    for rid, (self_, other, category) in RQ_EXPECTED.items():
        _check(out.loc[rid, "rq_self"], self_)
        _check(out.loc[rid, "rq_other"], other)
        _category(out.loc[rid, "rq_category"], category)
    assert "needs all four" in out.loc["q03", "rq_note"]
    assert "no valid forced choice" in out.loc["q04", "rq_note"]


def test_in_memory_frame_with_numbers() -> None:
    # Numbers instead of text, and the id under another name: same key, same arithmetic.
    frame = pd.DataFrame({"pid": [10, 11], **{f"ecr_s_{i:02d}": [7, 1] for i in range(1, 13)}})
    scored = score("ecr-s", frame, id_column="pid")
    assert scored.scores["ecr_s_anxiety"].tolist() == [6.0, 2.0]  # 1: 5 x 1 + 7 = 12 -> 2
    assert scored.scores["ecr_s_avoidance"].tolist() == [4.0, 4.0]  # 3 x 1 + 3 x 7 -> 4


def test_lenient_report_lists_every_bad_cell(data_dir: Path) -> None:
    frame = read_responses(data_dir / "ecr_s_responses.csv").data.copy()
    frame.loc[0, "ecr_s_02"] = "seven"  # row 2 of the file
    frame.loc[1, "ecr_s_05"] = "8"  # row 3
    frame.loc[1, "ecr_s_06"] = "2.5"
    with pytest.raises(InputError, match=r"row 1, column ecr_s_02: 'seven' is not a number"):
        score("ecr-s", frame)
    scored = score("ecr-s", frame, lenient=True)
    got = [(p.row, p.column, p.value) for p in scored.problems]
    # in-memory frames number respondents from 1
    assert got == [(1, "ecr_s_02", "seven"), (2, "ecr_s_05", "8"), (2, "ecr_s_06", "2.5")]
    assert "outside the response range" in scored.problems[1].rule
    assert "not a whole number" in scored.problems[2].rule
    # s01 loses item 2 only: anxiety 4 x 7 + 1 = 29 over 5 items
    assert scored.scores["ecr_s_anxiety"][0] == pytest.approx(29 / 5)
    # s02 loses items 5 (avoidance) and 6 (anxiety): anxiety 2+4+7+3+5 = 21 over 5;
    # avoidance 7+3+7+6+4 = 27 over 5
    assert scored.scores["ecr_s_anxiety"][1] == pytest.approx(21 / 5)
    assert scored.scores["ecr_s_avoidance"][1] == pytest.approx(27 / 5)


def test_keyed_items_reverse_only_the_key(data_dir: Path) -> None:
    scored = score("ecr-r", read_responses(data_dir / "ecr_r_responses.csv"))
    a02 = scored.keyed.iloc[1]  # all raw 7
    reversed_items = {9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36}
    expected = np.array([1.0 if i in reversed_items else 7.0 for i in range(1, 37)])
    np.testing.assert_array_equal(a02.to_numpy(), expected)
