import numpy as np
import pytest

from cnnlib.widgets import activation_explorer
from cnnlib.render import BlittedFigure
from cnnlib.widgets.activations import saturated_intervals


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_default_shows_sigmoid_and_its_slope_at_z_2():
    w = activation_explorer()
    assert w.shown["function"] == "sigmoid"
    assert w.shown["value"] == pytest.approx(logistic(2.0), rel=1e-12)
    assert w.shown["derivative"] == pytest.approx(logistic(2.0) * (1 - logistic(2.0)), rel=1e-12)
    assert w.shown["max_derivative"] == pytest.approx(0.25)
    assert w.shown["saturated"] is False
    assert w.shown["warning"] == ""
    assert "0.8808" in w.shown["text"] and "0.1050" in w.shown["text"]


def test_sigmoid_saturated_regions_match_the_solved_boundary():
    # sigma'(z) = 0.05 * 0.25 where sigma = (1 + sqrt(1 - 0.05)) / 2, i.e. |z| = log(s / (1 - s)).
    s = (1 + np.sqrt(1 - 0.05)) / 2
    boundary = np.log(s / (1 - s))
    w = activation_explorer(threshold=0.05)
    (left, right) = w.shown["saturated_regions"]
    step = 12 / 600
    assert left[0] == pytest.approx(-6.0) and right[1] == pytest.approx(6.0)
    assert abs(left[1] + boundary) <= step and abs(right[0] - boundary) <= step


def test_changing_function_and_z_updates_values():
    w = activation_explorer()
    w.controls["function"].value = "tanh"
    w.controls["z"].value = 0.5
    assert w.shown["value"] == pytest.approx(np.tanh(0.5), rel=1e-12)
    assert w.shown["derivative"] == pytest.approx(1 / np.cosh(0.5) ** 2, rel=1e-12)
    w.controls["function"].value = "softplus"
    w.controls["z"].value = -3.0
    assert w.shown["value"] == pytest.approx(np.log1p(np.exp(-3.0)), rel=1e-12)
    assert w.shown["derivative"] == pytest.approx(logistic(-3.0), rel=1e-12)


def test_relu_is_flat_for_negative_z_and_has_slope_one_otherwise():
    w = activation_explorer(function="relu", z=-1.0)
    assert w.shown["value"] == 0.0 and w.shown["derivative"] == 0.0
    assert w.shown["saturated"] is True
    assert w.shown["saturated_regions"] == [(-6.0, 0.0)]
    w.controls["z"].value = 1.5
    assert w.shown["value"] == 1.5 and w.shown["derivative"] == 1.0
    assert w.shown["saturated"] is False


def test_threshold_widens_the_saturated_regions():
    w = activation_explorer(function="tanh", z=2.0, threshold=0.05)
    assert w.shown["saturated"] is False          # tanh'(2) = 0.0707 > 0.05
    narrow = w.shown["saturated_regions"][1][0]
    w.controls["threshold"].value = 0.1
    assert w.shown["saturated"] is True           # 0.0707 < 0.1
    assert w.shown["saturated_regions"][1][0] < narrow


def test_picture_is_a_png_that_follows_the_z_slider():
    w = activation_explorer()
    image = w.views["plot"]
    first = image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    w.controls["z"].value = -4.0
    assert image.value != first
    w.controls["z"].value = 2.0
    assert image.value == first


def test_saturated_intervals_finds_runs():
    z = np.arange(8.0)
    assert saturated_intervals(z, [1, 1, 0, 0, 1, 0, 1, 1]) == [(0.0, 1.0), (4.0, 4.0), (6.0, 7.0)]
    assert saturated_intervals(z, np.zeros(8)) == []


def test_blitted_png_matches_a_full_draw():
    from io import BytesIO
    from PIL import Image
    blit = BlittedFigure.create(4, 3, left=0.15, right=0.95, bottom=0.15, top=0.9)
    ax = blit.figure.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    line = blit.animate(ax.plot([0.2, 0.8], [0.3, 0.7], linewidth=3)[0])  # clear of the spines
    fast = np.asarray(Image.open(BytesIO(blit.png())).convert("RGB")).astype(int)
    line.set_animated(False)
    blit.canvas.draw()
    full = np.asarray(blit.canvas.buffer_rgba())[..., :3].astype(int)
    assert fast.shape == full.shape
    assert np.abs(fast - full).max() <= 1


@pytest.mark.parametrize("kwargs, words", [
    (dict(function="swish"), "function"),
    (dict(z=7.0), "z must"),
    (dict(threshold=0.0), "threshold"),
    (dict(threshold=1.0), "threshold"),
    (dict(z_max=-1), "z_max"),
])
def test_bad_arguments_are_named(kwargs, words):
    with pytest.raises(ValueError, match=words):
        activation_explorer(**kwargs)


def test_returning_to_a_function_reuses_its_background_and_gives_the_same_picture():
    w = activation_explorer(function="sigmoid", z=1.0)
    first = w.views["plot"].value
    w.controls["function"].value = "relu"
    assert w.views["plot"].value != first
    w.controls["function"].value = "sigmoid"
    assert w.views["plot"].value == first
    assert w.shown["value"] == pytest.approx(logistic(1.0))
