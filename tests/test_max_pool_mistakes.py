"""cnnlib.mistakes.MAX_POOL: the known wrong max-pooling forwards that notebook 06's debugging exercise names."""
import contextlib
import io

import numpy as np
import pytest

from cnnlib import max_pool2d
from cnnlib import mistakes
from cnnlib.exercises import Case, check_function


def _channel_wide_loop(x, size=2, stride=None):
    stride = size if stride is None else stride
    c, h, w = x.shape
    out = np.empty((c, (h - size) // stride + 1, (w - size) // stride + 1))
    for i in range(out.shape[1]):
        for j in range(out.shape[2]):
            out[:, i, j] = x[:, i * stride:i * stride + size, j * stride:j * stride + size].max()   # all channels
    return out


def _check(fn, cases):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = check_function(fn, max_pool2d, cases, name="my_pool", mistakes=mistakes.MAX_POOL)
    return result, out.getvalue()


def test_each_mistake_differs_from_max_pool2d_and_has_its_shape():
    x = np.random.default_rng(0).standard_normal((3, 6, 6))
    for phrase, wrong in mistakes.MAX_POOL.items():
        got = wrong(x, 2, None)
        assert not (got.shape == max_pool2d(x, 2).shape and np.allclose(got, max_pool2d(x, 2))), phrase
    assert mistakes.channel_wide_max_pool(x).shape == max_pool2d(x).shape == (3, 3, 3)
    assert np.allclose(mistakes.channel_wide_max_pool(x), max_pool2d(x).max(axis=0))   # every channel alike


def test_the_channel_wide_loop_is_named():
    rng = np.random.default_rng(1)
    cases = [Case(rng.standard_normal((1, 4, 4)), size=2), Case(rng.standard_normal((3, 4, 4)), size=2)]
    result, printed = _check(_channel_wide_loop, cases)
    assert result is False
    assert printed.startswith("Not yet: my_pool takes one maximum over all channels") and "case 1" in printed


def test_a_stride_ignored_is_named_and_the_right_pool_passes():
    cases = [Case(np.arange(16.0).reshape(1, 4, 4), size=2, stride=2)]
    result, printed = _check(lambda x, size=2, stride=None: max_pool2d(x, size, 1), cases)
    assert result is False and "ignores the stride" in printed
    result, printed = _check(lambda x, size=2, stride=None: max_pool2d(x, size, stride), cases)
    assert result is True and printed.startswith("Correct!")


def test_the_channel_mistake_needs_channels():
    with pytest.raises(ValueError, match="needs channels"):
        mistakes.channel_wide_max_pool(np.ones((4, 4)))
