"""Static figures for notebook 09: mini-batch noise, optimiser paths on a 2D loss surface, and a
learning-rate schedule. The optimiser explorer (``cnnlib.widgets.optimisers``) draws its surface
with :func:`draw_surface` and its paths in :data:`OPTIMISER_STYLE`, so figure and widget agree.

These functions only draw: every number comes from ``cnnlib.optim`` or the notebook.
"""
import matplotlib
import matplotlib.ticker
import matplotlib.pyplot as plt
import numpy as np

from . import BLUE, ORANGE, VALUE_CMAP, VERMILLION, YELLOW

OPTIMISER_NAMES = {"gd": "gradient descent", "momentum": "momentum", "adam": "Adam"}
# One look per optimiser everywhere (colour, line style and marker, so grey-scale prints still tell them apart).
OPTIMISER_STYLE = {
    "gd": dict(color=VERMILLION, linestyle="-", marker="o", linewidth=5.0),     # widest: it hides under the others
    "momentum": dict(color=ORANGE, linestyle="--", marker="s", linewidth=2.5),
    "adam": dict(color="white", linestyle="-.", marker="^", linewidth=2.5),     # black where white would not show
}
LEGEND_FACE = "0.8"    # grey, so Adam's white line shows in the legend
LOSS_FLOOR = 1e-6     # losses are drawn on a log scale; an exact 0 is drawn here


def draw_surface(ax, surface, *, levels=24):
    """Filled contours of ``surface.loss`` over its window, its critical points marked and named."""
    xs, ys = np.linspace(*surface.xlim, 201), np.linspace(*surface.ylim, 161)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = surface.loss(grid_x, grid_y)
    # Square-root spacing puts more contour lines near the bottom, where the paths end.
    steps = np.linspace(0, np.sqrt(values.max()), levels) ** 2
    filled = ax.contourf(grid_x, grid_y, values, levels=steps, cmap=VALUE_CMAP, alpha=0.85)
    ax.contour(grid_x, grid_y, values, levels=steps, colors="black", linewidths=0.4, alpha=0.4)
    for name, (x, y) in surface.points.items():
        marker = "X" if name == "saddle" else "*"
        ax.plot(x, y, marker, markersize=14, color=YELLOW, markeredgecolor="black", zorder=5)
        if name != "other minimum":
            ax.annotate(name, (x, y), xytext=(8, 6), textcoords="offset points", fontsize=12,
                        bbox=dict(boxstyle="round,pad=0.2", facecolor="white", alpha=0.8))
    ax.set(xlim=surface.xlim, ylim=surface.ylim, xlabel="x", ylabel="y", title=surface.formula)
    return filled


def draw_path(ax, path, optimiser, *, label=None, faint=False):
    """One optimiser's path (k + 1 points) in its style; the start is a square, the end a big dot."""
    style = OPTIMISER_STYLE[optimiser]
    alpha = 0.45 if faint else 1.0
    line, = ax.plot(path[:, 0], path[:, 1], color=style["color"], linestyle=style["linestyle"],
                    marker=style["marker"], markersize=4, linewidth=style["linewidth"], alpha=alpha, label=label,
                    markeredgecolor="black", markeredgewidth=0.5)
    ax.plot(path[0, 0], path[0, 1], "s", markersize=10, color=style["color"], markeredgecolor="black", alpha=alpha)
    ax.plot(path[-1, 0], path[-1, 1], "o", markersize=11, color=style["color"], markeredgecolor="black", alpha=alpha)
    return line


def trajectories_figure(surface, trajectories, *, title=None):
    """Left: the surface's contours with each optimiser's path. Right: loss against step (log scale).

    ``trajectories``: a list of (optimiser, label, Trajectory) with optimiser in "gd", "momentum", "adam".
    """
    fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=(14, 5.4), gridspec_kw={"width_ratios": [1.25, 1]})
    filled = draw_surface(ax_map, surface)
    fig.colorbar(filled, ax=ax_map, label="loss", shrink=0.85, ticks=matplotlib.ticker.MaxNLocator(6))
    for optimiser, label, trajectory in trajectories:
        draw_path(ax_map, trajectory.path, optimiser, label=label)
        style = OPTIMISER_STYLE[optimiser]
        color = "black" if style["color"] == "white" else style["color"]
        ax_loss.semilogy(np.maximum(trajectory.losses, LOSS_FLOOR), color=color, linestyle=style["linestyle"],
                         linewidth=2.5, label=label)
    ax_map.legend(loc="lower left", framealpha=0.9, fontsize=11, facecolor=LEGEND_FACE)
    for name, (x, y) in surface.points.items():
        if name == "saddle":
            height = float(surface.loss(x, y))
            ax_loss.axhline(height, color="0.4", linestyle=":", linewidth=2)
            ax_loss.annotate(f"height of the saddle ({height:g})", (0, height), xytext=(4, 5),
                             textcoords="offset points", color="0.3", fontsize=11)
    ax_loss.set(xlabel="step", ylabel="loss (log scale)", title="loss along the way")
    ax_loss.grid(alpha=0.3, which="both")
    ax_loss.legend(loc="lower left", fontsize=11)
    if title:
        fig.suptitle(title)
    return fig


def _readable_log_axis(ax):
    """Log-scale y ticks at powers of 2 written as plain numbers (0.25, 0.5, 1, 2, ...), not 2^-2."""
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(base=2))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def minibatch_figure(batch_sizes, spreads, predicted, curves):
    """Left: how far a mini-batch gradient lands from the full-batch one (RMS), against batch size,
    measured and predicted, on log-log axes. Right: training loss against the number of examples
    whose gradient was computed, one line per batch size (``curves``: label -> (examples, losses))."""
    fig, (ax_noise, ax_loss) = plt.subplots(1, 2, figsize=(14, 5))
    batch_sizes = np.asarray(batch_sizes)
    keep = np.asarray(predicted) > 0             # the full batch has no spread: nothing to draw on a log axis
    ax_noise.loglog(batch_sizes[keep], np.asarray(predicted)[keep], color="0.4", linewidth=2, linestyle="--",
                    label="predicted: sigma / sqrt(B) x sqrt((n - B) / (n - 1))")
    ax_noise.loglog(batch_sizes[keep], np.asarray(spreads)[keep], "o", markersize=10, color=BLUE,
                    label="measured (2000 random batches each)")
    ax_noise.set(xlabel="batch size B (examples per step)", ylabel="RMS distance from the full gradient",
                 title="noise of the gradient estimate")
    ax_noise.grid(alpha=0.3, which="both")
    ax_noise.legend(loc="lower left", fontsize=11)
    colors = [VERMILLION, ORANGE, BLUE, "0.3"]
    linestyles = ["-", "--", ":", "-."]          # and a dash of its own: colour is never the only clue
    for k, (label, (examples, losses)) in enumerate(curves.items()):
        noisy = len(losses) > 500                # a long, jumpy curve: thin and light, so the others show
        ax_loss.semilogy(examples, losses, color=colors[k % 4], linewidth=0.7 if noisy else 2.5,
                         linestyle="-" if noisy else linestyles[k % 4],
                         alpha=0.6 if noisy else 1.0, marker="o" if len(losses) < 30 else None, label=label,
                         zorder=1 if noisy else 2)
    _readable_log_axis(ax_loss)
    ax_loss.set(xlabel="examples processed (gradients computed)", ylabel="training loss (log scale)",
                title="the same amount of work, different batch sizes")
    ax_loss.grid(alpha=0.3, which="both")
    ax_loss.legend(loc="upper right", fontsize=11)
    return fig


def schedule_figure(epochs, schedules, curves, steps_per_epoch):
    """Left: the learning rate in each epoch, one line per schedule (``schedules``: label -> lrs).
    Right: the training loss after every step, thin (``curves``: label -> losses, same labels), and
    its mean over each epoch, thick with dots."""
    fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(14, 4.8))
    colors = [VERMILLION, BLUE]
    linestyles, markers = ["-", "--"], ["o", "s"]     # told apart by dash and marker as well as colour
    epochs = np.asarray(epochs)
    for k, (label, lrs) in enumerate(schedules.items()):
        lrs = np.asarray(lrs)
        # The last epoch lasts one epoch too: repeat its rate at the end so the step has a width.
        ax_lr.step(np.append(epochs, epochs[-1] + 1), np.append(lrs, lrs[-1]), where="post",
                   color=colors[k % 2], linewidth=2.5, linestyle=linestyles[k % 2], label=label)
        ax_lr.plot(epochs, lrs, markers[k % 2], color=colors[k % 2])
    ax_lr.set(yscale="log", xlabel="epoch", ylabel="learning rate (log scale)", title="the schedule")
    ax_lr.grid(alpha=0.3, which="both")
    ax_lr.legend(loc="lower left", fontsize=11)
    for k, (label, losses) in enumerate(curves.items()):
        losses = np.asarray(losses)
        ax_loss.semilogy(np.arange(1, len(losses) + 1) / steps_per_epoch, losses, color=colors[k % 2],
                         linewidth=0.6, alpha=0.45, linestyle="-")
        means = losses[:len(losses) // steps_per_epoch * steps_per_epoch].reshape(-1, steps_per_epoch).mean(axis=1)
        ax_loss.semilogy(np.arange(len(means)) + 0.5, means, markers[k % 2], linestyle=linestyles[k % 2],
                         color=colors[k % 2], linewidth=3,
                         markersize=8, markeredgecolor="black", label=f"{label}: mean of each epoch")
    _readable_log_axis(ax_loss)
    ax_loss.set(xlabel="epoch", ylabel="training loss (log scale)", title="its effect: the noise floor sinks")
    ax_loss.grid(alpha=0.3, which="both")
    ax_loss.legend(loc="upper right", fontsize=11)
    return fig


__all__ = ["OPTIMISER_NAMES", "OPTIMISER_STYLE", "LEGEND_FACE", "LOSS_FLOOR", "draw_surface",
           "draw_path", "trajectories_figure", "minibatch_figure", "schedule_figure"]
