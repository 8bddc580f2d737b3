"""The 2D convolution stepper, driven from plain Python: set a control, check what it shows.

References: the lecture notes' worked example (seed 000) and scipy.signal.correlate2d.
"""
import numpy as np
import pytest
from scipy.signal import correlate2d

from cnnlib.widgets import conv2d_stepper

NOTES_IMAGE = np.array([[60, 113, 56, 139, 85], [73, 121, 54, 84, 128], [131, 99, 70, 129, 127],
                        [80, 57, 115, 69, 134], [104, 126, 123, 95, 130]], dtype=float)
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float)
NOTES_STRIDE_1 = np.array([[114, 328, -26, 470, 158], [53, 266, -61, -30, 344], [403, 116, -47, 295, 244],
                           [108, -135, 256, -128, 344], [314, 346, 279, 153, 421]], dtype=float)
NOTES_STRIDE_2 = np.array([[114, -26, 158], [403, -47, 244], [314, 279, 421]], dtype=float)


def test_default_is_the_notes_example_at_its_first_output():
    w = conv2d_stepper()
    s = w.shown
    assert s["position"] == (0, 0) and s["index"] == 0
    assert s["padded_input"].shape == (7, 7)
    np.testing.assert_array_equal(s["window"], [[0, 0, 0], [0, 60, 113], [0, 73, 121]])
    np.testing.assert_array_equal(s["products"], [[0, 0, 0], [0, 300, -113], [0, -73, 0]])
    assert s["sum"] == 114 == s["products"].sum()
    assert s["formula"].startswith("0×0 + 0×(-1)")
    assert "60×5 + 113×(-1)" in s["formula"] and s["formula"].endswith("= 114")
    assert s["output"][0, 0] == 114 and np.isnan(s["output"]).sum() == 24
    assert s["warning"] == ""
    assert w.cell_buttons[0][0].description == "114" and w.cell_buttons[0][1].description == "?"


def test_next_and_prev_buttons_step_through_positions():
    w = conv2d_stepper()
    w.controls["next"].click()
    assert w.shown["position"] == (0, 1) and w.shown["sum"] == 328
    assert w.cell_buttons[0][1].description == "328"
    w.controls["prev"].click()
    assert w.shown["position"] == (0, 0)
    w.controls["prev"].click()   # already at the start: nothing happens
    assert w.shown["position"] == (0, 0) and w.controls["prev"].disabled


def test_output_fills_in_up_to_the_position_and_ends_as_the_notes_map():
    w = conv2d_stepper()
    w.controls["position"].value = 7
    out = w.shown["output"]
    np.testing.assert_array_equal(out.ravel()[:8], NOTES_STRIDE_1.ravel()[:8])
    assert np.isnan(out.ravel()[8:]).all()
    w.controls["position"].value = 24
    np.testing.assert_array_equal(w.shown["output"], NOTES_STRIDE_1)
    assert w.controls["next"].disabled


def test_every_position_sum_is_its_products_and_the_notes_value():
    w = conv2d_stepper()
    for index in range(25):
        w.controls["position"].value = index
        s = w.shown
        i, j = divmod(index, 5)
        np.testing.assert_array_equal(s["window"], np.pad(NOTES_IMAGE, 1)[i:i + 3, j:j + 3])
        assert s["sum"] == NOTES_STRIDE_1[i, j] == s["products"].sum()


def test_moving_keeps_the_buttons_and_a_larger_output_only_adds_some():
    w = conv2d_stepper()
    first = [b for row in w.cell_buttons for b in row]
    w.controls["position"].value = 3
    assert [b for row in w.cell_buttons for b in row] == first
    w.controls["padding"].value = 0           # 3x3: the first 9 buttons, the rest hidden
    assert [b for row in w.cell_buttons for b in row] == first[:9]
    assert all(b.layout.display == "none" for b in first[9:])
    w.controls["padding"].value = 2           # 7x7: the 25 buttons again, plus 24 new ones
    assert [b for row in w.cell_buttons for b in row][:25] == first


def test_play_drives_the_position():
    w = conv2d_stepper()
    w.controls["play"].value = 12
    assert w.shown["position"] == (2, 2) and w.shown["sum"] == -47


def test_stride_two_gives_the_notes_3x3_map_and_clicking_a_cell_jumps_there():
    w = conv2d_stepper()
    w.controls["stride"].value = 2
    np.testing.assert_array_equal(w.shown["full_output"], NOTES_STRIDE_2)
    assert len(w.cell_buttons) == 3 and len(w.cell_buttons[0]) == 3
    w.cell_buttons[1][2].click()
    assert w.shown["position"] == (1, 2) and w.shown["index"] == 5 and w.shown["sum"] == 244
    # The window of output (1, 2) starts at padded row 2, column 4.
    np.testing.assert_array_equal(w.shown["window"], np.pad(NOTES_IMAGE, 1)[2:5, 4:7])
    assert w.shown["warning"] == ""


def test_padding_zero_matches_scipy_valid_correlation():
    w = conv2d_stepper()
    w.controls["padding"].value = 0
    expected = correlate2d(NOTES_IMAGE, SHARPEN, mode="valid")
    np.testing.assert_allclose(w.shown["full_output"], expected)
    w.controls["position"].value = 8
    np.testing.assert_array_equal(w.shown["output"], expected)


def test_random_image_kernel_padding_stride_match_scipy():
    rng = np.random.default_rng(3)
    image = rng.integers(-9, 10, size=(6, 7)).astype(float)
    kernel = rng.integers(-3, 4, size=(2, 3)).astype(float)
    w = conv2d_stepper(image, kernel, padding=2, stride=2)
    expected = correlate2d(np.pad(image, 2), kernel, mode="valid")[::2, ::2]
    np.testing.assert_allclose(w.shown["full_output"], expected)
    rows, cols = expected.shape
    w.cell_buttons[rows - 1][cols - 1].click()
    assert w.shown["sum"] == pytest.approx(expected[-1, -1])
    assert w.shown["products"].sum() == pytest.approx(expected[-1, -1])


def test_stride_that_does_not_fit_is_explained_not_raised():
    w = conv2d_stepper()
    w.controls["stride"].value = 3
    warning = w.shown["warning"]
    assert "Stride 3 does not fit" in warning and "(5 + 2*1 - 3) = 4" in warning
    assert "floor(4/3) + 1 = 2" in warning
    np.testing.assert_array_equal(w.shown["full_output"], NOTES_STRIDE_1[::3, ::3])
    w.controls["stride"].value = 1
    assert w.shown["warning"] == ""


def test_kernel_larger_than_padded_input_shows_a_message():
    w = conv2d_stepper(NOTES_IMAGE, np.ones((7, 7)), padding=0)
    assert "does not fit" in w.shown["warning"] and "at least 1" in w.shown["warning"]
    assert w.shown["sum"] is None and w.shown["output"].size == 0 and w.cell_buttons == []
    assert w.controls["position"].disabled
    w.controls["padding"].value = 1
    assert w.shown["warning"] == "" and w.shown["sum"] == NOTES_IMAGE.sum()


def test_position_is_kept_in_range_when_the_output_shrinks():
    w = conv2d_stepper()
    w.controls["position"].value = 24
    w.controls["stride"].value = 2
    assert w.shown["index"] == 8 and w.shown["position"] == (2, 2) and w.shown["sum"] == 421


def test_kernel_by_preset_name():
    w = conv2d_stepper(kernel="edge")
    assert w.shown["sum"] == pytest.approx(correlate2d(np.pad(NOTES_IMAGE, 1), [[1, 1, 1], [1, -8, 1], [1, 1, 1]],
                                                       mode="valid")[0, 0])


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(image=[1, 2, 3]), ValueError, "image must be a 2D array"),
    (dict(image=np.zeros((20, 20))), ValueError, "image must have between 1 and 12"),
    (dict(kernel="blurry"), ValueError, "name must be one of"),
    (dict(kernel=[[np.nan]]), ValueError, "kernel must hold finite numbers"),
    (dict(padding=-1), ValueError, "padding must not be negative"),
    (dict(stride=0), ValueError, "stride must be at least 1"),
    (dict(stride=1.5), TypeError, "stride must be an integer"),
])
def test_bad_arguments_name_the_argument(kwargs, error, words):
    with pytest.raises(error, match=words):
        conv2d_stepper(**kwargs)
