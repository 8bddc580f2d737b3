"""Training (notebook 10): one step of gradient descent, the loop that repeats it, and the
measures of the result.

    train_step        one step on one batch: forward, loss, backward, optimiser step
    fit               train_step for every batch of every epoch; returns a :class:`History`
    StepGuard         what makes each step all or nothing (also under Ctrl-C), and takes a
                      diverged run back to its last good weights
    evaluate, predict, confusion_matrix   how well the trained model does

Gradient checking lives in :mod:`cnnlib.gradcheck`; its ``relative_error``,
``numerical_gradient``, ``gradcheck`` and ``gradcheck_layer`` can still be imported from here,
as notebooks 08, 10 and 12 do.

Callbacks (for live plots, early stopping, learning-rate changes): any callable
``callback(event, history)``. ``fit`` calls it with these events:

    "train_begin"  once, before the first batch (history.epochs and steps_per_epoch are set)
    "batch_end"    after every optimiser step; history.batch_loss[-1] and batch_accuracy[-1]
                   are that batch's figures, history.step counts steps so far (1, 2, ...),
                   history.epoch is the current epoch (0-based)
    "epoch_end"    after each epoch; history.loss[-1], accuracy[-1] (and val_loss[-1],
                   val_accuracy[-1] with validation data) are that epoch's figures
    "train_end"    once, whenever training ends: after the last epoch, after an early stop, after
                   Ctrl-C and just before TrainingDiverged is raised. history.stop_reason says why
                   training ended early (None after the last epoch)

A callback may set ``history.stop_training = True`` to end training after the current batch, and
may change ``optimizer.lr`` (see :func:`decay_learning_rate`). It runs inside the training loop,
so one that draws should redraw every few batches only; an object with a ``__call__`` method
(e.g. a dashboard widget holding its figure) works as well as a function. The progress bar of
``fit(progress=True)`` is such a callback. Example:

    def print_every_100(event, history):
        if event == "batch_end" and history.step % 100 == 0:
            print(history.step, history.batch_loss[-1])
        elif event == "epoch_end" and history.val_accuracy:
            print("epoch", history.epoch + 1, "val accuracy", history.val_accuracy[-1])
"""
import contextlib
import copy
import math
import signal
import threading
import time
import warnings

import numpy as np

from ._checks import as_positive_int, as_rng
# Gradient checking is gradcheck.py's; these four stay importable from here for notebooks 08, 10, 12.
from .gradcheck import gradcheck, gradcheck_layer, numerical_gradient, relative_error  # noqa: F401
from .losses import _check_target_rows, softmax
from .nn import SoftmaxCrossEntropy
from .progress import progress_bar

__all__ = ["fit", "train_step", "StepGuard", "History", "TrainingDiverged", "TrainingWarning", "evaluate",
           "predict", "confusion_matrix", "decay_learning_rate", "DIVERGENCE_FACTOR", "CHANCE_FACTOR", "EVENTS"]

DIVERGENCE_FACTOR = 100.0
"""fit stops when a batch loss is NaN/inf or exceeds this many times max(first batch loss, 1)."""

CHANCE_FACTOR = 3.0
"""fit warns (TrainingWarning) when an epoch's mean loss exceeds this many times the loss of
guessing, ln(num_classes) (2.30 for 10 classes): the model then does clearly worse than chance."""

EVENTS = ("train_begin", "batch_end", "epoch_end", "train_end")
"""The events fit passes to callbacks, in the order they first occur."""


class TrainingDiverged(RuntimeError):
    """The loss became NaN, infinite or exploded, or an update made a weight NaN/infinite.

    ``.history`` holds the figures up to then (None when raised by :func:`train_step` alone).

    Inputs:   message  what went wrong, and what to try
              history  the :class:`History` so far, or None
    Returns:  the exception (raised by :func:`train_step` and :func:`fit`).

    >>> err = TrainingDiverged("the loss is NaN/infinite")
    >>> print(err, err.history)
    the loss is NaN/infinite None
    """

    def __init__(self, message, history=None):
        super().__init__(message)
        self.history = history


class TrainingWarning(UserWarning):
    """Training runs but something is wrong, e.g. the loss stays far above chance (CHANCE_FACTOR)
    or training was interrupted with Ctrl-C.

    Inputs:   the warning's message (fit writes it)
    Returns:  the warning category; filter on it to silence or to catch fit's warnings.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", TrainingWarning)      # e.g. in a loop that expects them
    ...     warnings.warn("the loss stays above chance", TrainingWarning)
    """


class History:
    """What ``fit`` recorded. Per epoch: ``loss``, ``accuracy`` (the means over that epoch's
    samples), ``val_loss``, ``val_accuracy`` (empty without validation data) and ``epoch_time``
    (seconds). Per batch: ``batch_loss``, ``batch_accuracy``. Progress: ``epoch`` (0-based),
    ``step`` (optimiser steps so far), ``epochs``, ``steps_per_epoch``. How it ended:
    ``stop_reason`` (None when every epoch ran, else a sentence saying why it stopped),
    ``interrupted`` (True after Ctrl-C).

    fit fills it with three calls: :meth:`start_epoch`, :meth:`record_batch` after every step
    and :meth:`end_epoch`.

    Inputs:   epochs, steps_per_epoch, batch_size  the plan of the run (ints)
    Returns:  an empty History (fit returns a filled one).

    >>> history = History(epochs=1, steps_per_epoch=2, batch_size=2)
    >>> history.start_epoch(0)
    >>> history.record_batch(0.5, np.array([[2.0, 0.0], [2.0, 0.0]]), np.array([0, 1]))  # 1 of 2 right
    >>> history.record_batch(0.2, np.array([[0.0, 2.0]]), np.array([1]))                # 1 of 1 right
    >>> history.end_epoch()
    >>> history          # the epoch's means over its 3 samples: (2 x 0.5 + 0.2) / 3 and 2 / 3
    History(1 epoch(s), 2 steps, loss=0.4000, accuracy=0.6667)
    """

    def __init__(self, epochs, steps_per_epoch, batch_size):
        self.epochs, self.steps_per_epoch, self.batch_size = epochs, steps_per_epoch, batch_size
        self.loss, self.accuracy, self.val_loss, self.val_accuracy, self.epoch_time = [], [], [], [], []
        self.batch_loss, self.batch_accuracy = [], []
        self.epoch, self.step = 0, 0
        self.stop_training = False
        self.interrupted = False
        self.stop_reason = None
        self.start_epoch(0)

    def start_epoch(self, epoch):
        """Begin epoch ``epoch`` (0-based): its clock starts and its running sums are zero."""
        self.epoch = epoch
        self._started, self._loss_sum, self._correct, self._seen = time.perf_counter(), 0.0, 0, 0

    def record_batch(self, loss, logits, labels):
        """Record one step: the batch's mean ``loss`` (a float) and its accuracy, the fraction of
        rows of ``logits`` (B x C) whose largest score is at their label in ``labels`` (B,)."""
        correct = int(np.sum(logits.argmax(axis=1) == labels))
        self.batch_loss.append(loss)
        self.batch_accuracy.append(correct / len(labels))
        self.step += 1
        self._loss_sum += loss * len(labels)     # weighted by batch size: a short last batch counts less
        self._correct += correct
        self._seen += len(labels)

    def end_epoch(self, validation=None):
        """Record the epoch's mean loss and accuracy over its samples, ``validation`` (a pair
        (val_loss, val_accuracy), or None) and the seconds since :meth:`start_epoch`."""
        self.loss.append(self._loss_sum / self._seen)
        self.accuracy.append(self._correct / self._seen)
        if validation is not None:
            self.val_loss.append(validation[0])
            self.val_accuracy.append(validation[1])
        self.epoch_time.append(time.perf_counter() - self._started)

    @property
    def train_time(self):
        """Seconds spent in all finished epochs (training plus validation)."""
        return float(sum(self.epoch_time))

    def __repr__(self):
        last = ", ".join(f"{name}={getattr(self, name)[-1]:.4f}" for name in
                         ("loss", "accuracy", "val_loss", "val_accuracy") if getattr(self, name))
        flag = ", interrupted" if self.interrupted else ""
        return f"History({len(self.loss)} epoch(s), {self.step} steps{', ' + last if last else ''}{flag})"


def train_step(model, loss, optimizer, xb, yb, *, max_loss=np.inf):
    """One step of mini-batch gradient descent on (xb, yb); returns (the batch's loss, its logits).

        logits = model.forward(xb, training=True)     forward
        L = loss.forward(logits, yb)                  loss; stop if L is NaN, inf or above max_loss
        model.backward(loss.backward())               backward: dL/dw for every weight
        optimizer.step(model)                         step; stop if a weight became NaN or inf

    Raises :class:`TrainingDiverged` when L is NaN, infinite or above ``max_loss`` (before any
    update), or when the update made a weight NaN or infinite (the update is then undone). The
    step is all or nothing (a :class:`StepGuard` sees to it): if anything in it raises
    (divergence, a bad batch, a bug in ``optimizer.step``), every weight, batch norm's running
    statistics (which the training forward updates) and the optimiser's state (velocities,
    moments, step count) are put back as before this step, and Ctrl-C during the step takes
    effect once it has finished. ``optimizer`` must be an object (``SGD(lr=0.01)``, not the class
    ``SGD``); a class gets a TypeError saying to add the parentheses.

    Inputs:   model      a cnnlib.nn layer or model (e.g. lenet5()), updated in place
              loss       e.g. SoftmaxCrossEntropy(), with forward(logits, yb) and backward()
              optimizer  e.g. cnnlib.optim.Adam(), with a step(model) method
              xb         B x ... batch, e.g. B x 1 x 32 x 32 float32 images
              yb         (B,) integer labels 0..C-1 (or B x C one-hot rows)
              max_loss   a float; a larger batch loss raises TrainingDiverged (default: no limit)
    Returns:  (batch_loss, logits): the batch's mean loss (a float, before the update) and the
              B x C logits of the forward pass.

    >>> from cnnlib.nn import lenet5, SoftmaxCrossEntropy
    >>> from cnnlib.optim import Adam
    >>> model, loss, opt = lenet5(), SoftmaxCrossEntropy(), Adam(lr=3e-3)
    >>> xb = np.random.default_rng(0).random((4, 1, 32, 32), dtype=np.float32)  # 4 stand-in images
    >>> yb = np.array([0, 1, 2, 3])
    >>> first, logits = train_step(model, loss, opt, xb, yb)
    >>> logits.shape
    (4, 10)
    >>> abs(first - 2.303) < 0.2                   # untrained: near ln 10 = 2.303, a guess
    True
    >>> second, _ = train_step(model, loss, opt, xb, yb)   # the same batch, one step later
    >>> second < first
    True
    """
    _check_optimizer(optimizer)
    _check_loss(loss)
    with StepGuard(model, optimizer).step():                   # all or nothing
        with np.errstate(over="ignore", invalid="ignore"):     # overflow shows up in the checks below
            logits = model.forward(xb, training=True)
            batch_loss = loss.forward(logits, yb)
            _check_batch_loss(batch_loss, max_loss)
            model.backward(loss.backward())
            optimizer.step(model)
        _check_weights(model)
    return batch_loss, logits


def _check_batch_loss(batch_loss, max_loss):
    if not np.isfinite(batch_loss):
        raise TrainingDiverged("the loss is NaN/infinite")
    if batch_loss > max_loss:
        raise TrainingDiverged(f"the loss exploded to {batch_loss:.4g}, above the limit {max_loss:.4g}")


def _check_weights(model):
    """Raise TrainingDiverged if the update made a weight NaN/infinite; the step's guard undoes it."""
    broken = [name for name, p in model.named_parameters() if not np.all(np.isfinite(p))]
    if broken:
        err = TrainingDiverged(f"the update made {', '.join(broken[:3])}{' ...' if len(broken) > 3 else ''} "
                               "NaN/infinite, so it was undone: the weights are as before this step")
        err.update_undone = True        # the loss was fine: no need to go back a step further
        raise err


class StepGuard:
    """Makes each training step all or nothing, and takes a diverged run back to its last good weights.

    A step changes three things: the weights, batch norm's running statistics (the training
    forward updates them) and the optimiser's state (momentum's velocities, Adam's moments and
    step count). ``with guard.step():`` copies all three, runs the block, and then:

    * the block finished: its changes stay (the copy is kept only to go back one step later);
    * the block raised (TrainingDiverged, a bad batch, a bug in ``optimizer.step``, a
      KeyboardInterrupt raised by code): all three are put back as before the block, and the
      error goes on;
    * it raised TrainingDiverged about the *loss* (not about an update already undone, which has
      ``update_undone`` set): that loss came from the weights the previous step's update made,
      so the guard goes back one step further, to before that update, the last weights whose
      loss was finite and recorded. ``went_back`` says whether it did.
    * Ctrl-C (SIGINT) while the block runs waits until the block has finished, then raises
      KeyboardInterrupt: a step is never left half done, and the batch it trained is recorded
      before training stops.

    :func:`train_step` guards itself; :func:`fit` guards each step again, with the batch's
    bookkeeping inside, so that the model and the History always agree.

    Inputs:   model      a cnnlib.nn layer or model
              optimizer  the optimiser that updates it (its state is copied with the weights)
    Returns:  a guard; ``guard.step()`` is the context manager for one step.

    >>> from cnnlib.nn import Dense
    >>> from cnnlib.optim import SGD
    >>> layer = Dense(2, 1, rng=0)
    >>> guard = StepGuard(layer, SGD(lr=0.1))
    >>> with guard.step():                         # a step that finishes is kept
    ...     layer.params["bias"][0] = 1.0
    >>> try:
    ...     with guard.step():                     # a step that fails half way is undone
    ...         layer.params["bias"][0] = 2.0
    ...         raise ValueError("a bad batch")
    ... except ValueError:
    ...     pass
    >>> layer.params["bias"]
    array([1.], dtype=float32)
    """

    def __init__(self, model, optimizer):
        self.model, self.optimizer = model, optimizer
        self.before = None          # the copy taken before the latest step
        self.failed = None          # the error that ended the latest step, if one did
        self.went_back = False      # whether that error took the model back to before the step before

    @contextlib.contextmanager
    def step(self):
        """Guard one step: ``with guard.step(): ...`` (see the class)."""
        previous, self.before = self.before, self._copy()
        with _interrupts_deferred():
            try:
                yield
            except BaseException as err:
                self.failed = err
                self.went_back = (previous is not None and isinstance(err, TrainingDiverged)
                                  and not getattr(err, "update_undone", False))
                self._put_back(previous if self.went_back else self.before)
                raise

    def _copy(self):
        """Copies of the weights, the running statistics and the optimiser's state. The memo keeps
        an optimiser's reference to the model a reference (deepcopy would copy the whole model)."""
        arrays = self.model.named_parameters() + self.model.named_buffers()
        state = copy.deepcopy(getattr(self.optimizer, "__dict__", {}), {id(self.model): self.model})
        return [array.copy() for _, array in arrays], state

    def _put_back(self, saved):
        """Restore a copy; it stays intact (the state is copied again), so it can be restored twice."""
        arrays, state = saved
        for (_, array), old in zip(self.model.named_parameters() + self.model.named_buffers(), arrays):
            array[...] = old
        if hasattr(self.optimizer, "__dict__"):
            self.optimizer.__dict__.clear()
            self.optimizer.__dict__.update(copy.deepcopy(state, {id(self.model): self.model}))


@contextlib.contextmanager
def _interrupts_deferred():
    """Hold Ctrl-C (SIGINT) back until the block has finished, then raise it (KeyboardInterrupt).

    StepGuard's steps use it, and so does anything else that must not stop half way (loading
    weights into a model, in cnnlib.nn)."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield                           # only the main thread can (and does) receive signals
        return
    received = []
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            if callable(previous):      # Python's handler raises KeyboardInterrupt; an outer deferral records it
                previous(signal.SIGINT, received[0])
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)


def fit(model, x, y, *, epochs, batch_size, optimizer, validation_data=None, progress=True,
        callbacks=(), rng=0, loss=None, augment=None):
    """Train ``model`` on (x, y) with mini-batch gradient descent; returns a :class:`History`.

    Each epoch visits the samples in a fresh random order in batches of ``batch_size`` and runs
    :func:`train_step` on each: forward with training=True, loss, backward,
    ``optimizer.step(model)``. ``loss`` defaults to SoftmaxCrossEntropy (labels y as integers
    0..C-1). ``validation_data=(x_val, y_val)`` is evaluated after each epoch. ``progress=True``
    shows a tqdm bar (a widget in Jupyter, text in a terminal) with the running loss and accuracy.
    ``callbacks``: see the module docstring.

    ``rng`` (an int seed, a numpy Generator or None) fixes the shuffling and reseeds every layer
    that draws random numbers (each Dropout gets a new generator spawned from it), so the same
    seed, model and data give the same numbers.

    ``augment``: a function ``augment(xb, rng)`` returning a new batch of xb's shape, applied to
    every training batch just before its step (never to validation data), e.g.
    ``cnnlib.augment.augmenter()`` for random distortions (notebook 11). Its ``rng`` is a Generator
    spawned from fit's ``rng``, so augmented runs repeat too.

    Data: x, y (and x_val, y_val) must be non-empty and finite; a sample with NaN or inf is
    refused before training with a ValueError naming its index. With the default loss, the
    labels y and y_val are checked against the model's number of scores before training too
    (integers 0..C-1, or one-hot/probability rows of C columns), so a bad validation label
    is refused at once instead of after the first epoch.

    When training goes wrong (each step runs under a :class:`StepGuard`):

    * Divergence: :class:`TrainingDiverged` (its ``.history`` holds the figures so far) when a
      batch loss is NaN, infinite or above DIVERGENCE_FACTOR x max(first batch loss, 1), or when
      an update makes a weight NaN/infinite. The model is left with its last good weights: those
      from before the update that produced the bad loss (the weights that gave the last recorded
      batch loss) or the bad weights; the optimiser's state and batch norm's running statistics
      are rolled back with them. A NaN loss on
      the very first batch, before any update, is not blamed on the learning rate.
    * A loss far above chance: when an epoch's mean loss exceeds CHANCE_FACTOR x ln(num_classes)
      (SoftmaxCrossEntropy only) fit warns once with a :class:`TrainingWarning` and goes on.
    * Ctrl-C (KeyboardInterrupt, also one raised by a callback): training stops, "train_end" is
      sent, a TrainingWarning says so, and fit *returns* the History so far with
      ``history.interrupted = True``. A batch is never left half done: Ctrl-C during a batch takes
      effect once it is recorded, and an exception inside ``optimizer.step`` undoes the step.

    LeNet-5 on the 10,000-image MNIST subset: ``opt = Adam(lr=3e-3)``, batch_size=64, epochs=8,
    ``callbacks=[decay_learning_rate(opt, 0.7)]`` reaches about 98% test accuracy
    (benchmarks/bench_lenet.py measures it).

    Inputs:   model            a cnnlib.nn layer or model (e.g. lenet5()), trained in place
              x                N x ... samples, e.g. N x 1 x 32 x 32 float32 images
              y                (N,) integer labels 0..C-1 (or N x C one-hot rows)
              epochs           passes over the data (a positive int)
              batch_size       samples per step (the last batch of an epoch may be smaller)
              optimizer        e.g. cnnlib.optim.Adam(lr=3e-3), with a step(model) method
              validation_data  (x_val, y_val) like (x, y), or None
    Returns:  a :class:`History`: per epoch ``loss``, ``accuracy`` (``val_loss``, ``val_accuracy``)
              and ``epoch_time``, lists of one float per epoch; per step ``batch_loss`` and
              ``batch_accuracy``, lists of epochs x ceil(N / batch_size) floats.

    >>> from cnnlib.nn import lenet5
    >>> from cnnlib.optim import Adam
    >>> x = np.random.default_rng(0).random((8, 1, 32, 32), dtype=np.float32)   # 8 stand-in images
    >>> y = np.arange(8)                                                        # labels 0..7
    >>> history = fit(lenet5(), x, y, epochs=2, batch_size=4, optimizer=Adam(lr=3e-3), progress=False)
    >>> history.step, len(history.batch_loss), len(history.loss)   # 2 epochs x 2 batches of 4
    (4, 4, 2)
    >>> abs(history.batch_loss[0] - 2.303) < 0.1   # the untrained net guesses: ln 10 = 2.303
    True
    >>> history.loss[1] < history.loss[0]          # the second epoch does better
    True
    """
    # Every argument is checked before the first step: a mistake should cost no training time.
    x, y, validation_data = _checked_data(x, y, validation_data)
    epochs, batch_size = as_positive_int(epochs, "epochs"), as_positive_int(batch_size, "batch_size")
    _check_optimizer(optimizer)
    bar = _ProgressBar(show=progress)
    callbacks = [bar, *_checked_functions(callbacks, augment)]
    loss, num_classes = _checked_loss(loss, model, x, y, validation_data)
    shuffle_rng, augment_rng = _seeded(model, rng, augment)
    history, labels = History(epochs, math.ceil(len(x) / batch_size), batch_size), _labels(y)
    guard, diverged = StepGuard(model, optimizer), None
    try:
        _send(callbacks, "train_begin", history)
        for epoch in range(epochs):
            history.start_epoch(epoch)
            for batch in _batches(shuffle_rng.permutation(len(x)), batch_size):
                xb = x[batch] if augment is None else _augmented(augment, x[batch], augment_rng)
                with guard.step():      # all or nothing; Ctrl-C waits until the batch is recorded
                    batch_loss, logits = train_step(model, loss, optimizer, xb, y[batch],
                                                    max_loss=_loss_limit(history))
                    history.record_batch(batch_loss, logits, labels[batch])
                _send(callbacks, "batch_end", history)
                if history.stop_training:
                    break
            history.end_epoch(None if validation_data is None else
                              evaluate(model, *validation_data, batch_size=max(batch_size, 256), loss=loss))
            _warn_if_worse_than_chance(history, num_classes, optimizer)
            _send(callbacks, "epoch_end", history)
            if history.stop_training:
                history.stop_reason = f"stopped by a callback after step {history.step}"
                break
    except KeyboardInterrupt:
        _interrupted(history)
    except TrainingDiverged as err:
        diverged = _diverged(err, optimizer, history, guard)
    finally:
        bar.close()             # also when an error nobody expected ends training
    _end_training(callbacks, history)
    if diverged is not None:
        raise diverged
    if history.interrupted:
        warnings.warn(f"training {history.stop_reason}; fit returns the History so far "
                      "(history.interrupted is True)", TrainingWarning, stacklevel=2)
    return history


# --- fit's helpers: the checks before training, and what happens when it stops -------------------

def _labels(y):
    """Integer class labels from labels or one-hot targets."""
    y = np.asarray(y)
    return y.argmax(axis=1) if y.ndim == 2 else y


def _check_data(x, y, name="x", y_name="y"):
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"{name} must be a batch of samples (N x ...), got shape {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{name} must hold at least one sample, got shape {x.shape} (an empty batch)")
    if y is not None:
        y = np.asarray(y)
        if y.ndim not in (1, 2) or len(y) != len(x):
            raise ValueError(f"{y_name} must hold one label (or one-hot row) per sample: {name} has {len(x)} "
                             f"samples, {y_name} has shape {y.shape}")
    return x, y


def _check_finite(array, name):
    """Refuse NaN/inf in the data before training: they make the loss NaN, which would look like a
    learning rate that is too high."""
    if not np.issubdtype(array.dtype, np.inexact):
        return
    bad = np.flatnonzero(~np.isfinite(array.reshape(len(array), -1)).all(axis=1))
    if len(bad):
        others = f" (and {len(bad) - 1} more samples: {bad[:10].tolist()}...)" if len(bad) > 1 else ""
        raise ValueError(f"{name} must hold finite numbers, but sample {bad[0]} contains NaN or inf{others}; "
                         f"repair or drop those samples before training")


def _check_optimizer(optimizer):
    """An optimiser object with a step(model) method; the class itself (``SGD`` for ``SGD()``) is
    the likeliest mistake, and without this check it fails deep inside with a pickling error."""
    if isinstance(optimizer, type):
        raise TypeError(f"optimizer must be an optimizer object such as SGD(lr=0.01), got the class "
                        f"{optimizer.__name__}: add parentheses, e.g. {optimizer.__name__}()")
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(model) method (e.g. cnnlib.optim.Adam()), got {optimizer!r}")


def _check_loss(loss):
    if isinstance(loss, type):
        raise TypeError(f"loss must be a loss object such as SoftmaxCrossEntropy(), got the class {loss.__name__}: "
                        f"add parentheses, e.g. {loss.__name__}()")
    if not (callable(getattr(loss, "forward", None)) and callable(getattr(loss, "backward", None))):
        raise TypeError(f"loss must have forward(logits, y) and backward() methods (e.g. SoftmaxCrossEntropy()), "
                        f"got {loss!r}")
    return loss


def _check_targets(y, num_classes, name):
    """Refuse, before training, targets SoftmaxCrossEntropy would refuse only when it meets their
    batch: a bad label in the last batch, or in the validation data, would otherwise cost an epoch."""
    if y.ndim == 1:
        if not np.issubdtype(y.dtype, np.integer):
            raise TypeError(f"{name} must hold integer class labels 0..{num_classes - 1} (or one-hot rows), "
                            f"got dtype {y.dtype}")
        bad = np.flatnonzero((y < 0) | (y >= num_classes))
        if len(bad):
            others = f" (and {len(bad) - 1} more: {bad[1:11].tolist()}...)" if len(bad) > 1 else ""
            raise ValueError(f"{name} labels must be class numbers 0..{num_classes - 1} (the model gives "
                             f"{num_classes} scores per sample), but {name}[{bad[0]}] is {y[bad[0]]}{others}")
        return
    if y.shape[1] != num_classes:
        raise ValueError(f"{name} has {y.shape[1]} columns, but the model gives {num_classes} scores per sample; "
                         "one-hot rows need one column per class")
    _check_target_rows(y, name)


def _num_classes(model, x):
    """The number of scores the model gives per sample, from one sample in evaluation mode (which
    changes nothing: no dropout drawn, no batch-norm statistics updated)."""
    with np.errstate(over="ignore", invalid="ignore"):
        logits = np.asarray(model.forward(x[:1], training=False))
    if logits.ndim != 2:
        raise ValueError(f"the model must give N x C scores (logits) for SoftmaxCrossEntropy, got shape {logits.shape} "
                         "for one sample; end it with Flatten and Dense layers")
    return logits.shape[1]


def _checked_data(x, y, validation_data):
    """(x, y, validation_data) as arrays, after refusing empty, mismatched or non-finite data."""
    x, y = _check_data(x, y)
    _check_finite(x, "x")
    _check_finite(y, "y")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (x_val, y_val)")
        validation_data = _check_data(*validation_data, name="x_val", y_name="y_val")
        _check_finite(validation_data[0], "x_val")
        _check_finite(validation_data[1], "y_val")
    return x, y, validation_data


def _checked_functions(callbacks, augment):
    """The callbacks as a list; they and ``augment`` are functions fit calls, so refuse anything else."""
    callbacks = [callbacks] if callable(callbacks) else list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"each callback must be callable as callback(event, history), got {cb!r}")
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a function augment(batch, rng) -> batch, got {augment!r}")
    return callbacks


def _checked_loss(loss, model, x, y, validation_data):
    """(loss, number of classes): the loss object, and for SoftmaxCrossEntropy the model's number of
    scores per sample (None for other losses), after checking the labels against it."""
    loss = SoftmaxCrossEntropy() if loss is None else _check_loss(loss)
    if not isinstance(loss, SoftmaxCrossEntropy):
        return loss, None
    num_classes = _num_classes(model, x)
    _check_targets(y, num_classes, "y")
    if validation_data is not None:
        _check_targets(validation_data[1], num_classes, "y_val")
    return loss, num_classes


def _seeded(model, rng, augment):
    """fit's one seed, made into a Generator for the shuffling; every layer that draws random numbers
    (Dropout) gets a new Generator spawned from it, and so does ``augment``. Returns (shuffle_rng,
    augment_rng or None)."""
    rng = as_rng(rng)
    random_layers = _random_layers(model)
    for layer, layer_rng in zip(random_layers, rng.spawn(len(random_layers))):
        layer.rng = layer_rng           # spawning leaves rng's own stream (the shuffling) unchanged
    return rng, (rng.spawn(1)[0] if augment is not None else None)


def _random_layers(layer):
    """``layer`` and the layers inside it that draw random numbers (those with a Generator ``rng``)."""
    found = [layer] if isinstance(getattr(layer, "rng", None), np.random.Generator) else []
    for inner in getattr(layer, "layers", ()):
        found += _random_layers(inner)
    return found


def _batches(order, batch_size):
    """The sample indices of each batch: ``order`` cut into pieces of batch_size (the last may be shorter)."""
    return (order[start:start + batch_size] for start in range(0, len(order), batch_size))


def _loss_limit(history):
    """The batch loss above which training has diverged: DIVERGENCE_FACTOR x max(first batch loss, 1)."""
    return DIVERGENCE_FACTOR * max(history.batch_loss[0], 1.0) if history.batch_loss else np.inf


def _send(callbacks, event, history):
    for callback in callbacks:
        callback(event, history)


def _augmented(augment, xb, rng):
    """augment(xb, rng), checked: same shape as the batch, finite."""
    out = np.asarray(augment(xb, rng))
    if out.shape != xb.shape:
        raise ValueError(f"augment must return a batch of the input's shape {xb.shape}, got {out.shape}")
    _check_finite(out, "the augmented batch")
    return out


def _interrupted(history):
    """Record a Ctrl-C (KeyboardInterrupt) in the History; an earlier stop_reason stays."""
    history.interrupted = True
    history.stop_reason = history.stop_reason or f"interrupted (Ctrl-C) after step {history.step}"


def _end_training(callbacks, history):
    """Send "train_end"; a Ctrl-C in one of its callbacks counts as an interruption, not as a crash."""
    try:
        _send(callbacks, "train_end", history)
    except KeyboardInterrupt:
        _interrupted(history)


def _advice(optimizer):
    lr = getattr(optimizer, "lr", None)
    return "try a smaller learning rate" + (f" (e.g. lr={lr / 10:g} instead of {lr:g})" if lr else "")


def _diverged(err, optimizer, history, guard):
    """The TrainingDiverged fit raises: where training stopped, why, and which weights the model kept
    (the step's guard has already put them back). One a callback raised keeps its own message."""
    if err is not guard.failed:
        err.history = history if err.history is None else err.history
        history.stop_reason = str(err)
        return err
    where = f"training stopped at step {history.step + 1} (epoch {history.epoch + 1}): {err}"
    if getattr(err, "update_undone", False):
        message = f"{where}; {_advice(optimizer)}."
    elif not guard.went_back:           # no step before this one: the learning rate did nothing yet
        message = (f"{where} on the first batch, before any update, so the learning rate is not the cause: "
                   "check the model's initial weights, its layers and the loss. The weights were not changed.")
    else:
        message = (f"{where} (the first batch's loss was {history.batch_loss[0]:.4g}); {_advice(optimizer)}. "
                   f"The model was reset to its last good weights, those from before step {history.step}'s "
                   f"update, which gave the last recorded batch loss {history.batch_loss[-1]:.4g}; the "
                   "optimizer's state (and any batch norm running statistics) was reset with them.")
    history.stop_reason = message
    return TrainingDiverged(message, history)


def _warn_if_worse_than_chance(history, num_classes, optimizer):
    """Warn when an epoch's mean loss first exceeds CHANCE_FACTOR x ln(num_classes): once per fit,
    for SoftmaxCrossEntropy (num_classes is None for other losses)."""
    if num_classes is None or num_classes < 2:
        return
    chance = math.log(num_classes)
    above = [epoch_loss > CHANCE_FACTOR * chance for epoch_loss in history.loss]
    if above[-1] and not any(above[:-1]):
        warnings.warn(f"epoch {history.epoch + 1}: the mean training loss {history.loss[-1]:.3g} is more than "
                      f"{CHANCE_FACTOR:g}x the loss of guessing, ln({num_classes}) = {chance:.3g}, so the model "
                      f"does worse than chance; {_advice(optimizer)}. Training goes on (set history.stop_training "
                      "in a callback, or press Ctrl-C, to stop it).", TrainingWarning, stacklevel=3)


class _ProgressBar:
    """fit's progress bar, as a callback: cnnlib.progress's bar showing the epoch and the loss and
    accuracy of the epoch so far (nothing at all when ``show`` is false)."""

    def __init__(self, show):
        self.show, self.bar = show, None

    def __call__(self, event, history):
        if not self.show:
            return
        if event == "train_begin":
            self.bar = progress_bar(history.epochs * history.steps_per_epoch, f"epoch 1/{history.epochs}",
                                    unit="batch")
        elif event == "batch_end":
            done = history.step - history.epoch * history.steps_per_epoch    # batches of this epoch
            self.bar.set_description(f"epoch {history.epoch + 1}/{history.epochs}", refresh=False)
            self.bar.set_postfix(loss=f"{np.mean(history.batch_loss[-done:]):.4f}",
                                 acc=f"{np.mean(history.batch_accuracy[-done:]):.4f}", refresh=False)
            self.bar.update(1)
        elif event == "epoch_end":
            figures = {"loss": history.loss[-1], "acc": history.accuracy[-1]}
            if history.val_loss:
                figures.update(val_loss=history.val_loss[-1], val_acc=history.val_accuracy[-1])
            self.bar.set_postfix({name: f"{value:.4f}" for name, value in figures.items()})
        elif event == "train_end":
            self.close()

    def close(self):
        if self.bar is not None:
            self.bar.close()


# --- how well the trained model does --------------------------------------------------------------

def _forward_in_batches(model, x, batch_size):
    for start in range(0, len(x), batch_size):
        yield start, model.forward(x[start:start + batch_size], training=False)


def evaluate(model, x, y, batch_size=256, loss=None):
    """(mean loss, accuracy) of ``model`` on (x, y), in evaluation mode (no dropout).

    x must hold at least one sample (a mean over none is undefined).

    Inputs:   model       a cnnlib.nn layer or model (e.g. lenet5())
              x           N x ... samples, e.g. N x 1 x 32 x 32 float32 images
              y           (N,) integer labels 0..C-1 (or N x C one-hot rows)
              batch_size  samples per forward pass (memory only; the result is the same)
              loss        default SoftmaxCrossEntropy()
    Returns:  (loss, accuracy): two floats, the mean loss over the N samples and the fraction
              whose largest logit is at their label.

    >>> from cnnlib.nn import lenet5
    >>> blank = np.zeros((4, 1, 32, 32), np.float32)       # all 10 logits 0: a tie
    >>> loss, accuracy = evaluate(lenet5(), blank, [0, 1, 2, 3])
    >>> print(round(loss, 3), accuracy)    # ln 10; argmax breaks the tie as class 0: 1 of 4 right
    2.303 0.25
    """
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
    """Class probabilities softmax(model(x)), N x C; ``predict(...).argmax(1)`` gives the classes.

    x must hold at least one sample.

    Inputs:   model       a cnnlib.nn layer or model (e.g. lenet5())
              x           N x ... samples, e.g. N x 1 x 32 x 32 float32 images
              batch_size  samples per forward pass (memory only; the result is the same)
    Returns:  N x C probabilities (each row sums to 1), in the model's dtype.

    >>> from cnnlib.nn import lenet5
    >>> probs = predict(lenet5(), np.zeros((2, 1, 32, 32), np.float32))    # 2 blank images
    >>> probs.shape
    (2, 10)
    >>> print(probs[0].round(3))                   # softmax of 10 equal scores: 0.1 each
    [0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1]
    >>> probs.argmax(1)                            # a tie goes to the first class
    array([0, 0])
    """
    x, _ = _check_data(x, None)
    batch_size = as_positive_int(batch_size, "batch_size")
    return np.concatenate([softmax(logits, axis=1) for _, logits in _forward_in_batches(model, x, batch_size)])


def confusion_matrix(y_true, y_pred, num_classes=None):
    """C x C counts: entry [t, p] is how many samples of true class t were predicted as p.

    The diagonal holds the correct predictions; ``num_classes`` defaults to max label + 1.

    Inputs:   y_true, y_pred  (N,) integer labels.
    Returns:  a C x C int array.

    >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2])      # one 0 taken for a 1
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 0, 1]])
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


def decay_learning_rate(optimizer, factor=0.5, every=1):
    """A callback for :func:`fit` that multiplies ``optimizer.lr`` by ``factor`` every ``every``
    epochs (a step schedule): big steps early to learn fast, small steps late to settle.

        fit(model, x, y, ..., optimizer=opt, callbacks=[decay_learning_rate(opt, 0.7)])

    Inputs:   optimizer  an optimiser with an ``lr`` attribute (the one fit steps with)
              factor     a float in (0, 1]
              every      epochs between two decays (a positive int)
    Returns:  a callback(event, history) for fit's ``callbacks``.

    >>> from cnnlib.nn import lenet5
    >>> from cnnlib.optim import SGD
    >>> opt = SGD(lr=0.1)
    >>> x, y = np.zeros((4, 1, 32, 32), np.float32), np.arange(4)
    >>> history = fit(lenet5(), x, y, epochs=4, batch_size=4, optimizer=opt, progress=False,
    ...               callbacks=[decay_learning_rate(opt, 0.5, every=2)])
    >>> opt.lr                                     # halved after epochs 2 and 4: 0.1 / 4
    0.025
    """
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor <= 1:
        raise ValueError(f"factor must be in (0, 1], got {factor!r}")
    every = as_positive_int(every, "every")

    def callback(event, history):
        if event == "epoch_end" and (history.epoch + 1) % every == 0:
            optimizer.lr *= factor
    return callback
