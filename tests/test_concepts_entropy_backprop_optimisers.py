"""The concept questions of notebooks 07, 08 and 09 state facts with numbers; cnnlib must agree.

Each test recomputes the numbers one question's options quote (cnnlib/concepts/entropy_and_cross_entropy.py,
backpropagation.py, optimisers.py), so a question cannot drift from the library it teaches.
"""
import numpy as np
import pytest

from cnnlib import categorical_cross_entropy, conv2d, cross_entropy, sigmoid, sigmoid_grad, softmax
from cnnlib.concepts import questions_for
from cnnlib.conv import conv2d_backward
from cnnlib.mistakes import global_max_softmax, whole_window_max_pool_backward
from cnnlib.optim import SURFACES, adam_update, run_optimiser, sgd_update
from cnnlib.pooling import max_pool2d_backward


def _correct(slug, index):
    return questions_for(slug)[index].answer.text


@pytest.mark.parametrize("slug, count", [("entropy_and_cross_entropy", 5), ("backpropagation", 4), ("optimisers", 5)])
def test_each_notebook_has_its_questions(slug, count):
    assert len(questions_for(slug)) == count


# Notebook 07 -------------------------------------------------------------------------------------------

def _nats(probabilities, true_class=1):
    return categorical_cross_entropy(np.array([true_class]), np.array([probabilities]))


def test_07_the_confident_wrong_prediction_pays_most():
    costs = {"confident wrong": _nats([0.98, 0.01, 0.01]), "shrug": _nats([1 / 3, 1 / 3, 1 / 3]),
             "leaning": _nats([0.4, 0.5, 0.1]), "confident right": _nats([0.01, 0.98, 0.01])}
    assert max(costs, key=costs.get) == "confident wrong" and _correct("entropy_and_cross_entropy", 0).startswith("(0.98")
    assert [round(costs[k], 2) for k in ("confident wrong", "shrug", "leaning", "confident right")] == [4.61, 1.10, 0.69, 0.02]
    assert 0.2 < costs["shrug"] / costs["confident wrong"] < 0.3                  # "about a quarter"


def test_07_bits_and_nats_differ_by_ln_2():
    truth, q = np.array([0.0, 1.0, 0.0]), np.array([0.2, 0.7, 0.1])
    bits, nats = cross_entropy(truth, q), _nats(q)
    assert round(bits, 3) == 0.515 and round(nats, 3) == 0.357 and np.isclose(bits * np.log(2), nats)
    assert round(nats / 3, 3) == 0.119


def test_07_each_row_needs_its_own_maximum():
    batch = np.array([[1000.0, 0.0], [-1000.0, -1001.0]])
    assert np.allclose(softmax(batch)[1], [0.731, 0.269], atol=5e-4)
    assert np.isnan(global_max_softmax(batch)[1]).all()
    assert round(softmax(np.array([1.3, 5.1, 2.2]))[1], 3) == round(softmax(np.array([1.3, 5.1, 2.2]) - 5.1)[1], 3) == 0.928


def test_07_an_untrained_ten_class_network_scores_ln_10():
    assert np.isclose(categorical_cross_entropy(np.arange(10), np.full((10, 10), 0.1)), np.log(10))
    assert round(np.log(10), 3) == 2.303 and -np.log(0.01) > np.log(10)


def test_07_the_squared_errors_gradient_is_405_times_weaker_at_minus_6():
    y_hat = sigmoid(-6.0)
    assert round((y_hat - 1) / ((y_hat - 1) * sigmoid_grad(-6.0))) == 405


# Notebook 08 -------------------------------------------------------------------------------------------

def test_08_a_tied_window_sends_everything_to_its_first_maximum():
    x, g = np.array([[1.0, 3.0], [3.0, 2.0]]), np.array([[1.0]])
    assert np.array_equal(max_pool2d_backward(g, x), [[0, 1], [0, 0]])
    assert whole_window_max_pool_backward(g, x).sum() == 4                          # "four times the gradient"


def test_08_a_shared_weight_and_the_bias_collect_the_sum_over_positions():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(12, 12)), rng.normal(size=(3, 3))
    g = rng.normal(size=conv2d(x, w).shape)                                       # 10 x 10 = 100 positions
    grad_x, grad_w, grad_b = conv2d_backward(g, x, w)
    assert g.size == 100 and np.isclose(grad_w[0, 0], np.sum(g * x[:10, :10]))
    assert np.isclose(grad_b[0], g.sum())


def test_08_the_input_gradient_uses_the_kernel_turned_180_degrees():
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(5, 5)), rng.normal(size=(3, 3))
    g = rng.normal(size=(3, 3))
    grad_x = conv2d_backward(g, x, w)[0]
    assert np.allclose(grad_x, conv2d(np.pad(g, 2), w[::-1, ::-1]))
    assert not np.allclose(grad_x, conv2d(np.pad(g, 2), w))


# Notebook 09 -------------------------------------------------------------------------------------------

def test_09_four_times_the_batch_halves_the_spread():
    rng = np.random.default_rng(0)
    draws = rng.normal(size=(20000, 64))
    ratio = draws[:, :16].mean(axis=1).std() / draws.mean(axis=1).std()
    assert 1.9 < ratio < 2.1


def test_09_momentum_approaches_ten_times_the_gradient():
    velocity = None
    for _ in range(20):
        _, velocity = sgd_update(np.zeros(1), np.ones(1), velocity, lr=0.1, momentum=0.9)
    assert round(velocity[0], 2) == 8.78


def test_09_adams_first_step_is_lr_whatever_the_gradient():
    for g in (250.0, 0.001):
        w, m, v = adam_update(np.array([1.0]), np.array([g]), None, None, 1, lr=0.01)
        assert np.isclose(abs(w[0] - 1), 0.01, rtol=1e-4)
        assert round(0.01 * m[0] / np.sqrt(v[0]) / np.sign(g), 4) == 0.0316        # the uncorrected step


def test_09_no_optimiser_leaves_the_saddles_stable_axis():
    saddle = SURFACES["saddle"]
    for name in ("gd", "momentum", "adam"):
        run = run_optimiser(saddle, name, (1.5, 0.0), 80, lr=0.05)
        assert np.all(run.path[:, 1] == 0.0), name
