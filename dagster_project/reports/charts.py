"""Charts for the PDF, drawn with matplotlib's Agg backend into PNG bytes.

matplotlib's bundled DejaVu Sans has every Vietnamese glyph, so labels keep their diacritics
on any machine the package installs on.
"""
from __future__ import annotations

import functools
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .labels import band_colour, month_label, vn_number  # noqa: E402

DPI = 200
STYLE = {"font.family": "DejaVu Sans", "font.size": 9}


def _styled(draw):
    """Our fonts for our charts only: the process (Dagster, tests) may draw other things."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with plt.rc_context(STYLE):
            return draw(*args, **kwargs)
    return wrapper


@_styled
def ranked_bars(units: pd.DataFrame, band_names: tuple[str, ...]) -> bytes:
    """Horizontal bars, best at the top, each coloured by its band (band_names: the rule version's, best first)."""
    units = units.sort_values(["total", "unit_code"], ascending=[True, False])
    fig, ax = plt.subplots(figsize=(7.2, 0.9 + 0.24 * len(units)))
    colours = ["#" + band_colour(b, band_names)[0] for b in units.band]
    bars = ax.barh(units.unit_name, units.total, color=colours, edgecolor="#555555", linewidth=0.4)
    ax.bar_label(bars, labels=[vn_number(t) for t in units.total], padding=2, fontsize=7)
    ax.set_xlim(0, 105)
    ax.margins(y=0.01)
    ax.set_xlabel("Tổng điểm (tối đa 100)")
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    present = [b for b in band_names if b in set(units.band)]
    ax.legend(handles=[Patch(color="#" + band_colour(b, band_names)[0], label=b) for b in present],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(present), fontsize=7, frameon=False)
    return _png(fig)


@_styled
def trend_lines(trend: pd.DataFrame) -> bytes:
    fig, ax = plt.subplots(figsize=(7.2, 3.2))
    for series, rows in trend.groupby("series", sort=True):
        ax.plot(rows.period.map(month_label), rows.total, marker="o", linewidth=1.6, label=series)
        last = rows.iloc[-1]
        ax.annotate(vn_number(last.total), (month_label(last.period), last.total), textcoords="offset points", xytext=(4, 4),
                    fontsize=7)
    if trend.period.nunique() > 6:
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.set_ylabel("Tổng điểm bình quân")
    ax.set_ylim(0, 100)
    ax.grid(color="#DDDDDD", linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, loc="lower left")
    return _png(fig)


@_styled
def group_heatmap(pct: pd.DataFrame, order: list[str], names: dict[str, str],
                  groups: tuple[tuple[str, str], ...]) -> bytes:
    """Rows: units in ranking order; columns: the portal groups (code, name) in order; cells: points
    as % of the group's max."""
    codes = [code for code, _ in groups]
    grid = (pct.pivot(index="unit_code", columns="group_code", values="pct")
            .reindex(index=order, columns=codes))
    fig, ax = plt.subplots(figsize=(7.2, 0.9 + 0.24 * len(order)))
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="RdYlGn", vmin=0, vmax=100, aspect="auto")
    # the groups spelled out, two short lines each
    ax.set_xticks(range(len(codes)), [name.replace(", ", ",\n", 1).replace(" trực", "\ntrực")
                                      .replace(" hồ", "\nhồ").replace(" lòng", "\nlòng")
                                      for _, name in groups], fontsize=7)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(order)), [names[c] for c in order])
    for (r, c), value in pd.DataFrame(grid.to_numpy()).stack().items():
        ax.text(c, r, vn_number(value, 0), ha="center", va="center", fontsize=7,
                color="white" if value < 25 or value > 85 else "black")
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02, label="% điểm tối đa")
    return _png(fig)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    # No software/version stamp: the same data must give the same bytes.
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()
