"""cnnlib.nn: layers against the reference functions, gradient checks, LeNet-5, summary, weights."""
import numpy as np
import pytest

from cnnlib import activations
import cnnlib.nn
from cnnlib.conv import conv2d, conv2d_backward_from_cache, conv2d_forward, conv2d_naive
from cnnlib.losses import categorical_cross_entropy, softmax
from cnnlib.nn import (AvgPool2D, Conv2D, Dense, Dropout, Flatten, MaxPool2D, ReLU, Sequential, Sigmoid,
                       SoftmaxCrossEntropy, Tanh, lenet5, load_weights, save_weights, summary)
from cnnlib.train import gradcheck, gradcheck_layer

TOLERANCE = 1e-7


def distinct_values(shape, seed=0):
    """Random values at least 0.01 apart, so a nudge of 1e-5 never changes which element is a max."""
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    return (rng.permutation(size) * 0.01 + rng.uniform(0, 0.001, size)).reshape(shape) - size * 0.005


def assert_gradients_pass(layer, x, **kwargs):
    errors = gradcheck_layer(layer, x, **kwargs)
    assert errors, "nothing was checked"
    worst = max(errors, key=errors.get)
    assert errors[worst] < TOLERANCE, f"{worst}: relative error {errors[worst]:.3g}"
    return errors


# --- Conv2D --------------------------------------------------------------------------------------

@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 0), (1, 2), (2, 1), ((1, 2), (0, 1))])
def test_conv2d_layer_agrees_with_conv2d_and_its_naive_twin(stride, padding):
    rng = np.random.default_rng(1)
    layer = Conv2D(3, 4, (3, 2), stride=stride, padding=padding, rng=2, dtype=np.float64)
    layer.params["bias"][:] = rng.normal(size=4)
    x = rng.normal(size=(2, 3, 7, 6))
    out = layer.forward(x)
    w, b = layer.params["weight"], layer.params["bias"]
    np.testing.assert_allclose(out, conv2d(x, w, b, stride=stride, padding=padding), atol=1e-12)
    np.testing.assert_allclose(out, conv2d_naive(x, w, b, stride=stride, padding=padding), atol=1e-12)


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 0), (2, 1), (3, 2)])
def test_conv2d_gradients(stride, padding):
    layer = Conv2D(2, 3, 3, stride=stride, padding=padding, rng=0)
    layer.params["bias"][:] = [0.1, -0.2, 0.3]
    x = np.random.default_rng(3).normal(size=(2, 2, 8, 7))
    errors = assert_gradients_pass(layer, x, max_checks=None)
    assert set(errors) == {"input", "weight", "bias"}


def test_conv2d_layer_is_the_core_forward_and_backward_pair(monkeypatch):
    # The layer must hand its numbers to cnnlib.conv and return what comes back: patched core
    # functions that mark their results (+1000) show through, so a layer with a matrix product
    # of its own would fail here.
    import cnnlib.nn.layers
    calls = []

    def marked_forward(*args, **kwargs):
        calls.append("forward")
        out, cache = conv2d_forward(*args, **kwargs)
        return out + 1000, cache

    def marked_backward(grad_out, cache):
        calls.append("backward")
        grad_x, grad_w, grad_b = conv2d_backward_from_cache(grad_out, cache)
        return grad_x + 1000, grad_w + 1000, grad_b + 1000

    monkeypatch.setattr(cnnlib.nn.layers, "conv2d_forward", marked_forward)
    monkeypatch.setattr(cnnlib.nn.layers, "conv2d_backward_from_cache", marked_backward)
    rng = np.random.default_rng(7)
    layer = Conv2D(2, 3, 3, stride=2, padding=1, rng=0, dtype=np.float64)
    layer.params["bias"][:] = rng.normal(size=3)
    x, w, b = rng.normal(size=(2, 2, 6, 5)), layer.params["weight"], layer.params["bias"]
    out = layer.forward(x)
    expected, cache = conv2d_forward(x, w, b, stride=2, padding=1)
    np.testing.assert_array_equal(out, expected + 1000)
    grad_out = rng.normal(size=out.shape)
    grad_x = layer.backward(grad_out)
    grad_x_core, grad_w_core, grad_b_core = conv2d_backward_from_cache(grad_out, cache)
    np.testing.assert_array_equal(grad_x, grad_x_core + 1000)
    np.testing.assert_array_equal(layer.grads["weight"], grad_w_core + 1000)
    np.testing.assert_array_equal(layer.grads["bias"], grad_b_core + 1000)
    assert calls == ["forward", "backward"]


def test_conv2d_gradient_of_a_single_output_is_its_receptive_field():
    # d out[0,0,i,j] / d W[0,0,a,b] = x[0,0,i+a,j+b]: the weight gradient of one output is its input window.
    layer = Conv2D(1, 1, 2, rng=0, dtype=np.float64)
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    layer.forward(x)
    grad_out = np.zeros((1, 1, 3, 3))
    grad_out[0, 0, 1, 2] = 1.0
    grad_in = layer.backward(grad_out)
    np.testing.assert_array_equal(layer.grads["weight"][0, 0], [[6, 7], [10, 11]])
    assert layer.grads["bias"][0] == 1.0
    expected = np.zeros((4, 4))
    expected[1:3, 2:4] = layer.params["weight"][0, 0]
    np.testing.assert_array_equal(grad_in[0, 0], expected)


# --- pooling -------------------------------------------------------------------------------------

@pytest.mark.parametrize("size,stride", [(2, None), (3, 2), (2, 1), (3, None), ((2, 3), (1, 2))])
def test_pooling_layers_agree_with_pooling_functions(size, stride):
    from cnnlib.pooling import avg_pool2d, max_pool2d
    x = np.random.default_rng(4).normal(size=(2, 3, 9, 8))
    np.testing.assert_array_equal(MaxPool2D(size, stride).forward(x), max_pool2d(x, size, stride))
    np.testing.assert_allclose(AvgPool2D(size, stride).forward(x), avg_pool2d(x, size, stride))


@pytest.mark.parametrize("size,stride", [(2, None), (3, 2), (2, 1), ((2, 3), (1, 2))])
def test_pooling_gradients_including_overlapping_windows(size, stride):
    x = distinct_values((2, 2, 7, 9))
    assert_gradients_pass(MaxPool2D(size, stride), x, max_checks=None)
    assert_gradients_pass(AvgPool2D(size, stride), x, max_checks=None)


def test_max_pool_routes_gradient_to_the_max_and_overlaps_accumulate():
    # The centre 9 is the max of all four 2x2 windows (stride 1): it collects all four gradients.
    x = np.array([[1.0, 2, 3], [4, 9, 5], [6, 7, 8]])[None, None]
    layer = MaxPool2D(2, stride=1)
    np.testing.assert_array_equal(layer.forward(x)[0, 0], [[9, 9], [9, 9]])
    grad_in = layer.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    expected = np.zeros((3, 3))
    expected[1, 1] = 1 + 2 + 3 + 4
    np.testing.assert_array_equal(grad_in[0, 0], expected)


def test_max_pool_ties_send_each_gradient_to_one_element():
    layer = MaxPool2D(2)
    layer.forward(np.ones((1, 1, 4, 4)))
    grad_in = layer.backward(np.full((1, 1, 2, 2), 5.0))
    assert grad_in.sum() == 20.0                       # nothing lost, nothing duplicated
    np.testing.assert_array_equal(grad_in[0, 0, ::2, ::2], 5.0)   # the first element of each window


def test_avg_pool_spreads_gradient_evenly():
    layer = AvgPool2D(2)
    layer.forward(np.zeros((1, 1, 4, 4)))
    np.testing.assert_array_equal(layer.backward(np.full((1, 1, 2, 2), 4.0)), np.ones((1, 1, 4, 4)))


# --- activations, Flatten, Dense, Dropout --------------------------------------------------------

@pytest.mark.parametrize("layer,function", [(ReLU(), activations.relu), (Tanh(), activations.tanh),
                                            (Sigmoid(), activations.sigmoid)])
def test_activation_layers(layer, function):
    x = distinct_values((3, 2, 4, 5)) * 10     # ReLU's kink at 0 is never within 1e-5 of a value
    np.testing.assert_array_equal(layer.forward(x), function(x))
    assert_gradients_pass(layer, x, max_checks=None)


def test_dense_forward_and_gradients():
    layer = Dense(5, 3, rng=0, dtype=np.float64)
    x = np.random.default_rng(5).normal(size=(4, 5))
    layer.params["bias"][:] = [1.0, 2.0, 3.0]
    np.testing.assert_allclose(layer.forward(x), np.einsum("ni,oi->no", x, layer.params["weight"]) + [1, 2, 3])
    assert_gradients_pass(layer, x, max_checks=None)


def test_flatten_round_trip():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    layer = Flatten()
    out = layer.forward(x)
    assert out.shape == (2, 12)
    np.testing.assert_array_equal(out[1], np.arange(12.0, 24.0))
    np.testing.assert_array_equal(layer.backward(out), x)


def test_dropout_scales_survivors_and_is_identity_at_test_time():
    x = np.ones((200, 50))
    layer = Dropout(0.25, rng=0)
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    out = layer.forward(x, training=True)
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    assert abs(np.mean(out == 0) - 0.25) < 0.01
    assert abs(out.mean() - 1.0) < 0.02                # inverted dropout keeps the expected value
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), out)   # the same mask
    assert_gradients_pass(layer, np.random.default_rng(0).normal(size=(3, 6)), max_checks=None)


def test_dropout_is_reproducible_with_a_seed():
    x = np.ones((10, 10))
    a = Dropout(0.5, rng=7).forward(x, training=True)
    b = Dropout(0.5, rng=7).forward(x, training=True)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="p must be a probability"):
        Dropout(1.0)


# --- the loss ------------------------------------------------------------------------------------

def test_softmax_cross_entropy_agrees_with_losses_module_and_has_gradient_p_minus_y():
    rng = np.random.default_rng(6)
    logits, labels = rng.normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])
    loss = SoftmaxCrossEntropy()
    value = loss.forward(logits, labels)
    assert np.isclose(value, categorical_cross_entropy(labels, softmax(logits, axis=1)))
    assert np.isclose(loss.forward(logits, np.eye(4)[labels]), value)      # one-hot targets
    grad = loss.backward()
    np.testing.assert_allclose(grad, (softmax(logits, axis=1) - np.eye(4)[labels]) / 5)
    assert gradcheck(lambda z: loss.forward(z, labels), logits, grad) < TOLERANCE


def test_softmax_cross_entropy_is_stable_for_huge_scores():
    loss = SoftmaxCrossEntropy()
    value = loss.forward(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert np.isclose(value, 500.0)                     # (0 + 1000) / 2, no overflow or nan
    assert np.all(np.isfinite(loss.backward()))
    with pytest.raises(ValueError, match="labels must be in 0..1"):
        loss.forward(np.zeros((2, 2)), np.array([0, 2]))


# --- Sequential and LeNet-5 ----------------------------------------------------------------------

@pytest.mark.slow
def test_lenet5_gradients_in_float64():
    x = np.random.default_rng(7).normal(size=(3, 1, 32, 32))
    for activation, pool in [("relu", "max"), ("tanh", "avg")]:
        model = lenet5(activation, pool, rng=1)
        errors = assert_gradients_pass(model, x, y=np.array([3, 1, 4]), max_checks=30)
        assert len(errors) == 1 + 10                    # the input and 5 weights + 5 biases
        assert model[0].params["weight"].dtype == np.float32   # the check worked on a copy


def test_small_network_with_strided_conv_overlapping_pool_and_dropout_passes_gradcheck():
    model = Sequential(Conv2D(2, 3, 3, stride=2, padding=1, rng=0), Tanh(), MaxPool2D(3, stride=2),
                       Flatten(), Dropout(0.3, rng=1), Dense(12, 4, rng=2))
    x = np.random.default_rng(8).normal(size=(2, 2, 9, 9))
    assert_gradients_pass(model, x, y=np.array([1, 3]), max_checks=None)


def test_lenet5_summary_matches_the_notes():
    table = summary(lenet5())
    by_index = {row["index"]: row for row in table.rows}
    assert [by_index[i]["param_sizes"] for i in (0, 3, 7, 9, 11)] == \
        [[150, 6], [2400, 16], [48000, 120], [10080, 84], [840, 10]]
    assert [by_index[i]["params"] for i in (7, 9, 11)] == [48120, 10164, 850]
    assert [by_index[i]["output_shape"] for i in (0, 2, 3, 5, 6, 11)] == \
        [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (400,), (10,)]
    assert table.total_params == 61706
    assert sum(p.size for _, p in lenet5().named_parameters()) == 61706
    text = str(table)
    assert "61,706" in text and "2,400 + 16" in text and "16 x 5 x 5" in text
    html = table._repr_html_()
    assert html.startswith("<table>") and "48,120" in html
    assert summary(lenet5("tanh", "avg")).total_params == 61706


def test_summary_needs_an_input_shape_for_plain_models():
    model = Sequential(Flatten(), Dense(12, 2))
    assert summary(model, (3, 2, 2)).total_params == 26
    with pytest.raises(ValueError, match="input_shape is required"):
        summary(model)


def test_lenet5_forward_shapes_dtypes_and_names():
    model = lenet5()
    x = np.zeros((4, 1, 32, 32), dtype=np.float32)
    out = model.forward(x)
    assert out.shape == (4, 10) and out.dtype == np.float32
    assert model.forward(x.astype(np.float64)).dtype == np.float64
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias",
                     "9.weight", "9.bias", "11.weight", "11.bias"]
    assert [n for n, _ in model.named_gradients()] == names
    shapes = [a.shape for a in model.layer_outputs(x)]
    assert shapes[2] == (4, 6, 14, 14) and shapes[5] == (4, 16, 5, 5)


def test_initialisation_is_seeded_and_scaled():
    a, b, c = lenet5(rng=0), lenet5(rng=0), lenet5(rng=1)
    for (_, pa), (_, pb), (_, pc) in zip(a.named_parameters(), b.named_parameters(), c.named_parameters()):
        np.testing.assert_array_equal(pa, pb)
        if pa.ndim > 1:
            assert not np.array_equal(pa, pc)
    # He: std sqrt(2 / fan_in); Glorot: std sqrt(2 / (fan_in + fan_out)).
    assert np.isclose(Dense(1000, 500, rng=0).params["weight"].std(), np.sqrt(2 / 1000), rtol=0.02)
    assert np.isclose(Dense(1000, 500, init="glorot", rng=0).params["weight"].std(), np.sqrt(2 / 1500), rtol=0.02)
    assert np.isclose(lenet5("tanh")[0].params["weight"].std(), np.sqrt(2 / (25 + 150)), rtol=0.3)


def test_wrong_input_shapes_name_the_layer_and_the_expected_shape():
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 1, 32, 32\).*pad_to=32"):
        lenet5().forward(np.zeros((2, 1, 28, 28)))
    unchecked = Sequential(*lenet5().layers)            # no input_shape: the Dense layer notices
    with pytest.raises(ValueError, match=r"layer 7, Dense\(400, 120\) expects input of shape \(N, 400\), "
                                         r"got \(N, 256\).*1x28x28 -> 6x24x24"):
        unchecked.forward(np.zeros((2, 1, 28, 28)))
    with pytest.raises(ValueError, match=r"Conv2D\(3, 2, kernel_size=3\) expects input of shape \(N, 3, H, W\)"):
        Conv2D(3, 2, 3).forward(np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        Conv2D(1, 2, 7).forward(np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"Flatten layer"):
        Dense(4, 2).forward(np.zeros((1, 1, 2, 2)))
    with pytest.raises(RuntimeError, match="call forward"):
        Dense(4, 2).backward(np.zeros((1, 2)))
    with pytest.raises(TypeError, match="layer 1 must be"):
        Sequential(ReLU(), "relu")
    with pytest.raises(ValueError, match="activation must be one of"):
        lenet5("swish")


def test_save_and_load_weights(tmp_path):
    x = np.random.default_rng(9).random((2, 1, 32, 32), dtype=np.float32)
    trained, fresh = lenet5(rng=0), lenet5(rng=5)
    path = tmp_path / "lenet.npz"
    save_weights(trained, path)
    with np.load(path, allow_pickle=False) as saved:
        assert sorted(saved.files) == sorted(name for name, _ in trained.named_parameters())
    assert not np.allclose(fresh.forward(x), trained.forward(x))
    load_weights(fresh, path)
    np.testing.assert_array_equal(fresh.forward(x), trained.forward(x))
    with pytest.raises(ValueError, match=r"wrong shape 11.weight: file \(10, 84\), model \(5, 84\)"):
        load_weights(lenet5(num_classes=5), path)
    with pytest.raises(ValueError, match="unexpected 0.bias, 0.weight"):
        load_weights(Sequential(Flatten(), Dense(1024, 10), ReLU()), path)


# --- the package ---------------------------------------------------------------------------------

# Every name cnnlib.nn exported when it was one file; notebooks, answers and scripts import them.
PUBLIC_NAMES = ["Layer", "Conv2D", "MaxPool2D", "AvgPool2D", "ReLU", "Tanh", "Sigmoid", "Flatten", "Dense", "Dropout",
                "Sequential", "SoftmaxCrossEntropy", "lenet5", "summary", "ModelSummary", "save_weights",
                "load_weights", "BatchNorm1D", "BatchNorm2D", "BiasFreeConv2D", "ResidualBlock", "small_resnet"]


def test_the_package_exports_every_name_the_single_module_did():
    assert sorted(cnnlib.nn.__all__) == sorted(PUBLIC_NAMES)
    for name in PUBLIC_NAMES:
        assert getattr(cnnlib.nn, name).__module__.startswith("cnnlib.nn."), name
    assert callable(cnnlib.nn.summary) and callable(cnnlib.nn.lenet5)    # the functions, not modules of that name


def test_every_nn_module_reads_in_one_sitting():
    from pathlib import Path
    folder = Path(cnnlib.nn.__file__).parent
    too_long = {path.name: n for path in folder.glob("*.py")
                if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert not too_long, f"split these cnnlib.nn modules (at most 400 lines each): {too_long}"
