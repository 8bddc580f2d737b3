"""Notebooks 05-07's exercises, run from the notebooks themselves.

For each implement-it exercise: the unanswered stub prints "Not yet" without raising, the worked
solution stored in the notebook's ``solution``-tagged cell passes the same check, and typical wrong
answers (no max subtraction, an off-by-one, a running max started at 0) print "Not yet" naming the
problem. The worked solutions' number answers pass ``check_answer``.
"""
import contextlib
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlib import conv_matrix, log_softmax, max_pool2d, series, softmax  # noqa: E402
from cnnlib.exercises import check_answer, check_function  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NB05 = series.notebook("convolution_as_a_neural_network").file
NB06 = series.notebook("nonlinearities_and_pooling").file
NB07 = series.notebook("entropy_and_cross_entropy").file


def _run(source, namespace):
    """Execute notebook source (IPython magics dropped); return what it printed."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<notebook cell>", "exec"), namespace)
    return out.getvalue()


class Exercise:
    """An implement-it exercise as the notebook stores it: imports, stub, check, solution."""

    def __init__(self, notebook, function_name):
        cells = [c for c in nbformat.read(NOTEBOOKS / notebook, as_version=4).cells if c.cell_type == "code"]
        self.imports = cells[0].source
        stub_index = next(i for i, c in enumerate(cells)
                          if f"def {function_name}(" in c.source and "raise NotImplementedError" in c.source)
        self.stub, self.check = cells[stub_index].source, cells[stub_index + 1].source
        solutions = [c.source for c in cells if "solution" in c.metadata.get("tags", [])
                     and f"def {function_name}(" in c.source]
        assert len(solutions) == 1, f"{notebook}: expected one solution cell defining {function_name}"
        self.solution = solutions[0]
        assert "check_function(" in self.check and "check_function(" in self.solution

    def namespace_after_check(self):
        """Run imports, stub and check as a student would; return the namespace and the check's output."""
        namespace = {}
        _run(self.imports, namespace)
        _run(self.stub, namespace)
        return namespace, _run(self.check, namespace)


def _lines(output):
    return [line for line in output.splitlines() if line.strip()]


@pytest.fixture(scope="module", params=[(NB05, "my_conv_matrix"), (NB06, "my_max_pool"), (NB07, "my_softmax")],
                ids=["05", "06", "07"])
def exercise(request):
    return Exercise(*request.param)


def test_the_stub_says_not_yet_without_raising(exercise):
    _, output = exercise.namespace_after_check()
    lines = _lines(output)
    assert lines and all(line.startswith("Not yet:") and "is not written yet" in line for line in lines), output


def test_the_stored_solution_passes_the_same_check(exercise):
    namespace, _ = exercise.namespace_after_check()
    output = _run(exercise.solution, namespace)
    verdicts = [line for line in _lines(output) if line.startswith(("Correct!", "Not yet"))]
    assert verdicts and all(line.startswith("Correct!") for line in verdicts), output


def _check(exercise, function, reference, cases_name, name):
    namespace, _ = exercise.namespace_after_check()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), np.errstate(all="ignore"):
        result = check_function(function, reference, namespace[cases_name], name=name)
    return result, out.getvalue()


# Notebook 05: the convolution matrix.

def test_05_ignoring_the_stride_names_the_first_wrong_entry():
    def no_stride(input_shape, w, stride=1):
        H, W = input_shape
        F_h, F_w = w.shape
        H_O, W_O = (H - F_h) // stride + 1, (W - F_w) // stride + 1
        M = np.zeros((H_O * W_O, H * W))
        for i in range(H_O):
            for j in range(W_O):
                for a in range(F_h):
                    for b in range(F_w):
                        M[i * W_O + j, (i + a) * W + (j + b)] = w[a, b]     # forgot * stride
        return M
    result, output = _check(Exercise(NB05, "my_conv_matrix"), no_stride, conv_matrix, "matrix_cases", "my_conv_matrix")
    assert result is False
    assert output.startswith("Not yet: first wrong entry at index (1, 1): got 1, expected 0"), output
    assert "case 0" in output, output


def test_05_an_off_by_one_output_size_is_a_wrong_shape():
    def one_short(input_shape, w, stride=1):
        return conv_matrix(input_shape, w, stride=stride)[:-1]
    result, output = _check(Exercise(NB05, "my_conv_matrix"), one_short, conv_matrix, "matrix_cases", "my_conv_matrix")
    assert result is False and output.startswith("Not yet: wrong shape (got (3, 16), expected (4, 16))"), output


# Notebook 06: max pooling with loops.

def _loop_pool(x, size, stride, start=None, shrink=0):
    S = size if stride is None else stride
    H_O, W_O = (x.shape[0] - size) // S + 1 - shrink, (x.shape[1] - size) // S + 1 - shrink
    out = np.empty((H_O, W_O))
    for i in range(H_O):
        for j in range(W_O):
            best = start if start is not None else -np.inf
            for v in x[i * S:i * S + size, j * S:j * S + size].ravel():
                best = v if v > best else best
            out[i, j] = best
    return out


def test_06_a_running_max_started_at_zero_fails_on_negative_maps():
    def from_zero(x, size=2, stride=None):
        return _loop_pool(x, size, stride, start=0.0)
    result, output = _check(Exercise(NB06, "my_max_pool"), from_zero, max_pool2d, "pool_cases", "my_max_pool")
    assert result is False
    assert output.startswith("Not yet: first wrong entry at index (0, 0): got 0, expected -1"), output
    assert "case 3" in output


def test_06_an_off_by_one_loop_is_a_wrong_shape():
    def one_short(x, size=2, stride=None):
        return _loop_pool(x, size, stride, shrink=1)
    result, output = _check(Exercise(NB06, "my_max_pool"), one_short, max_pool2d, "pool_cases", "my_max_pool")
    assert result is False, output
    assert output.startswith("Not yet: wrong shape (got (1, 1), expected (2, 2)) for case 0"), output


def test_06_forgetting_the_default_stride_is_reported_not_raised():
    def needs_stride(x, size=2, stride=None):
        return _loop_pool(x, size, stride + 0)           # TypeError when stride is None
    result, output = _check(Exercise(NB06, "my_max_pool"), needs_stride, max_pool2d, "pool_cases", "my_max_pool")
    assert result is False and output.startswith("Not yet: my_max_pool raised TypeError") and "case 2" in output, output


# Notebook 07: softmax and log-softmax that survive [1000, 0].

def test_07_softmax_without_the_max_subtraction_fails_on_1000_0():
    def textbook(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)
    result, output = _check(Exercise(NB07, "my_softmax"), textbook, softmax, "score_cases", "my_softmax")
    assert result is False
    assert output.startswith("Not yet: first wrong entry at index (0,): got nan, expected 1"), output
    assert "case 1" in output, output


def test_07_log_of_softmax_fails_where_log_sum_exp_is_needed():
    def log_of_softmax(z):
        return np.log(softmax(z))
    result, output = _check(Exercise(NB07, "my_softmax"), log_of_softmax, log_softmax, "score_cases", "my_log_softmax")
    assert result is False
    assert output.startswith("Not yet: first wrong entry at index (1,): got -inf, expected -1000"), output


def test_07_a_softmax_over_the_wrong_axis_fails_on_a_batch():
    def whole_array(z):
        e = np.exp(z - z.max())
        return e / e.sum()
    result, output = _check(Exercise(NB07, "my_softmax"), whole_array, softmax, "score_cases", "my_softmax")
    assert result is False and "case 2" in output and output.startswith("Not yet: first wrong entry"), output


# The worked solutions' answers (every table's keys and values: tests/test_series.py).

@pytest.mark.parametrize("notebook, key, answer", [
    ("convolution_as_a_neural_network", "h22_inputs", [11, 12, 15, 16]),
    ("convolution_as_a_neural_network", "nonzero_stride1", 36),
    ("convolution_as_a_neural_network", "dense_colour", 14_450_688),
    ("convolution_as_a_neural_network", "three_3x3_weights", 27),
    ("convolution_as_a_neural_network", "stride2_field", 11),
    ("nonlinearities_and_pooling", "max_pool_by_hand", [[9, 8], [7, 6]]),
    ("nonlinearities_and_pooling", "alexnet_pool_side", 6), ("nonlinearities_and_pooling", "sigmoid_layers", 10),
    ("nonlinearities_and_pooling", "dropout_scale", 1.25),
    ("entropy_and_cross_entropy", "die_entropy_bits", 3), ("entropy_and_cross_entropy", "one_sample_nats", 1.386),
    ("entropy_and_cross_entropy", "softmax_second", 0.75),
    ("entropy_and_cross_entropy", "softmax_gradient", [-0.979, 0.928, 0.051]),
    ("entropy_and_cross_entropy", "descent_factor", 0.4),
])
def test_the_worked_solutions_answers_are_accepted(notebook, key, answer, capsys):
    assert check_answer(notebook, key, answer) is True
    assert capsys.readouterr().out == "Correct!\n"
