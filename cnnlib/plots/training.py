"""Static figures for notebook 10: the data, LeNet-5's feature maps, training curves, predictions,
the confusion matrix, the mistakes, and the learned first-layer filters.

Every number drawn comes from cnnlib: ``model.layer_outputs`` for feature maps (the same forward pass
``cnnlib.train.predict`` uses), ``cnnlib.train.confusion_matrix`` for counts. :class:`TrainingCurves`
is shared with the training dashboard (``cnnlib.widgets.training``); what the figures show is
computed in ``cnnlib.inspection``.
"""
import math

import matplotlib
import matplotlib.lines
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Rectangle

from .._checks import as_positive_int
from ..activations import relu
from ..inspection import as_single_image, feature_map_stages, first_layer, grid_shape, strongest_patches
from ..render import finite_range, text_colour_on
from . import BLUE, IMAGE_CMAP, ORANGE, SIGNED_CMAP, SKY_BLUE, VALUE_CMAP, projector

# Training solid with dots, validation dashed with squares; the predicted bar solid, the true one hatched.
TRAIN_COLOR, VALIDATION_COLOR = BLUE, ORANGE
PREDICTED_COLOR, TRUE_COLOR, OTHER_COLOR = BLUE, ORANGE, "0.75"


def _no_ticks(ax):
    ax.set_xticks([])
    ax.set_yticks([])


# --- which layers to draw ------------------------------------------------------------------------


def map_colours(values):
    """(cmap, vmin, vmax) for a stage: grey for the input, cividis from 0 for non-negative maps
    (after ReLU or max pooling of ReLUs), RdBu with symmetric limits when there are negative values.
    NaN and infinite values are left out (the colour map draws them in magenta)."""
    low, high = finite_range(values)
    if low < 0:
        limit = max(-low, high) or 1.0
        return SIGNED_CMAP, -limit, limit
    return VALUE_CMAP, 0.0, high or 1.0


# --- data ----------------------------------------------------------------------------------------

@projector
def digits_figure(images, labels, *, columns=10, title=None):
    """A gallery of digits (N x 1 x H x W or N x H x W), each titled with its label."""
    images = np.asarray(images)
    images = images[:, 0] if images.ndim == 4 else images
    columns = as_positive_int(columns, "columns")
    rows = math.ceil(len(images) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.35 * columns, 1.55 * rows + (0.4 if title else 0)),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, label in zip(axes.ravel(), images, labels):
        ax.imshow(image, cmap=IMAGE_CMAP, vmin=0, vmax=max(1.0, float(image.max())))
        ax.set_title(str(label), fontsize=14)
    if title:
        fig.suptitle(title)
    return fig


@projector
def padding_figure(digit, padded, kernel=5):
    """A 28 x 28 digit, and the same digit padded to 32 x 32 with the original's border dashed and
    the first 5 x 5 receptive field of conv1 drawn at the top-left corner."""
    digit, padded = np.squeeze(digit), np.squeeze(padded)
    pad = (padded.shape[0] - digit.shape[0]) // 2
    fig, (ax_digit, ax_padded) = plt.subplots(1, 2, figsize=(10, 5.2))
    ax_digit.imshow(digit, cmap=IMAGE_CMAP, vmin=0, vmax=1)
    ax_digit.set_title(f"MNIST digit: {digit.shape[0]} x {digit.shape[1]}")
    ax_padded.imshow(padded, cmap=IMAGE_CMAP, vmin=0, vmax=1)
    ax_padded.add_patch(Rectangle((pad - 0.5, pad - 0.5), digit.shape[1], digit.shape[0], fill=False,
                                  edgecolor=SKY_BLUE, linestyle="--", linewidth=2.5))
    ax_padded.add_patch(Rectangle((-0.5, -0.5), kernel, kernel, fill=False, edgecolor=TRUE_COLOR, linewidth=3.5))
    ax_padded.plot([kernel // 2], [kernel // 2], "o", color=TRUE_COLOR, markersize=7)
    ax_padded.set_title(f"padded by {pad}: {padded.shape[0]} x {padded.shape[1]}")
    for ax in (ax_digit, ax_padded):
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    ax_padded.text(kernel + 0.6, pad + 0.8, f"first {kernel}x{kernel} window, centred\non the digit's corner pixel",
                   color="white", va="top", fontsize=12)
    return fig


# --- training curves -----------------------------------------------------------------------------

CURVE_STYLES = {
    "batch_loss": dict(color=TRAIN_COLOR, alpha=0.25, linewidth=1, linestyle="-", label="each batch"),
    "loss": dict(color=TRAIN_COLOR, marker="o", linestyle="-", linewidth=2.5, label="training (epoch mean)"),
    "val_loss": dict(color=VALIDATION_COLOR, marker="s", linestyle="--", linewidth=2.5, label="validation"),
}
CURVE_STYLES["accuracy"], CURVE_STYLES["val_accuracy"] = CURVE_STYLES["loss"], CURVE_STYLES["val_loss"]
SMALLEST_LOSS_SHOWN = 1e-4


def _decades(values):
    """(10^a, 10^b): the whole powers of ten around the values, so log-scale limits change rarely."""
    values = np.clip(values, SMALLEST_LOSS_SHOWN, None)
    return 10.0 ** math.floor(math.log10(values.min())), 10.0 ** math.ceil(math.log10(values.max()))


class TrainingCurves:
    """Loss (log scale) and accuracy against epochs on two axes, updated in place as a History grows.

    Per batch: the loss, drawn faint (noisy: each batch is only 64 images). Per epoch: the training
    figures, drawn at the middle of their epoch because they are means over it while the weights were
    changing, and the validation figures, drawn at the end of the epoch where they were measured.
    Limits move in coarse steps (whole decades of loss, 2% of accuracy), so a live view can keep
    its background while only the lines grow (see :meth:`layout`).
    """

    def __init__(self, ax_loss, ax_accuracy):
        self.ax_loss, self.ax_accuracy = ax_loss, ax_accuracy
        self.lines = {name: (ax_loss if "loss" in name else ax_accuracy).plot([], [], **style)[0]
                      for name, style in CURVE_STYLES.items()}
        ax_loss.set(yscale="log", xlabel="epoch", ylabel="cross-entropy loss (log scale)", title="loss")
        ax_accuracy.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
        for ax in (ax_loss, ax_accuracy):
            ax.grid(alpha=0.3, which="both")
        ax_accuracy.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=1))
        self._legend_names = ()

    def update(self, history):
        """Draw everything ``history`` holds so far; returns the number of finished epochs drawn."""
        per_epoch = max(1, history.steps_per_epoch or 1)
        steps = np.arange(1, len(history.batch_loss) + 1) / per_epoch
        ends = np.arange(1, len(history.loss) + 1)
        positions = {"batch_loss": steps, "loss": ends - 0.5, "accuracy": ends - 0.5,
                     "val_loss": ends, "val_accuracy": ends}
        for name, line in self.lines.items():
            values = getattr(history, name)
            line.set_data(positions[name][:len(values)], values)
        right = max(history.epochs or 1, len(history.loss), float(steps[-1]) if len(steps) else 0)
        for ax in (self.ax_loss, self.ax_accuracy):
            ax.set_xlim(0, right + 0.15)
        losses = np.asarray(history.batch_loss + history.loss + history.val_loss, dtype=float)
        losses = losses[np.isfinite(losses)]
        if losses.size:
            self.ax_loss.set_ylim(*_decades(losses))
        accuracies = history.accuracy + history.val_accuracy
        if accuracies:
            low = min(accuracies)
            self.ax_accuracy.set_ylim(max(0.0, math.floor((low - 0.2 * (1 - low)) * 50) / 50), 1.005)
        self._update_legends()
        return len(history.loss)

    def _update_legends(self):
        """Legends list only the curves that have data; they are drawn from stand-in lines so they
        stay visible when a live view animates (blits) the real ones."""
        names = tuple(name for name, line in self.lines.items() if len(line.get_xdata()))
        if names == self._legend_names:
            return
        self._legend_names = names
        for ax, wanted, where in ((self.ax_loss, ("batch_loss", "loss", "val_loss"), "upper right"),
                                  (self.ax_accuracy, ("accuracy", "val_accuracy"), "lower right")):
            handles = [matplotlib.lines.Line2D([], [], **CURVE_STYLES[name]) for name in wanted if name in names]
            if handles:
                ax.legend(handles=handles, loc=where)

    def layout(self):
        """What the background shows besides the lines (limits, legend entries): when it changes, a
        blitting view must redraw its background."""
        return (self.ax_loss.get_xlim(), self.ax_loss.get_ylim(), self.ax_accuracy.get_ylim(), self._legend_names)


@projector
def training_curves_figure(history):
    """Loss and accuracy per epoch, training against validation, with every batch's loss faint."""
    fig, (ax_loss, ax_accuracy) = plt.subplots(1, 2, figsize=(14, 4.8))
    TrainingCurves(ax_loss, ax_accuracy).update(history)
    return fig


# --- feature maps --------------------------------------------------------------------------------

@projector
def feature_maps_figure(model, image, *, label=None):
    """A digit flowing through the network: the input, then every conv (after its activation) and
    pooling layer's maps, tiled left to right with one shared colour scale per layer."""
    stages = feature_map_stages(model, image)
    widths = [max(1, grid_shape(len(maps))[1]) for _, maps in stages]
    fig = plt.figure(figsize=(16, 5.4), layout="constrained")
    panels = fig.subfigures(1, len(stages), width_ratios=[w + 0.6 for w in widths], wspace=0.02)
    for panel, (name, maps) in zip(np.atleast_1d(panels), stages):
        rows, cols = grid_shape(len(maps))
        axes = panel.subplots(rows, cols, squeeze=False)
        if name == "input":
            cmap, vmin, vmax = IMAGE_CMAP, 0.0, max(1.0, float(maps.max()))
        else:
            cmap, vmin, vmax = map_colours(maps)
        for k, ax in enumerate(axes.ravel()):
            _no_ticks(ax)
            if k < len(maps):
                shown = ax.imshow(maps[k], cmap=cmap, vmin=vmin, vmax=vmax)
            else:
                ax.axis("off")
        shape = " x ".join(map(str, maps.shape))
        heading = "input" + (f" (a {label})" if label is not None else "") if name == "input" else name
        panel.suptitle(f"{heading}\n{shape}", fontsize=14)
        if name != "input":
            panel.colorbar(shown, ax=axes.ravel().tolist(), location="bottom", shrink=0.8, aspect=12,
                           label="activation")
    return fig


# --- predictions ---------------------------------------------------------------------------------

def bar_colours(probabilities, true_label=None):
    """Per class: the predicted (largest) class dark blue, the true class orange when the prediction
    is wrong, the rest light grey; plus a hatch for the true class so grey-scale prints tell them apart."""
    predicted = int(np.argmax(probabilities))
    colours = [OTHER_COLOR] * len(probabilities)
    hatches = [""] * len(probabilities)
    colours[predicted] = PREDICTED_COLOR
    if true_label is not None and int(true_label) != predicted:
        colours[int(true_label)] = TRUE_COLOR
        hatches[int(true_label)] = "//"
    return colours, hatches


def bar_legend(ax, where="right"):
    """The key to :func:`bar_colours`, outside the axes (``where``: "right" or "top") so no bar hides it."""
    handles = [Patch(facecolor=PREDICTED_COLOR, edgecolor="black", label="predicted"),
               Patch(facecolor=TRUE_COLOR, edgecolor="black", hatch="//", label="true label (if missed)")]
    if where == "top":
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    else:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def probability_bars(ax, probabilities, *, true_label=None):
    """Bars of the ten class probabilities, each labelled with its value."""
    probabilities = np.asarray(probabilities, dtype=float)
    classes = np.arange(len(probabilities))
    colours, hatches = bar_colours(probabilities, true_label)
    bars = ax.bar(classes, probabilities, 0.7, color=colours, edgecolor="black")
    for bar, hatch, p in zip(bars, hatches, probabilities):
        bar.set_hatch(hatch)
        ax.text(bar.get_x() + bar.get_width() / 2, p + 0.02, f"{p:.2f}", ha="center", fontsize=11)
    ax.set(xticks=classes, yticks=np.linspace(0, 1, 5), ylim=(0, 1.12), xlabel="digit", ylabel="probability")
    bar_legend(ax)
    return bars


@projector
def prediction_figure(image, probabilities, true_label=None):
    """The digit beside the bars of its predicted probabilities; the title says true and predicted."""
    probabilities = np.asarray(probabilities, dtype=float)
    predicted = int(np.argmax(probabilities))
    fig, (ax_image, ax_bars) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw=dict(width_ratios=[1, 2.4]))
    ax_image.imshow(np.squeeze(image), cmap=IMAGE_CMAP, vmin=0, vmax=1)
    _no_ticks(ax_image)
    ax_image.set_title("input" if true_label is None else f"true label {true_label}")
    probability_bars(ax_bars, probabilities, true_label=true_label)
    verdict = "" if true_label is None else (": correct" if predicted == int(true_label) else ": wrong")
    ax_bars.set_title(f"predicted {predicted} with probability {probabilities[predicted]:.3f}{verdict}")
    return fig


# --- confusion matrix and mistakes ---------------------------------------------------------------


def _annotated_heat_map(ax, values, vmax, title):
    """Cells shaded by count with the count written in them; NaN cells stay blank."""
    cmap = matplotlib.colormaps[VALUE_CMAP].with_extremes(bad="white")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=vmax)
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v) and v > 0:
            ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=11,
                    color=text_colour_on(cmap(image.norm(v))))
    ticks = np.arange(values.shape[0])
    ax.set(xticks=ticks, yticks=ticks, xlabel="predicted digit", ylabel="true digit", title=title)
    return image


@projector
def confusion_matrix_figure(counts):
    """Left: every count (the diagonal holds the correct answers). Right: the mistakes alone, with
    the diagonal blanked so that a handful of errors is not washed out by hundreds of correct ones."""
    counts = np.asarray(counts)
    correct, total = int(np.trace(counts)), int(counts.sum())
    mistakes = counts.astype(float)
    np.fill_diagonal(mistakes, np.nan)
    fig, (ax_all, ax_wrong) = plt.subplots(1, 2, figsize=(15, 6.6))
    image = _annotated_heat_map(ax_all, counts.astype(float), counts.max(),
                                f"all {total:,} test digits: {correct:,} correct")
    fig.colorbar(image, ax=ax_all, shrink=0.8, label="count")
    wrong_max = max(1.0, float(np.nanmax(mistakes)))
    image = _annotated_heat_map(ax_wrong, mistakes, wrong_max, f"the {total - correct} mistakes (diagonal hidden)")
    fig.colorbar(image, ax=ax_wrong, shrink=0.8, label="count")
    return fig


@projector
def mistakes_figure(images, true_labels, probabilities, indices, *, columns=8):
    """A gallery of chosen digits titled 'true -> predicted (confidence)'."""
    indices = np.asarray(indices, dtype=int)
    columns = as_positive_int(columns, "columns")
    rows = max(1, math.ceil(len(indices) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.75 * columns, 2.1 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), indices):
        predicted = int(np.argmax(probabilities[i]))
        ax.imshow(np.squeeze(images[i]), cmap=IMAGE_CMAP, vmin=0, vmax=1)
        ax.set_title(f"{true_labels[i]} \u2192 {predicted}\n{probabilities[i][predicted]:.1%} sure", fontsize=13)
    return fig


# --- the learned filters -------------------------------------------------------------------------


@projector
def filters_figure(model, initial=None):
    """conv1's 5 x 5 filters, red for positive and blue for negative weights on one symmetric scale.
    With ``initial`` (the same network before training) a first row shows where each filter started."""
    rows = [("after training", first_layer(model).params["weight"][:, 0])]
    if initial is not None:
        rows.insert(0, ("at the start", first_layer(initial).params["weight"][:, 0]))
    limit = float(max(np.abs(w).max() for _, w in rows)) or 1.0
    count = len(rows[0][1])
    fig, axes = plt.subplots(len(rows), count, figsize=(2.3 * count + 1.6, 2.8 * len(rows) + 0.2), squeeze=False)
    for r, (label, weights) in enumerate(rows):
        for k, (ax, w) in enumerate(zip(axes[r], weights)):
            shown = ax.imshow(w, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
            ax.set_title(f"filter {k + 1}")
            _no_ticks(ax)
        if len(rows) > 1:
            axes[r, 0].set_ylabel(label, fontsize=14)
    fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.9, label="weight")
    return fig


@projector
def filter_responses_figure(model, image):
    """For each conv1 filter: the filter, its response to the digit (weighted sum plus bias, signed),
    and what survives the ReLU. The digit itself heads the first column."""
    layer = first_layer(model)
    image = as_single_image(image, model)
    weights = layer.params["weight"][:, 0]
    response = layer.forward(image[np.newaxis])[0]
    kept = relu(response)
    w_limit = float(np.abs(weights).max()) or 1.0
    r_limit = float(np.abs(response).max()) or 1.0
    count = len(weights)
    fig, axes = plt.subplots(3, count + 1, figsize=(2.2 * (count + 1) + 1.5, 7.2), squeeze=False)
    for ax in axes.ravel():
        _no_ticks(ax)
    axes[0, 0].imshow(image[0], cmap=IMAGE_CMAP, vmin=0, vmax=1)
    axes[0, 0].set_title("the digit")
    axes[1, 0].axis("off")
    axes[2, 0].axis("off")
    for ax, text in ((axes[0, 0], "filter"), (axes[1, 0], "response"), (axes[2, 0], "after ReLU")):
        ax.text(-0.15, 0.5, text, transform=ax.transAxes, rotation=90, ha="right", va="center", fontsize=15)
    for k in range(count):
        w_image = axes[0, k + 1].imshow(weights[k], cmap=SIGNED_CMAP, vmin=-w_limit, vmax=w_limit)
        axes[0, k + 1].set_title(f"filter {k + 1}")
        r_image = axes[1, k + 1].imshow(response[k], cmap=SIGNED_CMAP, vmin=-r_limit, vmax=r_limit)
        k_image = axes[2, k + 1].imshow(kept[k], cmap=VALUE_CMAP, vmin=0, vmax=r_limit)
    fig.colorbar(w_image, ax=axes[0, 1:].tolist(), shrink=0.9, label="weight")
    fig.colorbar(r_image, ax=axes[1, 1:].tolist(), shrink=0.9, label="response")
    fig.colorbar(k_image, ax=axes[2, 1:].tolist(), shrink=0.9, label="ReLU output")
    return fig


@projector
def strongest_patches_figure(model, images, top=50):
    """Top: conv1's filters. Bottom: the average of the ``top`` image windows each responds to most,
    titled with its correlation r with the filter."""
    weights = first_layer(model).params["weight"][:, 0]
    means, correlations = strongest_patches(model, images, top)
    limit = float(np.abs(weights).max()) or 1.0
    fig, axes = plt.subplots(2, len(weights), figsize=(2.3 * len(weights) + 1.4, 5.6), squeeze=False)
    for k in range(len(weights)):
        w_image = axes[0, k].imshow(weights[k], cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
        axes[0, k].set_title(f"filter {k + 1}")
        p_image = axes[1, k].imshow(means[k], cmap=IMAGE_CMAP, vmin=0, vmax=1)
        axes[1, k].set_title(f"r = {correlations[k]:.2f}")
    for ax in axes.ravel():
        _no_ticks(ax)
    fig.colorbar(w_image, ax=axes[0].tolist(), shrink=0.9, label="weight")
    fig.colorbar(p_image, ax=axes[1].tolist(), shrink=0.9, label=f"mean of top {top}\nwindows (ink)")
    return fig




__all__ = ["TRAIN_COLOR", "VALIDATION_COLOR", "PREDICTED_COLOR", "TRUE_COLOR", "OTHER_COLOR",
           "map_colours", "digits_figure", "padding_figure",
           "CURVE_STYLES", "SMALLEST_LOSS_SHOWN", "TrainingCurves", "training_curves_figure",
           "feature_maps_figure", "bar_colours", "bar_legend", "probability_bars",
           "prediction_figure", "confusion_matrix_figure", "mistakes_figure", "filters_figure",
           "filter_responses_figure", "strongest_patches_figure"]
