"""Expected answers for notebook 05's number-answer exercises (read by ``check_answer``)."""
import numpy as np

from ..conv import conv_matrix
from ..shapes import conv_parameter_count, dense_parameter_count, receptive_field


def _inputs_seen(neuron, stride):
    """Inputs (numbered 1..16 row by row) that one neuron of a 2x2 kernel on a 4x4 input sees."""
    row = conv_matrix((4, 4), np.ones((2, 2)), stride=stride)[neuron]
    return [int(i) + 1 for i in np.flatnonzero(row)]


ANSWERS = {
    "h22_inputs": (lambda: _inputs_seen(3, stride=2),
                   "h22 is the bottom-right window: rows 3-4 and columns 3-4 of the grid"),
    "nonzero_stride1": (lambda: np.count_nonzero(conv_matrix((4, 4), np.ones((2, 2)), stride=1)),
                        "count the neurons first (the output size), then multiply by the inputs each one sees"),
    "dense_colour": (lambda: dense_parameter_count(32 * 32 * 3, 28 * 28 * 6, bias=False),
                     "inputs x outputs, with 3 numbers per input pixel"),
    "three_3x3_weights": (lambda: 3 * conv_parameter_count(3, 1, 1, bias=False),
                          "each 3x3 layer with one input and one output channel has 9 weights"),
    "stride2_field": (lambda: receptive_field([(3, 2), (3, 1), (3, 1)]),
                      "after a stride-2 layer, one step between neighbouring neurons is 2 input pixels"),
}
