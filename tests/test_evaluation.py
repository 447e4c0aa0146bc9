"""The performance evaluation: each step worked by hand on three or four zones, properties of the
index, the Monte Carlo's summaries, and the audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from zonetrack.evaluation import evaluate
from zonetrack.evaluation.audit import cronbach_alpha
from zonetrack.evaluation.compute import (
    aggregate,
    class_year,
    dimension_weights,
    indicator_table,
    kurtosis,
    normalise,
    ranks,
    skewness,
    winsorise,
)
from zonetrack.evaluation.framework import AGGREGATIONS, NORMALISATIONS, EvaluationSettings, Framework, Uncertainty
from zonetrack.evaluation.uncertainty import design, nominal_index, rank_quantiles, rank_rows

X = np.array([10.0, 20.0, 40.0])


@pytest.mark.parametrize(
    ("method", "lower", "expected"),
    [
        # (x − 10) / (40 − 10) × 100
        ("minmax", False, [0.0, 100 / 3, 100.0]),
        ("minmax", True, [100.0, 200 / 3, 0.0]),
        # mean 23.333, sd √(466.67 / 2) = 15.2753: (10 − 23.333)/15.2753 = −0.87287 …
        ("zscore", False, [-0.872872, -0.218218, 1.091089]),
        # ranks 1, 2, 3 → (r − 1)/(n − 1) × 100
        ("rank", False, [0.0, 50.0, 100.0]),
        # 100 × x / 40; lower is better: 100 × 10 / x
        ("distance_to_best", False, [25.0, 50.0, 100.0]),
        ("distance_to_best", True, [100.0, 50.0, 25.0]),
    ],
)
def test_normalisations_by_hand(method, lower, expected):
    assert normalise(X, method, lower) == pytest.approx(expected, abs=1e-6)


def test_ties_share_a_percentile_rank_and_missing_stays_missing():
    # 10, 10, 40: average ranks 1.5, 1.5, 3 → (0.5/2, 0.5/2, 2/2) × 100.
    assert normalise(np.array([10.0, 10.0, 40.0]), "rank", False) == pytest.approx([25.0, 25.0, 100.0])
    out = normalise(np.array([10.0, np.nan, 40.0]), "minmax", False)
    assert out[0] == 0.0 and np.isnan(out[1]) and out[2] == 100.0


def test_distance_to_the_best_of_a_rate_uses_growth_factors():
    # −10 %, 0 %, +20 % → factors 0.9, 1.0, 1.2 → 100 × f / 1.2 = 75, 83.33, 100.
    got = normalise(np.array([-10.0, 0.0, 20.0]), "distance_to_best", False, is_rate=True)
    assert got == pytest.approx([75.0, 250 / 3, 100.0])


def test_aggregations_by_hand():
    scores = np.array([[100.0, 0.0], [50.0, 50.0]])
    # (3·100 + 1·0)/4 = 75; (3·50 + 1·50)/4 = 50.
    assert aggregate(scores, np.array([3.0, 1.0]), "arithmetic") == pytest.approx([75.0, 50.0])
    # A missing score: the others' weights re-normalised; 100 alone.
    assert aggregate(np.array([[100.0, np.nan]]), np.array([3.0, 1.0]), "arithmetic") == pytest.approx([100.0])
    # Geometric on [1, 100]: the columns 100, 50, 1 and 1, 50, 100 already span [1, 100];
    # √(100·1) = 10, √(50·50) = 50, √(1·100) = 10.
    geometric = np.array([[100.0, 1.0], [50.0, 50.0], [1.0, 100.0]])
    assert aggregate(geometric, np.array([1.0, 1.0]), "geometric") == pytest.approx([10.0, 50.0, 10.0])


def test_skewness_and_kurtosis_are_the_adjusted_ones():
    rng = np.random.default_rng(1)
    x = rng.lognormal(size=25)
    # e1071 type 2 (COINr's) is the adjusted Fisher-Pearson skewness and excess kurtosis: scipy's
    # with bias=False, an independent implementation.
    assert skewness(x) == pytest.approx(stats.skew(x, bias=False))
    assert kurtosis(x) == pytest.approx(stats.kurtosis(x, fisher=True, bias=False))


def test_winsorising_an_outlier():
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], dtype=float)
    # |skew| = 3.16 ≥ 2 and kurtosis = 9.99 ≥ 3.5: the 100 becomes the next value, 9; then it passes.
    assert stats.skew(x, bias=False) > 2 and stats.kurtosis(x, bias=False) > 3.5
    treated, changed = winsorise(x)
    assert changed == 1 and treated[-1] == 9.0 and (treated[:-1] == x[:-1]).all()
    untouched, none = winsorise(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert none == 0 and (untouched == [1, 2, 3, 4, 5]).all()


def test_ranks_one_is_best_and_ties_share():
    assert ranks(np.array([50.0, 80.0, 50.0, np.nan])).tolist()[:3] == [2.0, 1.0, 2.0]
    assert np.isnan(ranks(np.array([50.0, np.nan]))[1])


FRAMEWORK = Framework.model_validate(
    {
        "id": "t",
        "class": "national",
        "name_zh": "测试",
        "name_en": "test",
        "weights": "illustrative",
        "dimensions": {
            "a": {
                "name_zh": "甲",
                "name_en": "A",
                "weight": 3,
                "indicators": {"r": {"name_zh": "r", "name_en": "r", "indicator": "revenue", "weight": 1}},
            },
            "b": {
                "name_zh": "乙",
                "name_en": "B",
                "weight": 1,
                "indicators": {
                    "e": {"name_zh": "e", "name_en": "e", "indicator": "exports", "weight": 1, "direction": "lower"}
                },
            },
        },
    }
)
REGISTRY = pd.DataFrame(
    {
        "zone_id": ["x", "y", "z", "w"],
        "provincial_since": pd.array([None] * 4, dtype="Int64"),
        "national_since": pd.array([1990] * 4, dtype="Int64"),
    }
)


def panel(rows):
    return pd.DataFrame(rows, columns=["zone_id", "year", "indicator", "value"])


def test_an_index_worked_by_hand():
    # revenue (higher is better) 10, 20, 40; exports (lower is better) 5, 5, 1.
    rows = [("x", 2019, "revenue", 10), ("y", 2019, "revenue", 20), ("z", 2019, "revenue", 40)]
    rows += [("x", 2019, "exports", 5), ("y", 2019, "exports", 5), ("z", 2019, "exports", 1)]
    fast = EvaluationSettings(treatment="none", uncertainty=Uncertainty(base_samples=8))
    result = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast).results.set_index("zone_id")
    # Min-max: revenue 0, 33.33, 100; exports turned round: (5 − 5)/(5 − 1) → 0, 0, 100.
    # Index (3·a + 1·b)/4: x 0, y 25, z 100.
    assert result.loc[["x", "y", "z"], "index"].tolist() == pytest.approx([0.0, 25.0, 100.0])
    assert result.loc[["x", "y", "z"], "rank"].tolist() == [3, 2, 1]
    assert result.loc["z", "a"] == pytest.approx(100.0) and result.loc["y", "b"] == pytest.approx(0.0)
    assert "w" not in result.index  # no data at all: not ranked, and said so in the notes


def test_a_zone_with_too_little_data_is_not_ranked_and_the_note_says_so():
    rows = [
        ("x", 2019, "revenue", 10),
        ("y", 2019, "revenue", 20),
        ("z", 2019, "revenue", 40),
        ("w", 2019, "revenue", 5),
    ]
    rows += [("x", 2019, "exports", 5), ("y", 2019, "exports", 5), ("z", 2019, "exports", 1)]
    fast = EvaluationSettings(treatment="none", min_share=0.9, uncertainty=Uncertainty(base_samples=8))
    evaluation = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast)
    assert "w" not in set(evaluation.results["zone_id"])  # 1 of 2 indicators < 90 %
    assert any(n.get("zone_id") == "w" and "not ranked: 50%" in n["note"] for n in evaluation.notes)
    # At 50 % overall w passes, but its dimension b (exports alone) is empty: 0 of 1 < 50 % of a
    # dimension's indicators, so it is still not ranked (never ranked with a whole dimension missing).
    lenient = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast.model_copy(update={"min_share": 0.5}))
    assert "w" not in set(lenient.results["zone_id"])
    assert any(n.get("zone_id") == "w" and "too few indicators in b" in n["note"] for n in lenient.notes)


def test_a_zone_that_leads_everywhere_is_first_in_every_replication():
    rows = [(z, 2019, "revenue", v) for z, v in (("x", 10), ("y", 20), ("z", 40), ("w", 30))]
    rows += [(z, 2019, "exports", v) for z, v in (("x", 9), ("y", 6), ("z", 1), ("w", 3))]
    result = evaluate(panel(rows), REGISTRY, [FRAMEWORK], EvaluationSettings(uncertainty=Uncertainty(base_samples=64)))
    z = result.results.set_index("zone_id").loc["z"]
    assert (z["rank"], z["rank_p05"], z["rank_median"], z["rank_p95"]) == (1, 1, 1, 1)
    assert set(result.sensitivity["factor"]) == {"treatment", "normalisation", "aggregation", "weight:a", "weight:b"}
    assert (result.sensitivity["replications"] == 64 * (5 + 2)).all()  # N·(D + 2)


def test_rank_rows_and_their_quantiles():
    index = np.array([[3.0, 1.0, 2.0], [1.0, 3.0, 2.0], [3.0, 2.0, 1.0], [3.0, 1.0, 2.0]])
    ranked = rank_rows(index)
    assert ranked.tolist() == [[1, 3, 2], [3, 1, 2], [1, 2, 3], [1, 3, 2]]
    # The first zone: ranks 1, 3, 1, 1 → 5 % and 50 % quantiles 1, 95 % quantile 3.
    p05, median, p95 = rank_quantiles(ranked)
    assert (p05[0], median[0], p95[0]) == (1, 1, 3)
    # The third zone: 2, 2, 3, 2 → median 2.
    assert median[2] == 2


def test_equal_indices_share_the_best_rank_and_unranked_zones_stay_unranked():
    # Row 1: 5 > 3 = 3 > 1 → ranks 1, 2, 2, 4 ("min" ties, as the nominal ranking).
    # Row 2: NaN is unranked; 2 = 2 > 1 → 1, 1, 3 for the others.
    index = np.array([[3.0, 5.0, 1.0, 3.0], [2.0, np.nan, 2.0, 1.0]])
    ranked = rank_rows(index)
    assert ranked[0].tolist() == [2, 1, 4, 2]
    assert ranked[1, 0] == 1 and np.isnan(ranked[1, 1]) and ranked[1, 2:].tolist() == [1, 3]
    # The second zone was ranked once (rank 1): its quantiles are 1; the others count two ranks each.
    p05, median, p95 = rank_quantiles(ranked)
    assert (p05[1], median[1], p95[1]) == (1, 1, 1)
    # The fourth zone: ranks 2 and 3 → 5 % quantile 2 (ceil(0.05·2) = 1st value), 95 % 3 (ceil(1.9) = 2nd).
    assert (p05[3], p95[3]) == (2, 3)


def test_ranking_in_blocks_changes_nothing(monkeypatch):
    from zonetrack.evaluation import uncertainty

    rows = [(z, 2019, "revenue", v) for z, v in (("x", 10), ("y", 20), ("z", 40), ("w", 30))]
    rows += [(z, 2019, "exports", v) for z, v in (("x", 9), ("y", 6), ("z", 1), ("w", 3))]
    settings_ = EvaluationSettings(uncertainty=Uncertainty(base_samples=64))
    whole = evaluate(panel(rows), REGISTRY, [FRAMEWORK], settings_)
    monkeypatch.setattr(uncertainty, "BLOCK_CELLS", 4 * 5)  # five replications per block, the last one short
    blocked = evaluate(panel(rows), REGISTRY, [FRAMEWORK], settings_)
    pd.testing.assert_frame_equal(whole.results, blocked.results)
    pd.testing.assert_frame_equal(whole.sensitivity, blocked.sensitivity)


def test_each_options_rank_interval_is_the_one_of_the_replications_taking_it(monkeypatch):
    from zonetrack.evaluation import uncertainty

    # Counted by their definition: the replications that took the option, ranked, their 5 % and
    # 95 % quantiles (the last option of each choice is counted as the rest in `analyse`).
    # Exports are lower-is-better: z leads on revenue, w nearly as well and with fewer exports, so
    # w leads under min-max (3·93.3 + 62.5)/4 = 85.6 against z's 75, z under ranks (75 against 58.3).
    rows = [(z, 2019, "revenue", v) for z, v in (("x", 10), ("y", 20), ("z", 40), ("w", 38))]
    rows += [(z, 2019, "exports", v) for z, v in (("x", 1), ("y", 3), ("z", 9), ("w", 4))]
    settings_ = EvaluationSettings(uncertainty=Uncertainty(base_samples=16))
    zones = ["x", "y", "z", "w"]
    data = class_year(indicator_table(panel(rows), FRAMEWORK), zones, 2019, FRAMEWORK, settings_.weighting)
    weights = dimension_weights(FRAMEWORK, settings_.weighting)
    index, _ = nominal_index(data, FRAMEWORK, "winsorise", "minmax", "arithmetic", weights)
    blocks = []
    rank_rows_ = uncertainty.rank_rows
    monkeypatch.setattr(uncertainty, "rank_rows", lambda i: blocks.append(rank_rows_(i)) or blocks[-1])
    monkeypatch.setattr(uncertainty, "BLOCK_CELLS", 4 * 7)  # seven replications per block
    spread = uncertainty.analyse(data, FRAMEWORK, ranks(index), weights, 0.25, 16, 2017)
    ranked = np.vstack([b.copy() for b in blocks])
    _, design_rows = design(list(FRAMEWORK.dimensions), 0.25, 16, 2017)
    assert len(ranked) == len(design_rows) == 16 * (5 + 2)
    moved = False
    for k, (name, options) in enumerate(
        (("treatment", uncertainty.TREATMENTS), ("normalisation", NORMALISATIONS), ("aggregation", AGGREGATIONS))
    ):
        taken = np.minimum((design_rows[:, k] * len(options)).astype(int), len(options) - 1)
        for o, option in enumerate(options):
            low, high = rank_quantiles(ranked[taken == o], (0.05, 0.95))
            np.testing.assert_array_equal(spread.conditional[name][option][0], low)
            np.testing.assert_array_equal(spread.conditional[name][option][1], high)
            moved |= bool((low != high).any())
    assert moved  # the choices move some ranks: the intervals compared are not all points


def test_the_design_has_n_times_d_plus_two_rows():
    spec, rows = design(["a", "b", "c"], 0.25, 16, seed=1)
    assert spec["names"][:3] == ["treatment", "normalisation", "aggregation"]
    assert rows.shape == (16 * (6 + 2), 6)
    assert rows[:, 3:].min() >= 0.75 and rows[:, 3:].max() <= 1.25


def test_cronbach_alpha_by_hand():
    # Items (1, 2, 3) and (2, 3, 5): variances 1 and 2.333; their sum (3, 5, 8) has variance 6.333.
    # α = 2/1 · (1 − 3.333/6.333) = 0.947368.
    assert cronbach_alpha(np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0]])) == pytest.approx(0.947368, abs=1e-6)


values = st.lists(st.floats(1.0, 1000.0), min_size=4, max_size=8, unique=True)


@settings(max_examples=200, deadline=None)
@given(
    revenue=values,
    exports=values,
    zone=st.integers(0, 3),
    more=st.floats(0.5, 500.0),
    method=st.sampled_from(["minmax", "zscore", "rank", "distance_to_best"]),
    aggregation=st.sampled_from(["arithmetic", "geometric"]),
)
def test_raising_an_indicator_in_the_better_direction_never_lowers_the_index(
    revenue, exports, zone, more, method, aggregation
):
    # Without outlier treatment: winsorising may cap a value that rises past the others.
    n = min(len(revenue), len(exports), 4)
    zones = ["x", "y", "z", "w"][:n]
    weights = dimension_weights(FRAMEWORK, "given")

    def index_of(revenue_values):
        rows = [(z, 2019, "revenue", v) for z, v in zip(zones, revenue_values, strict=False)]
        rows += [(z, 2019, "exports", v) for z, v in zip(zones, exports, strict=False)]
        table = indicator_table(panel(rows), FRAMEWORK)
        data = class_year(table, zones, 2019, FRAMEWORK, "given")
        index, _ = nominal_index(data, FRAMEWORK, "none", method, aggregation, weights)
        return index[list(data.zones).index(zones[zone % n])]

    raised = list(revenue[:n])
    raised[zone % n] += more
    assert index_of(raised) >= index_of(revenue[:n]) - 1e-9


@settings(max_examples=100, deadline=None)
# Subnormal values (5e-324) are no figures: halved, 5e-324 underflows to 0 and the spread vanishes.
@given(
    x=st.lists(st.floats(-1e3, 1e3, allow_subnormal=False), min_size=2, max_size=20),
    factor=st.floats(1e-3, 1e3),
)
def test_min_max_does_not_change_when_an_indicator_is_rescaled(x, factor):
    x = np.array(x)
    assert normalise(x * factor, "minmax", False) == pytest.approx(normalise(x, "minmax", False), abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(index=st.lists(st.floats(0, 100), min_size=1, max_size=40, unique=True))
def test_ranks_within_a_class_are_a_permutation(index):
    assert sorted(ranks(np.array(index))) == list(range(1, len(index) + 1))
    assert sorted(rank_rows(np.array([index]))[0]) == list(range(1, len(index) + 1))


def test_the_stage_and_the_published_page_on_the_default(tmp_path):
    from tests.conftest import RAW, REPO

    from zonetrack.cli import main
    from zonetrack.report import evaluation_page

    processed = tmp_path / "processed"
    assert main(["ingest", "--raw", str(RAW), "--out", str(processed)]) == 0
    out = processed / "evaluation"
    args = ["evaluation", "--frameworks", str(REPO / "frameworks"), "--params", str(REPO / "params.yaml")]
    args += ["--processed", str(processed), "--raw", str(RAW), "--out", str(out), "--metrics", str(tmp_path / "m.json")]
    assert main(args) == 0
    results = pd.read_csv(out / "evaluation.csv")
    required = ["year", "class", "zone_id", "index", "rank", "rank_change", "rank_median", "rank_p05", "rank_p95"]
    assert list(results.columns[: len(required)]) == required
    assert {"innovation", "structure", "green", "openness", "quality"} <= set(results.columns)  # one per dimension
    assert sorted(results["year"].unique()) == [2016, 2017, 2018, 2019, 2025, 2026]  # every year with data
    for (_, _), rows in results.groupby(["year", "class"]):
        assert sorted(rows["rank"]) == list(range(1, len(rows) + 1))
        assert ((rows["rank_p05"] <= rows["rank_median"]) & (rows["rank_median"] <= rows["rank_p95"])).all()
    stored = pd.read_parquet(out / "evaluation.parquet")
    text = ["missing", "split_by", "strengths", "weaknesses", "strength_dimension", "weakness_dimension"]
    text += ["thin_dimensions"]
    pd.testing.assert_frame_equal(stored.drop(columns=text), results.drop(columns=text), check_dtype=False)
    for column in text:  # CSV reads "" as missing
        assert stored[column].tolist() == results[column].fillna("").tolist()
    report = evaluation_page.load_evaluation(2019, out, RAW)
    html = evaluation_page.page(report)
    assert "Illustrative data" in html and "Illustrative weights" in html
    assert 'id="national"' in html and 'id="provincial"' in html
    assert "5-95% 区间 Interval" in html and "Sobol" in html and "Cronbach" in html
    assert "区间怎么读" in html and "梯队 Tier" in html and "同口径" in html
    # Where a reader looks (the text outside code), every indicator and dimension of the audit (its
    # flags, its table of correlations, its winsorised columns) is named, never given by its id: the
    # ids stay in the files and in the workbook's id columns.
    import html as markup
    import re

    shown = re.sub(r"<(style|script)[^>]*>.*?</\1>|<code>.*?</code>", "", html, flags=re.S)
    visible = markup.unescape(re.sub(r"<[^>]+>", " ", shown))
    frameworks = list(report.audit["frameworks"].values())
    indicator_ids = {i for f in frameworks for d in f["dimensions"].values() for i in d["indicators"]}
    assert {i for i in indicator_ids if "_" in i} and not {i for i in indicator_ids if "_" in i} & set(
        re.findall(r"\w+", visible)
    )
    dimension_names = {x["name_zh"] for f in frameworks for x in f["dimensions"].values()}
    flagged = re.findall(r"<li><b>[^<]*</b>[^<]*?(\S+)\s*—", shown)  # each flag's dimension, before its dash
    assert flagged and set(flagged) <= dimension_names
    # Every tier boundary the results hold separates the intervals (the rule of issue 18).
    for (_, _), rows in results.groupby(["year", "class"]):
        rows = rows.sort_values("rank")
        for place in np.flatnonzero(rows["tier"].to_numpy()[1:] != rows["tier"].to_numpy()[:-1]) + 1:
            assert rows["rank_p95"].iloc[:place].max() < rows["rank_p05"].iloc[place:].min()
    # The Word document: the same bytes twice, a ranking table whose header repeats on every page.
    import io

    from docx import Document

    from zonetrack.report.evaluation_document import HEADERS, document

    first = document(report)
    assert first == document(report)
    doc = Document(io.BytesIO(first))
    assert doc.paragraphs[0].text == "2019年高新区创新驱动发展绩效评价"
    tables = doc.tables
    assert len(tables) == 2  # national and provincial
    assert [c.text for c in tables[0].rows[0].cells] == HEADERS
    assert "w:tblHeader" in tables[0].rows[0]._tr.xml
    national = results[(results["year"] == 2019) & (results["class"] == "national")]
    assert len(tables[0].rows) == 1 + len(national)
    assert tables[0].rows[1].cells[0].text == "1" and tables[0].rows[1].cells[1].text == "A"
    assert any("示例数据" in p.text for p in doc.paragraphs)


def test_two_frameworks_for_one_class_is_an_error_at_the_second(tmp_path):
    import shutil

    from tests.conftest import RAW, REPO

    from zonetrack.evaluation.framework import load_frameworks

    folder = tmp_path / "frameworks"
    shutil.copytree(REPO / "frameworks", folder)
    text = (folder / "national.yaml").read_text(encoding="utf-8").replace("id: national\n", "id: national_copy\n")
    (folder / "national_copy.yaml").write_text(text, encoding="utf-8")
    frameworks, problems = load_frameworks(folder, RAW)
    assert sorted(f.id for f in frameworks) == ["national", "provincial"]
    line = text.splitlines().index("class: national") + 1
    assert [str(p) for p in problems] == [
        f"{(folder / 'national_copy.yaml').as_posix()}:{line}:class: error: "
        "a second framework for the class national (also "
        f"{(folder / 'national.yaml').as_posix()}): one framework a class; remove or rename one's class"
    ]


def test_an_uncertainty_analysis_beyond_the_cap_is_refused_before_it_runs(tmp_path, monkeypatch, capsys):
    from tests.conftest import RAW, REPO

    from zonetrack import evaluation
    from zonetrack.cli import main

    processed = tmp_path / "processed"
    assert main(["ingest", "--raw", str(RAW), "--out", str(processed)]) == 0
    monkeypatch.setattr(evaluation, "MAX_ZONE_REPLICATIONS", 1000.0)
    out = tmp_path / "evaluation"
    args = ["evaluation", "--frameworks", str(REPO / "frameworks"), "--params", str(REPO / "params.yaml")]
    args += ["--processed", str(processed), "--raw", str(RAW), "--out", str(out), "--metrics", str(tmp_path / "m.json")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "evaluation.uncertainty.base_samples: error: the uncertainty analysis would compute" in err
    assert "lower evaluation.uncertainty.base_samples (1024)" in err
    assert not out.exists()


def test_tiers_are_drawn_only_where_the_intervals_separate():
    from zonetrack.evaluation.results import tier_boundaries, tier_labels

    rank = np.array([1.0, 2.0, 3.0, 4.0])
    p05, p95 = np.array([1.0, 1.0, 3.0, 4.0]), np.array([2.0, 2.0, 3.0, 4.0])
    # After place 1: zone 1's p95 (2) is not above zone 2's p05 (1): no boundary. After 2: max p95 of
    # the first two is 2 < min p05 of the rest, 3 (gap 1). After 3: 3 < 4 (gap 1).
    assert tier_boundaries(rank, p05, p95, tiers=3) == [2, 3]
    assert tier_boundaries(rank, p05, p95, tiers=2) == [2]  # equal gaps: the earlier
    assert tier_labels(rank, [2, 3]).tolist() == ["A", "A", "B", "C"]
    assert tier_boundaries(rank, p05, p95, tiers=1) == []
    # Two zones of the same rank are never split.
    assert tier_boundaries(np.array([1.0, 1.0, 3.0]), np.array([1.0, 1.0, 3.0]), np.array([1.0, 1.0, 3.0]), 3) == [2]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.integers(0, 10)), min_size=2, max_size=12), st.integers(1, 6))
def test_no_tier_boundary_cuts_through_overlapping_intervals(zones, tiers):
    from zonetrack.evaluation.results import tier_boundaries

    rank = np.arange(1, len(zones) + 1, dtype=float)
    p05 = np.array([max(1, r - a) for r, (a, _) in zip(rank, zones, strict=True)], dtype=float)
    p95 = np.array([r + b for r, (b, _) in zip(rank, zones, strict=True)], dtype=float)
    found = tier_boundaries(rank, p05, p95, tiers)
    assert len(found) <= tiers - 1
    for place in found:
        assert p95[:place].max() < p05[place:].min()


def test_strengths_and_weaknesses_against_the_class():
    from zonetrack.evaluation.results import strengths_weaknesses

    # Six zones, two indicators. Zone 0 is best in p (rank 1 ≤ ceil(6/3) = 2) and worst in q (rank 6 >
    # 6 − 2 = 4); zone 2 is third in both (neither top nor bottom third).
    scores = np.array([[90, 1], [80, 50], [70, 40], [60, 30], [50, 20], [40, 60.0]])
    strengths, weaknesses = strengths_weaknesses(scores, ["p", "q"])
    assert (strengths[0], weaknesses[0]) == (["p"], ["q"])
    assert (strengths[2], weaknesses[2]) == ([], [])
    assert (strengths[5], weaknesses[5]) == (["q"], ["p"])


def test_the_like_for_like_rank_change_with_an_indicator_gone_and_a_zone_entering():
    # 2018: revenue x 10, y 20, z 40; exports (lower is better) x 5, y 5, z 1 → index (3a + b)/4 =
    # x 0, y 25, z 100: z 1st, y 2nd, x 3rd (w has no data: not ranked).
    # 2019: no exports at all; revenue x 50, y 30, z 40, w 60 → min-max x 66.7, y 0, z 33.3, w 100:
    # w 1st, x 2nd, z 3rd, y 4th. Published change: x 3 − 2 = +1, y 2 − 4 = −2, z 1 − 3 = −2.
    # Like for like (revenue only, among x, y, z): 2018 z 1, y 2, x 3; 2019 x 1, z 2, y 3:
    # x 3 − 1 = +2, y 2 − 3 = −1, z 1 − 2 = −1.
    rows = [("x", 2018, "revenue", 10), ("y", 2018, "revenue", 20), ("z", 2018, "revenue", 40)]
    rows += [("x", 2018, "exports", 5), ("y", 2018, "exports", 5), ("z", 2018, "exports", 1)]
    rows += [(z, 2019, "revenue", v) for z, v in (("x", 50), ("y", 30), ("z", 40), ("w", 60))]
    # 2019 has data in 1 of the 2 dimensions: published here only because this run allows it (the
    # default, 0.8, would publish no 2019 ranking; see the test after this one).
    fast = EvaluationSettings(treatment="none", min_dimensions_with_data=0.5, uncertainty=Uncertainty(base_samples=8))
    evaluation = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast)
    got = evaluation.results[evaluation.results["year"] == 2019].set_index("zone_id")
    assert got.loc[["x", "y", "z"], "rank_change"].tolist() == [1, -2, -2]
    assert got.loc[["x", "y", "z"], "rank_change_lfl"].tolist() == [2, -1, -1]
    assert np.isnan(got.loc["w", "rank_change_lfl"]) and np.isnan(got.loc["w", "rank_change"])
    notes = [n["note"] for n in evaluation.notes if n["year"] == 2019]
    assert any("the indicators differ from 2018's (e)" in n for n in notes)
    assert any("the class differs from 2018's (entered: w; left: none)" in n for n in notes)


def test_no_ranking_and_no_rank_change_is_published_below_the_stated_coverage():
    # The class has 4 zones (x, y, z, w). 2017: revenue and exports for x, y, z: 2 of 2 dimensions,
    # 3 of 4 zones ranked (75 % ≥ 60 %, and ≥ 3): published. 2018: revenue only (dimension a): 1 of
    # 2 dimensions = 50 % < 80 %: no ranking. 2019: both indicators but only for x and y: 2 of 4
    # zones (< 3): no ranking. 2020: x, y, z again: published, with no rank change (2019 has none).
    both_ = [("revenue", 10, 20, 40), ("exports", 5, 5, 1)]
    rows = [(z, 2017, i, v) for i, *vs in both_ for z, v in zip("xyz", vs, strict=True)]
    rows += [(z, 2018, "revenue", v) for z, v in zip("xyz", (10, 20, 40), strict=True)]
    rows += [(z, 2019, i, v) for i, *vs in both_ for z, v in zip("xy", vs[:2], strict=True)]
    rows += [(z, 2020, i, v) for i, *vs in both_ for z, v in zip("xyz", vs, strict=True)]
    fast = EvaluationSettings(treatment="none", uncertainty=Uncertainty(base_samples=8))
    evaluation = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast)
    assert sorted(evaluation.results["year"].unique().tolist()) == [2017, 2020]
    coverage = evaluation.coverage
    assert coverage["2017/national"] | {"why": ""} == {
        "dimensions": 2,
        "dimensions_with_data": ["a", "b"],
        "zones": 4,
        "zones_ranked": 3,
        "zones_needed": 3,  # max(3, ⌈0.6 × 4⌉ = 3)
        "published": True,
        "reason": "",
        "why": "",
    }
    assert coverage["2018/national"]["published"] is False
    assert coverage["2018/national"]["dimensions_with_data"] == ["a"]
    assert coverage["2018/national"]["why"].startswith("1 of 2 dimensions have data (no zone has a value in b)")
    assert coverage["2019/national"]["zones_ranked"] == 2 and not coverage["2019/national"]["published"]
    assert (
        "2 of the class's 4 zones have enough data to be ranked; at least 3 needed" in coverage["2019/national"]["why"]
    )
    assert evaluation.results.loc[evaluation.results["year"] == 2020, "rank_change"].isna().all()
    assert any(n["year"] == 2018 and n["note"].startswith("no ranking published: 1 of 2") for n in evaluation.notes)
    # With 60 % of 4 zones = 2.4, 3 zones are needed: a stricter 0.8 needs ceil(3.2) = 4, so 2017 goes too.
    strict = fast.model_copy(update={"min_zones_ranked": 0.8})
    assert evaluate(panel(rows), REGISTRY, [FRAMEWORK], strict).results["year"].unique().tolist() == []


def test_a_year_without_a_published_ranking_says_why_on_its_page_and_in_its_document():
    import io

    from docx import Document

    from zonetrack.report.evaluation_document import document
    from zonetrack.report.evaluation_page import EvaluationReport, evaluated_years, page

    # 2018: revenue only, for x, y, z → dimension b (乙) has no data: 1 of 2 dimensions, no ranking.
    rows = [(z, 2018, "revenue", v) for z, v in zip("xyz", (10, 20, 40), strict=True)]
    fast = EvaluationSettings(treatment="none", uncertainty=Uncertainty(base_samples=8))
    evaluation = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast)
    assert evaluation.results.empty
    audit = {
        "settings": fast.model_dump(),
        "frameworks": {"national": FRAMEWORK.model_dump(by_alias=True)},
        "illustrative_data": False,
        "audits": evaluation.audits,
        "notes": evaluation.notes,
        "coverage": evaluation.coverage,
    }
    assert evaluated_years(audit, evaluation.results) == [2018]
    report = EvaluationReport(2018, evaluation.results, evaluation.sensitivity, audit, {}, [2018])
    html = page(report)
    assert "本年未发布任何排名 No ranking is published for 2018" in html
    assert "仅 1/2 个维度有数据（乙无任何园区数据）" in html
    assert "Only 1 of 2 dimensions have data (no zone has a value in 乙)" in html
    assert "<table" not in html.split('id="method"')[0]  # no ranking table before the method
    text = "\n".join(p.text for p in Document(io.BytesIO(document(report))).paragraphs)
    assert "未发布排名 No ranking published：仅 1/2 个维度有数据" in text


def test_the_evaluation_workbook_names_columns_in_chinese_and_formats_its_numbers():
    import io

    from openpyxl import load_workbook

    from zonetrack.report.evaluation_page import EvaluationReport, workbook

    # The hand-worked index above: x 0, y 25, z 100 → ranks z 1, y 2, x 3.
    rows = [("x", 2019, "revenue", 10), ("y", 2019, "revenue", 20), ("z", 2019, "revenue", 40)]
    rows += [("x", 2019, "exports", 5), ("y", 2019, "exports", 5), ("z", 2019, "exports", 1)]
    fast = EvaluationSettings(treatment="none", uncertainty=Uncertainty(base_samples=8))
    evaluation = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast)
    audit = {
        "settings": fast.model_dump(),
        "frameworks": {"national": FRAMEWORK.model_dump(by_alias=True)},
        "audits": evaluation.audits,
        "notes": evaluation.notes,
        "coverage": evaluation.coverage,
    }
    names = {"x": "甲园", "y": "乙园", "z": "丙园"}
    report = EvaluationReport(2019, evaluation.results, evaluation.sensitivity, audit, names, [2019])
    book = load_workbook(io.BytesIO(workbook(report)))
    assert book.sheetnames == ["national 国家级高新区", "sensitivity 敏感性"]
    sheet = book["national 国家级高新区"]
    headers = [c.value for c in sheet[1]]
    column = {h.rsplit("\n", 1)[-1]: k for k, h in enumerate(headers, start=1)}
    assert headers[column["a"] - 1] == "甲\na" and headers[column["points_b"] - 1] == "乙得分\npoints_b"
    assert headers[column["index"] - 1] == "综合指数\nindex"
    first = {c: sheet.cell(row=2, column=k) for c, k in column.items()}
    assert first["zone_name"].value == "丙园" and first["index"].value == pytest.approx(100.0)
    assert first["index"].number_format == "0.00" and first["rank"].number_format == "0"
    assert first["a"].number_format == "0.00"
    sensitivity = book["sensitivity 敏感性"]
    values = [[c.value for c in r] for r in sensitivity.iter_rows(min_row=2)]
    assert all(v[1] == "国家级高新区" for v in values)
    s1 = next(c for c in sensitivity[1] if c.value.endswith("\nS1")).column
    assert all(sensitivity.cell(row=r, column=s1).value >= 0 for r in range(2, sensitivity.max_row + 1))


def test_a_geometric_index_is_reproduced_from_its_published_dimension_scores():
    # Indicators rescaled to [1, 100] once; the index is the weighted geometric mean of the dimension
    # scores as published: revenue 10, 20, 40 → min-max 0, 33.3, 100 → [1, 100]: 1, 34, 100; exports
    # (lower better) 5, 5, 1 → 0, 0, 100 → 1, 1, 100. Index = (a³·b)^(1/4): x 1, y 34^0.75 = 14.08, z 100.
    rows = [("x", 2019, "revenue", 10), ("y", 2019, "revenue", 20), ("z", 2019, "revenue", 40)]
    rows += [("x", 2019, "exports", 5), ("y", 2019, "exports", 5), ("z", 2019, "exports", 1)]
    fast = EvaluationSettings(treatment="none", aggregation="geometric", uncertainty=Uncertainty(base_samples=8))
    got = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast).results.set_index("zone_id")
    assert got.loc[["x", "y", "z"], "a"].tolist() == pytest.approx([1.0, 34.0, 100.0])
    assert got.loc[["x", "y", "z"], "index"].tolist() == pytest.approx([1.0, 34**0.75, 100.0])
    recomputed = np.exp((3 * np.log(got["a"]) + np.log(got["b"])) / 4)
    assert got["index"].tolist() == pytest.approx(recomputed.tolist())


def test_distance_to_best_scores_a_lower_is_better_zero_as_the_best():
    # best positive = 2: 100 × 2 / 2 = 100, 100 × 2 / 4 = 50; a 0 (none at all, less is better) is 100.
    assert normalise(np.array([0.0, 2.0, 4.0]), "distance_to_best", True).tolist() == [100.0, 100.0, 50.0]


def test_the_audit_tests_skewness_after_the_treatment_and_alpha_only_with_ten_zones():
    from zonetrack.evaluation.audit import audit as run_audit
    from zonetrack.evaluation.compute import ClassYear, Scores

    raw = np.array([[1.0, 1], [1, 2], [1, 3], [1, 4], [1, 5], [1, 6], [1, 7], [100, 8]])
    treated = raw.copy()
    treated[7, 0] = 1.0  # winsorised: now constant, not skewed
    data = ClassYear(np.arange(8), raw, ["s", "t"], ["d", "d"], np.ones(2), np.zeros(2, bool), np.zeros(2, bool))
    normalised = np.column_stack([np.full(8, 50.0), np.linspace(0, 100, 8)[::-1]])
    scored = Scores(normalised, normalised.mean(axis=1, keepdims=True), np.array([1, 0]), treated)
    result = run_audit(data, scored, ["d"])
    assert not [f for f in result["flags"] if f["kind"] == "skewed"]  # raw s is skewed; treated s is not
    assert not [f for f in result["flags"] if f["kind"] == "low_alpha"]  # 8 zones < 10: α not judged


def test_a_zone_whose_intervals_under_two_options_are_apart_is_split_by_that_choice():
    from zonetrack.evaluation.uncertainty import RankUncertainty

    # Zone 0: ranks 1-5 under arithmetic, 9-11 under geometric: 5 < 9, split. Zone 1: 2-6 and 4-8 overlap.
    spread = RankUncertainty(*(np.zeros(2),) * 3, [], *(np.zeros(0),) * 4, 0)
    spread.conditional = {
        "aggregation": {
            "arithmetic": (np.array([1.0, 2]), np.array([5.0, 6])),
            "geometric": (np.array([9.0, 4]), np.array([11.0, 8])),
        },
        "treatment": {
            "winsorise": (np.array([1.0, 2]), np.array([11.0, 8])),
            "none": (np.array([1.0, 2]), np.array([11.0, 8])),
        },
    }
    assert spread.split_by() == [["aggregation"], []]


def test_the_comparable_index_keeps_the_base_year_goalposts():
    # Goalposts of 2018: revenue 10-40, exports 1-5 (lower is better). 2018: revenue x 0, y 33.3,
    # z 100; exports x 0, y 0, z 100; index (3a + b)/4 = x 0, y 25, z 100.
    # 2019 on the same goalposts: revenue 25, 40, 55 → 50, 100, 150; exports 3, 5, 1 → 50, 0, 100;
    # index x (150 + 50)/4 = 50, y (300 + 0)/4 = 75, z (450 + 100)/4 = 137.5.
    # Growth since 2018: x from 0 (none: no base to grow from), y 75/25 − 1 = 2, z 137.5/100 − 1 = 0.375.
    rows = [("x", 2018, "revenue", 10), ("y", 2018, "revenue", 20), ("z", 2018, "revenue", 40)]
    rows += [("x", 2018, "exports", 5), ("y", 2018, "exports", 5), ("z", 2018, "exports", 1)]
    rows += [("x", 2019, "revenue", 25), ("y", 2019, "revenue", 40), ("z", 2019, "revenue", 55)]
    rows += [("x", 2019, "exports", 3), ("y", 2019, "exports", 5), ("z", 2019, "exports", 1)]
    fast = EvaluationSettings(treatment="none", comparable_from=2018, uncertainty=Uncertainty(base_samples=8))
    got = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast).results.set_index(["year", "zone_id"])
    assert got.loc[2018, "index_comparable"].loc[["x", "y", "z"]].tolist() == pytest.approx([0.0, 25.0, 100.0])
    assert got.loc[2019, "index_comparable"].loc[["x", "y", "z"]].tolist() == pytest.approx([50.0, 75.0, 137.5])
    growth = got.loc[2019, "index_growth"].loc[["x", "y", "z"]].tolist()
    assert np.isnan(growth[0]) and growth[1:] == pytest.approx([2.0, 0.375])
    # Without the setting, no comparable index.
    plain = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast.model_copy(update={"comparable_from": None}))
    assert "index_comparable" not in plain.results.columns


def test_an_increment_is_this_years_value_less_last_years():
    from zonetrack.evaluation.compute import indicator_table

    spec = FRAMEWORK.model_dump(by_alias=True)
    spec["dimensions"]["a"]["indicators"]["r"] = {
        "name_zh": "增量",
        "name_en": "i",
        "increment": "revenue",
        "weight": 1,
    }
    framework = Framework.model_validate(spec)
    rows = [("x", 2018, "revenue", 10.0), ("x", 2019, "revenue", 25.0), ("x", 2021, "revenue", 30.0)]
    table = indicator_table(panel(rows), framework).set_index("year")
    # 2019: 25 − 10 = 15; 2018 and 2021 have no previous year: none.
    assert table.loc[2019, "r"] == 15.0
    assert np.isnan(table.loc[2018, "r"]) and np.isnan(table.loc[2021, "r"])


def test_the_hundred_point_score_adds_up_to_the_index():
    # The worked index: a (weight 3) x 0, y 33.3, z 100; b (weight 1) x 0, y 0, z 100. Points: a is
    # 3/4 of 100 points: x 0, y 25, z 75; b 1/4: x 0, y 0, z 25; total x 0, y 25, z 100 = the index.
    rows = [("x", 2019, "revenue", 10), ("y", 2019, "revenue", 20), ("z", 2019, "revenue", 40)]
    rows += [("x", 2019, "exports", 5), ("y", 2019, "exports", 5), ("z", 2019, "exports", 1)]
    fast = EvaluationSettings(treatment="none", uncertainty=Uncertainty(base_samples=8))
    got = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast).results.set_index("zone_id").loc[["x", "y", "z"]]
    assert got["points_a"].tolist() == pytest.approx([0.0, 25.0, 75.0])
    assert got["points_b"].tolist() == pytest.approx([0.0, 0.0, 25.0])
    assert got["points"].tolist() == pytest.approx(got["index"].tolist())
    geometric = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast.model_copy(update={"aggregation": "geometric"}))
    assert "points" not in geometric.results.columns  # a geometric mean is no sum of points


def test_goalposts_normalise_as_min_max_and_leave_missing_values_missing():
    # Goalposts 10-40: 25 → 100 × 15 / 30 = 50, 55 → 150 (beyond the base year's maximum, not clipped);
    # lower is better turns them round: 50, −50. Equal goalposts: 50 for a value, a gap stays a gap.
    assert normalise(np.array([25.0, 55.0]), "minmax", False, goalposts=(10.0, 40.0)).tolist() == [50.0, 150.0]
    assert normalise(np.array([25.0, 55.0]), "minmax", True, goalposts=(10.0, 40.0)).tolist() == [50.0, -50.0]
    constant = normalise(np.array([np.nan, 5.0]), "minmax", False, goalposts=(3.0, 3.0))
    assert np.isnan(constant[0]) and constant[1] == 50.0


def test_a_class_years_monte_carlo_read_from_the_cache_is_the_one_computed(tmp_path, monkeypatch):
    from dataclasses import asdict

    from zonetrack.evaluation import uncertainty

    # The hand-worked class-year above (x 0, y 25, z 100), analysed once into the cache, then read.
    rows = [("x", 2019, "revenue", 10), ("y", 2019, "revenue", 20), ("z", 2019, "revenue", 40)]
    rows += [("x", 2019, "exports", 5), ("y", 2019, "exports", 5), ("z", 2019, "exports", 1)]
    fast = EvaluationSettings(treatment="none", uncertainty=Uncertainty(base_samples=8))
    monkeypatch.setenv("ZONETRACK_CACHE", "off")
    uncached = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast)
    monkeypatch.setenv("ZONETRACK_CACHE", str(tmp_path))
    calls = []
    analyse = uncertainty.analyse
    monkeypatch.setattr(uncertainty, "analyse", lambda *a: calls.append(1) or analyse(*a))
    first = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast)
    second = evaluate(panel(rows), REGISTRY, [FRAMEWORK], fast)
    assert len(calls) == 1 and len(list(tmp_path.glob("montecarlo/*/*.npz"))) == 1  # computed once, then read
    for got in (first, second):
        pd.testing.assert_frame_equal(got.results, uncached.results)
        pd.testing.assert_frame_equal(got.sensitivity, uncached.sensitivity)
    # A stored result comes back whole, its choices in their order; anything else is computed again.
    spread = analyse(*_analysis_inputs(rows, fast))
    back = uncertainty._from_bytes(uncertainty._to_bytes(spread))
    assert list(back.conditional) == list(spread.conditional)
    for name, value in asdict(spread).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(back, name), value)
    assert uncertainty._from_bytes(b"PK not a zip") is None
    # Another seed is another result: never read from the first's entry.
    other = evaluate(
        panel(rows), REGISTRY, [FRAMEWORK], fast.model_copy(update={"uncertainty": Uncertainty(base_samples=8, seed=1)})
    )
    assert len(calls) == 2 and other.results["rank"].tolist() == first.results["rank"].tolist()


def _analysis_inputs(rows, settings_):
    data = class_year(indicator_table(panel(rows), FRAMEWORK), ["x", "y", "z"], 2019, FRAMEWORK, settings_.weighting)
    weights = dimension_weights(FRAMEWORK, settings_.weighting)
    index, _ = nominal_index(data, FRAMEWORK, "none", "minmax", "arithmetic", weights)
    return data, FRAMEWORK, ranks(index), weights, 0.25, 8, 2017
