import numpy as np
import pytest

from cnnlib.optim import gradient_descent


def test_quadratic_path_matches_closed_form():
    # f(w) = w^2 has gradient 2w, so each step multiplies w by (1 - 2 lr).
    path = gradient_descent(lambda w: 2 * w, 3.0, lr=0.1, steps=5)
    expected = 3.0 * 0.8 ** np.arange(6)
    assert path.shape == (6, 1)
    np.testing.assert_allclose(path[:, 0], expected, rtol=1e-12)


def test_bowl_in_two_dimensions_converges_to_the_minimum():
    # f(x, y) = (x - 1)^2 + 4 (y + 2)^2: minimum at (1, -2).
    grad = lambda p: np.array([2 * (p[0] - 1), 8 * (p[1] + 2)])
    path = gradient_descent(grad, [-3.0, 2.0], lr=0.1, steps=200)
    assert path.shape == (201, 2)
    np.testing.assert_allclose(path[0], [-3.0, 2.0])
    np.testing.assert_allclose(path[-1], [1.0, -2.0], atol=1e-8)


def test_too_large_learning_rate_diverges():
    # For w^2 the factor is |1 - 2 lr| > 1 once lr > 1.
    path = gradient_descent(lambda w: 2 * w, 1.0, lr=1.1, steps=20)
    assert abs(path[-1, 0]) > 1e1
    assert np.all(np.abs(np.diff(np.abs(path[:, 0]))) > 0)


def test_saddle_stalls_on_the_axis_and_escapes_off_it():
    grad = lambda p: np.array([2 * p[0], -2 * p[1]])
    on_axis = gradient_descent(grad, [1.0, 0.0], lr=0.1, steps=100)
    off_axis = gradient_descent(grad, [1.0, 1e-6], lr=0.1, steps=100)
    assert np.allclose(on_axis[-1], [0.0, 0.0], atol=1e-9)
    assert off_axis[-1, 1] == pytest.approx(1e-6 * 1.2 ** 100, rel=1e-9)


def test_zero_steps_returns_only_the_start():
    path = gradient_descent(lambda w: w, [1.0, 2.0], lr=0.5, steps=0)
    np.testing.assert_array_equal(path, [[1.0, 2.0]])


def test_path_does_not_alias_the_start_array():
    start = np.array([1.0, 1.0])
    gradient_descent(lambda w: w, start, lr=0.5, steps=3)
    np.testing.assert_array_equal(start, [1.0, 1.0])


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(grad_fn=3.0, start=1.0, lr=0.1, steps=1), TypeError, "grad_fn"),
    (dict(grad_fn=lambda w: w, start=1.0, lr=0.0, steps=1), ValueError, "lr"),
    (dict(grad_fn=lambda w: w, start=1.0, lr=True, steps=1), ValueError, "lr"),
    (dict(grad_fn=lambda w: w, start=1.0, lr=0.1, steps=-1), ValueError, "steps"),
    (dict(grad_fn=lambda w: w, start=1.0, lr=0.1, steps=2.5), TypeError, "steps"),
    (dict(grad_fn=lambda w: w, start=[[1.0]], lr=0.1, steps=1), ValueError, "start"),
    (dict(grad_fn=lambda w: np.zeros(3), start=[1.0, 2.0], lr=0.1, steps=1), ValueError, "grad_fn"),
])
def test_bad_arguments_name_the_argument(kwargs, error, words):
    with pytest.raises(error, match=words):
        gradient_descent(**kwargs)
