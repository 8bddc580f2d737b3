"""Regularisers compared (notebook 11): training runs side by side, accuracy per epoch.

One line per run (plain, augmented, dropout, ...), told apart by dash pattern and marker as well as
colour, on two panels: the accuracy ``fit`` records on the training batches while an epoch runs
(with augmentation or dropout active, so it measures the harder, noisy task) and the accuracy on the
validation images at the end of each epoch.
"""
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np

from . import LINE_STYLES, MARKERS, PALETTE, projector

__all__ = ["accuracy_curves_figure"]


@projector
def accuracy_curves_figure(histories):
    """Training-batch accuracy (left) and validation accuracy (right) against the epoch, one line per run.

    Inputs:   histories  {run name: cnnlib.train.History}, each fitted with validation_data
    Returns:  a matplotlib Figure.

    >>> from cnnlib.train import History
    >>> h = History(epochs=2, steps_per_epoch=1, batch_size=2)
    >>> for epoch, right in enumerate((1, 2)):
    ...     h.start_epoch(epoch)
    ...     h.record_batch(0.5, np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([0, 2 - right]))
    ...     h.end_epoch((0.4, 0.6 + 0.1 * epoch))
    >>> len(accuracy_curves_figure({"plain": h}).axes)
    2
    """
    if not histories:
        raise ValueError("histories must hold at least one run: {name: History}")
    missing = [name for name, history in histories.items() if not history.val_accuracy]
    if missing:
        raise ValueError(f"runs {missing} have no validation accuracy: fit them with validation_data")
    colours = list(PALETTE.values())
    fig, (ax_train, ax_val) = plt.subplots(1, 2, figsize=(14, 4.8), sharey=True)
    for i, (name, history) in enumerate(histories.items()):
        style = dict(color=colours[i % len(colours)], linestyle=LINE_STYLES[i % len(LINE_STYLES)],
                     marker=MARKERS[i % len(MARKERS)], linewidth=2.5, markersize=7, label=name)
        epochs = np.arange(1, len(history.accuracy) + 1)
        ax_train.plot(epochs, history.accuracy, **style)
        ax_val.plot(np.arange(1, len(history.val_accuracy) + 1), history.val_accuracy, **style)
    ax_train.set(title="on the training batches, while training", xlabel="epoch", ylabel="accuracy")
    ax_val.set(title="on the validation images, after each epoch", xlabel="epoch")
    for ax in (ax_train, ax_val):
        ax.grid(alpha=0.3)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax_val.legend(loc="lower right")
    return fig
