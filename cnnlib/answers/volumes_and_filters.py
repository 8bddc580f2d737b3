"""Answers to notebook 03's number exercises (volumes, filters and their parameters)."""
import numpy as np

from ..conv import conv2d
from ..data import sample_image
from ..shapes import conv_output_shape, conv_parameter_count, output_size

FLAT = np.stack([np.full((8, 8), 0.2), np.full((8, 8), 0.5), np.full((8, 8), 0.1)])   # R, G, B

ANSWERS = {
    "shape": (lambda: conv_output_shape((3, 64, 64), 3, filters=10),
              "the depth of the output is the number of filters; each side shrinks by F - 1"),
    "count": (lambda: conv_parameter_count(3, 6, 16), "each filter is 3x3x6, plus one bias per filter"),
    "flat_value": (lambda: conv2d(FLAT, np.ones((3, 5, 5)))[0, 0], "25 values from each channel, all added"),
    "brightness": (lambda: sample_image("hopper", gray=True, size=32),
                   {"hint": "the docstring of cnnlib.data.sample_image gives the brightness recipe",
                    "rtol": 1e-4}),
    "uses": (lambda: output_size(32, 5) ** 2, "each weight takes part in every output number"),
}
