"""Softmax regression trained by mini-batch SGD: the smallest training loop (notebook 10's Debug it).

A single dense layer, scores z = x W^T + b, with softmax cross-entropy. Each step takes the next
batch (in order, no shuffling, so a hand-written loop can be compared number for number), computes
the batch's *mean* gradient afresh and moves against it:

    dL/dz_i = (softmax(z_i) - onehot(y_i)) / B        for each of the B samples of the batch
    dL/dW = sum_i dL/dz_i x_i^T,   dL/db = sum_i dL/dz_i
    W <- W - lr dL/dW,   b <- b - lr dL/db

:func:`train_softmax_regression` runs it with cnnlib's own pieces (Dense, SoftmaxCrossEntropy, SGD
and :func:`cnnlib.train.train_step`); :func:`softmax_regression_gradients` is the formula above.
``cnnlib.mistakes.TRAINING_LOOP`` holds the loop's two classic mistakes.
"""
import numpy as np

from ._checks import as_positive_int
from .losses import softmax

__all__ = ["softmax_regression_gradients", "train_softmax_regression"]


def softmax_regression_gradients(xb, yb, w, b):
    """The mean cross-entropy's gradients over one batch, (dL/dW, dL/db), by the formula above.

    Inputs:   xb  B x D inputs;  yb  (B,) integer labels 0..C-1;  w  C x D weights;  b  (C,) biases
    Returns:  (grad_w, grad_b), shaped like w and b (float64).

    >>> gw, gb = softmax_regression_gradients(np.array([[1.0, 2.0]]), np.array([0]), np.zeros((2, 2)), np.zeros(2))
    >>> gw                          # softmax of equal scores is (0.5, 0.5); minus the one-hot (1, 0)
    array([[-0.5, -1. ],
           [ 0.5,  1. ]])
    """
    xb, w, b = (np.asarray(a, dtype=np.float64) for a in (xb, w, b))
    yb = np.asarray(yb)
    g = softmax(xb @ w.T + b, axis=1)
    g[np.arange(len(yb)), yb] -= 1.0                # dL_i/dz_i = softmax(z_i) - onehot(y_i)
    g /= len(yb)                                    # the loss is the batch's mean
    return g.T @ xb, g.sum(axis=0)


def train_softmax_regression(x, y, w, b, *, lr, batch_size, epochs=1):
    """Softmax regression trained by mini-batch SGD, batches taken in order; returns (W, b).

    cnnlib's pieces do the work: a float64 Dense layer holding copies of w and b, and one
    :func:`cnnlib.train.train_step` with SoftmaxCrossEntropy and ``SGD(lr)`` per batch. The
    inputs are not changed.

    Inputs:   x  N x D inputs;  y  (N,) integer labels 0..C-1;  w  C x D start weights;  b  (C,) start
              biases;  lr  the learning rate;  batch_size  samples per step (the last batch may be
              smaller);  epochs  passes over the data
    Returns:  (w, b) after training, float64 arrays shaped like w and b.

    >>> x, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])
    >>> w, b = train_softmax_regression(x, y, np.zeros((2, 2)), np.zeros(2), lr=1.0, batch_size=2)
    >>> w                            # one step: -lr * the mean gradient, 0.25 per entry
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    from .nn import Dense, SoftmaxCrossEntropy          # here, not at the top: cnnlib.nn imports much of cnnlib
    from .optim import SGD
    from .train import train_step

    x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
    y = np.asarray(y)
    batch_size, epochs = as_positive_int(batch_size, "batch_size"), as_positive_int(epochs, "epochs")
    layer = Dense(w.shape[1], w.shape[0], dtype=np.float64)
    layer.params["weight"][...], layer.params["bias"][...] = w, b
    loss, optimizer = SoftmaxCrossEntropy(), SGD(lr=lr)
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            train_step(layer, loss, optimizer, x[start:start + batch_size], y[start:start + batch_size])
    return layer.params["weight"].copy(), layer.params["bias"].copy()
