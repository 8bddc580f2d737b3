"""Max and average pooling (taught in notebook 06).

Pooling summarises each window with one number; it has no parameters to learn.
Inputs are H x W, C x H x W or N x C x H x W; the result keeps the input's rank.
"""
import math

import numpy as np

from ._checks import as_float_array, as_nonnegative_int, as_pair, as_positive_int, check_allocation, check_ndim
from .shapes import output_size


def _pool_setup(x, size, stride, padding, pad_value, what, max_bytes, backward=False):
    """Checked arguments and the padded input. Refuses, before padding, a call whose padded
    input, output and (``backward``) gradient would need more than ``max_bytes``."""
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
    maps, padded_pixels = math.prod(x.shape[:-2]), (h + 2 * padding[0]) * (w + 2 * padding[1])
    parts = {"padded input": maps * padded_pixels * x.itemsize} if any(padding) else {}
    parts["output"] = maps * out_shape[0] * out_shape[1] * x.itemsize
    if backward:
        parts["gradient of the padded input"] = maps * padded_pixels * 8
    check_allocation(what, parts, max_bytes)
    pad = [(0, 0)] * (x.ndim - 2) + [(padding[0], padding[0]), (padding[1], padding[1])]
    x_pad = np.pad(x, pad, constant_values=pad_value) if any(padding) else x
    return x_pad, size, stride, out_shape


def max_pool2d(x, size=2, stride=None, padding=0, *, max_bytes=None):
    """Max pooling: out[i, j] = max over the size x size window starting at (i*stride, j*stride).

    ``stride`` defaults to ``size`` (non-overlapping windows); size 3 with stride 2 gives the
    overlapping windows of AlexNet. Padding (per side) uses -inf, so it never wins a max.

    Inputs:   x        H x W, C x H x W or N x C x H x W float array
              size     window side, int or (rows, cols);  stride  int or (rows, cols), default size
              padding  int or (rows, cols) per side, at most half the window
              max_bytes  refuse (ValueError, before allocating) a call whose padded input and output
                       would need more; default ``cnnlib.conv.MAX_BYTES`` (1 GiB), as for conv2d
    Returns:  float array of x's leading axes x H_O x W_O, H_O = output_size(H, size, padding, stride).

    >>> x = np.array([[1., 3., 2., 1.],
    ...               [4., 6., 5., 0.],
    ...               [3., 1., 1., 2.],
    ...               [0., 2., 7., 4.]])
    >>> max_pool2d(x)                # 2x2 windows, stride 2: the largest value of each quadrant
    array([[6., 5.],
           [3., 7.]])
    """
    x_pad, size, stride, out_shape = _pool_setup(x, size, stride, padding, -np.inf, "max_pool2d", max_bytes)
    return _running_max(x_pad, size, stride, out_shape)[0]


def avg_pool2d(x, size=2, stride=None, padding=0, *, max_bytes=None):
    """Average pooling: out[i, j] = mean of the window starting at (i*stride, j*stride).

    Padding (per side) adds zeros that count in the mean, as PyTorch's default does.

    Inputs:   x, size, stride, padding, max_bytes  as for :func:`max_pool2d`
    Returns:  float array of x's leading axes x H_O x W_O, as for :func:`max_pool2d`.

    >>> x = np.array([[1., 3., 2., 1.],
    ...               [4., 6., 5., 0.],
    ...               [3., 1., 1., 2.],
    ...               [0., 2., 7., 4.]])
    >>> avg_pool2d(x)                # the mean of each quadrant: (1 + 3 + 4 + 6)/4 = 3.5, ...
    array([[3.5, 2. ],
           [1.5, 3.5]])
    """
    x_pad, size, stride, out_shape = _pool_setup(x, size, stride, padding, 0.0, "avg_pool2d", max_bytes)
    # Summing the kh*kw shifted strided views is 4-6x faster than a mean over
    # sliding_window_view's strided window axes (see _running_max).
    total = np.zeros(x_pad.shape[:-2] + out_shape, dtype=x_pad.dtype)
    for _, where in _offset_slices(size, stride, out_shape):
        total += x_pad[where]
    return total / (size[0] * size[1])


def pool2d_naive(x, size=2, stride=None, padding=0, *, mode="max", max_bytes=None):
    """Max or average pooling as literal loops over output positions (the reference twin).

    Inputs:   x, size, stride, padding, max_bytes  as for :func:`max_pool2d`;  mode  "max" or "avg"
    Returns:  the array :func:`max_pool2d` (mode="max") or :func:`avg_pool2d` (mode="avg") returns.

    >>> pool2d_naive(np.array([[1., 3., 2., 1.], [4., 6., 5., 0.]]), mode="avg")   # (1+3+4+6)/4, (2+1+5+0)/4
    array([[3.5, 2. ]])
    """
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    x_pad, (kh, kw), (sh, sw), (out_h, out_w) = _pool_setup(
        x, size, stride, padding, -np.inf if mode == "max" else 0.0, "pool2d_naive", max_bytes)
    reduce = np.max if mode == "max" else np.mean
    out = np.zeros(x_pad.shape[:-2] + (out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[..., i, j] = reduce(x_pad[..., i * sh:i * sh + kh, j * sw:j * sw + kw], axis=(-2, -1))
    return out


def _pool_backward_setup(grad_out, x, size, stride, padding, pad_value, forward_name, what, max_bytes):
    """Shared checks: grad_out must have exactly the shape the forward pooling gives for x."""
    x_pad, size, stride, out_shape = _pool_setup(x, size, stride, padding, pad_value, what, max_bytes, backward=True)
    expected = x_pad.shape[:-2] + out_shape
    g = as_float_array(grad_out, "grad_out")
    if g.shape != expected:
        raise ValueError(f"grad_out must have the shape of {forward_name}(x) with these arguments, "
                         f"{expected}, got {g.shape} (x {np.shape(x)})")
    padding = as_pair(padding, "padding", as_nonnegative_int)
    return g, x_pad, size, stride, padding, out_shape


def _offset_slices(size, stride, out_shape):
    """For each window offset (a, b), in row-major order: its flat index a*kw + b and the slices
    of the padded input that this offset touches, one element per output cell."""
    (kh, kw), (sh, sw), (out_h, out_w) = size, stride, out_shape
    for a in range(kh):
        for b in range(kw):
            yield a * kw + b, (Ellipsis, slice(a, a + sh * (out_h - 1) + 1, sh),
                               slice(b, b + sw * (out_w - 1) + 1, sw))


def _unpad(grad_pad, padding):
    (ph, pw), (hp, wp) = padding, grad_pad.shape[-2:]
    return grad_pad[..., ph:hp - ph, pw:wp - pw]


def _tiles(arr, size, out_shape):
    """Non-overlapping windows (stride == size) without copying: (..., H_O, kh, W_O, kw)."""
    (kh, kw), (out_h, out_w) = size, out_shape
    return arr[..., :out_h * kh, :out_w * kw].reshape(arr.shape[:-2] + (out_h, kh, out_w, kw))


def max_pool2d_backward(grad_out, x, size=2, stride=None, padding=0, *, max_bytes=None):
    """Gradient of :func:`max_pool2d`: each window's gradient goes to the input that won its max.

        grad_x[..., i*s + a*, j*s + b*] += grad_out[..., i, j],   (a*, b*) = argmax of window (i, j)

    Ties: the gradient goes to the FIRST maximum of the window in row-major order (as PyTorch
    does), never split; so a window of equal values (zeros after a ReLU) passes it to its top-left
    element only. Overlapping windows (stride < size) add up where they share a winner; inputs
    that win no window get 0, and the -inf padding never wins. Arguments as for
    :func:`max_pool2d`; :func:`pool2d_backward_naive` is the same rule in loops.

    Inputs:   grad_out  shape of max_pool2d(x, ...): (..., H_O, W_O)
              x         H x W, C x H x W or N x C x H x W, the forward pass's input
              max_bytes as for :func:`max_pool2d`, counting the gradient too
    Returns:  grad_x, the shape of x.

    >>> x = np.array([[1., 3., 0., 0.],
    ...               [2., 3., 0., 0.]])
    >>> max_pool2d_backward(np.array([[10., 20.]]), x)     # 3 wins twice: the first 3; all 0s tie
    array([[ 0., 10., 20.,  0.],
           [ 0.,  0.,  0.,  0.]])
    """
    g, x_pad, size, stride, padding, out_shape = _pool_backward_setup(
        grad_out, x, size, stride, padding, -np.inf, "max_pool2d", "max_pool2d_backward", max_bytes)
    _, winner = _running_max(x_pad, size, stride, out_shape, with_winner=True)
    grad_pad = np.zeros(x_pad.shape, dtype=np.result_type(g, x_pad))
    overlapping = stride[0] < size[0] or stride[1] < size[1]
    won = np.empty(winner.shape, dtype=bool)
    for k, where in _offset_slices(size, stride, out_shape):
        np.equal(winner, k, out=won)
        if overlapping:
            grad_pad[where] += np.where(won, g, 0)
        else:   # each input is in at most one window: writing in place is enough, and faster
            np.multiply(won, g, out=grad_pad[where])
    return _unpad(grad_pad, padding)


def _running_max(x_pad, size, stride, out_shape, with_winner=False):
    """Each window's max, and (``with_winner``) the flat offset a*kw + b of its FIRST maximum.

    Visits the kh*kw window offsets in row-major order, each one a whole-array step on a strided
    view, keeping the largest value so far; a strict > keeps the first of equal values. This is
    5-6x faster than reducing sliding_window_view's strided window axes, which LeNet feels.
    """
    offsets = list(_offset_slices(size, stride, out_shape))
    best = x_pad[offsets[0][1]].copy()
    winner = np.zeros(best.shape, dtype=np.uint8 if len(offsets) <= 256 else np.intp) if with_winner else None
    for k, where in offsets[1:]:
        candidate = x_pad[where]
        if with_winner:
            np.putmask(winner, candidate > best, k)
        np.maximum(best, candidate, out=best)
    return best, winner


def avg_pool2d_backward(grad_out, x, size=2, stride=None, padding=0, *, max_bytes=None):
    """Gradient of :func:`avg_pool2d`: each window shares its gradient equally among its kh*kw cells.

        grad_x[..., i*s + a, j*s + b] += grad_out[..., i, j] / (kh * kw)    for every a, b

    The divisor is always kh*kw because the zero padding counts in the mean (as in the forward
    pass); the padding's shares are dropped. Overlapping windows add up. Arguments as for
    :func:`avg_pool2d`; only x's shape is used.

    Inputs:   grad_out  shape of avg_pool2d(x, ...): (..., H_O, W_O)
              x         H x W, C x H x W or N x C x H x W, the forward pass's input
              max_bytes as for :func:`max_pool2d`, counting the gradient too
    Returns:  grad_x, the shape of x.

    >>> avg_pool2d_backward(np.array([[4., 8.]]), np.zeros((2, 4)))
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.]])
    """
    g, x_pad, size, stride, padding, out_shape = _pool_backward_setup(
        grad_out, x, size, stride, padding, 0.0, "avg_pool2d", "avg_pool2d_backward", max_bytes)
    share = g / (size[0] * size[1])
    grad_pad = np.zeros(x_pad.shape, dtype=np.result_type(g, x_pad))
    if stride == size:
        # Non-overlapping windows: one broadcast assignment instead of kh*kw additions.
        _tiles(grad_pad, size, out_shape)[...] = share[..., :, None, :, None]
        return _unpad(grad_pad, padding)
    for _, where in _offset_slices(size, stride, out_shape):
        grad_pad[where] += share
    return _unpad(grad_pad, padding)


def pool2d_backward_naive(grad_out, x, size=2, stride=None, padding=0, *, mode="max", max_bytes=None):
    """The pooling gradients as literal loops over output cells (the reference twin of
    :func:`max_pool2d_backward` and :func:`avg_pool2d_backward`, same arguments and results).

    mode="max": the cell's gradient goes to the first maximum of its window (np.argmax reads the
    window in row-major order and returns the first of equal values). mode="avg": every cell of
    the window gets gradient / (kh * kw).

    Inputs:   grad_out, x, size, stride, padding, max_bytes  as for :func:`max_pool2d_backward`
              mode      "max" or "avg"
    Returns:  grad_x, the shape of x.

    >>> pool2d_backward_naive(np.array([[10., 20.]]), np.array([[1., 3., 0., 0.], [2., 3., 0., 0.]]))
    array([[ 0., 10., 20.,  0.],
           [ 0.,  0.,  0.,  0.]])
    """
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    g, x_pad, (kh, kw), (sh, sw), padding, (out_h, out_w) = _pool_backward_setup(
        grad_out, x, size, stride, padding, -np.inf if mode == "max" else 0.0, f"{mode}_pool2d",
        "pool2d_backward_naive", max_bytes)
    maps = x_pad.reshape(-1, *x_pad.shape[-2:])                  # every (n, c) map in turn
    g_maps = g.reshape(-1, out_h, out_w)
    grad_pad = np.zeros(maps.shape)
    for m in range(maps.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                window = maps[m, i * sh:i * sh + kh, j * sw:j * sw + kw]
                if mode == "max":
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    grad_pad[m, i * sh + a, j * sw + b] += g_maps[m, i, j]
                else:
                    grad_pad[m, i * sh:i * sh + kh, j * sw:j * sw + kw] += g_maps[m, i, j] / (kh * kw)
    return _unpad(grad_pad.reshape(x_pad.shape), padding)


def example_feature_map():
    """An 8 x 8 feature map in which a detector fired at four places (the peaks), zero elsewhere.

    Notebook 06 shifts it one pixel right: the peaks at (1, 2) and (6, 6) stay inside their 2 x 2
    pooling windows, those at (2, 5) and (5, 1) cross into the next window.

    Inputs:   none
    Returns:  8 x 8 float array, peaks 9, 6, 8 and 5

    >>> fmap = example_feature_map()
    >>> fmap.shape, int(np.count_nonzero(fmap)), max_pool2d(fmap, 4)
    ((8, 8), 4, array([[9., 6.],
           [8., 5.]]))
    """
    fmap = np.zeros((8, 8))
    for (row, col), value in {(1, 2): 9, (2, 5): 6, (5, 1): 8, (6, 6): 5}.items():
        fmap[row, col] = value
    return fmap


def unchanged_counts(before, after):
    """How many active positions hold the same value in both maps: the measure of (approximate)
    translation invariance in notebook 06, with ``after`` computed from a shifted input.

    A position is active when it is non-zero in either map; zeros that stay zero say nothing
    about invariance, so they are left out (on a map with no zeros every position counts).

    Inputs:   before, after  two arrays of the same shape
    Returns:  (unchanged, active), a pair of ints

    >>> unchanged_counts([[0, 3], [1, 0]], [[0, 3], [0, 1]])    # 3 stayed; the 1 moved
    (1, 3)
    """
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if before.shape != after.shape:
        raise ValueError(f"before and after must have the same shape, got {before.shape} and {after.shape}")
    active = (before != 0) | (after != 0)
    same = np.isclose(before, after, rtol=1e-9, atol=1e-12) & active
    return int(same.sum()), int(active.sum())


__all__ = ["max_pool2d", "avg_pool2d", "pool2d_naive", "max_pool2d_backward", "avg_pool2d_backward",
           "pool2d_backward_naive", "example_feature_map", "unchanged_counts"]
