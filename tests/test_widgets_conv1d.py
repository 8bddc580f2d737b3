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
    assert w.children[4].value[:8] == b"\x89PNG\r\n\x1a\n"


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
