"""cnnlib.conv.conv_transpose2d: the transpose of the convolution matrix, on random shapes.

A transposed convolution must equal M.T @ y for M = conv_matrix of the convolution it reverses,
agree with its naive loop twin and with conv2d's input gradient, and follow the size rule
W_O = (W_I - 1) S - 2P + F (notebook 04).
"""
import numpy as np
import pytest

from cnnlib.conv import (conv2d, conv2d_backward, conv_matrix, conv_transpose2d, conv_transpose2d_naive)
from cnnlib.shapes import output_size


def _random_setting(rng):
    """A convolution (C -> K channels, kernel, stride, padding) and an output size it maps back to exactly."""
    while True:
        kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
        stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
        padding = tuple(int(v) for v in rng.integers(0, 3, size=2))
        h, w = (int(v) for v in rng.integers(1, 6, size=2))       # the transposed convolution's input
        out_h, out_w = (h - 1) * stride[0] - 2 * padding[0] + kh, (w - 1) * stride[1] - 2 * padding[1] + kw
        if out_h >= 1 and out_w >= 1 and out_h + 2 * padding[0] >= kh and out_w + 2 * padding[1] >= kw:
            return (h, w), (out_h, out_w), (kh, kw), stride, padding


@pytest.mark.parametrize("seed", range(40))
def test_equals_the_transpose_of_the_convolution_matrix(seed):
    rng = np.random.default_rng(seed)
    (h, w), (out_h, out_w), (kh, kw), stride, padding = _random_setting(rng)
    k, c = (int(v) for v in rng.integers(1, 4, size=2))
    filters = rng.standard_normal((k, c, kh, kw))
    y = rng.standard_normal((k, h, w))
    m = conv_matrix((c, out_h, out_w), filters, stride=stride, padding=padding)
    assert m.shape == (k * h * w, c * out_h * out_w)          # the convolution maps the output size back to y's
    up = conv_transpose2d(y, filters, stride=stride, padding=padding)
    assert up.shape == (c, out_h, out_w)
    np.testing.assert_allclose(up.ravel(), m.T @ y.ravel(), atol=1e-12)
    np.testing.assert_allclose(up, conv_transpose2d_naive(y, filters, stride=stride, padding=padding), atol=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_is_the_input_gradient_of_conv2d_and_its_adjoint(seed):
    rng = np.random.default_rng(100 + seed)
    (h, w), (out_h, out_w), (kh, kw), stride, padding = _random_setting(rng)
    n, k, c = 2, 3, 2
    filters = rng.standard_normal((k, c, kh, kw))
    y = rng.standard_normal((n, k, h, w))
    x = rng.standard_normal((n, c, out_h, out_w))
    up = conv_transpose2d(y, filters, stride=stride, padding=padding)
    grad_x, _, _ = conv2d_backward(y, x, filters, stride=stride, padding=padding)
    np.testing.assert_allclose(up, grad_x, atol=1e-12)
    # <conv(x), y> == <x, conv_transpose(y)>: the defining property of a transpose
    assert np.isclose(np.sum(conv2d(x, filters, stride=stride, padding=padding) * y), np.sum(x * up))


def test_the_size_rule_and_the_layouts():
    for n, kernel, stride, padding in [(3, 2, 2, 0), (2, 3, 1, 0), (14, 4, 2, 1), (5, 3, 2, 1), (1, 5, 3, 0)]:
        up = conv_transpose2d(np.ones((n, n)), np.ones((kernel, kernel)), stride=stride, padding=padding)
        assert up.shape == ((n - 1) * stride - 2 * padding + kernel,) * 2
        # and the convolution with the same settings maps that size back to n
        assert output_size(up.shape[0], kernel, padding, stride) == n
    assert conv_transpose2d(np.ones((2, 3)), np.ones((4, 2, 2))).shape == (4, 3, 4)        # C x kh x kw filter
    assert conv_transpose2d(np.ones((5, 2, 2, 2)), np.ones((2, 3, 3, 3)), stride=2).shape == (5, 3, 5, 5)
    assert conv_transpose2d([[1.0, 2.0]], [[1.0, 10.0]]).tolist() == [[1.0, 12.0, 20.0]]    # overlaps add


def test_mistakes_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="one map per filter"):
        conv_transpose2d(np.ones((3, 4, 4)), np.ones((2, 1, 3, 3)))
    with pytest.raises(ValueError, match="leaves nothing"):
        conv_transpose2d(np.ones((1, 1)), np.ones((2, 2)), padding=1)
    with pytest.raises(ValueError, match="y must be"):
        conv_transpose2d(np.ones((2, 3, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="would allocate"):
        conv_transpose2d(np.ones((64, 64)), np.ones((8, 8)), max_bytes=1000)
