"""Notebook 08's figures, and the index arithmetic (cnnlib.shapes) they share with the gradient-flow explorer."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnlib import conv2d, kernels
from cnnlib.conv import conv2d_backward
from cnnlib.plots import backprop as bp
from cnnlib.shapes import outputs_reading, window_cells


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def jacobian_of_conv(shape, k, stride, padding, dilation=1):
    """d out[i, j] / d x[r, c] for an all-ones kernel, by probing the forward pass: an independent
    reference for which cells a window touches."""
    w = np.ones((k, k))
    rows = []
    for r in range(shape[0]):
        for c in range(shape[1]):
            probe = np.zeros(shape)
            probe[r, c] = 1.0
            rows.append(conv2d(probe, w, stride=stride, padding=padding, dilation=dilation).ravel())
    return np.array(rows)            # (H*W) x (H_O*W_O)


@pytest.mark.parametrize("shape,k,stride,padding,dilation", [
    ((5, 5), 3, 1, 1, 1), ((6, 6), 3, 2, 0, 1), ((7, 5), 2, 3, 1, 1), ((6, 7), 3, 1, 2, 1),
    ((8, 8), 3, 2, 1, 2), ((4, 4), 4, 1, 0, 1)])
def test_window_cells_and_outputs_reading_agree_with_the_forward_pass(shape, k, stride, padding, dilation):
    jac = jacobian_of_conv(shape, k, stride, padding, dilation)
    out_shape = conv2d(np.zeros(shape), np.ones((k, k)), stride=stride, padding=padding, dilation=dilation).shape
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            taps = window_cells(i, j, shape, k, stride, padding, dilation)
            assert len(taps) == k * k
            inside = {(r, c) for r, c, _, _ in taps if 0 <= r < shape[0] and 0 <= c < shape[1]}
            col = jac[:, i * out_shape[1] + j].reshape(shape)
            assert inside == {tuple(rc) for rc in np.argwhere(col != 0)}
    for r in range(shape[0]):
        for c in range(shape[1]):
            readers = outputs_reading(r, c, shape, k, stride, padding, dilation)
            row = jac[r * shape[1] + c].reshape(out_shape)
            assert {(i, j) for i, j, _, _ in readers} == {tuple(ij) for ij in np.argwhere(row != 0)}
            for i, j, a, b in readers:       # the tap links them: output (i, j) reads (r, c) through w[a, b]
                assert (r, c, a, b) in window_cells(i, j, shape, k, stride, padding, dilation)


def test_window_cells_marks_padding_taps_and_rejects_missing_cells():
    taps = window_cells(0, 0, (5, 5), 3, 1, 1)
    assert taps[0] == (-1, -1, 0, 0) and taps[-1] == (1, 1, 2, 2)
    assert sum(1 for r, c, _, _ in taps if r < 0 or c < 0) == 5
    with pytest.raises(ValueError, match="does not exist"):
        window_cells(5, 0, (5, 5), 3, 1, 1)
    with pytest.raises(ValueError, match="does not exist"):
        outputs_reading(0, 9, (5, 5), 3)


def test_a_stride_larger_than_the_kernel_leaves_unread_inputs():
    assert outputs_reading(0, 2, (6, 6), 2, stride=3) == []
    assert outputs_reading(0, 3, (6, 6), 2, stride=3) == [(0, 1, 0, 0)]


def test_chain_rule_figure_writes_the_hand_computed_gradients():
    fig = bp.chain_rule_figure(x=(3.0, 1.0), w=(0.5, -1.0), b=1.0, target=0.5)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "L = 0.5\n(t = 0.5)" in texts
    red = [t.get_text() for t in fig.axes[0].texts if t.get_color() == bp.GRAD_COLOUR]
    assert sorted(red) == sorted(["0.5", "3", "-1", "1", "1", "1", "1", "1", "1"])


def test_conv_backward_figure_shows_cnnlib_gradients():
    x = np.array([[1, 2, 0], [3, 1, 2], [0, 1, 3]], float)
    w = np.array([[1, 2], [-1, 0]], float)
    g = np.array([[1, -1], [2, 1]], float)
    fig = bp.conv_backward_figure(x, w, g)
    grad_x, grad_w, _ = conv2d_backward(g, x, w)
    np.testing.assert_array_equal(fig.axes[4].images[0].get_array(), grad_w)
    np.testing.assert_array_equal(fig.axes[5].images[0].get_array(), grad_x)
    assert "= 3" in fig._suptitle.get_text()


def test_pool_backward_figure_routes_to_the_first_maximum():
    x = np.array([[1, 3, 2, 0], [3, 2, 1, 4], [0, 5, 2, 2], [1, 1, 2, 1]], float)
    fig = bp.pool_backward_figure(x, np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(fig.axes[2].images[0].get_array(),
                                  [[0, 1, 0, 0], [0, 0, 0, 2], [0, 3, 4, 0], [0, 0, 0, 0]])
    circles = [p for p in fig.axes[0].patches if isinstance(p, matplotlib.patches.Circle)]
    assert sorted(p.center for p in circles) == [(1, 0), (1, 2), (2, 2), (3, 1)]   # (col, row) of the winners
    avg = bp.pool_backward_figure(x, np.array([[4.0, 8.0], [0.0, 4.0]]), mode="avg")
    assert avg.axes[2].images[0].get_array()[0, 0] == 1.0


def test_gradient_flow_figure_shows_the_kernel_on_the_window():
    fig = bp.gradient_flow_figure(bp.FLOW_EXAMPLE, kernels.sobel_x(), (1, 2))
    conv_grad = np.asarray(fig.axes[0].images[0].get_array())
    np.testing.assert_array_equal(conv_grad[1:4, 2:5], kernels.sobel_x())
    assert np.count_nonzero(conv_grad) == 6
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), bp.FLOW_EXAMPLE[1:4, 2:5])
    pool_grad = np.asarray(fig.axes[3].images[0].get_array())
    assert pool_grad[3, 4] == 1 and pool_grad.sum() == 1


def test_kernel_learning_figure_draws_loss_and_kernels():
    true = kernels.sobel_x()
    fig = bp.kernel_learning_figure(np.geomspace(1, 1e-4, 20), {0: np.zeros((3, 3)), 19: true * 0.999}, true)
    assert len(fig.axes) == 4 and fig.axes[0].get_yscale() == "log"
    assert fig.axes[-1].get_title() == "true kernel"
    assert np.all(np.asarray(fig.axes[1].images[0].get_array()) == 0)
