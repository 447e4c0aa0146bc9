"""The illustrative default is reproducible and has the shape the issue asks for."""

from __future__ import annotations

import pandas as pd
from tests.conftest import RAW

from zonetrack.demo import demo_files
from zonetrack.registry import zone_levels


def test_generator_rewrites_the_committed_files_byte_for_byte(registry):
    for relative, content in demo_files(registry, seed=2017).items():
        assert (RAW / relative).read_bytes() == content, relative


def test_default_covers_every_existing_zone_year_and_indicator(vocab_bundle):
    from zonetrack import stages

    vocab, registry, dictionary = vocab_bundle
    stats, clusters = stages.raw_files(RAW)
    result = stages.ingest_files(stats, clusters, vocab, RAW)
    assert not [p for p in result.problems if p.severity == "error"]
    levels = zone_levels(registry, [2016, 2017, 2018, 2019])
    existing = levels[levels["level"].notna()]
    cells = result.panel[["zone_id", "year"]].drop_duplicates()
    assert len(cells) == len(existing)
    # Zones approved in 2018 and 2019 have data only from then.
    first_year = result.panel.groupby("zone_id")["year"].min()
    assert first_year["wangcheng"] == 2018 and first_year["youxian"] == 2019
    # Every indicator of the dictionary appears; a few values are missing on purpose.
    assert set(result.panel["indicator"]) == set(dictionary["id"])
    assert 0 < len(existing) * len(dictionary) - len(result.panel) <= 10
    assert result.panel["illustrative"].all() and result.clusters["illustrative"].all()


def test_zone_totals_stay_below_the_province(vocab_bundle):
    from zonetrack import stages

    vocab, _, _ = vocab_bundle
    stats, clusters = stages.raw_files(RAW)
    panel = stages.ingest_files(stats, clusters, vocab, RAW).panel
    totals = panel.pivot_table(index="year", columns="indicator", values="value", aggfunc="sum")
    official = pd.read_csv(RAW / "reference" / "province_official.csv")
    pairs = [
        ("tech_contract_turnover", "tech_contract_value"),
        ("high_tech_industry_value_added", "high_tech_value_added"),
        ("high_tech_enterprises_valid", "high_tech_enterprises"),
        ("national_incubators", "national_incubators"),
        ("national_maker_spaces", "national_maker_spaces"),
        ("rd_expenditure", "rd_expenditure"),
    ]
    compared = 0
    for official_id, indicator in pairs:
        for row in official[official["indicator"] == official_id].itertuples():
            if row.year in totals.index:
                assert totals.loc[row.year, indicator] < float(row.value), (indicator, row.year)
                compared += 1
    assert compared >= 8
