"""Notebook 10's per-layer training statistics, its hand-written training loop (the Debug it exercise
and its two named mistakes), and notebook 11's accuracy-curves figure."""
import contextlib
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlib import mistakes  # noqa: E402
from cnnlib.exercises import Case, check_function  # noqa: E402
from cnnlib.layer_stats import UPDATE_RATIO_RULE_OF_THUMB, LayerStats, weight_layers  # noqa: E402
from cnnlib.losses import softmax  # noqa: E402
from cnnlib.nn import Dense, Flatten, ReLU, Sequential, lenet5  # noqa: E402
from cnnlib.optim import SGD, Adam  # noqa: E402
from cnnlib.plots.layer_stats import layer_line_styles, layer_stats_figure  # noqa: E402
from cnnlib.plots.regularisation import accuracy_curves_figure  # noqa: E402
from cnnlib.softmax_regression import softmax_regression_gradients, train_softmax_regression  # noqa: E402
from cnnlib.train import fit  # noqa: E402


def small_model():
    rng = np.random.default_rng(0)
    return Sequential(Flatten(), Dense(8, 6, rng=rng), ReLU(), Dense(6, 3, rng=rng), input_shape=(2, 2, 2))


def test_weight_layers_names_each_layer_and_watches_its_activation():
    assert weight_layers(small_model()) == [("fc1", 1, 2), ("fc2", 3, 3)]
    assert [name for name, _, _ in weight_layers(lenet5())] == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    with pytest.raises(TypeError, match="Sequential"):
        weight_layers(Dense(2, 2))


def test_layer_stats_records_every_k_steps_and_measures_the_real_update():
    model = small_model()
    x = np.random.default_rng(1).normal(size=(12, 2, 2, 2)).astype(np.float32)
    y = np.arange(12) % 3
    stats = LayerStats(model, x[:5], every=2)
    history = fit(model, x, y, epochs=2, batch_size=4, optimizer=SGD(lr=0.1), progress=False, callbacks=[stats])
    assert history.step == 6 and stats.steps == [2, 4, 6]
    assert all(len(stats.update_ratio[name]) == 3 for name in stats.names)
    # The last record is the last step's update: with plain SGD it is lr times the gradient left in the layer.
    layer = model.layers[3]
    w = layer.params["weight"].astype(np.float64)
    before = w + 0.1 * layer.grads["weight"]
    assert np.isclose(stats.update_ratio["fc2"][-1], np.linalg.norm(w - before) / np.linalg.norm(before), rtol=1e-4)
    assert np.isclose(stats.gradient_std["fc2"][-1], np.std(layer.grads["weight"]))
    # Activations are measured on the probe after the step: fc1's are its ReLU's output.
    hidden = np.maximum(model.layers[1].forward(model.layers[0].forward(x[:5])), 0)
    assert np.isclose(stats.activation_mean["fc1"][-1], hidden.mean(), rtol=1e-5)
    assert np.isclose(stats.activation_std["fc1"][-1], hidden.std(), rtol=1e-5)


def test_every_step_recording_works_from_the_first_step():
    model = small_model()
    x = np.random.default_rng(2).normal(size=(6, 2, 2, 2)).astype(np.float32)
    stats = LayerStats(model, x, every=1)
    fit(model, x, np.arange(6) % 3, epochs=1, batch_size=2, optimizer=Adam(1e-2), progress=False, callbacks=[stats])
    assert stats.steps == [1, 2, 3] and all(r > 0 for r in stats.update_ratio["fc1"])
    with pytest.raises(ValueError):
        LayerStats(model, x, every=0)


def test_the_figure_tells_layers_apart_without_colour_and_draws_the_rule_of_thumb():
    styles = layer_line_styles(["conv1", "conv2", "fc1", "fc2", "fc3"])
    assert len({str(s["linestyle"]) for s in styles.values()}) == 5 and len({s["marker"] for s in styles.values()}) == 5
    model = lenet5(rng=0)
    x = np.random.default_rng(0).random((8, 1, 32, 32), dtype=np.float32)
    stats = LayerStats(model, x[:4], every=1)
    fit(model, x, np.arange(8), epochs=1, batch_size=4, optimizer=Adam(3e-3), progress=False, callbacks=[stats])
    fig = layer_stats_figure(stats, steps_per_epoch=2)
    try:
        assert len(fig.axes) == 4 and fig.axes[2].get_yscale() == fig.axes[3].get_yscale() == "log"
        assert any(np.allclose(line.get_ydata(), UPDATE_RATIO_RULE_OF_THUMB) for line in fig.axes[3].get_lines())
        assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == stats.names
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="no records"):
        layer_stats_figure(LayerStats(model, x[:2]))


def test_accuracy_curves_need_validation_figures():
    model = small_model()
    x = np.random.default_rng(3).normal(size=(6, 2, 2, 2)).astype(np.float32)
    y = np.arange(6) % 3
    with_val = fit(model, x, y, epochs=2, batch_size=3, optimizer=SGD(0.1), progress=False, validation_data=(x, y))
    fig = accuracy_curves_figure({"plain": with_val, "again": with_val})
    try:
        assert len(fig.axes) == 2 and len(fig.axes[1].get_lines()) == 2
    finally:
        plt.close(fig)
    without = fit(model, x, y, epochs=1, batch_size=3, optimizer=SGD(0.1), progress=False)
    with pytest.raises(ValueError, match="validation"):
        accuracy_curves_figure({"plain": without})


def by_hand(x, y, w, b, *, lr, batch_size, epochs=1):
    """The loop written out with per-sample gradients, as the notebook's worked solution does."""
    w, b = np.array(w, dtype=float), np.array(b, dtype=float)
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            grad_w, grad_b = np.zeros_like(w), np.zeros_like(b)
            for x_i, y_i in zip(xb, yb):
                g = softmax(w @ x_i + b)
                g[y_i] -= 1
                grad_w += np.outer(g, x_i)
                grad_b += g
            w, b = w - lr * grad_w / len(xb), b - lr * grad_b / len(xb)
    return w, b


def test_train_softmax_regression_is_the_loop_by_hand_and_leaves_its_inputs_alone():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(11, 3)), rng.integers(0, 4, size=11)
    w, b = rng.normal(scale=0.1, size=(4, 3)), np.zeros(4)
    w_copy = w.copy()
    got = train_softmax_regression(x, y, w, b, lr=0.3, batch_size=4, epochs=3)      # a short last batch too
    want = by_hand(x, y, w, b, lr=0.3, batch_size=4, epochs=3)
    assert all(np.allclose(g, e, rtol=1e-10, atol=1e-12) for g, e in zip(got, want))
    assert np.array_equal(w, w_copy)
    gw, gb = softmax_regression_gradients(x[:4], y[:4], w, b)
    assert gw.shape == w.shape and np.isclose(gb.sum(), 0)                           # softmax - onehot sums to 0


@pytest.mark.parametrize("mistake, wrong", [
    ("accumulates the gradient across steps", mistakes.accumulated_gradient_training),
    ("sums the batch's per-sample gradients instead of averaging them", mistakes.summed_gradient_training),
])
def test_the_check_names_each_training_loop_mistake(mistake, wrong):
    rng = np.random.default_rng(5)
    cases = [Case(rng.normal(size=(12, 3)), rng.integers(0, 3, size=12), np.zeros((3, 3)), np.zeros(3),
                  lr=0.5, batch_size=4, epochs=2)]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert not check_function(wrong, train_softmax_regression, cases, name="mine", output_names=("w", "b"),
                                  mistakes=mistakes.TRAINING_LOOP)
        assert check_function(by_hand, train_softmax_regression, cases, name="mine", output_names=("w", "b"),
                              mistakes=mistakes.TRAINING_LOOP)
    text = printed.getvalue()
    assert f"Not yet: mine {mistake}" in text and "is exactly what that mistake gives" in text


def test_the_accumulating_loop_shows_the_notebooks_symptom():
    # Notebook 10's three clouds: better than the right loop after one epoch, then climbing.
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, size=60)
    points = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])[labels] + rng.normal(size=(60, 2))

    def loss(w, b):
        p = softmax(points @ w.T + b, axis=1)
        return -np.log(p[np.arange(60), labels]).mean()

    start = (np.zeros((3, 2)), np.zeros(3))
    right = [loss(*train_softmax_regression(points, labels, *start, lr=0.5, batch_size=10, epochs=e))
             for e in (1, 2, 4)]
    wrong = [loss(*mistakes.accumulated_gradient_training(points, labels, *start, lr=0.5, batch_size=10, epochs=e))
             for e in (1, 2, 4)]
    assert right[0] > right[1] > right[2] and wrong[0] < right[0] and wrong[0] < wrong[1] < wrong[2]
