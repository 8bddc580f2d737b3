"""Expected answers of notebook 11's number exercises (see :func:`cnnlib.exercises.check_answer`)."""
import numpy as np

from ..augment import source_coordinates, warp


def _quarter_turn_source():
    rows, cols = source_coordinates((32, 32), rotation=90.0)
    return np.array([rows[2, 20], cols[2, 20]])


def _half_pixel_shift():
    image = np.zeros((1, 1, 16, 16))
    image[0, 0, 8, 7] = 1.0
    return warp(image, shift=(1.5, 0.0))[0, 0, 10, 7]


ANSWERS = {
    "quarter_turn_source": (_quarter_turn_source,
                            "s = R^-1 (q - c) + c with c = (15.5, 15.5); R^-1 of a quarter turn is [[0, 1], [-1, 0]]"),
    "half_pixel_shift": (_half_pixel_shift,
                         "output pixel (10, 7) reads the original at (10 - 1.5, 7): halfway between two pixels"),
}
