"""Figures for notebook 03: an RGB image as a volume, filters that span its depth, filter banks.

Arrays follow cnnlib's layout, C x H x W for a volume and C x kh x kw for one filter; an RGB
picture to *display* is H x W x 3, which is what :func:`channels_figure` takes.
Every map drawn here is computed by :func:`cnnlib.conv2d`.
"""
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import FancyArrowPatch, Polygon

from ..conv import channel_contributions, conv2d
from ..shapes import output_size
from . import BLUE, GREEN, HIGHLIGHT_COLOUR, IMAGE_CMAP, SIGNED_CMAP, VERMILLION, number_grid, pale

CHANNEL_NAMES = ("R", "G", "B")
# Pastels of the palette's red, green and blue for the slices of a drawn volume (also labelled
# "R, G, B slices"); they differ in grey-scale too.
SLICE_COLOURS = (pale(VERMILLION, 0.45), pale(GREEN, 0.45), pale(BLUE, 0.45))
FILTER_COLOUR = HIGHLIGHT_COLOUR       # the palette's orange, as the window in every other figure


def _new_figure(width, height):
    import matplotlib.pyplot as plt   # only the static figures use pyplot, and only when drawn

    return plt.figure(figsize=(width, height))


def _signed_limit(*arrays):
    limit = max(float(np.max(np.abs(a))) for a in arrays)
    return limit if limit > 0 else 1.0


def _no_ticks(ax):
    ax.set_xticks([])
    ax.set_yticks([])


def channels_figure(image, *, title=None):
    """The picture (H x W x 3 in [0, 1]) and its three channels, each a grey-scale H x W map."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be H x W x 3 (RGB, for display), got shape {image.shape}")
    fig = _new_figure(13, 3.9)
    axes = fig.subplots(1, 4)
    axes[0].imshow(np.clip(image, 0, 1))
    axes[0].set_title(f"RGB, {image.shape[0]}x{image.shape[1]}x3")
    for c, ax in enumerate(axes[1:]):
        shown = ax.imshow(image[:, :, c], cmap=IMAGE_CMAP, vmin=0, vmax=1)
        ax.set_title(f"channel {c}: {CHANNEL_NAMES[c]}")
    for ax in axes:
        _no_ticks(ax)
    fig.colorbar(shown, ax=axes[1:], label="intensity (0 = none, 1 = full)", shrink=0.85)
    if title:
        fig.suptitle(title)
    return fig


def _box(ax, x, y, width, height, depth, *, face, edge="black", alpha=1.0, linewidth=1.2,
         zorder=1, slant=(0.6, 0.45)):
    """An oblique drawing of a width x height x depth box whose front face has its corner at (x, y)."""
    dx, dy = depth * slant[0], depth * slant[1]
    front = [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]
    top = [(x, y + height), (x + width, y + height), (x + width + dx, y + height + dy), (x + dx, y + height + dy)]
    side = [(x + width, y), (x + width + dx, y + dy), (x + width + dx, y + height + dy), (x + width, y + height)]
    for corners, shade in ((top, 0.85), (side, 0.7), (front, 1.0)):
        colour = np.array(to_rgb(face)) * shade
        ax.add_patch(Polygon(corners, closed=True, facecolor=colour, edgecolor=edge, alpha=alpha,
                             linewidth=linewidth, zorder=zorder))


def _stack(ax, x, y, size, depth_per_slice, colours, zorder):
    """Slices drawn from the back to the front, so slice 0 ends up in front."""
    slant = (0.6, 0.45)
    for k in reversed(range(len(colours))):
        offset = k * depth_per_slice
        _box(ax, x + offset * slant[0], y + offset * slant[1], size, size, depth_per_slice,
             face=colours[k], zorder=zorder + len(colours) - k)


def volume_diagram(ax, *, size=32, channels=3, kernel=5, filters=1):
    """The notes' picture: a size x size x channels input, a kernel x kernel x channels filter and
    the output volume it makes (conv2d with stride 1, no padding: size - kernel + 1 on each side).
    """
    out = output_size(size, kernel)
    depth = 3.0        # drawing units per slice; the real depth would be too thin to see
    input_colours = SLICE_COLOURS if channels == 3 else ["#cccccc"] * channels
    _stack(ax, 0, 0, size, depth, input_colours, zorder=1)
    # The filter's window at the top-left of the input, through the full depth.
    _box(ax, 0, size - kernel, kernel, kernel, depth * channels, face=FILTER_COLOUR, alpha=0.75,
         linewidth=2, zorder=20)
    slices = " (R, G, B slices)" if channels == 3 else ""
    ax.text(size / 2 + depth * channels * 0.3, -5, f"input {size}x{size}x{channels}{slices}",
            ha="center", fontsize=14)
    # The filter on its own.
    fx = size + depth * channels * 0.6 + 8
    _box(ax, fx, size / 2 - kernel / 2, kernel, kernel, depth * channels, face=FILTER_COLOUR,
         linewidth=2, zorder=20)
    ax.text(fx + kernel / 2 + 3, size / 2 - kernel / 2 - 5,
            f"{'one' if filters == 1 else filters} filter{'s' if filters > 1 else ''}\n"
            f"{kernel}x{kernel}x{channels}", ha="center", va="top", fontsize=14)
    # The output volume: one slice per filter.
    ox = fx + kernel + depth * channels * 0.6 + 10
    output_colours = ["#d9d9d9" if k % 2 else "#b3b3b3" for k in range(filters)]
    _stack(ax, ox, (size - out) / 2, out, depth / 1.5, output_colours, zorder=30)
    cell_y = (size - out) / 2 + out - 1
    ax.add_patch(Polygon([(ox, cell_y), (ox + 1, cell_y), (ox + 1, cell_y + 1), (ox, cell_y + 1)],
                         facecolor=FILTER_COLOUR, edgecolor="black", zorder=60))
    ax.add_patch(FancyArrowPatch((kernel + 1, size + 1), (ox + 0.5, cell_y + 1.2),
                                 connectionstyle="arc3,rad=-0.25", arrowstyle="-|>",
                                 mutation_scale=20, linewidth=2, color="black", zorder=70))
    weights = kernel * kernel * channels
    ax.text((kernel + ox) / 2, size + 11.5, f"{weights} products + bias = 1 number",
            ha="center", fontsize=14)
    ax.text(ox + out / 2 + depth / 1.5 * filters * 0.3, -5,
            f"output {out}x{out}x{filters}", ha="center", fontsize=14)
    ax.set_xlim(-3, ox + out + depth / 1.5 * filters * 0.6 + 3)
    ax.set_ylim(-9, size + 17)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _slice_numbers(ax, values, limit, title):
    """One filter slice as shaded cells with its weights written in (small kernels only)."""
    number_grid(ax, values, fmt="{:.2f}", cmap=SIGNED_CMAP, vmin=-limit, vmax=limit,
                fontsize=11 if values.shape[1] <= 5 else 8, title=title)
    _no_ticks(ax)


def _signed_colorbar(fig, mappable, axes, label, **kwargs):
    """A colour bar that reads -max / 0 / +max, for panels that each use their own scale."""
    limit = mappable.norm.vmax
    bar = fig.colorbar(mappable, ax=axes, label=label, ticks=[-limit, 0, limit], **kwargs)
    bar.ax.set_yticklabels(["-max", "0", "+max"])
    return bar


def contributions_figure(volume, filter_, bias=0.0, *, title=None):
    """Each channel, the filter slice that looks at it, and what it adds; then their sum + bias.

    volume: 3 x H x W in [0, 1]; filter_: 3 x kh x kw. The last panel is
    ``conv2d(volume, filter_, [bias])``, the one map the whole 3D filter makes. The three
    contributions share one colour scale so they can be compared; the sum has its own.
    """
    volume, filter_ = np.asarray(volume, dtype=float), np.asarray(filter_, dtype=float)
    parts = channel_contributions(volume, filter_)
    total = conv2d(volume, filter_, np.array([bias]))
    part_limit, total_limit = _signed_limit(parts), _signed_limit(total)
    weight_limit = _signed_limit(filter_)
    fig = _new_figure(14, 10)
    grid = fig.add_gridspec(3, 4)
    part_axes = []
    for c in range(volume.shape[0]):
        ax_in = fig.add_subplot(grid[c, 0])
        ax_in.imshow(volume[c], cmap=IMAGE_CMAP, vmin=0, vmax=1)
        ax_in.set_title(f"input channel {CHANNEL_NAMES[c]}", fontsize=13)
        _no_ticks(ax_in)
        _slice_numbers(fig.add_subplot(grid[c, 1]), filter_[c], weight_limit,
                       f"x  filter slice {CHANNEL_NAMES[c]}")
        ax_out = fig.add_subplot(grid[c, 2])
        mapped = ax_out.imshow(parts[c], cmap=SIGNED_CMAP, vmin=-part_limit, vmax=part_limit)
        ax_out.set_title(f"= contribution of {CHANNEL_NAMES[c]}", fontsize=13)
        _no_ticks(ax_out)
        part_axes.append(ax_out)
    fig.colorbar(mapped, ax=part_axes, label="contribution (one scale for all three)", shrink=0.6)
    ax_sum = fig.add_subplot(grid[1, 3])
    summed = ax_sum.imshow(total, cmap=SIGNED_CMAP, vmin=-total_limit, vmax=total_limit)
    ax_sum.set_title(f"R + G + B + bias ({bias:g})\n= conv2d of the volume", fontsize=13)
    _no_ticks(ax_sum)
    fig.colorbar(summed, ax=ax_sum, label="output map value", location="bottom", shrink=0.9)
    if title:
        fig.suptitle(title)
    return fig


def filter_bank_figure(volume, filters, biases=None, *, names=None, title=None):
    """K filters (K x 3 x kh x kw) as columns: their three slices, then the map each one makes.

    The K maps are ``conv2d(volume, filters, biases)``, stacked into a K x H_O x W_O volume.
    Each filter and each map is drawn on its own symmetric scale, so a gentle filter still shows.
    """
    volume, filters = np.asarray(volume, dtype=float), np.asarray(filters, dtype=float)
    maps = conv2d(volume, filters, biases)
    k = filters.shape[0]
    fig = _new_figure(2.2 * k + 1.5, 9.6)
    axes = fig.subplots(4, k, squeeze=False)
    for j in range(k):
        limit = _signed_limit(filters[j])
        for c in range(3):
            weights = axes[c, j].imshow(filters[j, c], cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
            _no_ticks(axes[c, j])
        axes[0, j].set_title(names[j] if names else f"filter {j}", fontsize=13)
        limit = _signed_limit(maps[j])
        mapped = axes[3, j].imshow(maps[j], cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
        axes[3, j].set_title(f"map {j}", fontsize=13)
        _no_ticks(axes[3, j])
    for c in range(3):
        axes[c, 0].set_ylabel(f"{CHANNEL_NAMES[c]} slice", fontsize=13)
    axes[3, 0].set_ylabel(f"{maps.shape[1]}x{maps.shape[2]} map", fontsize=13)
    _signed_colorbar(fig, weights, axes[:3, -1], "weight", shrink=0.8)
    _signed_colorbar(fig, mapped, axes[3, -1], "map value", shrink=0.9)
    if title:
        fig.suptitle(title)
    return fig


__all__ = ["CHANNEL_NAMES", "SLICE_COLOURS", "FILTER_COLOUR",
           "channels_figure", "volume_diagram", "contributions_figure", "filter_bank_figure"]
