"""Hand-crafted features: Sobel gradients against scipy, HOG-style histograms against hand-made cases."""
import numpy as np
import pytest
from scipy import ndimage

from cnnlib.features import gradient_histogram, gradient_histogram_naive, sobel_gradients


def test_sobel_gradients_match_scipy_with_edge_padding():
    image = np.random.default_rng(0).random((9, 11))
    gx, gy = sobel_gradients(image)
    # scipy differentiates along `axis` with [-1, 0, 1] and smooths across it with [1, 2, 1].
    np.testing.assert_allclose(gx, ndimage.sobel(image, axis=1, mode="nearest"))
    np.testing.assert_allclose(gy, ndimage.sobel(image, axis=0, mode="nearest"))


def test_sobel_gradients_keep_the_layout_and_see_no_edge_at_a_flat_border():
    batch = np.random.default_rng(1).random((3, 1, 6, 7))
    gx, gy = sobel_gradients(batch)
    assert gx.shape == gy.shape == (3, 1, 6, 7)
    flat_gx, flat_gy = sobel_gradients(np.full((5, 5), 0.7))
    assert np.allclose(flat_gx, 0) and np.allclose(flat_gy, 0)


def test_a_horizontal_ramp_votes_half_into_the_first_and_half_into_the_last_bin():
    # Brightness grows to the right: gx = 8 everywhere (Sobel weights 1 + 2 + 1, step 2), gy = 0,
    # theta = 0 degrees, which sits half-way between the centres 10 and 170 of 9 bins of 20 degrees.
    ramp = np.tile(np.arange(8.0), (8, 1))
    histogram = gradient_histogram(ramp, cells=1, bins=9, normalize=False)
    gx = 8.0 * np.ones((8, 8))
    gx[:, [0, -1]] = 4.0           # the repeated edge column halves the step at the borders
    expected = np.zeros(9)
    expected[0] = expected[8] = gx.sum() / 2
    np.testing.assert_allclose(histogram[0, 0], expected)


def test_a_diagonal_ramp_splits_its_vote_by_distance_to_the_bin_centres():
    # Brightness grows down and to the right equally: theta = 45 degrees. With 9 bins of 20 degrees
    # the surrounding centres are 30 (bin 1) and 50 (bin 2): shares 1/4 and 3/4.
    rows, cols = np.indices((12, 12))
    diagonal = (rows + cols).astype(float)
    inner = gradient_histogram(diagonal, cells=(3, 3), bins=9, normalize=False)[1, 1]
    gx, gy = sobel_gradients(diagonal)
    magnitude = np.hypot(gx, gy)[4:8, 4:8].sum()
    np.testing.assert_allclose(inner[[1, 2]], [0.25 * magnitude, 0.75 * magnitude])
    assert np.allclose(np.delete(inner, [1, 2]), 0)


def test_unsigned_orientation_counts_an_edge_and_its_reverse_alike():
    image = np.random.default_rng(2).random((8, 8))
    np.testing.assert_allclose(gradient_histogram(image, 2, 6), gradient_histogram(1 - image, 2, 6))


def test_cells_see_only_their_own_pixels():
    image = np.zeros((8, 8))
    image[1:3, 1:3] = 1.0          # a small square whose gradients stay inside the top-left cell
    histogram = gradient_histogram(image, cells=2, bins=4, normalize=False)
    assert histogram[0, 0].sum() > 0
    assert histogram[0, 1].sum() == histogram[1, 0].sum() == histogram[1, 1].sum() == 0


def test_unnormalised_histogram_holds_the_total_gradient_magnitude():
    image = np.random.default_rng(3).random((12, 12))
    gx, gy = sobel_gradients(image)
    histogram = gradient_histogram(image, cells=3, bins=7, normalize=False)
    assert np.isclose(histogram.sum(), np.hypot(gx, gy).sum())


def test_normalised_descriptor_has_unit_length_and_ignores_contrast():
    image = np.random.default_rng(4).random((12, 12))
    histogram = gradient_histogram(image, cells=3, bins=9)
    assert np.isclose(np.linalg.norm(histogram), 1.0)
    np.testing.assert_allclose(gradient_histogram(5 * image, cells=3, bins=9), histogram, rtol=1e-6)


def test_fast_histogram_equals_the_naive_twin():
    rng = np.random.default_rng(5)
    for cells, bins, shape in ((1, 9, (6, 6)), (2, 4, (8, 10)), ((3, 2), 7, (9, 8)), (4, 12, (28, 28))):
        image = rng.random(shape)
        for normalize in (True, False):
            np.testing.assert_allclose(gradient_histogram(image, cells, bins, normalize=normalize),
                                       gradient_histogram_naive(image, cells, bins, normalize=normalize),
                                       rtol=1e-9, atol=1e-12)


def test_batches_in_both_layouts_give_one_histogram_per_image():
    batch = np.random.default_rng(6).random((4, 8, 8))
    singles = np.stack([gradient_histogram(image, 2, 5) for image in batch])
    np.testing.assert_allclose(gradient_histogram(batch, 2, 5), singles)
    np.testing.assert_allclose(gradient_histogram(batch[:, None], 2, 5), singles)
    assert singles.shape == (4, 2, 2, 5)


@pytest.mark.parametrize("call, exc, message", [
    (lambda: gradient_histogram(np.zeros((10, 10)), cells=3), ValueError, "cells 3x3 must divide"),
    (lambda: gradient_histogram(np.zeros((8, 8)), bins=0), ValueError, "bins must be at least 1"),
    (lambda: gradient_histogram(np.zeros((2, 3, 8, 8))), ValueError, "images must have one channel"),
    (lambda: gradient_histogram(np.zeros(8)), ValueError, "images must be one H x W image"),
    (lambda: gradient_histogram("photo"), TypeError, "images must be an array"),
    (lambda: gradient_histogram_naive(np.zeros((2, 8, 8))), ValueError, "image must be one H x W"),
])
def test_bad_input_names_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
