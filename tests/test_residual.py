"""The residual block, the bias-free convolution and the small residual network."""
import numpy as np
import pytest

from cnnlib.nn import BiasFreeConv2D, Conv2D, ResidualBlock, Sequential, small_resnet, summary
from cnnlib.train import gradcheck_layer


def test_bias_free_convolution_hides_its_bias():
    conv = BiasFreeConv2D(2, 3, 3, padding=1, rng=0)
    assert [name for name, _ in conv.named_parameters()] == ["weight"]
    assert [name for name, _ in conv.named_gradients()] == ["weight"]
    plain = Conv2D(2, 3, 3, padding=1, rng=0)
    x = np.random.default_rng(0).normal(size=(2, 2, 4, 4)).astype(np.float32)
    assert np.array_equal(conv.forward(x), plain.forward(x))           # same weights, zero bias
    assert repr(conv) == "BiasFreeConv2D(2, 3, kernel_size=3, padding=1)"


@pytest.mark.parametrize("args, kwargs, out_shape, has_projection", [
    ((4,), {}, (4, 6, 6), False),
    ((4, 6), {}, (6, 6, 6), True),
    ((4, 4), {"stride": 2}, (4, 3, 3), True),
    ((3, 5), {"stride": 2}, (5, 3, 3), True),
])
def test_shapes_and_shortcut(args, kwargs, out_shape, has_projection):
    block = ResidualBlock(*args, rng=0, **kwargs)
    assert (block.shortcut is not None) == has_projection
    x = np.random.default_rng(1).normal(size=(2, args[0], 6, 6))
    assert block.forward(x, training=True).shape == (2, *out_shape)
    assert block.output_shape((args[0], 6, 6)) == out_shape


@pytest.mark.parametrize("args, kwargs", [((3,), {}), ((3, 4), {"stride": 2}), ((2, 3), {})])
def test_gradient_check(args, kwargs):
    block = ResidualBlock(*args, rng=0, **kwargs)
    x = np.random.default_rng(2).normal(size=(3, args[0], 5, 5))
    errors = gradcheck_layer(block, x, max_checks=60)
    assert max(errors.values()) < 1e-7, errors
    expected = {"input", "main.0.weight", "main.1.weight", "main.1.bias", "main.3.weight", "main.4.weight",
                "main.4.bias"}
    if block.shortcut is not None:
        expected |= {"shortcut.0.weight", "shortcut.1.weight", "shortcut.1.bias"}
    assert set(errors) == expected


def test_identity_path_when_the_main_path_is_silenced():
    # With the last batch norm's scale and shift at 0 the main path outputs 0: out = ReLU(x) and
    # the gradient reaches x unchanged wherever x > 0.
    block = ResidualBlock(3, rng=0).astype(np.float64)
    block.main[4].params["weight"][...] = 0
    x = np.random.default_rng(3).normal(size=(2, 3, 4, 4))
    assert np.allclose(block.forward(x, training=True), np.maximum(x, 0))
    grad = np.random.default_rng(4).normal(size=x.shape)
    assert np.allclose(block.backward(grad), grad * (x > 0))


def test_parameter_count_matches_the_formula():
    # Two 3x3 convolutions without bias and two batch norms; a projection adds a 1x1 conv and a BN.
    assert sum(p.size for _, p in ResidualBlock(16, rng=0).named_parameters()) == 2 * 16 * 16 * 9 + 4 * 16
    assert sum(p.size for _, p in ResidualBlock(16, 32, stride=2, rng=0).named_parameters()) == \
        32 * 16 * 9 + 32 * 32 * 9 + 4 * 32 + 32 * 16 + 2 * 32
    assert repr(ResidualBlock(16, 32, stride=2)) == "ResidualBlock(16, 32, stride=2)"


def test_errors_name_the_block():
    with pytest.raises(ValueError, match=r"ResidualBlock\(3\) expects input of shape \(N, 3, H, W\)"):
        ResidualBlock(3).forward(np.zeros((1, 4, 5, 5)))


@pytest.mark.slow
def test_small_resnet_size_shapes_and_gradients():
    model = small_resnet(rng=0)
    table = summary(model)
    assert table.total_params == 73_082
    shapes = [row["output_shape"] for row in table.rows]
    assert shapes[3] == (32, 7, 7) and shapes[4] == (64, 4, 4) and shapes[-1] == (10,)
    big = small_resnet(input_size=32, rng=0)
    assert summary(big).total_params == 73_082 and big.output_shape((1, 32, 32)) == (10,)
    x = np.random.default_rng(0).normal(size=(3, 1, 28, 28))
    assert model.forward(x.astype(np.float32), training=True).shape == (3, 10)
    errors = gradcheck_layer(model, x, np.array([1, 2, 3]), max_checks=15)
    assert max(errors.values()) < 1e-6, errors


def test_small_resnet_is_reproducible():
    a, b = small_resnet(rng=5), small_resnet(rng=5)
    assert all(np.array_equal(p, q) for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()))
    assert isinstance(a, Sequential)
