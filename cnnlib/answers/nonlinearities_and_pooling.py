"""Expected answers for notebook 06's number-answer exercises (read by ``check_answer``)."""
import numpy as np

from ..pooling import max_pool2d
from ..shapes import output_size

EXERCISE_MAP = np.array([[1, 9, 2, 2], [3, 4, 8, 1], [0, 0, 5, 6], [7, 1, 6, 5]], dtype=float)

ANSWERS = {
    "max_pool_by_hand": (lambda: max_pool2d(EXERCISE_MAP, 2),
                         "take the largest of the four numbers in each quadrant"),
    "alexnet_pool_side": (lambda: output_size(13, 3, stride=2),
                          "floor((W - F) / S) + 1 with W = 13, F = 3, S = 2"),
    "sigmoid_layers": (lambda: next(n for n in range(1, 100) if 0.25 ** n < 1e-6),
                       "0.25**n = 4**(-n), and 4**10 is just over a million"),
    "dropout_scale": (lambda: 1 / (1 - 0.2), "divide by the keep probability 1 - p"),
}
