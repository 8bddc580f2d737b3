"""Figures for 2D convolution (notebook 02): one step of the worked example as number tables,
a gallery of kernels applied to images, the kernels themselves, and row profiles.

Every output is computed by :func:`cnnlib.conv2d` (one step by :func:`cnnlib.conv.conv_step`,
filtered photographs by :func:`cnnlib.conv.filter_image`); this module only draws. Static
figures use pyplot so that ``%matplotlib inline`` shows them.
"""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from ..conv import conv2d, conv_step, filter_image
from ..render import format_number
from . import IMAGE_CMAP, PROJECTOR_RC, number_grid

LINE_MARKERS = ("o", "s", "^", "D")
LINE_STYLES = ("-", "--", ":", "-.")


class _NumberFormat:
    """Passed as number_grid's ``fmt``: it calls fmt.format(value), and this writes each value with
    :func:`cnnlib.render.format_number` (whole numbers without decimals)."""

    def __init__(self, digits=3):
        self.digits = digits

    def format(self, value):
        return format_number(value, self.digits)


NUMBER = _NumberFormat()
SHORT_NUMBER = _NumberFormat(digits=2)   # for the many small weights of a 5x5 kernel


def _outline_image(ax, padding, rows, cols):
    """A dashed frame around the real image inside a zero-padded grid."""
    if padding:
        ax.add_patch(matplotlib.patches.Rectangle(
            (padding - 0.5, padding - 0.5), cols, rows, fill=False, edgecolor="white",
            linestyle="--", linewidth=2.5))


def conv2d_step_figure(image, kernel, *, padding=0, stride=1, position=(0, 0)):
    """One output of a 2D convolution, as four number tables side by side.

    Padded input with the kernel's window outlined, the kernel, the element-wise products
    (whose sum is the output), and the whole output map with the current cell outlined.
    ``position`` = (row, col) of the output cell. Returns the pyplot Figure.
    """
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    output = conv2d(image, kernel, padding=padding, stride=stride)
    padded = np.pad(image, padding)
    i, j = position
    if not (0 <= i < output.shape[0] and 0 <= j < output.shape[1]):
        raise ValueError(f"position must lie inside the {output.shape[0]}x{output.shape[1]} output, got {position}")
    kh, kw = kernel.shape
    products = conv_step(image, kernel, i, j, stride=stride, padding=padding).products
    with matplotlib.rc_context(PROJECTOR_RC):
        widths = [padded.shape[1], kw, kw, output.shape[1]]
        fig, axes = plt.subplots(1, 4, figsize=(13, 4.4), gridspec_kw=dict(width_ratios=widths))
        ax_in, ax_k, ax_p, ax_out = axes
        number_grid(ax_in, padded, fmt=NUMBER, fontsize=13, highlight=(i * stride, j * stride, kh, kw),
                    title=f"input, padded to {padded.shape[0]}x{padded.shape[1]} (P={padding})")
        _outline_image(ax_in, padding, *image.shape)
        number_grid(ax_k, kernel, fmt=NUMBER, fontsize=13, title="kernel")
        number_grid(ax_p, products, fmt=NUMBER, fontsize=13, title="window x kernel")
        number_grid(ax_out, output, fmt=NUMBER, fontsize=13, highlight=(i, j, 1, 1),
                    title=f"output {output.shape[0]}x{output.shape[1]} (S={stride})")
        for ax, what in ((ax_in, "padded"), (ax_k, "kernel"), (ax_p, "kernel"), (ax_out, "output")):
            ax.set_xlabel(f"{what} column")
            ax.set_ylabel(f"{what} row")
        fig.suptitle(f"output ({i}, {j}) = sum of the products = {format_number(output[i, j])}")
    return fig


def kernels_figure(named_kernels, *, columns=4):
    """The kernels themselves as number tables (``named_kernels``: name -> 2D array), ``columns`` per row."""
    names = list(named_kernels)
    columns = min(columns, len(names))
    rows = -(-len(names) // columns)
    with matplotlib.rc_context(PROJECTOR_RC):
        fig, axes = plt.subplots(rows, columns, figsize=(2.9 * columns, 3.1 * rows), squeeze=False)
        for ax in axes.ravel()[len(names):]:
            ax.set_axis_off()
        for ax, name in zip(axes.ravel(), names):
            k = np.asarray(named_kernels[name], dtype=float)
            small = max(k.shape) <= 3
            number_grid(ax, k, fmt=NUMBER if small else SHORT_NUMBER, fontsize=14 if small else 12,
                        title=f"{name} ({k.shape[0]}x{k.shape[1]})")
            ax.set_xticks([])
            ax.set_yticks([])
    return fig


def is_signed(kernel):
    """Kernels whose weights sum to 0 answer flat regions with 0 and give signed results."""
    return bool(np.isclose(np.sum(kernel), 0.0))


def signed_limit(result, percentile=99.5):
    """Symmetric grey-scale limit for a signed result, and whether it cuts off the extremes.

    A photograph's edge response has a few very strong pixels; scaling to the largest would
    leave every other edge faint, so the limit is the ``percentile`` of |result| (the largest
    value if that is 0, and 1 for an all-zero result).
    """
    magnitude = np.abs(result)
    largest = float(magnitude.max())
    limit = float(np.percentile(magnitude, percentile))
    if limit <= 1e-9:
        limit = largest if largest > 1e-9 else 1.0
    return limit, limit < largest


def kernel_effects_figure(named_images, named_kernels, *, border="repeat", flip=False, panel_size=2.6):
    """A grid of results: one row per image, the original then one column per kernel.

    Each result is ``filter_image(image, kernel, border=border, flip=flip)``. Kernels whose weights
    sum to 1 keep values in about [0, 1], drawn in grey clipped to [0, 1]. Kernels whose
    weights sum to 0 (edge detectors) give signed results, drawn in grey with 0 as mid-grey and
    symmetric limits, with a labelled colour bar.
    """
    image_names, kernel_names = list(named_images), list(named_kernels)
    rows, cols = len(image_names), len(kernel_names) + 1
    with matplotlib.rc_context(PROJECTOR_RC):
        fig, axes = plt.subplots(rows, cols, figsize=(panel_size * cols + 0.8, panel_size * rows + 0.6),
                                 squeeze=False)
        for r, image_name in enumerate(image_names):
            image = np.asarray(named_images[image_name], dtype=float)
            axes[r, 0].imshow(image, cmap=IMAGE_CMAP, vmin=0, vmax=1)
            axes[r, 0].set_ylabel(image_name)
            for c, kernel_name in enumerate(kernel_names, start=1):
                kernel = named_kernels[kernel_name]
                result = filter_image(image, kernel, border=border, flip=flip)
                ax = axes[r, c]
                if is_signed(kernel):
                    limit, clipped = signed_limit(result)
                    shown = ax.imshow(result, cmap=IMAGE_CMAP, vmin=-limit, vmax=limit)
                    bar = fig.colorbar(shown, ax=ax, shrink=0.8, ticks=[-limit, 0, limit],
                                       extend="both" if clipped else "neither")
                    bar.ax.set_yticklabels([f"{-limit:.2g}", "0", f"{limit:.2g}"])
                    bar.set_label("response")
                else:
                    ax.imshow(np.clip(result, 0, 1), cmap=IMAGE_CMAP, vmin=0, vmax=1)
            for c in range(cols):
                axes[r, c].set_xticks([])
                axes[r, c].set_yticks([])
                if r == 0:
                    axes[r, c].set_title("original" if c == 0 else kernel_names[c - 1])
    return fig


def profiles_figure(curves, *, title, x=None, xlabel="column", ylabel="value", styles=None):
    """Line plots of 1D profiles (e.g. one row of an image before and after a kernel).

    ``curves``: label -> 1D array; ``x``: their positions (default 0, 1, ...);
    ``styles``: label -> dict of matplotlib line options.
    """
    styles = styles or {}
    with matplotlib.rc_context(PROJECTOR_RC):
        fig, ax = plt.subplots(figsize=(10, 4.4))
        for n, (label, values) in enumerate(curves.items()):
            values = np.asarray(values, dtype=float)
            # Marker and dash pattern differ per curve, so the lines stay apart in grey-scale too.
            style = styles.get(label, dict(marker=LINE_MARKERS[n % len(LINE_MARKERS)],
                                           linestyle=LINE_STYLES[n % len(LINE_STYLES)]))
            ax.plot(np.arange(values.size) if x is None else x, values, label=label, linewidth=2.5,
                    markersize=7, **style)
        ax.axhline(0, color="0.6", linewidth=1)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(loc="best")
    return fig


__all__ = ["LINE_MARKERS", "LINE_STYLES", "NUMBER", "SHORT_NUMBER", "conv2d_step_figure",
           "kernels_figure", "is_signed", "signed_limit", "kernel_effects_figure", "profiles_figure"]
