"""The gradient-flow explorer of notebook 08: set the controls, check what it shows."""
from html import escape

import numpy as np
import pytest

from cnnlib import conv2d, kernels
from cnnlib.conv import conv2d_backward
from cnnlib.plots.backprop import FLOW_EXAMPLE
from cnnlib.pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward
from cnnlib.widgets import gradient_flow_explorer
from cnnlib.widgets.gradient_flow import GradientFlowExplorer


def test_default_output_cell_sends_the_kernel_back_and_the_window_forward():
    view = gradient_flow_explorer()
    assert isinstance(view, GradientFlowExplorer)
    assert view.shown["cell"] == (0, 0) and view.shown["output_shape"] == (4, 4)
    np.testing.assert_array_equal(view.shown["grad_x"][:3, :3], kernels.sobel_x())
    np.testing.assert_array_equal(view.shown["grad_w"], FLOW_EXAMPLE[:3, :3])
    assert len(view.shown["touched_inputs"]) == 9 and view.shown["padding_taps"] == 0
    assert view.shown["output"][0, 0] == conv2d(FLOW_EXAMPLE, kernels.sobel_x())[0, 0] == 7
    assert view.shown["warning"] == "" and "out[0, 0] = 7" in view.shown["text"]
    for name in ("input", "weights", "output", "readout"):
        assert view.views[name].value


def test_the_widgets_are_built_once_and_only_their_values_change():
    view = gradient_flow_explorer()
    children = list(view.children)
    html_before = view.views["input"].value
    view.controls["row"].value = 2
    assert list(view.children) == children and view.views["input"].value != html_before


@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 1), (2, 1), (3, 2)])
def test_output_direction_matches_conv2d_backward(stride, padding):
    view = gradient_flow_explorer(stride=stride, padding=padding)
    out_shape = view.shown["output_shape"]
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            view.controls["row"].value, view.controls["col"].value = i, j
            seed = np.zeros(out_shape)
            seed[i, j] = 1
            grad_x, grad_w, _ = conv2d_backward(seed, FLOW_EXAMPLE, kernels.sobel_x(), stride=stride, padding=padding)
            np.testing.assert_array_equal(view.shown["grad_x"], grad_x)
            np.testing.assert_array_equal(view.shown["grad_w"], grad_w)
            assert view.shown["warning"] == ""


def test_a_corner_with_padding_reports_the_taps_on_the_padding():
    view = gradient_flow_explorer(padding=1, row=0, col=0)
    assert view.shown["padding_taps"] == 5 and len(view.shown["touched_inputs"]) == 4
    assert "padding" in view.shown["text"]
    assert view.shown["grad_w"][0, 0] == 0 and view.shown["grad_w"][2, 2] == FLOW_EXAMPLE[1, 1]


def test_max_pool_sends_the_gradient_to_the_first_maximum_only():
    tie = np.array([[2, 5, 5, 0], [5, 1, 0, 0], [0, 0, 3, 3], [0, 0, 3, 3]], float)
    view = gradient_flow_explorer(tie, layer="max", row=0, col=0, stride=2)
    assert view.shown["touched_inputs"] == [(0, 1)] and view.shown["grad_w"] is None
    np.testing.assert_array_equal(view.shown["grad_x"], max_pool2d_backward(np.eye(2)[:1].T @ np.eye(2)[:1], tie))
    view.controls["row"].value, view.controls["col"].value = 1, 1
    assert view.shown["touched_inputs"] == [(2, 2)]
    assert "first in row-major order" in view.shown["text"]


def test_avg_pool_shares_equally():
    view = gradient_flow_explorer(layer="avg", row=1, col=2, pool_size=2, stride=2)
    assert len(view.shown["touched_inputs"]) == 4
    seed = np.zeros((3, 3))
    seed[1, 2] = 1
    np.testing.assert_array_equal(view.shown["grad_x"], avg_pool2d_backward(seed, FLOW_EXAMPLE, 2))
    assert set(view.shown["grad_x"][view.shown["grad_x"] != 0]) == {0.25}


def test_input_direction_lists_the_outputs_and_the_weights_that_link_them():
    view = gradient_flow_explorer(direction="input", row=2, col=3)
    # Stride 1, no padding, 3x3 kernel on 6x6: (2, 3) is read by outputs (0..2, 1..3), 9 of them.
    assert len(view.shown["touched_outputs"]) == 9 and len(view.shown["touched_weights"]) == 9
    probe = np.zeros((6, 6))
    probe[2, 3] = 1
    np.testing.assert_array_equal(view.shown["jacobian"], conv2d(probe, kernels.sobel_x()))
    view.controls["row"].value, view.controls["col"].value = 0, 0     # a corner: one output, weight w[0, 0]
    assert view.shown["touched_outputs"] == [(0, 0)] and view.shown["touched_weights"] == [(0, 0)]
    assert view.shown["jacobian"][0, 0] == -1


def test_input_direction_for_pooling_counts_the_wins():
    view = gradient_flow_explorer(layer="max", direction="input", row=2, col=2, pool_size=3)
    view.controls["stride"].value = 1
    # 3x3 windows, stride 1: (2, 2) holds a 9, the largest value in all 9 windows that contain it,
    # but in the 3 windows that also hold the 9 at (2, 0), that one comes first in row-major order.
    assert len(view.shown["touched_outputs"]) == 9
    assert view.shown["jacobian"].sum() == 6 and not view.shown["jacobian"][:, 0].any()
    view.controls["layer"].value = "avg"
    np.testing.assert_allclose(view.shown["jacobian"].sum(), 9 / 9)


def test_an_input_between_windows_gets_nothing():
    # 2x2 windows with stride 3 cover columns 0-1 and 3-4: column 2 is never read.
    view = gradient_flow_explorer(layer="max", direction="input", row=0, col=2, stride=3, pool_size=2)
    assert view.shown["touched_outputs"] == [] and "never affects" in view.shown["text"]
    assert "Stride 3 is larger than the 2x2 window" in view.shown["note"]
    assert "Stride 3 does not fit: the last 1 row of" in view.shown["note"]


@pytest.mark.parametrize("settings,message", [
    (dict(row=5, col=0), "There is no output cell (5, 0): the output is 4 x 4"),
    (dict(layer="max", padding=2), "Padding 2 is more than half"),
    (dict(layer="max", pool_size=5, stride=1, padding=0), None),
])
def test_impossible_settings_show_a_message_instead_of_raising(settings, message):
    view = gradient_flow_explorer()
    for name, value in settings.items():
        view.controls["size" if name == "pool_size" else name].value = value
    if message is None:
        assert view.shown["warning"] == ""
    else:
        assert message in view.shown["warning"] and message.split(":")[0] in view.views["warning"].value
        assert view.shown["grad_x"] is None and view.views["output"].value == ""


def test_a_window_larger_than_the_padded_input_is_explained():
    view = gradient_flow_explorer(np.arange(9.0).reshape(3, 3), kernel=np.ones((5, 5)))
    assert "larger than the padded input 3x3" in view.shown["warning"]
    view.controls["padding"].value = 1
    assert view.shown["warning"] == "" and view.shown["output_shape"] == (1, 1)


def _expected_flow(layer, direction, stride, padding, cell):
    """What the explorer must show for the default 6x6 input: (output, grad_x, grad_w, jacobian), or
    None where the setting is impossible (a pooling padding over half the window, a cell off the grid)."""
    x, w = FLOW_EXAMPLE, kernels.sobel_x()
    size = 3 if layer == "conv" else 2
    if layer != "conv" and 2 * padding > size:
        return None
    side = (6 + 2 * padding - size) // stride + 1
    if cell >= (side if direction == "output" else 6):
        return None
    forward = {"conv": lambda a: conv2d(a, w, stride=stride, padding=padding),
               "max": lambda a: max_pool2d(a, size, stride, padding),
               "avg": lambda a: avg_pool2d(a, size, stride, padding)}[layer]
    out = forward(x)
    assert out.shape == (side, side)

    def backward(seed):
        if layer == "conv":
            return conv2d_backward(seed, x, w, stride=stride, padding=padding)[:2]
        pool_backward = max_pool2d_backward if layer == "max" else avg_pool2d_backward
        return pool_backward(seed, x, size, stride, padding), None

    def one_hot(shape, i, j):
        seed = np.zeros(shape)
        seed[i, j] = 1.0
        return seed
    if direction == "output":
        grad_x, grad_w = backward(one_hot(out.shape, cell, cell))
        return out, grad_x, grad_w, None
    # d out[i, j] / d x[cell, cell], output by output, from the same backward pass
    jacobian = np.array([[backward(one_hot(out.shape, i, j))[0][cell, cell] for j in range(side)]
                         for i in range(side)])
    return out, None, None, jacobian


@pytest.mark.slow
def test_every_control_combination_shows_cnnlibs_gradients_or_says_why_not():
    view = gradient_flow_explorer()
    seen = {"shown": 0, "refused": 0}
    for layer in ("conv", "max", "avg"):
        view.controls["layer"].value = layer
        for direction in ("output", "input"):
            view.controls["direction"].value = direction
            for stride in (1, 2, 4):
                view.controls["stride"].value = stride
                for padding in (0, 1, 3):
                    view.controls["padding"].value = padding
                    for cell in (0, 3, 5):
                        view.controls["row"].value = view.controls["col"].value = cell
                        setting = (layer, direction, stride, padding, cell)
                        shown, expected = view.shown, _expected_flow(*setting)
                        if expected is None:
                            seen["refused"] += 1
                            warning = escape(shown["warning"], quote=False)
                            assert shown["warning"] and warning in view.views["warning"].value, setting
                            assert shown["output"] is None and shown["grad_x"] is None, setting
                            assert shown["jacobian"] is None and view.views["output"].value == "", setting
                            continue
                        seen["shown"] += 1
                        out, grad_x, grad_w, jacobian = expected
                        assert shown["warning"] == "" and shown["cell"] == (cell, cell), setting
                        assert shown["output_shape"] == out.shape, setting
                        np.testing.assert_allclose(shown["output"], out, err_msg=str(setting))
                        for name, value in (("grad_x", grad_x), ("grad_w", grad_w), ("jacobian", jacobian)):
                            if value is None:
                                assert shown[name] is None, (setting, name)
                            else:
                                np.testing.assert_allclose(shown[name], value, err_msg=f"{setting} {name}")
    assert seen["shown"] > 50 and seen["refused"] > 20, seen


def test_bad_arguments_raise_at_build_time():
    with pytest.raises(ValueError, match="layer"):
        gradient_flow_explorer(layer="dense")
    with pytest.raises(ValueError, match="image"):
        gradient_flow_explorer(np.zeros((20, 20)))
