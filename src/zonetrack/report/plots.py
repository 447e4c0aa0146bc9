"""Charts of the reports: one theme, CJK labels in the bundled Noto Sans CJK font, every string from
data drawn as plain text (no mathtext), missing never drawn as zero."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonetrack.engine.status import ALL_STATUSES
from zonetrack.report import fonts
from zonetrack.report import formatting as fmt

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# matplotlib is imported by what draws (figure, theme, the locators), not with this module: a stage
# whose charts are all in the cache (chart_cache) reads them without importing it (~0.5 s of CPU).

# The charts' colours, each written once: the statuses' come from statuses.csv (COLOURS); these
# name what a chart draws besides.
PALETTE = {
    "actual": "#225ea8",  # the data, a nominal rank
    "projection": "#6a51a3",  # a projection, a median rank
    "interval": "#8ab4f8",  # a rank interval
    "target": "#a50026",  # a target's level, a threshold
    "required": "#888888",  # the path a target requires
    "unknown": "#d9d9d9",  # a status without a colour
    "hatch": "#999999",  # a zone without a value
    "muted": "#555555",  # a label beside a bar
    "axis": "#333333",  # the zero line
    "above": "#d73027",  # a shortfall (a zone's part of a gap)
    "below": "#1a9850",  # a surplus
}

FONT_NAME = fonts.FONT_NAME
DPI = 110
COLOURS = {code: fmt.STATUS[code]["colour"] for code in ALL_STATUSES}
TITLE_WIDTH = 34  # characters of a title line at the charts' width; longer titles wrap, never cut


def font_path() -> Path:
    """The CJK font file shipped with the mplfonts package (in the project's environment)."""
    return fonts.font_path()


# seaborn's whitegrid look, from the style sheets matplotlib ships: importing seaborn itself would
# cost a report's kernel a second (it imports scipy.stats) for nothing more than these settings.
STYLE = ("seaborn-v0_8-whitegrid", "seaborn-v0_8-notebook", "seaborn-v0_8-deep")


def theme() -> None:
    """Register the CJK font, set the seaborn whitegrid theme with it, and draw every text as plain
    text: a `$` in a zone's name is a dollar sign, not mathtext."""
    import matplotlib as mpl
    from matplotlib import font_manager, style

    # The bundled file, selected by its file: a system font of the same name (Debian's Noto Sans
    # CJK, which a browser's install brings) would otherwise be chosen, and every chart's bytes would
    # depend on the fonts a machine happens to have.
    bundled = str(font_path())
    manager = font_manager.fontManager
    if not any(f.fname == bundled for f in manager.ttflist):
        manager.addfont(bundled)
    manager.ttflist = [f for f in manager.ttflist if f.name != FONT_NAME or f.fname == bundled]
    style.use(STYLE)
    mpl.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT_NAME, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "figure.autolayout": False,
            "text.parse_math": False,
            "svg.hashsalt": "zonetrack",
        }
    )


def _integer_ticks():
    """A tick locator at whole numbers only."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def wrap(title: str, width: int = TITLE_WIDTH) -> str:
    """A title over as many lines as it needs, never cut: CJK characters count double and may break
    anywhere, Latin words stay whole."""
    tokens = re.findall(r"[A-Za-z0-9%.,'()/-]+ ?|.", title)
    lines, line, count = [], "", 0
    for token in tokens:
        size = sum(2 if ord(c) > 0x2E80 else 1 for c in token)
        if count + size > width * 2 and line.strip():
            lines.append(line.rstrip())
            line, count = "", 0
        line += token
        count += size
    lines.append(line.rstrip())
    return "\n".join(lines)


def figure(size: tuple[float, float]):
    """A figure and its axes, outside pyplot's state (nothing to close, nothing shown), always in the
    theme: the bundled CJK font, and texts drawn as plain text (no mathtext from data), whoever calls."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    if mpl.rcParams["text.parse_math"] or mpl.rcParams["font.sans-serif"][:1] != [FONT_NAME]:
        theme()
    fig = Figure(figsize=size)
    return fig, fig.subplots()


def png(fig: Figure) -> str:
    """A figure as base64 PNG data (fixed dpi, no timestamp)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def path_chart(
    series: pd.DataFrame,
    title: str,
    unit: str,
    base_year: int,
    target_year: int,
    target_value: float | None,
    required: pd.DataFrame | None = None,
    projection: pd.DataFrame | None = None,
    whole: bool = False,
) -> Figure:
    """The total (base year and assessed years) against the path required to reach the target
    (dashed), the target (dotted), and a projection at the rate achieved so far (dotted, labelled,
    never joined to the data line)."""
    fig, ax = figure((7.5, 3.8))
    data = series.dropna(subset=["value"])
    ax.plot(data["year"], data["value"], marker="o", color=PALETTE["actual"], label="实际 actual", zorder=3)
    for year, value in zip(data["year"], data["value"], strict=True):
        ax.annotate(f"{value:,.4g}", (year, value), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    if required is not None and len(required):
        ax.plot(
            required["year"],
            required["value"],
            linestyle="--",
            color=PALETTE["required"],
            label="所需路径 required path",
        )
    if projection is not None and len(projection):
        ax.plot(
            projection["year"],
            projection["value"],
            linestyle=":",
            marker="o",
            markerfacecolor="white",
            markeredgecolor=PALETTE["projection"],
            markeredgewidth=1.3,
            color=PALETTE["projection"],
            label="预测 projection (rate so far)",
            zorder=2,
        )
        end_year, end_value = projection["year"].iloc[-1], projection["value"].iloc[-1]
        rising = end_value >= projection["value"].iloc[0]
        # Labelled on the side of its end the dotted line does not come from.
        ax.annotate(
            f"预测 {end_value:,.4g}",
            (end_year, end_value),
            textcoords="offset points",
            xytext=(-7, 5 if rising else -5),
            ha="right",
            va="bottom" if rising else "top",
            fontsize=8,
            color=PALETTE["projection"],
        )
    if target_value is not None and np.isfinite(target_value):
        ax.axhline(
            target_value, color=PALETTE["target"], linewidth=1, linestyle=":", label=f"目标 target {target_value:,.4g}"
        )
    ax.set_xlim(base_year - 0.4, max(target_year, int(data["year"].max()) if len(data) else target_year) + 0.4)
    ax.xaxis.set_major_locator(_integer_ticks())
    if whole:  # a count: no tick at 9.25 zones
        ax.yaxis.set_major_locator(_integer_ticks())
        low, high = ax.get_ylim()
        if high - low < 2:  # a flat count leaves the locator no whole numbers: it falls back to 1.875 …
            middle = round((low + high) / 2)
            ax.set_ylim(middle - 1.5 if middle >= 1 else -0.5, middle + 1.5)
    ax.set_title(wrap(title), fontsize=11)
    ax.set_ylabel(unit)
    ax.legend(fontsize=8, loc="best")
    lines = wrap(title).count("\n") + 1
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.11, top=1 - 0.08 * lines)
    return fig


def zone_bars(
    rows: pd.DataFrame, title: str, xlabel: str, threshold: float | None, zone_names: dict[str, str], whole: bool
) -> Figure:
    """One bar per zone (ranked), coloured by status, labelled with its value; a zone without data
    or without a base year shows a hatched placeholder that says so, never a bar of zero."""
    rows = rows.copy()
    rows["order"] = rows["metric"].fillna(-np.inf)
    rows = rows.sort_values("order", ascending=True, kind="stable")
    height = max(2.5, 0.19 * len(rows) + 1.3)  # a row a zone, 8-point names: a page for 45 zones in print
    fig, ax = figure((7.5, height))
    labels = [zone_names.get(z, z) for z in rows["zone_id"]]
    positions = np.arange(len(rows))
    values = rows["metric"].to_numpy(dtype="float64")
    present = ~np.isnan(values)
    colours = [COLOURS.get(s, PALETTE["unknown"]) for s in rows["status"]]
    ax.barh(positions[present], values[present], color=np.array(colours, dtype=object)[present])
    finite = values[present]
    span = (np.nanmax(np.abs(finite)) if len(finite) else 1.0) or 1.0
    if threshold is not None and np.isfinite(threshold):
        span = max(span, abs(threshold))
    _value_labels(ax, positions[present], values[present], span, ",.0f" if whole else ",.1f")
    for y, status in zip(positions[~present], rows["status"].to_numpy()[~present], strict=True):
        ax.barh(y, span * 0.25, color="none", edgecolor=PALETTE["hatch"], hatch="///", linewidth=0.6)
        ax.text(span * 0.26, y, fmt.status_label(status), va="center", ha="left", fontsize=7, color=PALETTE["muted"])
    if threshold is not None and np.isfinite(threshold):
        ax.axvline(threshold, color=PALETTE["target"], linestyle=":", linewidth=1.2)
    _zone_labels(ax, positions, labels)
    if whole:
        ax.xaxis.set_major_locator(_integer_ticks())
    lowest = np.nanmin(finite) if len(finite) else 0.0
    # Room on the left for a negative bar's label, which is drawn beyond the bar's end.
    ax.set_xlim(lowest * 1.15 - span * 0.1 if lowest < 0 else 0.0, span * 1.18)
    return _zone_bars_frame(fig, ax, title, xlabel, height)


def _value_labels(ax, positions: np.ndarray, values: np.ndarray, span: float, spec: str) -> None:
    """Each bar's value at its end (beyond it, on the side it points to); a zero is labelled too."""
    for y, value in zip(positions, values, strict=True):
        ax.text(
            value + span * 0.01 if value >= 0 else value - span * 0.01,
            y,
            format(value, spec),
            va="center",
            ha="left" if value >= 0 else "right",
            fontsize=7,
        )


def _zone_labels(ax, positions: np.ndarray, labels: list[str]) -> None:
    """Each zone's name beside its bar, as a text: as y ticks, each name would cost five artists (two
    marks, a grid line, two labels), a third of a ranked chart's drawing time."""
    ax.set_yticks([])
    ax.set_ylim(-0.6, len(positions) - 0.4)
    beside = ax.get_yaxis_transform()  # x in the axes' fraction, y in bars
    for y, label in zip(positions, labels, strict=True):
        ax.text(-0.012, y, label, transform=beside, ha="right", va="center", fontsize=8)


def _zone_bars_frame(fig: Figure, ax, title: str, xlabel: str, height: float) -> Figure:
    """A chart of one bar per zone: its wrapped title, axis label and margins."""
    ax.set_title(wrap(title), fontsize=11)
    ax.set_xlabel(xlabel)
    lines = wrap(title).count("\n") + 1
    fig.subplots_adjust(left=0.27, right=0.97, bottom=0.7 / height, top=1 - (0.25 + 0.2 * lines) / height)
    return fig


def contribution_bars(
    rows: pd.DataFrame, title: str, unit: str, zone_names: dict[str, str], whole: bool = False
) -> Figure:
    """Each zone's part of a total's gap, labelled with its value: positive parts hold the total
    back, negative ones make up for others."""
    rows = rows.sort_values("contribution")
    height = max(2.2, 0.19 * len(rows) + 1.2)
    fig, ax = figure((7.5, height))
    values = rows["contribution"].to_numpy(dtype="float64")
    colours = [PALETTE["above"] if v > 0 else PALETTE["below"] for v in values]
    positions = np.arange(len(rows))
    ax.barh(positions, values, color=colours)
    _zone_labels(ax, positions, [zone_names.get(z, z) for z in rows["zone_id"]])
    span = float(np.max(np.abs(values))) if len(values) else 1.0
    _value_labels(ax, positions, values, span or 1.0, ",.0f" if whole else ",.2f")
    ax.margins(x=0.1)  # room for the labels beyond the longest bars
    ax.axvline(0, color=PALETTE["axis"], linewidth=0.8)
    return _zone_bars_frame(fig, ax, title, unit, height)


def status_counts_chart(counts: pd.DataFrame) -> Figure:
    """Stacked bars: how many targets were in each status, year by year."""
    fig, ax = figure((7.5, 3.4))
    bottom = np.zeros(len(counts))
    for status in ALL_STATUSES:
        if status in counts and counts[status].sum() > 0:
            ax.bar(
                counts.index.astype(int),
                counts[status],
                bottom=bottom,
                color=COLOURS[status],
                label=fmt.status_label(status),
            )
            bottom += counts[status].to_numpy()
    # One tick per year, each a bar: a locator, even an integer one, puts 2025.6 ... 2026.4 under a
    # single year's bar.
    years = counts.index.astype(int)
    ax.set_xticks(years, [str(y) for y in years])
    ax.yaxis.set_major_locator(_integer_ticks())
    ax.set_ylabel("目标数 targets")
    ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1.0), loc="upper left", frameon=False)
    fig.subplots_adjust(left=0.1, right=0.68, bottom=0.12, top=0.95)
    return fig
