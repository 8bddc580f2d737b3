"""Static matplotlib figures shared by the notebooks, and the style that makes them legible on a projector.

Topic modules (``cnnlib.plots.conv``, ...) hold the figures; this module holds what they share:
the style, the colour maps and number grids. PNG encoding for widgets is :mod:`cnnlib.render`.
"""
import functools

import matplotlib
import numpy as np
from cycler import cycler
from matplotlib.figure import Figure

from ..render import array_to_png, figure_to_png  # noqa: F401  (PNG encoding lives in cnnlib.render)
from ..render import text_colour_on

# Perceptually uniform maps keep their order when printed or projected in grey-scale.
IMAGE_CMAP = "gray"
VALUE_CMAP = "cividis"
# Signed maps (edge responses, weights): diverging, always shown with a labelled colour bar.
SIGNED_CMAP = "RdBu_r"

# Categorical colours (lines, bars, markers, outlines): the palette of Okabe and Ito, "Color
# Universal Design" (Okabe M., Ito K., 2002, https://jfly.uni-koeln.de/color/; recommended by Wong B.,
# "Points of view: Color blindness", Nature Methods 8, 441, 2011), made to stay apart for readers
# with any common colour-vision deficiency. Under simulated deuteranopia, protanopia and tritanopia
# (colorspacious, severity 100) every pair stays at least 11.0 apart in CAM02-UCS; matplotlib's
# default tab10 falls to 1.6 (its orange and green, under protanopia). tests/test_colours.py
# measures this and checks that every figure of cnnlib.plots draws only these, greys, black and white.
# Black is Okabe-Ito's eighth colour; it is used as the neutral one here.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"          # "bluish green"
VERMILLION = "#D55E00"     # the series' red
PURPLE = "#CC79A7"         # "reddish purple"
SKY_BLUE = "#56B4E9"
YELLOW = "#F0E442"         # pale: for markers and fills with a black edge, not thin lines on white
PALETTE = {"blue": BLUE, "orange": ORANGE, "green": GREEN, "vermillion": VERMILLION, "purple": PURPLE,
           "sky blue": SKY_BLUE, "yellow": YELLOW}
# The colour of a highlighted window or cell (the kernel's position, the filter's taps).
HIGHLIGHT_COLOUR = ORANGE
# Lines never differ by colour alone: the cycle pairs each colour with its own dash pattern
# (and figures that mark points add a marker of their own, MARKERS in the same order).
LINE_STYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 3)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X")

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
    "axes.prop_cycle": cycler(color=list(PALETTE.values())) + cycler(linestyle=list(LINE_STYLES)),
    # Opaque white paper and black ink whatever the notebook's theme or the user's matplotlib style:
    # a transparent figure's black text vanishes on JupyterLab's dark theme.
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
    "axes.facecolor": "white",
    "axes.edgecolor": "black",
    "axes.labelcolor": "black",
    "text.color": "black",
    "xtick.color": "black",
    "ytick.color": "black",
    "grid.color": "#b0b0b0",
    "legend.facecolor": "white",
    "legend.edgecolor": "0.8",
}


def tint(colour, strength=0.2):
    """A pale version of a palette colour for a fill: the colour itself, mostly transparent, so on
    white paper it reads as a pastel (and stays the palette's colour in tests/test_colours.py).

    >>> tint(BLUE, 0.25)
    (0.0, 0.4470588235294118, 0.6980392156862745, 0.25)
    """
    return (*matplotlib.colors.to_rgb(colour), float(strength))


def pale(colour, strength=0.4):
    """An opaque pastel of a palette colour: ``strength`` of the colour mixed with white (for a fill
    that must not let what lies behind show through, such as the faces of a drawn box).

    >>> pale("#0072B2", 0.5)
    '#80b8d8'
    """
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    return matplotlib.colors.to_hex(strength * rgb + (1 - strength))


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
                highlight=None, highlight_color=HIGHLIGHT_COLOUR, fontsize=None, title=None):
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
            ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center",
                    fontsize=size, color=text_colour_on(shade))     # at least 4.58:1 on any shade
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


__all__ = ["IMAGE_CMAP", "VALUE_CMAP", "SIGNED_CMAP", "PROJECTOR_RC", "PALETTE", "BLUE", "ORANGE", "GREEN",
           "VERMILLION", "PURPLE", "SKY_BLUE", "YELLOW", "HIGHLIGHT_COLOUR", "LINE_STYLES", "MARKERS", "tint", "pale",
           "projector", "projector_style", "new_figure", "number_grid", "figure_to_png", "array_to_png"]
