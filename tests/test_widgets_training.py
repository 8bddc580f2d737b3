import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlib.data import load_mnist  # noqa: E402
from cnnlib.inspection import grid_shape, tile_maps  # noqa: E402
from cnnlib.nn import Dense, Flatten, Sequential, lenet5  # noqa: E402
from cnnlib.optim import Adam  # noqa: E402
from cnnlib.plots import training as training_plots  # noqa: E402
from cnnlib.train import confusion_matrix, evaluate, fit, predict  # noqa: E402
from cnnlib.widgets import training_dashboard  # noqa: E402

LENET_SHAPES = [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5)]


@pytest.fixture(scope="module")
def data():
    (x, y), (x_test, y_test) = load_mnist(pad_to=32)
    return x[:512], y[:512], x_test[::10], y_test[::10]          # 200 test digits, 20 of each


@pytest.fixture(scope="module")
def trained(data):
    """A LeNet-5 trained for one short epoch with the dashboard attached: good, not perfect."""
    x, y, x_test, y_test = data
    model = lenet5(rng=0)
    dashboard = training_dashboard(model, x_test, y_test, redraw_every=3)
    history = fit(model, x, y, epochs=2, batch_size=128, optimizer=Adam(3e-3), progress=False,
                  validation_data=(x_test, y_test), callbacks=[dashboard.callback])
    return model, dashboard, history


# --- live curves ---------------------------------------------------------------------------------

def test_curves_hold_the_whole_history_after_fit(trained):
    _, dashboard, history = trained
    assert dashboard.shown["epochs_drawn"] == 2 and dashboard.shown["steps_drawn"] == 8
    lines = dashboard.curves.lines
    np.testing.assert_array_equal(lines["batch_loss"].get_ydata(), history.batch_loss)
    np.testing.assert_allclose(lines["batch_loss"].get_xdata(), np.arange(1, 9) / 4)    # in epochs
    np.testing.assert_array_equal(lines["loss"].get_ydata(), history.loss)
    np.testing.assert_array_equal(lines["val_accuracy"].get_ydata(), history.val_accuracy)
    np.testing.assert_array_equal(lines["val_loss"].get_xdata(), [1, 2])                # measured at epoch ends
    np.testing.assert_array_equal(lines["accuracy"].get_xdata(), [0.5, 1.5])            # means over the epoch
    assert dashboard.history is history
    assert bytes(dashboard.views["curves"].value[:4]) == b"\x89PNG"
    assert "epoch 2/2, step 8/8" in dashboard.views["status"].value


@pytest.mark.slow
def test_curves_are_redrawn_while_training_runs(data):
    x, y, x_test, y_test = data
    model = lenet5(rng=1)
    dashboard = training_dashboard(model, x_test[:50], y_test[:50], redraw_every=2)
    seen = []

    def watch(event, history):      # runs after the dashboard's callback
        if event == "batch_end":
            seen.append((history.step, dashboard.shown["steps_drawn"]))

    fit(model, x[:256], y[:256], epochs=1, batch_size=32, optimizer=Adam(1e-3), progress=False,
        callbacks=[dashboard.callback, watch])
    assert seen == [(1, 0), (2, 2), (3, 2), (4, 4), (5, 4), (6, 6), (7, 6), (8, 8)]


@pytest.mark.slow
@pytest.mark.parametrize("redraw_every, expected", [(1, 1 + 8 + 2 + 1), (1000, 1 + 2 + 1)])
def test_redraw_every_throttles_batch_redraws(data, redraw_every, expected):
    x, y, x_test, y_test = data
    model = lenet5(rng=2)
    dashboard = training_dashboard(model, x_test[:20], y_test[:20], redraw_every=redraw_every)
    before = dashboard.shown["curve_redraws"]
    fit(model, x[:256], y[:256], epochs=2, batch_size=64, optimizer=Adam(), progress=False,
        callbacks=[dashboard.callback])
    # train_begin, the batches that are due, every epoch_end and train_end
    assert dashboard.shown["curve_redraws"] - before == expected


def test_a_finished_history_can_be_drawn_at_build(trained, data):
    model, _, history = trained
    _, _, x_test, y_test = data
    dashboard = training_dashboard(model, x_test, y_test, history=history)
    assert dashboard.shown["epochs_drawn"] == 2 and dashboard.shown["steps_drawn"] == 8
    fresh = training_dashboard(model, x_test, y_test)
    assert fresh.shown["epochs_drawn"] == 0 and fresh.shown["steps_drawn"] == 0
    assert "callbacks=[dashboard.callback]" in fresh.views["status"].value


# --- the digit picker ----------------------------------------------------------------------------

def test_train_end_refreshes_the_test_predictions(trained, data):
    model, dashboard, _ = trained
    _, _, x_test, y_test = data
    predicted = predict(model, x_test).argmax(axis=1)
    assert dashboard.shown["test_accuracy"] == pytest.approx(evaluate(model, x_test, y_test)[1])
    np.testing.assert_array_equal(dashboard.shown["mistakes"], np.flatnonzero(predicted != y_test))
    assert 0.3 < dashboard.shown["test_accuracy"] < 1.0        # learned something, still makes mistakes


@pytest.mark.parametrize("index", [0, 7, 123, 199])
def test_slider_shows_the_models_probabilities_for_that_digit(trained, data, index):
    model, dashboard, _ = trained
    _, _, x_test, y_test = data
    dashboard.controls["show"].value = "all test digits"
    dashboard.controls["index"].value = index
    expected = predict(model, x_test)[index]
    shown = dashboard.shown
    assert shown["index"] == index and shown["true"] == y_test[index]
    np.testing.assert_allclose(shown["probabilities"], expected, rtol=1e-5, atol=1e-7)
    assert shown["probabilities"].sum() == pytest.approx(1.0, abs=1e-6)
    assert shown["predicted"] == expected.argmax()
    assert shown["correct"] == (expected.argmax() == y_test[index])
    assert f"test digit #{index}: true label <b>{y_test[index]}</b>" in shown["text"]


def test_feature_maps_are_every_layers_output_for_the_digit(trained, data):
    model, dashboard, _ = trained
    _, _, x_test, _ = data
    dashboard.controls["show"].value = "all test digits"
    dashboard.controls["index"].value = 42
    shown = dashboard.shown
    assert shown["feature_shapes"] == LENET_SHAPES
    assert shown["stage_names"] == ["conv1 + ReLU", "pool1", "conv2 + ReLU", "pool2"]
    outputs = model.layer_outputs(x_test[42:43])
    for maps, layer_index in zip(shown["feature_maps"], [1, 2, 4, 5]):
        np.testing.assert_allclose(maps, outputs[layer_index][0], rtol=1e-6)
    assert np.all(shown["feature_maps"][0] >= 0)                  # after the ReLU
    pictures = [dashboard.views[f"stage_{k}"].value for k in range(4)]
    assert len(pictures) == 4 and all(bytes(p[:4]) == b"\x89PNG" for p in pictures)


def test_mistakes_only_lists_only_misclassified_digits(trained, data):
    model, dashboard, _ = trained
    _, _, x_test, y_test = data
    wrong = np.flatnonzero(predict(model, x_test).argmax(axis=1) != y_test)
    assert len(wrong) >= 3
    dashboard.controls["show"].value = "mistakes only"
    np.testing.assert_array_equal(dashboard.shown["candidates"], wrong)
    slider = dashboard.controls["index"]
    assert slider.max == len(wrong) - 1 and slider.description == "mistake"
    for position in range(len(wrong)):
        slider.value = position
        assert dashboard.shown["index"] == wrong[position]
        assert dashboard.shown["predicted"] != dashboard.shown["true"] and not dashboard.shown["correct"]
        assert f"mistake {position + 1} of {len(wrong)}" in dashboard.shown["text"]


def test_switching_modes_keeps_the_digit_in_view(trained):
    _, dashboard, _ = trained
    mistakes = dashboard.shown["mistakes"]
    dashboard.controls["show"].value = "mistakes only"
    dashboard.controls["index"].value = 2
    assert dashboard.shown["index"] == mistakes[2]
    dashboard.controls["show"].value = "all test digits"             # the same digit, now among all
    assert dashboard.shown["index"] == mistakes[2] and dashboard.controls["index"].value == mistakes[2]
    assert dashboard.controls["index"].max == 199
    dashboard.controls["index"].value = mistakes[2] + 1
    dashboard.controls["show"].value = "mistakes only"               # the first mistake at or after it
    assert dashboard.shown["index"] == mistakes[3] and dashboard.controls["index"].value == 3
    dashboard.controls["show"].value = "all test digits"
    dashboard.controls["index"].value = 199
    dashboard.controls["show"].value = "mistakes only"               # none after it: the last mistake
    assert dashboard.shown["index"] == mistakes[-1]


def test_starting_in_mistakes_mode_and_at_an_index(trained, data):
    model, _, _ = trained
    _, _, x_test, y_test = data
    dashboard = training_dashboard(model, x_test, y_test, mistakes_only=True)
    assert dashboard.controls["show"].value == "mistakes only"
    assert dashboard.shown["index"] == dashboard.shown["mistakes"][0]
    assert training_dashboard(model, x_test, y_test, index=17).shown["index"] == 17


def test_no_mistakes_gives_a_message_not_an_error(trained, data):
    model, _, _ = trained
    _, _, x_test, _ = data
    labels_it_gives = predict(model, x_test[:30]).argmax(axis=1)
    dashboard = training_dashboard(model, x_test[:30], labels_it_gives)
    assert dashboard.shown["test_accuracy"] == 1.0
    dashboard.controls["show"].value = "mistakes only"
    assert len(dashboard.shown["candidates"]) == 0
    assert "no mistakes" in dashboard.shown["warning"]
    assert dashboard.controls["index"].disabled
    dashboard.controls["show"].value = "all test digits"
    assert dashboard.shown["warning"] == "" and not dashboard.controls["index"].disabled


def test_refresh_follows_a_model_changed_outside_fit(data):
    _, _, x_test, y_test = data
    model = lenet5(rng=4)
    dashboard = training_dashboard(model, x_test, y_test)
    model.layers[-1].params["bias"][:] = np.eye(10)[3] * 50      # now it always says 3
    dashboard.refresh()
    assert dashboard.shown["predicted"] == 3
    np.testing.assert_array_equal(dashboard.shown["mistakes"], np.flatnonzero(y_test != 3))


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("change, error, name", [
    (dict(model="lenet"), TypeError, "model"),
    (dict(x_test=np.zeros((5, 32, 32))), ValueError, "x_test"),
    (dict(x_test=np.zeros((5, 1, 28, 28))), ValueError, "x_test"),
    (dict(y_test=np.zeros(4, dtype=int)), ValueError, "y_test"),
    (dict(y_test=np.zeros(5)), ValueError, "y_test"),
    (dict(y_test=np.array([0, 1, 2, 3, 10])), ValueError, "y_test"),
    (dict(history="a history"), TypeError, "history"),
    (dict(redraw_every=0), ValueError, "redraw_every"),
    (dict(index=5), ValueError, "index"),
    (dict(index=1.5), TypeError, "index"),
    (dict(mistakes_only="yes"), TypeError, "mistakes_only"),
])
def test_bad_arguments_are_named(data, change, error, name):
    _, _, x_test, y_test = data
    arguments = dict(model=lenet5(), x_test=x_test[:5], y_test=y_test[:5])
    arguments.update(change)
    model, x, labels = arguments.pop("model"), arguments.pop("x_test"), arguments.pop("y_test")
    with pytest.raises(error, match=name):
        training_dashboard(model, x, labels, **arguments)


def test_a_model_without_feature_maps_is_refused(data):
    _, _, x_test, y_test = data
    dense_only = Sequential(Flatten(), Dense(1024, 10), input_shape=(1, 32, 32))
    with pytest.raises(ValueError, match="model"):
        training_dashboard(dense_only, x_test[:5], y_test[:5])


def test_callback_rejects_unknown_events(trained):
    _, dashboard, history = trained
    with pytest.raises(ValueError, match="event"):
        dashboard.callback("batch_start", history)
    with pytest.raises(TypeError, match="history"):
        dashboard.callback("batch_end", {"loss": []})


# --- the static figures of notebook 10 -----------------------------------------------------------

def test_tiling_lays_maps_out_in_a_grid():
    assert grid_shape(6) == (3, 2) and grid_shape(16) == (4, 4)
    maps = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)
    tiled = tile_maps(maps, 2, 2)
    assert tiled.shape == (5, 5)
    np.testing.assert_array_equal(tiled[3:, :2], maps[2])
    assert np.isnan(tiled[2]).all() and np.isnan(tiled[3:, 3:]).all()       # the gap and the unused cell
    with pytest.raises(ValueError, match="do not fit"):
        tile_maps(maps, 1, 2)


@pytest.mark.slow
def test_static_figures_draw(trained, data):
    model, _, history = trained
    _, _, x_test, y_test = data
    probabilities = predict(model, x_test)
    wrong = np.flatnonzero(probabilities.argmax(axis=1) != y_test)
    counts = confusion_matrix(y_test, probabilities.argmax(axis=1), 10)
    figures = [training_plots.training_curves_figure(history),
               training_plots.feature_maps_figure(model, x_test[0], label=y_test[0]),
               training_plots.prediction_figure(x_test[0], probabilities[0], y_test[0]),
               training_plots.confusion_matrix_figure(counts),
               training_plots.mistakes_figure(x_test, y_test, probabilities, wrong[:8]),
               training_plots.filters_figure(model, initial=lenet5(rng=0)),
               training_plots.filter_responses_figure(model, x_test[0]),
               training_plots.digits_figure(x_test[:10], y_test[:10])]
    titles = [ax.get_title() for ax in figures[3].axes]
    assert f"all 200 test digits: {np.trace(counts)} correct" in titles
    assert f"the {len(wrong)} mistakes (diagonal hidden)" in titles
    assert figures[4].axes[0].get_title().startswith(f"{y_test[wrong[0]]} \u2192 {probabilities[wrong[0]].argmax()}")
    for figure in figures:
        figure.canvas.draw()
        plt.close(figure)


