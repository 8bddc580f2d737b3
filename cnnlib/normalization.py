"""Batch normalisation, forward and backward, as plain functions (taught in notebook 12).

Each channel (or feature) c is standardised over the batch, then scaled and shifted:

    mu_c = mean of x[:, c]          var_c = mean of (x[:, c] - mu_c)^2      (over N, H, W)
    x_hat = (x - mu_c) / sqrt(var_c + eps)        out = gamma_c * x_hat + beta_c

x is N x C x H x W (one mean and variance per channel, over N*H*W numbers) or N x F (one per
feature, over N numbers). gamma and beta have shape (C,). :func:`batch_norm` is the fast path,
:func:`batch_norm_naive` the same formula in loops; :func:`batch_norm_backward` and
:func:`batch_norm_backward_naive` are their gradients. ``cnnlib.nn.BatchNorm2D`` and
``BatchNorm1D`` call these functions.
"""
import numpy as np

__all__ = ["batch_norm", "batch_norm_backward", "batch_norm_naive", "batch_norm_backward_naive"]


def _check(x, gamma, eps, name="x"):
    """x as an array (N x C x H x W or N x F) with gamma of shape (C,); the axes to average over."""
    x, gamma = np.asarray(x), np.asarray(gamma)
    if x.ndim not in (2, 4):
        raise ValueError(f"{name} must be N x C x H x W or N x F, got shape {x.shape}")
    if x.shape[0] < 1:
        raise ValueError(f"{name} must hold at least one sample, got shape {x.shape}")
    if gamma.shape != (x.shape[1],):
        raise ValueError(f"gamma must have one entry per channel, shape ({x.shape[1]},), got {gamma.shape}")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    axes = (0, 2, 3) if x.ndim == 4 else (0,)
    return x, gamma, axes


def _per_channel(values, ndim):
    """A length-C vector shaped to broadcast against N x C x H x W (or N x C)."""
    return values.reshape((1, -1, 1, 1) if ndim == 4 else (1, -1))


def batch_norm(x, gamma, beta, *, eps=1e-5, mean=None, var=None):
    """Batch normalisation; returns ``(out, mean, var)``, the statistics it used (shape (C,) each).

        out = gamma * (x - mean) / sqrt(var + eps) + beta        per channel c

    In training the statistics are the batch's own: mean and the *biased* variance (divided by
    m = N*H*W, or N for N x F input). For inference pass the running estimates as ``mean`` and
    ``var``; they are then used as given (and returned unchanged).

    Inputs:   x  N x C x H x W or N x F;  gamma, beta  (C,)
    Returns:  out (shape of x), mean (C,), var (C,)

    >>> x = np.array([[1.0], [3.0]])                   # two samples, one feature: mean 2, variance 1
    >>> out, mean, var = batch_norm(x, np.ones(1), np.zeros(1), eps=1e-8)
    >>> np.round(out.ravel(), 4), mean, var
    (array([-1.,  1.]), array([2.]), array([1.]))
    """
    x, gamma, axes = _check(x, gamma, eps)
    beta = np.asarray(beta)
    if beta.shape != gamma.shape:
        raise ValueError(f"beta must have gamma's shape {gamma.shape}, got {beta.shape}")
    if (mean is None) != (var is None):
        raise ValueError("give both mean and var (running estimates for inference), or neither")
    if mean is None:
        mean = x.mean(axis=axes)
        var = ((x - _per_channel(mean, x.ndim)) ** 2).mean(axis=axes)
    else:
        mean, var = np.asarray(mean), np.asarray(var)
        if mean.shape != gamma.shape or var.shape != gamma.shape:
            raise ValueError(f"mean and var must have shape {gamma.shape}, got {mean.shape} and {var.shape}")
    scale = gamma / np.sqrt(var + eps)          # gamma / sigma, one number per channel
    out = (x - _per_channel(mean, x.ndim)) * _per_channel(scale, x.ndim) + _per_channel(beta, x.ndim)
    return out, mean, var


def batch_norm_backward(grad_out, x, gamma, *, eps=1e-5, mean=None, var=None):
    """Gradients of :func:`batch_norm`: returns ``(grad_x, grad_gamma, grad_beta)``.

    With g = grad_out, x_hat the normalised input and sums over a channel's m numbers:

        grad_beta  = sum g                 grad_gamma = sum g * x_hat
        grad_x     = gamma / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat))

    The two subtracted terms are the paths through the batch mean and the batch variance: every
    sample's output depends on every other sample of the batch. With ``mean`` and ``var`` given
    (inference: fixed statistics) those paths do not exist and grad_x = g * gamma / sqrt(var + eps).
    :func:`batch_norm_backward_naive` is the same chain rule, one step of the graph at a time.

    Inputs:   grad_out  shape of x;  x  N x C x H x W or N x F (the forward input);  gamma  (C,)
    Returns:  grad_x (shape of x), grad_gamma (C,), grad_beta (C,)

    >>> x = np.array([[-1.0], [-1.0], [1.0], [1.0]])     # four samples, one feature: mean 0, variance 1
    >>> g = np.array([[1.0], [0.0], [1.0], [2.0]])       # mean(g) = 1, mean(g * x_hat) = 0.5
    >>> grad_x, grad_gamma, grad_beta = batch_norm_backward(g, x, np.ones(1), eps=1e-8)
    >>> np.round(grad_x.ravel(), 4), np.round(grad_gamma, 4), grad_beta    # grad_x = g - 1 - 0.5 x_hat
    (array([ 0.5, -0.5, -0.5,  0.5]), array([2.]), array([4.]))
    """
    x, gamma, axes = _check(x, gamma, eps)
    grad_out = np.asarray(grad_out)
    if grad_out.shape != x.shape:
        raise ValueError(f"grad_out must have x's shape {x.shape}, got {grad_out.shape}")
    fixed = mean is not None
    if (mean is None) != (var is None):
        raise ValueError("give both mean and var (fixed statistics), or neither")
    if not fixed:
        mean = x.mean(axis=axes)
        var = ((x - _per_channel(mean, x.ndim)) ** 2).mean(axis=axes)
    inv_std = 1.0 / np.sqrt(np.asarray(var) + eps)
    x_hat = (x - _per_channel(np.asarray(mean), x.ndim)) * _per_channel(inv_std, x.ndim)
    grad_beta = grad_out.sum(axis=axes)
    grad_gamma = (grad_out * x_hat).sum(axis=axes)
    scale = _per_channel(gamma * inv_std, x.ndim)
    if fixed:
        return grad_out * scale, grad_gamma, grad_beta
    m = x.size // x.shape[1]
    grad_x = scale * (grad_out - _per_channel(grad_beta / m, x.ndim) - x_hat * _per_channel(grad_gamma / m, x.ndim))
    return grad_x, grad_gamma, grad_beta


def _channel_values(x, c):
    """The m numbers of channel c, as a flat list of (index, value) pairs."""
    if x.ndim == 2:
        return [((n, c), x[n, c]) for n in range(x.shape[0])]
    return [((n, c, i, j), x[n, c, i, j])
            for n in range(x.shape[0]) for i in range(x.shape[2]) for j in range(x.shape[3])]


def batch_norm_naive(x, gamma, beta, *, eps=1e-5):
    """:func:`batch_norm` (training: the batch's statistics) in loops, one channel at a time.
    Slow and obviously right; returns ``(out, mean, var)`` like the fast path.

    Inputs:   x  N x C x H x W or N x F;  gamma, beta  (C,)
    Returns:  out (shape of x), mean (C,), var (C,)

    >>> x = np.array([[1.0], [3.0]])                   # as batch_norm's example: mean 2, variance 1
    >>> out, mean, var = batch_norm_naive(x, np.ones(1), np.zeros(1), eps=1e-8)
    >>> np.round(out.ravel(), 4), mean, var
    (array([-1.,  1.]), array([2.]), array([1.]))
    """
    x, gamma, _ = _check(x, gamma, eps)
    beta = np.asarray(beta)
    out = np.zeros(x.shape)
    means, variances = np.zeros(len(gamma)), np.zeros(len(gamma))
    for c in range(x.shape[1]):
        values = _channel_values(x, c)
        m = len(values)
        mean = sum(v for _, v in values) / m
        var = sum((v - mean) ** 2 for _, v in values) / m
        for index, v in values:
            out[index] = gamma[c] * (v - mean) / np.sqrt(var + eps) + beta[c]
        means[c], variances[c] = mean, var
    return out, means, variances


def batch_norm_backward_naive(grad_out, x, gamma, *, eps=1e-5):
    """:func:`batch_norm_backward` as the chain rule through the forward graph, step by step:

        x -> mu = sum x / m -> var = sum (x - mu)^2 / m -> x_hat = (x - mu) / sqrt(var + eps)
          -> out = gamma x_hat + beta

    going backwards: dx_hat = g gamma; dvar = sum dx_hat (x - mu) (-1/2)(var + eps)^(-3/2);
    dmu = sum -dx_hat / sqrt(var + eps) + dvar sum -2(x - mu) / m; and each x_i collects from its
    three uses: dx_i = dx_hat_i / sqrt(var + eps) + dvar 2(x_i - mu) / m + dmu / m.

    Inputs:   grad_out  shape of x;  x  N x C x H x W or N x F (the forward input);  gamma  (C,)
    Returns:  grad_x (shape of x), grad_gamma (C,), grad_beta (C,)

    >>> x = np.array([[-1.0], [-1.0], [1.0], [1.0]])     # four samples, one feature: mean 0, variance 1
    >>> g = np.array([[1.0], [0.0], [1.0], [2.0]])       # mean(g) = 1, mean(g * x_hat) = 0.5
    >>> grad_x, grad_gamma, grad_beta = batch_norm_backward_naive(g, x, np.ones(1), eps=1e-8)
    >>> np.round(grad_x.ravel(), 4), np.round(grad_gamma, 4), grad_beta    # as batch_norm_backward's
    (array([ 0.5, -0.5, -0.5,  0.5]), array([2.]), array([4.]))
    """
    x, gamma, _ = _check(x, gamma, eps)
    grad_out = np.asarray(grad_out)
    grad_x = np.zeros(x.shape)
    grad_gamma, grad_beta = np.zeros(len(gamma)), np.zeros(len(gamma))
    for c in range(x.shape[1]):
        values = _channel_values(x, c)
        m = len(values)
        mu = sum(v for _, v in values) / m
        var = sum((v - mu) ** 2 for _, v in values) / m
        std = np.sqrt(var + eps)
        d_var, d_mu_direct, centred_sum = 0.0, 0.0, 0.0
        for index, v in values:
            g = grad_out[index]
            grad_beta[c] += g
            grad_gamma[c] += g * (v - mu) / std
            d_x_hat = g * gamma[c]
            d_var += d_x_hat * (v - mu) * -0.5 * (var + eps) ** -1.5
            d_mu_direct += -d_x_hat / std
            centred_sum += -2.0 * (v - mu)
        d_mu = d_mu_direct + d_var * centred_sum / m
        for index, v in values:
            grad_x[index] = grad_out[index] * gamma[c] / std + d_var * 2.0 * (v - mu) / m + d_mu / m
    return grad_x, grad_gamma, grad_beta
