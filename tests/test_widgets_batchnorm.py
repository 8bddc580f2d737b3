"""The batch-norm explorer of notebook 12: set the controls, check what it shows."""
import numpy as np
import pytest

from cnnlib.normalization import batch_norm
from cnnlib.widgets import Explorer, batchnorm_explorer
from cnnlib.widgets._board import PictureView, TextView
from cnnlib.widgets.batchnorm import BatchNormExplorer

NUMBERS = ("mean_before", "std_before", "mean_after", "std_after", "relu_before", "relu_after")


def test_build_shows_the_batch_before_and_after():
    view = batchnorm_explorer()
    assert isinstance(view, BatchNormExplorer) and isinstance(view, Explorer)
    assert set(view.controls) == {"shift", "spread", "batch_size", "gamma", "beta", "seed"}
    assert isinstance(view.views["histograms"], PictureView) and view.views["histograms"].value[:4] == b"\x89PNG"
    assert isinstance(view.views["table"], TextView) and "after batch norm" in view.views["table"].value
    assert view.shown["warning"] == "" and all(isinstance(view.shown[k], float) for k in NUMBERS)
    assert repr(view) == "BatchNormExplorer(controls=6)"


def test_with_gamma_1_and_beta_0_the_output_has_mean_0_and_std_1():
    view = batchnorm_explorer(shift=-4.0, spread=3.5, batch_size=100, gamma=1.0, beta=0.0, seed=3)
    assert abs(view.shown["mean_before"] + 4) < 1.0 and abs(view.shown["std_before"] - 3.5) < 1.0
    assert abs(view.shown["mean_after"]) < 1e-9
    assert view.shown["std_after"] == pytest.approx(1.0, abs=1e-5)


def test_the_numbers_are_those_of_cnnlib_batch_norm():
    view = batchnorm_explorer(shift=2.0, spread=1.5, batch_size=32, gamma=2.0, beta=-1.0, seed=7)
    x = 2.0 + 1.5 * np.random.default_rng(7).standard_normal((32, 1))
    out, mean, var = batch_norm(x, np.array([2.0]), np.array([-1.0]))
    assert view.shown["mean_before"] == pytest.approx(mean[0])
    assert view.shown["std_before"] == pytest.approx(np.sqrt(var[0]))
    assert view.shown["mean_after"] == pytest.approx(out.mean()) and view.shown["std_after"] == pytest.approx(out.std())
    assert view.shown["relu_before"] == np.mean(x > 0) and view.shown["relu_after"] == np.mean(out > 0)


def test_beta_shifts_the_mean_and_gamma_scales_the_std():
    view = batchnorm_explorer()
    view.controls["beta"].value = 2.0
    assert view.shown["mean_after"] == pytest.approx(2.0, abs=1e-9)
    assert view.shown["std_after"] == pytest.approx(1.0, abs=1e-5)
    view.controls["beta"].value = -1.5
    assert view.shown["mean_after"] == pytest.approx(-1.5, abs=1e-9)
    view.controls["gamma"].value = 2.5
    assert view.shown["std_after"] == pytest.approx(2.5, abs=1e-4) and view.shown["mean_after"] == pytest.approx(-1.5)


def test_a_shifted_batch_is_normalised_back_and_the_relu_passes_about_half():
    view = batchnorm_explorer(shift=5.0, spread=1.0, batch_size=200, seed=1)
    assert view.shown["relu_before"] > 0.95 and 0.4 < view.shown["relu_after"] < 0.6
    after = {k: view.shown[k] for k in ("mean_after", "std_after", "relu_after")}
    view.controls["shift"].value = -5.0        # every unit dead before; batch norm recentres the same values
    assert view.shown["relu_before"] < 0.05
    for key, value in after.items():
        assert view.shown[key] == pytest.approx(value, abs=1e-6), key


@pytest.mark.parametrize("name,value", [("shift", -2.5), ("spread", 4.0), ("batch_size", 300), ("gamma", 2.0),
                                        ("beta", 1.0), ("seed", 11)])
def test_each_control_changes_what_is_shown_and_keeps_the_widgets(name, value):
    view = batchnorm_explorer()
    views = {key: id(widget) for key, widget in view.views.items()}
    children = tuple(view.children)
    before = dict(view.shown)
    png, table = view.views["histograms"].value, view.views["table"].value
    view.controls[name].value = value
    assert view.shown[name] == value and view.shown["warning"] == ""
    assert any(view.shown[k] != before[k] for k in NUMBERS), f"moving {name} changed no number"
    assert view.views["histograms"].value != png and view.views["table"].value != table
    assert {key: id(widget) for key, widget in view.views.items()} == views
    assert tuple(view.children) == children
    assert view.update_ms[-1][0] == name


def test_values_off_the_plot_are_counted_in_a_note():
    view = batchnorm_explorer(shift=6.0, spread=5.0, batch_size=512)
    assert view.shown["off_plot"] > 0 and "outside the plotted range" in view.views["table"].value
    view.controls["spread"].value = 1.0
    assert view.shown["off_plot"] == 0 and "outside" not in view.views["table"].value


def test_an_error_inside_an_update_becomes_a_message(monkeypatch):
    view = batchnorm_explorer()
    children = tuple(view.children)

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr("cnnlib.widgets.batchnorm.batch_norm", broken)
    view.controls["seed"].value = 5                          # must not raise
    assert "boom" in view.shown["warning"] and "boom" in view.views["table"].value
    assert tuple(view.children) == children
    monkeypatch.undo()
    view.controls["seed"].value = 6
    assert view.shown["warning"] == "" and "boom" not in view.views["table"].value


@pytest.mark.parametrize("kwargs,match", [(dict(shift=10), "shift"), (dict(spread=0), "spread"),
                                          (dict(batch_size=1), "batch_size"), (dict(gamma=True), "gamma"),
                                          (dict(seed=-1), "seed"), (dict(batch_size=2.5), "batch_size")])
def test_bad_arguments_raise_at_build_time(kwargs, match):
    with pytest.raises(ValueError, match=match):
        batchnorm_explorer(**kwargs)
