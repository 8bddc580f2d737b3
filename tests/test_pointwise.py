"""cnnlib.plots.pointwise: the 1x1 convolution figure of notebook 03 shows the numbers conv2d computes."""
import numpy as np
import pytest

from cnnlib import conv2d
from cnnlib.plots.pointwise import one_by_one_figure

X = np.array([[[1, 2], [3, 4]], [[0, 1], [2, 0]], [[2, 0], [1, 3]]], dtype=float)     # 3 x 2 x 2
W = np.array([[1, 1, 1], [1, 0, -1]], dtype=float)
B = np.array([0, 0.5])


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_the_figure_writes_the_inputs_the_weights_and_what_conv2d_computes():
    fig = one_by_one_figure(X, W, B, channel_names=["R", "G", "B"])
    assert len(fig.axes) == 3 + 1 + 2
    inputs, table, outputs = fig.axes[:3], fig.axes[3], fig.axes[4:]
    assert [ax.get_title() for ax in inputs] == ["in: R", "in: G", "in: B"]
    assert _texts(inputs[0]) == ["1", "2", "3", "4"]
    assert _texts(table) == ["1", "1", "1", "0", "1", "0", "-1", "0.5"]
    expected = conv2d(X, W[:, :, None, None], B)
    for k, ax in enumerate(outputs):
        assert [float(t) for t in _texts(ax)] == list(expected[k].ravel())
    assert "(1, 0, 2) in, (3, -0.5) out" in table.get_xlabel()
    assert "3 channels in, 2 out, 2 x 2 kept" in fig._suptitle.get_text()


def test_four_dimensional_weights_and_no_bias_are_accepted():
    fig = one_by_one_figure(X, W[:, :, None, None], pixel=(1, 1))
    assert "(4, 0, 3) in, (7, 1) out" in fig.axes[3].get_xlabel()


@pytest.mark.parametrize("volume, weights, biases, pixel, message", [
    (X[0], W, B, (0, 0), "C_in x H x W"),
    (X, W[:, :2], B, (0, 0), "2 input channels but the volume has 3"),
    (X, W, [0.5], (0, 0), "one per output channel"),
    (X, W, B, (2, 0), "outside the 2 x 2 image"),
    (X, np.ones((2, 3, 3, 3)), B, (0, 0), "C_out x C_in"),
])
def test_wrong_shapes_are_refused_with_a_reason(volume, weights, biases, pixel, message):
    with pytest.raises(ValueError, match=message):
        one_by_one_figure(volume, weights, biases, pixel=pixel)
