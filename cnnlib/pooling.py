"""Max and average pooling (taught in notebook 06).

Pooling summarises each window with one number; it has no parameters to learn.
Inputs are H x W, C x H x W or N x C x H x W; the result keeps the input's rank.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_float_array, as_nonnegative_int, as_pair, as_positive_int, check_ndim
from .shapes import output_size


def _pool_setup(x, size, stride, padding, pad_value):
    x = as_float_array(x, "x")
    check_ndim(x, "x", (2, 3, 4), "H x W, C x H x W or N x C x H x W")
    size = as_pair(size, "size", as_positive_int)
    stride = size if stride is None else as_pair(stride, "stride", as_positive_int)
    padding = as_pair(padding, "padding", as_nonnegative_int)
    for axis, p, k in (("rows", padding[0], size[0]), ("cols", padding[1], size[1])):
        if 2 * p > k:
            raise ValueError(f"padding {p} along {axis} must be at most half the window size {k}")
    h, w = x.shape[-2:]
    out_shape = tuple(output_size(n, k, p, s) for n, k, p, s in zip((h, w), size, padding, stride))
    pad = [(0, 0)] * (x.ndim - 2) + [(padding[0], padding[0]), (padding[1], padding[1])]
    x_pad = np.pad(x, pad, constant_values=pad_value)
    return x_pad, size, stride, out_shape


def _windows(x_pad, size, stride, out_shape):
    """All pooling windows: shape (..., H_O, W_O, size_h, size_w)."""
    win = sliding_window_view(x_pad, size, axis=(-2, -1))[..., ::stride[0], ::stride[1], :, :]
    return win[..., :out_shape[0], :out_shape[1], :, :]


def max_pool2d(x, size=2, stride=None, padding=0):
    """Max pooling: out[i, j] = max over the size x size window starting at (i*stride, j*stride).

    ``stride`` defaults to ``size`` (non-overlapping windows); size 3 with stride 2 gives the
    overlapping windows of AlexNet. Padding (per side) uses -inf, so it never wins a max.
    """
    x_pad, size, stride, out_shape = _pool_setup(x, size, stride, padding, -np.inf)
    return _windows(x_pad, size, stride, out_shape).max(axis=(-2, -1))


def avg_pool2d(x, size=2, stride=None, padding=0):
    """Average pooling: out[i, j] = mean of the window starting at (i*stride, j*stride).

    Padding (per side) adds zeros that count in the mean, as PyTorch's default does.
    """
    x_pad, size, stride, out_shape = _pool_setup(x, size, stride, padding, 0.0)
    return _windows(x_pad, size, stride, out_shape).mean(axis=(-2, -1))


def pool2d_naive(x, size=2, stride=None, padding=0, *, mode="max"):
    """Max or average pooling as literal loops over output positions (the reference twin)."""
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    x_pad, (kh, kw), (sh, sw), (out_h, out_w) = _pool_setup(
        x, size, stride, padding, -np.inf if mode == "max" else 0.0)
    reduce = np.max if mode == "max" else np.mean
    out = np.zeros(x_pad.shape[:-2] + (out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[..., i, j] = reduce(x_pad[..., i * sh:i * sh + kh, j * sw:j * sw + kw], axis=(-2, -1))
    return out
