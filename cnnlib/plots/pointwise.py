"""The 1x1 convolution as a picture: a Dense layer applied at every pixel (notebook 03, section 7)."""
import numpy as np

from ..conv import conv2d
from . import HIGHLIGHT_COLOUR, SIGNED_CMAP, VALUE_CMAP, new_figure, number_grid

HIGHLIGHT = HIGHLIGHT_COLOUR     # the palette's orange, as in every figure of the series


def _as_matrix(weights):
    weights = np.asarray(weights, dtype=float)
    if weights.ndim == 4 and weights.shape[2:] == (1, 1):
        weights = weights[:, :, 0, 0]
    if weights.ndim != 2:
        raise ValueError(f"weights must be C_out x C_in (or C_out x C_in x 1 x 1), got shape {weights.shape}")
    return weights


def one_by_one_figure(volume, weights, biases=None, *, pixel=(0, 0), channel_names=None):
    """A small 1x1 convolution drawn as numbers: the input channels, the weight table, the output channels.

    out[k, i, j] = b[k] + sum over c of W[k, c] x[c, i, j]: the same C_out x C_in matrix (a Dense
    layer) maps the column of C_in numbers at every pixel to C_out numbers; the pixel ``pixel`` is
    outlined in every channel, and the figure's last line writes its column in and out.

    Inputs:   volume         C_in x H x W array (small: up to 6 x 6 pixels, so the numbers stay legible)
              weights        C_out x C_in array (or C_out x C_in x 1 x 1, as conv2d takes it)
              biases         C_out numbers, or None for zeros
              pixel          (row, column) of the pixel to outline
              channel_names  C_in names for the input channels, default "channel 0", ...
    Returns:  a matplotlib Figure (pyplot-free) with C_in + 1 + C_out axes.

    >>> x = np.array([[[1, 2], [3, 4]], [[0, 1], [2, 0]], [[2, 0], [1, 3]]])
    >>> fig = one_by_one_figure(x, [[1, 1, 1], [1, 0, -1]], [0, 0.5], channel_names=["R", "G", "B"])
    >>> len(fig.axes)
    6
    """
    volume = np.asarray(volume, dtype=float)
    if volume.ndim != 3:
        raise ValueError(f"volume must be C_in x H x W, got shape {volume.shape}")
    w = _as_matrix(weights)
    c_in, height, width = volume.shape
    c_out = w.shape[0]
    if w.shape[1] != c_in:
        raise ValueError(f"weights have {w.shape[1]} input channels but the volume has {c_in}")
    b = np.zeros(c_out) if biases is None else np.asarray(biases, dtype=float).reshape(-1)
    if b.shape != (c_out,):
        raise ValueError(f"biases must hold {c_out} numbers (one per output channel), got {b.size}")
    row, col = pixel
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"pixel {pixel} lies outside the {height} x {width} image")
    names = list(channel_names) if channel_names is not None else [f"channel {c}" for c in range(c_in)]
    out = conv2d(volume, w[:, :, None, None], b)                    # C_out x H x W

    fig = new_figure(11, 1.0 + 2.2 * max(c_in, c_out) * max(height, 2) / 3)
    grid = fig.add_gridspec(c_in * c_out, 3, width_ratios=[1, 1.6, 1])
    highlight = (row, col, 1, 1)
    low, high = min(volume.min(), out.min()), max(volume.max(), out.max())
    for c in range(c_in):
        ax = fig.add_subplot(grid[c * c_out:(c + 1) * c_out, 0])
        number_grid(ax, volume[c], cmap=VALUE_CMAP, vmin=low, vmax=high, highlight=highlight,
                    highlight_color=HIGHLIGHT, title=f"in: {names[c]}")
    table = np.column_stack([w, b])
    limit = max(np.abs(table).max(), 1e-12)
    ax = fig.add_subplot(grid[:, 1])
    number_grid(ax, table, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit,
                title=f"weights W ({c_out} x {c_in}) and bias b")
    ax.set_xticks(range(c_in + 1), names + ["bias"])
    ax.set_yticks(range(c_out), [f"out {k}" for k in range(c_out)])
    column_in = ", ".join(f"{v:g}" for v in volume[:, row, col])
    column_out = ", ".join(f"{v:g}" for v in out[:, row, col])
    ax.set_xlabel(f"pixel {pixel}: ({column_in}) in, ({column_out}) out;\nthe same W and b at every pixel")
    for k in range(c_out):
        ax = fig.add_subplot(grid[k * c_in:(k + 1) * c_in, 2])
        number_grid(ax, out[k], cmap=VALUE_CMAP, vmin=low, vmax=high, highlight=highlight,
                    highlight_color=HIGHLIGHT, title=f"out {k}")
    fig.suptitle(f"1x1 convolution: {c_in} channels in, {c_out} out, {height} x {width} kept")
    return fig


__all__ = ["one_by_one_figure"]
