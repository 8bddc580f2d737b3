"""The output-size explorer, driven through its sliders."""
import itertools

import numpy as np
import pytest

from cnnlib.widgets import output_size_explorer


def brute_force_positions(n, kernel, padding, stride, dilation):
    """Every start p on the padded input where the dilated filter fits, stepping by the stride."""
    padded = n + 2 * padding
    span = (kernel - 1) * dilation + 1
    return [p for p in range(0, padded, stride) if p + span <= padded]


def set_values(widget, **values):
    for name, value in values.items():
        widget.controls[name].value = value


def test_default_is_the_notes_7x7_with_a_3x3_filter():
    w = output_size_explorer()
    assert w.shown["output_size"] == 5
    np.testing.assert_array_equal(w.shown["positions"], [0, 1, 2, 3, 4])
    assert w.shown["warning"] == ""
    assert w.shown["formula"].endswith("= 5")
    assert "(7 - 3 + 2·0)/1" in w.shown["formula"]


@pytest.mark.slow
def test_sliders_agree_with_brute_force_counting():
    w = output_size_explorer()
    # Padded sizes 5, 9, 11 and 15 against odd and even kernels, strides that do and do not divide,
    # and kernels that do not fit: every branch, in 96 settings.
    for n, kernel, padding, stride, dilation in itertools.product((5, 11), (1, 2, 3, 5), (0, 2), (1, 2, 3), (1, 2)):
        set_values(w, n=n, kernel=kernel, padding=padding, stride=stride, dilation=dilation)
        positions = brute_force_positions(n, kernel, padding, stride, dilation)
        padded = n + 2 * padding
        span = (kernel - 1) * dilation + 1
        assert w.shown["padded_size"] == padded
        assert w.shown["effective_kernel"] == span
        if not positions:
            assert w.shown["output_size"] is None
            assert "does not fit" in w.shown["warning"]
            continue
        assert w.shown["output_size"] == len(positions)
        np.testing.assert_array_equal(w.shown["positions"], positions)
        assert w.shown["skipped"] == padded - (positions[-1] + span)
        divides = (padded - span) % stride == 0
        assert w.shown["exact"] == divides
        assert (w.shown["warning"] == "") == divides


def test_a_stride_that_does_not_divide_warns_and_still_shows_the_floor():
    w = output_size_explorer()
    set_values(w, n=8, kernel=3, stride=2)
    assert w.shown["output_size"] == 3
    assert w.shown["skipped"] == 1
    assert "Stride 2 does not fit" in w.shown["warning"] and "floor(5/2) + 1 = 3" in w.shown["warning"]
    assert "⌊2.5⌋ + 1 = 2 + 1 = 3" in w.shown["formula"]
    set_values(w, n=9)
    assert w.shown["warning"] == ""
    assert w.shown["output_size"] == 4


def test_a_filter_larger_than_the_padded_input_is_a_message_not_an_error():
    w = output_size_explorer()
    set_values(w, n=5, kernel=9, padding=1)
    assert w.shown["output_size"] is None
    assert "larger than the padded input" in w.shown["warning"]
    assert "7" in w.shown["warning"] and "9" in w.shown["warning"]
    assert w.views["grid"].value[:4] == b"\x89PNG"
    set_values(w, padding=2)
    assert w.shown["output_size"] == 1
    assert w.shown["warning"] == ""


def test_the_picture_depends_only_on_the_current_settings():
    w = output_size_explorer(n=7)
    first = w.views["grid"].value
    set_values(w, n=16, padding=4, stride=3)
    assert w.views["grid"].value != first
    set_values(w, n=7, padding=0, stride=1)
    assert w.views["grid"].value == first     # nothing left over from the earlier drawings


def test_dilation_widens_the_filter():
    w = output_size_explorer(n=7, kernel=3, dilation=2)
    assert w.shown["effective_kernel"] == 5
    assert w.shown["output_size"] == 3
    assert w.shown["formula"].splitlines()[0] == "F' = F + (F - 1)(d - 1) = 3 + 2·1 = 5"


def test_builder_validates_its_arguments():
    with pytest.raises(ValueError, match="n"):
        output_size_explorer(n=0)
    with pytest.raises(TypeError, match="kernel"):
        output_size_explorer(kernel=2.5)
    with pytest.raises(ValueError, match="padding"):
        output_size_explorer(padding=-1)
    big = output_size_explorer(n=20)  # beyond the slider's usual range: the range grows to fit
    assert big.controls["n"].max == 20
    assert big.shown["output_size"] == 18
