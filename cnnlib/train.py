"""Training loop, evaluation and gradient checking (taught in notebook 08).

``fit`` runs mini-batch training and returns a :class:`History`; ``evaluate``, ``predict`` and
``confusion_matrix`` measure the result; ``gradcheck`` and ``gradcheck_layer`` compare
backpropagation with centred finite differences.

Callbacks (for live plots, early stopping, learning-rate changes): any callable
``callback(event, history)``. ``fit`` calls it with these events:

    "train_begin"  once, before the first batch (history.epochs and steps_per_epoch are set)
    "batch_end"    after every optimiser step; history.batch_loss[-1] and batch_accuracy[-1]
                   are that batch's figures, history.step counts steps so far (1, 2, ...),
                   history.epoch is the current epoch (0-based)
    "epoch_end"    after each epoch; history.loss[-1], accuracy[-1] (and val_loss[-1],
                   val_accuracy[-1] with validation data) are that epoch's figures
    "train_end"    once, after the last epoch (also after an early stop)

A callback may set ``history.stop_training = True`` to end training after the current batch, and
may change ``optimizer.lr`` (see :func:`decay_learning_rate`). It runs inside the training loop,
so one that draws should redraw every few batches only; an object with a ``__call__`` method
(e.g. a dashboard widget holding its figure) works as well as a function. Example:

    def print_every_100(event, history):
        if event == "batch_end" and history.step % 100 == 0:
            print(history.step, history.batch_loss[-1])
        elif event == "epoch_end" and history.val_accuracy:
            print("epoch", history.epoch + 1, "val accuracy", history.val_accuracy[-1])
"""
import copy
import math
import time

import numpy as np

from ._checks import as_positive_int
from .losses import softmax
from .nn import SoftmaxCrossEntropy

__all__ = ["fit", "History", "TrainingDiverged", "evaluate", "predict", "confusion_matrix",
           "relative_error", "numerical_gradient", "gradcheck", "gradcheck_layer", "decay_learning_rate",
           "DIVERGENCE_FACTOR", "EVENTS"]

DIVERGENCE_FACTOR = 100.0
"""fit stops when a batch loss is NaN/inf or exceeds this many times max(first batch loss, 1)."""

EVENTS = ("train_begin", "batch_end", "epoch_end", "train_end")
"""The events fit passes to callbacks, in the order they first occur."""


class TrainingDiverged(RuntimeError):
    """The loss became NaN, infinite or exploded; ``.history`` holds the figures up to then."""

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


class History:
    """What ``fit`` recorded. Per epoch: ``loss``, ``accuracy`` (the running means over that
    epoch's batches), ``val_loss``, ``val_accuracy`` (empty without validation data) and
    ``epoch_time`` (seconds). Per batch: ``batch_loss``, ``batch_accuracy``. Progress:
    ``epoch`` (0-based), ``step`` (optimiser steps so far), ``epochs``, ``steps_per_epoch``.
    """

    def __init__(self, epochs, steps_per_epoch, batch_size):
        self.epochs, self.steps_per_epoch, self.batch_size = epochs, steps_per_epoch, batch_size
        self.loss, self.accuracy, self.val_loss, self.val_accuracy, self.epoch_time = [], [], [], [], []
        self.batch_loss, self.batch_accuracy = [], []
        self.epoch, self.step = 0, 0
        self.stop_training = False

    @property
    def train_time(self):
        """Seconds spent in all finished epochs (training plus validation)."""
        return float(sum(self.epoch_time))

    def __repr__(self):
        last = ", ".join(f"{name}={getattr(self, name)[-1]:.4f}" for name in
                         ("loss", "accuracy", "val_loss", "val_accuracy") if getattr(self, name))
        return f"History({len(self.loss)} epoch(s), {self.step} steps{', ' + last if last else ''})"


def _labels(y):
    """Integer class labels from labels or one-hot targets."""
    y = np.asarray(y)
    return y.argmax(axis=1) if y.ndim == 2 else y


def _check_data(x, y, name="x"):
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"{name} must be a batch of samples (N x ...), got shape {x.shape}")
    if y is not None:
        y = np.asarray(y)
        if y.ndim not in (1, 2) or len(y) != len(x):
            raise ValueError(f"y must hold one label (or one-hot row) per sample: {name} has {len(x)} "
                             f"samples, y has shape {y.shape}")
    return x, y


def _batches(n, batch_size):
    return range(0, n, batch_size)


def fit(model, x, y, *, epochs, batch_size, optimizer, validation_data=None, progress=True,
        callbacks=(), seed=0, loss=None):
    """Train ``model`` on (x, y) with mini-batch gradient descent; returns a :class:`History`.

    Each epoch visits the samples in a fresh random order (seeded by ``seed``: the same seed, model
    and data give the same numbers) in batches of ``batch_size``: forward with training=True,
    loss, backward, ``optimizer.step(model)``. ``loss`` defaults to SoftmaxCrossEntropy (labels y
    as integers 0..C-1). ``validation_data=(x_val, y_val)`` is evaluated after each epoch.
    ``progress=True`` shows a tqdm bar (a widget in Jupyter, text in a terminal) with the
    running loss and accuracy. ``callbacks``: see the module docstring.

    Raises :class:`TrainingDiverged` (with the history so far) when a batch loss is NaN, infinite
    or above DIVERGENCE_FACTOR x max(first batch loss, 1): usually the learning rate is too high.
    LeNet-5 on the 10,000-image MNIST subset: ``opt = Adam(lr=3e-3)``, batch_size=64, epochs=8,
    ``callbacks=[decay_learning_rate(opt, 0.7)]`` reaches about 98% test accuracy
    (benchmarks/bench_lenet.py measures it).
    """
    x, y = _check_data(x, y)
    epochs = as_positive_int(epochs, "epochs")
    batch_size = as_positive_int(batch_size, "batch_size")
    if not hasattr(optimizer, "step"):
        raise TypeError(f"optimizer must have a step(model) method (e.g. cnnlib.optim.Adam()), got {optimizer!r}")
    callbacks = [callbacks] if callable(callbacks) else list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"each callback must be callable as callback(event, history), got {cb!r}")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (x_val, y_val)")
        _check_data(*validation_data, name="x_val")
    loss = SoftmaxCrossEntropy() if loss is None else loss
    rng = np.random.default_rng(seed)
    n = len(x)
    history = History(epochs, math.ceil(n / batch_size), batch_size)

    def emit(event):
        for cb in callbacks:
            cb(event, history)

    bar = _progress_bar(epochs * history.steps_per_epoch, progress)
    try:
        emit("train_begin")
        for epoch in range(epochs):
            history.epoch = epoch
            start_time = time.perf_counter()
            loss_sum, correct, seen = 0.0, 0, 0
            order = rng.permutation(n)
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            for start in _batches(n, batch_size):
                batch = order[start:start + batch_size]
                xb, yb = x[batch], y[batch]
                with np.errstate(over="ignore", invalid="ignore"):
                    logits = model.forward(xb, training=True)
                    batch_loss = loss.forward(logits, yb)
                    _check_divergence(batch_loss, history, optimizer)
                    model.backward(loss.backward())
                optimizer.step(model)
                batch_correct = int(np.sum(logits.argmax(axis=1) == _labels(yb)))
                history.step += 1
                history.batch_loss.append(batch_loss)
                history.batch_accuracy.append(batch_correct / len(batch))
                loss_sum += batch_loss * len(batch)
                correct += batch_correct
                seen += len(batch)
                bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.4f}", refresh=False)
                bar.update(1)
                emit("batch_end")
                if history.stop_training:
                    break
            history.loss.append(loss_sum / seen)
            history.accuracy.append(correct / seen)
            if validation_data is not None:
                val_loss, val_acc = evaluate(model, *validation_data, batch_size=max(batch_size, 256), loss=loss)
                history.val_loss.append(val_loss)
                history.val_accuracy.append(val_acc)
                bar.set_postfix(loss=f"{history.loss[-1]:.4f}", acc=f"{history.accuracy[-1]:.4f}",
                                val_loss=f"{val_loss:.4f}", val_acc=f"{val_acc:.4f}")
            history.epoch_time.append(time.perf_counter() - start_time)
            emit("epoch_end")
            if history.stop_training:
                break
        emit("train_end")
    finally:
        bar.close()
    return history


def _check_divergence(batch_loss, history, optimizer):
    first = history.batch_loss[0] if history.batch_loss else batch_loss
    limit = DIVERGENCE_FACTOR * max(first, 1.0) if np.isfinite(first) else np.inf
    if np.isfinite(batch_loss) and batch_loss <= limit:
        return
    lr = getattr(optimizer, "lr", None)
    advice = "try a smaller learning rate" + (f" (e.g. lr={lr / 10:g} instead of {lr:g})" if lr else "")
    what = "is NaN/infinite" if not np.isfinite(batch_loss) else f"exploded to {batch_loss:.4g}"
    raise TrainingDiverged(f"training stopped at step {history.step + 1} (epoch {history.epoch + 1}): "
                           f"the loss {what} (the first batch's loss was {first:.4g}); {advice}. "
                           "The weights were not updated with this batch.", history)


def _progress_bar(total, enabled):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="batch", leave=True)


class _NoBar:
    """Stands in for the tqdm bar when progress=False."""

    def set_description(self, *args, **kwargs):
        pass

    set_postfix = update = close = set_description


def _forward_in_batches(model, x, batch_size):
    for start in _batches(len(x), batch_size):
        yield start, model.forward(x[start:start + batch_size], training=False)


def evaluate(model, x, y, batch_size=256, loss=None):
    """(mean loss, accuracy) of ``model`` on (x, y), in evaluation mode (no dropout)."""
    x, y = _check_data(x, y)
    batch_size = as_positive_int(batch_size, "batch_size")
    loss = SoftmaxCrossEntropy() if loss is None else loss
    labels = _labels(y)
    loss_sum, correct = 0.0, 0
    for start, logits in _forward_in_batches(model, x, batch_size):
        stop = start + len(logits)
        loss_sum += loss.forward(logits, y[start:stop]) * len(logits)
        correct += int(np.sum(logits.argmax(axis=1) == labels[start:stop]))
    return loss_sum / len(x), correct / len(x)


def predict(model, x, batch_size=256):
    """Class probabilities softmax(model(x)), N x C; ``predict(...).argmax(1)`` gives the classes."""
    x, _ = _check_data(x, None)
    batch_size = as_positive_int(batch_size, "batch_size")
    return np.concatenate([softmax(logits, axis=1) for _, logits in _forward_in_batches(model, x, batch_size)])


def confusion_matrix(y_true, y_pred, num_classes=None):
    """C x C counts: entry [t, p] is how many samples of true class t were predicted as p.

    The diagonal holds the correct predictions; ``num_classes`` defaults to max label + 1.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    for name, arr in (("y_true", y_true), ("y_pred", y_pred)):
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(f"{name} must be a 1D array of integer labels, got shape {arr.shape}, dtype {arr.dtype}")
        if arr.size and arr.min() < 0:
            raise ValueError(f"{name} labels must not be negative")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
    largest = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)))
    num_classes = largest + 1 if num_classes is None else as_positive_int(num_classes, "num_classes")
    if largest >= num_classes:
        raise ValueError(f"labels must be below num_classes={num_classes}, found {largest}")
    counts = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def relative_error(a, b):
    """How far two gradients disagree, relative to their size:

        max_i |a_i - b_i| / max(1e-8, max_i (|a_i| + |b_i|))

    The largest disagreement over all entries, divided by the largest entry (of a and b together),
    so tiny entries are judged against the gradient's scale instead of their own; the 1e-8 floor
    keeps an all-zero gradient from dividing by zero. Below 1e-7 in float64 means the analytic
    gradient is right; around 1e-2 or worse means a bug.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a) + np.abs(b))))


def numerical_gradient(f, x, h=1e-5, indices=None):
    """Centred finite differences of a scalar function: df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h.

    ``f(x)`` returns a number; x (float64) is nudged in place and restored, so ``f`` may also ignore
    its argument and read an array it shares with x (a layer's weights). ``indices``: flat indices
    to compute (others stay 0); default all. The error is O(h^2) plus rounding ~ eps |f| / h.
    """
    x = _as_float64(x)
    grad = np.zeros(x.shape)
    for i in range(x.size) if indices is None else indices:
        old = x.flat[i]
        x.flat[i] = old + h
        f_plus = float(f(x))
        x.flat[i] = old - h
        f_minus = float(f(x))
        x.flat[i] = old
        grad.flat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _as_float64(x):
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("finite differences need a float64 numpy array (float32 rounding swamps a "
                        f"step of 1e-5); got {type(x).__name__} {getattr(x, 'dtype', '')}")
    return x


def gradcheck(f, x, grad, h=1e-5, indices=None):
    """:func:`relative_error` between an analytic gradient ``grad`` of scalar ``f`` at x (float64)
    and :func:`numerical_gradient`, over all entries or only the flat ``indices`` given."""
    grad = np.asarray(grad)
    if grad.shape != np.shape(x):
        raise ValueError(f"grad must have the shape of x {np.shape(x)}, got {grad.shape}")
    numeric = numerical_gradient(f, x, h, indices)
    if indices is None:
        return relative_error(grad, numeric)
    return relative_error(grad.flat[indices], numeric.flat[indices])


def gradcheck_layer(layer, x, y=None, *, loss=None, h=1e-5, max_checks=100, seed=0):
    """Check a layer's (or a whole model's) backward pass; returns {"input": err, "<param>": err}.

    Works on a float64 copy (``layer`` is untouched). Without ``y`` the checked function is
    f = sum(forward(x) * R) with a fixed random R, whose gradient flowing back is exactly R, so
    every output position is tested; with ``y`` it is loss(forward(x), y) (SoftmaxCrossEntropy by
    default). Each gradient (the input's and every parameter's) is compared with centred finite
    differences at up to ``max_checks`` randomly chosen entries (None: all) using
    :func:`relative_error`. Forward runs with training=True; random layers (Dropout) get the same
    random numbers on every evaluation, so f is a fixed function.
    """
    layer = copy.deepcopy(layer).astype(np.float64)
    x = np.array(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    random_layers = [part for part in getattr(layer, "layers", [layer])
                     if isinstance(getattr(part, "rng", None), np.random.Generator)]
    states = [part.rng.bit_generator.state for part in random_layers]
    loss = SoftmaxCrossEntropy() if (loss is None and y is not None) else loss

    def forward(x_in):
        for part, state in zip(random_layers, states):
            part.rng.bit_generator.state = state
        return layer.forward(x_in, training=True)

    if y is None:
        projection = rng.standard_normal(forward(x).shape)

        def f(x_in):
            return np.sum(forward(x_in) * projection)
    else:
        def f(x_in):
            return loss.forward(forward(x_in), y)
    f(x)    # the forward pass whose caches backward uses
    grad_out = projection if y is None else loss.backward()
    grad_x = layer.backward(grad_out)
    analytic = {"input": grad_x, **{name: g.copy() for name, g in layer.named_gradients()}}
    arrays = {"input": x, **dict(layer.named_parameters())}
    errors = {}
    for name, array in arrays.items():
        indices = None
        if max_checks is not None and array.size > max_checks:
            indices = rng.choice(array.size, size=max_checks, replace=False)
        errors[name] = gradcheck(lambda _, x_fixed=x: f(x_fixed), array, analytic[name], h, indices)
    return errors


def decay_learning_rate(optimizer, factor=0.5, every=1):
    """A callback for :func:`fit` that multiplies ``optimizer.lr`` by ``factor`` every ``every``
    epochs (a step schedule): big steps early to learn fast, small steps late to settle.

        fit(model, x, y, ..., optimizer=opt, callbacks=[decay_learning_rate(opt, 0.7)])
    """
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor <= 1:
        raise ValueError(f"factor must be in (0, 1], got {factor!r}")
    every = as_positive_int(every, "every")

    def callback(event, history):
        if event == "epoch_end" and (history.epoch + 1) % every == 0:
            optimizer.lr *= factor
    return callback
