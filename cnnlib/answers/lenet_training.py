"""Expected answers of notebook 10's number exercises (see :func:`cnnlib.exercises.check_answer`)."""
import numpy as np

from ..losses import categorical_cross_entropy
from ..nn import Conv2D, Sequential, lenet5, summary


def _conv2_multiplications():
    conv2 = lenet5().layers[3]
    return int(np.prod(conv2.output_shape((6, 14, 14)))) * conv2.params["weight"][0].size


ANSWERS = {
    "conv_parameters": (lambda: summary(Conv2D(6, 32, 3), (6, 14, 14)).total_params,
                        "each filter spans all 6 input channels, and each filter has one bias"),
    "flatten_unpadded": (lambda: Sequential(*lenet5().layers[:7]).output_shape((1, 28, 28))[0],
                         "28 -> 24 -> 12 -> ? -> ?, times 16 maps"),
    "initial_loss_5_classes": (lambda: categorical_cross_entropy(np.array([0]), np.full((1, 5), 0.2)),
                               "every class gets probability 1/5; the loss is -ln(probability of the true class)"),
    "conv2_multiplications": (_conv2_multiplications,
                              "how many output numbers does conv2 produce, and how many weights does each one use?"),
    "variant_parameters": (lambda: summary(lenet5(activation="tanh", pool="avg")).total_params,
                           "which layers have parameters, and did any of them change?"),
}
