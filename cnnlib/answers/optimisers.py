"""Answers to notebook 09's number exercises (read by ``check_answer``)."""
import numpy as np

from ..optim import adam_update, sgd_update


def _steady_slope_velocity(momentum=0.99, steps=5000):
    # Momentum on a constant gradient of 1: the velocity settles at the sum of the geometric series.
    velocity = None
    for _ in range(steps):
        _, velocity = sgd_update(np.zeros(1), np.ones(1), velocity, lr=0.1, momentum=momentum)
    return velocity[0]


def _first_adam_step_over_lr():
    # One Adam step with beta2 = 0.99 and no bias correction in the ratio: m / sqrt(v), in units of lr.
    _, m, v = adam_update(np.array([0.0]), np.array([5.0]), None, None, 1, lr=1.0, beta2=0.99)
    return m[0] / np.sqrt(v[0])


ANSWERS = {
    "steady_velocity": (_steady_slope_velocity, "v = g (1 + beta + beta^2 + ...), a geometric series"),
    "uncorrected_step": (_first_adam_step_over_lr,
                         "m = (1 - beta1) g and v = (1 - beta2) g^2 after one step"),
}
