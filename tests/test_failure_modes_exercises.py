"""A student's function that never returns, exits the interpreter or returns complex numbers:
check_function must still answer in its one-line form and give the cell back."""
import signal
import sys
import threading
from functools import partial

import numpy as np
import pytest

from cnnlib import conv2d
from cnnlib.exercises import check, check_function

CASES = [(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))]

needs_alarm = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no SIGALRM timer on this platform")


def run(capsys, student, **kwargs):
    result = check_function(student, conv2d, CASES, **kwargs)
    return result, capsys.readouterr().out


@needs_alarm
def test_an_endless_loop_is_stopped_and_named(capsys):
    def my_conv(x, w):
        total = 0
        while True:
            total += 1

    result, out = run(capsys, my_conv, time_limit=0.5)
    assert result is False
    first, second = out.splitlines()
    assert first == "Not yet: my_conv took longer than 0.5 s on case 0 (array 3x3, array 2x2): an endless loop?"
    assert second.startswith("  Stopped at line ") and "of my_conv: `" in second


@needs_alarm
def test_a_loop_that_catches_every_exception_is_stopped_too(capsys):
    def my_conv(x, w):
        while True:
            try:
                x = x + 1
            except Exception:     # a student's catch-all must not swallow the time limit
                pass

    result, out = run(capsys, my_conv, time_limit=0.5)
    assert result is False and "took longer than 0.5 s on case 0" in out


@needs_alarm
def test_the_previous_alarm_handler_and_timer_are_restored(capsys):
    def outer_handler(signum, frame):
        raise AssertionError("the outer alarm fired during the test")

    before = signal.signal(signal.SIGALRM, outer_handler)
    signal.setitimer(signal.ITIMER_REAL, 300)              # someone else's limit, e.g. pytest-timeout
    try:
        result, out = run(capsys, lambda x, w: conv2d(x, w), time_limit=5)
        assert result is True and out.startswith("Correct!")
        assert signal.getsignal(signal.SIGALRM) is outer_handler
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left <= 300                             # still armed, with the time it had left
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


def test_without_an_outer_timer_none_is_left_running(capsys):
    result, _ = run(capsys, lambda x, w: conv2d(x, w), time_limit=5)
    assert result is True
    if hasattr(signal, "getitimer"):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_outside_the_main_thread_it_runs_without_a_limit(capsys):
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(
        result=check_function(lambda x, w: conv2d(x, w), conv2d, CASES, time_limit=5)))
    thread.start()
    thread.join()
    assert outcome == {"result": True}
    assert capsys.readouterr().out.startswith("Correct! 1 case agrees")


def test_exit_is_reported_and_keyboard_interrupt_still_stops(capsys):
    def quits(x, w):
        sys.exit(3)

    result, out = run(capsys, quits)
    assert result is False
    assert out == ("Not yet: quits called exit() (SystemExit: 3) on case 0 (array 3x3, array 2x2); a function "
                   "should return its result instead.\n")

    def interrupted(x, w):
        raise KeyboardInterrupt    # what the stop button raises: it must stop the cell, not be graded
    with pytest.raises(KeyboardInterrupt):
        run(capsys, interrupted, time_limit=5)


def test_complex_results_are_refused_not_cut_to_their_real_part(capsys):
    result, out = run(capsys, lambda x, w: conv2d(x, w) + 1e-3j)
    assert result is False
    assert out.startswith("Not yet: returned complex numbers (dtype complex128), expected real ones for case 0")
    result, out = run(capsys, lambda x, w: conv2d(x, w).astype(complex))    # real values in a complex array
    assert result is False and "complex" in out
    assert check(55 + 1j, 55) is False
    assert capsys.readouterr().out == "Not yet: your answer holds complex numbers, and the answer is real.\n"


@pytest.mark.parametrize("time_limit, error", [
    (0, ValueError), (-1, ValueError), (float("inf"), ValueError), (float("nan"), ValueError),
    ("10", TypeError), (True, TypeError),
])
def test_time_limit_must_be_a_positive_number_of_seconds(time_limit, error):
    with pytest.raises(error, match="time_limit must be"):
        check_function(lambda x, w: conv2d(x, w), conv2d, CASES, time_limit=time_limit)


# ---------------------------------------------------------------------------------------------------
# Plausible wrong answers the series' checks must reject (issue 18: two checks accepted them).

def _notebook_cells(slug):
    """The cells of the notebook with this slug in the manifest (cnnlib/series.py)."""
    import nbformat
    from pathlib import Path

    from cnnlib import series
    path = Path(__file__).resolve().parent.parent / "notebooks" / series.notebook(slug).file
    return nbformat.read(path, as_version=4).cells


def _run_check_cell(slug, function_name, wrong):
    """Run the notebook's own check cell for ``function_name`` with ``wrong`` in its place; what it printed."""
    import contextlib
    import io
    import cnnlib
    from cnnlib import exercises, losses, optim
    cell = next(c for c in _notebook_cells(slug)
                if c.cell_type == "code" and f"check_function({function_name}," in c.source
                and "solution" not in c.metadata.get("tags", []))
    namespace = {"np": np, "cnnlib": cnnlib, function_name: wrong,
                 "softmax": losses.softmax, "log_softmax": losses.log_softmax, "adam_update": optim.adam_update,
                 **{name: getattr(exercises, name) for name in exercises.__all__}}
    namespace["case"] = exercises.case
    namespace.setdefault("my_log_softmax", losses.log_softmax)
    # The whole cell first (it may define the stub, the reference and the cases), then its
    # check_function calls again, with the wrong function in the stub's place.
    import ast
    checks = [node for node in ast.parse(cell.source).body
              if f"check_function({function_name}," in ast.get_source_segment(cell.source, node)]
    with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
        exec(compile(cell.source, f"<{slug} check cell>", "exec"), namespace)
    namespace[function_name] = wrong
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), np.errstate(all="ignore"):
        exec(compile(ast.Module(body=checks, type_ignores=[]), f"<{slug} check>", "exec"), namespace)
    return printed.getvalue()


def test_notebook_07_rejects_a_softmax_that_subtracts_the_batch_maximum():
    def global_max_softmax(z):
        shifted = np.exp(z - z.max())                     # the whole batch's maximum, not each row's
        return shifted / shifted.sum(axis=-1, keepdims=True)
    printed = _run_check_cell("entropy_and_cross_entropy", "my_softmax", global_max_softmax)
    assert printed.splitlines()[0].startswith("Not yet:"), printed


def test_notebook_09_rejects_an_adam_update_that_changes_the_callers_arrays():
    def in_place_adam(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m *= beta1                                        # the caller's m changes
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    printed = _run_check_cell("optimisers", "my_adam_update", in_place_adam)
    assert "Not yet: my_adam_update changed its argument 'm' in place on case 0" in printed, printed


def test_a_function_that_leaves_its_arguments_alone_is_not_accused():
    from cnnlib.exercises import check_function
    def scaled(x, factor=2.0):
        return x * factor                                 # a new array
    def scaled_in_place(x, factor=2.0):
        x *= factor
        return x
    cases = [(np.arange(3.0),), {"x": np.ones((2, 2)), "factor": 3.0}]
    import contextlib
    import io
    for function, verdict in ((scaled, "Correct!"), (scaled_in_place, "changed its argument 'x' in place")):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            check_function(function, lambda x, factor=2.0: x * factor, cases, name=function.__name__)
        assert verdict in printed.getvalue(), printed.getvalue()


# ---------------------------------------------------------------------------------------------------
# Checks that name the mistake: each plausible wrong answer, written as a student would write it,
# is fed to check_function with the notebook's table of known mistakes.

def _loop_conv2d(image, kernel, stride=1, padding=0, *, flip=False, ignore_stride=False, total_padding=False):
    kernel = np.asarray(kernel, dtype=float)[::-1, ::-1] if flip else np.asarray(kernel, dtype=float)
    pad = padding // 2 if total_padding else padding
    step = 1 if ignore_stride else stride
    padded = np.pad(np.asarray(image, dtype=float), pad)
    kh, kw = kernel.shape
    out = np.zeros(((padded.shape[0] - kh) // step + 1, (padded.shape[1] - kw) // step + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(padded[i * step:i * step + kh, j * step:j * step + kw] * kernel)
    return out


def _loop_pool_backward_to_every_cell(grad_out, x, size=2, stride=None):
    stride = size if stride is None else stride
    grad = np.zeros_like(x, dtype=float)
    for i in range(grad_out.shape[0]):
        for j in range(grad_out.shape[1]):
            grad[i * stride:i * stride + size, j * stride:j * stride + size] += grad_out[i, j]
    return grad


def _loop_conv_backward_without_flip(grad_out, x, w, stride=1):
    kh, kw = w.shape
    grad_x, grad_w = np.zeros_like(x, dtype=float), np.zeros_like(w, dtype=float)
    for i in range(grad_out.shape[0]):
        for j in range(grad_out.shape[1]):
            window = (slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw))
            grad_w += grad_out[i, j] * x[window]
            grad_x[window] += grad_out[i, j] * w[::-1, ::-1]          # the mistake: the kernel turned over
    return grad_x, grad_w, np.array([grad_out.sum()])


def _unbiased_batch_norm(x, gamma, beta, eps=1e-5):
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3), ddof=1)
    shape = (1, -1, 1, 1)
    out = gamma.reshape(shape) * (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) + beta.reshape(shape)
    return out, mean, var


def _named(student, reference, cases, table, **options):
    import contextlib
    import io
    from cnnlib.exercises import check_function
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), np.errstate(all="ignore"):
        assert check_function(student, reference, cases, name="mine", mistakes=table, **options) is False
    return printed.getvalue()


_RNG = np.random.default_rng(3)
_IMAGE, _KERNEL = _RNG.integers(0, 9, size=(6, 7)).astype(float), np.array([[1.0, 2.0], [0.0, -1.0]])


def _conv1d_flipped(x, w):
    w = np.asarray(w, dtype=float)[::-1]
    return np.array([np.dot(x[i:i + len(w)], w) for i in range(len(x) - len(w) + 1)])


def _loop_conv2d_with(image, kernel, stride=1, padding=0, **mistake):
    """A student's conv2d with one of _loop_conv2d's mistakes (flip, ignore_stride, total_padding)."""
    return _loop_conv2d(image, kernel, stride, padding, **mistake)


WRONG_ANSWERS = {
    "conv1d flipped": ("CONV1D", _conv1d_flipped, "conv1d", [(np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0]))],
                       {}, "flips the kernel"),
    "conv2d ignores the stride": ("CONV2D", partial(_loop_conv2d_with, ignore_stride=True),
                                  "conv2d", [((_IMAGE, _KERNEL), {"stride": 2, "padding": 1})], {},
                                  "ignores the stride"),
    "conv2d total padding": ("CONV2D", partial(_loop_conv2d_with, total_padding=True),
                             "conv2d", [((_IMAGE, _KERNEL), {"padding": 2})], {}, "reads padding as the total"),
    "conv2d flipped": ("CONV2D", partial(_loop_conv2d_with, flip=True),
                       "conv2d", [((_IMAGE, _KERNEL), {})], {}, "flips the kernel"),
    "output size rounded": ("OUTPUT_SIZE",
                            lambda n, kernel, padding=0, stride=1: round((n - kernel + 2 * padding) / stride) + 1,
                            "output_size", [(10, 3, 0, 2)], {}, "rounds"),
    "output size total padding": ("OUTPUT_SIZE",
                                  lambda n, kernel, padding=0, stride=1: (n - kernel + padding) // stride + 1,
                                  "output_size", [(7, 3, 1, 1)], {}, "adds P once"),
    "softmax global maximum": ("SOFTMAX",
                               lambda z: np.exp(z - np.max(z)) / np.exp(z - np.max(z)).sum(axis=-1, keepdims=True),
                               "softmax", [(np.array([[1000.0, 0.0], [-1000.0, -1001.0]]),)], {},
                               "subtracts the whole batch's largest score"),
    "pool gradient to every cell": ("MAX_POOL_BACKWARD", _loop_pool_backward_to_every_cell, "max_pool2d_backward",
                                    [(np.array([[1.0, 2.0]]), np.arange(8.0).reshape(2, 4))], {},
                                    "sends each window's gradient to every cell"),
    "conv backward without the flip": ("CONV_BACKWARD", _loop_conv_backward_without_flip, "conv2d_backward",
                                       [((np.ones((2, 2)), _IMAGE[:3, :3], _KERNEL), {})],
                                       {"output_names": ("grad_x", "grad_w", "grad_b")}, "forgot the flip in grad_x"),
    "batch norm unbiased variance": ("BATCH_NORM", _unbiased_batch_norm, "batch_norm",
                                     [(_RNG.normal(size=(2, 3, 2, 2)), np.ones(3), np.zeros(3))],
                                     {"output_names": ("out", "mean", "var")}, "uses the unbiased variance"),
}


@pytest.mark.parametrize("mistake", sorted(WRONG_ANSWERS))
def test_a_check_names_the_mistake_a_wrong_answer_makes(mistake):
    import cnnlib
    from cnnlib import mistakes
    from cnnlib.exercises import Case
    table, wrong, reference_name, cases, options, phrase = WRONG_ANSWERS[mistake]
    reference = {"conv1d": cnnlib.conv1d, "conv2d": cnnlib.conv2d, "output_size": cnnlib.output_size,
                 "softmax": cnnlib.losses.softmax, "max_pool2d_backward": cnnlib.pooling.max_pool2d_backward,
                 "conv2d_backward": cnnlib.conv.conv2d_backward,
                 "batch_norm": cnnlib.normalization.batch_norm}[reference_name]
    cases = [Case(*c[0], **c[1]) if isinstance(c[0], tuple) and isinstance(c[-1], dict) and len(c) == 2 else c
             for c in cases]
    printed = _named(wrong, reference, cases, getattr(mistakes, table), **options)
    assert f"Not yet: mine {phrase}" in printed and "is exactly what that mistake gives" in printed, printed
    # Without the table the same wrong answer gets the plain message: the naming comes from the table.
    assert phrase not in _named(wrong, reference, cases, None, **options)


def test_a_wrong_answer_that_is_no_known_mistake_gets_the_plain_message():
    import cnnlib
    from cnnlib import mistakes
    def off_by_one(image, kernel, stride=1, padding=0):
        return cnnlib.conv2d(image, kernel, stride=stride, padding=padding) + 1
    printed = _named(off_by_one, cnnlib.conv2d, [(_IMAGE, _KERNEL)], mistakes.CONV2D, hint="look again")
    assert printed.startswith("Not yet: first wrong entry") and "Hint: look again" in printed


def test_the_notebooks_checks_carry_their_mistake_tables():
    wanted = {"convolution_1d": ["CONV1D"], "convolution_2d": ["CONV2D"], "padding_stride_output_size": ["OUTPUT_SIZE"],
              "entropy_and_cross_entropy": ["SOFTMAX"], "backpropagation": ["MAX_POOL_BACKWARD", "CONV_BACKWARD"],
              "beyond_lenet": ["BATCH_NORM"]}
    for slug, tables in wanted.items():
        text = "\n".join(c.source for c in _notebook_cells(slug) if c.cell_type == "code")
        for table in tables:
            assert f"mistakes=known_mistakes.{table}" in text, (slug, table)


def test_mistakes_must_be_a_table_of_phrases_and_functions():
    from cnnlib.exercises import check_function
    with pytest.raises(TypeError, match="mistakes must be a dict"):
        check_function(abs, abs, [(1,)], mistakes=[abs])
