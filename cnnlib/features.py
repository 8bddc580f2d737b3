"""Hand-crafted image features: Sobel gradients and HOG-style gradient histograms (notebook 05).

Before networks learned their own filters, images were described by fixed recipes such as HOG
(histograms of oriented gradients). This module builds a small version of that recipe from
cnnlib's own convolution and Sobel kernels, so notebook 05 can compare raw pixels, hand-crafted
features and (in notebook 10) learned ones.

Angles are measured in image coordinates: rows grow downward, so gy > 0 means brightness grows
towards the bottom of the picture.
"""
import math

import numpy as np

from ._checks import as_float_array, as_pair, as_positive_int, check_allocation, check_ndim
from .conv import conv2d
from .kernels import sobel_x, sobel_y

__all__ = ["sobel_gradients", "gradient_histogram", "gradient_histogram_naive"]

_NORM_FLOOR = 1e-6


def _as_image_batch(images):
    """H x W, N x H x W or N x 1 x H x W -> (N x H x W float array, whether a batch was given)."""
    images = as_float_array(images, "images")
    check_ndim(images, "images", (2, 3, 4), "one H x W image, N x H x W or N x 1 x H x W grey images")
    if images.ndim == 4:
        if images.shape[1] != 1:
            raise ValueError(f"images must have one channel in the N x 1 x H x W layout, got shape {images.shape}")
        return images[:, 0], True
    if images.ndim == 3:
        return images, True
    return images[None], False


def sobel_gradients(images, *, max_bytes=None):
    """Horizontal and vertical brightness gradients (gx, gy), each the size of the input.

        gx = image (*) sobel_x,   gy = image (*) sobel_y        ((*) = cnnlib.conv2d, no flip)

    The border is padded by repeating the edge pixels, so a flat border gives zero gradient
    instead of the fake edge that zero padding would draw around a photo.
    images: H x W, N x H x W or N x 1 x H x W grey images; gx and gy have the same shape.

    Inputs:   images     H x W, N x H x W or N x 1 x H x W float array
              max_bytes  as for :func:`cnnlib.conv.conv2d`, which computes them
    Returns:  (gx, gy), two float arrays with the shape of images.

    >>> step = np.array([[0.0, 0.0, 1.0, 1.0]] * 3)         # dark left, light right
    >>> gx, gy = sobel_gradients(step)
    >>> gx[1], gy[1]                                        # sobel_x sees the edge, sobel_y nothing
    (array([0., 4., 4., 0.]), array([0., 0., 0., 0.]))
    """
    batch, _ = _as_image_batch(images)
    padded = np.pad(batch, ((0, 0), (1, 1), (1, 1)), mode="edge")[:, None]
    both = np.stack([sobel_x(), sobel_y()])[:, None].astype(padded.dtype)   # 2 filters, 1 channel, 3 x 3
    gradients = conv2d(padded, both, max_bytes=max_bytes)                  # N x 2 x H x W
    shape = np.shape(images)
    return gradients[:, 0].reshape(shape), gradients[:, 1].reshape(shape)


def _cell_layout(height, width, cells):
    cells_r, cells_c = as_pair(cells, "cells", as_positive_int)
    if height % cells_r or width % cells_c:
        raise ValueError(f"cells {cells_r}x{cells_c} must divide the image size {height}x{width} exactly "
                         f"(each cell gets the same number of pixels)")
    return cells_r, cells_c, height // cells_r, width // cells_c


def gradient_histogram(images, cells=4, bins=9, *, normalize=True, max_bytes=None):
    """HOG-style features: a histogram of gradient orientations in each cell of a grid.

    For every pixel: magnitude m = sqrt(gx^2 + gy^2) and unsigned orientation
    theta = atan2(gy, gx) mod 180 degrees (an edge and its reverse count alike). The half-circle is
    split into ``bins`` bins of width 180/bins centred at (b + 1/2) * 180/bins; each pixel gives
    m to the two bins whose centres surround theta, shared in proportion to closeness
    (wrapping around from the last bin to the first). Votes are summed over each of the
    ``cells`` x ``cells`` equal cells (an int or (rows, cols); it must divide the image size).
    With ``normalize`` each image's whole descriptor is divided by its length (L2 norm), so
    contrast does not matter; real HOG normalises overlapping blocks of cells instead.

    images: H x W, N x H x W or N x 1 x H x W grey images.
    Returns cells_r x cells_c x bins for one image, N x cells_r x cells_c x bins for a batch.
    :func:`gradient_histogram_naive` is the same recipe in loops.

    Inputs:   images     H x W, N x H x W or N x 1 x H x W float array
              cells      int or (rows, cols), dividing H and W;  bins  int >= 1
              normalize  bool
              max_bytes  refuse (ValueError, before allocating) a call whose histograms would need
                         more; default ``cnnlib.conv.MAX_BYTES`` (1 GiB)
    Returns:  cells_r x cells_c x bins float array (N x cells_r x cells_c x bins for a batch).

    >>> step = np.array([[0.0] * 4, [0.0] * 4, [1.0] * 4, [1.0] * 4])   # dark top, light bottom
    >>> # 8 pixels x |gy| 4, all at 90 degrees: bin 4 (80-100)
    >>> gradient_histogram(step, cells=1, normalize=False).round(3)
    array([[[ 0.,  0.,  0.,  0., 32.,  0.,  0.,  0.,  0.]]])
    >>> gradient_histogram(np.zeros((28, 28))).shape                  # an MNIST digit: 4 x 4 cells x 9 bins
    (4, 4, 9)
    """
    batch, is_batch = _as_image_batch(images)
    bins = as_positive_int(bins, "bins")
    n, height, width = batch.shape
    cells_r, cells_c, cell_h, cell_w = _cell_layout(height, width, cells)
    size = n * cells_r * cells_c * bins
    # Two vote counts (np.bincount) and their sum are alive at once.
    check_allocation("gradient_histogram", {f"3 histograms of {size} bins": 3 * size * 8}, max_bytes)

    gx, gy = sobel_gradients(batch, max_bytes=max_bytes)
    magnitude = np.hypot(gx, gy)
    angle = np.degrees(np.arctan2(gy, gx)) % 180.0
    position = angle / (180.0 / bins) - 0.5            # in units of bins, 0 = centre of bin 0
    lower = np.floor(position)
    share_upper = position - lower
    lower_bin = lower.astype(np.int64) % bins
    upper_bin = (lower_bin + 1) % bins

    # One flat index per (image, cell row, cell col, bin), so np.bincount adds all votes at once.
    rows = np.arange(height)[:, None] // cell_h
    cols = np.arange(width)[None, :] // cell_w
    cell_index = (np.arange(n)[:, None, None] * cells_r + rows) * cells_c + cols
    histogram = (np.bincount((cell_index * bins + lower_bin).ravel(),
                             weights=(magnitude * (1.0 - share_upper)).ravel(), minlength=size)
                 + np.bincount((cell_index * bins + upper_bin).ravel(),
                               weights=(magnitude * share_upper).ravel(), minlength=size))
    histogram = histogram.reshape(n, cells_r, cells_c, bins)
    if normalize:
        length = np.sqrt((histogram ** 2).sum(axis=(1, 2, 3), keepdims=True) + _NORM_FLOOR ** 2)
        histogram = histogram / length
    return histogram if is_batch else histogram[0]


def gradient_histogram_naive(image, cells=4, bins=9, *, normalize=True, max_bytes=None):
    """:func:`gradient_histogram` for one H x W image, written as plain loops over pixels.

    It computes the Sobel gradients with explicit 3 x 3 sums (not conv2d), so it also checks them.

    Inputs:   image  H x W float array;  cells, bins, normalize, max_bytes  as for :func:`gradient_histogram`
    Returns:  cells_r x cells_c x bins float array, as :func:`gradient_histogram` gives for one image.

    >>> step = np.array([[0.0] * 4, [0.0] * 4, [1.0] * 4, [1.0] * 4])   # dark top, light bottom
    >>> gradient_histogram_naive(step, cells=1).round(3)              # normalised: all in bin 4
    array([[[0., 0., 0., 0., 1., 0., 0., 0., 0.]]])
    """
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2,), "one H x W grey image")
    bins = as_positive_int(bins, "bins")
    height, width = image.shape
    cells_r, cells_c, cell_h, cell_w = _cell_layout(height, width, cells)
    check_allocation("gradient_histogram_naive", {"histogram": cells_r * cells_c * bins * 8}, max_bytes)
    padded = np.pad(image, 1, mode="edge")
    kx, ky = sobel_x(), sobel_y()
    histogram = np.zeros((cells_r, cells_c, bins))
    bin_width = 180.0 / bins
    for i in range(height):
        for j in range(width):
            gx = gy = 0.0
            for a in range(3):
                for b in range(3):
                    gx += padded[i + a, j + b] * kx[a, b]
                    gy += padded[i + a, j + b] * ky[a, b]
            magnitude = math.hypot(gx, gy)
            angle = math.degrees(math.atan2(gy, gx)) % 180.0
            position = angle / bin_width - 0.5
            lower = math.floor(position)
            share_upper = position - lower
            histogram[i // cell_h, j // cell_w, lower % bins] += magnitude * (1.0 - share_upper)
            histogram[i // cell_h, j // cell_w, (lower + 1) % bins] += magnitude * share_upper
    if normalize:
        histogram /= math.sqrt(float((histogram ** 2).sum()) + _NORM_FLOOR ** 2)
    return histogram
