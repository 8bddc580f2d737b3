"""Answers to notebook 08's number exercise (read by ``check_answer``)."""
import numpy as np

from .. import kernels
from ..conv import conv2d_backward
from .index import IMAGE


def _stride_two_gradient():
    # L = the sum of the outputs, so dL/d(output) is all ones; the 5x5 image with padding 1 and
    # stride 2 gives a 3x3 output.
    grad_x, _, _ = conv2d_backward(np.ones((3, 3)), IMAGE, kernels.sharpen(), stride=2, padding=1)
    return grad_x[1, 1]


ANSWERS = {
    "stride_grad": (_stride_two_gradient,
                    "list the outputs whose window covers (1, 1), and through which weight"),
}
