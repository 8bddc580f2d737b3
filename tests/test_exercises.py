"""The exercise self-checks: one line of feedback, a True/False result, never an exception."""
import numpy as np
import pytest

from cnnlib import conv2d
from cnnlib.exercises import Case, case, check, check_function, random_cases


def _cases():
    fixed = [Case(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))]     # 8, 12, 20, 24 by hand
    return fixed + random_cases(lambda rng: Case(rng.standard_normal((5, 6)), rng.standard_normal((2, 3)),
                                                 stride=int(rng.integers(1, 3))), n=5, rng=1)


def run(capsys, student, reference=conv2d, cases=None, **kwargs):
    result = check_function(student, reference, _cases() if cases is None else cases, **kwargs)
    out = capsys.readouterr().out
    return result, out


def test_correct_function_passes_and_counts_the_cases(capsys):
    result, out = run(capsys, lambda x, w, stride=1: conv2d(x, w, stride=stride))
    assert result is True
    assert out == "Correct! 6 cases agree with cnnlib's conv2d.\n"


def test_off_by_one_names_the_first_wrong_entry(capsys):
    def off_by_one(x, w, stride=1):
        out = conv2d(x, w, stride=stride)
        out[0, 1] += 1.0
        return out
    result, out = run(capsys, off_by_one, hint="check the window's start")
    assert result is False
    assert out.startswith("Not yet: first wrong entry at index (0, 1): got 13, expected 12")
    assert "case 0 (array 3x3, array 2x2)" in out and "Hint: check the window's start" in out
    assert out.count("\n") == 1


def test_wrong_shape_is_reported(capsys):
    result, out = run(capsys, lambda x, w, stride=1: conv2d(x, w, stride=stride)[:-1])
    assert result is False
    assert "Not yet: wrong shape (got (1, 2), expected (2, 2)) for case 0" in out


def test_only_a_random_case_fails(capsys):
    # Right for stride 1 only: the fixed case passes, a random stride-2 case catches it.
    result, out = run(capsys, lambda x, w, stride=1: conv2d(x, w))
    assert result is False
    assert "stride=2" in out and "wrong shape" in out


@pytest.mark.parametrize("stub", [lambda x, w, stride=1: None, "raise"])
def test_unanswered_stub_is_reported_without_raising(capsys, stub):
    if stub == "raise":
        def stub(x, w, stride=1):
            raise NotImplementedError("write conv2d here")
    result, out = run(capsys, stub, name="my_conv2d", hint="two loops over i and j")
    assert result is False
    assert out.startswith("Not yet: my_conv2d is not written yet")
    assert "Hint: two loops over i and j" in out


def test_exception_is_reported_with_type_message_and_student_line(capsys):
    def crashes(x, w, stride=1):
        return np.dot(x, np.ones(7))          # numpy raises; the student's line is reported
    result, out = run(capsys, crashes)
    assert result is False
    assert "Not yet: crashes raised ValueError: shapes (3,3) and (7,) not aligned" in out
    assert "of crashes: `return np.dot(x, np.ones(7))" in out
    assert len(out.splitlines()) == 2


def test_tuples_name_the_wrong_element(capsys):
    def backward(x):
        return x, 2 * x, x.sum()
    names = ("grad_x", "grad_w", "grad_b")
    cases = [(np.arange(3.0),)]
    assert check_function(backward, backward, cases, output_names=names)
    capsys.readouterr()
    result, out = run(capsys, lambda x: (x, 3 * x, x.sum()), backward, cases, output_names=names)
    assert result is False
    assert "grad_w (result 1 of 3) is wrong: first wrong entry at index (1,): got 3, expected 2" in out
    result, out = run(capsys, lambda x: x, backward, cases, output_names=names)
    assert result is False and "expected a tuple of 3 results (grad_x, grad_w, grad_b), got ndarray" in out


def test_student_cannot_spoil_the_reference_and_an_in_place_change_is_named(capsys):
    # The reference computes from its own copy, before the student's call; a function that changes
    # its caller's array is then told so (the exercises ask for new arrays), not marked correct.
    seen = []
    def reference(x):
        seen.append(x.copy())
        return 2 * x
    def in_place(x):
        x *= 2
        return x
    cases = [(np.ones(2),), {"x": np.arange(3.0)}]
    result, out = run(capsys, in_place, reference, cases)
    assert result is False and "Not yet: in_place changed its argument 'x' in place on case 0" in out
    assert np.array_equal(seen[0], np.ones(2)) and np.array_equal(cases[0][0], np.ones(2))
    result, out = run(capsys, lambda x: x * 2, reference, cases)
    assert result is True and "2 cases agree" in out


def test_random_cases_are_reproducible_and_arguments_are_checked():
    make = lambda rng: case(rng.standard_normal(3), k=int(rng.integers(10)))   # noqa: E731
    a, b = random_cases(make, n=4, rng=7), random_cases(make, n=4, rng=7)
    assert [c.kwargs for c in a] == [c.kwargs for c in b]
    assert all(np.array_equal(c.args[0], d.args[0]) for c, d in zip(a, b))
    with pytest.raises(TypeError, match="make_case"):
        random_cases(3)
    with pytest.raises(ValueError, match="n must be"):
        random_cases(make, n=-1)
    with pytest.raises(TypeError, match=r"cases\[0\]"):
        check_function(abs, abs, [3])
    with pytest.raises(ValueError, match="at least one case"):
        check_function(abs, abs, [])


def test_old_check_still_works(capsys):
    assert check(None, 3) is False and "Not answered yet" in capsys.readouterr().out
    assert check(3.0001, 3) is True and "Correct!" in capsys.readouterr().out
    assert check(4, 3, hint="count again") is False and "count again" in capsys.readouterr().out
