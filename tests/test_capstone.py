"""Notebook 10's capstone: LeNet-5 assembled from the student's six pieces.

The notebook's own cells are run here (read with nbformat), so the test checks exactly what a student
runs: the worked solutions pass the one-batch check against cnnlib's lenet5, the stubs alone fall back
to cnnlib with a "not yet" line per piece (never a traceback), and a deliberately wrong piece is caught
by name. No training: that runs (and is asserted) in the notebook itself.
"""
import contextlib
import io
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cnnlib import series
from cnnlib.data import load_mnist
from cnnlib.nn import lenet5

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / series.notebook("lenet_training").file
PIECES = ("my_conv2d", "my_conv_backward", "my_max_pool", "my_max_pool_backward",
          "my_softmax_cross_entropy", "my_sgd_update")


def capstone_cells():
    cells = [c for c in nbformat.read(NOTEBOOK, as_version=4).cells
             if c.cell_type == "code" and "capstone" in c.metadata.get("tags", [])]
    assert cells, "no code cells tagged 'capstone' in notebook 10"
    return cells


@pytest.fixture(scope="module")
def digits():
    (x_train, y_train), _ = load_mnist(pad_to=32)
    return x_train[:4], y_train[:4]


def run(cells, digits, *, solutions=True):
    """Execute the capstone cells (with or without the solution-tagged ones) in a fresh namespace;
    returns the namespace and everything printed."""
    x_train, y_train = digits
    namespace = {"np": np, "lenet5": lenet5, "x_train": x_train, "y_train": y_train}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell in cells:
            if solutions or "solution" not in cell.metadata.get("tags", []):
                exec(compile(cell.source, "<capstone cell>", "exec"), namespace)
    return namespace, printed.getvalue()


def test_the_worked_solutions_pass_the_one_batch_check(digits):
    cells = capstone_cells()
    assert sum("solution" in c.metadata.get("tags", []) for c in cells) >= 1
    namespace, printed = run(cells, digits)
    assert namespace["one_batch_ok"] is True
    assert printed.count("< 1e-6") == 12                   # the loss, ten gradients, two SGD steps
    assert "not yet" not in printed.lower()
    for name in PIECES:                                     # the solutions, not cnnlib's twins, were checked
        assert namespace[name].__module__ != "cnnlib" and getattr(namespace[name], "vectorised", False)


def test_unanswered_stubs_say_not_yet_and_fall_back_to_cnnlib(digits):
    namespace, printed = run(capstone_cells(), digits, solutions=False)    # raises if any cell fails
    assert namespace["one_batch_ok"] is True
    for name in PIECES:
        assert f"{name}" in printed
    assert printed.count("not yet: yours") == len(PIECES)
    assert "Traceback" not in printed


def wrong_conv_backward(grad_out, x, w):
    """The worked solution's gradient as a full convolution, but with the kernel NOT flipped."""
    from numpy.lib.stride_tricks import sliding_window_view
    kh, kw = w.shape[2:]
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))
    grad_w = np.einsum("nkhw,nchwij->kcij", grad_out, windows)
    padded = np.pad(grad_out, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    grad_windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))
    grad_x = np.einsum("nkhwij,kcij->nchw", grad_windows, w)          # the bug: w instead of w[..., ::-1, ::-1]
    return grad_x, grad_w, grad_out.sum(axis=(0, 2, 3))


def wrong_softmax_cross_entropy(scores, y):
    """Right loss, but the gradient is not divided by N (a sum over the batch, not a mean)."""
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(len(y)), y]).mean()
    p[np.arange(len(y)), y] -= 1
    return loss, p


@pytest.mark.parametrize("piece, wrong, first_wrong_array", [
    ("my_conv_backward", wrong_conv_backward, "0.bias"),
    ("my_softmax_cross_entropy", wrong_softmax_cross_entropy, "11.bias"),
])
def test_a_wrong_piece_is_caught_by_name(digits, piece, wrong, first_wrong_array):
    namespace, _ = run(capstone_cells(), digits)
    pieces = {name: namespace[name] for name in PIECES}
    pieces[piece] = wrong
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ok = namespace["check_one_batch"](pieces, *digits)
    text = printed.getvalue()
    assert ok is False
    assert f"Not yet: {first_wrong_array} is the first array that differs" in text, text
    verdicts = dict(line.split(None, 1) for line in text.splitlines()[:11])
    assert verdicts[first_wrong_array].startswith("differs")
    if piece == "my_conv_backward":                        # grad_w and grad_b do not need the flip
        assert verdicts["3.weight"] == verdicts["3.bias"] == "< 1e-6"


def test_the_check_cell_asserts_so_a_wrong_piece_fails_the_notebook(digits):
    cells = capstone_cells()
    check_cell = cells[-1]
    assert "check_one_batch(" in check_cell.source and "assert one_batch_ok" in check_cell.source
    namespace, _ = run(cells[:-1], digits)
    namespace["my_conv_backward"] = wrong_conv_backward
    with contextlib.redirect_stdout(io.StringIO()), pytest.raises(AssertionError, match="first array that differs"):
        exec(compile(check_cell.source, "<check cell>", "exec"), namespace)


def one_batch_verdict(namespace, pieces, digits):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ok = namespace["check_one_batch"](namespace["choose_pieces"](pieces), *digits)
    return ok, printed.getvalue()


@pytest.mark.parametrize("own", [0, 1, 5, 6])
def test_the_working_network_verdict_needs_all_six_pieces_to_be_the_students(digits, own):
    # The worked solutions stand for the student's pieces; the rest stay stubs. With cnnlib's twins
    # standing in, the arrays agree, but the verdict must not call the network the student's.
    solved, _ = run(capstone_cells(), digits)
    stubs, _ = run(capstone_cells(), digits, solutions=False)
    pieces = {name: (solved if i < own else stubs)[name] for i, name in enumerate(PIECES)}
    ok, text = one_batch_verdict(solved, pieces, digits)
    assert ok is True                                          # the twins and the solutions all agree
    assert text.count("< 1e-6") == 12
    if own == 6:
        assert "your pieces make a working network" in text
        assert "pieces are yours yet" not in text
    else:
        assert "working network" not in text
        assert f"Not yet: {own} of 6 pieces are yours yet" in text
        assert text.count("not yet: yours") == 6 - own


def test_the_training_cell_says_whose_pieces_it_trained(digits):
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    training = next(c for c in cells if "def train_with_pieces" in c.source)
    assert "whose(fast)" in training.source and "built_from" in training.source
    solved, _ = run(capstone_cells(), digits)
    stubs, _ = run(capstone_cells(), digits, solutions=False)
    twins_only = {name: stubs[name] for name in PIECES}
    fast = solved["choose_pieces"](twins_only, training=True)
    assert solved["whose"](fast) == []
    mixed = dict(twins_only, my_max_pool=solved["my_max_pool"])
    with contextlib.redirect_stdout(io.StringIO()):
        assert solved["whose"](solved["choose_pieces"](mixed, training=True)) == ["my_max_pool"]
