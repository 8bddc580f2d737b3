"""Descent paths across small loss surfaces (notebooks 07 and 09).

``gradient_descent`` (notebook 07) follows plain gradient descent on any function of a few
variables. Notebook 09 compares optimisers on two 2D surfaces, a saddle between two minima and a
long narrow valley (:data:`SURFACES`), with :func:`run_optimiser`, which takes its steps with
``cnnlib.optim``'s update functions: the same code that trains a network, on a point (x, y).
"""
import numbers
from typing import Callable, NamedTuple, Optional

import numpy as np

from ._checks import as_float_array, as_nonnegative_int
from .optim import adam_update, sgd_update


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


# --- two loss surfaces and a trajectory runner (notebook 09) -------------------------------------

def saddle_loss(x, y):
    """f(x, y) = x^2 + (y^2 - 1)^2 / 2: notebook 07's saddle x^2 - y^2, bent back up so the loss is
    bounded below. A saddle at (0, 0) (height 1/2, curvatures +2 along x, -2 along y) between two
    minima at (0, -1) and (0, 1) (height 0). x and y may be arrays (a grid for a contour plot)."""
    return x ** 2 + (y ** 2 - 1) ** 2 / 2


def saddle_gradient(point):
    """The gradient of :func:`saddle_loss` at a point (x, y): (2x, 2y(y^2 - 1))."""
    x, y = point
    return np.array([2 * x, 2 * y * (y * y - 1)])


def valley_loss(x, y):
    """f(x, y) = x^2 / 20 + 2 y^2: a long narrow valley, 40 times more curved across (y, curvature 4)
    than along its floor (x, curvature 0.1). Minimum 0 at (0, 0)."""
    return x ** 2 / 20 + 2 * y ** 2


def valley_gradient(point):
    """The gradient of :func:`valley_loss` at a point (x, y): (x / 10, 4y)."""
    x, y = point
    return np.array([x / 10, 4 * y])


class Surface(NamedTuple):
    """A 2D loss surface: ``loss(x, y)`` (vectorised), ``gradient(point)``, the plotting window
    ``xlim``/``ylim``, and its named critical points (``points``: name -> (x, y))."""
    name: str
    formula: str
    loss: Callable
    gradient: Callable
    xlim: tuple
    ylim: tuple
    points: dict


SURFACES = {
    "saddle": Surface("saddle", "f = x^2 + (y^2 - 1)^2 / 2", saddle_loss, saddle_gradient, (-2.0, 2.0),
                      (-1.6, 1.6), {"saddle": (0.0, 0.0), "minimum": (0.0, 1.0), "other minimum": (0.0, -1.0)}),
    "valley": Surface("valley", "f = x^2 / 20 + 2 y^2", valley_loss, valley_gradient, (-10.0, 10.0),
                      (-2.5, 2.5), {"minimum": (0.0, 0.0)}),
}
"""The surfaces notebook 09 and its explorer use, by name."""

OPTIMISERS = ("gd", "momentum", "adam")
"""The update rules :func:`run_optimiser` knows: plain gradient descent, momentum, Adam."""


class Trajectory(NamedTuple):
    """What :func:`run_optimiser` returns. ``path``: the points visited, shape (k + 1, 2), row 0 the
    start. ``losses``: the loss at each of them. ``diverged_after``: None, or the number of the step
    that left the box |x|, |y| <= limit (or overflowed); the path then stops just before it."""
    path: np.ndarray
    losses: np.ndarray
    diverged_after: Optional[int]


def run_optimiser(surface, optimiser, start, steps, *, lr, momentum=0.9, beta1=0.9, beta2=0.999, eps=1e-8,
                  limit=1e3):
    """Follow one optimiser across a 2D loss surface for ``steps`` steps and return its :class:`Trajectory`.

    surface: a :class:`Surface` or a name in :data:`SURFACES` ("saddle", "valley").
    optimiser: "gd" (w <- w - lr g), "momentum" (:func:`cnnlib.optim.sgd_update` with ``momentum``)
    or "adam" (:func:`cnnlib.optim.adam_update` with ``beta1``, ``beta2``, ``eps``): the same
    functions that train LeNet-5, applied to a point (x, y).
    start: the first point (x, y). steps: how many updates (>= 0). lr: the learning rate.
    A learning rate too large for the surface makes the point run away; the run stops as soon as a
    coordinate exceeds ``limit`` in size (or is not finite) and says when, instead of raising.
    """
    if isinstance(surface, str):
        if surface not in SURFACES:
            raise ValueError(f"surface must be one of {sorted(SURFACES)} or a Surface, got {surface!r}")
        surface = SURFACES[surface]
    if not isinstance(surface, Surface):
        raise TypeError(f"surface must be a Surface or its name, got {type(surface).__name__}")
    if optimiser not in OPTIMISERS:
        raise ValueError(f"optimiser must be one of {OPTIMISERS}, got {optimiser!r}")
    point = as_float_array(start, "start").astype(np.float64)
    if point.shape != (2,):
        raise ValueError(f"start must be a point (x, y), got shape {point.shape}")
    steps = as_nonnegative_int(steps, "steps")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    path = np.empty((steps + 1, 2))
    path[0] = point
    velocity = m = v = None
    diverged_after = None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            g = surface.gradient(point)
            if optimiser == "adam":
                point, m, v = adam_update(point, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
            else:
                point, velocity = sgd_update(point, g, velocity, lr=lr,
                                             momentum=momentum if optimiser == "momentum" else 0.0)
            if not (abs(point[0]) <= limit and abs(point[1]) <= limit):     # also catches inf and nan
                diverged_after = t
                path = path[:t]
                break
            path[t] = point
    return Trajectory(path, surface.loss(path[:, 0], path[:, 1]), diverged_after)
