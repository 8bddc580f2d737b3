"""cnnlib.optim's update functions against first steps worked by hand, the classes against the
functions (one algorithm), the step schedule against decay_learning_rate, and
cnnlib.optim's surfaces and trajectory runner (notebook 09)."""
import types

import numpy as np
import pytest

from cnnlib.nn import Dense, Sequential
from cnnlib.optim import SGD, Adam, adam_update, decayed_learning_rate, sgd_update
from cnnlib.optim import SURFACES, gradient_descent, run_optimiser, saddle_gradient, saddle_loss
from cnnlib.train import decay_learning_rate


# --- sgd_update ----------------------------------------------------------------------------------

def test_plain_gradient_descent_step():
    w, g = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    new_w, velocity = sgd_update(w, g, None, lr=0.1)
    np.testing.assert_allclose(new_w, [0.95, -2.4])
    np.testing.assert_allclose(velocity, g)
    np.testing.assert_array_equal(w, [1.0, -2.0])              # the arguments are not changed


def test_momentum_two_steps_by_hand():
    # g = 2 + 0.5 * 1 = 2.5; v = 2.5; w = 1 - 0.25 = 0.75.
    # g = 2 + 0.5 * 0.75 = 2.375; v = 0.9 * 2.5 + 2.375 = 4.625; w = 0.75 - 0.4625 = 0.2875.
    w, v = sgd_update(np.array([1.0]), np.array([2.0]), None, lr=0.1, momentum=0.9, weight_decay=0.5)
    assert w[0] == pytest.approx(0.75) and v[0] == pytest.approx(2.5)
    w, v = sgd_update(w, np.array([2.0]), v, lr=0.1, momentum=0.9, weight_decay=0.5)
    assert w[0] == pytest.approx(0.2875) and v[0] == pytest.approx(4.625)


def test_velocity_under_a_constant_gradient_approaches_g_over_one_minus_beta():
    v = None
    for k in range(1, 201):
        _, v = sgd_update(np.zeros(1), np.ones(1), v, lr=0.1, momentum=0.9)
        if k == 20:
            assert v[0] == pytest.approx((1 - 0.9 ** 20) / 0.1)      # 8.78
    assert v[0] == pytest.approx(10.0, rel=1e-8)


def test_sgd_update_rejects_bad_arguments():
    with pytest.raises(ValueError, match="g must have the shape of w"):
        sgd_update(np.zeros(2), np.zeros(3), lr=0.1)
    with pytest.raises(ValueError, match="velocity must have the shape of w"):
        sgd_update(np.zeros(2), np.zeros(2), np.zeros(3), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="lr must be in"):
        sgd_update(np.zeros(2), np.zeros(2), lr=0.0)
    with pytest.raises(ValueError, match="momentum must be in"):
        sgd_update(np.zeros(2), np.zeros(2), lr=0.1, momentum=1.0)
    with pytest.raises(TypeError, match="lr must be a number"):
        sgd_update(np.zeros(2), np.zeros(2), lr="0.1")


# --- adam_update ---------------------------------------------------------------------------------

@pytest.mark.parametrize("grad", [3.0, -1e-3, 250.0])
def test_adam_first_step_is_lr_times_the_sign_of_the_gradient(grad):
    # m = 0.1 g, v = 0.001 g^2; m_hat = g, v_hat = g^2; step = lr * g / (|g| + eps), which differs
    # from lr * sign(g) by about lr * eps / |g|.
    w, m, v = adam_update(np.array([1.0]), np.array([grad]), None, None, 1, lr=0.01)
    assert w[0] == pytest.approx(1.0 - 0.01 * np.sign(grad), abs=1.01 * 0.01 * 1e-8 / abs(grad) + 1e-15)
    assert m[0] == pytest.approx(0.1 * grad) and v[0] == pytest.approx(0.001 * grad ** 2)


def test_adam_second_step_by_hand():
    # g1 = 1, g2 = -1: m2 = 0.9 * 0.1 - 0.1 = -0.01, v2 = 0.999 * 0.001 + 0.001 = 0.001999.
    # m_hat = -0.01 / 0.19, v_hat = 0.001999 / 0.001999 = 1, so the step is lr * (-0.0526...).
    w, m, v = adam_update(np.zeros(1), np.ones(1), None, None, 1, lr=0.1, eps=0.0 + 1e-12)
    w2, m, v = adam_update(w, -np.ones(1), m, v, 2, lr=0.1, eps=1e-12)
    assert m[0] == pytest.approx(-0.01) and v[0] == pytest.approx(0.001999)
    assert w2[0] - w[0] == pytest.approx(0.1 * 0.01 / 0.19, rel=1e-9)


def test_without_bias_correction_the_first_step_would_be_3_16_times_lr():
    # The notebook's claim, from the same formulas: m1 / sqrt(v1) = 0.1 / sqrt(0.001).
    w, m, v = adam_update(np.zeros(1), np.array([5.0]), None, None, 1, lr=1.0)
    assert m[0] / np.sqrt(v[0]) == pytest.approx(np.sqrt(10), rel=1e-12)
    assert -w[0] == pytest.approx(1.0, rel=1e-8)


def test_adam_keeps_float32_weights_float32():
    w = np.ones(3, dtype=np.float32)
    new_w, m, v = adam_update(w, np.full(3, 0.5, dtype=np.float32), None, None, 1, lr=1e-3)
    assert new_w.dtype == m.dtype == v.dtype == np.float32


def test_adam_update_rejects_bad_arguments():
    with pytest.raises(ValueError, match="t must be the step number"):
        adam_update(np.zeros(2), np.zeros(2), None, None, 0, lr=0.1)
    with pytest.raises(ValueError, match="m must have the shape of w"):
        adam_update(np.zeros(2), np.zeros(2), np.zeros(1), None, 1, lr=0.1)
    with pytest.raises(ValueError, match="beta2 must be in"):
        adam_update(np.zeros(2), np.zeros(2), lr=0.1, beta2=1.0)


# --- the classes call the functions --------------------------------------------------------------

def _model(seed):
    model = Sequential(Dense(3, 4, rng=seed, dtype=np.float64), Dense(4, 2, rng=seed + 1, dtype=np.float64))
    return model


def _set_random_gradients(model, rng):
    for layer in model.layers:
        for name, w in layer.params.items():
            layer.grads[name] = rng.standard_normal(w.shape)


@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam"])
def test_classes_equal_the_functions_step_for_step(kind):
    model, rng = _model(0), np.random.default_rng(5)
    weights = {name: w.copy() for name, w in model.named_parameters()}
    memory = {name: (None, None) for name in weights}
    if kind == "adam":
        optimizer = Adam(lr=0.01, weight_decay=0.1)
    else:
        optimizer = SGD(lr=0.05, momentum=0.9 if kind == "momentum" else 0.0, weight_decay=0.1)
    for t in range(1, 6):
        _set_random_gradients(model, rng)
        grads = {name: g.copy() for name, g in model.named_gradients()}
        optimizer.step(model)
        for name in weights:
            if kind == "adam":
                weights[name], m, v = adam_update(weights[name], grads[name], *memory[name], t, lr=0.01,
                                                  weight_decay=0.1)
                memory[name] = (m, v)
            else:
                weights[name], velocity = sgd_update(weights[name], grads[name], memory[name][0], lr=0.05,
                                                     momentum=optimizer.momentum, weight_decay=0.1)
                memory[name] = (velocity, None)
        for name, w in model.named_parameters():
            np.testing.assert_array_equal(w, weights[name])


def test_the_classes_update_the_model_arrays_in_place():
    model = _model(1)
    arrays = [w for _, w in model.named_parameters()]
    _set_random_gradients(model, np.random.default_rng(0))
    Adam(lr=0.1).step(model)
    SGD(lr=0.1, momentum=0.5).step(model)
    assert all(a is b for a, (_, b) in zip(arrays, model.named_parameters()))


# --- the learning-rate schedule ------------------------------------------------------------------

@pytest.mark.parametrize("factor, every", [(0.7, 1), (0.5, 2), (1.0, 3)])
def test_decayed_learning_rate_matches_the_training_callback(factor, every):
    optimizer = types.SimpleNamespace(lr=0.05)
    callback = decay_learning_rate(optimizer, factor, every)
    for epoch in range(8):
        assert optimizer.lr == pytest.approx(decayed_learning_rate(0.05, epoch, factor=factor, every=every))
        callback("epoch_end", types.SimpleNamespace(epoch=epoch))


def test_decayed_learning_rate_by_hand_and_on_arrays():
    assert decayed_learning_rate(0.1, 3, factor=0.5) == pytest.approx(0.0125)
    np.testing.assert_allclose(decayed_learning_rate(1.0, np.arange(5), factor=0.5, every=2), [1, 1, 0.5, 0.5, 0.25])
    with pytest.raises(ValueError, match="factor must be in"):
        decayed_learning_rate(0.1, 1, factor=1.5)
    with pytest.raises(ValueError, match="epoch must be a whole number"):
        decayed_learning_rate(0.1, -1)


# --- surfaces and the trajectory runner ----------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SURFACES))
def test_surface_gradients_match_finite_differences(name):
    surface, h = SURFACES[name], 1e-6
    for point in np.random.default_rng(2).uniform(-1.5, 1.5, size=(10, 2)):
        numeric = [(surface.loss(*(point + h * e)) - surface.loss(*(point - h * e))) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(surface.gradient(point), numeric, rtol=1e-6, atol=1e-8)
    for critical in surface.points.values():
        np.testing.assert_allclose(surface.gradient(np.array(critical)), [0.0, 0.0], atol=1e-15)


def test_saddle_heights_and_curvatures():
    assert saddle_loss(0.0, 0.0) == 0.5 and saddle_loss(0.0, 1.0) == 0.0 == saddle_loss(0.0, -1.0)
    h = 1e-4
    curvature_y = (saddle_gradient([0.0, h])[1] - saddle_gradient([0.0, -h])[1]) / (2 * h)
    assert curvature_y == pytest.approx(-2.0, abs=1e-6)


def test_gd_run_equals_gradient_descent():
    surface = SURFACES["saddle"]
    trajectory = run_optimiser(surface, "gd", (1.5, 0.001), 40, lr=0.05)
    np.testing.assert_array_equal(trajectory.path, gradient_descent(surface.gradient, [1.5, 0.001], 0.05, 40))
    np.testing.assert_allclose(trajectory.losses, saddle_loss(trajectory.path[:, 0], trajectory.path[:, 1]))
    assert trajectory.diverged_after is None


def test_on_the_stable_axis_every_optimiser_stays_on_it_and_gd_stalls_at_the_saddle():
    for optimiser in ("gd", "momentum", "adam"):
        path = run_optimiser("saddle", optimiser, (1.5, 0.0), 50, lr=0.05).path
        assert np.all(path[:, 1] == 0.0)
    gd = run_optimiser("saddle", "gd", (1.5, 0.0), 80, lr=0.05).path
    assert np.hypot(*gd[-1]) < 1e-3


def test_a_nudge_lets_momentum_and_adam_escape_before_gd():
    losses = {o: run_optimiser("saddle", o, (1.5, 0.001), 50, lr=0.05).losses[-1] for o in ("gd", "momentum", "adam")}
    assert losses["gd"] > 0.45 and losses["momentum"] < 0.05 and losses["adam"] < 0.05


def test_a_too_large_learning_rate_is_reported_not_raised():
    trajectory = run_optimiser("valley", "gd", (-8.0, 1.5), 100, lr=0.6)
    # y is multiplied by 1 - 4 * 0.6 = -1.4 each step: |y| passes 1000 at step 20.
    assert trajectory.diverged_after == 20
    assert trajectory.path.shape == (20, 2) and np.all(np.abs(trajectory.path) <= 1e3)
    assert np.all(np.isfinite(trajectory.losses))


def test_run_optimiser_rejects_bad_arguments():
    with pytest.raises(ValueError, match="surface must be one of"):
        run_optimiser("bowl", "gd", (0, 0), 5, lr=0.1)
    with pytest.raises(ValueError, match="optimiser must be one of"):
        run_optimiser("saddle", "rmsprop", (0, 0), 5, lr=0.1)
    with pytest.raises(ValueError, match="start must be a point"):
        run_optimiser("saddle", "gd", (0, 0, 0), 5, lr=0.1)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        run_optimiser("saddle", "gd", (0, 0), 5, lr=-0.1)
