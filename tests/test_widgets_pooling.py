import numpy as np
import pytest

from cnnlib.augment import shift_image
from cnnlib.pooling import example_feature_map, unchanged_counts
from cnnlib.widgets import pooling_explorer


def block_reduce(x, k, reduce):
    """Non-overlapping k x k pooling by reshaping: an independent reference for stride == size."""
    h, w = (x.shape[0] // k) * k, (x.shape[1] // k) * k
    blocks = x[:h, :w].reshape(h // k, k, w // k, k)
    return reduce(blocks, axis=(1, 3))


def test_default_counts_the_peaks_that_stay_in_their_window():
    w = pooling_explorer()
    # Peaks 9 at (1,2), 6 at (2,5), 8 at (5,1), 5 at (6,6); shifted right by one column.
    np.testing.assert_array_equal(w.shown["pooled"], [[0, 9, 0, 0], [0, 0, 6, 0], [8, 0, 0, 0], [0, 0, 0, 5]])
    np.testing.assert_array_equal(w.shown["pooled_shifted"], [[0, 9, 0, 0], [0, 0, 0, 6], [0, 8, 0, 0], [0, 0, 0, 5]])
    assert (w.shown["unchanged_pooled"], w.shown["active_pooled"]) == (2, 6)
    assert (w.shown["unchanged_input"], w.shown["active_input"]) == (0, 8)
    assert w.shown["percent_pooled"] == pytest.approx(100 * 2 / 6)
    assert w.shown["output_shape"] == (4, 4)
    assert w.shown["warning"] == "" and w.shown["note"] == ""
    assert "2 of 6" in w.shown["text"]


def test_bigger_windows_forgive_the_shift():
    w = pooling_explorer()
    w.controls["size"].value = 4
    w.controls["stride"].value = 4
    assert (w.shown["unchanged_pooled"], w.shown["active_pooled"]) == (4, 4)
    np.testing.assert_array_equal(w.shown["pooled"], [[9, 6], [8, 5]])


def test_average_mode_against_block_means():
    rng = np.random.default_rng(3)
    fmap = rng.random((12, 12))
    w = pooling_explorer(fmap, mode="avg", size=3, stride=3, shift_rows=1, shift_cols=0)
    np.testing.assert_allclose(w.shown["pooled"], block_reduce(fmap, 3, np.mean))
    shifted = np.vstack([np.zeros((1, 12)), fmap[:-1]])
    np.testing.assert_allclose(w.shown["pooled_shifted"], block_reduce(shifted, 3, np.mean))
    w.controls["mode"].value = "max"
    np.testing.assert_allclose(w.shown["pooled"], block_reduce(fmap, 3, np.max))


def test_overlapping_windows_and_their_output_size():
    fmap = np.arange(25.0).reshape(5, 5)
    w = pooling_explorer(fmap, size=3, stride=2, shift_cols=0)
    # Windows start at rows/cols 0 and 2; the max of each is its bottom-right corner.
    np.testing.assert_array_equal(w.shown["pooled"], [[12, 14], [22, 24]])
    assert (w.shown["unchanged_pooled"], w.shown["active_pooled"]) == (4, 4)   # no shift: all unchanged


def test_size_larger_than_the_map_shows_a_message_not_a_traceback():
    w = pooling_explorer()
    w.controls["size"].value = 9
    assert "size 9" in w.shown["warning"] and "8 x 8" in w.shown["warning"]
    assert w.shown["pooled"] is None
    w.controls["size"].value = 2
    assert w.shown["warning"] == ""
    assert w.shown["output_shape"] == (4, 4)


def test_gaps_and_floors_are_noted():
    w = pooling_explorer(size=2, stride=3)
    assert "gaps" in w.shown["note"]
    assert w.shown["output_shape"] == ((8 - 2) // 3 + 1,) * 2
    w.controls["stride"].value = 2
    w.controls["size"].value = 3
    assert "floored" in w.shown["note"] and "Stride 2 does not fit" in w.shown["note"]
    assert w.shown["output_shape"] == (3, 3)


def test_pictures_are_pngs():
    w = pooling_explorer()
    for name in ("input", "pooled", "pooled_shifted", "change"):
        assert w.views[name].value[:4] == b"\x89PNG"


def test_shift_image_moves_content_and_fills_with_zeros():
    x = np.arange(1.0, 10.0).reshape(3, 3)
    np.testing.assert_array_equal(shift_image(x, 0, 1), [[0, 1, 2], [0, 4, 5], [0, 7, 8]])
    np.testing.assert_array_equal(shift_image(x, -1, 0), [[4, 5, 6], [7, 8, 9], [0, 0, 0]])
    np.testing.assert_array_equal(shift_image(x, 1, -1, fill=-1), [[-1, -1, -1], [2, 3, -1], [5, 6, -1]])
    with pytest.raises(ValueError, match="cols"):
        shift_image(x, 0, 3)
    with pytest.raises(TypeError, match="rows"):
        shift_image(x, 0.5, 0)


def test_unchanged_counts_ignores_positions_zero_in_both():
    before = np.array([[0, 1], [2, 0]])
    after = np.array([[0, 1], [3, 4]])
    assert unchanged_counts(before, after) == (1, 3)


def test_example_feature_map_has_four_peaks():
    fmap = example_feature_map()
    assert fmap.shape == (8, 8)
    assert sorted(fmap[fmap > 0]) == [5, 6, 8, 9]


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(mode="median"), ValueError, "mode"),
    (dict(size=9), ValueError, "size"),
    (dict(stride=0), ValueError, "stride"),
    (dict(shift_cols=4), ValueError, "shift_cols"),
    (dict(shift_rows=1.0), TypeError, "shift_rows"),
    (dict(feature_map=np.zeros(5)), ValueError, "feature_map"),
    (dict(feature_map=np.zeros((1, 5))), ValueError, "feature_map"),
    (dict(feature_map="image"), TypeError, "feature_map"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    with pytest.raises(error, match=words):
        pooling_explorer(**kwargs)
