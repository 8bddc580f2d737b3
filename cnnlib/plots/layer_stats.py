"""Per-layer training statistics (notebook 10): what :class:`cnnlib.layer_stats.LayerStats` recorded.

One panel per statistic, one line per layer; the lines differ by dash pattern and marker as well
as colour, so they stay apart in grey-scale print and for colour-blind readers.
"""
import matplotlib.pyplot as plt
import numpy as np

from ..layer_stats import UPDATE_RATIO_RULE_OF_THUMB
from . import LINE_STYLES, MARKERS, PALETTE, projector

__all__ = ["layer_stats_figure", "layer_line_styles"]

PANELS = (("activation_mean", "activation mean", "linear"),
          ("activation_std", "activation std", "linear"),
          ("gradient_std", "gradient std (dL/dW)", "log"),
          ("update_ratio", "update / weight, ||ΔW|| / ||W||", "log"))


def layer_line_styles(names):
    """{layer name: matplotlib line keywords}: a colour, a dash pattern and a marker per layer.

    Inputs:   names  the layer names, e.g. ["conv1", "conv2", "fc1", "fc2", "fc3"]
    Returns:  a dict name -> dict(color=..., linestyle=..., marker=...), all different.

    >>> styles = layer_line_styles(["conv1", "fc1"])
    >>> styles["conv1"]["marker"], styles["fc1"]["marker"]
    ('o', 's')
    """
    colours = list(PALETTE.values())
    return {name: dict(color=colours[i % len(colours)], linestyle=LINE_STYLES[i % len(LINE_STYLES)],
                       marker=MARKERS[i % len(MARKERS)]) for i, name in enumerate(names)}


@projector
def layer_stats_figure(stats, *, steps_per_epoch=None, rule_of_thumb=UPDATE_RATIO_RULE_OF_THUMB):
    """Four panels against the training step, one line per layer: activation mean and std (on the
    probe batch), gradient std and the update ratio ||ΔW|| / ||W||, the last two on log scales,
    with the rule of thumb (1e-3) drawn as a grey band from 1e-3/3 to 3e-3 and a dotted line.

    Inputs:   stats            a LayerStats filled by fit (or an object with the same attributes)
              steps_per_epoch  if given, faint vertical lines mark the ends of the epochs
              rule_of_thumb    the update ratio drawn as the healthy level
    Returns:  a matplotlib Figure.

    >>> from types import SimpleNamespace
    >>> stats = SimpleNamespace(steps=[10, 20], names=["conv1"], activation_mean={"conv1": [0.1, 0.2]},
    ...                         activation_std={"conv1": [1.0, 1.1]}, gradient_std={"conv1": [0.01, 0.005]},
    ...                         update_ratio={"conv1": [3e-3, 1e-3]})
    >>> fig = layer_stats_figure(stats)
    >>> len(fig.axes)
    4
    """
    steps = np.asarray(stats.steps)
    if steps.size == 0:
        raise ValueError("stats holds no records yet: train with it in fit's callbacks first")
    styles = layer_line_styles(stats.names)
    fig, axes = plt.subplots(1, 4, figsize=(19, 4.6))
    mark_every = max(1, len(steps) // 8)
    for ax, (attribute, title, scale) in zip(axes, PANELS):
        for name in stats.names:
            ax.plot(steps, getattr(stats, attribute)[name], label=name, linewidth=2, markersize=7,
                    markevery=mark_every, **styles[name])
        ax.set(title=title, xlabel="training step", yscale=scale)
        ax.grid(alpha=0.3, which="major")
        if steps_per_epoch:
            for end in np.arange(steps_per_epoch, steps[-1] + 1, steps_per_epoch):
                ax.axvline(end, color="0.85", linewidth=1, zorder=0)
    ratio_axis = axes[-1]
    ratio_axis.axhspan(rule_of_thumb / 3, rule_of_thumb * 3, color="0.9", zorder=0)
    ratio_axis.axhline(rule_of_thumb, color="black", linestyle=":", linewidth=1.5,
                       label=f"rule of thumb {rule_of_thumb:g}")
    axes[0].legend(loc="best", fontsize=11)
    ratio_axis.legend(handles=ratio_axis.get_lines()[-1:], loc="upper right", fontsize=11)
    return fig
