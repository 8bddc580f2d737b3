"""cnnlib.train and cnnlib.optim: the sanity ladder on LeNet-5, reproducibility, callbacks, metrics,
optimiser updates and the finite-difference checker."""
import math

import numpy as np
import pytest

from cnnlib.data import load_mnist
from cnnlib.losses import categorical_cross_entropy, softmax
from cnnlib.nn import Dense, ReLU, Sequential, lenet5
from cnnlib.optim import SGD, Adam
from cnnlib.train import (EVENTS, History, TrainingDiverged, confusion_matrix, decay_learning_rate, evaluate, fit,
                          gradcheck, gradcheck_layer, numerical_gradient, predict, relative_error)


@pytest.fixture(scope="module")
def mnist():
    return load_mnist(pad_to=32)


# --- the sanity ladder ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_untrained_lenet5_loss_is_about_log_10(mnist, seed):
    (x, y), _ = mnist
    loss, accuracy = evaluate(lenet5(rng=seed), x[:1000], y[:1000])
    assert abs(loss - math.log(10)) < 0.15
    assert accuracy < 0.3                                # guessing, not knowing


@pytest.mark.slow
def test_a_few_hundred_steps_overfit_100_images(mnist):
    (x, y), _ = mnist
    model = lenet5(rng=0)
    history = fit(model, x[:100], y[:100], epochs=100, batch_size=50, optimizer=Adam(1e-3), progress=False)
    assert history.step == 200
    assert evaluate(model, x[:100], y[:100])[1] == 1.0
    assert history.batch_loss[-1] < 0.05 < history.batch_loss[0]


@pytest.mark.slow
def test_training_on_a_small_slice_generalises(mnist):
    (x, y), (x_test, y_test) = mnist
    model = lenet5(rng=0)
    fit(model, x[:3000], y[:3000], epochs=2, batch_size=64, optimizer=Adam(2e-3), progress=False)
    loss, accuracy = evaluate(model, x_test[:1000], y_test[:1000])
    assert accuracy > 0.85 and loss < 0.6


@pytest.mark.slow
def test_same_seed_same_numbers(mnist):
    (x, y), _ = mnist
    runs = [fit(lenet5(rng=3), x[:640], y[:640], epochs=2, batch_size=64, optimizer=Adam(2e-3),
                progress=False, rng=s) for s in (11, 11, 12)]
    assert runs[0].batch_loss == runs[1].batch_loss
    assert runs[0].loss == runs[1].loss
    assert runs[0].batch_loss != runs[2].batch_loss     # another seed shuffles differently


# --- fit: history, validation, callbacks, progress, divergence -----------------------------------

def test_history_records_every_batch_and_epoch(mnist):
    (x, y), (x_test, y_test) = mnist
    history = fit(lenet5(), x[:300], y[:300], epochs=3, batch_size=64, optimizer=SGD(0.05, momentum=0.9),
                  validation_data=(x_test[:200], y_test[:200]), progress=False)
    assert isinstance(history, History)
    assert history.steps_per_epoch == 5 and history.step == 15
    assert len(history.batch_loss) == len(history.batch_accuracy) == 15
    for name in ("loss", "accuracy", "val_loss", "val_accuracy", "epoch_time"):
        assert len(getattr(history, name)) == 3, name
    # An epoch's loss is the sample-weighted mean of its batches (4 batches of 64 and one of 44).
    weights = [64, 64, 64, 64, 44]
    assert np.isclose(history.loss[0], np.average(history.batch_loss[:5], weights=weights))
    assert all(0 <= a <= 1 for a in history.val_accuracy)
    assert history.train_time == pytest.approx(sum(history.epoch_time))
    assert "3 epoch(s), 15 steps" in repr(history)


def test_validation_figures_are_evaluate_of_the_final_model(mnist):
    (x, y), (x_test, y_test) = mnist
    model = lenet5()
    history = fit(model, x[:256], y[:256], epochs=1, batch_size=64, optimizer=Adam(),
                  validation_data=(x_test[:100], y_test[:100]), progress=False)
    loss, accuracy = evaluate(model, x_test[:100], y_test[:100])
    assert history.val_loss == [pytest.approx(loss)] and history.val_accuracy == [accuracy]


def test_callbacks_see_events_in_order_and_can_stop_training(mnist):
    (x, y), _ = mnist
    events = []

    def record(event, history):
        events.append((event, history.epoch, history.step))
        if event == "batch_end" and history.step == 7:
            history.stop_training = True

    history = fit(lenet5(), x[:256], y[:256], epochs=5, batch_size=64, optimizer=Adam(), progress=False,
                  callbacks=[record])
    assert events[0] == ("train_begin", 0, 0)
    assert list(dict.fromkeys(e[0] for e in events)) == list(EVENTS)
    assert [e for e in events if e[0] == "batch_end"][-1] == ("batch_end", 1, 7)
    assert [e[0] for e in events[-2:]] == ["epoch_end", "train_end"]
    assert [e[1] for e in events if e[0] == "epoch_end"] == [0, 1]     # stopped inside epoch 2
    assert history.step == 7 and len(history.loss) == 2


def test_decay_learning_rate_callback(mnist):
    (x, y), _ = mnist
    optimizer = Adam(1e-3)
    fit(lenet5(), x[:128], y[:128], epochs=3, batch_size=64, optimizer=optimizer, progress=False,
        callbacks=decay_learning_rate(optimizer, 0.5))
    assert optimizer.lr == pytest.approx(1e-3 / 8)


def test_progress_bar_in_a_terminal_shows_epoch_loss_and_accuracy(mnist, capsys):
    (x, y), _ = mnist
    fit(lenet5(), x[:128], y[:128], epochs=2, batch_size=64, optimizer=Adam(), progress=True)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "loss=" in err and "acc=" in err and "4/4" in err


def test_exploding_loss_stops_with_advice(mnist):
    (x, y), _ = mnist
    model = lenet5()
    with pytest.raises(TrainingDiverged, match=r"smaller learning rate \(e.g. lr=1e\+06 instead of 1e\+07\)") as info:
        fit(model, x[:640], y[:640], epochs=2, batch_size=64, optimizer=SGD(1e7), progress=False)
    assert len(info.value.history.batch_loss) >= 1
    assert all(np.all(np.isfinite(p)) for _, p in model.named_parameters())   # the bad step was not taken


def test_fit_rejects_bad_arguments(mnist):
    (x, y), _ = mnist
    with pytest.raises(ValueError, match="one label"):
        fit(lenet5(), x[:10], y[:9], epochs=1, batch_size=4, optimizer=Adam(), progress=False)
    with pytest.raises(TypeError, match="optimizer must have a step"):
        fit(lenet5(), x[:10], y[:10], epochs=1, batch_size=4, optimizer="adam", progress=False)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        fit(lenet5(), x[:10], y[:10], epochs=0, batch_size=4, optimizer=Adam(), progress=False)


# --- evaluate, predict, confusion_matrix ---------------------------------------------------------

def test_evaluate_and_predict_agree_with_the_losses_module(mnist):
    _, (x_test, y_test) = mnist
    model = lenet5(rng=4)
    x, y = x_test[:300], y_test[:300]
    probs = predict(model, x, batch_size=64)
    logits = model.forward(x)
    np.testing.assert_allclose(probs, softmax(logits, axis=1), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    loss, accuracy = evaluate(model, x, y, batch_size=64)
    assert loss == pytest.approx(categorical_cross_entropy(y, softmax(logits.astype(np.float64), axis=1)), rel=1e-5)
    assert accuracy == np.mean(logits.argmax(axis=1) == y)


def test_confusion_matrix():
    counts = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], num_classes=4)
    np.testing.assert_array_equal(counts, [[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 2, 0], [0, 0, 0, 0]])
    assert confusion_matrix([1, 2], [2, 1]).shape == (3, 3)
    with pytest.raises(ValueError, match="below num_classes=2"):
        confusion_matrix([0, 2], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match="same length"):
        confusion_matrix([0, 1], [0])


# --- optimisers ----------------------------------------------------------------------------------

def one_weight_model(value, grad):
    model = Sequential(Dense(1, 1, rng=0, dtype=np.float64))
    model[0].params["weight"][:] = value
    model[0].params["bias"][:] = 0.0
    model[0].grads["weight"] = np.array([[grad]])
    model[0].grads["bias"] = np.array([0.0])
    return model


def test_sgd_momentum_and_weight_decay_by_hand():
    model = one_weight_model(1.0, 2.0)
    sgd = SGD(lr=0.1, momentum=0.9, weight_decay=0.5)
    sgd.step(model)       # g = 2 + 0.5*1 = 2.5; v = 2.5; w = 1 - 0.25 = 0.75
    assert model[0].params["weight"][0, 0] == pytest.approx(0.75)
    sgd.step(model)       # g = 2 + 0.375 = 2.375; v = 0.9*2.5 + 2.375 = 4.625; w = 0.75 - 0.4625
    assert model[0].params["weight"][0, 0] == pytest.approx(0.2875)
    with pytest.raises(ValueError, match="momentum must be in"):
        SGD(0.1, momentum=1.0)


def test_adam_first_step_moves_each_weight_by_lr_against_the_gradient_sign():
    # After bias correction m_hat = g and v_hat = g^2, so the first step is lr * g / |g|.
    for grad in (3.0, -1e-3):
        model = one_weight_model(1.0, grad)
        Adam(lr=0.01, eps=1e-12).step(model)
        assert model[0].params["weight"][0, 0] == pytest.approx(1.0 - 0.01 * np.sign(grad))
    with pytest.raises(ValueError, match="lr must be in"):
        Adam(lr=0)


# --- gradient checking ---------------------------------------------------------------------------

def test_relative_error_formula():
    # max|a - b| = 0.5; max(|a| + |b|) = 2 + 2.5 = 4.5
    assert relative_error([1.0, 2.0], [1.0, 2.5]) == pytest.approx(0.5 / 4.5)
    assert relative_error([0.0, 0.0], [0.0, 1e-12]) == pytest.approx(1e-4)    # the 1e-8 floor
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_numerical_gradient_and_gradcheck_on_a_known_function():
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v ** 3), x), 3 * x ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, [[0.5, -1.0], [2.0, 3.0]])     # restored after nudging
    assert gradcheck(lambda v: np.sum(v ** 3), x, 3 * x ** 2) < 1e-9
    assert gradcheck(lambda v: np.sum(v ** 3), x, 2 * x ** 2) > 0.1      # a wrong gradient is caught
    only_two = gradcheck(lambda v: np.sum(v ** 3), x, 3 * x ** 2, indices=[0, 3])
    assert only_two < 1e-9
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda v: np.sum(v), x.astype(np.float32), np.ones((2, 2)))


def test_gradcheck_layer_catches_a_wrong_backward():
    class LeakyBug(ReLU):
        def backward(self, grad_out):
            return super().backward(grad_out) * 1.01      # 1% too large

    x = np.random.default_rng(0).normal(size=(4, 6))
    assert gradcheck_layer(ReLU(), x)["input"] < 1e-7
    assert gradcheck_layer(LeakyBug(), x)["input"] > 1e-3


def test_training_stays_in_float32(mnist):
    (x, y), _ = mnist
    model = lenet5()
    fit(model, x[:128], y[:128], epochs=1, batch_size=64, optimizer=Adam(), progress=False)
    assert {p.dtype for _, p in model.named_parameters()} == {np.dtype(np.float32)}
    assert {g.dtype for _, g in model.named_gradients()} == {np.dtype(np.float32)}
    assert all(a.dtype == np.float32 for a in model.layer_outputs(x[:2]))


# --- issue 20: the loop a student reads is the loop that runs ---------------------------------------

def test_fit_body_is_at_most_50_lines():
    import ast
    import inspect
    import textwrap

    from cnnlib import train
    source = textwrap.dedent(inspect.getsource(train.fit))
    function = ast.parse(source).body[0]
    docstring = function.body[0]
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    body_lines = function.end_lineno - docstring.end_lineno      # everything after the docstring
    assert body_lines <= 50, f"fit's body has {body_lines} lines; the loop should read in one sitting"


def test_fit_runs_every_batch_through_train_step(monkeypatch):
    from cnnlib import train
    model = Sequential(Dense(3, 2, rng=0))
    before = [p.copy() for _, p in model.named_parameters()]
    seen = []

    def fake_step(model_, loss, optimizer, xb, yb, *, max_loss):
        seen.append((model_, len(xb), max_loss))
        logits = np.zeros((len(xb), 2))
        logits[:, 1] = 1.0                                      # always class 1
        return 0.5, logits

    monkeypatch.setattr(train, "train_step", fake_step)
    x, y = np.ones((10, 3), np.float32), np.array([1] * 5 + [0] * 5)
    history = fit(model, x, y, epochs=2, batch_size=4, optimizer=SGD(0.1), progress=False)
    assert [n for _, n, _ in seen] == [4, 4, 2, 4, 4, 2] and all(m is model for m, _, _ in seen)
    assert seen[0][2] == np.inf and seen[1][2] == pytest.approx(100.0)   # the divergence limit from batch 1 on
    assert history.batch_loss == [0.5] * 6 and history.loss == [0.5, 0.5] and history.accuracy == [0.5, 0.5]
    for (_, p), old in zip(model.named_parameters(), before):
        np.testing.assert_array_equal(p, old)                   # nothing but train_step changes the model


def test_progress_bar_without_tqdm_prints_plain_text(monkeypatch, capsys):
    import sys
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    x, y = np.ones((8, 3), np.float32), np.arange(8) % 2
    fit(Sequential(Dense(3, 2, rng=0)), x, y, epochs=2, batch_size=4, optimizer=SGD(0.1))
    err = capsys.readouterr().err
    assert "epoch 2/2: 100%" in err and "loss=" in err and "4 batch" in err


# --- StepGuard on its own ---------------------------------------------------------------------------

def guarded_model():
    """A one-layer model whose optimiser has state (momentum) the guard must copy with the weights."""
    model, optimizer = Sequential(Dense(2, 1, rng=0)), SGD(0.1, momentum=0.9)
    model[0].grads["weight"][...] = 1.0
    model[0].grads["bias"][...] = 1.0
    return model, optimizer


def state(model, optimizer):
    return [p.copy() for _, p in model.named_parameters()], {k: v.copy() for k, v in optimizer.__dict__.items()
                                                            if isinstance(v, np.ndarray)}, repr(optimizer.__dict__)


def assert_state(model, optimizer, expected):
    weights, _, optimizer_repr = expected
    for (name, p), old in zip(model.named_parameters(), weights):
        np.testing.assert_array_equal(p, old, err_msg=name)
    assert repr(optimizer.__dict__) == optimizer_repr


def test_step_guard_keeps_a_step_that_finishes():
    from cnnlib.train import StepGuard
    model, optimizer = guarded_model()
    guard = StepGuard(model, optimizer)
    start = state(model, optimizer)
    with guard.step():
        optimizer.step(model)
    after = state(model, optimizer)
    assert not np.array_equal(after[0][0], start[0][0]) and guard.failed is None and not guard.went_back
    assert_state(model, optimizer, after)


def test_step_guard_undoes_a_step_that_raises_optimizer_state_included():
    from cnnlib.train import StepGuard
    model, optimizer = guarded_model()
    guard = StepGuard(model, optimizer)
    with guard.step():
        optimizer.step(model)
    good = state(model, optimizer)
    with pytest.raises(ValueError, match="a bad batch"):
        with guard.step():
            optimizer.step(model)                               # weights and velocities change ...
            raise ValueError("a bad batch")                     # ... then the step fails
    assert_state(model, optimizer, good)
    assert not guard.went_back


def test_step_guard_goes_back_one_more_step_when_the_loss_diverged():
    from cnnlib.train import StepGuard
    model, optimizer = guarded_model()
    guard = StepGuard(model, optimizer)
    with guard.step():
        optimizer.step(model)
    last_good = state(model, optimizer)
    with guard.step():
        optimizer.step(model)                                   # the update that ruins the weights
    with pytest.raises(TrainingDiverged):
        with guard.step():                                      # ... and the loss that shows it
            raise TrainingDiverged("the loss is NaN/infinite")
    assert guard.went_back
    assert_state(model, optimizer, last_good)


def test_step_guard_does_not_go_back_further_after_an_undone_update_or_on_the_first_step():
    from cnnlib.train import StepGuard
    model, optimizer = guarded_model()
    guard = StepGuard(model, optimizer)
    start = state(model, optimizer)
    with pytest.raises(TrainingDiverged):
        with guard.step():                                      # first step: nothing to go back to
            optimizer.step(model)
            raise TrainingDiverged("the loss is NaN/infinite")
    assert not guard.went_back
    assert_state(model, optimizer, start)
    with guard.step():
        optimizer.step(model)
    good = state(model, optimizer)
    undone = TrainingDiverged("the update made 0.weight NaN/infinite")
    undone.update_undone = True
    with pytest.raises(TrainingDiverged):
        with guard.step():
            optimizer.step(model)
            raise undone
    assert not guard.went_back
    assert_state(model, optimizer, good)


def test_step_guard_holds_ctrl_c_until_the_step_is_done():
    import os
    import signal

    from cnnlib.train import StepGuard
    model, optimizer = guarded_model()
    guard = StepGuard(model, optimizer)
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with guard.step():
            os.kill(os.getpid(), signal.SIGINT)                 # Ctrl-C half way through the step
            optimizer.step(model)
            finished.append(state(model, optimizer))
    assert finished, "the step was cut short"
    assert_state(model, optimizer, finished[0])                 # and it was kept, not undone
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
