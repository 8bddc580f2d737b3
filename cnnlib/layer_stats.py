"""Per-layer statistics recorded while a network trains (notebook 10): a callback for ``fit``.

Every ``every`` optimiser steps, :class:`LayerStats` records for each layer with weights (for
LeNet-5: conv1, conv2, fc1, fc2, fc3):

    activation mean, std   of what the layer hands on (after its activation function, if one
                           follows it), on a fixed probe batch, so records are comparable over time
    gradient std           of dL/dW on the latest training batch
    update ratio           ||W_after - W_before|| / ||W_before|| of the latest step

Rule of thumb (CS231n's notes, and many practitioners): an update ratio near 1e-3 is healthy;
far below, the layer barely learns (learning rate too low); far above, it is being overwritten
(too high). A rule of thumb, not a law: Adam's ratio depends on the size of the weights too.
``cnnlib.plots.layer_stats.layer_stats_figure`` draws the records.
"""
import numpy as np

from . import nn
from ._checks import as_positive_int
from .activations import ACTIVATIONS

__all__ = ["LayerStats", "weight_layers", "UPDATE_RATIO_RULE_OF_THUMB"]

UPDATE_RATIO_RULE_OF_THUMB = 1e-3
"""The usual rule of thumb for ||update|| / ||weight|| per step: around 1e-3."""

_ACTIVATION_LAYERS = tuple(getattr(nn, a.layer) for a in ACTIVATIONS.values() if getattr(a, "layer", None))
_SHORT_NAMES = {"Conv2D": "conv", "BiasFreeConv2D": "conv", "Dense": "fc"}


def weight_layers(model):
    """[(name, index of the layer, index of the output to watch)] for every layer with a "weight".

    Layers are named by kind and order, conv1, conv2, fc1, ... (other kinds by their class name).
    The watched output is the activation function's right after the layer, if one follows it,
    else the layer's own (the last Dense layer's scores).

    Inputs:   model  a cnnlib.nn.Sequential, e.g. lenet5()
    Returns:  a list of (str, int, int) tuples, in the order of the layers.

    >>> from cnnlib.nn import lenet5
    >>> weight_layers(lenet5())
    [('conv1', 0, 1), ('conv2', 3, 4), ('fc1', 7, 8), ('fc2', 9, 10), ('fc3', 11, 11)]
    """
    layers = getattr(model, "layers", None)
    if layers is None:
        raise TypeError(f"model must be a cnnlib.nn.Sequential such as lenet5(), got {type(model).__name__}")
    found, counts = [], {}
    for i, layer in enumerate(layers):
        if "weight" not in layer.params:
            continue
        kind = _SHORT_NAMES.get(type(layer).__name__, type(layer).__name__.lower())
        counts[kind] = counts.get(kind, 0) + 1
        follows = i + 1 < len(layers) and isinstance(layers[i + 1], _ACTIVATION_LAYERS)
        found.append((f"{kind}{counts[kind]}", i, i + 1 if follows else i))
    return found


class LayerStats:
    """A ``fit`` callback: every ``every`` steps, each weight layer's activation mean and std (on
    ``probe``), its weight gradient's std and its update ratio ||W_after - W_before|| / ||W_before||.

    The update ratio needs the weights from just before the recorded step: they are copied one
    step earlier (and at "train_begin"), so a record costs one forward pass of the probe batch and
    two copies of the weights, and training is otherwise untouched. The probe's forward pass runs
    in evaluation mode, after the step: no dropout, no batch-norm statistics updated.

    Attributes, filled as training runs: ``steps`` (the step numbers recorded), ``names`` (conv1,
    ...), and four dicts name -> list of floats, one per recorded step: ``activation_mean``,
    ``activation_std``, ``gradient_std``, ``update_ratio``.

    Inputs:   model  the cnnlib.nn.Sequential being trained (the same object fit trains)
              probe  a batch the model accepts, e.g. 64 validation images, N x 1 x 32 x 32
              every  record every this many steps (a positive int)
    Returns:  the callback; pass it in fit's ``callbacks``.

    >>> from cnnlib.nn import lenet5
    >>> from cnnlib.optim import Adam
    >>> from cnnlib.train import fit
    >>> x = np.random.default_rng(0).random((8, 1, 32, 32), dtype=np.float32)   # 8 stand-in images
    >>> model = lenet5(rng=0)
    >>> stats = LayerStats(model, x[:4], every=2)
    >>> history = fit(model, x, np.arange(8), epochs=2, batch_size=2, optimizer=Adam(3e-3),
    ...               progress=False, callbacks=[stats])
    >>> stats.steps, stats.names
    ([2, 4, 6, 8], ['conv1', 'conv2', 'fc1', 'fc2', 'fc3'])
    >>> all(0 < r < 0.1 for r in stats.update_ratio["conv1"])
    True
    """

    def __init__(self, model, probe, every=10):
        self.layers = weight_layers(model)
        self.model, self.probe = model, np.asarray(probe)
        self.every = as_positive_int(every, "every")
        self.names = [name for name, _, _ in self.layers]
        self.steps = []
        self.activation_mean = {name: [] for name in self.names}
        self.activation_std = {name: [] for name in self.names}
        self.gradient_std = {name: [] for name in self.names}
        self.update_ratio = {name: [] for name in self.names}
        self._before = None

    def _weights(self):
        return [self.model.layers[i].params["weight"] for _, i, _ in self.layers]

    def __call__(self, event, history):
        if event == "train_begin":
            self._before = [w.copy() for w in self._weights()]
        elif event == "batch_end":
            if history.step % self.every == 0 and self._before is not None:
                self.record(history.step)
            if (history.step + 1) % self.every == 0:          # the next step is recorded: keep its start
                self._before = [w.copy() for w in self._weights()]

    def record(self, step):
        """Record the statistics now, as those of optimiser step ``step`` (fit calls this)."""
        outputs = self.model.layer_outputs(self.probe)
        self.steps.append(int(step))
        for (name, i, watched), before in zip(self.layers, self._before):
            layer, out = self.model.layers[i], outputs[watched].astype(np.float64)
            weight = layer.params["weight"].astype(np.float64)
            self.activation_mean[name].append(float(out.mean()))
            self.activation_std[name].append(float(out.std()))
            self.gradient_std[name].append(float(np.std(layer.grads["weight"])))
            self.update_ratio[name].append(float(np.linalg.norm(weight - before) / np.linalg.norm(before)))
        self._before = None

    def __repr__(self):
        return f"LayerStats({len(self.names)} layers, {len(self.steps)} records, every {self.every} steps)"
