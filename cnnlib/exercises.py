"""Self-checks for the notebooks' exercises.

The student writes an answer in a cell and calls :func:`check`. The stored notebooks keep the
placeholders as ``None``, so a fresh run prints a reminder rather than failing.
"""
import numpy as np


def check(answer, expected, *, hint="", rtol=1e-3, atol=1e-9):
    """Compare the student's ``answer`` with ``expected`` and say so in one line.

    Numbers and arrays are compared with a tolerance (``rtol``, ``atol``); anything else with ==.
    Returns True when correct, False when not (or not yet answered).
    """
    if answer is None:
        print("Not answered yet: replace None with your answer and run the cell again.")
        return False
    try:
        answer_arr = np.asarray(answer, dtype=float)
        expected_arr = np.asarray(expected, dtype=float)
        correct = answer_arr.shape == expected_arr.shape and bool(
            np.allclose(answer_arr, expected_arr, rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        correct = answer == expected
    if correct:
        print("Correct!")
    else:
        print("Not yet." + (f" Hint: {hint}" if hint else " Compare with the worked solution below."))
    return correct
