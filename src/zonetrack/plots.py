"""Plots of the assessment: one theme, CJK labels in the bundled Noto Sans CJK font."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from zonetrack.status import ALL_STATUSES

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FONT_NAME = "Noto Sans CJK SC"
DPI = 110
STATUS_COLOURS = {
    "met": "#1a9850",
    "on_track": "#91cf60",
    "needs_acceleration": "#fee08b",
    "off_track": "#fc8d59",
    "moving_away": "#d73027",
    "not_met": "#a50026",
    "no_data": "#d9d9d9",
    "not_assessable": "#9e9ac8",
}
STATUS_LABELS = {
    "met": "已达标 met",
    "on_track": "进度正常 on track",
    "needs_acceleration": "需加快 needs acceleration",
    "off_track": "进度滞后 off track",
    "moving_away": "背离目标 moving away",
    "not_met": "未达标 not met",
    "no_data": "无数据 no data",
    "not_assessable": "无法评估 not assessable",
}


def font_path() -> Path:
    """The CJK font file shipped with the mplfonts package (in the project's environment)."""
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / FONT_FILE


def theme() -> None:
    """Register the CJK font, then set the seaborn theme with it (set_theme resets the family)."""
    from matplotlib import font_manager

    if FONT_NAME not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(font_path()))
    sns.set_theme(
        style="whitegrid",
        font=FONT_NAME,
        rc={"axes.unicode_minus": False, "figure.dpi": DPI, "savefig.dpi": DPI, "figure.autolayout": False},
    )
    mpl.rcParams["svg.hashsalt"] = "zonetrack"


def _integer_years(ax) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def status_heatmap(card: pd.DataFrame, zone_names: dict[str, str], target_order: list[str]) -> Figure:
    """Zones × targets, coloured by status (blank where a zone is outside a target's scope)."""
    zones = card[card["zone_id"] != "ALL"]
    codes = {s: i for i, s in enumerate(ALL_STATUSES)}
    grid = zones.pivot(index="zone_id", columns="target_id", values="status")
    grid = grid.reindex(columns=[t for t in target_order if t in grid.columns])
    grid = grid.loc[sorted(grid.index, key=lambda z: list(zone_names).index(z) if z in zone_names else 0)]
    numeric = grid.apply(lambda column: column.map(codes)).astype("float64")
    height = max(4.0, 0.32 * len(grid) + 2.5)
    fig, ax = plt.subplots(figsize=(13, height))
    cmap = ListedColormap([STATUS_COLOURS[s] for s in ALL_STATUSES])
    sns.heatmap(
        numeric,
        ax=ax,
        cmap=cmap,
        vmin=-0.5,
        vmax=len(ALL_STATUSES) - 0.5,
        cbar=False,
        linewidths=0.5,
        linecolor="white",
    )
    ax.set_yticks(np.arange(len(grid)) + 0.5, [zone_names.get(z, z) for z in grid.index], rotation=0, fontsize=9)
    ax.set_xticks(np.arange(len(grid.columns)) + 0.5, grid.columns, rotation=60, ha="right", fontsize=8)
    ax.set_xlabel("目标 target")
    ax.set_ylabel("")
    handles = [mpl.patches.Patch(color=STATUS_COLOURS[s], label=STATUS_LABELS[s]) for s in ALL_STATUSES]
    ax.legend(handles=handles, bbox_to_anchor=(1.01, 1.0), loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def path_chart(series: pd.DataFrame, title: str, unit: str, base_year: int, target_year: int) -> Figure:
    """An ALL series (base year and assessed years) against the path required to reach the target."""
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    ax.plot(series["year"], series["value"], marker="o", color="#225ea8", label="实际 actual")
    required = series.attrs.get("required")
    if required is not None and len(required):
        ax.plot(required["year"], required["value"], linestyle="--", color="#888888", label="所需路径 required path")
    target_value = series.attrs.get("target_value")
    if target_value is not None and np.isfinite(target_value):
        ax.axhline(target_value, color="#a50026", linewidth=1, linestyle=":", label=f"目标 target {target_value:,.4g}")
    ax.set_xlim(base_year - 0.3, target_year + 0.3)
    _integer_years(ax)
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(unit)
    ax.legend(fontsize=8, loc="best")
    # Fixed margins instead of tight_layout: the same look for every chart, and one draw instead of two.
    fig.subplots_adjust(left=0.11, right=0.98, bottom=0.12, top=0.9)
    return fig


def zone_bars(
    rows: pd.DataFrame,
    title: str,
    xlabel: str,
    threshold: float | None,
    zone_names: dict[str, str],
    whole_numbers: bool = False,
) -> Figure:
    """One bar per zone (ranked), coloured by status, with the threshold as a reference line."""
    rows = rows.sort_values("metric", ascending=True, na_position="first")
    fig, ax = plt.subplots(figsize=(7.5, max(2.5, 0.26 * len(rows) + 1.2)))
    labels = [zone_names.get(z, z) for z in rows["zone_id"]]
    colours = [STATUS_COLOURS.get(s, "#d9d9d9") for s in rows["status"]]
    ax.barh(labels, rows["metric"].fillna(0.0), color=colours)
    if threshold is not None and np.isfinite(threshold):
        ax.axvline(threshold, color="#a50026", linestyle=":", linewidth=1.2)
    if whole_numbers:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.tick_params(axis="y", labelsize=8)
    height = fig.get_figheight()
    # Room for the longest Chinese zone names on the left, and for the title and axis label in inches.
    fig.subplots_adjust(left=0.3, right=0.97, bottom=0.7 / height, top=1 - 0.45 / height)
    return fig


def status_counts_chart(counts: pd.DataFrame) -> Figure:
    """Stacked bars: how many targets were in each status, year by year."""
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    bottom = np.zeros(len(counts))
    for status in ALL_STATUSES:
        if status in counts and counts[status].sum() > 0:
            ax.bar(
                counts.index.astype(int),
                counts[status],
                bottom=bottom,
                color=STATUS_COLOURS[status],
                label=STATUS_LABELS[status],
            )
            bottom += counts[status].to_numpy()
    _integer_years(ax)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("目标数 targets")
    ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1.0), loc="upper left", frameon=False)
    fig.tight_layout()
    return fig
