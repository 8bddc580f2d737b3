"""The write-it-yourself exercises of notebooks 01-04 and their answer tables.

Each notebook holds three cells per exercise: a stub that raises NotImplementedError, a check cell
that calls ``check_function`` on fixed and random cases, and a worked solution tagged ``solution``.
These tests run the notebook's own cells (read with nbformat) with the variables they need, so a
solution that drifts from its check, or a check that stops catching mistakes, fails here.
"""
import contextlib
import io
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cnnlib import conv1d, conv2d, kernels, output_size, series
from cnnlib.answers.convolution_1d import READINGS, WEIGHTS
from cnnlib.answers.index import IMAGE
from cnnlib.exercises import case, check_function, random_cases

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"


def _common():
    return {"np": np, "case": case, "check_function": check_function, "random_cases": random_cases}


def _setup_01():
    return _common() | {"conv1d": conv1d, "x": READINGS.copy(), "w": WEIGHTS.copy()}


def _setup_02():
    return _common() | {"conv2d": conv2d, "image": IMAGE.astype(float), "sharpen": kernels.sharpen(),
                        "I_numbers": np.arange(1, 13).reshape(3, 4), "K_numbers": np.array([[1, 2], [3, 4]])}


def _setup_03():
    rng = np.random.default_rng(7)
    # Stand-ins for the notebook's 32x32 photo and its bank of six 5x5x3 filters: same shapes.
    return _common() | {"conv2d": conv2d, "x": rng.random((3, 32, 32)).astype(np.float32),
                        "bank": rng.normal(size=(6, 3, 5, 5)), "biases": rng.normal(size=6)}


def _setup_04():
    return _common() | {"output_size": output_size}


def _conv1d_drops_last_tap(x, w):
    return np.array([sum(x[i + a] * w[a] for a in range(len(w) - 1)) for i in range(len(x) - len(w) + 1)])


def _conv2d_forgets_stride_in_window(image, kernel, stride=1, padding=0):
    padded = np.pad(np.asarray(image, dtype=float), padding)
    kh, kw = np.shape(kernel)
    out = np.zeros(((padded.shape[0] - kh) // stride + 1, (padded.shape[1] - kw) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(padded[i:i + kh, j:j + kw] * kernel)      # i, not i * stride
    return out


def _conv_layer_forgets_bias(x, w, b):
    return conv2d(x, w)


def _output_size_without_floor(n, kernel, padding=0, stride=1):
    return (n - kernel + 2 * padding) / stride + 1


# notebook (its slug in cnnlib/series.py) -> (file, function name, cases variable, reference, setup, wrong
# variant, what the wrong one prints)
EXERCISES = {
    "convolution_1d": (series.notebook("convolution_1d").file, "my_conv1d", "conv1d_cases", conv1d, _setup_01,
                       _conv1d_drops_last_tap,
           "first wrong entry at index (0,): got 0.861, expected 1.811"),
    "convolution_2d": (series.notebook("convolution_2d").file, "my_conv2d", "conv2d_cases", conv2d, _setup_02,
           _conv2d_forgets_stride_in_window, "first wrong entry at index (0, 1): got 328, expected -26"),
    "volumes_and_filters": (series.notebook("volumes_and_filters").file, "my_conv_layer", "layer_cases", conv2d,
                            _setup_03,
           _conv_layer_forgets_bias, "first wrong entry at index (0, 0, 0): got 8, expected 8.5"),
    "padding_stride_output_size": (series.notebook("padding_stride_output_size").file, "my_output_size",
                                   "size_cases", output_size, _setup_04,
           _output_size_without_floor, "first wrong entry at index (): got 3.5, expected 3"),
}


def _read(notebook):
    return nbformat.read(NOTEBOOK_DIR / EXERCISES[notebook][0], as_version=4)


def _exercise_cells(notebook):
    """The stub, check and solution cells of the notebook's write-it-yourself exercise."""
    name = EXERCISES[notebook][1]
    code = [c for c in _read(notebook).cells if c.cell_type == "code"]
    hidden = [c for c in code if "solution" in c.metadata.get("tags", [])]    # solutions and answer-quoting cells
    solutions = [c for c in hidden if f"def {name}(" in c.source]
    others = [c for c in code if c not in hidden]
    stubs = [c for c in others if f"def {name}(" in c.source and "NotImplementedError" in c.source]
    checks = [c for c in others if f"check_function({name}," in c.source]
    assert len(solutions) == len(stubs) == len(checks) == 1, (notebook, len(solutions), len(stubs), len(checks))
    assert f"def {name}(" in solutions[0].source and f"check_function({name}," in solutions[0].source
    return stubs[0], checks[0], solutions[0]


def _run(source, namespace):
    """exec a cell's source; return what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<notebook cell>", "exec"), namespace)
    return out.getvalue()


@pytest.mark.parametrize("notebook", sorted(EXERCISES))
def test_stub_says_not_yet_without_raising_and_the_solution_passes(notebook):
    _, name, cases_name, reference, setup, _, _ = EXERCISES[notebook]
    stub, check, solution = _exercise_cells(notebook)
    namespace = setup()
    assert _run(stub.source, namespace) == "" and callable(namespace[name])
    printed = _run(check.source, namespace)          # calls the stub: must print, not raise
    assert printed.startswith(f"Not yet: {name} is not written yet (it raised NotImplementedError)")
    assert "Hint: " in printed and printed.count("\n") == 1
    printed = _run(solution.source, namespace)
    cases = namespace[cases_name]
    assert printed == f"Correct! {len(cases)} cases agree with cnnlib's {reference.__name__}.\n"
    assert len(cases) >= 10                                  # fixed cases plus random ones
    assert check_function(namespace[name], reference, cases, name=name) is True


@pytest.mark.parametrize("notebook", sorted(EXERCISES))
def test_a_wrong_answer_is_caught_and_its_entry_named(notebook):
    _, name, cases_name, reference, setup, wrong, expected_text = EXERCISES[notebook]
    _, check, _ = _exercise_cells(notebook)
    namespace = setup() | {name: wrong}
    printed = _run(check.source, namespace)
    assert printed.startswith("Not yet: "), printed
    assert expected_text in printed, printed
    assert re.search(r"for case \d+ \(", printed), printed      # says which case


@pytest.mark.parametrize("notebook", sorted(EXERCISES))
def test_the_stored_notebook_shows_not_yet_then_correct(notebook):
    _, check, solution = _exercise_cells(notebook)
    text = lambda cell: "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    assert text(check).startswith("Not yet: ")
    assert text(solution).startswith("Correct! ")


@pytest.mark.parametrize("notebook", sorted(EXERCISES))
def test_the_expected_values_live_in_the_answer_table_not_in_the_check_cells(notebook):
    # Every number question goes through check_answer (tests/test_series.py checks its keys against the
    # table): no plain check(...) with the expected value in sight is left.
    sources = [c.source for c in _read(notebook).cells if c.cell_type == "code"]
    assert any("check_answer(" in s for s in sources), "no number exercise uses check_answer"
    assert not any(re.search(r"^check\(|[^_]check\(", s) for s in sources)
