"""Convolution in 1D and 2D (taught in notebooks 01, 02, 03 and 05).

Without ``flip`` the functions compute cross-correlation, s[i] = sum_a x[i + a] w[a], which is
what deep-learning libraries call "convolution". With ``flip=True`` they compute the true
convolution of the lecture notes' formulas, s_t = sum_a w_a x_(t-a): the kernel is reversed
along every spatial axis first.

Layouts: 2D functions use N x C x H x W inputs and K x C x kh x kw filters, and accept
simpler layouts for teaching (see :func:`conv2d`).

A convolutional layer is the pair :func:`conv2d_forward` (the output and a cache) and
:func:`conv2d_backward_from_cache` (the three gradients); :func:`conv2d` runs the same
forward algorithm, and ``cnnlib.nn.Conv2D`` calls the pair.
"""
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_float_array, as_nonnegative_int, as_pair, as_positive_int, check_allocation, check_ndim
from .shapes import kernel_fit, same_padding

# The most memory (bytes) one call may allocate, for every function of cnnlib that allocates in
# proportion to its arguments (convolution, pooling, augmentation, features, kernels, descent
# paths; see cnnlib._checks.check_allocation). Each such function takes ``max_bytes=`` to
# override it for one call; assign ``cnnlib.conv.MAX_BYTES`` to change it for all. Teaching
# sizes stay far below: a 512 x 512 image with an 11 x 11 kernel needs ~4 MiB, a LeNet batch of
# 256 x 1 x 32 x 32 ~40 MiB.
MAX_BYTES = 2**30


PADDING_MODES = ("valid", "same", "full", "causal")


def padding_amounts(mode, k):
    """(left, right): how many zeros the 1D padding ``mode`` adds for a kernel of length ``k``.

        'valid'   0, 0              no padding: only windows inside the series
        'same'    k//2, (k-1)//2    as many outputs as readings (odd k: (k-1)/2 each side)
        'full'    k-1, k-1          every window that overlaps the series
        'causal'  k-1, 0            only the past: every output uses the current reading and earlier ones

    Inputs:   mode  one of PADDING_MODES;  k  kernel length >= 1
    Returns:  (left, right) ints. Notebook 01 compares the modes.

    >>> padding_amounts("causal", 7), padding_amounts("same", 3)
    ((6, 0), (1, 1))
    """
    k = as_positive_int(k, "k")
    if mode == "valid":
        return 0, 0
    if mode == "same":
        # Even kernels put the extra zero on the left, which matches numpy.convolve(mode="same")
        # when flip=True.
        return k // 2, (k - 1) // 2
    if mode == "full":
        return k - 1, k - 1
    if mode == "causal":
        return k - 1, 0
    raise ValueError(f"padding must be one of {', '.join(map(repr, PADDING_MODES))}, got {mode!r}")


def pad1d(x, k, mode):
    """The series ``x`` with the zeros that padding ``mode`` adds for a kernel of length ``k``.

    ``mode``: one of PADDING_MODES (see :func:`padding_amounts`), an int (each side) or a
    (left, right) pair. conv1d(x, w, padding=mode) slides ``w`` over exactly this series.

    Inputs:   x  (n,) series;  k  kernel length;  mode  as above
    Returns:  (n + left + right,) float array.

    >>> pad1d([1, 2, 3], 3, "causal")
    array([0., 0., 1., 2., 3.])
    """
    x = as_float_array(x, "x")
    check_ndim(x, "x", (1,), "a 1D series of shape (n,)")
    left, right = _resolve_padding_1d(mode, k)
    return np.pad(x, (left, right))


def reference_points(n, k, mode):
    """The reference point t (index of the newest reading in the window) of every 1D output.

    Output i covers padded positions i .. i+k-1, i.e. readings i-left .. i-left+k-1, so
    t = i - left + k - 1 (notebook 01 draws each output at its t).

    Inputs:   n  series length;  k  kernel length;  mode  one of PADDING_MODES
    Returns:  (n_out,) int array of reference points.

    >>> reference_points(12, 7, "valid")      # the flight-speed example: s_6 .. s_11
    array([ 6,  7,  8,  9, 10, 11])
    """
    n = as_positive_int(n, "n")
    left, right = padding_amounts(mode, k)
    n_out = n + left + right - k + 1
    if n_out < 1:
        raise ValueError(f"kernel of length {k} is longer than the padded series of length {n + left + right}")
    first = k - 1 - left
    return np.arange(first, first + n_out)


def _resolve_padding_1d(padding, k):
    """A 1D padding spec (mode name, int or (left, right)) -> (left, right)."""
    if isinstance(padding, str):
        return padding_amounts(padding, k)
    return as_pair(padding, "padding", as_nonnegative_int)


def conv1d(x, w, *, stride=1, padding=0, flip=False, max_bytes=None):
    """1D cross-correlation (or, with ``flip=True``, convolution) of a series with a kernel.

        flip=False:  s[i] = sum_{a=0}^{k-1} x_pad[i*stride + a] * w[a]
        flip=True:   the same with w reversed, i.e. s_t = sum_a w_a x_(t-a)

    x: (n,) series; w: (k,) weights. ``padding``: int (each side), (left, right), 'valid'
    (no padding), 'same' (output as long as x at stride 1), 'full' (every overlap) or
    'causal' (only past readings); :func:`pad1d` shows the padded series.
    Returns the (n_out,) series. Notebook 01 uses it for the flight-speed example.
    ``max_bytes``: refuse (ValueError) a call whose padded copy and output would need more
    memory than this; default ``cnnlib.conv.MAX_BYTES`` (1 GiB).

    Inputs:   x        (n,) float array (or list), the series
              w        (k,) float array (or list), the weights, k >= 1
              stride   int >= 1;  padding  int, (left, right) or one of PADDING_MODES;  flip  bool
    Returns:  (n_out,) float array, n_out = floor((n + left + right - k) / stride) + 1.

    >>> x = [1.0, 1.1, 1.2, 1.4, 1.7, 1.8, 1.9, 2.1, 2.2, 2.4, 2.5, 2.7]   # the flight readings
    >>> w = [0.01, 0.01, 0.02, 0.02, 0.04, 0.4, 0.5]                      # w_-6 ... w_0
    >>> conv1d(x, w).round(3)                                             # s_6 .. s_11
    array([1.811, 1.967, 2.112, 2.269, 2.413, 2.569])
    """
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    check_ndim(x, "x", (1,), "a 1D series of shape (n,)")
    check_ndim(w, "w", (1,), "a 1D kernel of shape (k,)")
    if w.size == 0:
        raise ValueError("w must hold at least one weight")
    stride = as_positive_int(stride, "stride")
    left, right = _resolve_padding_1d(padding, w.size)
    padded = x.size + left + right
    check_allocation("conv1d", {"padded input": padded * x.itemsize,
                             "output": max(padded - w.size + 1, 0) // stride * x.itemsize}, max_bytes)
    if flip:
        w = w[::-1]
    x_pad = np.pad(x, (left, right))
    if w.size > x_pad.size:
        raise ValueError(kernel_fit(x.size, w.size, (left, right)))
    windows = sliding_window_view(x_pad, w.size)[::stride]
    return windows @ w


def _as_nchw(x):
    x = as_float_array(x, "x")
    check_ndim(x, "x", (2, 3, 4), "H x W, C x H x W or N x C x H x W")
    return x.reshape((1,) * (4 - x.ndim) + x.shape)


def _as_kchw(w):
    w = as_float_array(w, "w")
    check_ndim(w, "w", (2, 3, 4), "kh x kw, C x kh x kw or K x C x kh x kw")
    return w.reshape((1,) * (4 - w.ndim) + w.shape)


def _padding_2d(padding, kh, kw, dilation):
    """Resolve a 2D padding spec to per-side (rows, cols)."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding == "same":
            return same_padding(kh, dilation[0]), same_padding(kw, dilation[1])
        raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    return as_pair(padding, "padding", as_nonnegative_int)


def _geometry(x4, w4, x_shape, w_shape, stride, padding, dilation, max_bytes, what, columns):
    """The checks every 2D function makes on an N x C x H x W input and K x C x kh x kw filters
    (``x_shape``, ``w_shape``: the shapes the caller gave, for the messages): matching depth, a
    kernel that fits the padded input, and (before anything is allocated) the memory the padded
    input, the output and, with ``columns``, the im2col matrix would take.
    Returns (stride, dilation, padding, (out_h, out_w)) with every pair resolved to (rows, cols)."""
    if x4.shape[1] != w4.shape[1]:
        raise ValueError(
            f"channel mismatch: x has {x4.shape[1]} channel(s) (shape {x_shape}) but w expects "
            f"{w4.shape[1]} (shape {w_shape}); a filter must span the full depth of its input"
        )
    stride = as_pair(stride, "stride", as_positive_int)
    dilation = as_pair(dilation, "dilation", as_positive_int)
    kh, kw = w4.shape[2:]
    if kh == 0 or kw == 0:
        raise ValueError(f"w must have a non-empty kernel, got shape {w_shape}")
    pad = _padding_2d(padding, kh, kw, dilation)
    h, wd = x4.shape[2:]
    problem = kernel_fit((h, wd), (kh, kw), pad, dilation)
    if problem is not None:
        raise ValueError(problem)
    # shapes.output_size's formula, inline: every argument is checked above, and a layer's forward
    # pass comes through here on every batch.
    out_h = (h + 2 * pad[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    out_w = (wd + 2 * pad[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    n_batch, channels = x4.shape[:2]
    itemsize = np.result_type(x4, w4).itemsize
    parts = {"padded input": n_batch * channels * (h + 2 * pad[0]) * (wd + 2 * pad[1]) * x4.itemsize,
             "output": n_batch * w4.shape[0] * out_h * out_w * itemsize}
    if columns:
        parts["im2col matrix"] = n_batch * out_h * out_w * channels * kh * kw * x4.itemsize
    check_allocation(what, parts, max_bytes)
    return stride, dilation, pad, (out_h, out_w)


def _prepare(x, w, stride, padding, dilation, flip, max_bytes=None, what="conv2d", columns=False):
    """Shared argument handling for the fast and naive 2D paths: the teaching layouts (H x W,
    C x H x W, ...) as N x C x H x W and K x C x kh x kw, checked by :func:`_geometry`, the
    kernel flipped if asked, the input padded."""
    x_ndim = np.ndim(x)
    w_ndim = np.ndim(w)
    x4 = _as_nchw(x)
    w4 = _as_kchw(w)
    stride, dilation, pad, out_hw = _geometry(x4, w4, np.shape(x), np.shape(w), stride, padding, dilation,
                                              max_bytes, what, columns)
    if flip:
        w4 = w4[:, :, ::-1, ::-1]
    x4 = np.pad(x4, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))

    def shape_result(out):  # out is N x K x H_O x W_O; drop the axes the caller did not give
        if w_ndim < 4:
            out = out[:, 0]
        if x_ndim < 4:
            out = out[0]
        return out

    return x4, w4, stride, dilation, out_hw, shape_result


def _check_bias(b, k):
    if b is None:
        return 0.0
    b = as_float_array(b, "b")
    if b.ndim == 0:
        b = b.reshape(1)
    if b.shape != (k,):
        raise ValueError(f"b must hold one bias per filter, shape ({k},), got shape {b.shape}")
    return b[None, :, None, None]


def im2col(x_padded, kernel_size, stride=(1, 1), dilation=(1, 1), *, max_bytes=None):
    """Gather every receptive field of an already padded N x C x H x W input into rows.

    Returns an array of shape (N, H_O, W_O, C * kh * kw): row (n, i, j) holds the input values
    the filter sees at output position (i, j), ordered like ``w.reshape(K, -1)``. A convolution
    is then one matrix product, ``im2col(x) @ w.reshape(K, -1).T``.

    The result is a transposed view of a contiguous (C * kh * kw, N, H_O, W_O) array, filled by
    one strided copy per kernel offset (kh*kw copies of whole shifted images, each fast); so
    ``cols.transpose(3, 0, 1, 2).reshape(C * kh * kw, -1)`` is free, which :func:`conv2d_forward` uses.
    ``max_bytes``: refuse (ValueError) a result larger than this, before allocating it;
    default ``cnnlib.conv.MAX_BYTES`` (1 GiB).

    Inputs:   x_padded     N x C x H x W float array, padding already added
              kernel_size  (kh, kw);  stride, dilation  (rows, cols) pairs of ints
    Returns:  N x H_O x W_O x C*kh*kw array (a view, see above).

    >>> cols = im2col(np.arange(9.0).reshape(1, 1, 3, 3), (2, 2))    # 0..8 in a 3x3 grid
    >>> cols.shape
    (1, 2, 2, 4)
    >>> cols[0, 0, 0], cols[0, 1, 1]          # the top-left and the bottom-right 2x2 window
    (array([0., 1., 3., 4.]), array([4., 5., 7., 8.]))
    """
    kh, kw = kernel_size
    (sh, sw), (dh, dw) = stride, dilation
    n, c, hp, wp = x_padded.shape
    out_h = (hp - dh * (kh - 1) - 1) // sh + 1
    out_w = (wp - dw * (kw - 1) - 1) // sw + 1
    check_allocation("im2col", {"im2col matrix": max(n * out_h * out_w, 0) * c * kh * kw * x_padded.itemsize},
                  max_bytes)
    cols = np.empty((c, kh, kw, n, out_h, out_w), dtype=x_padded.dtype)
    channels_first = x_padded.transpose(1, 0, 2, 3)
    for a in range(kh):
        for b in range(kw):
            rows = slice(a * dh, a * dh + sh * (out_h - 1) + 1, sh)
            cols_ = slice(b * dw, b * dw + sw * (out_w - 1) + 1, sw)
            cols[:, a, b] = channels_first[:, :, rows, cols_]
    return cols.reshape(c * kh * kw, n, out_h, out_w).transpose(1, 2, 3, 0)


def col2im(cols, x_padded_shape, kernel_size, stride=(1, 1), dilation=(1, 1), *, max_bytes=None):
    """The adjoint of :func:`im2col`: add each row's values back onto the positions they came from.

    ``cols`` has shape (N, H_O, W_O, C * kh * kw); returns an array of ``x_padded_shape``.
    Overlapping windows accumulate, which is exactly the gradient of im2col. Fastest when
    ``cols`` has im2col's memory layout (a transposed view of a (C*kh*kw, N, H_O, W_O) array).
    ``max_bytes``: as for :func:`im2col`, for the returned array.

    Inputs:   cols            N x H_O x W_O x C*kh*kw float array
              x_padded_shape  (N, C, H, W) of the padded input
              kernel_size     (kh, kw);  stride, dilation  (rows, cols) pairs of ints
    Returns:  N x C x H x W float array (``x_padded_shape``).

    >>> col2im(np.ones((1, 2, 2, 4)), (1, 1, 3, 3), (2, 2))[0, 0]   # how many 2x2 windows cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    n, c, hp, wp = x_padded_shape
    check_allocation("col2im", {"result": n * c * hp * wp * cols.itemsize}, max_bytes)
    kh, kw = kernel_size
    (sh, sw), (dh, dw) = stride, dilation
    out_h, out_w = cols.shape[1:3]
    per_offset = cols.transpose(3, 0, 1, 2).reshape(c, kh, kw, n, out_h, out_w)
    x = np.zeros((c, n, hp, wp), dtype=cols.dtype)
    # One strided slice per kernel offset: kh*kw vectorised additions, no loop over positions.
    for a in range(kh):
        for b in range(kw):
            rows = slice(a * dh, a * dh + sh * (out_h - 1) + 1, sh)
            cols_ = slice(b * dw, b * dw + sw * (out_w - 1) + 1, sw)
            x[:, :, rows, cols_] += per_offset[:, a, b]
    return x.transpose(1, 0, 2, 3)


class Conv2DCache(NamedTuple):
    """What :func:`conv2d_forward` keeps for :func:`conv2d_backward_from_cache`.

    ``x`` and ``w`` are the forward pass's input (N x C x H x W, unpadded) and filters
    (K x C x kh x kw); ``stride``, ``padding`` and ``dilation`` its geometry as (rows, cols) pairs;
    ``cols`` the im2col columns of the padded input (N x H_O x W_O x C*kh*kw), the largest array
    of the pass, kept so that the backward pass need not build it a second time.

    Inputs:   made by :func:`conv2d_forward`; a NamedTuple, so ``cache.x`` or ``x, w, *_ = cache``
    Returns:  (x, w, stride, padding, dilation, cols), shapes as above.

    >>> _, cache = conv2d_forward(np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3)), padding=1)
    >>> cache.x.shape, cache.w.shape, cache.padding, cache.cols.shape
    ((2, 3, 5, 5), (4, 3, 3, 3), (1, 1), (2, 5, 5, 27))
    """
    x: np.ndarray
    w: np.ndarray
    stride: tuple
    padding: tuple
    dilation: tuple
    cols: np.ndarray


def conv2d_forward(x, w, b=None, *, stride=1, padding=0, dilation=1, max_bytes=None):
    """A convolutional layer's forward pass: the output, and the cache its backward pass needs.

        F   = the im2col columns of the padded x, a C*kh*kw x N*H_O*W_O matrix (one column per output cell)
        out = w.reshape(K, C*kh*kw) @ F + b      K x N*H_O*W_O, read as N x K x H_O x W_O

    One matrix product computes all N*K*H_O*W_O dot products of the formula in :func:`conv2d`.
    This is the one im2col algorithm of cnnlib: :func:`conv2d` and ``cnnlib.nn.Conv2D`` both call
    it, and :func:`conv2d_backward_from_cache` is its backward pass. It computes in the wider of
    x's and w's dtypes (float32 filters on a float64 batch give float64). ``max_bytes`` as for
    :func:`conv2d` (default ``cnnlib.conv.MAX_BYTES``, 1 GiB).

    Inputs:   x  N x C x H x W float array (a batch; :func:`conv2d` also takes H x W and C x H x W)
              w  K x C x kh x kw float array;  b  (K,) biases, or None for none
              stride, dilation  int or (rows, cols);  padding  int or (rows, cols) per side, 'valid' or 'same'
    Returns:  (out, cache): out N x K x H_O x W_O, H_O = output_size(H, kh, padding, stride, dilation);
              cache a :class:`Conv2DCache` for :func:`conv2d_backward_from_cache`.

    >>> x = np.arange(9.0).reshape(1, 1, 3, 3); w = np.ones((1, 1, 2, 2))
    >>> out, cache = conv2d_forward(x, w, np.array([0.5]))
    >>> out                             # the sum of each 2x2 window, plus the bias
    array([[[[ 8.5, 12.5],
             [20.5, 24.5]]]])
    >>> cache.cols[0, 0, 0]             # the top-left window, one row of F.T
    array([0., 1., 3., 4.])
    """
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    check_ndim(x, "x", (4,), "a batch N x C x H x W (conv2d also takes H x W and C x H x W)")
    check_ndim(w, "w", (4,), "K x C x kh x kw filters")
    stride, dilation, (ph, pw), _ = _geometry(x, w, x.shape, w.shape, stride, padding, dilation, max_bytes,
                                              "conv2d_forward", columns=True)
    k_filters, _, kh, kw = w.shape
    bias = None if b is None else _check_bias(b, k_filters)[0, :, 0, 0]
    x_padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
    cols = im2col(x_padded, (kh, kw), stride, dilation, max_bytes=max_bytes)   # N, H_O, W_O, C*kh*kw
    n_batch, out_h, out_w, n_fields = cols.shape
    # The same numbers as columns, one per output cell: C*kh*kw x N*H_O*W_O. With im2col's memory
    # layout this transpose-and-reshape copies nothing. Explicit sizes, never -1: N or C may be 0.
    fields = cols.transpose(3, 0, 1, 2).reshape(n_fields, n_batch * out_h * out_w)
    out = w.reshape(k_filters, n_fields) @ fields                             # K x N*H_O*W_O
    if bias is not None:
        out = out + bias[:, None]
    out = out.reshape(k_filters, n_batch, out_h, out_w).transpose(1, 0, 2, 3)
    return out, Conv2DCache(x, w, stride, (ph, pw), dilation, cols)


def conv2d(x, w, b=None, *, stride=1, padding=0, dilation=1, flip=False, max_bytes=None):
    """2D cross-correlation (or true convolution with ``flip=True``), vectorised with im2col.

        out[n, k, i, j] = b[k] + sum_{c, a, b} x_pad[n, c, i*s + a*d, j*s + b*d] * w[k, c, a, b]

    x: H x W, C x H x W or N x C x H x W.  w: kh x kw (one single-channel filter),
    C x kh x kw (one filter spanning the full depth) or K x C x kh x kw (K filters).
    The result has a batch axis only if x did and a filter axis only if w is 4D:
    (H, W)*(kh, kw) -> H_O x W_O; (C, H, W)*(C, kh, kw) -> H_O x W_O (one map, summed over depth);
    (C, H, W)*(K, C, kh, kw) -> K x H_O x W_O; (N, C, H, W)*(K, C, kh, kw) -> N x K x H_O x W_O.
    ``stride``, ``dilation``: int or (rows, cols). ``padding``: int or (rows, cols) per side,
    'valid' or 'same'. ``b``: K biases. :func:`conv2d_naive` is the same formula in loops.
    Several channels or filters go through :func:`conv2d_forward` (im2col and one matrix product,
    as in a layer); one filter on one channel adds up shifted copies of the image instead, which
    filters a picture faster.
    ``max_bytes``: refuse (ValueError, before allocating) a call whose padded input, im2col
    matrix and output would need more memory than this; default ``cnnlib.conv.MAX_BYTES`` (1 GiB).

    Inputs:   x  H x W, C x H x W or N x C x H x W float array
              w  kh x kw, C x kh x kw or K x C x kh x kw float array
              b  (K,) biases, or None
    Returns:  H_O x W_O, K x H_O x W_O or N x K x H_O x W_O float array (see the list above),
              H_O = output_size(H, kh, padding, stride, dilation), likewise W_O.

    >>> image = np.array([[60, 113, 56, 139, 85], [73, 121, 54, 84, 128], [131, 99, 70, 129, 127],
    ...                   [80, 57, 115, 69, 134], [104, 126, 123, 95, 130]])   # the notes' 5x5 example
    >>> sharpen = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    >>> conv2d(image, sharpen, padding=1, stride=2)
    array([[114., -26., 158.],
           [403., -47., 244.],
           [314., 279., 421.]])
    >>> conv2d(np.ones((2, 3, 8, 8)), np.ones((4, 3, 3, 3)), padding=1).shape     # N, K, H_O, W_O
    (2, 4, 8, 8)
    """
    filters_and_depth = ((1,) * (4 - np.ndim(w)) + np.shape(w))[:2]
    x4, w4, stride, dilation, out_hw, shape_result = _prepare(
        x, w, stride, padding, dilation, flip, max_bytes, "conv2d", columns=filters_and_depth != (1, 1))
    k = w4.shape[0]
    bias = _check_bias(b, k)
    if x4.shape[1] == 1 and k == 1:
        out = _shift_and_add(x4, w4, stride, dilation, out_hw)
    else:
        # x4 is padded already. conv2d computes in x's dtype (float32 images stay float32 even
        # with float64 filters), so the filters take x's dtype first.
        out, _ = conv2d_forward(x4, w4.astype(x4.dtype, copy=False), stride=stride, dilation=dilation,
                                max_bytes=max_bytes)
    return shape_result(out + bias)


def _shift_and_add(x4, w4, stride, dilation, out_hw, block_rows=64):
    """One filter on one channel (plain image filtering): out = sum_(a,b) w[a, b] * shifted input.

    For a single map, im2col would copy the image kh*kw times only to multiply by a vector;
    adding kh*kw scaled, shifted views is cheaper. Working through ``block_rows`` output rows at
    a time keeps the running sum in the CPU cache for all kh*kw additions, which makes it 2-3x
    faster than scipy's correlate2d on a 512 x 512 image (benchmarks/bench_conv.py).
    """
    (sh, sw), (dh, dw), (out_h, out_w) = stride, dilation, out_hw
    out = np.zeros((x4.shape[0], 1, out_h, out_w), dtype=np.result_type(x4, w4))
    scaled = np.empty((x4.shape[0], 1, min(block_rows, out_h), out_w), dtype=out.dtype)
    for r0 in range(0, out_h, block_rows):
        r1 = min(r0 + block_rows, out_h)
        block, part = out[:, :, r0:r1], scaled[:, :, :r1 - r0]
        for a in range(w4.shape[2]):
            rows = slice(a * dh + sh * r0, a * dh + sh * (r1 - 1) + 1, sh)
            for b in range(w4.shape[3]):
                cols = slice(b * dw, b * dw + sw * (out_w - 1) + 1, sw)
                np.multiply(x4[:, :, rows, cols], w4[0, 0, a, b], out=part)
                block += part
    return out


def conv2d_naive(x, w, b=None, *, stride=1, padding=0, dilation=1, flip=False, max_bytes=None):
    """The formula of :func:`conv2d` written as literal loops: slow, obviously correct.
    ``max_bytes`` as for :func:`conv2d` (default ``cnnlib.conv.MAX_BYTES``, 1 GiB).

    Inputs:   x, w, b  and the keywords as for :func:`conv2d`
    Returns:  the same array as :func:`conv2d`, same shape.

    >>> conv2d_naive(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))   # the sum of each 2x2 window
    array([[ 8., 12.],
           [20., 24.]])
    """
    x4, w4, (sh, sw), (dh, dw), (out_h, out_w), shape_result = _prepare(
        x, w, stride, padding, dilation, flip, max_bytes, "conv2d_naive")
    n_batch, channels = x4.shape[:2]
    k_filters, _, kh, kw = w4.shape
    bias = np.zeros(k_filters) if b is None else _check_bias(b, k_filters)[0, :, 0, 0]
    out = np.zeros((n_batch, k_filters, out_h, out_w))
    for n in range(n_batch):
        for k in range(k_filters):
            for i in range(out_h):
                for j in range(out_w):
                    total = bias[k]
                    for c in range(channels):
                        for a in range(kh):
                            for bb in range(kw):
                                total += x4[n, c, i * sh + a * dh, j * sw + bb * dw] * w4[k, c, a, bb]
                    out[n, k, i, j] = total
    return shape_result(out)


BORDER_MODES = ("zeros", "repeat")


def filter_image(image, kernel, *, border="zeros", flip=False):
    """``conv2d`` with an output as large as the image, padded with zeros or repeated border pixels.

    border="zeros" is ``conv2d(image, kernel, padding='same')``: the frame of the picture then
    looks like an edge to an edge kernel. border="repeat" pads by repeating the outermost pixels
    (numpy's 'edge' mode) and convolves without padding, so flat borders stay flat.
    Notebook 02 filters photographs with it.

    Inputs:   image  H x W;  kernel  kh x kw with odd sides
    Returns:  H x W filtered image.

    >>> flat = np.ones((3, 3)); edge = np.array([[0., -1, 0], [-1, 4, -1], [0, -1, 0]])
    >>> filter_image(flat, edge)                   # zeros around the picture look like an edge
    array([[2., 1., 2.],
           [1., 0., 1.],
           [2., 1., 2.]])
    >>> filter_image(flat, edge, border="repeat")  # a flat picture stays flat
    array([[0., 0., 0.],
           [0., 0., 0.],
           [0., 0., 0.]])
    """
    if border == "zeros":
        return conv2d(image, kernel, padding="same", flip=flip)
    if border != "repeat":
        raise ValueError(f"border must be one of {', '.join(map(repr, BORDER_MODES))}, got {border!r}")
    kh, kw = np.shape(kernel)
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2,), "a 2D image of shape (H, W)")
    padded = np.pad(image, ((kh // 2, kh // 2), (kw // 2, kw // 2)), mode="edge")
    return conv2d(padded, kernel, flip=flip)


class ConvStep(NamedTuple):
    """One output cell of a 2D convolution: ``total == products.sum() == (window * kernel).sum()``.

    Inputs:   made by :func:`conv_step`; a NamedTuple, so ``step.window`` or ``window, products, total = step``
    Returns:  (window, products, total): two arrays shaped like the kernel, and their sum, a float.

    >>> step = conv_step(np.arange(9.0).reshape(3, 3), np.ones((2, 2)), 1, 1)
    >>> step.window, step.total         # the bottom-right 2x2 window and its sum
    (array([[4., 5.],
           [7., 8.]]), 24.0)
    """
    window: np.ndarray
    products: np.ndarray
    total: float


def conv_step(image, kernel, row, col, *, stride=1, padding=0):
    """One output cell of ``conv2d(image, kernel, stride=stride, padding=padding)``, step by step:
    pad, take the window, multiply, add.

        window   = x_pad[row*s : row*s + kh, col*s : col*s + kw]
        products = window * kernel            (element-wise)
        total    = sum of the products        = output[row, col]

    Inputs:   image  H x W (or C x H x W);  kernel  kh x kw (or C x kh x kw);  row, col  an output
              cell;  stride, padding  int or (rows, cols), padding per side.
    Returns:  ConvStep(window, products, total): two arrays shaped like ``kernel`` and a float.
    Notebook 02 steps through the lecture notes' 5x5 example this way.

    >>> image = np.array([[60, 113, 56, 139, 85], [73, 121, 54, 84, 128], [131, 99, 70, 129, 127],
    ...                   [80, 57, 115, 69, 134], [104, 126, 123, 95, 130]])   # the notes' 5x5 example
    >>> sharpen = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    >>> step = conv_step(image, sharpen, 0, 0, stride=2, padding=1)
    >>> step.window
    array([[  0.,   0.,   0.],
           [  0.,  60., 113.],
           [  0.,  73., 121.]])
    >>> step.total                  # 5*60 - 113 - 73
    114.0
    """
    image = as_float_array(image, "image")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(image, "image", (2, 3), "H x W or C x H x W")
    check_ndim(kernel, "kernel", (image.ndim,), f"{'kh x kw' if image.ndim == 2 else 'C x kh x kw'} like the image")
    out_h, out_w = conv2d(np.broadcast_to(0.0, image.shape), kernel, stride=stride, padding=padding).shape[-2:]
    if not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(f"(row, col) must lie inside the {out_h}x{out_w} output, got ({row}, {col})")
    (sh, sw), (ph, pw) = as_pair(stride, "stride", as_positive_int), as_pair(padding, "padding", as_nonnegative_int)
    kh, kw = kernel.shape[-2:]
    padded = np.pad(image, ((0, 0),) * (image.ndim - 2) + ((ph, ph), (pw, pw)))
    window = padded[..., row * sh:row * sh + kh, col * sw:col * sw + kw]
    products = window * kernel
    return ConvStep(window, products, float(products.sum()))


def conv_matrix(input_shape, w, *, stride=1, padding=0, max_bytes=None):
    """The dense matrix M of a convolution, so that ``conv2d(x, w).ravel() == M @ x.ravel()``.

    input_shape: (H, W) or (C, H, W); w as for :func:`conv2d`. Row r of M belongs to one output
    unit and holds that unit's weights at the columns of the inputs it sees; every other entry
    is zero (sparse connectivity), and every row holds the same few numbers (weight sharing).
    Positions that fall on the zero padding are simply absent. Notebook 05 draws it.
    M has (outputs x inputs) entries, so it grows with the square of the image: ``max_bytes``
    refuses (ValueError) an M larger than this; default ``cnnlib.conv.MAX_BYTES`` (1 GiB).

    Inputs:   input_shape  (H, W) or (C, H, W) tuple of ints
              w            kh x kw, C x kh x kw or K x C x kh x kw float array
              stride, padding  as for :func:`conv2d`
    Returns:  M, a (K*H_O*W_O) x (C*H*W) float array; K = 1 unless w is 4D.

    >>> m = conv_matrix((4, 4), np.ones((2, 2)), stride=2)     # the notes' 4x4 input numbered 1..16
    >>> m.shape, np.flatnonzero(m[0]) + 1, np.flatnonzero(m[1]) + 1   # h11 sees 1, 2, 5, 6; h12 3, 4, 7, 8
    ((4, 16), array([1, 2, 5, 6]), array([3, 4, 7, 8]))
    """
    input_shape = tuple(input_shape)
    if len(input_shape) not in (2, 3):
        raise ValueError(f"input_shape must be (H, W) or (C, H, W), got {input_shape!r}")
    for i, n in enumerate(input_shape):
        as_positive_int(n, f"input_shape[{i}]")
    x_shape_4d = (1,) * (4 - len(input_shape)) + input_shape
    probe = np.broadcast_to(0.0, input_shape)   # a shape without memory behind it
    _, w4, (sh, sw), _, (out_h, out_w), _ = _prepare(probe, w, stride, padding, 1, False, max_bytes, "conv_matrix")
    ph, pw = _padding_2d(padding, w4.shape[2], w4.shape[3], (1, 1))
    _, channels, height, width = x_shape_4d
    k_filters, _, kh, kw = w4.shape
    n_out = (k_filters if np.ndim(w) == 4 else 1) * out_h * out_w
    check_allocation("conv_matrix", {"matrix": n_out * channels * height * width * 8}, max_bytes)
    m = np.zeros((n_out, channels * height * width))
    for k in range(k_filters):
        for i in range(out_h):
            for j in range(out_w):
                row = (k * out_h + i) * out_w + j
                for c in range(channels):
                    for a in range(kh):
                        for b in range(kw):
                            r, s = i * sh + a - ph, j * sw + b - pw
                            if 0 <= r < height and 0 <= s < width:
                                m[row, (c * height + r) * width + s] = w4[k, c, a, b]
    return m


def weight_ids(kernel_size):
    """A square kernel whose weights are their own numbers, 1..F*F row by row: convolved with it, each
    output says which weight joined it to each input (:func:`connection_ids`; notebook 05).

    Inputs:   kernel_size  F (int >= 1)
    Returns:  F x F float array holding 1, 2, ..., F*F

    >>> weight_ids(2)
    array([[1., 2.],
           [3., 4.]])
    """
    k = as_positive_int(kernel_size, "kernel_size")
    return np.arange(1, k * k + 1, dtype=float).reshape(k, k)


def connection_ids(input_size, kernel_size, stride=1):
    """Which weight joins each input to each output of a convolution on an n x n input, no padding:
    :func:`conv_matrix` of :func:`weight_ids`. Equal numbers in different rows are one shared weight.

    Inputs:   input_size  n (int >= 1);  kernel_size  F;  stride  S
    Returns:  (outputs x inputs) int array: entry [r, i] is the number (1..F*F) of the weight joining
              input i to output r, 0 where they are not connected; inputs and outputs row by row

    >>> connection_ids(3, 2, stride=1)[0]       # output h11 sees inputs 1, 2, 4, 5 through weights 1..4
    array([1, 2, 0, 3, 4, 0, 0, 0, 0])
    """
    n = as_positive_int(input_size, "input_size")
    return conv_matrix((n, n), weight_ids(kernel_size), stride=stride).astype(int)


def neuron_name(index, out_cols):
    """The lecture notes' name of output number ``index`` (row by row, from 0): h11, h12, ...

    Inputs:   index     int >= 0, the output's position row by row
              out_cols  the output's width (a comma separates row and column from 10 columns up)
    Returns:  str

    >>> [neuron_name(i, 2) for i in range(4)], neuron_name(11, 10)
    (['h11', 'h12', 'h21', 'h22'], 'h2,2')
    """
    row, col = divmod(as_nonnegative_int(index, "index"), as_positive_int(out_cols, "out_cols"))
    return f"h{row + 1}{col + 1}" if out_cols < 10 else f"h{row + 1},{col + 1}"


def channel_contributions(volume, filter_):
    """What each input channel adds to one filter's output map: conv2d(x[c], w[c]) for every c.

    Their sum over the channels, plus the bias, is ``conv2d(volume, filter_, bias)``: a filter
    spans the whole depth, and each slice of it looks at its own channel (notebook 03).

    Inputs:   volume   C x H x W array;  filter_  C x kh x kw array (the same C)
    Returns:  C x H_O x W_O float array, H_O = H - kh + 1 (stride 1, no padding)

    >>> volume = np.stack([np.ones((3, 3)), 2 * np.ones((3, 3))])
    >>> parts = channel_contributions(volume, np.ones((2, 2, 2)))
    >>> parts[:, 0, 0], bool(parts.sum(axis=0)[0, 0] == conv2d(volume, np.ones((2, 2, 2)))[0, 0])
    (array([4., 8.]), True)
    """
    volume, filter_ = np.asarray(volume), np.asarray(filter_)
    if volume.ndim != 3 or filter_.ndim != 3 or volume.shape[0] != filter_.shape[0]:
        raise ValueError(f"volume must be C x H x W and filter_ C x kh x kw with the same C; "
                         f"got shapes {volume.shape} and {filter_.shape}")
    return np.stack([conv2d(channel, weights) for channel, weights in zip(volume, filter_)])


def _prepare_backward(grad_out, x, w, stride, padding, dilation, max_bytes, what, columns):
    """Shared argument handling for the 2D backward passes: grad_out must have exactly the
    shape conv2d(x, w) has, so a gradient from the wrong layer is caught here, by name."""
    x4, w4, stride, dilation, (out_h, out_w), shape_result = _prepare(
        x, w, stride, padding, dilation, False, max_bytes, what, columns)
    n_batch, k_filters = x4.shape[0], w4.shape[0]
    expected = shape_result(np.empty((n_batch, k_filters, out_h, out_w), dtype=np.int8)).shape
    g = as_float_array(grad_out, "grad_out")
    if g.shape != expected:
        raise ValueError(f"grad_out must have the shape of conv2d(x, w) with these arguments, {expected}, "
                         f"got {g.shape} (x {np.shape(x)}, w {np.shape(w)})")
    pad = _padding_2d(padding, w4.shape[2], w4.shape[3], dilation)
    return g.reshape(n_batch, k_filters, out_h, out_w), x4, w4, stride, dilation, pad


def conv2d_backward(grad_out, x, w, *, stride=1, padding=0, dilation=1, cols=None, max_bytes=None):
    """Gradients of :func:`conv2d` (cross-correlation, no flip): the chain rule as three matrix products.

    With F = the im2col columns of the padded input (C*kh*kw x N*H_O*W_O), W = w.reshape(K, -1)
    and G = grad_out as a K x N*H_O*W_O matrix, the forward pass is out = W @ F + b, so

        grad_w = G @ F.T        grad_b = row sums of G        grad_F = W.T @ G

    and :func:`col2im` adds each column of grad_F back onto the input pixels it was copied from
    (a pixel seen by several windows collects from all of them); the padding's share is dropped.
    :func:`conv2d_backward_naive` is the same chain rule in loops. Notebook 08 derives it.

    Inputs:   grad_out  shape of conv2d(x, w, ...): N x K x H_O x W_O for 4D x and w
              x         N x C x H x W (or H x W, C x H x W, as for conv2d)
              w         K x C x kh x kw (or kh x kw, C x kh x kw)
    Returns:  (grad_x, grad_w, grad_b) with the shapes of x, w and (K,); K = 1 for a single filter.

    ``cols`` (optional): ``im2col`` of the padded x, N x H_O x W_O x C*kh*kw, kept from the forward
    pass so that backward need not build it again (:func:`conv2d_backward_from_cache` passes the
    one :func:`conv2d_forward` kept: rebuilding it costs a fresh allocation of the largest array
    in the layer, which slowed LeNet's step by a third).
    ``max_bytes`` as for :func:`conv2d` (default ``cnnlib.conv.MAX_BYTES``, 1 GiB).

    An empty batch (N = 0) or input without channels (C = 0) gives gradients of the right
    shapes, as the naive twin does: conv2d accepts such inputs, and the gradient of an empty sum
    is zero (grad_w = 0 for N = 0; grad_b = the sum of grad_out even for C = 0).

    >>> x = np.arange(9.0).reshape(3, 3); w = np.ones((2, 2))
    >>> grad_x, grad_w, grad_b = conv2d_backward(np.ones((2, 2)), x, w)
    >>> grad_x                      # how many of the 4 windows cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> grad_w, grad_b              # the sum of each window position's inputs; the window count
    (array([[ 8., 12.],
           [20., 24.]]), array([4.]))
    """
    g4, x4, w4, stride, dilation, (ph, pw) = _prepare_backward(grad_out, x, w, stride, padding, dilation,
                                                                max_bytes, "conv2d_backward", cols is None)
    k_filters, _, kh, kw = w4.shape
    n_batch, _, out_h, out_w = g4.shape
    # Explicit sizes, never -1, in the reshapes below: -1 cannot be inferred when N or C is 0.
    n_fields, n_positions = x4.shape[1] * kh * kw, n_batch * out_h * out_w
    dtype = np.result_type(g4, x4, w4)
    if cols is None:
        cols = im2col(x4, (kh, kw), stride, dilation, max_bytes=max_bytes)    # N, H_O, W_O, C*kh*kw
    elif np.shape(cols) != (n_batch, out_h, out_w, n_fields):
        raise ValueError(f"cols must be im2col of the padded x, shape "
                         f"{(n_batch, out_h, out_w, n_fields)}, got {np.shape(cols)}")
    fields = cols.transpose(3, 0, 1, 2).reshape(n_fields, n_positions)   # C*kh*kw x N*H_O*W_O, no copy
    g = g4.transpose(1, 0, 2, 3).reshape(k_filters, n_positions)         # K x N*H_O*W_O
    grad_w = (g @ fields.T).reshape(w4.shape).astype(dtype, copy=False)
    grad_b = g.sum(axis=1).astype(dtype, copy=False)
    grad_fields = w4.reshape(k_filters, n_fields).T.astype(dtype, copy=False) @ g
    grad_cols = grad_fields.reshape(n_fields, n_batch, out_h, out_w).transpose(1, 2, 3, 0)
    grad_padded = col2im(grad_cols, x4.shape, (kh, kw), stride, dilation, max_bytes=max_bytes)
    grad_x = grad_padded[:, :, ph:x4.shape[2] - ph, pw:x4.shape[3] - pw]
    return grad_x.reshape(np.shape(x)), grad_w.reshape(np.shape(w)), grad_b


def conv2d_backward_from_cache(grad_out, cache, *, max_bytes=None):
    """The backward pass that goes with :func:`conv2d_forward`: :func:`conv2d_backward` with the
    input, filters, geometry and im2col columns the forward pass kept in ``cache``.

        (out, cache) = conv2d_forward(x, w, b, ...)
        (grad_x, grad_w, grad_b) = conv2d_backward_from_cache(dL/d(out), cache)

    Reusing the forward's columns saves building them again, the largest allocation of the pass
    (without it LeNet-5's training step was a third slower). ``cnnlib.nn.Conv2D.backward`` is this call.
    ``max_bytes`` as for :func:`conv2d` (default ``cnnlib.conv.MAX_BYTES``, 1 GiB).

    Inputs:   grad_out  N x K x H_O x W_O, dL/d(out) for the ``out`` conv2d_forward returned
              cache     the :class:`Conv2DCache` that conv2d_forward returned with it
    Returns:  (grad_x, grad_w, grad_b): N x C x H x W, K x C x kh x kw and (K,).

    >>> x = np.arange(9.0).reshape(1, 1, 3, 3); w = np.ones((1, 1, 2, 2))
    >>> out, cache = conv2d_forward(x, w)
    >>> grad_x, grad_w, grad_b = conv2d_backward_from_cache(np.ones_like(out), cache)
    >>> grad_x[0, 0]                    # how many of the 4 windows cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> grad_w[0, 0], grad_b            # the sum of each window position's inputs; the window count
    (array([[ 8., 12.],
           [20., 24.]]), array([4.]))
    """
    if not isinstance(cache, Conv2DCache):
        raise TypeError(f"cache must be the Conv2DCache that conv2d_forward returns, got {type(cache).__name__}")
    return conv2d_backward(grad_out, cache.x, cache.w, stride=cache.stride, padding=cache.padding,
                           dilation=cache.dilation, cols=cache.cols, max_bytes=max_bytes)


def conv2d_backward_naive(grad_out, x, w, *, stride=1, padding=0, dilation=1, max_bytes=None):
    """:func:`conv2d_backward` as literal loops: each output cell sends its gradient back along
    the products that made it. out[n, k, i, j] = b[k] + sum x[n, c, r, s] * w[k, c, a, b] with
    r = i*s + a*d - p, so by the chain rule

        grad_x[n, c, r, s] += grad_out[n, k, i, j] * w[k, c, a, b]
        grad_w[k, c, a, b] += grad_out[n, k, i, j] * x[n, c, r, s]
        grad_b[k]          += grad_out[n, k, i, j]

    Cells that fall on the zero padding are not inputs: they get no gradient and add nothing
    to grad_w. Same arguments, shapes and results as :func:`conv2d_backward`; slow, obviously right.

    Inputs:   grad_out, x, w  and the keywords as for :func:`conv2d_backward` (no ``cols``)
    Returns:  (grad_x, grad_w, grad_b) with the shapes of x, w and (K,).

    >>> grad_x, grad_w, grad_b = conv2d_backward_naive(np.ones((2, 2)), np.arange(9.0).reshape(3, 3),
    ...                                                np.ones((2, 2)))
    >>> print(grad_x[1, 1], grad_w[0, 0], grad_b[0])    # as conv2d_backward's example
    4.0 8.0 4.0
    """
    g4, x4, w4, (sh, sw), (dh, dw), (ph, pw) = _prepare_backward(grad_out, x, w, stride, padding, dilation,
                                                                  max_bytes, "conv2d_backward_naive", False)
    x_in = x4[:, :, ph:x4.shape[2] - ph, pw:x4.shape[3] - pw]         # the unpadded input
    n_batch, channels, height, width = x_in.shape
    k_filters, _, kh, kw = w4.shape
    _, _, out_h, out_w = g4.shape
    grad_x = np.zeros(x_in.shape)
    grad_w = np.zeros(w4.shape)
    grad_b = np.zeros(k_filters)
    for n in range(n_batch):
        for k in range(k_filters):
            for i in range(out_h):
                for j in range(out_w):
                    g = g4[n, k, i, j]
                    grad_b[k] += g
                    for c in range(channels):
                        for a in range(kh):
                            for b in range(kw):
                                r, s = i * sh + a * dh - ph, j * sw + b * dw - pw
                                if 0 <= r < height and 0 <= s < width:
                                    grad_x[n, c, r, s] += g * w4[k, c, a, b]
                                    grad_w[k, c, a, b] += g * x_in[n, c, r, s]
    return grad_x.reshape(np.shape(x)), grad_w.reshape(np.shape(w)), grad_b


def _prepare_transpose(y, w, stride, padding, max_bytes, what):
    """Shared argument handling for :func:`conv_transpose2d` and its naive twin: y as N x K x H x W,
    w as K x C x kh x kw, the per-side padding, the output size, and how to shape the result."""
    y, w = as_float_array(y, "y"), as_float_array(w, "w")
    check_ndim(w, "w", (2, 3, 4), "kh x kw, C x kh x kw or K x C x kh x kw (as for conv2d)")
    check_ndim(y, "y", (2,) if w.ndim < 4 else (3, 4),
               "H x W for a single filter, K x H x W or N x K x H x W for K filters (w K x C x kh x kw)")
    w4 = w.reshape((1,) * (4 - w.ndim) + w.shape)
    y4 = y.reshape((1,) * (4 - y.ndim) + y.shape)
    if y4.shape[1] != w4.shape[0]:
        raise ValueError(f"y has {y4.shape[1]} map(s) (shape {y.shape}) but w holds {w4.shape[0]} filter(s) "
                         f"(shape {w.shape}); a transposed convolution takes one map per filter")
    (sh, sw), (ph, pw) = as_pair(stride, "stride", as_positive_int), as_pair(padding, "padding", as_nonnegative_int)
    n, k, h, wd = y4.shape
    _, c, kh, kw = w4.shape
    if kh == 0 or kw == 0:
        raise ValueError(f"w must have a non-empty kernel, got shape {w.shape}")
    full_h, full_w = (h - 1) * sh + kh, (wd - 1) * sw + kw          # before the padding is cut off
    out_h, out_w = full_h - 2 * ph, full_w - 2 * pw
    if min(h, wd) < 1 or out_h < 1 or out_w < 1:
        raise ValueError(f"padding {(ph, pw)} leaves nothing: (H - 1) S - 2P + F = {out_h} x {out_w} "
                         f"for y {y.shape}, w {w.shape}, stride {(sh, sw)}")
    check_allocation(what, {"columns": n * h * wd * c * kh * kw * 8, "padded output": n * c * full_h * full_w * 8},
                     max_bytes)

    def shape_result(out):  # out is N x C x H_O x W_O
        out = out[:, :, ph:full_h - ph, pw:full_w - pw]
        if w.ndim == 2:
            out = out[:, 0]
        return out if y.ndim == 4 else out[0]

    return y4, w4, (sh, sw), (full_h, full_w), shape_result


def conv_transpose2d(y, w, *, stride=1, padding=0, max_bytes=None):
    """Transposed convolution: each value of y spreads a copy of the kernel, scaled by that value,
    onto the output; the copies sit S apart and add where they overlap; then P rows and columns are
    cut from each side. It upsamples, undoing conv2d's *shape* change (not its values):

        out_full[n, c, i*S + a, j*S + b] += y[n, k, i, j] * w[k, c, a, b],   out = out_full[P:-P, P:-P]
        H_O = (H - 1) * S - 2P + kh,   W_O = (W - 1) * S - 2P + kw

    It is the transpose of conv2d as a matrix: with M = conv_matrix((H_O, W_O), w, stride=S,
    padding=P) (or (C, H_O, W_O)), ``conv_transpose2d(y, w).ravel() == M.T @ y.ravel()``; hence
    also the input gradient of conv2d. w has conv2d's layout (K x C x kh x kw): the filters of the
    convolution that maps C channels to K, used backwards from K to C. Implemented as one matrix
    product and :func:`col2im`; :func:`conv_transpose2d_naive` is the same formula in loops.
    Notebook 04 uses it for upsampling. ``max_bytes`` as for :func:`conv2d`.

    Inputs:   y  H x W (w kh x kw or C x kh x kw), or K x H x W / N x K x H x W (w K x C x kh x kw)
              w  kh x kw, C x kh x kw or K x C x kh x kw float array
              stride, padding  int or (rows, cols); padding is cut from each side of the output
    Returns:  H_O x W_O (w 2D), C x H_O x W_O, or N x C x H_O x W_O (y 4D) float array

    >>> conv_transpose2d(np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 2)), stride=2)  # 2x2 -> 4x4
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    >>> conv_transpose2d(np.ones((14, 14)), np.ones((4, 4)), stride=2, padding=1).shape   # (14-1)*2 - 2 + 4
    (28, 28)
    """
    y4, w4, stride, full_hw, shape_result = _prepare_transpose(y, w, stride, padding, max_bytes,
                                                               "conv_transpose2d")
    n, k, h, wd = y4.shape
    _, c, kh, kw = w4.shape
    cols = y4.transpose(0, 2, 3, 1) @ w4.reshape(k, c * kh * kw)          # N, H, W, C*kh*kw
    full = col2im(cols, (n, c) + full_hw, (kh, kw), stride, max_bytes=max_bytes)
    return shape_result(full)


def conv_transpose2d_naive(y, w, *, stride=1, padding=0, max_bytes=None):
    """:func:`conv_transpose2d` as literal loops: every input value adds its scaled kernel to the output.

    Inputs:   y, w  and the keywords as for :func:`conv_transpose2d`
    Returns:  the same array as :func:`conv_transpose2d`, same shape.

    >>> conv_transpose2d_naive(np.array([[1.0, 2.0]]), np.array([[1.0, 10.0]]))   # overlaps add: 10 + 2
    array([[ 1., 12., 20.]])
    """
    y4, w4, (sh, sw), full_hw, shape_result = _prepare_transpose(y, w, stride, padding, max_bytes,
                                                                 "conv_transpose2d_naive")
    n_batch, k_filters, h, wd = y4.shape
    _, channels, kh, kw = w4.shape
    full = np.zeros((n_batch, channels) + full_hw)
    for n in range(n_batch):
        for k in range(k_filters):
            for i in range(h):
                for j in range(wd):
                    for c in range(channels):
                        for a in range(kh):
                            for b in range(kw):
                                full[n, c, i * sh + a, j * sw + b] += y4[n, k, i, j] * w4[k, c, a, b]
    return shape_result(full)


__all__ = ["MAX_BYTES", "PADDING_MODES", "padding_amounts", "pad1d", "reference_points", "conv1d",
           "im2col", "col2im", "Conv2DCache", "conv2d_forward",
           "conv2d", "conv2d_naive", "BORDER_MODES", "filter_image", "ConvStep",
           "conv_step", "conv_matrix", "weight_ids", "connection_ids", "neuron_name", "channel_contributions",
           "conv2d_backward", "conv2d_backward_from_cache", "conv2d_backward_naive",
           "conv_transpose2d", "conv_transpose2d_naive"]
