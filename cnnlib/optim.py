"""Optimisers: the update rules as plain functions (taught in notebook 09), the classes that
apply them to a network's parameters (used in notebook 10), and descent paths across small loss
surfaces (notebooks 07 and 09).

The functions take a weight array, its gradient and the optimiser's memory, and *return* the new
weights and the new memory; they never change their arguments, so a notebook can call them on a
2D point and watch what each step does. ``sgd_update`` and ``adam_update`` are the only place the
two algorithms are written down: :class:`SGD` and :class:`Adam` call them for every parameter.

A class is made once, before training, and ``step(model)`` then updates every array of
``model.named_parameters()`` in place from the matching ``model.named_gradients()``. Its memory
(velocities, moment estimates) is kept per parameter name. ``lr`` is a plain attribute, so a
callback may change it between epochs (see :func:`cnnlib.train.decay_learning_rate`, whose
schedule :func:`decayed_learning_rate` writes as a formula).

``gradient_descent`` (notebook 07) follows plain gradient descent on any function of a few
variables. Notebook 09 compares optimisers on two 2D surfaces, a saddle between two minima and a
long narrow valley (:data:`SURFACES`), with :func:`run_optimiser`, which takes its steps with
``sgd_update`` and ``adam_update``: the same code that trains a network, on a point (x, y).
"""
import numbers
from typing import Callable, NamedTuple, Optional

import numpy as np

from ._checks import as_float_array, as_nonnegative_int

__all__ = ["sgd_update", "adam_update", "decayed_learning_rate", "SGD", "Adam", "gradient_descent",
           "saddle_loss", "saddle_gradient", "valley_loss", "valley_gradient", "Surface", "SURFACES",
           "OPTIMISERS", "Trajectory", "run_optimiser"]


def _check_number(value, name, low, high=np.inf, *, low_inclusive=True):
    if type(value) is float and (low <= value if low_inclusive else low < value) and value < high:
        return value                 # the common case, quickly (nan and inf fail these comparisons)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    below = value < low if low_inclusive else value <= low
    if below or value >= high or not np.isfinite(value):
        bracket = "[" if low_inclusive else "("
        raise ValueError(f"{name} must be in {bracket}{low:g}, {high:g}), got {value!r}")
    return float(value)


def _check_gradient(w, g):
    """w and g as arrays of the same shape (floats); a ValueError names both shapes otherwise."""
    w, g = np.asarray(w), np.asarray(g)
    if w.shape != g.shape:
        raise ValueError(f"g must have the shape of w {w.shape}, got shape {g.shape}")
    if not np.issubdtype(w.dtype, np.floating):
        w = w.astype(np.float64)
    return w, g


def _check_memory(memory, w, name):
    """An optimiser's memory (velocity, m, v): None means "no steps yet", i.e. zeros like w."""
    if memory is None:
        return np.zeros_like(w)
    memory = np.asarray(memory)
    if memory.shape != w.shape:
        raise ValueError(f"{name} must have the shape of w {w.shape}, got shape {memory.shape}")
    return memory


def sgd_update(w, g, velocity=None, *, lr, momentum=0.0, weight_decay=0.0):
    """One step of gradient descent with (heavy-ball) momentum and L2 weight decay.

        g = g + weight_decay * w
        v = momentum * v + g          (with momentum = 0, v is just g: plain gradient descent)
        w = w - lr * v

    w: the weights (any shape). g: dL/dw, same shape. velocity: v from the previous step, same
    shape, or None before the first step (then v starts at 0).
    Returns ``(new_w, new_velocity)`` as new arrays; the arguments are not changed. With a
    constant gradient the velocity grows towards g / (1 - momentum): 10 g for momentum 0.9.
    The same update as ``torch.optim.SGD``.

    Inputs:   w             the weights, any shape
              g             dL/dw, the shape of w
              velocity      the shape of w, or None before the first step
              lr            the learning rate, a number > 0
              momentum      a number in [0, 1), 0 for plain gradient descent
              weight_decay  a number >= 0
    Returns:  (new_w, new_velocity), both the shape of w

    >>> w, v = sgd_update(np.array([1.0]), np.array([1.0]), lr=0.1, momentum=0.9)
    >>> w, v = sgd_update(w, np.array([1.0]), v, lr=0.1, momentum=0.9)
    >>> np.round(w, 3), np.round(v, 3)     # v = 0.9 * 1 + 1; w = 1 - 0.1 * 1 - 0.1 * 1.9
    (array([0.71]), array([1.9]))
    """
    w, g = _check_gradient(w, g)
    lr = _check_number(lr, "lr", 0, low_inclusive=False)
    momentum = _check_number(momentum, "momentum", 0, 1)
    weight_decay = _check_number(weight_decay, "weight_decay", 0)
    if weight_decay:
        g = g + weight_decay * w
    if momentum:
        # The memory keeps the weights' dtype (float32 stays float32), as an in-place update would.
        velocity = (momentum * _check_memory(velocity, w, "velocity") + g).astype(w.dtype, copy=False)
    else:
        velocity = g
    return w - lr * velocity, velocity


def adam_update(w, g, m=None, v=None, t=1, *, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    """One step of Adam (Kingma & Ba, 2015): a step per weight scaled by its own gradient history.

        g = g + weight_decay * w
        m = beta1 m + (1 - beta1) g            running mean of the gradient
        v = beta2 v + (1 - beta2) g^2          running mean of its square
        m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)     (bias correction)
        w = w - lr * m_hat / (sqrt(v_hat) + eps)

    w: the weights (any shape). g: dL/dw, same shape. m, v: the moment estimates from the previous
    step, or None before the first (they start at 0). t: the number of this step, 1 for the first.
    Returns ``(new_w, new_m, new_v)`` as new arrays; the arguments are not changed.

    m and v start at 0, so early on they are too small: after one step m = 0.1 g and
    v = 0.001 g^2. Dividing by 1 - beta^t undoes exactly that shrinkage for a steady gradient, so
    the first step is lr * g / |g| = lr * sign(g) (up to eps), whatever the size of g.

    Inputs:   w             the weights, any shape
              g             dL/dw, the shape of w
              m, v          the shape of w, or None before the first step
              t             int >= 1, the number of this step
              lr            the learning rate, a number > 0
              beta1, beta2  numbers in [0, 1)
              eps           a number > 0
              weight_decay  a number >= 0
    Returns:  (new_w, new_m, new_v), all the shape of w

    >>> w, m, v = adam_update(np.array([1.0, 1.0]), np.array([5.0, -0.01]), lr=0.01)
    >>> np.round(w, 6)                     # both weights move by lr = 0.01, against the gradient
    array([0.99, 1.01])
    >>> np.round(m, 6), np.round(v, 6)     # 0.1 g and 0.001 g^2
    (array([ 0.5  , -0.001]), array([0.025, 0.   ]))
    """
    w, g = _check_gradient(w, g)
    lr = _check_number(lr, "lr", 0, low_inclusive=False)
    beta1 = _check_number(beta1, "beta1", 0, 1)
    beta2 = _check_number(beta2, "beta2", 0, 1)
    eps = _check_number(eps, "eps", 0, low_inclusive=False)
    weight_decay = _check_number(weight_decay, "weight_decay", 0)
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 1:
        raise ValueError(f"t must be the step number, an integer >= 1, got {t!r}")
    if weight_decay:
        g = g + weight_decay * w
    # The memory keeps the weights' dtype (float32 stays float32), as an in-place update would.
    m = (beta1 * _check_memory(m, w, "m") + (1 - beta1) * g).astype(w.dtype, copy=False)
    v = (beta2 * _check_memory(v, w, "v") + (1 - beta2) * g * g).astype(w.dtype, copy=False)
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    step = lr * m_hat / (np.sqrt(v_hat) + eps)
    return w - np.asarray(step).astype(w.dtype, copy=False), m, v


def decayed_learning_rate(lr0, epoch, *, factor=0.5, every=1):
    """The step schedule: lr0 * factor ** (epoch // every), the learning rate used during ``epoch``
    (counted from 0) when :func:`cnnlib.train.decay_learning_rate` (same ``factor``, ``every``)
    multiplies ``optimizer.lr`` by ``factor`` at the end of every ``every``-th epoch.

    With every = 1 it is an exponential decay, one factor per epoch. ``epoch`` may be an array.

    Inputs:   lr0     the learning rate of epoch 0, a number > 0
              epoch   int >= 0, or an integer array of them (any shape)
              factor  a number in (0, 1]
              every   int >= 1
    Returns:  a Python float for one epoch, an array of epoch's shape otherwise

    >>> decayed_learning_rate(0.05, np.arange(4), factor=0.5)            # halved every epoch
    array([0.05   , 0.025  , 0.0125 , 0.00625])
    >>> decayed_learning_rate(0.1, 3, factor=0.5, every=2)               # epoch 3: halved once
    0.05
    """
    lr0 = _check_number(lr0, "lr0", 0, low_inclusive=False)
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor <= 1:
        raise ValueError(f"factor must be in (0, 1], got {factor!r}")
    if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
        raise ValueError(f"every must be an integer >= 1, got {every!r}")
    epoch = np.asarray(epoch)
    if not np.issubdtype(epoch.dtype, np.integer) or np.any(epoch < 0):
        raise ValueError(f"epoch must be a whole number >= 0 (or an array of them), got {epoch!r}")
    lr = lr0 * factor ** (epoch // every)
    return float(lr) if lr.ndim == 0 else lr


def _parameters_with_gradients(model):
    """(name, weight, gradient) for every parameter of ``model``, checked before anything changes.

    A weight must be floating point: the update lr x gradient is small (0.001, say), and an
    integer weight would round it away, so the model would silently never learn."""
    grads = dict(model.named_gradients())
    found = []
    for name, w in model.named_parameters():
        if not np.issubdtype(w.dtype, np.floating):
            raise TypeError(f"parameter {name} has dtype {w.dtype}; an optimiser needs floating-point weights (an "
                            "integer weight rounds every small step to 0): make them float, e.g. "
                            "model.astype(np.float32)")
        if name not in grads:
            raise ValueError(f"parameter {name} has no gradient; call model.backward(...) before optimizer.step(model)")
        found.append((name, w, grads[name]))
    return found


class SGD:
    """Stochastic gradient descent with optional momentum and L2 weight decay: :func:`sgd_update`
    applied to every parameter of a model.

        g = dL/dw + weight_decay * w
        v = momentum * v + g          (v starts at 0; skipped when momentum = 0)
        w = w - lr * v

    The same update as ``torch.optim.SGD``. LeNet-5 on the MNIST subset: lr 0.05, momentum 0.9,
    lr x 0.7 per epoch, 8 epochs reach about 98% test accuracy, like Adam(3e-3).
    """

    def __init__(self, lr=0.01, momentum=0.0, weight_decay=0.0):
        self.lr = _check_number(lr, "lr", 0, low_inclusive=False)
        self.momentum = _check_number(momentum, "momentum", 0, 1)
        self.weight_decay = _check_number(weight_decay, "weight_decay", 0)
        self.velocity = {}

    def step(self, model):
        updates = []
        for name, w, g in _parameters_with_gradients(model):
            new_w, velocity = sgd_update(w, g, self.velocity.get(name), lr=self.lr,
                                         momentum=self.momentum, weight_decay=self.weight_decay)
            updates.append((name, w, new_w, velocity))
        # Every update is computed before any is applied, so an error leaves model and memory as they were.
        for name, w, new_w, velocity in updates:
            if self.momentum:
                self.velocity[name] = velocity
            w[...] = new_w                     # in place: the model holds on to this array

    def __repr__(self):
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g}, weight_decay={self.weight_decay:g})"


class Adam:
    """Adam (Kingma & Ba, 2015): :func:`adam_update` applied to every parameter of a model.

        m = beta1 m + (1 - beta1) g            running mean of the gradient
        v = beta2 v + (1 - beta2) g^2          running mean of its square
        m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)     (corrects the start at 0)
        w = w - lr * m_hat / (sqrt(v_hat) + eps)

    with g = dL/dw + weight_decay * w and t the step count. lr 1e-3 is the usual start;
    LeNet-5 on MNIST trains well with 3e-3, decayed x 0.7 per epoch.
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        self.lr = _check_number(lr, "lr", 0, low_inclusive=False)
        self.beta1 = _check_number(beta1, "beta1", 0, 1)
        self.beta2 = _check_number(beta2, "beta2", 0, 1)
        self.eps = _check_number(eps, "eps", 0, low_inclusive=False)
        self.weight_decay = _check_number(weight_decay, "weight_decay", 0)
        self.m, self.v, self.t = {}, {}, 0

    def step(self, model):
        t = self.t + 1
        updates = []
        for name, w, g in _parameters_with_gradients(model):
            new_w, m, v = adam_update(w, g, self.m.get(name), self.v.get(name), t, lr=self.lr, beta1=self.beta1,
                                      beta2=self.beta2, eps=self.eps, weight_decay=self.weight_decay)
            updates.append((name, w, new_w, m, v))
        # Every update is computed before any is applied, so an error leaves model and memory as they were.
        self.t = t
        for name, w, new_w, m, v in updates:
            self.m[name], self.v[name] = m, v
            w[...] = new_w                     # in place: the model holds on to this array

    def __repr__(self):
        return f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, eps={self.eps:g})"


def gradient_descent(grad_fn, start, lr, steps, *, max_bytes=None):
    """Follow w_{k+1} = w_k - lr * grad_fn(w_k) for ``steps`` steps and return every point visited.

    grad_fn: callable taking a point (array of shape (d,)) and returning its gradient (shape (d,)).
    start: the first point, shape (d,) (a scalar is treated as d = 1).
    lr: the learning rate (step size), a positive number. steps: how many updates, >= 0.
    Returns the path, shape (steps + 1, d): row 0 is ``start``, row k the point after k updates.
    A learning rate that is too large makes the path grow without bound; the path then simply
    shows it (values become huge or inf), which is the lesson, so nothing is raised.

    Inputs:   grad_fn  callable: point (d,) -> gradient (d,)
              start    (d,) the first point, or a number (d = 1)
              lr       a number > 0
              steps    int >= 0
              max_bytes  refuse (ValueError, before allocating) a path larger than this; default
                       ``cnnlib.conv.MAX_BYTES`` (1 GiB), e.g. 67 million steps in 2D
    Returns:  path, float64 array of shape (steps + 1, d)

    >>> gradient_descent(lambda w: 2 * w, [1.0], lr=0.25, steps=3).ravel()   # f = w^2: halves each step
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be a function of the point, got {type(grad_fn).__name__}")
    point = np.atleast_1d(as_float_array(start, "start")).astype(np.float64)
    if point.ndim != 1:
        raise ValueError(f"start must be a point of shape (d,), got shape {point.shape}")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    steps = as_nonnegative_int(steps, "steps")
    from ._checks import check_allocation
    check_allocation("gradient_descent", {f"path of {steps + 1} points x {point.size}": (steps + 1) * point.size * 8},
                     max_bytes)
    path = np.empty((steps + 1, point.size))
    path[0] = point
    for k in range(steps):
        grad = np.atleast_1d(np.asarray(grad_fn(path[k]), dtype=np.float64))
        if grad.shape != point.shape:
            raise ValueError(f"grad_fn must return a gradient of shape {point.shape}, got shape {grad.shape}")
        path[k + 1] = path[k] - lr * grad
    return path


def saddle_loss(x, y):
    """f(x, y) = x^2 + (y^2 - 1)^2 / 2: notebook 07's saddle x^2 - y^2, bent back up so the loss is
    bounded below. A saddle at (0, 0) (height 1/2, curvatures +2 along x, -2 along y) between two
    minima at (0, -1) and (0, 1) (height 0). x and y may be arrays (a grid for a contour plot).

    Inputs:   x, y  numbers, or arrays that broadcast together
    Returns:  f(x, y), a number or an array of the broadcast shape

    >>> saddle_loss(0.0, 0.0), saddle_loss(0.0, 1.0)      # the saddle, a minimum
    (0.5, 0.0)
    """
    return x ** 2 + (y ** 2 - 1) ** 2 / 2


def saddle_gradient(point):
    """The gradient of :func:`saddle_loss` at a point (x, y): (2x, 2y(y^2 - 1)).

    Inputs:   point  (x, y), a pair of numbers
    Returns:  float array of shape (2,)

    >>> saddle_gradient((1.0, 2.0))                       # (2 * 1, 2 * 2 * (4 - 1))
    array([ 2., 12.])
    """
    x, y = point
    return np.array([2 * x, 2 * y * (y * y - 1)])


def valley_loss(x, y):
    """f(x, y) = x^2 / 20 + 2 y^2: a long narrow valley, 40 times more curved across (y, curvature 4)
    than along its floor (x, curvature 0.1). Minimum 0 at (0, 0).

    Inputs:   x, y  numbers, or arrays that broadcast together
    Returns:  f(x, y), a number or an array of the broadcast shape

    >>> valley_loss(10.0, 1.0)                            # 100 / 20 + 2
    7.0
    """
    return x ** 2 / 20 + 2 * y ** 2


def valley_gradient(point):
    """The gradient of :func:`valley_loss` at a point (x, y): (x / 10, 4y).

    Inputs:   point  (x, y), a pair of numbers
    Returns:  float array of shape (2,)

    >>> valley_gradient((10.0, 1.0))
    array([1., 4.])
    """
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

    Inputs:   surface    a Surface, or "saddle" or "valley"
              optimiser  "gd", "momentum" or "adam"
              start      (2,) the first point (x, y)
              steps      int >= 0
              lr         a number > 0 (momentum, beta1, beta2, eps: as above)
              limit      a number: the run stops when the point leaves |x|, |y| <= limit
    Returns:  Trajectory(path (k + 1, 2), losses (k + 1,), diverged_after).
              k = steps, or diverged_after - 1 when the point ran away

    >>> run = run_optimiser("valley", "gd", (8.0, 0.0), 2, lr=1.0)   # along the floor: x <- x - x/10
    >>> run.path.round(2).tolist(), run.diverged_after
    ([[8.0, 0.0], [7.2, 0.0], [6.48, 0.0]], None)
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
