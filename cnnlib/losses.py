"""Softmax, entropy, cross-entropy and the usual training losses (taught in notebook 07).

Logs of zero: a probability of exactly 0 inside a log is replaced by ``PROB_FLOOR`` (1e-12),
so cross-entropies stay finite (at most -log(1e-12) = 27.6 nats = 39.9 bits per sample) instead
of returning inf or nan. Terms whose *true* probability is 0 contribute exactly 0 (0 log 0 = 0).
"""
import numpy as np

from ._checks import as_float_array

PROB_FLOOR = 1e-12


def _log(p, base):
    """log in ``base`` (None or 'e' for natural), with p floored at PROB_FLOOR."""
    logp = np.log(np.maximum(p, PROB_FLOOR))
    return logp if base in (None, "e") else logp / np.log(base)


def _check_base(base):
    if base in (None, "e"):
        return base
    if isinstance(base, bool) or not isinstance(base, (int, float)) or base <= 0 or base == 1:
        raise ValueError(f"base must be a positive number other than 1 (or 'e'), got {base!r}")
    return base


def _check_distribution(p, name, axis=-1):
    p = as_float_array(p, name)
    if p.ndim == 0:
        raise ValueError(f"{name} must be a probability vector, got a scalar")
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"{name} must hold probabilities in [0, 1]; got values from {p.min():g} to {p.max():g}")
    total = p.sum(axis=axis)
    if not np.allclose(total, 1.0, atol=1e-6):
        raise ValueError(f"{name} must sum to 1 along axis {axis}; it sums to {np.round(total, 6)}")
    return p


def _check_scores(z, axis):
    """z as a float array with at least one score along ``axis`` to share the probability among."""
    z = as_float_array(z, "z")
    if z.ndim == 0 or z.size == 0 and (axis is None or z.shape[axis] == 0):
        raise ValueError(f"z must hold at least one score along axis {axis}, got shape {z.shape}")
    return z


def softmax(z, axis=-1, temperature=1.0):
    """softmax(z)_j = exp(z_j / T) / sum_k exp(z_k / T).

    Subtracting max(z) first changes nothing mathematically (it cancels) but keeps exp from
    overflowing: softmax([1000, 0]) is [1, 0] rather than nan. T > 1 flattens the
    distribution, T < 1 sharpens it. The notes' scores [1.3, 5.1, 2.2] give [0.021, 0.928, 0.051].
    z needs at least one score along ``axis`` (a ValueError otherwise).

    Inputs:   z            (..., C) scores, the classes along ``axis`` (default: the last)
              axis         the axis that holds one sample's scores
              temperature  T > 0, a number
    Returns:  probabilities, the shape of z; they sum to 1 along ``axis``

    >>> softmax(np.array([1.3, 5.1, 2.2])).round(3)              # the notes' scores (notebook 07)
    array([0.021, 0.928, 0.051])
    """
    z = _check_scores(z, axis)
    if isinstance(temperature, bool) or not np.isscalar(temperature) or not temperature > 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    scaled = z / temperature
    e = np.exp(scaled - scaled.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1, temperature=1.0):
    """log softmax(z) = z/T - logsumexp(z/T), computed without ever taking log of 0.

    Inputs:   z            (..., C) scores, the classes along ``axis`` (default: the last)
              axis         the axis that holds one sample's scores
              temperature  T > 0, a number
    Returns:  log-probabilities, the shape of z (all <= 0); -log_softmax(z)[y] is the
              cross-entropy of true class y, in nats

    >>> log_softmax(np.array([1000.0, 0.0]))      # log(softmax) would give -inf for the second
    array([    0., -1000.])
    """
    z = _check_scores(z, axis)
    if isinstance(temperature, bool) or not np.isscalar(temperature) or not temperature > 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    scaled = z / temperature
    shifted = scaled - scaled.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def entropy(p, base=2):
    """H(P) = -sum_x P(x) log P(x). Last axis is the distribution.

    Returns **bits** by default (base 2: a fair coin has 1 bit); ``base="e"`` gives nats
    (1 bit = ln 2 = 0.693 nats). Notebook 07 teaches it.

    Inputs:   p     (..., n) probabilities on the last axis (each distribution sums to 1)
              base  2 (bits, the default), "e" (nats) or any positive number other than 1
    Returns:  H, shape p.shape[:-1]: a numpy scalar for one distribution, one entropy per row
              for a batch

    >>> print(entropy([0.5, 0.5]).round(3), entropy(np.full(6, 1 / 6)).round(3))   # fair coin, fair die
    1.0 2.585
    """
    p = _check_distribution(p, "p")
    base = _check_base(base)
    # 0.0 - sum, not -sum: a certain outcome has entropy 0.0, which -sum would print as -0.0.
    return 0.0 - np.sum(np.where(p > 0, p * _log(p, base), 0.0), axis=-1)


def cross_entropy(p, q, base=2):
    """H(P, Q) = -sum_x P(x) log Q(x): the cost of coding P's events with Q's code. >= H(P).

    Returns **bits** by default (base 2), like :func:`entropy`; ``base="e"`` gives nats. The
    training loss :func:`categorical_cross_entropy` uses the natural log and returns **nats**:
    for the same prediction it is ln 2 = 0.693 times this number (Q(true) = 0.7: 0.515 bits,
    0.357 nats). Notebook 07 teaches both.

    Inputs:   p     (..., n) the true probabilities on the last axis
              q     (..., n) the predicted probabilities, the shape of p
              base  2 (bits, the default), "e" (nats) or any positive number other than 1
    Returns:  H(P, Q), shape p.shape[:-1] (a numpy scalar for one pair of distributions)

    >>> dog, prediction = [0.0, 1.0, 0.0], [0.2, 0.7, 0.1]           # (cat, dog, bird), notebook 07
    >>> print(cross_entropy(dog, prediction).round(3), cross_entropy(dog, prediction, base="e").round(3))
    0.515 0.357
    """
    p = _check_distribution(p, "p")
    q = _check_distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    base = _check_base(base)
    return 0.0 - np.sum(np.where(p > 0, p * _log(q, base), 0.0), axis=-1)      # 0.0, never -0.0


def kl_divergence(p, q, base=2):
    """KL(P || Q) = sum_x P(x) log(P(x) / Q(x)) = H(P, Q) - H(P) >= 0, zero only when Q = P.

    Returns **bits** by default (base 2), like :func:`entropy` and :func:`cross_entropy`;
    ``base="e"`` gives nats.

    Inputs:   p     (..., n) the true probabilities on the last axis
              q     (..., n) the predicted probabilities, the shape of p
              base  2 (bits, the default), "e" (nats) or any positive number other than 1
    Returns:  KL(P || Q) >= 0, shape p.shape[:-1] (a numpy scalar for one pair of distributions)

    >>> P, Q = [0.5, 0.5], [0.9, 0.1]                    # notebook 07: 1.737 - 1 bits, not symmetric
    >>> print(kl_divergence(P, Q).round(3), kl_divergence(Q, P).round(3))
    0.737 0.531
    """
    p = _check_distribution(p, "p")
    q = _check_distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    base = _check_base(base)
    return np.sum(np.where(p > 0, p * (_log(p, base) - _log(q, base)), 0.0), axis=-1)


def binary_cross_entropy(y, p):
    """L = -mean_i [ y_i log p_i + (1 - y_i) log(1 - p_i) ], natural log.

    y: labels in {0, 1} (or soft targets in [0, 1]); p: predicted probabilities sigma(z), same shape.
    The brackets matter: the notes' transcription lost them, which flips the sign of the second term.

    Inputs:   y  any shape: labels in {0, 1} (or soft targets in [0, 1])
              p  the shape of y: predicted probabilities of class 1
    Returns:  the mean loss over all entries, a Python float, in nats

    >>> round(binary_cross_entropy(np.array([1.0]), np.array([0.8])), 3)    # -ln 0.8 (notebook 07)
    0.223
    >>> round(binary_cross_entropy(np.array([1.0, 0.0, 0.0]), np.array([0.8, 0.8, 0.1])), 3)
    0.646
    """
    y = as_float_array(y, "y")
    p = as_float_array(p, "p")
    if y.shape != p.shape:
        raise ValueError(f"y and p must have the same shape, got {y.shape} and {p.shape}")
    if np.any((y < 0) | (y > 1)):
        raise ValueError("y must hold labels in [0, 1]")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p must hold probabilities in [0, 1]")
    return float(-np.mean(y * _log(p, None) + (1 - y) * _log(1 - p, None)))


def categorical_cross_entropy(y, probs):
    """L = -(1/N) sum_i sum_c y_ic log p_ic, natural log: summed over classes, averaged over samples.

    Returns **nats** (natural log), as every deep-learning library does, whereas
    :func:`cross_entropy` returns bits by default: divide by ln 2 = 0.693 to get bits.
    A 10-class model that outputs 1/10 everywhere scores ln 10 = 2.303 nats.

    y: N integer labels, or an N x C one-hot (or soft) target; probs: N x C predicted
    probabilities (rows sum to 1). The notes average over classes (1/C) instead; that only
    rescales the loss by 1/C, and no library does it.

    Inputs:   y      (N,) integer labels in 0..C-1, or an N x C one-hot (or soft) target
              probs  N x C predicted probabilities, each row summing to 1
    Returns:  the mean loss over the N samples, a Python float, in nats

    >>> probs = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])     # notebook 07: (0.357 + 0.511) / 2
    >>> round(categorical_cross_entropy(np.array([1, 0]), probs), 3)
    0.434
    """
    probs = _check_distribution(probs, "probs")
    if probs.ndim != 2:
        raise ValueError(f"probs must be N x C, got shape {probs.shape}")
    target = one_hot(y, probs.shape, against="probs")
    return float(-np.mean(np.sum(np.where(target > 0, target * _log(probs, None), 0.0), axis=1)))


def mse(y, y_hat):
    """Mean squared error: mean (y_hat - y)^2.

    Inputs:   y      any shape: the targets
              y_hat  the shape of y: the predictions
    Returns:  the mean over all entries, a Python float

    >>> mse([1.0, 2.0], [1.0, 4.0])                      # (0 + 4) / 2
    2.0
    """
    y, y_hat = _same_shape(y, y_hat)
    return float(np.mean((y_hat - y) ** 2))


def mae(y, y_hat):
    """Mean absolute error: mean |y_hat - y|.

    Inputs:   y      any shape: the targets
              y_hat  the shape of y: the predictions
    Returns:  the mean over all entries, a Python float

    >>> mae([1.0, 2.0], [1.0, 4.0])                      # (0 + 2) / 2
    1.0
    """
    y, y_hat = _same_shape(y, y_hat)
    return float(np.mean(np.abs(y_hat - y)))


def _same_shape(y, y_hat):
    y = as_float_array(y, "y")
    y_hat = as_float_array(y_hat, "y_hat")
    if y.shape != y_hat.shape:
        raise ValueError(f"y and y_hat must have the same shape, got {y.shape} and {y_hat.shape}")
    return y, y_hat


def _check_target_rows(target, name="y"):
    """An N x C target must be a distribution per sample (one-hot or soft): the loss is only a
    cross-entropy, and its gradient softmax(z) - y only pulls towards y, if each row is one.
    Refuses a negative entry or a row whose sum is not 1 (NaN and inf included), naming the row."""
    negative = np.flatnonzero((target < 0).any(axis=1))
    sums = target.sum(axis=1, dtype=np.float64)
    off = np.flatnonzero(~(np.abs(sums - 1) <= 1e-4))          # also catches NaN and inf
    if len(negative) or len(off):
        row = negative[0] if len(negative) else off[0]
        found = "has a negative entry" if len(negative) else f"sums to {sums[row]:.6g}"
        raise ValueError(f"{name} given as an N x C target must be one-hot or probability rows (every entry >= 0, "
                         f"every row summing to 1), but row {row} {found}; give integer class labels 0..C-1 "
                         f"as a 1D array of N labels instead")
    return target


def one_hot(y, shape, *, name="y", against="logits", dtype=np.float64):
    """The N x C target of a classification loss, from class labels or from a target given as rows.

    The one check of labels and targets in cnnlib (the losses here and ``cnnlib.nn``'s
    SoftmaxCrossEntropy use it): N integer labels 0..C-1 become one-hot rows (a 1 in the
    true class's column); an N x C target must already be a distribution per row, one-hot or
    soft (entries >= 0, each row summing to 1). Anything else is refused with an error that
    names ``name`` and, for a wrong count, the array ``against`` whose rows the labels belong to.

    Inputs:   y       (N,) integer labels in 0..C-1, or an N x C target
              shape   (N, C), the shape of the scores or probabilities
              name, against  the names the errors use;  dtype  of the result
    Returns:  N x C array of ``dtype``

    >>> one_hot(np.array([2, 0]), (2, 3))
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    n, c = shape
    y = np.asarray(y)
    if y.shape == (n, c):
        return _check_target_rows(as_float_array(y, name).astype(dtype, copy=False), name)
    if y.ndim != 1:
        raise ValueError(f"{name} must hold N integer labels or be an N x C target, with N = {n} and C = {c}; "
                         f"got shape {y.shape}")
    if y.shape[0] != n:
        raise ValueError(f"{name} has {y.shape[0]} labels but {against} has {n} rows")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{name} given as labels must be integers (class numbers 0..{c - 1}), got dtype {y.dtype}")
    outside = np.flatnonzero((y < 0) | (y >= c))
    if len(outside):
        raise ValueError(f"{name} labels must be in 0..{c - 1}, got values from {y.min()} to {y.max()}; "
                         f"the first outside is {name}[{outside[0]}] = {y[outside[0]]}")
    target = np.zeros((n, c), dtype=dtype)
    target[np.arange(n), y] = 1
    return target


def softmax_cross_entropy_grad(logits, y):
    """Gradient of the mean categorical cross-entropy of softmax(logits) with respect to the logits:

        L = -(1/N) sum_i log softmax(z_i)[y_i]        dL/dz = (softmax(z) - onehot(y)) / N

    Each sample pushes its true class's score up by 1 - p and every other score down by its
    probability p; the 1/N comes from averaging over the batch. y may also be an N x C one-hot
    (or soft) target, for which the same formula holds; its rows must be distributions
    (non-negative, summing to 1), else a ValueError names the first row that is not.

    Inputs:   logits  N x C scores z;  y  N integer labels in 0..C-1 (or an N x C target)
    Returns:  N x C array dL/dz; each row sums to 0.

    >>> softmax_cross_entropy_grad(np.array([[0.0, 0.0]]), np.array([1]))   # p = [0.5, 0.5]
    array([[ 0.5, -0.5]])
    >>> softmax_cross_entropy_grad(np.array([[0.0, 0.0]]), np.array([[0.25, 0.75]]))   # a soft target
    array([[ 0.25, -0.25]])
    """
    z = as_float_array(logits, "logits")
    if z.ndim != 2:
        raise ValueError(f"logits must be N x C (one row of class scores per sample), got shape {z.shape}")
    return (softmax(z, axis=1) - one_hot(y, z.shape, dtype=z.dtype)) / z.shape[0]


__all__ = ["PROB_FLOOR", "softmax", "log_softmax", "entropy", "cross_entropy", "kl_divergence",
           "binary_cross_entropy", "categorical_cross_entropy", "mse", "mae",
           "one_hot", "softmax_cross_entropy_grad"]
