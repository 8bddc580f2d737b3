"""Plain gradient descent on a function of a few variables (taught in notebook 07).

Used to draw the path a learner takes across a loss surface: a bowl, a narrow valley, a saddle.
Training a network uses the same update, w <- w - lr * grad L(w), on millions of weights.
"""
import numbers

import numpy as np

from ._checks import as_float_array, as_nonnegative_int


def gradient_descent(grad_fn, start, lr, steps):
    """Follow w_{k+1} = w_k - lr * grad_fn(w_k) for ``steps`` steps and return every point visited.

    grad_fn: callable taking a point (array of shape (d,)) and returning its gradient (shape (d,)).
    start: the first point, shape (d,) (a scalar is treated as d = 1).
    lr: the learning rate (step size), a positive number. steps: how many updates, >= 0.
    Returns the path, shape (steps + 1, d): row 0 is ``start``, row k the point after k updates.
    A learning rate that is too large makes the path grow without bound; the path then simply
    shows it (values become huge or inf), which is the lesson, so nothing is raised.
    """
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be a function of the point, got {type(grad_fn).__name__}")
    point = np.atleast_1d(as_float_array(start, "start")).astype(np.float64)
    if point.ndim != 1:
        raise ValueError(f"start must be a point of shape (d,), got shape {point.shape}")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    steps = as_nonnegative_int(steps, "steps")
    path = np.empty((steps + 1, point.size))
    path[0] = point
    for k in range(steps):
        grad = np.atleast_1d(np.asarray(grad_fn(path[k]), dtype=np.float64))
        if grad.shape != point.shape:
            raise ValueError(f"grad_fn must return a gradient of shape {point.shape}, got shape {grad.shape}")
        path[k + 1] = path[k] - lr * grad
    return path
