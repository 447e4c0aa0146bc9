"""Plans and params.yaml are checked like code: every mistake is named at its file, line and key,
with the closest valid key; nothing in them runs or expands; scenarios are differences from the plan."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.conftest import REPO, with_scenario

from zonetrack.cli import main
from zonetrack.plans import load_params, load_plan, load_run
from zonetrack.problems import ProblemsError

PLAN = REPO / "plans" / "hunan-2017-2019.yaml"
PLAN_TEXT = PLAN.read_text(encoding="utf-8")
PARAMS_TEXT = (REPO / "params.yaml").read_text(encoding="utf-8")


def errors_of(tmp_path: Path, text: str, name: str = "hunan-2017-2019.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_plan(path)
    return [str(p).replace(path.as_posix(), "PLAN") for p in caught.value.problems]


def test_both_plans_load_and_agree_with_params():
    for plan_file in sorted((REPO / "plans").glob("*.yaml")):
        run = load_run(plan_file, REPO / "params.yaml")
        assert run.changes == []  # main assesses the plans as published


# The six mistakes of issue 10, and what the validator says of each.
def test_a_misspelt_key_names_the_closest(tmp_path):
    errors = errors_of(tmp_path, PLAN_TEXT.replace("    min: 30\n", "    mni: 30\n", 1))
    assert "PLAN:27:targets.patents_per_10k.mni: error: `mni`: unknown key; did you mean `min`?" in errors


def test_a_percent_written_as_a_whole_number(tmp_path):
    errors = errors_of(tmp_path, PLAN_TEXT.replace("    min: 0.03\n", "    min: 3\n"))
    assert any(
        "targets.rd_intensity" in e
        and "min 3 is above 1 but the target is shown as a percent: did you mean 0.03 (3 %)?" in e
        for e in errors
    )


def test_a_rate_above_one(tmp_path):
    errors = errors_of(tmp_path, PLAN_TEXT.replace("min_rate: 0.25", "min_rate: 25"))
    assert any(
        ":targets.tech_contract_growth.min_rate: error: a rate of 25 is 2500 % a year: did you mean 0.25 (25 %)?" in e
        for e in errors
    )


def test_swapped_years(tmp_path):
    text = PLAN_TEXT.replace("base_year: 2016", "base_year: BASE").replace("target_year: 2019", "target_year: 2016")
    errors = errors_of(tmp_path, text.replace("BASE", "2019"))
    # At the target_year line of the file (the test plan's line 13), not at its first line.
    assert any(
        ":13:target_year: error: target_year 2016 is not after base_year 2019 (are they swapped?)" in e for e in errors
    )


def test_empty_levels(tmp_path):
    text = PLAN_TEXT.replace(
        "    levels: [national]\n    indicator: national_clusters", "    levels: []\n    indicator: national_clusters"
    )
    errors = errors_of(tmp_path, text)
    assert any("targets.national_cluster_each.levels: error: `levels` is empty" in e for e in errors)


def test_a_tab_names_line_and_column(tmp_path):
    errors = errors_of(tmp_path, PLAN_TEXT.replace("  patents_per_10k:\n    name_zh", "  patents_per_10k:\n\tname_zh"))
    tab = "found character '\\t' that cannot start any token: indent with spaces, not tabs (column 1)"
    assert errors == [f"PLAN:19:-: error: YAML: {tab}"]


# Issue 8, items 12-14: parameters that are broken, nonsense or hostile.
@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (("min_rate: 0.25", "min_rate: 25%"), "'25%' is not a number: write a fraction, e.g. 0.25 for 25 %"),
        (("k: 2\n", "k: -8\n"), "targets.hte_doubling.k: error: Input should be greater than 0"),
        (("k: 2\n", "k: 0\n"), "targets.hte_doubling.k: error: Input should be greater than 0"),
        (("min_rate: 0.25", "min_rate: .nan"), "nan is not a finite number"),
        (("min_rate: 0.25", "min_rate: .inf"), "inf is not a finite number"),
        (
            ("min_rate: 0.25", "min_rate: -0.1"),
            "targets.tech_contract_growth.min_rate: error: min_rate -0.1 is not a growth: a decline of 10 % a year "
            "is written `max_rate: -0.1` (at most -10 % a year)",
        ),
        (("target_year: 2019", "target_year: 1e30"), "target_year: error: Input should be a valid integer"),
        (("base_year: 2016\n", ""), "base_year: error: `base_year`: required key missing"),
        (("base_year: 2016", "base_year: 2019"), "target_year 2019 is not after base_year 2019"),
        (("  rd_intensity:\n", "  rd_intensity: 3\n  rd_x:\n"), "targets.rd_intensity: error: expected a mapping"),
        (("czt: [changsha, zhuzhou, xiangtan]", "czt: changsha"), "groups.czt: error: expected a list"),
        (("rule: level\n", "rule: levle\n"), "rule 'levle' is not one of level, multiple"),
        (("min_rate: 0.25", "min_rate: !!python/object/apply:os.system ['true']"), "YAML: tag not allowed here"),
        (("    min: 30\n", "    min: 30\n    min: 31\n"), "key 'min' is given twice"),
        # Issue 17: YAML 1.1's surprising readings, a pasted control character, absurd sizes.
        (("    min: 30\n", "    min: on\n"), "'on' is read as a yes/no by YAML: write true or false"),
        (("    min: 30\n", "    min: 010\n"), "'010' is read as an octal, hexadecimal or base-60 number"),
        (("    min: 30\n", "    min: 1_000\n"), "'1_000' is read as an octal, hexadecimal or base-60 number"),
        (("name_en: Hunan", "name_en: Hu\x0bnan"), "PLAN:7:-: error: a control character (U+000B) at column 12"),
        (("name_en: Hunan", "name_en: Hu\x00nan"), "PLAN:7:-: error: a control character (U+0000) at column 12"),
        (("    min: 30\n", "    min: " + "9" * 5000 + "\n"), "a number of 5,000 digits: not a threshold"),
        (("    min: 30\n", "    min: " + "[" * 1000 + "]" * 1000 + "\n"), "nested more than 50 levels deep"),
    ],
)
def test_broken_plans_are_named_never_a_traceback(tmp_path, change, fragment):
    errors = errors_of(tmp_path, PLAN_TEXT.replace(*change, 1))
    assert any(fragment in e for e in errors), errors


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n"])
def test_empty_or_wrong_shaped_files(tmp_path, text):
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1 and ("empty" in errors[0] or "mapping" in errors[0])


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
    )
    started = time.perf_counter()
    errors = errors_of(tmp_path, bomb)
    assert time.perf_counter() - started < 5  # refused while reading, not after expanding 9^9 items
    # "b: &b [*a, …": b, colon, space, &, b, space, [ are columns 1-7; the alias starts at column 8.
    assert errors == ["PLAN:2:-: error: YAML: alias *a is not allowed (write the value out) (column 8)"]


def test_the_id_is_the_file_name(tmp_path):
    errors = errors_of(tmp_path, PLAN_TEXT, name="other.yaml")
    assert any("id 'hunan-2017-2019' differs from the file name 'other'" in e for e in errors)


def params_errors(tmp_path, text):
    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_params(path)
    return [str(p).replace(path.as_posix(), "PARAMS") for p in caught.value.problems]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            ("needs_acceleration: 0.6", "needs_acceleration: 0.99"),
            "must be below on_track 0.95 (are the bands inverted?)",
        ),
        (("on_track: 0.95", "on_track: .nan"), "nan is not a finite number"),
        (
            ("tolerance: 1.0e-9", "tolerance: -1.0e-9"),
            "status.tolerance: error: Input should be greater than or equal to 0",
        ),
        (("    years: auto  #", "    years: [2018, 2018]  #"), "years listed twice: [2018]"),
        (("    years: auto  #", "    years: 2019  #"), "plans.hunan-2017-2019.years: error:"),
        (
            ("    years: auto  #", "    years: [" + ", ".join(["2019"] * 20000) + "]  #"),
            "plans.hunan-2017-2019.years: error",
        ),
        (("  min_coverage: 0.8", "  min_coverage: 0.8\n  minimum_coverage: 0.9"), "did you mean `min_coverage`?"),
    ],
)
def test_broken_params(tmp_path, change, fragment):
    errors = params_errors(tmp_path, PARAMS_TEXT.replace(*change, 1))
    assert any(fragment in e for e in errors), errors


def run_with(tmp_path, scenario: str):
    (tmp_path / "params.yaml").write_text(with_scenario(PARAMS_TEXT, "hunan-2017-2019", scenario), encoding="utf-8")
    return load_run(PLAN, tmp_path / "params.yaml")


def test_a_scenario_is_the_difference_from_the_plan(tmp_path):
    run = run_with(tmp_path, "{targets: {tech_contract_growth: {min_rate: 0.2}}}")
    assert run.plan.targets["tech_contract_growth"].min_rate == 0.2
    assert run.published.targets["tech_contract_growth"].min_rate == 0.25
    assert run.changes == [("targets.tech_contract_growth.min_rate", 0.25, 0.2)]


def test_a_scenario_is_checked_like_the_plan(tmp_path):
    with pytest.raises(ProblemsError) as caught:
        run_with(tmp_path, "{targets: {tech_contract_growth: {min_rat: 0.2}}}")
    messages = [str(p) for p in caught.value.problems]
    assert any(
        "plans.hunan-2017-2019.scenario.targets.tech_contract_growth.min_rat" in m and "did you mean `min_rate`?" in m
        for m in messages
    )
    with pytest.raises(ProblemsError) as caught:
        run_with(tmp_path, "{targets: {tech_contract_grwoth: {min_rate: 0.2}}}")
    assert "no such target in hunan-2017-2019; did you mean `tech_contract_growth`?" in str(caught.value)


def test_validate_command_checks_names_against_the_data(tmp_path, capsys):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "hunan-2017-2019.yaml").write_text(
        PLAN_TEXT.replace("indicator: tech_smes", "indicator: tech_sme"), encoding="utf-8"
    )
    (tmp_path / "params.yaml").write_text(PARAMS_TEXT, encoding="utf-8")
    status = main(
        [
            "validate",
            str(plans / "hunan-2017-2019.yaml"),
            "--params",
            str(tmp_path / "params.yaml"),
            "--raw",
            str(REPO / "data/raw"),
        ]
    )
    err = capsys.readouterr().err
    assert status == 1
    assert (
        "targets.sme_doubling.indicator: error: no indicator 'tech_sme' in indicators.csv; did you mean `tech_smes`?"
        in err
    )
    assert "no plan file hunan-2026-2028.yaml" in err


PLAN_2026 = (REPO / "plans" / "hunan-2026-2028.yaml").read_text(encoding="utf-8")
TOP_30 = """\
  top_30:
    name_zh: 进入全国前30位
    name_en: Into the national top 30
    text_zh: 国家高新区进入全国前30位
    text_en: National zones rank in the national top 30
    rule: level
    scope: each
    levels: [national]
    indicator: national_rank
    {bound}: 30
    unit: 位
    display: integer
"""


def _validate_2026(tmp_path, capsys, text: str) -> tuple[int, str]:
    plans = tmp_path / "plans"
    plans.mkdir(exist_ok=True)
    (plans / "hunan-2026-2028.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "params.yaml").write_text(PARAMS_TEXT, encoding="utf-8")
    args = ["validate", str(plans / "hunan-2026-2028.yaml"), "--params", str(tmp_path / "params.yaml")]
    status = main([*args, "--raw", str(REPO / "data/raw")])
    return status, capsys.readouterr().err


def test_a_top_30_rank_written_as_min_is_an_error_that_names_max(tmp_path, capsys):
    status, err = _validate_2026(
        tmp_path, capsys, PLAN_2026.replace("targets:\n", "targets:\n" + TOP_30.format(bound="min"), 1)
    )
    assert status == 1
    assert (
        "targets.top_30.min: error: `min: 30` asks for a rank of at least 30, but national_rank is a rank, where "
        "lower is better: 前30位 (top 30) is `max: 30`" in err
    )
    status, err = _validate_2026(
        tmp_path, capsys, PLAN_2026.replace("targets:\n", "targets:\n" + TOP_30.format(bound="max"), 1)
    )
    assert "targets.top_30" not in err


def test_a_plan_unit_other_than_its_indicators_is_an_error_with_the_conversion(tmp_path, capsys):
    # high_tech_enterprises is kept in 家; the plan's `unit: 家` of hte_7800 becomes 万元 (money, not a
    # count); and a 亿元 indicator written in 万元: 1 亿元 = 10^8 / 10^4 = 10,000 万元.
    wrong = PLAN_2026.replace("    min: 7801\n    unit: 家", "    min: 7801\n    unit: 万元")
    assert wrong != PLAN_2026
    status, err = _validate_2026(tmp_path, capsys, wrong)
    assert status == 1
    assert "unit '万元' is not a unit of high_tech_enterprises, which is kept in 家: write the target in 家" in err
    revenue = TOP_30.format(bound="min").replace("national_rank", "revenue").replace("unit: 位", "unit: 万元")
    status, err = _validate_2026(tmp_path, capsys, PLAN_2026.replace("targets:\n", "targets:\n" + revenue, 1))
    assert "targets.top_30.unit: error: unit '万元' but revenue is kept in 亿元 (1 亿元 = 10,000 万元)" in err


def test_min_and_max_together_is_an_error(tmp_path):
    text = PLAN_TEXT.replace("    min: 0.03\n", "    min: 0.03\n    max: 0.05\n")
    assert any(
        "targets.rd_intensity: error: give one of `min` (at least) or `max` (at most), not both" in e
        for e in errors_of(tmp_path, text)
    )


@pytest.mark.parametrize(
    ("scenario", "key"),
    [
        ("{targets: {rd_intensity: {unit: 万元}}}", "targets.rd_intensity.unit"),
        ("{targets: {rd_intensity: {source: elsewhere}}}", "targets.rd_intensity.source"),
        ("{name_zh: 另一个方案}", "name_zh"),
    ],
)
def test_a_scenario_cannot_change_what_the_plan_says(tmp_path, scenario, key):
    text = with_scenario(PARAMS_TEXT, "hunan-2017-2019", scenario)
    (tmp_path / "params.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_run(PLAN, tmp_path / "params.yaml")
    assert (
        f"plans.hunan-2017-2019.scenario.{key}: error: a scenario changes how the plan is assessed, not what it says"
        in str(caught.value)
    )


@pytest.mark.parametrize("key", ["base_year", "target_year"])
def test_a_scenario_cannot_move_the_plans_years(tmp_path, key):
    # The plan's inputs hold its base-to-target years and DVC reruns them only for `years`: a scenario
    # that moved the years would be assessed on the old years' data.
    text = with_scenario(PARAMS_TEXT, "hunan-2017-2019", f"{{{key}: 2015}}")
    (tmp_path / "params.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_run(PLAN, tmp_path / "params.yaml")
    assert f"plans.hunan-2017-2019.scenario.{key}: error: a scenario cannot change the plan's {key}" in str(
        caught.value
    )


def test_a_scenario_whose_targets_is_not_a_mapping_is_named(tmp_path):
    text = with_scenario(PARAMS_TEXT, "hunan-2017-2019", "{targets: 5}")
    (tmp_path / "params.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_run(PLAN, tmp_path / "params.yaml")
    assert "plans.hunan-2017-2019.scenario.targets: error: `targets` is a mapping of target ids" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            ("weight_spread: 0.25", "weight_spread: 0"),
            "evaluation.uncertainty.weight_spread: error: Input should be greater than 0",
        ),
        (("seed: 2017", "seed: -1"), "evaluation.uncertainty.seed: error: Input should be greater than or equal to 0"),
    ],
)
def test_evaluation_settings_that_salib_would_refuse_later_are_refused_first(tmp_path, change, fragment):
    (tmp_path / "params.yaml").write_text(PARAMS_TEXT.replace(*change, 1), encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_params(tmp_path / "params.yaml")
    assert fragment in str(caught.value)


@pytest.mark.parametrize("plan_file", sorted((REPO / "plans").glob("*.yaml")), ids=lambda p: p.stem)
def test_a_shipped_plans_readings_name_targets_by_name_not_by_id(plan_file):
    # A reading is printed under its target on every page: a setting a scenario changes may stand
    # in code (`max_revenue`), but another target is named as a reader knows it (高新技术企业数翻番),
    # never by its id (hte_doubling), nor is a status by its code.
    import re

    from zonetrack.engine.status import ALL_STATUSES

    plan, _ = load_plan(plan_file)
    # Every status code but "met", which is also the English word.
    ids = set(plan.targets) | {s for s in ALL_STATUSES if "_" in s}
    for target_id, target in plan.targets.items():
        prose = re.sub(r"`[^`]*`", "", target.reading)
        assert not ids & set(re.findall(r"\w+", prose)), (target_id, target.reading)
