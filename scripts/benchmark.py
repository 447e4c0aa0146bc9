"""Benchmark zonetrack at three sizes and against a DuckDB reference of the engine's core.

Run with `make bench`. Prints a table and writes metrics/benchmark.json. Not a test: the figures are
measurements of this machine, reported as medians of --runs runs.

Sizes (synthetic panels, fixed seed, generated in a temporary folder):
  default   the embedded illustrative dataset (data/raw)
  national  1,500 zones x 20 years, every indicator of the dictionary, 10 clusters per zone and year
  x10       15,000 zones x 20 years, the same
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from zonetrack.params import bands, load_params  # noqa: E402

from zonetrack import rules  # noqa: E402
from zonetrack.indicators import load_dictionary  # noqa: E402
from zonetrack.registry import load_registry, zone_levels  # noqa: E402
from zonetrack.stages import run_ingest  # noqa: E402

SEED = 20170606
FIRST_YEAR, LAST_YEAR = 2000, 2019
CORE_TARGETS = ["tech_contract_growth", "hte_doubling", "patents_per_10k"]
BIN = Path(sys.executable).parent


# --- synthetic data -------------------------------------------------------------------------------


def synthetic_raw(folder: Path, zones: int, seed: int = SEED) -> dict:
    """Write a raw folder: registry, dictionary, wide CSVs (one per 5-year block), clusters.csv, params."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    (folder / "stats").mkdir()
    shutil.copy(REPO / "data" / "raw" / "indicators.csv", folder / "indicators.csv")
    ids = np.array([f"z{i:05d}" for i in range(zones)])
    national = rng.random(zones) < 0.1
    approved = rng.integers(1995, 2012, zones)
    registry = pd.DataFrame(
        {
            "zone_id": ids,
            "name_zh": [f"第{i}号高新技术产业开发区" for i in range(zones)],
            "name_en": [f"Zone {i}" for i in range(zones)],
            "city": "synthetic",
            "provincial_since": approved,
            "national_since": np.where(national, approved + 5, 0),
            "source": "synthetic benchmark",
            "note": "",
        }
    )
    registry["national_since"] = registry["national_since"].replace(0, pd.NA)
    registry.to_csv(folder / "zones.csv", index=False)
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    grid = pd.DataFrame({"zone": np.repeat(ids, len(years)), "year": np.tile(years, zones)})
    steps = grid["year"].to_numpy() - FIRST_YEAR
    size = np.repeat(rng.lognormal(0.0, 0.8, zones), len(years))
    dictionary = load_dictionary(folder / "indicators.csv")
    for indicator, kind in zip(dictionary["id"], dictionary["kind"], strict=True):
        growth = np.repeat(rng.uniform(-0.05, 0.35, zones), len(years))
        value = size * 50 * (1 + growth) ** steps * rng.uniform(0.9, 1.1, len(grid))
        grid[indicator] = np.round(value) if kind == "count" else np.round(value, 4)
    grid["note"] = "illustrative"
    for start in range(FIRST_YEAR, LAST_YEAR + 1, 5):
        block = grid[(grid["year"] >= start) & (grid["year"] < start + 5)]
        block.to_csv(folder / "stats" / f"zones_{start}_{start + 4}.csv", index=False)
    clusters = grid[["zone", "year"]].loc[grid.index.repeat(10)].reset_index(drop=True)
    clusters["cluster"] = np.tile([f"cluster {k}" for k in range(10)], len(grid))
    clusters["revenue"] = np.round(rng.lognormal(4.5, 1.2, len(clusters)), 2)
    clusters.to_csv(folder / "clusters.csv", index=False)
    params = load_params(REPO / "params.yaml")
    params["plan"]["base_year"], params["plan"]["target_year"] = FIRST_YEAR, LAST_YEAR
    params["assess"]["years"] = list(range(FIRST_YEAR + 1, LAST_YEAR + 1))
    params["groups"] = {"czt": [str(z) for z in ids[:3]], "other_national": [str(z) for z in ids[3:7]]}
    (folder / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {"zones": zones, "years": len(years), "cluster_rows": len(clusters)}


def default_raw(folder: Path) -> dict:
    shutil.copytree(REPO / "data" / "raw", folder)
    shutil.copy(REPO / "params.yaml", folder / "params.yaml")
    return {"zones": len(load_registry(folder / "zones.csv")), "years": 4}


# --- measuring ------------------------------------------------------------------------------------


def _encoding(path: Path) -> str:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def run_process(command: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one whole process (os.wait4 gives its own rusage)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise RuntimeError(
                f"{' '.join(command)} failed ({process.returncode}):\n{errors.read().decode(errors='replace')}"
            )
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def median_of(runs: int, measure) -> tuple[float, ...]:
    results = [measure() for _ in range(runs)]
    if isinstance(results[0], tuple):
        return tuple(statistics.median(r[i] for r in results) for i in range(len(results[0])))
    return statistics.median(results)


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


# --- the DuckDB reference of the engine's core ----------------------------------------------------

DUCKDB_CORE = """
WITH lv AS (SELECT zone_id, year, level FROM levels WHERE level IS NOT NULL),
wide AS (
  SELECT zone_id, year,
         max(value) FILTER (WHERE indicator = 'tech_contract_value') AS tcv,
         max(value) FILTER (WHERE indicator = 'high_tech_enterprises') AS hte,
         max(value) FILTER (WHERE indicator = 'invention_patents') AS pat,
         max(value) FILTER (WHERE indicator = 'population') AS pop
  FROM panel GROUP BY zone_id, year),
rows AS (
  SELECT lv.zone_id, lv.year, w.tcv, w.hte, w.pat, w.pop,
         b.tcv AS tcv_b, b.hte AS hte_b, b.pat AS pat_b, b.pop AS pop_b
  FROM lv LEFT JOIN wide w USING (zone_id, year)
  LEFT JOIN wide b ON b.zone_id = lv.zone_id AND b.year = $base
  WHERE lv.year > $base AND lv.year IN (SELECT unnest($years::INTEGER[]))),
growth AS (  -- tech_contract_growth: every zone, CAGR against min_rate
  SELECT 'tech_contract_growth' AS target_id, zone_id, year, tcv AS value, tcv_b AS base_value,
         tcv_b * pow(1 + $rate, $span) AS target_value,
         CASE WHEN tcv_b > 0 AND tcv IS NOT NULL
              THEN pow(greatest(tcv / tcv_b, 0), 1.0 / (year - $base)) - 1 END AS actual_rate,
         $rate AS required_rate
  FROM rows),
growth_r AS (SELECT *, actual_rate / abs(required_rate) AS ratio FROM growth),
totals AS (  -- hte_doubling like for like; patents_per_10k ratio of sums
  SELECT year,
         sum(hte) FILTER (WHERE hte IS NOT NULL AND hte_b IS NOT NULL) AS hte_t,
         sum(hte_b) FILTER (WHERE hte IS NOT NULL AND hte_b IS NOT NULL) AS hte_b,
         sum(pat) FILTER (WHERE pat IS NOT NULL AND pop IS NOT NULL)
           / sum(pop) FILTER (WHERE pat IS NOT NULL AND pop IS NOT NULL) AS pat_t,
         sum(pat_b) FILTER (WHERE pat_b IS NOT NULL AND pop_b IS NOT NULL)
           / sum(pop_b) FILTER (WHERE pat_b IS NOT NULL AND pop_b IS NOT NULL) AS pat_b
  FROM rows GROUP BY year),
total_rows AS (
  SELECT 'hte_doubling' AS target_id, 'ALL' AS zone_id, year, hte_t AS value, hte_b AS base_value,
         2 * hte_b AS target_value,
         CASE WHEN hte_b > 0 THEN pow(greatest(hte_t / hte_b, 0), 1.0 / (year - $base)) - 1 END AS actual_rate,
         pow(2, 1.0 / $span) - 1 AS required_rate
  FROM totals
  UNION ALL
  SELECT 'patents_per_10k', 'ALL', year, pat_t, pat_b, 30.0,
         CASE WHEN pat_b > 0 THEN pow(greatest(pat_t / pat_b, 0), 1.0 / (year - $base)) - 1 END,
         CASE WHEN pat_b > 0 THEN pow(30.0 / pat_b, 1.0 / $span) - 1 END
  FROM totals),
all_rows AS (
  SELECT *, actual_rate / abs(required_rate) AS ratio FROM total_rows
  UNION ALL SELECT * FROM growth_r)
SELECT target_id, zone_id, year, value, base_value, target_value, actual_rate, required_rate, ratio,
  CASE
    WHEN value IS NULL THEN 'no_data'
    WHEN target_id <> 'patents_per_10k' AND base_value IS NULL THEN 'no_data'
    WHEN target_id <> 'patents_per_10k' AND base_value <= 0 THEN 'not_assessable'
    WHEN value >= target_value - $tol * abs(target_value) THEN 'met'
    WHEN year >= $target THEN 'not_met'
    WHEN base_value IS NULL THEN 'no_data'
    WHEN base_value <= 0 THEN 'not_assessable'
    WHEN base_value >= target_value - $tol * abs(target_value) THEN 'moving_away'
    WHEN ratio >= $on - $tol * $on THEN 'on_track'
    WHEN ratio >= $acc - $tol * $acc THEN 'needs_acceleration'
    WHEN ratio >= 0 THEN 'off_track'
    ELSE 'moving_away'
  END AS status
FROM all_rows
"""


def core_inputs(raw: Path, processed: Path) -> dict:
    params = load_params(raw / "params.yaml")
    plan = params["plan"]
    years = [int(y) for y in params["assess"]["years"]]
    base, target = int(plan["base_year"]), int(plan["target_year"])
    registry = load_registry(raw / "zones.csv")
    groups = {k: list(v) for k, v in params["groups"].items()}
    targets = rules.parse_targets(
        {t: params["targets"][t] for t in CORE_TARGETS}, groups, set(load_dictionary(raw / "indicators.csv")["id"])
    )
    return {
        "panel": pd.read_parquet(processed / "panel.parquet"),
        "clusters": pd.read_parquet(processed / "clusters.parquet"),
        "levels": zone_levels(registry, sorted({base, *years})),
        "targets": targets,
        "groups": groups,
        "years": years,
        "base": base,
        "target": target,
        "bands": bands(params),
        "rate": float(params["targets"]["tech_contract_growth"]["min_rate"]),
    }


def engine_core(inputs: dict) -> pd.DataFrame:
    return rules.evaluate(
        inputs["panel"],
        inputs["clusters"],
        inputs["levels"],
        inputs["targets"],
        inputs["groups"],
        inputs["years"],
        inputs["base"],
        inputs["target"],
        inputs["bands"],
    )


def duckdb_core(connection, inputs: dict) -> pd.DataFrame:
    bands_ = inputs["bands"]
    return connection.execute(
        DUCKDB_CORE,
        {
            "base": inputs["base"],
            "target": inputs["target"],
            "span": inputs["target"] - inputs["base"],
            "years": inputs["years"],
            "rate": inputs["rate"],
            "tol": bands_.tolerance,
            "on": bands_.on_track,
            "acc": bands_.needs_acceleration,
        },
    ).df()


def compare(engine: pd.DataFrame, reference: pd.DataFrame) -> dict:
    """Do the engine and DuckDB give the same numbers and statuses on the rows the reference covers?"""
    engine = engine[(engine["target_id"] != "tech_contract_growth") | (engine["zone_id"] != "ALL")]
    engine = engine[(engine["zone_id"] == "ALL") | (engine["target_id"] == "tech_contract_growth")]
    keys = ["target_id", "zone_id", "year"]
    merged = engine.astype({"target_id": str, "zone_id": str}).merge(
        reference.astype({"target_id": str, "zone_id": str}), on=keys, how="outer", suffixes=("", "_db"), indicator=True
    )
    unmatched = int((merged["_merge"] != "both").sum())
    worst = 0.0
    for column in ("value", "base_value", "target_value", "actual_rate", "required_rate", "ratio"):
        a, b = merged[column].to_numpy(float), merged[f"{column}_db"].to_numpy(float)
        both_nan = np.isnan(a) & np.isnan(b)
        if (np.isnan(a) != np.isnan(b)).any():
            worst = float("inf")
        scale = np.maximum(np.abs(a), np.abs(b))
        with np.errstate(invalid="ignore", divide="ignore"):
            # Relative difference, with an absolute floor for rates near zero (pow(x, 1/n) − 1 cancels).
            relative = np.where(both_nan | (scale == 0), 0.0, np.abs(a - b) / np.maximum(scale, 1e-3))
        worst = max(worst, float(np.nanmax(relative)) if len(relative) else 0.0)
    statuses_differ = int((merged["status"] != merged["status_db"]).sum())
    return {
        "rows": len(merged),
        "unmatched": unmatched,
        "max_relative_difference": worst,
        "status_differences": statuses_differ,
        "agree": unmatched == 0 and worst <= 1e-9 and statuses_differ == 0,
    }


# --- the benchmark --------------------------------------------------------------------------------


def stage_commands(name: str, raw: Path, work: Path) -> tuple[list[str], list[str]]:
    """The `zonetrack ingest` and `zonetrack evaluate` commands for one size, writing to work/<name>-processed."""
    processed, zonetrack = work / f"{name}-processed", str(BIN / "zonetrack")
    return (
        [zonetrack, "ingest", "--raw", str(raw), "--out", str(processed)],
        [
            zonetrack,
            "evaluate",
            "--processed",
            str(processed),
            "--params",
            str(raw / "params.yaml"),
            "--raw",
            str(raw),
            "--out",
            str(processed),
            "--metrics",
            str(work / f"{name}-assessment.json"),
        ],
    )


def bench_size(name: str, raw: Path, work: Path, runs: int) -> dict:
    processed = work / f"{name}-processed"
    ingest_cmd, evaluate_cmd = stage_commands(name, raw, work)
    print(f"[bench] {name}: ingest x{runs}", file=sys.stderr, flush=True)
    ingest_wall, ingest_rss = median_of(runs, lambda: run_process(ingest_cmd))
    print(f"[bench] {name}: evaluate x{runs}", file=sys.stderr, flush=True)
    evaluate_wall, evaluate_rss = median_of(runs, lambda: run_process(evaluate_cmd))
    values = int(pd.read_parquet(processed / "panel.parquet", columns=["value"]).shape[0])
    csvs = [*sorted((raw / "stats").glob("*.csv")), raw / "clusters.csv"]
    csvs = [p for p in csvs if p.exists()]
    # Reading the same CSV files with pandas' pyarrow engine alone: the floor for ingest.
    encodings = {p: _encoding(p) for p in csvs}
    read_only = median_of(
        runs, lambda: timed(lambda: [pd.read_csv(p, engine="pyarrow", encoding=encodings[p]) for p in csvs])
    )
    quiet = open(os.devnull, "w")  # noqa: SIM115 - closed below
    stderr, sys.stderr = sys.stderr, quiet
    try:
        ingest_in_process = median_of(runs, lambda: timed(lambda: run_ingest(raw, work / f"{name}-inproc")))
    finally:
        sys.stderr = stderr
        quiet.close()
    import duckdb

    inputs = core_inputs(raw, processed)
    connection = duckdb.connect()
    connection.register("panel", inputs["panel"])
    connection.register("levels", inputs["levels"])
    engine = engine_core(inputs)
    reference = duckdb_core(connection, inputs)
    agreement = compare(engine, reference)
    engine_time = median_of(max(runs, 5), lambda: timed(lambda: engine_core(inputs)))
    duckdb_time = median_of(max(runs, 5), lambda: timed(lambda: duckdb_core(connection, inputs)))
    return {
        "size": name,
        "values": values,
        "ingest_s": ingest_wall,
        "ingest_peak_mib": ingest_rss,
        "evaluate_s": evaluate_wall,
        "evaluate_peak_mib": evaluate_rss,
        "ingest_values_per_s": values / ingest_wall,
        "evaluate_values_per_s": values / evaluate_wall,
        "ingest_in_process_s": ingest_in_process,
        "pyarrow_read_s": read_only,
        "ingest_over_read": ingest_in_process / read_only,
        "core_engine_s": engine_time,
        "core_duckdb_s": duckdb_time,
        "core_engine_over_duckdb": engine_time / duckdb_time,
        "duckdb_agrees": agreement["agree"],
        "duckdb_check": agreement,
    }


def bench_reports(work: Path, runs: int) -> dict:
    """The report stage on the embedded default: all years one after another, then in parallel."""
    raw, processed = work / "default-raw", work / "default-processed"
    zonetrack = str(BIN / "zonetrack")
    if not (processed / "scorecard.csv").exists():  # the default size was not benchmarked in this run
        if not raw.exists():
            default_raw(raw)
        for command in stage_commands("default", raw, work):
            run_process(command)
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    base = [
        zonetrack,
        "report",
        "--years",
        "2017",
        "2018",
        "2019",
        "--template",
        str(REPO / "notebooks/assessment.ipynb"),
        "--processed",
        str(processed),
        "--params",
        str(raw / "params.yaml"),
        "--plan",
        str(raw / "plan.yaml"),
        "--raw",
        str(raw),
    ]
    results = {}
    for jobs in (1, 2):
        print(f"[bench] report stage, --jobs {jobs} x{runs}", file=sys.stderr, flush=True)
        command = [*base, "--jobs", str(jobs), "--out", str(work / f"reports-{jobs}")]
        results[jobs] = median_of(runs, lambda c=command: run_process(c, env))[0]
    return {
        "report_sequential_s": results[1],
        "report_parallel_s": results[2],
        "report_parallel_over_sequential": results[2] / results[1],
    }


def bench_experiment(work: Path, runs: int) -> dict:
    """`dvc exp run --temp` changing one target, in a fresh copy of the repository, to rendered reports."""
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    subprocess.run(["dvc", "repro", "-q"], cwd=clone, env=env, check=True, capture_output=True)
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qam", "lock"],
        cwd=clone,
        env=env,
        check=False,
        capture_output=True,
    )
    times = []
    for run in range(runs):
        rate = 0.20 + 0.01 * run  # a new value each run, so the run-cache cannot answer
        print(f"[bench] dvc exp run -S targets.tech_contract_growth.min_rate={rate:.2f}", file=sys.stderr, flush=True)
        command = ["dvc", "exp", "run", "--temp", "-S", f"targets.tech_contract_growth.min_rate={rate:.2f}"]
        times.append(run_process(command, env, cwd=clone)[0])
    return {"dvc_exp_run_s": statistics.median(times)}


def table(rows: list[dict], extra: dict) -> str:
    lines = [
        "| size | values | ingest s | ingest MiB | evaluate s | evaluate MiB | ingest values/s | evaluate values/s |"
        " ingest (in-process) / pyarrow read | core engine ms | core DuckDB ms | engine / DuckDB | DuckDB agrees |",
        "|" + "---|" * 13,
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['values']:,} | {r['ingest_s']:.2f} | {r['ingest_peak_mib']:.0f} | {r['evaluate_s']:.2f} | "
            f"{r['evaluate_peak_mib']:.0f} | {r['ingest_values_per_s']:,.0f} | {r['evaluate_values_per_s']:,.0f} | "
            f"{r['ingest_in_process_s']:.2f} / {r['pyarrow_read_s']:.2f} = {r['ingest_over_read']:.1f}x | "
            f"{r['core_engine_s'] * 1000:.0f} | {r['core_duckdb_s'] * 1000:.0f} | {r['core_engine_over_duckdb']:.2f}x | "
            f"{'yes' if r['duckdb_agrees'] else 'NO'} |"
        )
    for key, value in extra.items():
        lines.append(f"\n{key}: {value:.2f}" if isinstance(value, float) else f"\n{key}: {value}")
    return "\n".join(lines)


def goals(rows: dict[str, dict], extra: dict) -> list[str]:
    national, x10 = rows.get("national"), rows.get("x10")
    verdicts = []
    if national:
        verdicts.append(
            f"engine core within 2x of DuckDB at national scale: {national['core_engine_over_duckdb']:.2f}x "
            f"-> {'holds' if national['core_engine_over_duckdb'] <= 2 else 'does not hold'}"
        )
        verdicts.append(
            f"ingest within 3x of pyarrow read at national scale: {national['ingest_over_read']:.2f}x "
            f"-> {'holds' if national['ingest_over_read'] <= 3 else 'does not hold'}"
        )
    if national and x10:
        for stage in ("ingest", "evaluate"):
            ratio = (x10[f"{stage}_s"] / x10["values"]) / (national[f"{stage}_s"] / national["values"])
            verdicts.append(
                f"{stage} cost per value x10 / national: {ratio:.2f} -> {'holds' if ratio <= 1.2 else 'does not hold'}"
            )
        peak = max(x10["ingest_peak_mib"], x10["evaluate_peak_mib"])
        verdicts.append(f"peak memory at x10: {peak:.0f} MiB -> {'holds' if peak < 4096 else 'does not hold'} (< 4096)")
    if "report_parallel_over_sequential" in extra:
        ratio = extra["report_parallel_over_sequential"]
        verdicts.append(
            f"reports in parallel / one after another: {ratio:.2f} -> {'holds' if ratio <= 0.65 else 'does not hold'}"
        )
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--sizes", default="default,national,x10", help="comma-separated sizes")
    parser.add_argument("--skip-pipeline", action="store_true", help="skip the report stage and dvc exp run timings")
    parser.add_argument("--out", type=Path, default=REPO / "metrics" / "benchmark.json", help="JSON output")
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    results, extra = [], {}
    with tempfile.TemporaryDirectory(prefix="zonetrack-bench-") as tmp:
        work = Path(tmp)
        for name in sizes:
            raw = work / f"{name}-raw"
            print(f"[bench] generating {name}", file=sys.stderr, flush=True)
            info = default_raw(raw) if name == "default" else synthetic_raw(raw, {"national": 1500, "x10": 15000}[name])
            results.append(bench_size(name, raw, work, args.runs) | info)
        if not args.skip_pipeline:
            extra |= bench_reports(work, args.runs)
            extra |= bench_experiment(work, args.runs)
    verdicts = goals({r["size"]: r for r in results}, extra)
    print(table(results, extra))
    print("\nGoals:\n" + "\n".join(f"- {v}" for v in verdicts))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "runs": args.runs,
                "sizes": results,
                "pipeline": extra,
                "goals": verdicts,
            },
            indent=2,
            default=float,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwritten {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
