"""Static figures for notebook 08 (backpropagation).

The figures only call cnnlib's forward and backward passes and draw; which input cells an
output's window reads is :func:`cnnlib.shapes.window_cells`.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

from .._checks import as_float_array, check_ndim
from ..activations import relu, relu_grad
from ..conv import conv2d, conv2d_backward
from ..pooling import max_pool2d
from ..shapes import window_cells
from . import BLUE, HIGHLIGHT_COLOUR, SIGNED_CMAP, VALUE_CMAP, VERMILLION, number_grid, tint

GRAD_COLOUR = VERMILLION             # backward values: red (bold, below each arrow), forward values: black
TOUCHED_COLOUR = HIGHLIGHT_COLOUR    # the cells an output's window reads (orange)
# A 6 x 6 map of small whole numbers (the gradient-flow figure and explorer), so every gradient
# on screen is a number you can check by hand.
FLOW_EXAMPLE = np.array([[3, 1, 4, 1, 5, 9],
                         [2, 6, 5, 3, 5, 8],
                         [9, 7, 9, 3, 2, 3],
                         [8, 4, 6, 2, 6, 4],
                         [3, 3, 8, 3, 2, 7],
                         [9, 5, 0, 2, 8, 8]], dtype=float)


def _arrow(ax, start, end, colour="black"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=18, linewidth=1.8,
                                 color=colour, shrinkA=22, shrinkB=22))


def chain_rule_figure(x=(3.0, 1.0), w=(0.5, -1.0), b=1.0, target=0.5):
    """The computational graph of one neuron, z = w1 x1 + w2 x2 + b, a = ReLU(z), L = (a - t)^2 / 2,
    with each edge's forward value (black, above) and the gradient dL/d(that value) (red, below).

    The backward values come from the three local rules: a sum copies the gradient to each input,
    a product sends each input the gradient times the *other* input, ReLU passes it where z > 0.
    """
    (x1, x2), (w1, w2) = (float(v) for v in x), (float(v) for v in w)
    p1, p2 = w1 * x1, w2 * x2
    z = p1 + p2 + b
    a = float(relu(z))
    loss = 0.5 * (a - target) ** 2
    g_a = a - target
    g_z = g_a * float(relu_grad(z))
    nodes = {"x1": (0, 4.6), "w1": (0, 3.2), "x2": (0, 1.8), "w2": (0, 0.4), "b": (3.0, -0.9),
             "*1": (3.0, 3.9), "*2": (3.0, 1.1), "+": (5.6, 1.8), "relu": (7.8, 1.8), "L": (10.2, 1.8)}
    labels = {"x1": "$x_1$", "w1": "$w_1$", "x2": "$x_2$", "w2": "$w_2$", "b": "$b$", "*1": r"$\times$",
              "*2": r"$\times$", "+": "$+$", "relu": "ReLU", "L": r"$\frac{1}{2}(a-t)^2$"}
    edges = [("x1", "*1", x1, g_z * w1), ("w1", "*1", w1, g_z * x1), ("x2", "*2", x2, g_z * w2),
             ("w2", "*2", w2, g_z * x2), ("b", "+", b, g_z), ("*1", "+", p1, g_z), ("*2", "+", p2, g_z),
             ("+", "relu", z, g_z), ("relu", "L", a, g_a)]
    fig, ax = plt.subplots(figsize=(12, 5.6))
    for name, (cx, cy) in nodes.items():
        leaf = name in ("x1", "w1", "x2", "w2", "b")
        radius = 0.45 if name != "L" else 0.8
        ax.add_patch(Circle((cx, cy), radius, facecolor="#f3f3f3" if leaf else tint(BLUE, 0.15),
                            edgecolor="black", linewidth=1.5))
        ax.text(cx, cy, labels[name], ha="center", va="center", fontsize=15 if name != "L" else 12)
    for start, end, forward, backward in edges:
        (x0, y0), (x1_, y1) = nodes[start], nodes[end]
        _arrow(ax, (x0, y0), (x1_, y1))
        # Leaves' edges converge on their product node: label them near the leaf, apart.
        t = 0.22 if start in ("x1", "w1", "x2", "w2", "b") else 0.5
        mx, my = x0 + t * (x1_ - x0), y0 + t * (y1 - y0)
        ax.text(mx, my + 0.22, f"{forward:g}", ha="center", va="bottom", fontsize=14)
        ax.text(mx, my - 0.22, f"{backward:g}", ha="center", va="top", fontsize=14, color=GRAD_COLOUR,
                fontweight="bold")
    ax.text(nodes["L"][0], nodes["L"][1] - 1.1, f"L = {loss:g}\n(t = {target:g})", ha="center", va="top", fontsize=14)
    ax.set_xlim(-0.8, 11.2)
    ax.set_ylim(-1.6, 5.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("forward values (black, above each arrow) and gradients dL/d(value) (red, below)")
    return fig


def pool_backward_figure(x, grad_out, size=2, stride=None, mode="max", backward=None):
    """Three number grids: the input with its pooling windows, the incoming gradient, and the
    gradient the pooling layer passes back to its input.

    ``backward``: the function computing grad_x, called as backward(grad_out, x, size, stride)
    (default: cnnlib's max_pool2d_backward or avg_pool2d_backward for ``mode``).
    For max pooling each window's winner is circled: it alone receives that window's gradient.
    """
    from .. import pooling
    x = as_float_array(x, "x")
    check_ndim(x, "x", (2,), "an H x W map")
    stride = size if stride is None else stride
    if backward is None:
        backward = pooling.max_pool2d_backward if mode == "max" else pooling.avg_pool2d_backward
    grad_out = as_float_array(grad_out, "grad_out")
    grad_x = backward(grad_out, x, size, stride)
    out_h, out_w = grad_out.shape
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.6), gridspec_kw=dict(width_ratios=[x.shape[1], out_w + 1, x.shape[1]]))
    number_grid(axes[0], x, cmap=VALUE_CMAP, title=f"input x ({mode} pool {size}x{size}, stride {stride})")
    limit = max(np.abs(grad_out).max(), np.abs(grad_x).max(), 1e-12)
    number_grid(axes[1], grad_out, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit, title="dL/d(out)")
    number_grid(axes[2], grad_x, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit, title="dL/dx",
                fmt="{:.3g}")
    styles = ["-", "--", ":", "-."]
    for i in range(out_h):
        for j in range(out_w):
            r0, c0 = i * stride, j * stride
            dash = styles[(i * out_w + j) % len(styles)]
            for ax in (axes[0], axes[2]):
                ax.add_patch(Rectangle((c0 - 0.45, r0 - 0.45), size - 0.1, size - 0.1, fill=False,
                                       edgecolor=TOUCHED_COLOUR, linestyle=dash, linewidth=3))
            if mode == "max":
                window = x[r0:r0 + size, c0:c0 + size]
                a, b = np.unravel_index(np.argmax(window), window.shape)   # first maximum, row-major
                axes[0].add_patch(Circle((c0 + b, r0 + a), 0.4, fill=False, edgecolor="black", linewidth=2.5))
    return fig


def conv_backward_figure(x, w, grad_out):
    """Six number grids for a single-channel convolution (stride 1, no padding):
    forward x, w, out = x * w (top), backward dL/d(out), dL/dw, dL/dx (bottom), all from cnnlib."""
    x, w, grad_out = (as_float_array(v, name) for v, name in ((x, "x"), (w, "w"), (grad_out, "grad_out")))
    out = conv2d(x, w)
    grad_x, grad_w, grad_b = conv2d_backward(grad_out, x, w)
    fig, axes = plt.subplots(2, 3, figsize=(12, 8.4))
    panels = [(x, "input x", VALUE_CMAP), (w, "kernel w", SIGNED_CMAP), (out, "out = x cross-correlated with w", VALUE_CMAP),
              (grad_out, "dL/d(out), from above", SIGNED_CMAP), (grad_w, "dL/dw = x cross-corr. dL/d(out)", SIGNED_CMAP),
              (grad_x, "dL/dx = full conv. of dL/d(out) with w", SIGNED_CMAP)]
    for ax, (values, title, cmap) in zip(axes.ravel(), panels):
        limit = max(np.abs(values).max(), 1e-12)
        signed = cmap == SIGNED_CMAP
        number_grid(ax, values, cmap=cmap, vmin=-limit if signed else None, vmax=limit if signed else None,
                    fontsize=18)
        ax.set_title(title, fontsize=13)
    fig.suptitle(f"forward (top) and backward (bottom); dL/db = sum of dL/d(out) = {grad_b[0]:g}")
    return fig


def gradient_flow_figure(x, w, cell, *, stride=1, padding=0, pool_size=2, pool_stride=2):
    """What one output cell touches, for a convolution (top row) and a max pooling (bottom row).

    The loss is taken to be that output alone (dL/d(out) is 1 there and 0 elsewhere). Each row
    shows the input with the window outlined and the gradient dL/dx written in the cells it
    reaches (the input values small in each cell's corner), then (for the convolution) dL/dw,
    which equals the window of input values, then the output grid with the chosen cell.
    ``cell``: (row, col) of the output, used for both layers.
    """
    x, w = as_float_array(x, "x"), as_float_array(w, "w")
    out = conv2d(x, w, stride=stride, padding=padding)
    pooled = max_pool2d(x, pool_size, pool_stride)
    from .. import pooling
    fig, axes = plt.subplots(2, 3, figsize=(13, 9.5), gridspec_kw=dict(width_ratios=[x.shape[1], max(w.shape[1], 3), x.shape[1]]))
    row, col = cell
    seed = np.zeros(out.shape)
    seed[row, col] = 1.0
    grad_x, grad_w, _ = conv2d_backward(seed, x, w, stride=stride, padding=padding)
    taps = window_cells(row, col, x.shape, w.shape, stride, padding)
    _flow_row(axes[0], x, grad_x, taps, out, (row, col), f"conv {w.shape[0]}x{w.shape[1]}, stride {stride}, padding {padding}")
    number_grid(axes[0, 1], grad_w, cmap=SIGNED_CMAP, vmin=-np.abs(grad_w).max() - 1e-12,
                vmax=np.abs(grad_w).max() + 1e-12, title="dL/dw = the window's inputs")
    seed = np.zeros(pooled.shape)
    pr, pc = min(row, pooled.shape[0] - 1), min(col, pooled.shape[1] - 1)
    seed[pr, pc] = 1.0
    grad_px = pooling.max_pool2d_backward(seed, x, pool_size, pool_stride)
    taps = window_cells(pr, pc, x.shape, pool_size, pool_stride, 0)
    _flow_row(axes[1], x, grad_px, taps, pooled, (pr, pc), f"max pool {pool_size}x{pool_size}, stride {pool_stride}")
    axes[1, 1].axis("off")
    axes[1, 1].text(0.5, 0.5, "no weights:\npooling has\nnothing to learn", ha="center", va="center", fontsize=14,
                    transform=axes[1, 1].transAxes)
    return fig


def _flow_row(axes, x, grad_x, taps, out, cell, title):
    height, width = x.shape
    ax_in, _, ax_out = axes
    limit = max(np.abs(grad_x).max(), 1e-12)
    number_grid(ax_in, grad_x, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit, fmt="{:g}",
                title=f"{title}: dL/dx", fontsize=14)
    for (r, c), value in np.ndenumerate(x):       # the input values, small, in each cell's corner
        ax_in.text(c + 0.44, r - 0.42, f"{value:g}", ha="right", va="top", fontsize=10,
                   color="#333333", bbox=dict(facecolor="white", edgecolor="none", pad=0.6, alpha=0.85))
    for r, c, _, _ in taps:
        if 0 <= r < height and 0 <= c < width:
            ax_in.add_patch(Rectangle((c - 0.47, r - 0.47), 0.94, 0.94, fill=False, edgecolor=TOUCHED_COLOUR,
                                      linewidth=3))
    number_grid(ax_out, out, cmap=VALUE_CMAP, fmt="{:.3g}", title="output: the chosen cell",
                highlight=(cell[0], cell[1], 1, 1), fontsize=13)


def kernel_learning_figure(losses, snapshots, true_kernel):
    """Left: the loss against the step (log scale). Right: the kernel at a few steps and the true one.

    ``losses``: one number per step; ``snapshots``: {step: kernel} (up to 3 shown); ``true_kernel``.
    """
    losses = np.asarray(losses, dtype=float)
    shown = list(snapshots.items())[:3]
    fig = plt.figure(figsize=(14, 4.4))
    grid = fig.add_gridspec(1, 2 + len(shown), width_ratios=[2.2] + [1] * (len(shown) + 1))
    ax_loss = fig.add_subplot(grid[0, 0])
    ax_loss.semilogy(np.arange(len(losses)), losses, linewidth=2.5)
    ax_loss.set_xlabel("gradient-descent step")
    ax_loss.set_ylabel("loss (log scale)")
    ax_loss.set_title("loss")
    ax_loss.grid(True, which="major", alpha=0.3)
    true_kernel = as_float_array(true_kernel, "true_kernel")
    limit = np.abs(true_kernel).max()
    for k, (step, kernel) in enumerate(shown + [("true", true_kernel)]):
        ax = fig.add_subplot(grid[0, 1 + k])
        number_grid(ax, np.round(kernel, 2) + 0.0, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit, fmt="{:.2f}", fontsize=12)
        ax.set_title("true kernel" if step == "true" else f"step {step}")
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


__all__ = ["GRAD_COLOUR", "TOUCHED_COLOUR", "FLOW_EXAMPLE", "chain_rule_figure", "pool_backward_figure", "conv_backward_figure",
           "gradient_flow_figure", "kernel_learning_figure"]
