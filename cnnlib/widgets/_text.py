"""Reading the numbers a student types into a text box: one set of rules for every box.

Stricter than Python's ``float()``, which would take "1_000" (digit groups), "nan", "inf" and
digits of other scripts, and stricter than splitting on commas, which would skip the empty entry
in "1,,2": each of those is more likely a slip than a wish, so each is refused with a sentence.
"""
import re

import numpy as np

# Plain decimals: optional sign, digits with an optional point (or a point and digits), optional
# exponent. ASCII digits only ([0-9], not \d, which also matches other scripts' digits).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_FLOAT_MAX = float(np.finfo(np.float64).max)


def parse_numbers(text, noun, *, example, count, max_abs=None):
    """'0.1, 0.2 0.7' -> array([0.1, 0.2, 0.7]); raises ValueError with a sentence for the student.

    Numbers are separated by commas, semicolons or spaces; every entry between two commas must hold
    a number. ``noun``: what one number is called ("weight"); ``example``: a valid text to show;
    ``count``: (fewest, most) numbers; ``max_abs``: the largest size allowed (default: any finite
    float64).

    Inputs:   text  str; noun  str; example  str; count  (int, int); max_abs  number or None
    Returns:  1D float64 array

    >>> parse_numbers("0.5; -2 1e2", "score", example="1, 2", count=(1, 5))
    array([  0.5,  -2. , 100. ])
    """
    entries = re.split(r"[,;]", str(text))
    words = [entry.split() for entry in entries]
    count_typed = sum(len(entry_words) for entry_words in words)
    fewest, most = count
    if count_typed < fewest:
        raise ValueError(f"Type at least one {noun}, e.g. {example}" if fewest == 1 else
                         f"Type between {fewest} and {most} {noun}s separated by commas, e.g. {example} "
                         f"(got {count_typed})")
    if count_typed > most:
        raise ValueError(f"Type at most {most} {noun}s (got {count_typed}), so the picture stays readable and "
                         f"quick to redraw.")
    empty = next((position for position, entry_words in enumerate(words, 1) if not entry_words), None)
    if empty is not None:
        raise ValueError(f"Entry {empty} of {len(entries)} is empty: type one {noun} between each pair of commas, "
                         f"e.g. {example}")
    limit = _FLOAT_MAX if max_abs is None else max_abs
    values = []
    for piece in (word for entry_words in words for word in entry_words):
        if not _NUMBER.fullmatch(piece):
            raise ValueError(f"Could not read {piece!r} as a finite number: type plain decimals such as 0.25, -3 or "
                             f"1e-4 (no '_', nan or inf), separated by commas.")
        value = float(piece)
        if not abs(value) <= limit:                # also an exponent beyond float64: float('1e400') is inf
            raise ValueError(f"The {noun} {piece!r} is too large: keep {noun}s between -{limit:g} and {limit:g}.")
        values.append(value)
    return np.array(values)
