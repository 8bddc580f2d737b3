"""Self-checks for the notebooks' exercises.

The student writes an answer in a cell and calls :func:`check`. The stored notebooks keep the
placeholders as ``None``, so a fresh run prints a reminder rather than failing.
"""
import contextlib
import copy
import math
import numbers
import signal
import threading
import time

import numpy as np

from ._checks import as_rng


def check(answer, expected, *, hint="", rtol=1e-3, atol=1e-9):
    """Compare the student's ``answer`` with ``expected`` and say so in one line.

    Numbers and arrays are compared with a tolerance (``rtol``, ``atol``); anything else with ==.
    Returns True when correct, False when not (or not yet answered).

    Inputs:   answer      the student's number, array or other value; None means not answered yet
              expected    the right value, of the same kind
              hint        a sentence printed after "Not yet."
              rtol, atol  relative and absolute tolerance for numbers and arrays
    Returns:  a bool, after printing one line ("Correct!", "Not yet. ..." or a reminder).

    >>> check((227 - 11) // 4 + 1, 55)             # AlexNet conv1: 11 x 11, stride 4 on 227 x 227
    Correct!
    True
    >>> check(54, 55, hint="(W - F + 2P)/S + 1 with W = 227")
    Not yet. Hint: (W - F + 2P)/S + 1 with W = 227
    False
    """
    if answer is None:
        print("Not answered yet: replace None with your answer and run the cell again.")
        return False
    if _is_complex(answer):
        print("Not yet: your answer holds complex numbers, and the answer is real."
              + (f" Hint: {hint}" if hint else ""))
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
        print("Not yet." + (f" Hint: {hint}" if hint else " Look at your working again, then run the cell."))
    return correct


class Case:
    """One call of the function under test: ``Case(x, w, stride=2)`` stands for ``f(x, w, stride=2)``.

    A plain tuple in ``cases`` means positional arguments only, a dict keyword arguments only;
    ``Case`` (or :func:`case`) carries both.
    """

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def describe(self):
        """A short text such as ``x: 5x5, w: 3x3, stride=2`` (arrays by shape, the rest by value)."""
        parts = [_describe_value(v) for v in self.args]
        parts += [f"{k}={_describe_value(v)}" for k, v in self.kwargs.items()]
        return ", ".join(parts)

    def __repr__(self):
        return f"Case({self.describe()})"


case = Case


def _describe_value(value):
    if isinstance(value, np.ndarray):
        return "array " + ("x".join(map(str, value.shape)) if value.ndim else "scalar")
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _as_case(item, index):
    if isinstance(item, Case):
        return item
    if isinstance(item, dict):
        return Case(**item)
    if isinstance(item, (tuple, list)):
        return Case(*item)
    raise TypeError(f"cases[{index}] must be a tuple of positional arguments, a dict of keyword "
                    f"arguments or a Case, got {type(item).__name__}")


def random_cases(make_case, n=10, *, rng=0):
    """``n`` random cases, reproducible: ``make_case(rng)`` builds one from a seeded Generator
    (``rng``: an int seed, a numpy Generator or None).

    ``make_case`` returns what :func:`check_function` accepts as a case (a tuple of positional
    arguments, a dict, or a :class:`Case`). Random shapes catch answers that only work for the
    fixed examples (a square image, stride 1, ...).

    Inputs:   make_case  a function of a numpy Generator returning one case
              n          how many cases (int >= 0)
              rng        an int seed, a numpy Generator or None
    Returns:  a list of n :class:`Case` objects (``.args``, ``.kwargs``).

    >>> cases = random_cases(lambda rng: (rng.standard_normal(rng.integers(1, 5)),), n=3)
    >>> len(cases), cases[0].args[0].ndim
    (3, 1)
    """
    if not callable(make_case):
        raise TypeError(f"make_case must be a function of a numpy Generator, got {type(make_case).__name__}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    rng = as_rng(rng)
    return [_as_case(make_case(rng), i) for i in range(n)]


class _Unanswered(Exception):
    """The student's function is still the stub (NotImplementedError or returned None)."""


class _TimedOut(BaseException):
    """Raised inside the student's function when its time is up. A BaseException, like
    KeyboardInterrupt, so that an ``except Exception:`` in the student's loop cannot swallow it."""


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise :class:`_TimedOut` in the block once ``seconds`` have passed, by SIGALRM.

    Signals reach only the main thread, which is where Jupyter runs a cell; elsewhere (another
    thread, or Windows, which has no setitimer) the block runs without a limit. The previous
    SIGALRM handler is put back afterwards, and a timer someone else had set (pytest-timeout,
    say) is re-armed with the time it had left.
    """
    if seconds is None or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise _TimedOut

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        # None: the previous handler was not set from Python; the default is the closest we can restore.
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous_handler is None else previous_handler)
        if previous_delay:
            left = max(previous_delay - (time.monotonic() - started), 1e-6)
            signal.setitimer(signal.ITIMER_REAL, left, previous_interval)


def _check_time_limit(time_limit):
    if time_limit is None:
        return None
    if isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real):
        raise TypeError(f"time_limit must be a number of seconds or None, got {type(time_limit).__name__} "
                        f"{time_limit!r}")
    if not (math.isfinite(time_limit) and time_limit > 0):
        raise ValueError(f"time_limit must be a positive, finite number of seconds (or None for no limit), "
                         f"got {time_limit!r}")
    return float(time_limit)


def _student_line(tb):
    """The deepest traceback frame in the student's code: skip numpy, cnnlib and the standard
    library, so an IndexError raised deep inside numpy points at the student's line."""
    import os
    import traceback
    frames = traceback.extract_tb(tb)[1:]           # frame 0 is our own call
    library_dirs = tuple(os.path.dirname(os.path.dirname(m.__file__)) + os.sep
                         for m in (np, traceback)) + (os.path.dirname(__file__) + os.sep,)
    own = [f for f in frames if not f.filename.startswith(library_dirs)]
    frame = (own or frames or [None])[-1]
    if frame is None:
        return ""
    code = f": `{frame.line.strip()}`" if frame.line else ""
    return f"line {frame.lineno} of {frame.name}{code}"


def _is_complex(value):
    """True for a complex number or an array (or list) holding complex numbers. Casting one to
    float would keep the real part with only a warning, so a wrong answer could pass."""
    try:
        return np.iscomplexobj(np.asarray(value))
    except (TypeError, ValueError):
        return False


def _first_difference(got, expected, rtol, atol):
    """None when ``got`` matches ``expected`` (an array or number); otherwise why not, in words."""
    if _is_complex(got):
        return f"returned complex numbers (dtype {np.asarray(got).dtype}), expected real ones"
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected an array of numbers, got {type(got).__name__} {_describe_value(got)}"
    expected_arr = np.asarray(expected, dtype=float)
    if got_arr.shape != expected_arr.shape:
        return f"wrong shape (got {got_arr.shape}, expected {expected_arr.shape})"
    wrong = ~np.isclose(got_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True)
    if not wrong.any():
        return None
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (f"first wrong entry at index {index}: got {got_arr[index]:.6g}, "
            f"expected {expected_arr[index]:.6g} ({int(wrong.sum())} of {wrong.size} entries differ)")


def _compare(got, expected, rtol, atol, output_names):
    """Like :func:`_first_difference`, also for a tuple of results, naming the wrong element."""
    if not isinstance(expected, (tuple, list)):
        return _first_difference(got, expected, rtol, atol)
    names = list(output_names or [f"element {i}" for i in range(len(expected))])
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        what = f"a tuple of {len(got)}" if isinstance(got, (tuple, list)) else type(got).__name__
        return f"expected a tuple of {len(expected)} results ({', '.join(names)}), got {what}"
    for i, (g, e) in enumerate(zip(got, expected)):
        problem = _first_difference(g, e, rtol, atol)
        if problem:
            return f"{names[i]} (result {i} of {len(expected)}) is wrong: {problem}"
    return None


def _array_changed(before, after):
    """True when ``before`` is an array and ``after`` (the same argument after the call) differs from it."""
    if not isinstance(before, np.ndarray):
        return False
    if not isinstance(after, np.ndarray) or after.shape != before.shape:
        return True
    try:
        return not np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
    except TypeError:                     # object arrays: compare without the NaN rule
        return not np.array_equal(before, after)


def _changed_argument(student_fn, pristine, passed):
    """The name of the first array argument the student's function changed in place, or None.

    The reference never sees the student's copies, so a change cannot spoil the expected result;
    but a function that updates its caller's arrays (``m *= beta1``) breaks code that reuses them,
    and an exercise that asks for new arrays must say so."""
    import inspect
    try:
        names = [p.name for p in inspect.signature(student_fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):       # a builtin or a callable without a signature
        names = []
    passed_args, passed_kwargs = passed
    for i, (before, after) in enumerate(zip(pristine.args, passed_args)):
        if _array_changed(before, after):
            return f"{names[i]!r}" if i < len(names) else f"number {i + 1}"
    for key, before in pristine.kwargs.items():
        if _array_changed(before, passed_kwargs.get(key)):
            return repr(key)
    return None


def _named_mistake(mistakes, this, got, expected, rtol, atol, output_names):
    """The phrase of the first known mistake whose result on this case equals the student's (and
    differs from the right one), or None."""
    import copy
    for phrase, wrong_fn in (mistakes or {}).items():
        try:
            with np.errstate(all="ignore"):
                wrong = wrong_fn(*copy.deepcopy(this.args), **copy.deepcopy(this.kwargs))
        except Exception:                 # the mistake cannot even run on this case: not this one
            continue
        if _compare(wrong, expected, rtol, atol, output_names) is None:
            continue                      # on this case the mistake gives the right answer
        if _compare(got, wrong, rtol, atol, output_names) is None:
            return phrase
    return None


def _check_mistakes(mistakes):
    if mistakes is None:
        return None
    if not isinstance(mistakes, dict) or not all(isinstance(k, str) and callable(v) for k, v in mistakes.items()):
        raise TypeError("mistakes must be a dict mapping a phrase (what the mistake is) to a function that "
                        "makes it, such as cnnlib.mistakes.CONV2D")
    return mistakes


def check_function(student_fn, reference_fn, cases, *, name=None, hint="", rtol=1e-6, atol=1e-8,
                   output_names=None, time_limit=10, mistakes=None):
    """Run the student's function on every case, compare with cnnlib's, and say how it went in one line.

    ``cases``: a list of tuples (positional arguments), dicts (keyword arguments) or :class:`Case`
    objects (both), e.g. fixed hand-checkable examples followed by :func:`random_cases`. Each
    function gets its own copy of the arguments, so an answer that changes its input in place
    cannot spoil the reference. Results (an array, a number, or a tuple of arrays such as a
    backward pass's ``(grad_x, grad_w, grad_b)``, named by ``output_names``) must match in shape
    and agree within ``rtol``/``atol``; complex results are refused, not cut to their real part.
    Prints exactly one of:

        Not yet: <name> is not written yet ...           (NotImplementedError, or returned None)
        Not yet: wrong shape (got .., expected ..) for case ..
        Not yet: first wrong entry at index (i, j): got .., expected .. (case ..)
        Not yet: returned complex numbers (dtype complex128), expected real ones for case ..
        Not yet: <name> raised IndexError: ... at line 7 of <name>: ...     (two lines at most)
        Not yet: <name> changed its argument 'm' in place on case ..
        Not yet: <name> ignores the stride ...: on case .. its result is exactly what that mistake gives.
        Not yet: <name> called exit() (SystemExit: 0) on case ..; a function should return ...
        Not yet: <name> took longer than 10 s on case ..: an endless loop? ... (two lines at most)
        Correct! N cases agree with cnnlib's <reference>.

    Nothing the student's function does raises out of this call, except KeyboardInterrupt (the
    stop button must still stop it). Returns True when correct.

    ``time_limit``: seconds each call of the student's function may take (default 10; None for no
    limit), so an endless loop ends with a message instead of holding the cell. It uses SIGALRM in
    the main thread (where Jupyter runs cells); in another thread, or on Windows, there is no
    limit. A long numpy operation is stopped only when it returns to Python.

    Inputs:   student_fn    the student's function
              reference_fn  cnnlib's function with the same arguments
              cases         a list of argument tuples, dicts or :class:`Case` objects (at least one)
              name          the student's function's name in the message (default its __name__)
              hint          a sentence added when it is wrong;  rtol, atol  the tolerance
              output_names  names of the results when the function returns a tuple
              time_limit    seconds per case for the student's function, a positive number or None
              mistakes      known wrong versions, {phrase: function} (cnnlib.mistakes): when the
                            student's result equals one, the message names that mistake
    Returns:  a bool, after printing one line ("Correct! ..." or "Not yet: ...").

    >>> def my_relu(z):
    ...     return np.maximum(z, 0)
    >>> check_function(my_relu, lambda z: np.where(z > 0, z, 0.0), [(np.array([-1.0, 2.0]),)],
    ...                name="my_relu")
    Correct! 1 case agrees with cnnlib's <lambda>.
    True
    """
    if not callable(student_fn):
        raise TypeError(f"student_fn must be a function, got {type(student_fn).__name__}")
    if not callable(reference_fn):
        raise TypeError(f"reference_fn must be a function, got {type(reference_fn).__name__}")
    if isinstance(cases, (str, bytes, dict)) or not hasattr(cases, "__iter__"):
        raise TypeError(f"cases must be a list of argument tuples, dicts or Case objects, got {type(cases).__name__}")
    cases = [_as_case(item, i) for i, item in enumerate(cases)]
    if not cases:
        raise ValueError("cases must hold at least one case")
    time_limit = _check_time_limit(time_limit)
    mistakes = _check_mistakes(mistakes)
    name = name or getattr(student_fn, "__name__", "your function")
    reference_name = getattr(reference_fn, "__name__", "reference")
    hint_text = f" Hint: {hint}" if hint else ""
    for number, this in enumerate(cases):
        where = f"case {number} ({this.describe()})"
        expected = reference_fn(*copy.deepcopy(this.args), **copy.deepcopy(this.kwargs))
        arguments = copy.deepcopy(this.args), copy.deepcopy(this.kwargs)
        try:
            with _time_limit(time_limit):
                got = student_fn(*arguments[0], **arguments[1])
            if got is None and expected is not None:
                raise _Unanswered("returned None")
        except _TimedOut as stop:
            line = _student_line(stop.__traceback__)
            print(f"Not yet: {name} took longer than {time_limit:g} s on {where}: an endless loop?"
                  + (f"\n  Stopped at {line}." if line else "") + hint_text)
            return False
        except SystemExit as err:
            print(f"Not yet: {name} called exit() (SystemExit: {err.code}) on {where}; a function should "
                  f"return its result instead.{hint_text}")
            return False
        except (_Unanswered, NotImplementedError) as stub:
            how = "returned None" if isinstance(stub, _Unanswered) else "raised NotImplementedError"
            print(f"Not yet: {name} is not written yet (it {how}); replace the placeholder with "
                  f"your code and run the cell again.{hint_text}")
            return False
        except Exception as err:  # the student's bug, reported rather than raised
            line = _student_line(err.__traceback__)
            message = str(err).strip().splitlines()[0] if str(err).strip() else "(no message)"
            print(f"Not yet: {name} raised {type(err).__name__}: {message} on {where}."
                  + (f"\n  At {line}." if line else "") + hint_text)
            return False
        changed = _changed_argument(student_fn, this, arguments)
        if changed:
            print(f"Not yet: {name} changed its argument {changed} in place on {where}; compute new arrays "
                  f"(x = x * 2, not x *= 2) and leave the caller's unchanged.{hint_text}")
            return False
        problem = _compare(got, expected, rtol, atol, output_names)
        if problem:
            named = _named_mistake(mistakes, this, got, expected, rtol, atol, output_names)
            if named:
                print(f"Not yet: {name} {named}: on {where} its result is exactly what that mistake gives.")
            else:
                print(f"Not yet: {problem} for {where}.{hint_text}")
            return False
    agree = "case agrees" if len(cases) == 1 else "cases agree"
    print(f"Correct! {len(cases)} {agree} with cnnlib's {reference_name}.")
    return True


def answer_table(notebook):
    """The answer table of a notebook's number questions: ``cnnlib/answers/<slug>.py``'s ``ANSWERS``.

    Inputs:   notebook  the notebook's slug in the manifest (:mod:`cnnlib.series`), a str such as
                        "convolution_2d"
    Returns:  a dict, exercise key -> ``(expected, hint)`` (see :func:`check_answer`); raises
              ``KeyError`` for a slug the manifest does not list or a notebook without a table.

    >>> sorted(answer_table("index"))
    ['example']
    """
    import importlib

    from . import series
    if not isinstance(notebook, str):
        raise TypeError(f"notebook must be a notebook's slug (a str such as 'convolution_2d'), got {notebook!r}")
    entry = series.notebook(notebook)
    try:
        return importlib.import_module(f"cnnlib.answers.{entry.slug}").ANSWERS
    except ModuleNotFoundError as err:
        if err.name != f"cnnlib.answers.{entry.slug}":
            raise
        raise KeyError(f"notebook {entry.stem} has no answer table: write cnnlib/answers/{entry.slug}.py") from None


def check_answer(notebook, exercise, answer):
    """Check a number-answer exercise without the expected value appearing in the notebook.

    ``notebook`` is the notebook's slug in the manifest, :mod:`cnnlib.series` ("convolution_2d"),
    ``exercise`` the exercise's key in that notebook's answer table, ``cnnlib/answers/<slug>.py``:
    a dict ``ANSWERS`` mapping the key to ``(expected, hint)``, where ``expected`` is a function of
    no arguments (computed with cnnlib, so the answer stays right if the maths changes) and
    ``hint`` a sentence. Prints one line, as :func:`check` does, and returns True when correct. An
    unknown notebook or key is the author's mistake and raises ``KeyError`` naming those that exist.

    Inputs:   notebook  the notebook's slug, a str such as "convolution_2d"
              exercise  the exercise's key (a str) in that notebook's ANSWERS
              answer    the student's number or array, or None (not answered yet)
    Returns:  a bool, after printing one line as :func:`check` does.

    >>> check_answer("index", "example", None)
    Not answered yet: replace None with your answer and run the cell again.
    False
    >>> check_answer("index", "example", 114)
    Correct!
    True
    """
    table = answer_table(notebook)
    if exercise not in table:
        raise KeyError(f"notebook {notebook} has no exercise {exercise!r}; it has {sorted(table)}")
    expected, hint = table[exercise]
    options = {}
    if isinstance(hint, dict):          # (expected, {"hint": ..., "rtol": ...}) for a custom tolerance
        options, hint = dict(hint), hint.get("hint", "")
        options.pop("hint", None)
    return check(answer, expected(), hint=hint, **options)


__all__ = ["check", "Case", "random_cases", "check_function", "check_answer", "answer_table"]
