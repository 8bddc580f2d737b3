"""Static figures for notebook 06: activation functions, their derivatives, vanishing gradients, dropout."""
import matplotlib.pyplot as plt
import numpy as np

from ..activations import ACTIVATIONS
from . import BLUE, GREEN, IMAGE_CMAP, ORANGE, PURPLE, VERMILLION

# Line styles as well as colours (the colour-blind-safe palette), so the curves stay apart in
# grey-scale and for every reader.
LINE_STYLES = {
    "sigmoid": dict(color=BLUE, linestyle="-"),
    "tanh": dict(color=ORANGE, linestyle="--"),
    "relu": dict(color=GREEN, linestyle="-."),
    "softplus": dict(color=PURPLE, linestyle=":"),
}
# A second run of one activation (another initialisation, say): another colour and a dash-dot-dot line.
VARIANT_STYLES = {"relu (He)": dict(color=VERMILLION, linestyle=(0, (5, 1, 1, 1, 1, 1)))}


def activation_figure(names=("sigmoid", "tanh", "relu", "softplus"), z_max=5.0):
    """Two panels over z in [-z_max, z_max]: each activation f(z) (left) and its derivative f'(z) (right)."""
    unknown = [n for n in names if n not in ACTIVATIONS]
    if unknown:
        raise ValueError(f"names must be among {sorted(ACTIVATIONS)}, got {unknown}")
    z = np.linspace(-z_max, z_max, 501)
    fig, (ax_f, ax_d) = plt.subplots(1, 2, figsize=(12, 4.6))
    for name in names:
        activation, style = ACTIVATIONS[name], LINE_STYLES.get(name, {})    # a new activation: default style
        ax_f.plot(z, activation.function(z), linewidth=2.5, label=name, **style)
        ax_d.plot(z, activation.derivative(z), linewidth=2.5, label=name, **style)
    ax_f.set(title="the functions f(z)", xlabel="pre-activation z", ylabel="f(z)", ylim=(-1.3, z_max + 0.2))
    ax_d.set(title="their derivatives f'(z)", xlabel="pre-activation z", ylabel="f'(z)", ylim=(-0.05, 1.1))
    ax_d.axhline(0.25, color="grey", linewidth=1)
    ax_d.annotate("0.25: the most sigmoid' can be", (-z_max, 0.25), xytext=(0, 4),
                  textcoords="offset points", fontsize=12, color="dimgrey")
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
    return fig


def gradient_norm_figure(norms_by_name, *, title="gradient reaching each layer"):
    """Log-scale plot of one gradient norm per layer (layer 1 = nearest the input) for each activation.

    norms_by_name: dict name -> array of per-layer norms. A name is an activation ("relu") or an
    activation followed by a note ("relu (Glorot)"), which takes that activation's line style.
    """
    fig, ax = plt.subplots(figsize=(10, 4.8))
    for name, norms in norms_by_name.items():
        norms = np.asarray(norms, dtype=float)
        style = VARIANT_STYLES.get(name) or LINE_STYLES.get(name.split()[0], {})
        ax.semilogy(np.arange(1, norms.size + 1), norms, marker="o", markersize=5, linewidth=2.5,
                    label=name, **style)
    ax.set(title=title, xlabel="layer (1 = first layer, next to the input)",
           ylabel="gradient norm (log scale)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return fig


def dropout_figure(activations, training_outputs, test_output, keep_prob):
    """The same activation map: as computed, two training-time dropout samples, and at test time."""
    panels = [("activations h", activations)]
    panels += [(f"training, sample {i + 1}", out) for i, out in enumerate(training_outputs)]
    panels.append(("test time: h unchanged", test_output))
    vmax = max(float(np.max(p)) for _, p in panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.7))
    for ax, (title, values) in zip(axes, panels):
        image = ax.imshow(values, cmap=IMAGE_CMAP, vmin=0, vmax=vmax)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(image, ax=axes, shrink=0.8, label="value")
    fig.suptitle(f"inverted dropout, keep probability {keep_prob:g}: survivors are scaled by 1/{keep_prob:g}")
    return fig


__all__ = ["LINE_STYLES", "VARIANT_STYLES", "activation_figure", "gradient_norm_figure",
           "dropout_figure"]
