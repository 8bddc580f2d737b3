"""How training fails, and what the student sees then: bad data refused up front, divergence that
keeps the last good weights, a loss stuck above chance, Ctrl-C, empty input, wrong targets,
unseeded dropout, the dashboard after a broken run, import order, and chained layer errors; and
(issue 21) an optimiser class given without parentheses, batch norm statistics rolled back with the
weights, targets that are not distributions, bad labels refused before training, integer weights."""
import copy
import os
import signal
import subprocess
import sys
import traceback
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import cnnlib  # noqa: E402
from cnnlib import train as train_module  # noqa: E402
from cnnlib.data import load_mnist  # noqa: E402
from cnnlib.nn import (BatchNorm1D, BatchNorm2D, Conv2D, Dense, Dropout, Layer, ReLU, Sequential,  # noqa: E402
                       SoftmaxCrossEntropy, lenet5)
from cnnlib.optim import SGD, Adam  # noqa: E402
from cnnlib.train import (CHANCE_FACTOR, TrainingDiverged, TrainingWarning, evaluate, fit, predict,  # noqa: E402
                          train_step)


@pytest.fixture(scope="module")
def mnist():
    (x, y), (x_test, y_test) = load_mnist(pad_to=32)
    return x[:640], y[:640], x_test[::50], y_test[::50]        # 200 test digits


def blobs(n=120, features=8, classes=3, seed=0):
    """Three well separated clusters: a problem a Dense layer learns in a few steps."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    centres = 3 * rng.standard_normal((classes, features))
    return (centres[y] + rng.standard_normal((n, features))).astype(np.float32), y


def small_model(seed=0, init="he"):
    return Sequential(Dense(8, 16, rng=seed), ReLU(), Dense(16, 3, init=init, rng=seed + 1))


def weights(model):
    return [p.copy() for _, p in model.named_parameters()]


def assert_same_weights(model, expected):
    for (name, p), e in zip(model.named_parameters(), expected):
        np.testing.assert_array_equal(p, e, err_msg=name)


def fit_catching_interrupts(*args, **kwargs):
    """fit, with a KeyboardInterrupt that escapes it turned into a test failure (not a stopped session)."""
    try:
        return fit(*args, **kwargs)
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt escaped fit: the History was lost")


# --- 2. NaN/inf data is refused before training --------------------------------------------------

@pytest.mark.parametrize("where", ["x", "x_val", "y_onehot", "y_val_onehot"])
def test_nan_or_inf_in_the_data_is_refused_before_training_naming_the_sample(where):
    x, y = blobs()
    x_val, y_val = blobs(40, seed=1)
    y_hot, y_val_hot = np.eye(3)[y], np.eye(3)[y_val]
    if where == "x":
        x[17, 3] = np.nan
    elif where == "x_val":
        x_val[7, 0] = np.inf
    elif where == "y_onehot":
        y_hot[5, 1] = np.nan
    else:
        y_val_hot[9, 2] = np.nan
    model = small_model()
    before = weights(model)
    labels, val_labels = (y_hot, y_val_hot) if "onehot" in where else (y, y_val)
    name, index = {"x": ("x", 17), "x_val": ("x_val", 7), "y_onehot": ("y", 5), "y_val_onehot": ("y_val", 9)}[where]
    with pytest.raises(ValueError, match=rf"{name} must hold finite numbers, but sample {index} contains NaN or inf"):
        fit(model, x, labels, epochs=1, batch_size=16, optimizer=SGD(0.1), progress=False,
            validation_data=(x_val, val_labels))
    assert_same_weights(model, before)                           # refused before any step


# --- 2. divergence keeps the last good weights and the History -----------------------------------

def test_a_loss_that_explodes_leaves_the_weights_from_before_the_update_that_caused_it():
    x, y = blobs()
    model, optimizer = small_model(), SGD(0.05)
    after_step = {}

    def raise_lr(event, history):
        if event == "batch_end":
            after_step[history.step] = weights(model)
            if history.step == 3:
                optimizer.lr = 1e30          # step 4's update ruins the weights; step 5's loss shows it

    with pytest.raises(TrainingDiverged) as info:
        fit(model, x, y, epochs=2, batch_size=16, optimizer=optimizer, progress=False, callbacks=[raise_lr])
    history = info.value.history
    assert history.step == 4 and len(history.batch_loss) == 4 and "step 5" in str(info.value)
    assert "last good weights, those from before step 4's update" in str(info.value)
    assert_same_weights(model, after_step[3])                    # not the ruined ones of step 4
    assert np.isfinite(evaluate(model, x, y)[0])
    assert history.stop_reason == str(info.value)


def test_lenet_with_a_huge_learning_rate_keeps_its_initial_weights(mnist):
    x, y, _, _ = mnist
    model = lenet5(rng=0)
    initial = weights(model)
    with pytest.raises(TrainingDiverged, match=r"smaller learning rate \(e.g. lr=1e\+19 instead of 1e\+20\)") as info:
        fit(model, x, y, epochs=1, batch_size=64, optimizer=SGD(1e20), progress=False)
    assert len(info.value.history.batch_loss) == 1
    assert_same_weights(model, initial)           # step 1's update gave the inf loss of step 2: undone
    assert abs(evaluate(model, x[:200], y[:200])[0] - np.log(10)) < 0.2


def test_an_update_that_makes_a_weight_infinite_is_undone():
    x, y = blobs()

    class BreaksAtStep3(SGD):
        calls = 0

        def step(self, model):
            super().step(model)
            self.calls += 1
            if self.calls == 3:
                model[2].params["bias"][1] = np.inf

    model = small_model()
    good = {}
    with pytest.raises(TrainingDiverged, match=r"step 3 .*the update made 2\.bias NaN/infinite") as info:
        fit(model, x, y, epochs=1, batch_size=16, optimizer=BreaksAtStep3(0.05), progress=False,
            callbacks=[lambda event, h: good.update({h.step: weights(model)}) if event == "batch_end" else None])
    assert info.value.history.step == 2
    assert_same_weights(model, good[2])


def test_a_nan_loss_before_any_update_does_not_blame_the_learning_rate():
    x, y = blobs()
    model = small_model()
    model[0].params["weight"][0, 0] = np.nan          # a broken model, fine data
    with pytest.raises(TrainingDiverged) as info:
        fit(model, x, y, epochs=1, batch_size=16, optimizer=SGD(0.05), progress=False)
    message = str(info.value)
    assert "first batch, before any update, so the learning rate is not the cause" in message
    assert "smaller learning rate" not in message
    assert info.value.history.step == 0


# --- 3. a loss far above chance warns -------------------------------------------------------------

def test_an_epoch_loss_above_three_times_chance_warns_once():
    x, y = blobs()
    model = small_model(init=30.0)        # huge scores: a loss of tens, yet finite and not exploding
    with pytest.warns(TrainingWarning, match=rf"more than {CHANCE_FACTOR:g}x the loss of guessing, ln\(3\)") as record:
        history = fit(model, x, y, epochs=3, batch_size=40, optimizer=SGD(1e-6), progress=False)
    assert min(history.loss) > CHANCE_FACTOR * np.log(3)
    assert sum(issubclass(w.category, TrainingWarning) for w in record) == 1


def test_healthy_training_does_not_warn():
    x, y = blobs()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        history = fit(small_model(), x, y, epochs=3, batch_size=16, optimizer=SGD(0.05), progress=False)
    assert history.loss[-1] < history.loss[0]


# --- 4. Ctrl-C keeps the History and never leaves a step half done --------------------------------

def test_keyboard_interrupt_in_a_callback_returns_the_history():
    x, y = blobs()
    events = []

    def ctrl_c_at_step_3(event, history):
        events.append(event)
        if event == "batch_end" and history.step == 3:
            raise KeyboardInterrupt

    with pytest.warns(TrainingWarning, match="interrupted"):
        history = fit_catching_interrupts(small_model(), x, y, epochs=5, batch_size=16, optimizer=SGD(0.05),
                                          progress=False, callbacks=[ctrl_c_at_step_3])
    assert history.interrupted and "interrupted (Ctrl-C) after step 3" in history.stop_reason
    assert history.step == 3 and len(history.batch_loss) == len(history.batch_accuracy) == 3
    assert events[-1] == "train_end" and events.count("train_end") == 1


def test_keyboard_interrupt_inside_the_optimizer_step_undoes_the_partial_step(monkeypatch):
    x, y = blobs()
    model, optimizer = small_model(), Adam(0.01)
    real_step, saved = optimizer.step, {}

    def step(model):
        if optimizer.t == 2:                            # the third step: half done, then Ctrl-C
            saved.update(weights=weights(model), state=copy.deepcopy(optimizer.m), t=optimizer.t)
            optimizer.t += 1
            name, first = model.named_parameters()[0]
            optimizer.m[name] *= 0
            first -= 1.0
            raise KeyboardInterrupt
        real_step(model)

    monkeypatch.setattr(optimizer, "step", step)
    with pytest.warns(TrainingWarning):
        history = fit_catching_interrupts(model, x, y, epochs=2, batch_size=16, optimizer=optimizer, progress=False)
    assert history.interrupted and history.step == 2
    assert_same_weights(model, saved["weights"])
    assert optimizer.t == saved["t"]
    for name, m in saved["state"].items():
        np.testing.assert_array_equal(optimizer.m[name], m)


def test_a_real_ctrl_c_during_the_step_lets_the_batch_finish_and_counts_it(monkeypatch):
    x, y = blobs()
    model, optimizer = small_model(), SGD(0.05)
    calls, before = [], {}

    def step(model):                                     # plain SGD, with Ctrl-C after the first weight
        calls.append(1)
        grads = dict(model.named_gradients())
        for i, (name, w) in enumerate(model.named_parameters()):
            if len(calls) == 3 and i == 0:
                before["weights"] = weights(model)
            w -= optimizer.lr * grads[name]
            if len(calls) == 3 and i == 0:
                os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(optimizer, "step", step)
    with pytest.warns(TrainingWarning):
        history = fit_catching_interrupts(model, x, y, epochs=2, batch_size=16, optimizer=optimizer, progress=False)
    assert history.interrupted and history.step == 3 and len(history.batch_loss) == 3
    for (name, p), old in zip(model.named_parameters(), before["weights"]):
        assert not np.array_equal(p, old), f"{name} was not updated: the step was left half done"


def test_train_step_alone_is_atomic_too():
    x, y = blobs(16)
    model, optimizer = small_model(), SGD(0.05)

    def half_step(model):
        model.named_parameters()[0][1][...] += 5.0
        raise KeyboardInterrupt

    before = weights(model)
    optimizer.step = half_step
    with pytest.raises(KeyboardInterrupt):
        train_step(model, SoftmaxCrossEntropy(), optimizer, x, y)
    assert_same_weights(model, before)


# --- 5. empty input -------------------------------------------------------------------------------

def test_empty_input_gives_clear_errors():
    x, y = blobs()
    model = small_model()
    with pytest.raises(ValueError, match="x must hold at least one sample"):
        fit(model, x[:0], y[:0], epochs=1, batch_size=4, optimizer=SGD(0.1), progress=False)
    with pytest.raises(ValueError, match="x_val must hold at least one sample"):
        fit(model, x, y, epochs=1, batch_size=4, optimizer=SGD(0.1), progress=False, validation_data=(x[:0], y[:0]))
    with pytest.raises(ValueError, match="x must hold at least one sample"):
        evaluate(model, x[:0], y[:0])
    with pytest.raises(ValueError, match="x must hold at least one sample"):
        predict(model, x[:0])
    with pytest.raises(ValueError, match="z must hold at least one score"):
        cnnlib.softmax([])
    with pytest.raises(ValueError, match="z must hold at least one score"):
        cnnlib.log_softmax(np.zeros((3, 0)))
    assert cnnlib.softmax(np.zeros((0, 4)), axis=1).shape == (0, 4)     # no samples, but scores per sample


# --- 6. targets must be labels or distributions; fit's seed covers dropout ------------------------

@pytest.mark.parametrize("target, found", [
    (np.full((4, 3), 0.5), "row 0 sums to 1.5"),
    (np.array([[1.5, -0.5, 0]] + [[1.0, 0, 0]] * 3), "row 0 has a negative entry"),
    (np.array([[1.0, 0, 0]] * 3 + [[np.nan, 0, 1.0]]), "row 3 sums to nan"),
])
def test_softmax_cross_entropy_refuses_targets_that_are_not_distributions(target, found):
    logits = np.zeros((4, 3))
    with pytest.raises(ValueError, match=rf"one-hot or probability rows .*{found}.*integer class labels"):
        SoftmaxCrossEntropy().forward(logits, target)


def test_softmax_cross_entropy_accepts_one_hot_and_soft_targets():
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    loss = SoftmaxCrossEntropy()
    assert loss.forward(logits, np.eye(3, dtype=int)[[0, 1]]) == pytest.approx(loss.forward(logits, np.array([0, 1])))
    soft = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1]], dtype=np.float32)
    assert np.isfinite(loss.forward(logits, soft))


def dropout_model():
    return Sequential(Dense(8, 32, rng=0), ReLU(), Dropout(0.5), Dense(32, 3, rng=1))   # Dropout(rng=None)


def test_fit_seed_makes_dropout_reproducible():
    x, y = blobs()
    runs = [fit(dropout_model(), x, y, epochs=2, batch_size=16, optimizer=SGD(0.05), progress=False, rng=s)
            for s in (5, 5, 6)]
    assert runs[0].batch_loss == runs[1].batch_loss
    assert runs[0].batch_loss != runs[2].batch_loss


# --- 1. the dashboard after a diverged or broken run ------------------------------------------------

def test_dashboard_after_a_diverged_fit_shows_why_and_its_slider_still_works(mnist):
    from cnnlib.widgets import training_dashboard
    x, y, x_test, y_test = mnist
    model = lenet5(rng=0)
    dashboard = training_dashboard(model, x_test, y_test, redraw_every=1)
    with pytest.raises(TrainingDiverged):
        fit(model, x, y, epochs=1, batch_size=64, optimizer=SGD(1e20), progress=False, callbacks=[dashboard.callback])
    assert "Training ended early: training stopped at step 2" in dashboard.children[0].value
    assert dashboard.shown["stop_reason"].startswith("training stopped at step 2")
    for mode in ("all test digits", "mistakes only"):
        dashboard.controls["show"].value = mode
        for position in (0, dashboard.controls["index"].max):
            dashboard.controls["index"].value = position
            assert dashboard.shown["warning"] == "" and len(dashboard.shown["probabilities"]) == 10


def test_dashboard_of_a_model_with_nan_weights_shows_a_message_not_an_error(mnist):
    from cnnlib.widgets import training_dashboard
    _, _, x_test, y_test = mnist
    model = lenet5(rng=0)
    dashboard = training_dashboard(model, x_test, y_test)
    model[0].params["weight"][0, 0, 0, 0] = np.nan        # e.g. weights loaded from a diverged run
    dashboard.controls["index"].value = 5                  # raised IndexError from the event handler before
    assert "outputs are NaN or infinite" in dashboard.shown["warning"] and dashboard.shown["index"] == 5
    dashboard.refresh()
    assert dashboard.shown["test_accuracy"] == 0.0 and len(dashboard.shown["mistakes"]) == len(y_test)
    dashboard.controls["show"].value = "mistakes only"
    dashboard.controls["index"].value = 3
    assert "outputs are NaN or infinite" in dashboard.shown["warning"]


def test_dashboard_callback_shows_an_interrupted_run(mnist):
    from cnnlib.widgets import training_dashboard
    x, y, x_test, y_test = mnist
    model = lenet5(rng=0)
    dashboard = training_dashboard(model, x_test[:20], y_test[:20], redraw_every=100)

    def ctrl_c(event, history):
        if event == "batch_end" and history.step == 2:
            raise KeyboardInterrupt

    with pytest.warns(TrainingWarning):
        fit_catching_interrupts(model, x[:256], y[:256], epochs=2, batch_size=64, optimizer=Adam(), progress=False,
                                callbacks=[dashboard.callback, ctrl_c])
    assert "interrupted (Ctrl-C) after step 2" in dashboard.children[0].value
    assert dashboard.shown["steps_drawn"] == 2


# --- 7. one meaning per name in cnnlib.widgets ----------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("first", [
    "import cnnlib.widgets.kernel_playground",
    "from cnnlib.widgets import kernel_playground",
    "from cnnlib.widgets.kernel_playground import kernel_playground",
])
def test_kernel_playground_is_the_builder_whatever_is_imported_first(first):
    code = "\n".join([
        first,
        "import types, cnnlib.widgets, cnnlib.widgets.kernel_playground",
        "from cnnlib.widgets import kernel_playground as builder",
        "from cnnlib.widgets.kernel_playground import kernel_playground as from_module",
        "assert isinstance(cnnlib.widgets.kernel_playground, types.FunctionType), cnnlib.widgets.kernel_playground",
        "assert builder is from_module is cnnlib.widgets.kernel_playground",
        "import sys; assert isinstance(sys.modules['cnnlib.widgets.kernel_playground'], types.ModuleType)",
        "print('ok')",
    ])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


# --- 8. a bug in a student's layer keeps its traceback ---------------------------------------------

class ShiftByThree(Layer):
    """A student's layer with a bug: the offset has the wrong length."""

    def forward(self, x, training=False):
        return x + np.ones(3)   # the student's line

    def backward(self, grad_out):
        return grad_out


def test_an_error_inside_a_layer_is_chained_so_its_line_shows():
    model = Sequential(Dense(8, 4, rng=0), ShiftByThree())
    with pytest.raises(ValueError, match="layer 1, operands could not be broadcast") as info:
        model.forward(np.ones((2, 8)))
    cause = info.value.__cause__
    assert isinstance(cause, ValueError) and "broadcast" in str(cause)
    text = "".join(traceback.format_exception(info.value))
    assert "return x + np.ones(3)   # the student's line" in text
    assert "direct cause of the following exception" in text


def test_shape_errors_of_built_in_layers_are_chained_too():
    with pytest.raises(ValueError, match="Conv2D") as info:
        Conv2D(1, 2, 5).forward(np.zeros((1, 1, 3, 3)))
    assert isinstance(info.value.__cause__, ValueError)


# --- 9. the training step as a function ------------------------------------------------------------

def test_train_step_is_forward_loss_backward_step_and_fit_calls_it(monkeypatch):
    assert cnnlib.train_step is train_step
    x, y = blobs(16)
    model, by_hand = small_model(), small_model()
    loss_value, logits = train_step(model, SoftmaxCrossEntropy(), SGD(0.1), x, y)
    criterion = SoftmaxCrossEntropy()
    expected_logits = by_hand.forward(x, training=True)
    assert loss_value == pytest.approx(criterion.forward(expected_logits, y))
    np.testing.assert_array_equal(logits, expected_logits)
    by_hand.backward(criterion.backward())
    SGD(0.1).step(by_hand)
    for (name, p), (_, q) in zip(model.named_parameters(), by_hand.named_parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-6, err_msg=name)

    calls = []
    real = train_module.train_step
    monkeypatch.setattr(train_module, "train_step", lambda *a, **k: calls.append(1) or real(*a, **k))
    history = fit(small_model(), *blobs(), epochs=2, batch_size=40, optimizer=SGD(0.05), progress=False)
    assert len(calls) == history.step == 6


def test_train_step_raises_before_updating_on_a_loss_above_max_loss():
    x, y = blobs(16)
    model = small_model()
    before = weights(model)
    with pytest.raises(TrainingDiverged, match="the loss exploded to .*above the limit 0.001") as info:
        train_step(model, SoftmaxCrossEntropy(), SGD(0.1), x, y, max_loss=1e-3)
    assert info.value.history is None
    assert_same_weights(model, before)


# --- issue 21, item 6: an optimiser class without parentheses -------------------------------------

@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_the_optimizer_class_without_parentheses_says_add_parentheses(optimizer):
    x, y = blobs()
    model = small_model()
    before = weights(model)
    expected = (rf"optimizer must be an optimizer object such as SGD\(lr=0\.01\), got the class {optimizer.__name__}: "
                "add parentheses")
    with pytest.raises(TypeError, match=expected):
        fit(model, x, y, epochs=1, batch_size=16, optimizer=optimizer, progress=False)
    with pytest.raises(TypeError, match=expected):
        train_step(model, SoftmaxCrossEntropy(), optimizer, x[:16], y[:16])
    assert_same_weights(model, before)


def test_the_loss_class_without_parentheses_says_add_parentheses():
    x, y = blobs()
    with pytest.raises(TypeError, match=r"loss must be a loss object such as SoftmaxCrossEntropy\(\), got the class "
                                        "SoftmaxCrossEntropy: add parentheses"):
        fit(small_model(), x, y, epochs=1, batch_size=16, optimizer=SGD(0.1), progress=False, loss=SoftmaxCrossEntropy)


# --- issue 21, item 9a: batch norm's running statistics are rolled back with the weights ----------

def batch_norm_model(seed=0):
    return Sequential(Dense(8, 16, rng=seed), BatchNorm1D(16), ReLU(), Dense(16, 3, rng=seed + 1))


def buffers(model):
    return [b.copy() for _, b in model.named_buffers()]


def test_a_diverged_fit_puts_batch_norm_statistics_back_with_the_weights():
    x, y = blobs()
    model, optimizer = batch_norm_model(), SGD(0.05)
    after_step = {}

    def raise_lr(event, history):
        if event == "batch_end":
            after_step[history.step] = (weights(model), buffers(model))
            if history.step == 3:
                optimizer.lr = 1e30            # step 4's update ruins the weights; step 5's loss shows it

    with pytest.raises(TrainingDiverged, match="from before step 4's update"):
        fit(model, x, y, epochs=2, batch_size=16, optimizer=optimizer, progress=False, callbacks=[raise_lr])
    good_weights, good_buffers = after_step[3]
    assert_same_weights(model, good_weights)
    for (name, b), good in zip(model.named_buffers(), good_buffers):
        np.testing.assert_array_equal(b, good, err_msg=f"{name} kept the statistics of the diverged steps")
    assert np.isfinite(evaluate(model, x, y)[0])            # inference uses the running statistics


def test_train_step_that_raises_leaves_batch_norm_statistics_as_they_were():
    x, y = blobs(16)
    model = batch_norm_model()
    before = buffers(model)
    with pytest.raises(TrainingDiverged, match="above the limit"):
        train_step(model, SoftmaxCrossEntropy(), SGD(0.1), x, y, max_loss=1e-3)
    for (name, b), old in zip(model.named_buffers(), before):
        np.testing.assert_array_equal(b, old, err_msg=name)


# --- issue 21, item 9d: softmax_cross_entropy_grad wants labels or distributions ------------------

@pytest.mark.parametrize("target, found", [
    (np.full((4, 3), 0.5), "row 0 sums to 1.5"),
    (np.array([[1.5, -0.5, 0]] + [[1.0, 0, 0]] * 3), "row 0 has a negative entry"),
    (np.array([[1.0, 0, 0]] * 3 + [[np.nan, 0, 1.0]]), "row 3 sums to nan"),
    (np.array([[1.0, 0, 0]] * 2 + [[np.inf, 0, 0], [0, 1.0, 0]]), "row 2 sums to inf"),
])
def test_softmax_cross_entropy_grad_refuses_targets_that_are_not_distributions(target, found):
    with pytest.raises(ValueError, match=rf"y given as an N x C target must be one-hot or probability rows .*{found}"):
        cnnlib.softmax_cross_entropy_grad(np.zeros((4, 3)), target)


def test_softmax_cross_entropy_grad_agrees_with_the_loss_on_soft_targets():
    logits = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.5]])
    soft = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1]])
    loss = SoftmaxCrossEntropy()
    loss.forward(logits, soft)
    np.testing.assert_allclose(cnnlib.softmax_cross_entropy_grad(logits, soft), loss.backward())
    with pytest.raises(ValueError, match="row 1 sums to 0.9"):
        cnnlib.softmax_cross_entropy_grad(logits, soft * [[1], [0.9]])


# --- issue 21, item 9e: bad labels are refused before the first step ------------------------------

@pytest.mark.parametrize("where, labels, error, message", [
    ("y_val", lambda y: np.where(np.arange(len(y)) == 7, 12, y), ValueError,
     r"y_val labels must be class numbers 0\.\.2 \(the model gives 3 scores per sample\), but y_val\[7\] is 12"),
    ("y_val", lambda y: y.astype(np.float64), TypeError, r"y_val must hold integer class labels 0\.\.2"),
    ("y_val", lambda y: np.eye(4)[y], ValueError, r"y_val has 4 columns, but the model gives 3 scores per sample"),
    ("y_val", lambda y: np.eye(3)[y] * 2, ValueError,
     r"y_val given as an N x C target must be one-hot .*row 0 sums to 2"),
    ("y", lambda y: np.where(np.arange(len(y)) == 100, -1, y), ValueError,
     r"y labels must be class numbers 0\.\.2 \(the model gives 3 scores per sample\), but y\[100\] is -1"),
])
def test_bad_labels_are_refused_before_the_first_step(where, labels, error, message):
    x, y = blobs()
    x_val, y_val = blobs(40, seed=1)
    if where == "y_val":
        y_val = labels(y_val)
    else:
        y = labels(y)
    model, events = small_model(), []
    before = weights(model)
    with pytest.raises(error, match=message):
        fit(model, x, y, epochs=2, batch_size=16, optimizer=SGD(0.1), progress=False,
            validation_data=(x_val, y_val), callbacks=[lambda event, history: events.append(event)])
    assert events == []                                          # not one batch was trained
    assert_same_weights(model, before)


# --- issue 21, item 9f: integer weights are refused ------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda dtype: Dense(4, 3, dtype=dtype),
    lambda dtype: Conv2D(1, 2, 3, dtype=dtype),
    lambda dtype: BatchNorm2D(2, dtype=dtype),
    lambda dtype: small_model().astype(dtype),
])
@pytest.mark.parametrize("dtype", [int, np.int32, np.uint8, bool, np.complex64, "U3"])
def test_layers_refuse_weights_that_are_not_floating_point(make, dtype):
    with pytest.raises(TypeError, match=r"dtype must be a floating-point type such as np\.float32 or np\.float64"):
        make(dtype)


def test_astype_to_an_integer_type_leaves_the_model_unchanged():
    model = small_model()
    before = weights(model)
    with pytest.raises(TypeError, match="integer weights"):
        model.astype(np.int64)
    assert [p.dtype for _, p in model.named_parameters()] == [np.float32] * 4
    assert_same_weights(model, before)


def test_an_optimizer_refuses_integer_parameters_before_changing_any():
    x, y = blobs(16)
    model = small_model()
    model[2].params["bias"] = np.zeros(3, dtype=np.int64)        # set by hand, past the layer's checks
    model[2].grads["bias"] = np.zeros(3, dtype=np.int64)
    model.forward(x, training=True)
    criterion = SoftmaxCrossEntropy()
    criterion.forward(model.forward(x, training=True), y)
    model.backward(criterion.backward())
    before = weights(model)
    for optimizer in (SGD(0.1, momentum=0.9), Adam(0.1)):
        with pytest.raises(TypeError, match=r"parameter 2\.bias has dtype int64"):
            optimizer.step(model)
        assert_same_weights(model, before)
    assert optimizer.t == 0 and optimizer.m == {}
