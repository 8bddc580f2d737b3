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


def _area_weights(pixels, outputs, box_start, scale):
    """Rows ``outputs`` and columns ``pixels`` of the matrix that rescales one axis by ``scale``, by
    area averaging.

    Think of input pixel i as covering [i, i + 1). The output grid has pixels 1 / scale input
    pixels long, one of them starting exactly where the ink's box starts (``box_start``), and covers
    the whole axis. Output pixel o's value is the input's mean over its interval [a_o, a_o + 1 / scale):
    weight[o, i] = scale * (the overlap of pixel i with that interval). Every input pixel counts in
    proportion to its area, which is what anti-aliasing means (nearest neighbour would skip most).
    Only the rows and columns asked for are made: the whole matrix of a 1000-pixel axis enlarged
    20 times would hold 20 million numbers.
    """
    before = math.ceil(box_start * scale - 1e-9)                   # output pixels before the box
    starts = box_start + (np.asarray(outputs) - before) / scale
    ends = starts + 1.0 / scale
    pixels = np.asarray(pixels)
    overlap = np.minimum(pixels + 1.0, ends[:, None]) - np.maximum(pixels, starts[:, None])
    return scale * np.clip(overlap, 0.0, None)


def _reach(first, last, box_start, scale, length):
    """The input pixels that output pixels ``first`` .. ``last`` (inclusive) overlap, as a range."""
    before = math.ceil(box_start * scale - 1e-9)
    start = box_start + (first - before) / scale
    end = box_start + (last + 1 - before) / scale
    return np.arange(max(0, math.floor(start)), min(length, math.ceil(end)))


def _output_count(length, scale):
    """How many output pixels cover an axis of ``length`` input pixels rescaled by ``scale``."""
    return math.ceil(length * scale - 1e-9) + 1


def _rescaled_centre(mass, box_start, scale):
    """The centre of mass, in output pixels, of one axis of the rescaled drawing, from ``mass``, the
    drawing's sums along the other axis (the rescaled drawing's own sums are ``_area_weights`` times
    these, up to the constant ``scale``). Output pixels are taken a few thousand at a time, so the
    weights in memory stay small however far the axis is enlarged."""
    count = _output_count(len(mass), scale)
    step = max(1, int(512 * math.sqrt(scale)))     # about 2**18 weights per step, whatever the scale
    moment = total = 0.0
    for first in range(0, count, step):
        outputs = np.arange(first, min(first + step, count))
        pixels = _reach(outputs[0], outputs[-1], box_start, scale, len(mass))
        received = _area_weights(pixels, outputs, box_start, scale) @ mass[pixels]
        moment += float(outputs @ received)
        total += float(received.sum())
    return moment / total


def _row_blocks(image, values=2**18):
    """(first row, rows as float64) in blocks of about ``values`` numbers: a bool or uint8 canvas is
    converted one block at a time, never whole (4000 x 4000 float64 would take 128 MB)."""
    rows = max(1, values // image.shape[1])
    for start in range(0, image.shape[0], rows):
        yield start, image[start:start + rows].astype(np.float64, copy=False)


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

    The memory it takes stays small (a few MB) whatever the canvas and however small the ink: the
    centre of mass comes from the drawing's row and column sums, and only the part of the scaled
    drawing that lands in the 28 x 28 field is computed. (Scaling the whole canvas would not do: one
    ink pixel on a 1000 x 1000 canvas is enlarged 20 times, a 20000 x 20000 picture of 3.2 GB.)

    Returns a float32 28 x 28 array in [0, 1]; ``load_mnist(pad_to=32)`` pads it for LeNet-5
    as ``np.pad(digit, 2)``. Raises ValueError for an array that is not 2D, holds NaN or values
    outside [0, 1], or has no ink, and TypeError for complex numbers (which have no brightness).

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
    if np.iscomplexobj(image):
        raise TypeError(f"the drawing must hold real grey levels, got complex numbers (dtype {image.dtype}); "
                        "pass np.abs(drawing) or drawing.real if that is what you mean")
    if image.size == 0 or not (np.issubdtype(image.dtype, np.number) or image.dtype == bool):
        raise ValueError(f"the drawing must be a non-empty array of numbers, "
                         f"got dtype {image.dtype} and shape {image.shape}")
    low, high = float(image.min()), float(image.max())             # NaN anywhere makes both NaN
    if math.isnan(low) or math.isnan(high):
        raise ValueError("the drawing contains NaN values")
    if low < 0 or high > 1:
        hint = " (bytes 0..255? divide by 255)" if high <= 255 and low >= 0 else ""
        raise ValueError(f"the drawing's values must lie in [0, 1] with ink bright, got {low:g} to {high:g}{hint}")
    if high == 0:
        raise ValueError("the drawing is empty: draw a digit first")
    height, width = image.shape
    row_mass, column_mass = np.zeros(height), np.zeros(width)
    ink_rows, ink_columns = np.zeros(height, dtype=bool), np.zeros(width, dtype=bool)
    for start, block in _row_blocks(image):
        ink = block >= INK_LEVEL * high
        ink_rows[start:start + len(block)] = ink.any(axis=1)
        ink_columns |= ink.any(axis=0)
        row_mass[start:start + len(block)] = block.sum(axis=1)
        column_mass += block.sum(axis=0)
    ink_rows, ink_columns = np.flatnonzero(ink_rows), np.flatnonzero(ink_columns)
    top_ink, left_ink = ink_rows[0], ink_columns[0]
    scale = BOX_SIZE / max(ink_rows[-1] - top_ink + 1, ink_columns[-1] - left_ink + 1)   # one scale for both axes
    row, col = _rescaled_centre(row_mass, top_ink, scale), _rescaled_centre(column_mass, left_ink, scale)
    # A whole-pixel shift, as MNIST did (its digits' centres of mass scatter evenly within +-0.5 px of 14):
    # output pixel (o, p) of the scaled drawing lands at (o + top, p + left) in the field. The centre
    # is rounded to 1e-9 pixel first: a symmetric drawing's centre lies exactly half-way between two
    # pixels, and the last bits of the sums must not decide which way it goes.
    row, col = round(row, 9), round(col, 9)
    top, left = math.floor(CENTRE - row + 0.5), math.floor(CENTRE - col + 0.5)
    out_rows = np.arange(max(0, -top), min(_output_count(height, scale), MNIST_SIZE - top))
    out_columns = np.arange(max(0, -left), min(_output_count(width, scale), MNIST_SIZE - left))
    digit = np.zeros((MNIST_SIZE, MNIST_SIZE))
    if out_rows.size and out_columns.size:
        rows = _reach(out_rows[0], out_rows[-1], top_ink, scale, height)
        columns = _reach(out_columns[0], out_columns[-1], left_ink, scale, width)
        row_weights = _area_weights(rows, out_rows, top_ink, scale)
        column_weights = _area_weights(columns, out_columns, left_ink, scale)
        patch = image[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
        rows_scaled = sum(row_weights[:, start:start + len(block)] @ block for start, block in _row_blocks(patch))
        digit[out_rows[0] + top:out_rows[-1] + top + 1,
              out_columns[0] + left:out_columns[-1] + left + 1] = rows_scaled @ column_weights.T
    return np.clip(digit, 0.0, 1.0).astype(np.float32)
