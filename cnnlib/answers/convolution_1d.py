"""Answers to notebook 01's number exercises (the flight readings of seed 004)."""
import numpy as np

from ..conv import conv1d

READINGS = np.array([1.00, 1.10, 1.20, 1.40, 1.70, 1.80, 1.90, 2.10, 2.20, 2.40, 2.50, 2.70])
WEIGHTS = np.array([0.01, 0.01, 0.02, 0.02, 0.04, 0.4, 0.5])     # w_-6 ... w_0, oldest first

ANSWERS = {
    "s11": (lambda: conv1d(READINGS, WEIGHTS)[-1],
            "the window is x_5 ... x_11; w_0 = 0.5 multiplies x_11 = 2.70"),
    "full_length": (lambda: conv1d(READINGS, np.ones(5), padding="full").size,
                    "full keeps every overlap: n + k - 1"),
    "plain_s11": (lambda: conv1d(READINGS, np.full(3, 1 / 3))[-1], "average x_9, x_10 and x_11"),
    "speed": (lambda: np.diff(READINGS), "w_0 multiplies x_t and w_-1 multiplies x_(t-1)"),
    "lag": (lambda: np.arange(2, -1, -1) @ np.array([0.25, 0.25, 0.5]),
            "the oldest weight is 2 steps back, the middle one 1 step, the newest 0"),
}
