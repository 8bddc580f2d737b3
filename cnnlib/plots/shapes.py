"""Figures for output sizes (notebook 04): the padded input grid with the positions a filter
visits, in the style of the convolution-arithmetic pictures, and a network's shapes layer by layer.

The sizes come from :func:`cnnlib.shapes.grid_layout` (which uses :func:`cnnlib.output_size`); this
module only draws them.
Inputs and kernels are square here: the same rule applies to the height and to the width.
Static figures are pyplot figures (``%matplotlib inline`` shows them); :func:`draw_output_grid`
draws on any Axes, which is how the widget uses it.
"""

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle

from ..shapes import grid_layout
from . import BLUE, HIGHLIGHT_COLOUR, VERMILLION, new_figure, projector

INPUT_COLOR = "white"
PADDING_COLOR = "0.80"
FIRST_COLOR = HIGHLIGHT_COLOUR     # orange, filled: the filter's first position
SECOND_COLOR = BLUE                # a dashed outline: its next position
SKIPPED_COLOR = VERMILLION         # hatched: never visited


def _static_figure(width, height):
    """A pyplot figure, so that ``%matplotlib inline`` shows it at the end of a notebook cell."""
    import matplotlib.pyplot as plt   # only static figures use pyplot, and only when drawn
    return plt.figure(figsize=(width, height), layout="constrained")


def legend_handles():
    """Legend entries explaining the grid picture's colours, lines and marks."""
    return [Patch(facecolor=INPUT_COLOR, edgecolor="black", label="input"),
            Patch(facecolor=PADDING_COLOR, edgecolor="black", label="padding (zeros)"),
            Patch(facecolor=FIRST_COLOR, edgecolor="black", alpha=0.7, label="filter taps, first position"),
            Line2D([], [], color=SECOND_COLOR, linestyle="--", linewidth=3, label="next position (S to the right)"),
            Patch(facecolor="none", edgecolor=SKIPPED_COLOR, hatch="///", label="never visited (the floor)"),
            Line2D([], [], color="black", marker="o", linestyle="none", markersize=7,
                   label="window centre = one output")]


def _heading(n, kernel, padding, stride, dilation, span):
    dilated = f" (F'={span})" if dilation > 1 else ""
    return f"W={n}, F={kernel}{dilated}, P={padding}, S={stride}" + (f", d={dilation}" if dilation > 1 else "")


def _dots(x, y, size):
    """Black dots (one per window centre or output cell) as one marker line, cheap to redraw."""
    return Line2D(np.ravel(x), np.ravel(y), linestyle="none", marker="o", markersize=size, color="black", zorder=4)


def _add_collection(ax, collection):
    # The limits are set explicitly at the end, so skip the data-limit bookkeeping (it is slow).
    return ax.add_collection(collection, autolim=False)


def _grid_lines(x0, y0, size, color="0.35", linewidth=1.0):
    ticks = np.arange(size + 1)
    vertical = [((x0 + i, y0), (x0 + i, y0 + size)) for i in ticks]
    horizontal = [((x0, y0 + i), (x0 + size, y0 + i)) for i in ticks]
    return LineCollection(vertical + horizontal, colors=color, linewidths=linewidth)


@projector
def draw_output_grid(ax, n, kernel, padding=0, stride=1, dilation=1, *, title=True):
    """Draw the padded input, the first two filter positions, every window centre, the cells the
    floor leaves out, and the output grid beside it. Returns :func:`grid_layout`'s dict.

    Drawn with a handful of collections (no per-cell text), so a widget can redraw it quickly.
    """
    layout = grid_layout(n, kernel, padding, stride, dilation)
    padded, span, out = layout["padded"], layout["span"], layout["output"]
    # Patches rather than an image of cell colours: no resampling, so redraws stay fast.
    ax.add_artist(Rectangle((0, 0), padded, padded, facecolor=PADDING_COLOR if padding else INPUT_COLOR,
                           edgecolor="none"))
    if padding:
        ax.add_artist(Rectangle((padding, padding), n, n, facecolor=INPUT_COLOR, edgecolor="none"))
    _add_collection(ax, _grid_lines(0, 0, padded))
    ax.add_artist(Rectangle((padding, padding), n, n, fill=False, edgecolor="black", linewidth=2.5))
    ax.text(padded / 2, padded + 0.4, f"padded input {padded}×{padded}", ha="center", va="top", fontsize=13)
    right_edge, bottom_edge = padded, padded

    if out is None:
        ax.add_artist(Rectangle((0, 0), span, span, fill=False, edgecolor=SKIPPED_COLOR, linestyle="--",
                               linewidth=3))
        ax.text(span - 0.4, span - 0.4, f"filter {span}×{span}\ndoes not fit", ha="right", va="bottom",
                fontsize=14, color=SKIPPED_COLOR, fontweight="bold")
        right_edge = bottom_edge = max(padded, span)
        if title:
            ax.set_title(_heading(n, kernel, padding, stride, dilation, span)
                         + "\nthe filter does not fit: no output", color=SKIPPED_COLOR)
    else:
        taps = np.arange(kernel) * dilation
        _add_collection(ax, PatchCollection(
            [Rectangle((c, r), 1, 1) for r in taps for c in taps],
            facecolor=FIRST_COLOR, alpha=0.7, edgecolor="black", linewidth=0.8))
        ax.add_artist(Rectangle((0, 0), span, span, fill=False, edgecolor=FIRST_COLOR, linewidth=3.5))
        if out > 1:
            ax.add_artist(Rectangle((stride, 0), span, span, fill=False, edgecolor=SECOND_COLOR,
                                   linestyle="--", linewidth=3))
        centres = layout["starts"] + span / 2
        cx, cy = np.meshgrid(centres, centres)
        dot = max(6.0, 60.0 / padded)
        ax.add_artist(_dots(cx, cy, dot))
        skipped = layout["skipped"]
        if skipped:
            reached = layout["reached"]
            for xy, width, height in (((reached, 0), skipped, padded), ((0, reached), reached, skipped)):
                ax.add_artist(Rectangle(xy, width, height, facecolor="none", edgecolor=SKIPPED_COLOR,
                                       hatch="///", linewidth=2.5, zorder=3))

        x0 = padded + 2.5
        ax.add_artist(Rectangle((x0, 0), out, out, facecolor=INPUT_COLOR, edgecolor="none"))
        ax.add_artist(Rectangle((x0, 0), 1, 1, facecolor=FIRST_COLOR, alpha=0.7, edgecolor="none"))
        if out > 1:
            ax.add_artist(Rectangle((x0 + 1, 0), 1, 1, facecolor=SECOND_COLOR, alpha=0.5, edgecolor="none"))
        _add_collection(ax, _grid_lines(x0, 0, out))
        ax.add_artist(Rectangle((x0, 0), out, out, fill=False, edgecolor="black", linewidth=2.5))
        ox, oy = np.meshgrid(x0 + np.arange(out) + 0.5, np.arange(out) + 0.5)
        ax.add_artist(_dots(ox, oy, dot))
        middle = min(padded, out) / 2
        ax.add_artist(FancyArrowPatch((padded + 0.3, middle), (x0 - 0.3, middle), arrowstyle="-|>",
                                     mutation_scale=22, linewidth=2, color="black"))
        ax.text(x0 + out / 2, out + 0.4, f"output {out}×{out}", ha="center", va="top", fontsize=13)
        right_edge, bottom_edge = x0 + out, max(padded, out)
        if title:
            heading = _heading(n, kernel, padding, stride, dilation, span)
            numerator = padded - span
            filled = f"⌊({n} - {span} + 2·{padding})/{stride}⌋ + 1"
            if not layout["exact"]:
                filled += f" = ⌊{numerator / stride:g}⌋ + 1"
            ax.set_title(f"{heading}\n{filled} = {out}" + ("" if layout["exact"] else f"  ({skipped} skipped)"),
                         color="black" if layout["exact"] else SKIPPED_COLOR)
    ax.set_xlim(-0.3, right_edge + 0.3)
    ax.set_ylim(bottom_edge + 1.6, -0.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return layout


@projector
def grid_legend_figure(width=9, height=0.75):
    """The grid picture's legend on its own (a widget shows it once, below the redrawn picture)."""
    fig = new_figure(width, height)
    fig.legend(handles=legend_handles(), loc="center", ncols=3, fontsize=12, frameon=False)
    return fig


@projector
def output_grid_figure(cases, *, ncols=2, legend=True):
    """One :func:`draw_output_grid` panel per case, with a shared legend underneath.

    ``cases``: (n, kernel, padding, stride, dilation) tuples (trailing items may be left out)
    or dicts with those keys.
    """
    cases = [case if isinstance(case, dict) else dict(zip(("n", "kernel", "padding", "stride", "dilation"), case))
             for case in cases]
    ncols = min(ncols, len(cases))
    nrows = -(-len(cases) // ncols)
    fig = _static_figure(6.2 * ncols, 4.4 * nrows + (0.8 if legend else 0))
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    for ax, case in zip(axes, cases):
        draw_output_grid(ax, **case)
    for ax in axes[len(cases):]:
        ax.set_axis_off()
    if legend:
        fig.legend(handles=legend_handles(), loc="outside lower center", ncols=3, fontsize=12, frameon=False)
    return fig


@projector
def shape_flow_figure(shapes, operations, *, title=None):
    """A network's tensors left to right, each drawn to scale, with the operation between them.

    ``shapes``: (H, W, D) tuples for feature maps, ints for flat vectors (fully connected
    layers); ``operations``: one label per step (len(shapes) - 1; may contain newlines). A map
    is a square of side proportional to H with up to 6 offset copies behind it hinting at its
    depth D; a vector is a bar whose height grows with the log of its length.
    """
    if len(operations) != len(shapes) - 1:
        raise ValueError(f"operations must hold one label per step: {len(shapes) - 1}, got {len(operations)}")
    largest_map = max((s[0] for s in shapes if isinstance(s, tuple)), default=1)
    longest_vector = max((s for s in shapes if not isinstance(s, tuple)), default=10)
    map_color, vector_color = matplotlib.colormaps["cividis"](0.3), matplotlib.colormaps["cividis"](0.8)
    gap, depth_step, tallest = 1.9, 0.08, 2.0
    fig = _static_figure(15, 3.4)
    ax = fig.subplots()
    x = 0.0
    for i, shape in enumerate(shapes):
        if isinstance(shape, tuple):
            h, w, d = shape
            side = tallest * h / largest_map
            layers = min(d, 6)
            for j in reversed(range(layers)):
                ax.add_patch(Rectangle((x + depth_step * j, -side / 2 + depth_step * j), side, side,
                                       facecolor=map_color, edgecolor="white", linewidth=1.2))
            width = side + depth_step * (layers - 1)
            label = f"{h}×{w}×{d}"
        else:
            width = 0.3
            height = 0.4 + (tallest - 0.4) * np.log10(shape) / np.log10(longest_vector)
            ax.add_patch(Rectangle((x, -height / 2), width, height, facecolor=vector_color, edgecolor="black"))
            label = f"{shape}"
        ax.text(x + width / 2, -tallest / 2 - 0.2, label, ha="center", va="top", fontsize=14, fontweight="bold")
        if i < len(operations):
            ax.add_patch(FancyArrowPatch((x + width + 0.15, 0), (x + width + gap - 0.15, 0), arrowstyle="-|>",
                                         mutation_scale=18, linewidth=1.8, color="black"))
            ax.text(x + width + gap / 2, 0.15, operations[i], ha="center", va="bottom", fontsize=12)
        x += width + gap
    ax.set_xlim(-0.2, x - gap + 0.2)
    ax.set_ylim(-tallest / 2 - 0.75, tallest / 2 + 0.35)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return fig


__all__ = ["legend_handles", "grid_legend_figure",
           "draw_output_grid", "output_grid_figure", "shape_flow_figure"]
