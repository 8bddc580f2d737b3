"""Expected answers for notebook 07's number-answer exercises (read by ``check_answer``)."""
import numpy as np

from ..losses import categorical_cross_entropy, entropy, log_softmax, softmax
from ..optim import gradient_descent

NOTES_SCORES = np.array([1.3, 5.1, 2.2])


def _softmax_gradient(scores=NOTES_SCORES, true_class=0, h=1e-6):
    """dL/dz of L = -log softmax(z)[true_class], by centred finite differences (no formula)."""
    loss = lambda z: -log_softmax(z)[true_class]
    return np.array([(loss(scores + h * e) - loss(scores - h * e)) / (2 * h) for e in np.eye(scores.size)])


def _descent_factor(lr=0.3):
    path = gradient_descent(lambda w: 2 * w, start=1.0, lr=lr, steps=1)
    return path[1, 0] / path[0, 0]


ANSWERS = {
    "die_entropy_bits": (lambda: entropy(np.full(8, 1 / 8)),
                         "for K equally likely outcomes H = log2 K bits"),
    "one_sample_nats": (lambda: categorical_cross_entropy(np.array([0]), np.array([[0.25, 0.75]])),
                        "with a one-hot truth the loss is -ln(probability of the true class)"),
    "softmax_second": (lambda: softmax(np.array([0.0, np.log(3)]))[1],
                       "e^0 = 1 and e^(ln 3) = 3"),
    "softmax_gradient": (_softmax_gradient,
                         {"hint": "softmax(z) is [0.021, 0.928, 0.051]; subtract 1 where the label is",
                          "rtol": 1e-3, "atol": 1e-4}),
    "descent_factor": (lambda: _descent_factor(0.3), "w - eta * 2w = (1 - 2 eta) w"),
}
