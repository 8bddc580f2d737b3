"""The example used by :func:`cnnlib.exercises.check_answer`'s docstring: the notes' worked 114."""
import numpy as np

from .. import kernels
from ..conv import conv2d

IMAGE = np.array([[60, 113, 56, 139, 85], [73, 121, 54, 84, 128], [131, 99, 70, 129, 127],
                  [80, 57, 115, 69, 134], [104, 126, 123, 95, 130]])

ANSWERS = {
    "example": (lambda: conv2d(IMAGE, kernels.sharpen(), padding=1)[0, 0],
                "the sharpen kernel on the top-left corner, with one ring of zero padding"),
}
