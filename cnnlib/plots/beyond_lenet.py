"""Static figures for notebook 12: training with and without batch norm, how the networks after
LeNet-5 grew, and gradient sizes through deep plain and residual stacks.

The numbers come from cnnlib: ``fit``'s :class:`~cnnlib.train.History`, the tables of
:mod:`cnnlib.architectures`, and gradients computed by the notebook with the layers' backward passes.
"""
import matplotlib.pyplot as plt
import numpy as np

from . import BLUE, ORANGE, projector

COLORS = ("0.45", BLUE)                 # the baseline grey, the improved model blue
LINESTYLES = ("--", "-")                # and dashed against solid, so colour is never the only difference


def _smooth(values, window):
    """Running mean over the last ``window`` values (shorter at the start), to read a noisy curve."""
    values = np.asarray(values, dtype=float)
    sums = np.cumsum(values)
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    shifted = np.concatenate([np.zeros(window), sums])[:len(values)]
    return (sums - shifted) / counts


@projector
def training_comparison_figure(histories, test_accuracy=None, *, window=10):
    """Batch loss and batch accuracy against the step, one line per model, side by side.

    ``histories``: name -> History (a run that diverged gives its history up to then);
    ``test_accuracy``: name -> accuracy, shown in the legend. Faint lines are single batches,
    bold ones running means over ``window`` batches.
    """
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(14, 4.6))
    for (name, history), color, style in zip(histories.items(), COLORS * len(histories),
                                             LINESTYLES * len(histories)):
        steps = np.arange(1, len(history.batch_loss) + 1)
        label = name if test_accuracy is None else f"{name}: test accuracy {test_accuracy[name]:.0%}"
        ax_loss.plot(steps, history.batch_loss, color=color, alpha=0.25, linewidth=1, linestyle="-")
        ax_loss.plot(steps, _smooth(history.batch_loss, window), color=color, linewidth=2.5, label=label,
                     linestyle=style)
        ax_acc.plot(steps, history.batch_accuracy, color=color, alpha=0.25, linewidth=1, linestyle="-")
        ax_acc.plot(steps, _smooth(history.batch_accuracy, window), color=color, linewidth=2.5, label=label,
                    linestyle=style)
    ax_loss.axhline(np.log(10), color=ORANGE, linestyle=":", linewidth=2, label="guessing: ln 10")
    ax_loss.set(xlabel="step (batch of 64)", ylabel="cross-entropy loss", title="training loss per batch")
    ax_acc.axhline(0.1, color=ORANGE, linestyle=":", linewidth=2, label="guessing: 10%")
    ax_acc.set(xlabel="step (batch of 64)", ylabel="accuracy", ylim=(0, 1), title="training accuracy per batch")
    ax_loss.legend(loc="upper right")
    ax_acc.legend(loc="center right")
    return fig


@projector
def growth_figure(tables, years):
    """Depth, parameters and multiply-adds per image of each network, as bars on log scales.

    ``tables``: name -> :class:`cnnlib.architectures.ArchitectureTable`; ``years``: name -> year.
    """
    names = list(tables)
    labels = [f"{name}\n({years[name]})" for name in names]
    figures = (("layers with weights", [tables[n].depth for n in names], "{:,}"),
               ("parameters", [tables[n].total_params for n in names], None),
               ("multiply-adds per image", [tables[n].total_macs for n in names], None))
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    for ax, (title, values, fmt) in zip(axes, figures):
        bars = ax.bar(labels, values, color=["0.6"] + [BLUE] * (len(values) - 1))    # each bar is labelled
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_ylim(min(values) / 2, max(values) * 8)
        for bar, value in zip(bars, values):
            text = fmt.format(value) if fmt else _short(value)
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, value), ha="center", va="bottom",
                        xytext=(0, 3), textcoords="offset points", fontsize=12)
        ax.tick_params(axis="x", labelsize=11)
    fig.suptitle("From LeNet-5 to ResNet-18 (log scales; AlexNet, VGG-16 and ResNet-18 on 224 x 224 images)")
    return fig


def _short(value):
    for size, suffix in ((1e9, " billion"), (1e6, " million"), (1e3, " thousand")):
        if value >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:,}"


@projector
def gradient_norms_figure(blocks, plain, residual, output_norm):
    """How much a stack of blocks amplifies the gradient on its way down, against the number of
    blocks (log scales): the size of dL/dx at the input divided by the size fed in at the top.

    ``plain`` and ``residual``: the norms at the input for each entry of ``blocks``; ``output_norm``:
    the norm of the gradient fed in at the top, the same for every stack.
    """
    fig, ax = plt.subplots(figsize=(9, 5))
    ax.plot(blocks, np.asarray(plain) / output_norm, "o-", color=COLORS[0], linewidth=2.5,
            label="plain: conv-BN-ReLU-conv-BN-ReLU")
    ax.plot(blocks, np.asarray(residual) / output_norm, "s-", color=COLORS[1], linewidth=2.5,
            label="residual: ReLU(F(x) + x)")
    ax.axhline(1, color=ORANGE, linestyle=":", linewidth=2, label="unchanged")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(blocks, [str(b) for b in blocks])
    ax.set(xlabel="blocks in the stack (2 convolutions each)", ylabel="gradient size: input / top",
           title="Gradient reaching the input of a deep stack, at initialisation")
    ax.legend(loc="upper left")
    return fig
