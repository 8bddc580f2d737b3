"""Static matplotlib figures shared by the notebooks, and the style that makes them legible on a projector.

Topic modules (``cnnlib.plots.conv``, ...) hold the figures; this module holds what they share:
the style, the colour maps and number grids. PNG encoding for widgets is :mod:`cnnlib.render`.
"""
import functools

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from ..render import array_to_png, figure_to_png  # noqa: F401  (PNG encoding lives in cnnlib.render)

# Perceptually uniform maps keep their order when printed or projected in grey-scale.
IMAGE_CMAP = "gray"
VALUE_CMAP = "cividis"
# Signed maps (edge responses, weights): diverging, always shown with a labelled colour bar.
SIGNED_CMAP = "RdBu_r"

PROJECTOR_RC = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 16,
    "axes.grid": False,
    "image.cmap": VALUE_CMAP,
    "figure.constrained_layout.use": True,
}


def projector(draw):
    """Decorator: run a drawing function under the projector style (sizes are fixed when artists are made)."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(PROJECTOR_RC):
            return draw(*args, **kwargs)
    return wrapper


def projector_style():
    """Large fonts and grey-scale-safe colour maps, for every figure drawn afterwards."""
    matplotlib.rcParams.update(PROJECTOR_RC)


def new_figure(width=8, height=4):
    """A pyplot-free Figure (for widgets: it is never auto-displayed twice)."""
    with matplotlib.rc_context(PROJECTOR_RC):
        return Figure(figsize=(width, height), layout="constrained")


def number_grid(ax, values, *, fmt="{:g}", cmap=VALUE_CMAP, vmin=None, vmax=None,
                highlight=None, highlight_color="tab:orange", fontsize=None, title=None):
    """Draw a small matrix as shaded cells with its numbers written in them.

    ``highlight``: (row, col, height, width) of a rectangle to outline, e.g. the kernel's window.
    Text is black on light cells and white on dark ones so it stays readable.
    """
    values = np.asarray(values, dtype=float)
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
    norm = image.norm
    rows, cols = values.shape
    size = fontsize or (14 if max(rows, cols) <= 7 else 10)
    for i in range(rows):
        for j in range(cols):
            shade = matplotlib.colormaps[cmap](norm(values[i, j]))
            light = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] > 0.5
            ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center",
                    fontsize=size, color="black" if light else "white")
    ax.set_xticks(range(cols))
    ax.set_yticks(range(rows))
    ax.set_xticks(np.arange(-0.5, cols), minor=True)
    ax.set_yticks(np.arange(-0.5, rows), minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    if highlight is not None:
        r, c, h, w = highlight
        ax.add_patch(matplotlib.patches.Rectangle((c - 0.5, r - 0.5), w, h, fill=False,
                                                  edgecolor=highlight_color, linewidth=4))
    if title:
        ax.set_title(title)
    return image


__all__ = ["IMAGE_CMAP", "VALUE_CMAP", "SIGNED_CMAP", "PROJECTOR_RC", "projector",
           "projector_style", "new_figure", "number_grid", "figure_to_png", "array_to_png"]
