"""Check any backward pass against finite differences, and point at the worst entry (notebook 08).

A student who writes ``my_forward`` and ``my_backward`` calls :func:`check_backward` with both; a
layer object (with forward/backward methods and params) is checked by
:func:`cnnlib.train.gradcheck_layer` instead.
"""
import numpy as np

from ._checks import as_rng
from .train import numerical_gradient, relative_error

__all__ = ["check_backward", "GradientCheck"]


class GradientCheck:
    """What :func:`check_backward` found, per input: ``errors[name]`` (the :func:`relative_error`),
    ``worst[name]`` = (index, analytic value, numerical value) of the entry that differs most.

    ``passed`` is True when every error is below ``tolerance``; ``worst_error`` is the largest.
    ``str()`` gives one line per input, e.g. ``w: relative error 3.2e-11 (worst entry w[0, 1, 2, 0]:
    analytic 0.41, numerical 0.41)``.
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
