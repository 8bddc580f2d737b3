"""Backward passes as functions: each fast path equals its naive twin on random configurations,
both agree with centred finite differences, ties and overlaps follow the stated rules, and bad
arguments raise errors that say what was expected."""
import numpy as np
import pytest

import cnnlib
from cnnlib import (avg_pool2d, avg_pool2d_backward, check_backward, conv2d, conv2d_backward,
                    conv2d_backward_naive, max_pool2d, max_pool2d_backward, pool2d_backward_naive,
                    softmax_cross_entropy_grad)
from cnnlib.conv import im2col
from cnnlib.losses import log_softmax
from cnnlib.train import numerical_gradient, relative_error

TOLERANCE = 1e-7          # float64 finite differences: a right gradient lands near 1e-10
RANDOM_CONFIGURATIONS = 60


def random_conv_config(rng):
    """Shapes, stride, padding and dilation drawn so that the kernel always fits."""
    n, c, k = (int(v) for v in rng.integers(1, 4, size=3))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    dilation = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    padding = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
    h = int(rng.integers(max(1, dilation[0] * (kh - 1) + 1 - 2 * padding[0]), 9))
    w = int(rng.integers(max(1, dilation[1] * (kw - 1) + 1 - 2 * padding[1]), 9))
    x = rng.standard_normal((n, c, h, w))
    weights = rng.standard_normal((k, c, kh, kw))
    return x, weights, dict(stride=stride, padding=padding, dilation=dilation)


def random_pool_config(rng, ties=False):
    size = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    stride = None if rng.random() < 0.3 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    padding = (int(rng.integers(0, size[0] // 2 + 1)), int(rng.integers(0, size[1] // 2 + 1)))
    leading = tuple(int(v) for v in rng.integers(1, 4, size=int(rng.integers(0, 3))))   # 2D, 3D or 4D x
    shape = leading + (int(rng.integers(size[0], 9)), int(rng.integers(size[1], 9)))
    x = rng.standard_normal(shape)
    if ties:
        x = np.round(x)             # many equal values per window, as after a ReLU
    return x, dict(size=size, stride=stride, padding=padding)


def conv_configs(count, seed):
    rng = np.random.default_rng(seed)
    return [random_conv_config(rng) for _ in range(count)]


def test_conv2d_backward_equals_naive_on_random_configurations():
    worst = 0.0
    for x, w, kwargs in conv_configs(RANDOM_CONFIGURATIONS, seed=0):
        g = np.random.default_rng(1).standard_normal(conv2d(x, w, **kwargs).shape)
        fast, naive = conv2d_backward(g, x, w, **kwargs), conv2d_backward_naive(g, x, w, **kwargs)
        for name, a, b, like in zip(("grad_x", "grad_w", "grad_b"), fast, naive, (x, w, w[:, 0, 0, 0])):
            assert a.shape == like.shape, (name, kwargs)
            worst = max(worst, relative_error(a, b))
    assert worst < 1e-12


def test_conv2d_backward_matches_numerical_gradients():
    for x, w, kwargs in conv_configs(12, seed=2):
        b = np.random.default_rng(3).standard_normal(w.shape[0])
        for backward in (conv2d_backward, conv2d_backward_naive):
            result = check_backward(lambda x_, w_, b_: conv2d(x_, w_, b_, **kwargs),
                                    lambda g, x_, w_, b_: backward(g, x_, w_, **kwargs),
                                    (x, w, b), names=("x", "w", "b"), max_checks=None)
            assert result.passed and result.worst_error < TOLERANCE, (kwargs, str(result))


def test_conv2d_backward_on_the_hand_checked_example():
    # 3x3 input, 2x2 ones kernel, all-ones grad_out: grad_x counts the windows covering each pixel.
    grad_x, grad_w, grad_b = conv2d_backward(np.ones((2, 2)), np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
    assert np.array_equal(grad_x, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert np.array_equal(grad_w, [[8, 12], [20, 24]]) and np.array_equal(grad_b, [4])


def test_conv2d_backward_accepts_the_teaching_layouts_and_same_padding():
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((2, 5, 6)), rng.standard_normal((3, 2, 3, 3))        # C x H x W, K filters
    g = rng.standard_normal(conv2d(x, w, padding="same").shape)
    fast = conv2d_backward(g, x, w, padding="same")
    naive = conv2d_backward_naive(g, x, w, padding="same")
    assert [a.shape for a in fast] == [x.shape, w.shape, (3,)]
    assert all(relative_error(a, b) < 1e-12 for a, b in zip(fast, naive))


def test_conv2d_backward_reuses_the_forward_columns_unchanged():
    x, w, kwargs = conv_configs(1, seed=5)[0]
    g = np.ones(conv2d(x, w, **kwargs).shape)
    ph, pw = kwargs["padding"]
    cols = im2col(np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), w.shape[2:], kwargs["stride"], kwargs["dilation"])
    with_cols = conv2d_backward(g, x, w, cols=cols, **kwargs)
    without = conv2d_backward(g, x, w, **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(with_cols, without))
    with pytest.raises(ValueError, match="cols must be im2col"):
        conv2d_backward(g, x, w, cols=cols[:, :, :, :1], **kwargs)


@pytest.mark.parametrize("backward", [conv2d_backward, conv2d_backward_naive])
def test_conv2d_backward_rejects_bad_arguments(backward):
    x, w = np.zeros((2, 3, 6, 6)), np.zeros((4, 3, 3, 3))
    expected = r"grad_out must have the shape of conv2d\(x, w\).*\(2, 4, 2, 2\), got \(2, 4, 4, 4\)"
    with pytest.raises(ValueError, match=expected):
        backward(np.zeros((2, 4, 4, 4)), x, w, stride=2)
    with pytest.raises(ValueError, match="channel mismatch"):
        backward(np.zeros((2, 4, 4, 4)), x, np.zeros((4, 2, 3, 3)))
    with pytest.raises(ValueError, match="stride must be at least 1"):
        backward(np.zeros((2, 4, 4, 4)), x, w, stride=0)
    with pytest.raises(TypeError, match="grad_out must be an array of numbers"):
        backward("ones", x, w)


def pool_configs(count, seed, ties=False):
    rng = np.random.default_rng(seed)
    return [random_pool_config(rng, ties) for _ in range(count)]


@pytest.mark.parametrize("mode, forward, backward", [("max", max_pool2d, max_pool2d_backward),
                                                      ("avg", avg_pool2d, avg_pool2d_backward)])
@pytest.mark.parametrize("ties", [False, True])
def test_pool_backward_equals_naive_on_random_configurations(mode, forward, backward, ties):
    overlapping = 0
    for x, kwargs in pool_configs(RANDOM_CONFIGURATIONS, seed=6 + ties, ties=ties):
        g = np.random.default_rng(7).standard_normal(forward(x, **kwargs).shape)
        fast = backward(g, x, **kwargs)
        assert fast.shape == x.shape
        assert relative_error(fast, pool2d_backward_naive(g, x, **kwargs, mode=mode)) < 1e-12, kwargs
        stride = kwargs["stride"] or kwargs["size"]
        overlapping += stride[0] < kwargs["size"][0] or stride[1] < kwargs["size"][1]
    assert overlapping >= 10          # the random draw really covers overlapping windows


@pytest.mark.parametrize("mode, forward, backward", [("max", max_pool2d, max_pool2d_backward),
                                                      ("avg", avg_pool2d, avg_pool2d_backward)])
def test_pool_backward_matches_numerical_gradients(mode, forward, backward):
    # Distinct values (a permutation, spread out) so that no max is within h of a tie.
    rng = np.random.default_rng(8)
    for x, kwargs in pool_configs(12, seed=9):
        x = rng.permutation(x.size).reshape(x.shape) * 0.1
        for grad in (backward, lambda g, x_, **k: pool2d_backward_naive(g, x_, **k, mode=mode)):
            result = check_backward(lambda x_: forward(x_, **kwargs), lambda g, x_: grad(g, x_, **kwargs),
                                    x, max_checks=None)
            assert result.worst_error < TOLERANCE, (kwargs, str(result))


@pytest.mark.parametrize("backward", [max_pool2d_backward,
                                      lambda g, x, *a, **k: pool2d_backward_naive(g, x, *a, **k, mode="max")])
def test_max_pool_tie_goes_to_the_first_maximum_in_row_major_order(backward):
    x = np.array([[0., 0., 1., 5.],
                  [0., 0., 5., 5.]])                 # window 1: all equal; window 2: three 5s
    grad = backward(np.array([[10., 20.]]), x)
    assert np.array_equal(grad, [[10., 0., 0., 20.],
                                 [0., 0., 0., 0.]])
    # Overlapping windows (size 2, stride 1) that share their winner add up there.
    x = np.array([[0., 9., 0.]])
    assert np.array_equal(backward(np.array([[1., 2.]]), x, size=(1, 2), stride=1), [[0., 3., 0.]])


def test_avg_pool_backward_spreads_each_gradient_evenly_and_padding_keeps_its_share():
    assert np.array_equal(avg_pool2d_backward(np.array([[4., 8.]]), np.zeros((2, 4))),
                          [[1., 1., 2., 2.], [1., 1., 2., 2.]])
    # Padding 1 with size 2: each window holds one real pixel and three padding zeros.
    grad = avg_pool2d_backward(np.ones((2, 2)), np.zeros((2, 2)), size=2, padding=1)
    assert np.array_equal(grad, np.full((2, 2), 0.25))


@pytest.mark.parametrize("backward", [max_pool2d_backward, avg_pool2d_backward, pool2d_backward_naive])
def test_pool_backward_rejects_bad_arguments(backward):
    x = np.zeros((1, 2, 6, 6))
    expected = r"grad_out must have the shape of .*_pool2d\(x\).*\(1, 2, 3, 3\), got \(1, 2, 2, 2\)"
    with pytest.raises(ValueError, match=expected):
        backward(np.zeros((1, 2, 2, 2)), x)
    with pytest.raises(ValueError, match="padding 2 along rows must be at most half the window size 2"):
        backward(np.zeros((1, 2, 3, 3)), x, 2, None, (2, 0))
    with pytest.raises(TypeError, match="size must be an integer"):
        backward(np.zeros((1, 2, 3, 3)), x, 2.5)
    with pytest.raises(ValueError, match="x must be H x W"):
        backward(np.zeros(3), np.zeros(6))
    if backward is pool2d_backward_naive:
        with pytest.raises(ValueError, match="mode must be 'max' or 'avg'"):
            backward(np.zeros((1, 2, 3, 3)), x, mode="min")


def test_softmax_cross_entropy_grad_matches_numerical_gradient():
    rng = np.random.default_rng(10)
    for n, c in ((1, 2), (4, 3), (7, 10)):
        logits, y = rng.standard_normal((n, c)) * 3, rng.integers(0, c, size=n)

        def loss(z):
            return -np.mean(log_softmax(z, axis=1)[np.arange(n), y])
        grad = softmax_cross_entropy_grad(logits, y)
        assert relative_error(grad, numerical_gradient(loss, logits.copy())) < TOLERANCE
        assert np.allclose(grad.sum(axis=1), 0)
        onehot = np.eye(c)[y]
        assert np.allclose(softmax_cross_entropy_grad(logits, onehot), grad)
    assert np.allclose(softmax_cross_entropy_grad([[0.0, 0.0]], np.array([1])), [[0.5, -0.5]])


def test_softmax_cross_entropy_grad_equals_the_layer_and_rejects_bad_labels():
    rng = np.random.default_rng(11)
    logits, y = rng.standard_normal((5, 4)), rng.integers(0, 4, size=5)
    layer = cnnlib.nn.SoftmaxCrossEntropy()
    layer.forward(logits, y)
    assert np.allclose(softmax_cross_entropy_grad(logits, y), layer.backward())
    with pytest.raises(ValueError, match="logits must be N x C"):
        softmax_cross_entropy_grad(np.zeros(4), np.array([1]))
    with pytest.raises(TypeError, match="labels must be integers"):
        softmax_cross_entropy_grad(logits, y.astype(float))
    with pytest.raises(ValueError, match=r"labels must be in 0..3, got values from 0 to 4"):
        softmax_cross_entropy_grad(logits, np.array([0, 1, 2, 3, 4]))
    with pytest.raises(ValueError, match="y has 3 labels but logits has 5 rows"):
        softmax_cross_entropy_grad(logits, np.array([0, 1, 2]))


def test_layers_call_the_backward_functions():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 3, 7, 7))
    conv = cnnlib.nn.Conv2D(3, 4, 3, stride=2, padding=1, rng=0).astype(np.float64)
    g = rng.standard_normal(conv.forward(x).shape)
    grad_x = conv.backward(g)
    expected = conv2d_backward(g, x, conv.params["weight"], stride=2, padding=1)
    assert np.allclose(grad_x, expected[0]) and np.allclose(conv.grads["weight"], expected[1])
    assert np.allclose(conv.grads["bias"], expected[2])
    for layer, backward in ((cnnlib.nn.MaxPool2D(3, 2), max_pool2d_backward),
                            (cnnlib.nn.AvgPool2D(3, 2), avg_pool2d_backward)):
        x_ties = np.round(x)
        g = rng.standard_normal(layer.forward(x_ties).shape)
        assert np.array_equal(layer.backward(g), backward(g, x_ties, 3, 2))
    pool = cnnlib.nn.MaxPool2D(2)
    out = pool.forward(np.zeros((1, 1, 2, 2), dtype=np.float32))        # a ReLU'd, all-zero window
    assert np.array_equal(pool.backward(np.ones_like(out)), [[[[1, 0], [0, 0]]]])


def test_check_backward_points_at_the_worst_entry_of_a_wrong_gradient():
    rng = np.random.default_rng(13)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))

    def wrong_backward(g, x_, w_):
        grad_x, grad_w, _ = conv2d_backward(g, x_, w_, padding=1)
        grad_x = grad_x.copy()
        grad_x[0, 1, 4, 0] += 1.0                   # a bug at one corner pixel
        return grad_x, grad_w
    result = check_backward(lambda x_, w_: conv2d(x_, w_, padding=1), wrong_backward, (x, w),
                            names=("x", "w"), max_checks=None)
    assert not result.passed and not result
    assert result.errors["x"] > 1e-2 and result.errors["w"] < TOLERANCE
    index, analytic, numeric = result.worst["x"]
    assert index == (0, 1, 4, 0) and analytic - numeric == pytest.approx(1.0)
    assert "x: relative error" in str(result) and "WRONG (worst entry x[0, 1, 4, 0]" in str(result)


def test_check_backward_rejects_mismatched_backward():
    x = np.ones(3)
    with pytest.raises(ValueError, match="one gradient per input"):
        check_backward(lambda a, b: a * b, lambda g, a, b: g * b, (x, x))
    with pytest.raises(ValueError, match=r"gradient for x must have x's shape \(3,\), got \(2,\)"):
        check_backward(lambda a: a, lambda g, a: g[:2], x)
    with pytest.raises(ValueError, match="names must give one name per input"):
        check_backward(lambda a: a, lambda g, a: g, x, names=("a", "b"))
    with pytest.raises(TypeError, match="forward and backward must be functions"):
        check_backward(None, lambda g, a: g, x)
