"""Static figures for notebook 07: entropy, cross-entropy, softmax, loss gradients, descent paths."""
import matplotlib.pyplot as plt
import numpy as np

from ..activations import sigmoid, sigmoid_grad
from ..losses import cross_entropy, entropy, kl_divergence, softmax
from . import BLUE, GREEN, ORANGE, PURPLE, SIGNED_CMAP, VALUE_CMAP, YELLOW

# Solid blue against hatched orange: told apart by the hatch as well as by the colour.
TRUE_STYLE = dict(color=BLUE, edgecolor="black")
PREDICTED_STYLE = dict(color=ORANGE, edgecolor="black", hatch="//")


def entropy_figure(loaded_die=(0.5, 0.1, 0.1, 0.1, 0.1, 0.1)):
    """Left: a coin's entropy H(p) in bits against p. Right: a fair and a loaded die with their entropies."""
    loaded_die = np.asarray(loaded_die, dtype=float)
    fair_die = np.full(6, 1 / 6)
    p = np.linspace(0, 1, 501)
    coin = entropy(np.stack([p, 1 - p], axis=-1))
    fig, (ax_coin, ax_die) = plt.subplots(1, 2, figsize=(13, 4.6))
    ax_coin.plot(p, coin, linewidth=3, color=BLUE, linestyle="-")
    ax_coin.plot([0.5], [1.0], "o", markersize=10, color=ORANGE, markeredgecolor="black")
    ax_coin.annotate("fair coin: 1 bit", (0.5, 1.0), xytext=(0, -45), textcoords="offset points", ha="center")
    ax_coin.set(title="a coin: H(p) = -p log2 p - (1-p) log2(1-p)", xlabel="p = P(heads)",
                ylabel="entropy (bits)", ylim=(0, 1.12))
    ax_coin.grid(alpha=0.3)
    faces = np.arange(1, 7)
    ax_die.bar(faces - 0.2, fair_die, 0.4, label=f"fair: H = {entropy(fair_die):.3f} bits", **TRUE_STYLE)
    ax_die.bar(faces + 0.2, loaded_die, 0.4, label=f"loaded: H = {entropy(loaded_die):.3f} bits", **PREDICTED_STYLE)
    ax_die.set(title="a die: more randomness, more entropy", xlabel="face", ylabel="probability",
               xticks=faces, ylim=(0, 0.65))
    ax_die.legend(loc="upper right")
    return fig


def distribution_bars(ax, p, q, labels, *, p_name="true P", q_name="predicted Q"):
    """Side-by-side bars of two distributions over the same classes, values written on top."""
    x = np.arange(len(labels))
    for offset, values, name, style in ((-0.2, p, p_name, TRUE_STYLE), (0.2, q, q_name, PREDICTED_STYLE)):
        bars = ax.bar(x + offset, values, 0.4, label=name, **style)
        for bar, v in zip(bars, values):
            ax.text(bar.get_x() + bar.get_width() / 2, v + 0.02, f"{v:.2f}", ha="center", fontsize=12)
    ax.set(xticks=x, xticklabels=labels, ylim=(0, 1.15), ylabel="probability")
    ax.legend(loc="upper right")


def cross_entropy_figure(p, q, labels):
    """Two panels: P against Q and Q against P, titled with H, cross-entropy and KL in bits (not symmetric)."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.6))
    for ax, (a, b, a_name, b_name) in zip(axes, ((p, q, "P", "Q"), (q, p, "Q", "P"))):
        distribution_bars(ax, a, b, labels, p_name=f"true {a_name}", q_name=f"predicted {b_name}")
        ax.set_title(f"H({a_name},{b_name}) = {cross_entropy(a, b):.3f}, H({a_name}) = {entropy(a):.3f},\n"
                     f"KL({a_name}||{b_name}) = {kl_divergence(a, b):.3f} bits")
    return fig


def softmax_temperature_figure(scores, temperatures=(0.5, 1.0, 5.0)):
    """One bar chart of softmax(scores / T) per temperature T, probabilities written on the bars."""
    scores = np.asarray(scores, dtype=float)
    fig, axes = plt.subplots(1, len(temperatures), figsize=(4.4 * len(temperatures), 4.2), sharey=True)
    x = np.arange(scores.size)
    for ax, t in zip(np.atleast_1d(axes), temperatures):
        probs = softmax(scores, temperature=t)
        bars = ax.bar(x, probs, 0.6, **TRUE_STYLE)
        for bar, v in zip(bars, probs):
            ax.text(bar.get_x() + bar.get_width() / 2, v + 0.02, f"{v:.3f}", ha="center", fontsize=12)
        ax.set(title=f"T = {t:g}", xticks=x, xticklabels=[f"z={s:g}" for s in scores], ylim=(0, 1.12))
    np.atleast_1d(axes)[0].set_ylabel("softmax probability")
    return fig


def saturation_figure(z_range=(-8, 8)):
    """For a true label y = 1 and prediction sigma(z): each loss (left) and |dL/dz| (right, log scale).

    Cross-entropy's gradient is sigma(z) - y; the squared error 1/2 (sigma(z) - y)^2 has gradient
    (sigma(z) - y) sigma'(z), which dies away where the sigmoid saturates on a wrong answer.
    """
    z = np.linspace(*z_range, 401)
    y_hat = sigmoid(z)
    ce = -np.log(y_hat)
    half_squared = 0.5 * (y_hat - 1) ** 2
    grad_ce = np.abs(y_hat - 1)
    grad_mse = np.abs((y_hat - 1) * sigmoid_grad(z))
    fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(13, 4.6))
    ax_loss.plot(z, ce, linewidth=3, label="cross-entropy  -log y_hat", color=BLUE, linestyle="-")
    ax_loss.plot(z, half_squared, linewidth=3, linestyle="--", label="squared error  (y_hat - 1)^2 / 2",
                 color=ORANGE)
    ax_loss.set(title="loss for true label y = 1", xlabel="score z (y_hat = sigmoid(z))", ylabel="loss")
    ax_grad.semilogy(z, grad_ce, linewidth=3, label="cross-entropy: |y_hat - y|", color=BLUE, linestyle="-")
    ax_grad.semilogy(z, grad_mse, linewidth=3, linestyle="--", label="squared error: |y_hat - y| sigmoid'(z)",
                     color=ORANGE)
    ax_grad.set(title="size of the gradient dL/dz", xlabel="score z (y_hat = sigmoid(z))",
                ylabel="|dL/dz| (log scale)", ylim=(1e-4, 3))
    ax_grad.axvspan(z_range[0], -3, color="grey", alpha=0.2)
    ax_grad.text(z_range[0] + 0.3, 2e-4, "confidently wrong", fontsize=12)
    for ax in (ax_loss, ax_grad):
        ax.grid(alpha=0.3, which="both")
        ax.legend(loc="upper right" if ax is ax_loss else "lower right")
    return fig


def contour_with_paths(ax, f, paths, labels, *, xlim, ylim, signed=False, levels=20):
    """Contours of f(x, y) on ax with gradient-descent paths drawn over them (start: square, end: star)."""
    xs, ys = np.linspace(*xlim, 241), np.linspace(*ylim, 241)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = f(grid_x, grid_y)
    if signed:
        limit = np.abs(values).max()
        filled = ax.contourf(grid_x, grid_y, values, levels=levels, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
    else:
        filled = ax.contourf(grid_x, grid_y, values, levels=levels, cmap=VALUE_CMAP)
    ax.contour(grid_x, grid_y, values, levels=levels, colors="black", linewidths=0.4, alpha=0.5)
    markers = ["o", "s", "^", "D"]
    linestyles = ["-", "--", ":", "-."]      # paths differ in marker and dash as well as in colour
    # Light paths on cividis's dark valley floor, dark ones on the pale centre of the diverging map.
    if signed:
        colors = ["black", PURPLE, ORANGE, GREEN]
    else:
        colors = ["white", ORANGE, PURPLE, GREEN]
    widths = [4.5, 2.0, 2.0, 2.0]     # the first path is drawn thickest, so a later one on top of it stays visible
    for k, (path, label) in enumerate(zip(paths, labels)):
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], marker=markers[k % 4], markersize=5, linewidth=widths[k % 4],
                linestyle=linestyles[k % 4], color=colors[k % 4], label=label)
        ax.plot(path[0, 0], path[0, 1], "s", markersize=11, color=colors[k % 4], markeredgecolor="black")
        ax.plot(path[-1, 0], path[-1, 1], "*", markersize=18, color=colors[k % 4], markeredgecolor="black")
    ax.set(xlim=xlim, ylim=ylim, xlabel="w1", ylabel="w2")
    ax.legend(loc="upper right", framealpha=0.9)
    return filled


def saddle_figure(paths, labels, lim=1.5):
    """f(x, y) = x^2 - y^2: its surface (left) and its contours with descent paths (right)."""
    fig = plt.figure(figsize=(14, 5.6))
    ax3d = fig.add_subplot(1, 2, 1, projection="3d")
    xs = np.linspace(-lim, lim, 61)
    grid_x, grid_y = np.meshgrid(xs, xs)
    ax3d.plot_surface(grid_x, grid_y, grid_x ** 2 - grid_y ** 2, cmap=SIGNED_CMAP, alpha=0.85, linewidth=0)
    ax3d.plot(xs, 0 * xs, xs ** 2, color="black", linewidth=3)
    ax3d.plot(0 * xs, xs, -xs ** 2, color="black", linewidth=3, linestyle="--")
    ax3d.scatter([0], [0], [0], color=YELLOW, s=80, edgecolor="black", depthshade=False)
    ax3d.set(title="f = x^2 - y^2: a saddle at (0, 0)", xlabel="x", ylabel="y", zlabel="f")
    ax3d.view_init(elev=25, azim=-60)
    ax = fig.add_subplot(1, 2, 2)
    filled = contour_with_paths(ax, lambda x, y: x ** 2 - y ** 2, paths, labels,
                                xlim=(-lim, lim), ylim=(-lim, lim), signed=True)
    ax.set(xlabel="x", ylabel="y", title="gradient descent near the saddle")
    fig.colorbar(filled, ax=ax, label="f(x, y)")
    return fig


__all__ = ["TRUE_STYLE", "PREDICTED_STYLE", "entropy_figure", "distribution_bars",
           "cross_entropy_figure", "softmax_temperature_figure", "saturation_figure",
           "contour_with_paths", "saddle_figure"]
