"""Pooling, activations, losses and kernels against hand-computed values and references."""
import math
import subprocess
import sys

import numpy as np
import pytest

import cnnlib
from cnnlib import (avg_pool2d, binary_cross_entropy, categorical_cross_entropy, cross_entropy, entropy,
                    kernels, kl_divergence, log_softmax, mae, max_pool2d, mse, pool2d_naive, softmax)
from cnnlib.activations import ACTIVATIONS

MAP = np.array([[1, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]], dtype=float)


def test_max_and_average_pooling_by_hand():
    np.testing.assert_array_equal(max_pool2d(MAP), [[6, 5], [7, 9]])   # one max per quadrant
    np.testing.assert_array_equal(avg_pool2d(MAP), [[3.5, 2.0], [2.5, 6.0]])


def test_overlapping_pooling_size_3_stride_2():
    x = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(max_pool2d(x, 3, 2), [[12, 14], [22, 24]])
    np.testing.assert_array_equal(avg_pool2d(x, 3, 2), [[6, 8], [16, 18]])


def test_pooling_non_square_and_batched_inputs_match_the_naive_twin():
    rng = np.random.default_rng(0)
    for shape, size, stride, pad in [((6, 9), 2, None, 0), ((2, 3, 7, 5), 3, 2, 1), ((3, 8, 6), (2, 3), (2, 1), 0)]:
        x = rng.normal(size=shape)
        np.testing.assert_allclose(max_pool2d(x, size, stride, pad), pool2d_naive(x, size, stride, pad, mode="max"))
        np.testing.assert_allclose(avg_pool2d(x, size, stride, pad), pool2d_naive(x, size, stride, pad, mode="avg"))
    assert max_pool2d(np.zeros((6, 9))).shape == (3, 4)


def test_pooling_errors():
    with pytest.raises(ValueError, match="size"):
        max_pool2d(MAP, size=0)
    with pytest.raises(ValueError, match="larger than the padded input"):
        max_pool2d(MAP, size=5)
    with pytest.raises(ValueError, match="padding"):
        max_pool2d(MAP, size=2, padding=2)
    with pytest.raises(ValueError, match="mode"):
        pool2d_naive(MAP, mode="median")


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivatives_match_finite_differences(name):
    f, grad = ACTIVATIONS[name].function, ACTIVATIONS[name].derivative
    z = np.linspace(-6, 6, 121) + 0.013   # avoid ReLU's kink at exactly 0
    h = 1e-6
    np.testing.assert_allclose(grad(z), (f(z + h) - f(z - h)) / (2 * h), atol=1e-6)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_activation_record_names_a_layer_that_applies_its_function(name):
    import cnnlib.nn
    from cnnlib.inspection import ACTIVATION_NAMES
    record = ACTIVATIONS[name]
    assert record.name == name and record.formula.startswith("$") and record.derivative_formula.startswith("$")
    if record.layer is None:
        return
    layer = getattr(cnnlib.nn, record.layer)()
    z = np.linspace(-3, 3, 13).reshape(1, 13)
    np.testing.assert_allclose(layer.forward(z), record.function(z))
    np.testing.assert_allclose(layer.backward(np.ones_like(z)), record.derivative(z))
    assert ACTIVATION_NAMES[type(layer)] == record.label      # the feature-map stages are named after it


def test_activation_values_and_stability():
    assert cnnlib.sigmoid(0.0) == 0.5
    assert np.all(np.isfinite(cnnlib.sigmoid(np.array([-1000.0, 1000.0]))))
    np.testing.assert_allclose(cnnlib.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])
    assert np.isclose(cnnlib.softplus(0.0), math.log(2))
    assert cnnlib.softplus(1000.0) == 1000.0
    assert cnnlib.sigmoid_grad(0.0) == 0.25
    np.testing.assert_array_equal(cnnlib.relu_grad(np.array([-1.0, 0.0, 2.0])), [0, 0, 1])


def test_softmax_example_from_the_notes():
    np.testing.assert_allclose(softmax([1.3, 5.1, 2.2]), [0.021, 0.928, 0.051], atol=5e-4)
    assert np.isclose(softmax([1.3, 5.1, 2.2]).sum(), 1.0)


def test_softmax_is_stable_and_temperature_works():
    np.testing.assert_array_equal(softmax([1000.0, 0.0]), [1.0, 0.0])
    assert np.all(np.isfinite(log_softmax([1000.0, 0.0])))
    np.testing.assert_allclose(log_softmax([1000.0, 0.0]), [0.0, -1000.0])
    z = np.array([1.3, 5.1, 2.2])
    np.testing.assert_allclose(softmax(z, temperature=1e6), np.full(3, 1 / 3), atol=1e-5)
    np.testing.assert_allclose(softmax(z, temperature=0.01), [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(np.exp(log_softmax(z, temperature=2.0)), softmax(z, temperature=2.0))
    with pytest.raises(ValueError, match="temperature"):
        softmax(z, temperature=0)


def test_entropy_coin_and_die():
    assert entropy([0.5, 0.5]) == 1.0
    assert np.isclose(entropy(np.full(6, 1 / 6)), math.log2(6))
    assert entropy([1.0, 0.0]) == 0.0                     # 0 log 0 = 0
    assert entropy([0.9, 0.1]) < entropy([0.6, 0.4]) < 1.0
    assert np.isclose(entropy([0.5, 0.5], base="e"), math.log(2))


def test_cross_entropy_and_kl():
    p, q = np.array([0.0, 1.0, 0.0]), softmax([1.3, 5.1, 2.2])
    assert np.isclose(cross_entropy(p, q), -math.log2(q[1]))
    assert np.isclose(kl_divergence(p, q), cross_entropy(p, q) - entropy(p))
    r = np.array([0.2, 0.5, 0.3])
    assert kl_divergence(r, r) == 0.0
    assert kl_divergence(r, q) > 0 and not np.isclose(kl_divergence(r, q), kl_divergence(q, r))
    # log of zero probability: finite, floored at PROB_FLOOR (documented in cnnlib.losses)
    value = cross_entropy([0.0, 1.0], [1.0, 0.0])
    assert np.isfinite(value) and np.isclose(value, -math.log2(cnnlib.losses.PROB_FLOOR))
    with pytest.raises(ValueError, match="sum to 1"):
        entropy([0.5, 0.6])
    with pytest.raises(ValueError, match="same shape"):
        cross_entropy([0.5, 0.5], [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="base"):
        entropy([0.5, 0.5], base=1)


def test_binary_cross_entropy_with_the_brackets():
    y, p = np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.2, 0.6])
    expected = -np.mean([math.log(0.9), math.log(0.8), math.log(0.6)])
    assert np.isclose(binary_cross_entropy(y, p), expected)
    assert np.isfinite(binary_cross_entropy([1.0], [0.0]))
    with pytest.raises(ValueError, match="same shape"):
        binary_cross_entropy([1.0, 0.0], [0.5])


def test_categorical_cross_entropy_labels_and_one_hot_agree():
    probs = softmax(np.array([[1.3, 5.1, 2.2], [0.1, 0.2, 3.0]]))
    labels = np.array([1, 2])
    expected = -np.mean([math.log(probs[0, 1]), math.log(probs[1, 2])])
    assert np.isclose(categorical_cross_entropy(labels, probs), expected)
    assert np.isclose(categorical_cross_entropy(np.eye(3)[labels], probs), expected)
    with pytest.raises(ValueError, match="labels must be in"):
        categorical_cross_entropy(np.array([0, 3]), probs)
    with pytest.raises(TypeError, match="integers"):
        categorical_cross_entropy(np.array([0.0, 1.0]), probs)


def test_mse_and_mae():
    assert mse([1.0, 2.0], [2.0, 4.0]) == 2.5
    assert mae([1.0, 2.0], [2.0, 4.0]) == 1.5
    with pytest.raises(ValueError, match="same shape"):
        mse([1.0], [1.0, 2.0])


def test_kernels():
    assert kernels.box_blur().sum() == pytest.approx(1.0)
    g = kernels.gaussian(5, 1.0)
    assert g.shape == (5, 5) and g.sum() == pytest.approx(1.0) and g[2, 2] == g.max()
    np.testing.assert_array_equal(kernels.sharpen(), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    assert kernels.edge().sum() == 0 and kernels.edge()[1, 1] == -8
    flat = np.full((6, 6), 0.7)
    np.testing.assert_allclose(cnnlib.conv2d(flat, kernels.edge()), 0, atol=1e-12)   # flat -> 0
    np.testing.assert_allclose(cnnlib.conv2d(flat, kernels.box_blur()), 0.7)
    step = np.tile(np.r_[np.zeros(3), np.ones(3)], (5, 1))
    assert np.all(cnnlib.conv2d(step, kernels.sobel_x()) >= 0)
    assert cnnlib.conv2d(step, kernels.sobel_y()).max() == 0
    np.testing.assert_array_equal(kernels.identity(), np.eye(3)[1][:, None] * np.eye(3)[1][None, :])
    assert set(kernels.PRESETS) >= {"identity", "box blur", "gaussian", "sharpen", "edge", "sobel x", "sobel y"}
    with pytest.raises(ValueError, match="size must be odd"):
        kernels.box_blur(4)
    with pytest.raises(ValueError, match="name must be one of"):
        kernels.by_name("emboss")


def test_import_cnnlib_does_not_import_matplotlib_or_ipywidgets():
    code = "import sys, cnnlib; print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_a_certain_outcome_has_entropy_zero_not_minus_zero():
    # A student printing H([1, 0]) should see 0.0: -0.0 looks like a bug in the formula.
    from cnnlib import cross_entropy, entropy
    for value in (entropy([1.0, 0.0]), cross_entropy([0.0, 1.0], [0.0, 1.0]), entropy([[1, 0], [0, 1]])):
        assert np.all(value == 0) and not np.any(np.signbit(value)), value
