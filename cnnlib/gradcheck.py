"""Gradient checking: is a backward pass right? Compare it with centred finite differences.

Backpropagation is easy to get subtly wrong (a missing transpose, a flipped kernel, a stride
ignored), and a wrong gradient still trains, only worse. Finite differences need no calculus:
nudge one number by +-h, watch the loss, divide. This module holds every tool for that
(notebooks 08 and 10):

* :func:`numerical_gradient` -- the centred difference (f(x + h) - f(x - h)) / 2h, entry by entry;
* :func:`relative_error` -- how far two gradients disagree, relative to their size;
* :func:`gradcheck` -- the two together, for a function of one array;
* :func:`gradcheck_layer` -- a layer (or a whole model) and every one of its parameters;
* :func:`check_backward` -- a student's own ``forward``/``backward`` pair, naming the worst entry.

``cnnlib.train`` re-exports the first four, since notebooks 08, 10 and 12 import them from there.
"""
import copy

import numpy as np

from ._checks import as_rng
from .nn import SoftmaxCrossEntropy

__all__ = ["relative_error", "numerical_gradient", "gradcheck", "gradcheck_layer", "check_backward",
           "GradientCheck"]


def relative_error(a, b):
    """How far two gradients disagree, relative to their size:

        max_i |a_i - b_i| / max(1e-8, max_i (|a_i| + |b_i|))

    The largest disagreement over all entries, divided by the largest entry (of a and b together),
    so tiny entries are judged against the gradient's scale instead of their own; the 1e-8 floor
    keeps an all-zero gradient from dividing by zero. Below 1e-7 in float64 means the analytic
    gradient is right; around 1e-2 or worse means a bug.

    Inputs:   a, b  arrays of the same shape.
    Returns:  a float.

    >>> relative_error([1.0, 2.0], [1.0, 2.5])            # 0.5 / (2 + 2.5)
    0.1111111111111111
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

    Inputs:   f        a function of x returning a number
              x        a float64 array, any shape (restored after each nudge)
              h        the step, 1e-5
              indices  flat indices into x, or None for all
    Returns:  a float64 array of x's shape: df/dx (0 where not computed).

    >>> x = np.array([1.0, 2.0, 3.0])
    >>> numerical_gradient(lambda v: np.sum(v ** 2), x).round(6)     # d(sum x^2)/dx = 2x
    array([2., 4., 6.])
    >>> x                                                            # put back as it was
    array([1., 2., 3.])
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
    and :func:`numerical_gradient`, over all entries or only the flat ``indices`` given.

    Inputs:   f        a function of x returning a number
              x        a float64 array, any shape
              grad     the analytic df/dx, shape of x
              indices  flat indices to compare, or None for all
    Returns:  a float, the relative error (below 1e-7: right; 1e-2 or worse: a bug).

    >>> x = np.array([1.0, 2.0, 3.0])
    >>> f = lambda v: np.sum(v ** 2)
    >>> gradcheck(f, x, 2 * x) < 1e-7              # the right gradient, 2x
    True
    >>> round(gradcheck(f, x, 3 * x), 3)           # a wrong one, 3x: max |x| / max 5|x| = 3 / 15
    0.2
    """
    grad = np.asarray(grad)
    if grad.shape != np.shape(x):
        raise ValueError(f"grad must have the shape of x {np.shape(x)}, got {grad.shape}")
    numeric = numerical_gradient(f, x, h, indices)
    if indices is None:
        return relative_error(grad, numeric)
    return relative_error(grad.flat[indices], numeric.flat[indices])


def gradcheck_layer(layer, x, y=None, *, loss=None, h=1e-5, max_checks=100, rng=0):
    """Check a layer's (or a whole model's) backward pass; returns {"input": err, "<param>": err}.

    Works on a float64 copy (``layer`` is untouched). Without ``y`` the checked function is
    f = sum(forward(x) * R) with a fixed random R, whose gradient flowing back is exactly R, so
    every output position is tested; with ``y`` it is loss(forward(x), y) (SoftmaxCrossEntropy by
    default). Each gradient (the input's and every parameter's) is compared with centred finite
    differences at up to ``max_checks`` randomly chosen entries (None: all) using
    :func:`relative_error`. Forward runs with training=True; random layers (Dropout) get the same
    random numbers on every evaluation, so f is a fixed function.

    Inputs:   layer       a cnnlib.nn layer or model (left unchanged)
              x           N x ... input the layer accepts, e.g. N x in_features for Dense
              y           (N,) integer labels for the loss, or None
              max_checks  entries compared per array (an int, or None for all)
    Returns:  a dict {"input": err, "<param name>": err, ...} of floats, one per array; below 1e-7
              means backward is right.

    >>> from cnnlib.nn import Dense
    >>> errors = gradcheck_layer(Dense(3, 2, rng=0), np.random.default_rng(0).standard_normal((4, 3)))
    >>> sorted(errors)
    ['bias', 'input', 'weight']
    >>> all(err < 1e-7 for err in errors.values())      # backprop agrees with finite differences
    True
    """
    layer = copy.deepcopy(layer).astype(np.float64)
    x = np.array(x, dtype=np.float64)
    rng = as_rng(rng)
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


class GradientCheck:
    """What :func:`check_backward` found, per input: ``errors[name]`` (the :func:`relative_error`),
    ``worst[name]`` = (index, analytic value, numerical value) of the entry that differs most.

    ``passed`` is True when every error is below ``tolerance``; ``worst_error`` is the largest.
    ``str()`` gives one line per input, e.g. ``w: relative error 3.2e-11 (worst entry w[0, 1, 2, 0]:
    analytic 0.41, numerical 0.41)``.

    Inputs:   errors     {name: relative error}
              worst      {name: (index tuple, analytic value, numerical value)}
              tolerance  the largest error that passes
    Returns:  the report (made by :func:`check_backward`; true when every error passes).

    >>> check = GradientCheck({"x": 3e-11}, {"x": ((1,), -4.0, -4.0)}, tolerance=1e-7)
    >>> check.passed
    True
    >>> print(check)
    x: relative error 3e-11 ok (worst entry x[1]: analytic -4, numerical -4)
    """

    def __init__(self, errors, worst, tolerance):
        self.errors, self.worst, self.tolerance = errors, worst, tolerance
        self.worst_error = max(errors.values(), default=0.0)
        self.passed = self.worst_error < tolerance

    def __bool__(self):
        return self.passed

    def __str__(self):
        lines = []
        for name, error in self.errors.items():
            index, analytic, numeric = self.worst[name]
            where = ", ".join(map(str, index))
            verdict = "ok" if error < self.tolerance else "WRONG"
            lines.append(f"{name}: relative error {error:.2g} {verdict} (worst entry {name}[{where}]: "
                         f"analytic {analytic:.6g}, numerical {numeric:.6g})")
        return "\n".join(lines)

    __repr__ = __str__


def check_backward(forward, backward, inputs, *, names=None, h=1e-5, max_checks=200, rng=0,
                   tolerance=1e-7):
    """Compare ``backward`` with centred finite differences of ``forward``; report the worst entry.

    ``forward(*inputs)`` returns an array (or a number); ``backward(grad_out, *inputs)`` returns
    the gradient for each input, in order: one array for one input, else a tuple. Keyword
    arguments go in a lambda, e.g. for a strided convolution

        check_backward(lambda x, w: conv2d(x, w, stride=2),
                       lambda g, x, w: conv2d_backward(g, x, w, stride=2)[:2], (x, w))

    The function checked is f = sum(forward(*inputs) * R) with a fixed random R (drawn from ``rng``:
    an int seed, a numpy Generator or None, which also picks the entries checked), so
    grad_out = R and every output cell takes part. Inputs are copied to float64 (float32 rounding
    swamps a step of 1e-5). Up to ``max_checks`` random entries per input are differentiated
    numerically (None: all). Below 1e-7 means right; 1e-2 or worse means a bug, and the worst
    entry's index shows where (an edge pixel: padding; every other one: stride).

    Inputs:   inputs  one array or a tuple of arrays (x, w, ...); names  their names (default
              "x" for one input, else "input0", "input1", ...)
    Returns:  a :class:`GradientCheck` (true when passed; ``print`` it for one line per input).

    >>> print(check_backward(lambda x: x ** 2, lambda g, x: 2 * x * g, np.array([1.0, -2.0])))
    ... # doctest: +ELLIPSIS
    x: relative error ... ok (worst entry x[...]: analytic ..., numerical ...)
    """
    if not callable(forward) or not callable(backward):
        raise TypeError("forward and backward must be functions: forward(*inputs) and backward(grad_out, *inputs)")
    single = not isinstance(inputs, (tuple, list))
    arrays = [np.array(a, dtype=np.float64) for a in ([inputs] if single else inputs)]
    if not arrays:
        raise ValueError("inputs must hold at least one array")
    if names is None:
        names = ["x"] if len(arrays) == 1 else [f"input{i}" for i in range(len(arrays))]
    names = list(names)
    if len(names) != len(arrays):
        raise ValueError(f"names must give one name per input: {len(arrays)} inputs, {len(names)} names")

    out = np.asarray(forward(*arrays), dtype=np.float64)
    rng = as_rng(rng)
    projection = rng.standard_normal(out.shape)
    grads = backward(projection.copy(), *[a.copy() for a in arrays])
    grads = [grads] if len(arrays) == 1 and not isinstance(grads, (tuple, list)) else grads
    if not isinstance(grads, (tuple, list)) or len(grads) != len(arrays):
        got = f"{len(grads)} results" if isinstance(grads, (tuple, list)) else type(grads).__name__
        raise ValueError(f"backward must return one gradient per input ({', '.join(names)}), got {got}")

    errors, worst = {}, {}
    for name, array, grad in zip(names, arrays, grads):
        if grad is None or np.shape(grad) != array.shape:
            raise ValueError(f"backward's gradient for {name} must have {name}'s shape {array.shape}, "
                             f"got {None if grad is None else np.shape(grad)}")
        grad = np.asarray(grad, dtype=np.float64)

        def f(_):       # numerical_gradient nudges `array` (one of `arrays`) in place
            return np.sum(np.asarray(forward(*arrays), dtype=np.float64) * projection)

        indices = None
        if max_checks is not None and array.size > max_checks:
            indices = rng.choice(array.size, size=max_checks, replace=False)
        numeric = numerical_gradient(f, array, h, indices)
        picked = np.arange(array.size) if indices is None else np.asarray(indices)
        a, n = grad.ravel()[picked], numeric.ravel()[picked]
        errors[name] = relative_error(a, n)
        k = int(np.argmax(np.abs(a - n))) if a.size else 0
        index = np.unravel_index(picked[k], array.shape) if a.size else ()
        worst[name] = (tuple(int(v) for v in index), float(a[k]) if a.size else 0.0,
                       float(n[k]) if a.size else 0.0)
    return GradientCheck(errors, worst, tolerance)
