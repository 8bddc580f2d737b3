"""Static figures for notebook 06 on pooling; the shift that tests translation invariance is
:func:`cnnlib.augment.shift_image`, the count of unchanged values :func:`cnnlib.pooling.unchanged_counts`."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, Rectangle

from .._checks import as_float_array, check_ndim
from ..activations import relu
from ..conv import conv2d
from ..augment import shift_image
from ..pooling import avg_pool2d, max_pool2d, unchanged_counts
from . import (BLUE, GREEN, IMAGE_CMAP, ORANGE, PURPLE, SIGNED_CMAP, SKY_BLUE, VALUE_CMAP, VERMILLION, YELLOW,
               number_grid)

POOLS = {"max": max_pool2d, "avg": avg_pool2d}
# Colour and dash pattern both differ, so the windows stay distinguishable in grey-scale.
WINDOW_STYLES = [(ORANGE, "-"), (SKY_BLUE, "--"), (VERMILLION, ":"), (GREEN, "-."), (PURPLE, "-"),
                 (YELLOW, "--"), (BLUE, ":"), ("white", "-."), ("black", "--")]


def _window_style(k):
    return WINDOW_STYLES[k % len(WINDOW_STYLES)]


def pooling_figure(x, size=2, stride=None, mode="max", fmt="{:g}"):
    """The input as a number grid with every pooling window outlined, and the pooled output beside it.

    Each output cell is outlined in its window's colour and dash; for max pooling the winning
    input value is circled. ``x`` is a small H x W map (numbers must fit in the cells).
    """
    if mode not in POOLS:
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    x = as_float_array(x, "x")
    check_ndim(x, "x", (2,), "an H x W map")
    stride = size if stride is None else stride
    pooled = POOLS[mode](x, size, stride)
    out_h, out_w = pooled.shape
    fig, (ax_in, ax_out) = plt.subplots(1, 2, figsize=(11, 5), gridspec_kw=dict(width_ratios=[x.shape[1], out_w + 1]))
    number_grid(ax_in, x, fmt=fmt, cmap=VALUE_CMAP, title=f"input {x.shape[0]}x{x.shape[1]}")
    number_grid(ax_out, pooled, fmt=fmt, cmap=VALUE_CMAP, vmin=x.min(), vmax=x.max(),
                title=f"{mode} pool, size {size}, stride {stride}: {out_h}x{out_w}")
    inset = 0.07 if stride < size else 0.0   # overlapping windows are drawn a little inside each other
    for i in range(out_h):
        for j in range(out_w):
            k = i * out_w + j
            color, dash = _window_style(k)
            r0, c0 = i * stride, j * stride
            d = inset * (k % 4)
            ax_in.add_patch(Rectangle((c0 - 0.5 + d, r0 - 0.5 + d), size - 2 * d, size - 2 * d, fill=False,
                                      edgecolor=color, linestyle=dash, linewidth=3.5))
            ax_out.add_patch(Rectangle((j - 0.47, i - 0.47), 0.94, 0.94, fill=False,
                                       edgecolor=color, linestyle=dash, linewidth=3.5))
            if mode == "max":
                window = x[r0:r0 + size, c0:c0 + size]
                a, b = np.unravel_index(np.argmax(window), window.shape)
                # Shrinking radii keep every circle visible when overlapping windows share a winner.
                radius = 0.38 - (0.07 * (k % 4) if stride < size else 0.0)
                ax_in.add_patch(Circle((c0 + b, r0 + a), radius, fill=False, edgecolor=color, linewidth=2.5))
    return fig


def shift_comparison_figure(fmap, rows=0, cols=1, size=2, stride=None, mode="max", fmt="{:g}"):
    """Four number grids: a map and its shifted copy (top), both pooled (bottom).

    Active cells whose value changed with the shift are outlined in red; the titles count the
    unchanged active cells, the measure of (approximate) translation invariance.
    """
    if mode not in POOLS:
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    fmap = as_float_array(fmap, "fmap")
    stride = size if stride is None else stride
    shifted = shift_image(fmap, rows, cols)
    pooled, pooled_shifted = POOLS[mode](fmap, size, stride), POOLS[mode](shifted, size, stride)
    vmin, vmax = fmap.min(), fmap.max()
    fig, axes = plt.subplots(2, 2, figsize=(11, 10.5),
                             gridspec_kw=dict(height_ratios=[fmap.shape[0], pooled.shape[0] + 1]))
    same_raw, active_raw = unchanged_counts(fmap, shifted)
    same_pool, active_pool = unchanged_counts(pooled, pooled_shifted)
    panels = [
        (axes[0, 0], fmap, None, "feature map"),
        (axes[0, 1], shifted, fmap, f"shifted {cols} right, {rows} down: {same_raw}/{active_raw} same"),
        (axes[1, 0], pooled, None, f"{mode} pooled ({size}x{size}, stride {stride})"),
        (axes[1, 1], pooled_shifted, pooled, f"shifted, then pooled: {same_pool}/{active_pool} same"),
    ]
    for ax, values, reference, title in panels:
        number_grid(ax, values, fmt=fmt, cmap=VALUE_CMAP, vmin=vmin, vmax=vmax, title=title,
                    fontsize=12 if values.shape[1] > 6 else 15)
        if values is fmap or values is shifted:
            # Thick lines along the pooling windows' borders show which window each pixel falls in.
            for edge in range(stride, fmap.shape[0], stride):
                ax.axhline(edge - 0.5, color="white", linewidth=4)
            for edge in range(stride, fmap.shape[1], stride):
                ax.axvline(edge - 0.5, color="white", linewidth=4)
        if reference is None:
            continue
        changed = ~np.isclose(values, reference) & ((values != 0) | (reference != 0))
        for i, j in zip(*np.nonzero(changed)):
            ax.add_patch(Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False, edgecolor=VERMILLION, linewidth=3))
    return fig


def pipeline_figure(image, kernel, *, size=2, kernel_name="kernel"):
    """image -> convolution -> ReLU -> max pooling, the pattern a CNN repeats (seed 004)."""
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2,), "an H x W image")
    response = conv2d(image, kernel, padding="same")
    rectified = relu(response)
    pooled = max_pool2d(rectified, size)
    limit = float(np.abs(response).max()) or 1.0
    fig, axes = plt.subplots(1, 4, figsize=(16, 4.6))
    axes[0].imshow(image, cmap=IMAGE_CMAP)
    signed = axes[1].imshow(response, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
    fig.colorbar(signed, ax=axes[1], shrink=0.8, label="response (signed)")
    axes[2].imshow(rectified, cmap=IMAGE_CMAP, vmin=0, vmax=limit)
    axes[3].imshow(pooled, cmap=IMAGE_CMAP, vmin=0, vmax=limit)
    titles = [f"image {image.shape[0]}x{image.shape[1]}",
              f"{kernel_name} {response.shape[0]}x{response.shape[1]}",
              f"ReLU {rectified.shape[0]}x{rectified.shape[1]}",
              f"max pool {size}x{size}: {pooled.shape[0]}x{pooled.shape[1]}"]
    for ax, title in zip(axes, titles):
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig



__all__ = ["POOLS", "WINDOW_STYLES", "pooling_figure", "shift_comparison_figure", "pipeline_figure"]
