"""The connectivity view: which inputs feed each neuron, for a convolution and a dense layer."""
import numpy as np
import pytest

from cnnlib import conv2d
from cnnlib.conv import connection_ids, neuron_name
from cnnlib.plots.connectivity import weight_colours
from cnnlib.widgets import connectivity_view


def inputs_seen_by(n, k, s, row, col):
    """The notes' picture by hand: neuron (row, col) sees the k x k block starting at (row*s, col*s)."""
    return sorted((row * s + a) * n + (col * s + b) + 1 for a in range(k) for b in range(k))


def test_the_notes_example_h11_and_h12():
    view = connectivity_view(input_size=4, kernel_size=2, stride=2)
    shown = view.shown
    assert shown["neuron"] == "h11" and shown["output_shape"] == (2, 2)
    assert shown["conv_inputs"] == [1, 2, 5, 6]
    assert shown["conv_weights"] == [1, 2, 3, 4]
    assert shown["conv_formula"] == "h11 = w1*x1 + w2*x2 + w3*x5 + w4*x6 + b"
    view.controls["neuron"].value = 1
    assert view.shown["neuron"] == "h12"
    assert view.shown["conv_inputs"] == [3, 4, 7, 8]
    assert view.shown["conv_weights"] == [1, 2, 3, 4]       # the same four weights: shared


def test_every_neuron_sees_its_window_and_the_dense_layer_sees_everything():
    for n, k, s in ((4, 2, 1), (5, 3, 1), (6, 3, 2), (5, 2, 3)):
        view = connectivity_view(n, k, s)
        out = (n - k) // s + 1
        assert view.controls["neuron"].options == tuple((neuron_name(r, out), r) for r in range(out * out))
        for r in range(out * out):
            view.controls["neuron"].value = r
            assert view.shown["conv_inputs"] == inputs_seen_by(n, k, s, *divmod(r, out))
            assert view.shown["dense_inputs"] == list(range(1, n * n + 1))
            # Row-major kernel order: the window's inputs meet w1, w2, ... in reading order.
            assert view.shown["conv_weights"] == list(range(1, k * k + 1))


def test_parameter_counts():
    view = connectivity_view(4, 2, 2)
    shown = view.shown
    assert shown["conv_weight_count"] == 4 and shown["conv_parameters"] == 5
    assert shown["dense_weight_count"] == 4 * 16 and shown["dense_parameters"] == 4 * 16 + 4
    view.controls["stride"].value = 1                 # 3x3 = 9 neurons, the kernel unchanged
    assert view.shown["conv_parameters"] == 5
    assert view.shown["dense_parameters"] == 9 * 16 + 9
    view.controls["input_size"].value = 6
    view.controls["kernel_size"].value = 3
    assert view.shown["conv_parameters"] == 10
    assert view.shown["dense_parameters"] == 16 * 36 + 16


def test_the_connection_matrix_is_the_convolution():
    view = connectivity_view(5, 3, 1)
    ids = view.shown["connections"]
    kernel = np.random.default_rng(0).normal(size=(3, 3))
    x = np.random.default_rng(1).normal(size=(5, 5))
    # Replace each weight number by that weight's value: the matrix must then compute conv2d.
    matrix = np.where(ids > 0, kernel.ravel()[np.maximum(ids, 1) - 1], 0.0)
    np.testing.assert_allclose(matrix @ x.ravel(), conv2d(x, kernel).ravel())


def test_changing_the_shape_keeps_the_picked_neuron_when_it_still_exists():
    view = connectivity_view(4, 2, 1)
    view.controls["neuron"].value = 3                  # h21 of a 3x3 layer
    view.controls["stride"].value = 2                  # now a 2x2 layer: index 3 is h22
    assert view.shown["neuron"] == "h22"
    view.controls["neuron"].value = 3
    view.controls["kernel_size"].value = 4             # a 1x1 layer: back to h11
    assert view.shown["neuron"] == "h11"
    assert view.shown["conv_inputs"] == list(range(1, 17))


def test_a_stride_that_does_not_fit_gives_a_note():
    view = connectivity_view(5, 2, 2)
    assert view.shown["output_shape"] == (2, 2)
    assert "does not fit" in view.shown["note"] and "the last 1 row of" in view.shown["note"]
    assert view.shown["warning"] == ""
    view.controls["stride"].value = 1
    assert view.shown["note"] == ""


def test_a_kernel_larger_than_the_input_shows_a_warning_not_a_traceback():
    view = connectivity_view(3, 2, 1)
    view.controls["kernel_size"].value = 5
    assert "does not fit" in view.shown["warning"]
    assert view.shown["neuron"] is None and view.shown["conv_inputs"] == []
    assert view.controls["neuron"].disabled
    view.controls["kernel_size"].value = 2
    assert view.shown["warning"] == "" and view.shown["neuron"] == "h11"


def test_shared_weights_are_coloured_alike():
    colours = weight_colours(4)
    assert len(set(colours)) == 4
    ids = connection_ids(4, 2, 2)
    assert set(ids[ids > 0]) == {1, 2, 3, 4}
    view = connectivity_view(4, 2, 2)
    html = view.views["matrices"].value              # the two matrices
    for colour in colours:
        assert html.count(f"background:{colour}") == 4   # each weight once in each of the 4 rows
    many = weight_colours(64)
    assert all(a != b for a, b in zip(many, many[1:]))   # neighbouring dense weights differ


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(input_size=9), ValueError, "input_size must be from 2 to 6"),
    (dict(input_size=3, kernel_size=4), ValueError,
     "kernel_size 4 is too large: kernel 4x4 does not fit: it is larger than the padded input 3x3"),
    (dict(kernel_size=0), ValueError, "kernel_size must be at least 1"),
    (dict(stride=2.5), TypeError, "stride must be an integer"),
    (dict(stride=7), ValueError, "stride must be at most 4"),
])
def test_bad_arguments_name_the_argument(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        connectivity_view(**kwargs)


def test_static_figures_of_notebook_05():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from cnnlib.plots import connectivity as cplots
    from cnnlib.features import gradient_histogram, sobel_gradients

    windows = cplots.neuron_windows_figure(4, 2, 2)
    titles = [ax.get_title() for ax in windows.axes]
    assert "h11 sees 1, 2, 5, 6" in titles and "h12 sees 3, 4, 7, 8" in titles
    matrix = cplots.conv_matrix_figure(4, 2, 1)
    labels = [t.get_text() for t in matrix.axes[0].texts]
    assert len(labels) == 36 and labels.count("w1") == 9                # 9 neurons, each uses w1 once
    assert "4 distinct weights" in matrix.axes[0].get_title()
    network = cplots.sparse_vs_dense_figure(4, 2, 2)
    conv_lines, dense_lines = (len(ax.get_lines()) for ax in network.axes)
    assert (conv_lines, dense_lines) == (16, 64)
    fields = cplots.receptive_field_figure()
    growth = fields.axes[1].get_lines()
    assert list(growth[0].get_ydata()[:3]) == [3, 5, 7] and list(growth[1].get_ydata()) == [5, 6, 14, 16]
    params = cplots.parameter_count_figure()
    dense_curve = params.axes[0].get_lines()[0]
    assert 4_816_896 in list(dense_curve.get_ydata())
    digit = np.zeros((28, 28))
    digit[8:20, 12:16] = 1.0
    gx, gy = sobel_gradients(digit)
    hog_fig = cplots.gradient_histogram_figure(digit, gx, gy, gradient_histogram(digit, 7, 9))
    assert hog_fig.axes[4].get_title() == "7x7 cell histograms"
    plt.close("all")
