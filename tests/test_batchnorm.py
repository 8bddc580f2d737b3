"""Batch normalisation: the functions (fast == naive, gradient checks) and the layers."""
import numpy as np
import pytest

from cnnlib import check_backward
from cnnlib.nn import BatchNorm1D, BatchNorm2D, Sequential, summary
from cnnlib.normalization import batch_norm, batch_norm_backward, batch_norm_backward_naive, batch_norm_naive
from cnnlib.train import gradcheck_layer


def _random_shape(rng):
    if rng.random() < 0.5:
        return (int(rng.integers(2, 6)), int(rng.integers(1, 5)))
    return (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5)))


def _inputs(rng, shape):
    # Scaled and shifted so that the normalisation has work to do; m = 1 channels are avoided below.
    x = rng.normal(size=shape) * rng.uniform(0.5, 3) + rng.uniform(-2, 2)
    return x, rng.normal(size=shape[1]), rng.normal(size=shape[1])


def test_the_two_sample_example_by_hand():
    out, mean, var = batch_norm(np.array([[1.0, 10.0], [3.0, 10.0]]), np.array([2.0, 1.0]), np.array([0.5, -1.0]),
                                eps=1e-8)
    # Feature 0: mean 2, variance 1, so x_hat = -1, 1 and out = 2 * x_hat + 0.5.
    # Feature 1: both 10, variance 0, x_hat = 0: out is the shift, -1.
    assert np.allclose(mean, [2, 10]) and np.allclose(var, [1, 0])
    assert np.allclose(out, [[-1.5, -1.0], [2.5, -1.0]], atol=1e-7)


@pytest.mark.parametrize("seed", range(12))
def test_fast_and_naive_agree_on_random_shapes(seed):
    rng = np.random.default_rng(seed)
    shape = _random_shape(rng)
    x, gamma, beta = _inputs(rng, shape)
    fast, naive = batch_norm(x, gamma, beta), batch_norm_naive(x, gamma, beta)
    for f, n in zip(fast, naive):
        assert np.allclose(f, n, rtol=1e-10, atol=1e-12)
    grad_out = rng.normal(size=shape)
    for f, n in zip(batch_norm_backward(grad_out, x, gamma), batch_norm_backward_naive(grad_out, x, gamma)):
        assert f.shape == n.shape and np.allclose(f, n, rtol=1e-9, atol=1e-11)


def test_per_channel_statistics_over_batch_and_space():
    x = np.random.default_rng(1).normal(size=(3, 4, 5, 6)) * 7 + 3
    out, mean, var = batch_norm(x, np.ones(4), np.zeros(4))
    assert np.allclose(mean, x.mean(axis=(0, 2, 3))) and np.allclose(var, x.var(axis=(0, 2, 3)))
    assert np.allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    assert np.allclose(out.var(axis=(0, 2, 3)), var / (var + 1e-5))


@pytest.mark.parametrize("shape", [(6, 3), (3, 2, 4, 5), (3, 2, 1, 2)])
def test_gradient_check(shape):
    x, gamma, beta = _inputs(np.random.default_rng(42), shape)
    check = check_backward(lambda x, g, b: batch_norm(x, g, b)[0],
                           lambda grad, x, g, b: batch_norm_backward(grad, x, g), (x, gamma, beta),
                           names=("x", "gamma", "beta"), max_checks=None)
    assert check.passed and check.worst_error < 1e-7, str(check)


def test_gradient_check_with_fixed_statistics():
    x, gamma, beta = _inputs(np.random.default_rng(5), (4, 3, 3, 2))
    mean, var = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.2, 4.0])
    check = check_backward(lambda x, g, b: batch_norm(x, g, b, mean=mean, var=var)[0],
                           lambda grad, x, g, b: batch_norm_backward(grad, x, g, mean=mean, var=var),
                           (x, gamma, beta), max_checks=None)
    assert check.worst_error < 1e-7, str(check)


def test_gradient_wrt_x_sums_to_zero_per_channel():
    # The mean is subtracted, so shifting a whole channel changes nothing: the gradient sums to 0.
    rng = np.random.default_rng(3)
    x, gamma, _ = _inputs(rng, (4, 3, 2, 2))
    grad_x, _, _ = batch_norm_backward(rng.normal(size=x.shape), x, gamma)
    assert np.allclose(grad_x.sum(axis=(0, 2, 3)), 0, atol=1e-10)


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(ValueError, match="N x C x H x W or N x F"):
        batch_norm(np.zeros((2, 3, 4)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="one entry per channel"):
        batch_norm(np.zeros((2, 3)), np.ones(4), np.zeros(4))
    with pytest.raises(ValueError, match="eps"):
        batch_norm(np.zeros((2, 3)), np.ones(3), np.zeros(3), eps=0)
    with pytest.raises(ValueError, match="both mean and var"):
        batch_norm(np.zeros((2, 3)), np.ones(3), np.zeros(3), mean=np.zeros(3))
    with pytest.raises(ValueError, match="grad_out"):
        batch_norm_backward(np.zeros((2, 2)), np.zeros((2, 3)), np.ones(3))


def test_layers_start_as_identity_scale_and_shift_and_name_their_parameters():
    layer = BatchNorm2D(5)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert np.all(layer.params["weight"] == 1) and np.all(layer.params["bias"] == 0)
    assert np.all(layer.running_mean == 0) and np.all(layer.running_var == 1)
    model = Sequential(BatchNorm1D(7), input_shape=(7,))
    assert summary(model).total_params == 14 and repr(model[0]) == "BatchNorm1D(7)"


def test_running_statistics_follow_pytorch():
    rng = np.random.default_rng(0)
    layer = BatchNorm2D(3, momentum=0.2).astype(np.float64)
    batches = [rng.normal(size=(4, 3, 2, 5)) * 2 + 1 for _ in range(3)]
    mean, var = np.zeros(3), np.ones(3)
    for x in batches:
        layer.forward(x, training=True)
        m = 4 * 2 * 5
        mean = 0.8 * mean + 0.2 * x.mean(axis=(0, 2, 3))
        var = 0.8 * var + 0.2 * x.var(axis=(0, 2, 3)) * m / (m - 1)          # unbiased
    assert np.allclose(layer.running_mean, mean) and np.allclose(layer.running_var, var)
    # Inference uses them (and leaves them alone).
    x = rng.normal(size=(2, 3, 2, 2))
    out = layer.forward(x, training=False)
    expected = (x - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5)
    assert np.allclose(out, expected) and np.allclose(layer.running_mean, mean)


def test_layers_pass_the_gradient_check_in_training_and_inference():
    rng = np.random.default_rng(7)
    for layer, x in ((BatchNorm2D(3), rng.normal(size=(4, 3, 3, 3)) * 2 + 1),
                     (BatchNorm1D(5), rng.normal(size=(6, 5)))):
        layer.params["weight"][...] = rng.uniform(0.5, 2, size=layer.size)
        layer.params["bias"][...] = rng.normal(size=layer.size)
        errors = gradcheck_layer(layer, x, max_checks=None)
        assert set(errors) == {"input", "weight", "bias"} and max(errors.values()) < 1e-7, errors
    # Backward after an inference forward: fixed statistics, a per-channel scaling.
    layer = BatchNorm1D(2).astype(np.float64)
    layer.running_var[...] = [4.0, 0.25]
    layer.forward(np.ones((3, 2)))
    grad_x = layer.backward(np.ones((3, 2)))
    assert np.allclose(grad_x, [[1 / np.sqrt(4 + 1e-5), 1 / np.sqrt(0.25 + 1e-5)]] * 3)


def test_layers_check_their_input():
    with pytest.raises(ValueError, match=r"BatchNorm2D\(3\) expects input of shape \(N, 3, H, W\)"):
        BatchNorm2D(3).forward(np.zeros((2, 4, 5, 5)))
    with pytest.raises(ValueError, match=r"BatchNorm1D\(3\) expects input of shape \(N, 3\)"):
        BatchNorm1D(3).forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="more than one value per channel"):
        BatchNorm1D(3).forward(np.zeros((1, 3)), training=True)
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm2D(3, momentum=1.5)


def test_float64_conversion_includes_the_running_statistics():
    layer = BatchNorm2D(2).astype(np.float64)
    assert layer.running_mean.dtype == layer.running_var.dtype == layer.params["weight"].dtype == np.float64
    assert layer.forward(np.ones((2, 2, 1, 1), dtype=np.float32), training=True).dtype == np.float64


def test_saved_weights_carry_the_running_statistics(tmp_path):
    from cnnlib.nn import Conv2D, ReLU, load_weights, save_weights, small_resnet
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(8, 2, 6, 6)).astype(np.float32)
    trained = Sequential(Conv2D(2, 3, 3, rng=1), BatchNorm2D(3), ReLU())
    for _ in range(5):
        trained.forward(x, training=True)           # moves the running statistics away from 0 and 1
    assert [name for name, _ in trained.named_buffers()] == ["1.running_mean", "1.running_var"]
    path = save_weights(trained, tmp_path / "bn")
    fresh = Sequential(Conv2D(2, 3, 3, rng=2), BatchNorm2D(3), ReLU())
    assert not np.allclose(fresh.forward(x), trained.forward(x))
    load_weights(fresh, path)
    np.testing.assert_array_equal(fresh[1].running_mean, trained[1].running_mean)
    np.testing.assert_array_equal(fresh[1].running_var, trained[1].running_var)
    np.testing.assert_array_equal(fresh.forward(x), trained.forward(x))    # inference as before saving
    # Residual blocks hold batch norm too: every block's statistics are in the file.
    resnet = small_resnet(rng=0)
    names = [name for name, _ in resnet.named_buffers()]
    assert names and all(name.endswith(("running_mean", "running_var")) for name in names)
    with np.load(save_weights(resnet, tmp_path / "resnet"), allow_pickle=False) as saved:
        assert set(names) <= set(saved.files)

