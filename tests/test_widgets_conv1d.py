"""The 1D convolution explorer, driven through its controls like a student would."""
import numpy as np
import pytest

from cnnlib.widgets import conv1d_explorer
from cnnlib.widgets.conv1d import parse_weights

X = np.array([1.00, 1.10, 1.20, 1.40, 1.70, 1.80, 1.90, 2.10, 2.20, 2.40, 2.50, 2.70])
W = np.array([0.01, 0.01, 0.02, 0.02, 0.04, 0.4, 0.5])
SEED_SERIES = [1.811, 1.967, 2.112, 2.269, 2.413, 2.569]  # the seed notes' valid series, t = 6 .. 11


def manual_sum(x, w, t):
    """s_t = sum_a w_-a x_(t-a), with w stored oldest first (w[-1] is w_0), as a literal loop."""
    total = 0.0
    for a in range(len(w)):
        index = t - a
        reading = x[index] if 0 <= index < len(x) else 0.0
        total += w[len(w) - 1 - a] * reading
    return total


def test_default_shows_the_flight_example_at_t6():
    w = conv1d_explorer()
    assert w.shown["t"] == 6
    assert np.isclose(w.shown["sum"], 1.811)
    np.testing.assert_array_equal(w.shown["window"], np.arange(7))
    np.testing.assert_allclose(w.shown["products"], W * X[:7])
    assert np.isclose(w.shown["weights_sum"], 1.0)
    assert w.shown["warning"] == ""
    assert w.shown["arithmetic"].endswith("= 1.8110")
    assert w.views["plot"].value[:8] == b"\x89PNG\r\n\x1a\n"


def test_sliding_t_reproduces_the_seed_series():
    w = conv1d_explorer()
    assert (w.controls["t"].min, w.controls["t"].max) == (6, 11)
    for t, expected in zip(range(6, 12), SEED_SERIES):
        w.controls["t"].value = t
        assert np.isclose(w.shown["sum"], expected, atol=5e-4)
        assert np.isclose(w.shown["sum"], manual_sum(X, W, t))
    np.testing.assert_allclose(w.shown["output"], np.convolve(X, W[::-1], mode="valid"))


def test_editing_the_weights_changes_the_whole_series_and_the_range_of_t():
    w = conv1d_explorer()
    w.controls["weights"].value = "0.2, 0.3, 0.5"
    new = np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(w.shown["output"], np.correlate(X, new, mode="valid"))
    assert (w.controls["t"].min, w.controls["t"].max) == (2, 11)
    w.controls["t"].value = 2
    assert np.isclose(w.shown["sum"], 0.2 * 1.0 + 0.3 * 1.1 + 0.5 * 1.2)
    assert w.controls["preset"].value == "(your own)"


def test_the_notes_typo_preset_gives_0_308():
    w = conv1d_explorer()
    w.controls["preset"].value = "the notes' typo (0.04, 0.05)"
    assert w.controls["weights"].value.endswith("0.04, 0.05")
    assert np.isclose(w.shown["sum"], 0.308)
    assert np.isclose(w.shown["weights_sum"], 0.19)


@pytest.mark.parametrize("text, fragment", [("0.1, abc", "abc"), ("", "at least one"), ("0.5, nan", "finite"),
                                            (", ,", "at least one")])
def test_invalid_weights_show_a_message_and_keep_the_last_valid_state(text, fragment):
    w = conv1d_explorer()
    before = w.shown["output"].copy()
    w.controls["weights"].value = text
    assert fragment in w.shown["warning"]
    np.testing.assert_array_equal(w.shown["output"], before)
    w.controls["weights"].value = "0.5, 0.5"
    assert w.shown["warning"] == ""
    np.testing.assert_allclose(w.shown["output"], (X[:-1] + X[1:]) / 2)


def test_too_many_weights_for_valid_is_a_message_but_full_accepts_them():
    w = conv1d_explorer()
    w.controls["weights"].value = ", ".join(["0.1"] * 13)
    assert "longer than" in w.shown["warning"]
    w.controls["padding"].value = "full"
    assert w.shown["warning"] == ""
    np.testing.assert_allclose(w.shown["output"], np.convolve(X, np.full(13, 0.1), mode="full"))


def test_padding_modes_match_numpy_and_move_the_range_of_t():
    w = conv1d_explorer()
    w.controls["padding"].value = "full"
    assert (w.controls["t"].min, w.controls["t"].max) == (0, 17)
    np.testing.assert_allclose(w.shown["output"], np.convolve(X, W[::-1], mode="full"))
    w.controls["t"].value = 2
    np.testing.assert_array_equal(w.shown["window_values"][:4], 0.0)
    assert np.isclose(w.shown["sum"], manual_sum(X, W, 2))
    w.controls["padding"].value = "same"
    assert (w.controls["t"].min, w.controls["t"].max) == (3, 14)
    np.testing.assert_allclose(w.shown["output"], np.correlate(X, W, mode="same"))
    w.controls["padding"].value = "causal"
    assert (w.controls["t"].min, w.controls["t"].max) == (0, 11)
    np.testing.assert_allclose(w.shown["output"], np.convolve(X, W[::-1], mode="full")[:X.size])
    for t in (0, 5, 11):
        w.controls["t"].value = t
        assert np.isclose(w.shown["sum"], manual_sum(X, W, t))


def test_builder_accepts_a_series_and_validates_its_arguments():
    w = conv1d_explorer(np.arange(10.0) ** 2, [-1.0, 1.0], t=4, padding="valid")
    assert np.isclose(w.shown["sum"], 16.0 - 9.0)  # w_0 x_4 + w_-1 x_3 = x_4 - x_3
    with pytest.raises(ValueError, match="x"):
        conv1d_explorer([1.0])
    with pytest.raises(ValueError, match="weights"):
        conv1d_explorer(weights=[])
    with pytest.raises(ValueError, match="padding"):
        conv1d_explorer(padding="circular")
    with pytest.raises(ValueError, match="t must be between 6 and 11"):
        conv1d_explorer(t=3)
    with pytest.raises(TypeError, match="x"):
        conv1d_explorer("1, 2, 3")


def test_parse_weights_reads_commas_and_spaces():
    np.testing.assert_allclose(parse_weights("0.1, 0.2 0.7"), [0.1, 0.2, 0.7])
    np.testing.assert_allclose(parse_weights(" -1;1 "), [-1.0, 1.0])
    with pytest.raises(ValueError, match="'x'"):
        parse_weights("1, x")


def test_overflowing_weights_show_a_message_and_recover_when_the_input_is_sane():
    w = conv1d_explorer()
    before = w.shown["output"].copy()
    w.controls["weights"].value = "1e308, 1"                    # 1e308 * 2.7 overflows to inf
    assert "too large" in w.shown["warning"] and "1e+06" in w.shown["warning"]
    np.testing.assert_array_equal(w.shown["output"], before)
    for t in (7, 11, 6):                                        # every later move still works
        w.controls["t"].value = t
        assert np.isclose(w.shown["sum"], manual_sum(X, W, t))
    w.controls["padding"].value = "full"                        # re-reads the bad weights: still a message
    assert "too large" in w.shown["warning"]
    w.controls["weights"].value = "0.5, 0.5"                    # sane again: taken up at once
    assert w.shown["warning"] == ""
    np.testing.assert_allclose(w.shown["output"], np.convolve(X, [0.5, 0.5], mode="full"))
    w.controls["weights"].value = "-2e6"
    assert "between -1e+06 and 1e+06" in w.shown["warning"]
    w.controls["preset"].value = "plain average of 3"
    assert w.shown["warning"] == ""
    np.testing.assert_allclose(w.shown["weights"], [1 / 3] * 3, rtol=1e-5)   # typed with 6 digits


def test_a_failure_while_drawing_is_a_message_not_an_exception(monkeypatch):
    from cnnlib.plots.conv1d import SlidingWindowView
    w = conv1d_explorer()
    real_set_weights = SlidingWindowView.set_weights

    def broken_for_two_weights(self, weights, padding=None):
        if len(weights) == 2:
            raise ValueError("Axis limits cannot be NaN or Inf")
        return real_set_weights(self, weights, padding)

    monkeypatch.setattr(SlidingWindowView, "set_weights", broken_for_two_weights)
    w.controls["weights"].value = "0.5, 0.5"
    assert "Could not draw these weights (Axis limits cannot be NaN or Inf)" in w.shown["warning"]
    np.testing.assert_allclose(w.shown["weights"], W)           # the last valid picture is back
    w.controls["t"].value = 9
    assert np.isclose(w.shown["sum"], manual_sum(X, W, 9))


def test_long_series_and_many_weights_are_capped_with_a_message():
    from cnnlib.widgets.conv1d import MAX_READINGS, MAX_WEIGHTS
    with pytest.raises(ValueError, match=f"at most {MAX_READINGS} readings"):
        conv1d_explorer(np.linspace(0, 1, 5000))
    with pytest.raises(ValueError, match=f"at most {MAX_WEIGHTS} numbers"):
        conv1d_explorer(np.linspace(0, 1, 50), np.full(200, 0.005), padding="full")
    with pytest.raises(ValueError, match="between -1e\\+06 and 1e\\+06"):
        conv1d_explorer([1.0, 1e308])
    w = conv1d_explorer()
    w.controls["padding"].value = "full"
    w.controls["weights"].value = ", ".join(["0.01"] * (MAX_WEIGHTS + 1))
    assert f"at most {MAX_WEIGHTS} weights (got {MAX_WEIGHTS + 1})" in w.shown["warning"]
    np.testing.assert_allclose(w.shown["weights"], W)
