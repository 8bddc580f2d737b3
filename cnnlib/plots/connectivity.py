"""Figures for notebook 05: a convolution drawn as a layer of neurons.

Which input feeds which output, and through which weight, comes from :func:`cnnlib.conv_matrix`
applied to a kernel whose entries are the weight numbers 1, 2, ..., F*F (:func:`cnnlib.conv.connection_ids`).
Each weight number gets its own colour, so shared weights show up coloured alike.
Inputs are numbered 1..n*n row by row and outputs are named h11, h12, ... as in the notes.
"""
import matplotlib
import numpy as np
from matplotlib.patches import Rectangle

from .._checks import as_positive_int
from ..conv import connection_ids, neuron_name, weight_ids
from ..render import text_colour_on
from ..shapes import conv_parameter_count, dense_parameter_count, output_size, receptive_field
from . import BLUE, IMAGE_CMAP, LINE_STYLES, ORANGE, PALETTE, SIGNED_CMAP, VERMILLION

UNUSED_COLOUR = "#f2f2f2"
CONE_COLOUR = ORANGE


def weight_colours(count):
    """``count`` colours, one per weight: the series' colour-blind-safe palette while it lasts
    (blue for w1, orange for w2, ...), then viridis.

    Viridis is sampled in golden-ratio steps, so neighbouring weights never look alike (a smooth
    ramp would make a dense layer's weights seem shared). The figures also write the weight's
    name (w1, w2, ...) where there is room, so the colour is never the only clue.
    """
    count = as_positive_int(count, "count")
    if count <= len(PALETTE):
        return [colour.lower() for colour in list(PALETTE.values())[:count]]
    positions = (np.arange(count) * 0.6180339887) % 1.0
    return [matplotlib.colors.to_hex(c) for c in matplotlib.colormaps["viridis"](positions)]


def _new_figure(width, height):
    import matplotlib.pyplot as plt   # only the static figures use pyplot, and only when drawn

    return plt.figure(figsize=(width, height))


def _text_colour(hex_colour):
    return text_colour_on(hex_colour)


def _input_grid(ax, n, weight_of_input, colours, title):
    """An n x n grid of inputs numbered row by row; inputs joined to the neuron are coloured by weight."""
    for i in range(n):
        for j in range(n):
            weight = weight_of_input[i * n + j]
            face = colours[weight - 1] if weight else UNUSED_COLOUR
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=face, edgecolor="white", linewidth=2))
            ax.text(j + 0.5, i + 0.45, str(i * n + j + 1), ha="center", va="center", fontsize=14,
                    color=_text_colour(face) if weight else "#777777")
            if weight and n <= 8:      # the weight's name too: colour is not the only clue
                ax.text(j + 0.5, i + 0.82, f"w{weight}", ha="center", va="center", fontsize=9,
                        color=_text_colour(face))
    ax.set_xlim(0, n)
    ax.set_ylim(n, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=14)


def neuron_windows_figure(input_size=4, kernel_size=2, stride=2):
    """One panel per output neuron: the inputs it sees, each coloured by the weight that multiplies it.

    The same colours appear in every panel (weight sharing) and each panel colours only a few
    inputs (sparse connectivity). The last panel is the kernel with its weight numbers.
    """
    ids = connection_ids(input_size, kernel_size, stride)
    n_out = output_size(input_size, kernel_size, 0, stride)
    colours = weight_colours(kernel_size * kernel_size)
    panels = ids.shape[0] + 1
    columns = min(panels, 5)
    rows = -(-panels // columns)
    fig = _new_figure(2.9 * columns, 3.2 * rows)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for r in range(ids.shape[0]):
        seen = np.flatnonzero(ids[r]) + 1
        listed = ", ".join(map(str, seen)) if len(seen) <= 6 else f"{len(seen)} inputs"
        _input_grid(axes[r], input_size, ids[r], colours, f"{neuron_name(r, n_out)} sees {listed}")
    kernel_ax = axes[ids.shape[0]]
    kernel = weight_ids(kernel_size).astype(int)
    for a in range(kernel_size):
        for b in range(kernel_size):
            face = colours[kernel[a, b] - 1]
            kernel_ax.add_patch(Rectangle((b, a), 1, 1, facecolor=face, edgecolor="white", linewidth=2))
            kernel_ax.text(b + 0.5, a + 0.5, f"w{kernel[a, b]}", ha="center", va="center",
                           fontsize=15, color=_text_colour(face))
    kernel_ax.set_xlim(0, input_size)
    kernel_ax.set_ylim(input_size, 0)
    kernel_ax.set_aspect("equal")
    kernel_ax.axis("off")
    kernel_ax.set_title(f"the {kernel_size}x{kernel_size} kernel", fontsize=14)
    for ax in axes[panels:]:
        ax.axis("off")
    fig.suptitle(f"{input_size}x{input_size} input, {kernel_size}x{kernel_size} kernel, stride {stride}: "
                 f"a {n_out}x{n_out} layer of neurons")
    return fig


def _bipartite(ax, ids, weight_of_edge, colours, out_cols, title, linewidth, dashed=False):
    """Inputs below, outputs above, a line per weight in use in that weight's colour (and, with
    ``dashed``, its own dash pattern too, so a few shared weights are told apart without colour)."""
    n_out, n_in = ids.shape
    x_in = np.linspace(0, 1, n_in)
    spread = min(1.0, 0.2 * (n_out - 1))    # a few outputs sit in the middle, many use the full width
    x_out = np.linspace(0.5 - spread / 2, 0.5 + spread / 2, n_out)
    for r in range(n_out):
        for i in range(n_in):
            weight = weight_of_edge[r, i]
            if weight:
                ax.plot([x_in[i], x_out[r]], [0, 1], color=colours[weight - 1], linewidth=linewidth,
                        linestyle=LINE_STYLES[(weight - 1) % len(LINE_STYLES)] if dashed else "-", zorder=1)
    ax.scatter(x_in, np.zeros(n_in), s=260, color="white", edgecolor="black", zorder=2)
    ax.scatter(x_out, np.ones(n_out), s=520, color="white", edgecolor="black", zorder=2)
    for i in range(n_in):
        ax.text(x_in[i], 0, str(i + 1), ha="center", va="center", fontsize=10, zorder=3)
    for r in range(n_out):
        ax.text(x_out[r], 1, neuron_name(r, out_cols), ha="center", va="center", fontsize=11, zorder=3)
    ax.text(-0.04, 0, "inputs", ha="right", va="center", fontsize=13)
    ax.text(-0.04, 1, "outputs", ha="right", va="center", fontsize=13)
    ax.set_xlim(-0.2, 1.05)
    ax.set_ylim(-0.15, 1.15)
    ax.axis("off")
    ax.set_title(title, fontsize=14)


def sparse_vs_dense_figure(input_size=4, kernel_size=2, stride=2):
    """The same layer of neurons wired two ways: as a convolution and fully connected.

    Each line is one weight in use; its colour (and, for the convolution's few weights, its dash
    pattern) says which weight. The convolution draws few lines
    in few colours (sparse, shared); the dense layer joins everything with its own weight each.
    """
    ids = connection_ids(input_size, kernel_size, stride)
    n_out, n_in = ids.shape
    out_cols = output_size(input_size, kernel_size, 0, stride)
    dense_ids = np.arange(1, n_out * n_in + 1).reshape(n_out, n_in)
    fig = _new_figure(14, 4.6)
    ax_conv, ax_dense = fig.subplots(1, 2)
    _bipartite(ax_conv, ids, ids, weight_colours(kernel_size * kernel_size), out_cols,
               f"convolution: {np.count_nonzero(ids)} connections, {kernel_size * kernel_size} weights",
               linewidth=2.5, dashed=kernel_size * kernel_size <= len(LINE_STYLES))
    _bipartite(ax_dense, ids, dense_ids, weight_colours(n_out * n_in), out_cols,
               f"fully connected: {n_out * n_in} connections, {n_out * n_in} weights", linewidth=1.2)
    return fig


def conv_matrix_figure(input_size=4, kernel_size=3, stride=1, *, ax=None):
    """The convolution as a matrix: row r holds the weights output r gives to every input.

    Cells are coloured by weight number (w1, w2, ...) and blank where the weight is zero, so the
    shared weights form diagonal stripes of one colour. Drawn from :func:`connection_ids`.
    """
    ids = connection_ids(input_size, kernel_size, stride)
    n_out, n_in = ids.shape
    out_cols = output_size(input_size, kernel_size, 0, stride)
    colours = weight_colours(kernel_size * kernel_size)
    if ax is None:
        cell = min(0.55, 13.0 / n_in)     # inches per matrix cell, capped so the figure fits a screen
        fig = _new_figure(max(6.0, cell * n_in + 1.5), max(2.5, cell * n_out + 1.6))
        ax = fig.subplots()
    label_cells = n_in <= 25
    for r in range(n_out):
        for i in range(n_in):
            weight = ids[r, i]
            face = colours[weight - 1] if weight else "white"
            ax.add_patch(Rectangle((i, r), 1, 1, facecolor=face, edgecolor="#dddddd", linewidth=0.8))
            if weight and label_cells:
                ax.text(i + 0.5, r + 0.5, f"w{weight}", ha="center", va="center",
                        fontsize=11 if n_in <= 16 else 8, color=_text_colour(face))
    ax.set_xlim(0, n_in)
    ax.set_ylim(n_out, 0)
    ax.set_aspect("equal")
    step = 1 if n_in <= 25 else 4
    ax.set_xticks(np.arange(0, n_in, step) + 0.5, [str(i + 1) for i in range(0, n_in, step)], fontsize=11)
    ystep = 1 if n_out <= 25 else 4
    ax.set_yticks(np.arange(0, n_out, ystep) + 0.5,
                  [neuron_name(r, out_cols) for r in range(0, n_out, ystep)], fontsize=11)
    ax.set_xlabel("input pixel (numbered row by row)")
    ax.set_ylabel("output neuron")
    ax.set_title(f"convolution matrix: {input_size}x{input_size} input, {kernel_size}x{kernel_size} "
                 f"kernel, stride {stride}\n{n_out} x {n_in} = {n_out * n_in} entries, "
                 f"{np.count_nonzero(ids)} non-zero, {kernel_size * kernel_size} distinct weights",
                 fontsize=14)
    return ax.figure


def parameter_count_figure(sizes=range(8, 65, 4), *, kernel=5, filters=6, highlight=32, ax=None):
    """Weights needed to map an n x n image to ``filters`` maps of (n - kernel + 1)^2, against n:
    fully connected (n^2 x outputs) versus convolution (filters x kernel^2, whatever n is)."""
    sizes = np.array(list(sizes))
    outputs = [output_size(n, kernel) ** 2 * filters for n in sizes]
    dense = np.array([dense_parameter_count(n * n, out, bias=False) for n, out in zip(sizes, outputs)])
    conv = np.full(sizes.shape, conv_parameter_count(kernel, 1, filters, bias=False))
    if ax is None:
        fig = _new_figure(9, 5)
        ax = fig.subplots()
    ax.semilogy(sizes, dense, "o-", color=VERMILLION, label="fully connected: n² x outputs")
    ax.semilogy(sizes, conv, "s--", color=BLUE, label=f"convolution: {filters} x {kernel}x{kernel}")
    n = highlight
    dense_n = dense_parameter_count(n * n, output_size(n, kernel) ** 2 * filters, bias=False)
    ax.annotate(f"{dense_n:,}", (n, dense_n), xytext=(n - 14, dense_n * 4), fontsize=13,
                arrowprops=dict(arrowstyle="->"))
    ax.annotate(f"{conv[0]}", (n, conv[0]), xytext=(n - 10, conv[0] * 12), fontsize=13,
                arrowprops=dict(arrowstyle="->"))
    ax.set_xlabel("input size n (an n x n image)")
    ax.set_ylabel("number of weights (log scale)")
    ax.set_title(f"Weights for {filters} output maps, {kernel}x{kernel} windows")
    ax.legend(loc="center right")
    ax.grid(True, which="major", alpha=0.3)
    return ax.figure


def _cone_diagram(ax, layers=3, kernel=3):
    """Units in 1D, one row per layer; the units that can reach the top unit are highlighted."""
    width = 1 + layers * (kernel - 1)
    for level in range(layers + 1):
        count = width - level * (kernel - 1)
        offset = level * (kernel - 1) / 2
        centre = count // 2
        for u in range(count):
            # Unit u of this level lies in the top unit's cone if it is within the cone's span here.
            reach = (layers - level) * (kernel - 1) // 2
            inside = abs(u - centre) <= reach
            ax.scatter(offset + u, level, s=240, zorder=3,
                       color=CONE_COLOUR if inside else "white", edgecolor="black")
            if level > 0 and inside:
                for a in range(kernel):
                    ax.plot([offset + u, offset - (kernel - 1) / 2 + u + a], [level, level - 1],
                            color=CONE_COLOUR, linewidth=1.8, linestyle="-", zorder=2)
        label = "input" if level == 0 else f"layer {level}"
        ax.text(-1.2, level, label, ha="right", va="center", fontsize=13)
        if level > 0:
            field = receptive_field([(kernel, 1)] * level)
            ax.text(width + 0.2, level, f"sees {field} inputs", ha="left", va="center", fontsize=13)
    ax.set_xlim(-4.5, width + 4.5)
    ax.set_ylim(-0.6, layers + 0.6)
    ax.axis("off")
    ax.set_title(f"{layers} stacked {kernel}-wide convolutions (stride 1)", fontsize=14)


def receptive_field_figure(depth=6):
    """Left: the cone of inputs behind one unit of a stack of 3-wide convolutions. Right: the
    receptive field against depth for 3x3 convolutions and for LeNet's conv 5x5 / pool 2x2 stack,
    computed by :func:`cnnlib.receptive_field`."""
    fig = _new_figure(14, 4.8)
    ax_cone, ax_growth = fig.subplots(1, 2, width_ratios=[1.1, 1])
    _cone_diagram(ax_cone)
    depths = np.arange(1, depth + 1)
    plain = [receptive_field([(3, 1)] * d) for d in depths]
    ax_growth.plot(depths, plain, "o-", label="3x3 conv, stride 1: 3, 5, 7, ...")
    lenet_layers = [(5, 1), (2, 2), (5, 1), (2, 2)]
    lenet_names = ["C1 conv 5", "S2 pool 2", "C3 conv 5", "S4 pool 2"]
    lenet = [receptive_field(lenet_layers[:d]) for d in range(1, 5)]
    ax_growth.plot(range(1, 5), lenet, "s-", label="LeNet: conv 5x5, pool 2x2, conv 5x5, pool 2x2")
    for d, (name, field) in enumerate(zip(lenet_names, lenet), start=1):
        ax_growth.annotate(f"{name}: {field}", (d, field), xytext=(8, -4), textcoords="offset points",
                           fontsize=12, va="top")
    ax_growth.set_xlabel("depth (number of layers)")
    ax_growth.set_ylabel("receptive field (pixels per side)")
    ax_growth.set_title("Receptive fields grow with depth", fontsize=14)
    ax_growth.legend(loc="lower right", fontsize=11)
    ax_growth.set_xlim(0.6, depth + 0.4)
    ax_growth.set_xticks(depths)
    ax_growth.grid(True, alpha=0.3)
    return fig


def _glyphs(ax, histogram, cell_h, cell_w):
    """Each cell's histogram as line segments through its centre, one per bin, drawn along the edge
    direction (perpendicular to the gradient) with a length proportional to the bin's vote."""
    cells_r, cells_c, bins = histogram.shape
    largest = histogram.max() if histogram.max() > 0 else 1.0
    for r in range(cells_r):
        for c in range(cells_c):
            cy, cx = (r + 0.5) * cell_h - 0.5, (c + 0.5) * cell_w - 0.5
            for b in range(bins):
                edge_angle = np.radians((b + 0.5) * 180.0 / bins + 90.0)
                half = 0.5 * min(cell_h, cell_w) * histogram[r, c, b] / largest
                dx, dy = half * np.cos(edge_angle), half * np.sin(edge_angle)
                ax.plot([cx - dx, cx + dx], [cy - dy, cy + dy], color="white", linewidth=2.5, linestyle="-",
                        solid_capstyle="round")


def gradient_histogram_figure(image, gx, gy, histogram):
    """A grey image, its Sobel gradients gx and gy, their magnitude, and the HOG-style histograms.

    ``gx``, ``gy`` and ``histogram`` (cells_r x cells_c x bins) come from :mod:`cnnlib.features`.
    """
    image = np.asarray(image, dtype=float)
    cells_r, cells_c, _ = histogram.shape
    cell_h, cell_w = image.shape[0] / cells_r, image.shape[1] / cells_c
    fig = _new_figure(16, 4.9)
    axes = fig.subplots(1, 5)
    axes[0].imshow(image, cmap=IMAGE_CMAP)
    axes[0].set_title("image")
    limit = max(np.abs(gx).max(), np.abs(gy).max(), 1e-12)
    axes[1].imshow(gx, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
    axes[1].set_title("gx (Sobel x)")
    shown = axes[2].imshow(gy, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
    axes[2].set_title("gy (Sobel y)")
    fig.colorbar(shown, ax=axes[1:3], label="gradient", shrink=0.8, location="bottom")
    axes[3].imshow(np.hypot(gx, gy), cmap=IMAGE_CMAP)
    axes[3].set_title("edge strength")
    axes[4].imshow(np.zeros_like(image), cmap=IMAGE_CMAP, vmin=0, vmax=1)
    _glyphs(axes[4], histogram, cell_h, cell_w)
    for k in range(1, cells_r):
        axes[4].axhline(k * cell_h - 0.5, color="0.35", linewidth=0.8)
    for k in range(1, cells_c):
        axes[4].axvline(k * cell_w - 0.5, color="0.35", linewidth=0.8)
    axes[4].set_title(f"{cells_r}x{cells_c} cell histograms")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


__all__ = ["UNUSED_COLOUR", "CONE_COLOUR", "weight_colours",
           "neuron_windows_figure", "sparse_vs_dense_figure", "conv_matrix_figure",
           "parameter_count_figure", "receptive_field_figure", "gradient_histogram_figure"]
