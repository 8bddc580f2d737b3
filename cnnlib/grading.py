"""Assertions for graded notebooks: what the test cells of the nbgrader course call.

``scripts/build_course.py`` turns each write-the-code exercise of the series into an answer cell and
read-only test cells. The test cells stay short because the work is done here:

- :func:`assert_agrees` is :func:`cnnlib.exercises.check_function` as an assertion: the same cases,
  the same comparison and the same one-line message, raised as an ``AssertionError`` so that the
  autograder counts the cell as failed;
- with ``blocked=[conv2d]`` it runs the student's function while cnnlib's ``conv2d`` (and its loop
  twin ``conv2d_naive``) cannot be called (:func:`reference_blocked`), so an answer that only hands
  the work to cnnlib fails. The expected results are computed with cnnlib before each student call.

The self-checks students run while learning stay in :mod:`cnnlib.exercises`; only graded test
cells use this module.
"""
import contextlib
import functools
import io
import sys

from .exercises import check_function

__all__ = ["ReferenceBlocked", "assert_agrees", "reference_blocked"]


class ReferenceBlocked(RuntimeError):
    """Raised when a student's function calls the cnnlib function it was asked to write."""


def _naive_twins(function):
    """cnnlib's loop version of ``function``, if it has one: ``conv2d`` -> ``conv2d_naive``.
    Pooling has one loop version for both modes: ``max_pool2d`` -> ``pool2d_naive``."""
    module = sys.modules.get(function.__module__)
    name = function.__name__
    candidates = [f"{name}_naive"]
    if name.startswith(("max_", "avg_")):
        candidates.append(f"{name[4:]}_naive")
    twins = [getattr(module, candidate, None) for candidate in candidates]
    return [twin for twin in twins if callable(twin)]


def _stand_in(function, student):
    def blocked(*args, **kwargs):
        raise ReferenceBlocked(f"{student} called cnnlib's {function.__name__}: write it yourself")
    blocked.__name__ = f"blocked_{function.__name__}"
    return blocked


def _cnnlib_modules():
    return [module for name, module in list(sys.modules.items())
            if module is not None and (name == "cnnlib" or name.startswith("cnnlib."))]


def _is_cnnlib_function(function):
    module = str(getattr(function, "__module__", ""))
    return callable(function) and (module == "cnnlib" or module.startswith("cnnlib."))


def _check_blockable(namespace, functions, student, argument="functions"):
    """Raise a TypeError or ValueError naming ``argument`` unless these can be blocked."""
    if not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict of names such as the notebook's globals(), "
                        f"got {type(namespace).__name__}")
    if not functions:
        raise ValueError(f"{argument} must name at least one cnnlib function to block")
    for function in functions:
        if not _is_cnnlib_function(function):
            raise ValueError(f"{argument} must hold cnnlib's own functions; "
                             f"{getattr(function, '__name__', repr(function))!r} is not one")
    if not isinstance(student, str):
        raise TypeError(f"student must be the student's function's name (a str), got {type(student).__name__}")


@contextlib.contextmanager
def reference_blocked(namespace, *functions, student="your function"):
    """While the ``with`` block runs, calling any of cnnlib's ``functions`` raises :class:`ReferenceBlocked`.

    Every binding of each function, and of its loop twin (``conv2d_naive`` for ``conv2d``,
    ``pool2d_naive`` for ``max_pool2d``), is replaced: under any name in ``namespace`` (the
    notebook's ``globals()``) and in every loaded ``cnnlib`` module, so ``cnnlib.conv2d``,
    ``from cnnlib.conv import conv2d as c`` and cnnlib's own layers that call it are all caught.
    Other cnnlib functions keep working: a convolution's backward pass may still call ``conv2d``.
    The original bindings come back when the block ends, also after an error.

    Inputs:   namespace  a dict of names, usually the notebook's globals()
              functions  cnnlib functions, such as conv2d (at least one)
              student    the student's function's name, for the error message
    Returns:  a context manager (use it in a ``with`` statement).

    >>> import cnnlib
    >>> with reference_blocked(globals(), cnnlib.relu, student="my_relu"):
    ...     cnnlib.relu(np.array([-1.0, 2.0]))
    Traceback (most recent call last):
        ...
    cnnlib.grading.ReferenceBlocked: my_relu called cnnlib's relu: write it yourself
    >>> cnnlib.relu(np.array([-1.0, 2.0]))           # back to normal after the block
    array([0., 2.])
    """
    _check_blockable(namespace, functions, student)
    stand_ins = {}
    for function in functions:
        for blocked in [function, *_naive_twins(function)]:
            stand_ins[id(blocked)] = _stand_in(blocked, student)
    replaced = []                     # (dict, name, original) to put back
    for names in [namespace] + [vars(module) for module in _cnnlib_modules()]:
        for name, value in list(names.items()):
            if id(value) in stand_ins and callable(value):
                replaced.append((names, name, value))
                names[name] = stand_ins[id(value)]
    try:
        yield
    finally:
        for names, name, original in reversed(replaced):
            names[name] = original


def _run_blocked(student_fn, namespace, blocked, name):
    """``student_fn`` with ``blocked`` unavailable while it runs; it keeps the student's signature
    (functools.wraps), so messages name the student's own arguments."""
    @functools.wraps(student_fn)
    def tested(*args, **kwargs):
        with reference_blocked(namespace, *blocked, student=name):
            return student_fn(*args, **kwargs)
    return tested


def assert_agrees(student_fn, reference_fn, cases, *, blocked=(), namespace=None, **options):
    """Fail unless the student's function agrees with the reference on every case.

    :func:`cnnlib.exercises.check_function` as an assertion, for graded test cells: on success it
    prints check_function's "Correct! ..." line; otherwise it raises ``AssertionError`` with its
    "Not yet: ..." message (the first wrong case and entry, or the student's line that raised).
    With ``blocked`` (cnnlib functions, usually the reference itself), the student's function runs
    inside :func:`reference_blocked`, so one that merely calls cnnlib fails; the reference still
    computes the expected result of each case first.

    Inputs:   student_fn    the student's function
              reference_fn  the function it must agree with (cnnlib's, usually)
              cases         a list of argument tuples, dicts or Case objects, as for check_function
              blocked       cnnlib functions the student's function must not call (default: none)
              namespace     the notebook's globals(); needed with ``blocked``
              options       check_function's keywords: name, hint, rtol, atol, output_names, ...
    Returns:  None, after printing one "Correct!" line; raises AssertionError when not correct.

    >>> import cnnlib
    >>> def my_relu(z):
    ...     return np.maximum(z, 0)
    >>> assert_agrees(my_relu, cnnlib.relu, [(np.array([-1.0, 2.0]),)], blocked=[cnnlib.relu],
    ...               namespace=globals())
    Correct! 1 case agrees with cnnlib's relu.
    >>> def lazy_relu(z):
    ...     return cnnlib.relu(z)
    >>> assert_agrees(lazy_relu, cnnlib.relu, [(np.array([-1.0, 2.0]),)], blocked=[cnnlib.relu],
    ...               namespace=globals())
    Traceback (most recent call last):
        ...
    AssertionError: Not yet: lazy_relu raised ReferenceBlocked: lazy_relu called cnnlib's relu: write it yourself ...
    """
    if not callable(student_fn):
        raise TypeError(f"student_fn must be a function, got {type(student_fn).__name__}")
    if isinstance(blocked, (str, bytes)) or not hasattr(blocked, "__iter__"):
        raise TypeError(f"blocked must be a list of cnnlib functions, got {type(blocked).__name__}")
    blocked = list(blocked)
    name = options.pop("name", None) or getattr(student_fn, "__name__", "your function")
    if blocked:
        _check_blockable(namespace, blocked, name, "blocked")  # now, rather than on the first case
    tested = _run_blocked(student_fn, namespace, blocked, name) if blocked else student_fn
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        correct = check_function(tested, reference_fn, cases, name=name, **options)
    message = printed.getvalue().strip()
    if not correct:
        raise AssertionError(message)
    print(message)
