"""Turning a drawing into an MNIST digit (notebook 10, "Draw your own digit").

MNIST's digits were made from scanned black-and-white NIST digits in two steps (LeCun et al., 1998):

1. the digit's bounding box was scaled to fit a 20 x 20 box, keeping its aspect ratio; anti-aliasing
   turned the edges grey;
2. the result was placed in a 28 x 28 field so that its centre of mass sits at the field's centre.

A network trained on MNIST has only seen digits made this way, so a drawing must go through the same
steps before the network can read it. Measured on the shipped digits (``cnnlib.data.load_mnist``),
the centre of mass lies at row 14.00, column 14.01 on average, in index coordinates (pixel (r, c)
at (r, c)), spread evenly over +-0.5 pixel: MNIST moved its digits by whole pixels to put the centre
of mass as near (14, 14) as it could. This module does the same.
"""
import math

import numpy as np

__all__ = ["preprocess_drawing", "centre_of_mass", "MNIST_SIZE", "BOX_SIZE", "CENTRE", "INK_LEVEL"]

MNIST_SIZE = 28
BOX_SIZE = 20
CENTRE = 14.0            # where MNIST puts the centre of mass, in index coordinates (row and column)
INK_LEVEL = 0.1          # pixels this fraction as bright as the brightest one count when finding the box


def centre_of_mass(image):
    """(row, column) of the brightness-weighted mean pixel position, in index coordinates:

        row = sum_rc r I[r, c] / sum_rc I[r, c],   column = sum_rc c I[r, c] / sum_rc I[r, c]

    Inputs:   image  H x W brightness values (>= 0, not all 0)
    Returns:  (row, column), two Python floats

    >>> centre_of_mass([[0, 0, 0],
    ...                 [1, 0, 3]])          # all ink in row 1; columns (0 * 1 + 2 * 3) / 4
    (1.0, 1.5)
    """
    image = np.asarray(image, dtype=float)
    mass = image.sum()
    return (float(image.sum(axis=1) @ np.arange(image.shape[0]) / mass),
            float(image.sum(axis=0) @ np.arange(image.shape[1]) / mass))


def _area_weights(length, box_start, scale):
    """The matrix that rescales one axis of length ``length`` by ``scale``, by area averaging.

    Think of input pixel i as covering [i, i + 1). The output grid has pixels 1 / scale input
    pixels long, one of them starting exactly where the ink's box starts (``box_start``), and covers
    the whole axis. Output pixel o's value is the input's mean over its interval [a_o, a_o + 1 / scale):
    weight[o, i] = scale * (the overlap of pixel i with that interval). Every input pixel counts in
    proportion to its area, which is what anti-aliasing means (nearest neighbour would skip most).
    """
    before = math.ceil(box_start * scale - 1e-9)                   # output pixels before the box
    starts = box_start + (np.arange(math.ceil(length * scale - 1e-9) + 1) - before) / scale
    ends = starts + 1.0 / scale
    pixels = np.arange(length)
    overlap = np.minimum(pixels + 1.0, ends[:, None]) - np.maximum(pixels, starts[:, None])
    return scale * np.clip(overlap, 0.0, None)


def _paste(field, picture, top, left):
    """Copy ``picture`` into ``field`` with its top-left corner at (top, left); what falls outside is cut."""
    rows, cols = picture.shape
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + rows, field.shape[0]), min(left + cols, field.shape[1])
    if r0 < r1 and c0 < c1:
        field[r0:r1, c0:c1] = picture[r0 - top:r1 - top, c0 - left:c1 - left]
    return field


def preprocess_drawing(image):
    """A drawing -> a 28 x 28 digit made the way MNIST's were.

    ``image``: H x W grey values in [0, 1], ink bright (white on black, like MNIST), any size.
    Steps: find the ink's bounding box, h x w (the pixels at least a tenth as bright as the
    brightest one: faint specks and interpolation ripples do not stretch it); scale the drawing by
    s = 20 / max(h, w), the same for both axes, so the box fits 20 x 20 with its aspect ratio kept,
    averaging over each output pixel's area (anti-aliasing: no pixel is skipped, unlike nearest
    neighbour); then shift it by whole pixels into a 28 x 28 field so that its centre of mass
    (:func:`centre_of_mass`) lies within half a pixel of (14, 14), where MNIST's digits have theirs.
    A shipped MNIST digit (its box is already 20 pixels long) comes back unchanged.

    Returns a float32 28 x 28 array in [0, 1]; ``load_mnist(pad_to=32)`` pads it for LeNet-5
    as ``np.pad(digit, 2)``. Raises ValueError for an array that is not 2D, holds NaN or values
    outside [0, 1], or has no ink.

    Inputs:   image  H x W array of numbers in [0, 1], ink bright, any H and W
    Returns:  28 x 28 float32 array in [0, 1]

    >>> drawing = np.zeros((100, 100)); drawing[20:60, 45:55] = 1.0    # a 40 x 10 bar
    >>> digit = preprocess_drawing(drawing)                            # s = 20 / 40: a 20 x 5 bar
    >>> digit.shape, digit.dtype, float(digit.sum())
    ((28, 28), dtype('float32'), 100.0)
    >>> centre_of_mass(digit)                # rows 5..24, columns 12..16: within half a pixel of (14, 14)
    (14.5, 14.0)
    """
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"the drawing must be one H x W grey image, got an array of shape {image.shape}")
    if image.size == 0 or not (np.issubdtype(image.dtype, np.number) or image.dtype == bool):
        raise ValueError(f"the drawing must be a non-empty array of numbers, got dtype {image.dtype} and shape {image.shape}")
    image = image.astype(np.float64)
    if np.isnan(image).any():
        raise ValueError("the drawing contains NaN values")
    low, high = image.min(), image.max()
    if low < 0 or high > 1:
        hint = " (bytes 0..255? divide by 255)" if high <= 255 and low >= 0 else ""
        raise ValueError(f"the drawing's values must lie in [0, 1] with ink bright, got {low:g} to {high:g}{hint}")
    if high == 0:
        raise ValueError("the drawing is empty: draw a digit first")
    ink = image >= INK_LEVEL * high
    ink_rows, ink_cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    height, width = ink_rows[-1] - ink_rows[0] + 1, ink_cols[-1] - ink_cols[0] + 1
    scale = BOX_SIZE / max(height, width)                          # one scale for both axes
    scaled = _area_weights(image.shape[0], ink_rows[0], scale) @ image @ _area_weights(image.shape[1], ink_cols[0], scale).T
    row, col = centre_of_mass(scaled)
    # A whole-pixel shift, as MNIST did (its digits' centres of mass scatter evenly within +-0.5 px of 14).
    top, left = math.floor(CENTRE - row + 0.5), math.floor(CENTRE - col + 0.5)
    digit = _paste(np.zeros((MNIST_SIZE, MNIST_SIZE)), scaled, top, left)
    return np.clip(digit, 0.0, 1.0).astype(np.float32)
