"""Sizes and kinds of input that cnnlib must refuse: a number that asks for more memory than the
machine has (refused before anything is allocated, in the convolutions' message form), and complex
arrays (refused rather than cut to their real part). Also empty batches in conv2d_backward."""
import re
import resource
import tracemalloc

import numpy as np
import pytest

import cnnlib.conv
from cnnlib import augment, features, kernels, optim
from cnnlib.conv import conv1d, conv2d, conv2d_backward, conv2d_backward_naive
from cnnlib.pooling import (avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward, pool2d_backward_naive,
                            pool2d_naive)

MiB = 2**20
HUGE_POOL = dict(size=200_000, padding=100_000)        # a 200,010 x 200,010 padded input: 298 GiB


@pytest.fixture
def capped_memory():
    """While the test runs, cap the process's address space at 2 GiB more than it uses now, so a
    request that gets past the guard fails at once with MemoryError instead of swapping."""
    with open("/proc/self/statm") as statm:
        in_use = int(statm.read().split()[0]) * resource.getpagesize()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (in_use + 2 * 2**30, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


REFUSED = {
    "max_pool2d": lambda: max_pool2d(np.ones((10, 10)), **HUGE_POOL),
    "max_pool2d_backward": lambda: max_pool2d_backward(np.ones((1, 1)), np.ones((10, 10)), **HUGE_POOL),
    "avg_pool2d": lambda: avg_pool2d(np.ones((10, 10)), **HUGE_POOL),
    "avg_pool2d_backward": lambda: avg_pool2d_backward(np.ones((1, 1)), np.ones((10, 10)), **HUGE_POOL),
    "pool2d_naive": lambda: pool2d_naive(np.ones((10, 10)), **HUGE_POOL),
    "pool2d_backward_naive": lambda: pool2d_backward_naive(np.ones((1, 1)), np.ones((10, 10)), **HUGE_POOL),
    # augmenter checks its settings by distorting a 2 x 2 image; sigma=1e9 asked for 119 GiB there.
    "augmenter": lambda: augment.augmenter(sigma=1e9),
    "random_elastic": lambda: augment.random_elastic(np.ones((1, 1, 4, 4)), sigma=1e9),
    "elastic_field": lambda: augment.elastic_field(10**9, (28, 28), alpha=6.0, sigma=3.0),
    "gaussian_smoothing_matrix": lambda: augment.gaussian_smoothing_matrix(10**6, 1.0),
    "random_affine_parameters": lambda: augment.random_affine_parameters(10**10),
    "gradient_histogram": lambda: features.gradient_histogram(np.zeros((8, 8)), bins=10**9),
    "gradient_histogram_naive": lambda: features.gradient_histogram_naive(np.zeros((8, 8)), bins=10**9),
    "gaussian": lambda: kernels.gaussian(size=100_001),
    "box_blur": lambda: kernels.box_blur(100_001),
    "identity": lambda: kernels.identity(100_001),
    "gradient_descent": lambda: optim.gradient_descent(lambda w: 2 * w, [1.0], lr=0.1, steps=10**10),
}


@pytest.mark.parametrize("name", REFUSED)
def test_a_huge_size_is_refused_before_anything_is_allocated(capped_memory, name):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as err:
            REFUSED[name]()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(err.value)
    # The convolutions' form: what, how much in all and per array, the limit and how to raise it.
    assert re.match(r"\w+ would allocate [\d.]+ [GT]iB \(.*[GT]iB.*\), more than", message), message
    assert "more than the limit of 1.0 GiB. Use a smaller input, or raise the limit for this call with " \
           "max_bytes=<bytes> (default: cnnlib.conv.MAX_BYTES)" in message, message
    assert peak < MiB, f"{peak} bytes were allocated before the refusal"


# Teaching-sized calls of every guarded function, each needing more than 1 KiB and less than 1 MiB.
SMALL = {
    "max_pool2d": lambda **kw: max_pool2d(np.ones((1, 3, 32, 32)), 2, **kw),
    "max_pool2d_backward": lambda **kw: max_pool2d_backward(np.ones((1, 3, 16, 16)), np.ones((1, 3, 32, 32)), **kw),
    "augmenter": lambda **kw: augment.augmenter(alpha=0, **kw)(np.ones((8, 1, 28, 28)), 0),
    "elastic_field": lambda **kw: augment.elastic_field(4, (28, 28), alpha=6.0, sigma=3.0, rng=0, **kw),
    "gaussian_smoothing_matrix": lambda **kw: augment.gaussian_smoothing_matrix(28, 3.0, **kw),
    "random_affine_parameters": lambda **kw: augment.random_affine_parameters(100, rng=0, **kw),
    "gradient_histogram": lambda **kw: features.gradient_histogram(np.zeros((28, 28)), bins=90, **kw),
    "gaussian": lambda **kw: kernels.gaussian(15, **kw),
    "gradient_descent": lambda **kw: optim.gradient_descent(lambda w: 2 * w, [1.0], lr=0.1, steps=200, **kw),
    "conv2d_backward": lambda **kw: conv2d_backward(np.ones((4, 4, 4)), np.ones((3, 6, 6)), np.ones((4, 3, 3, 3)),
                                                    **kw),
}


@pytest.mark.parametrize("name", SMALL)
def test_one_limit_for_all_and_max_bytes_raises_it_for_one_call(monkeypatch, name):
    monkeypatch.setattr(cnnlib.conv, "MAX_BYTES", 1024)
    with pytest.raises(ValueError, match=r"more than the limit of 1\.0 KiB\. .*max_bytes=<bytes>"):
        SMALL[name]()
    SMALL[name](max_bytes=MiB)
    with pytest.raises(ValueError, match="max_bytes must be at least 1"):
        SMALL[name](max_bytes=0)


@pytest.mark.parametrize("call, argument", [
    (lambda: conv1d(np.array([1 + 2j, 3, 4]), [1.0, 1.0]), "x"),
    (lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)) * 1j), "w"),
    (lambda: conv2d_backward(np.ones((3, 3), complex), np.ones((4, 4)), np.ones((2, 2))), "grad_out"),
    (lambda: augment.warp(np.ones((1, 1, 4, 4), complex), rotation=10), "images"),
    (lambda: augment.warp(np.ones((1, 1, 4, 4)), field=np.ones((1, 2, 4, 4)) * 1j), "field"),
])
def test_complex_input_is_refused_not_cut_to_its_real_part(call, argument):
    with pytest.raises(TypeError, match=rf"^{argument} must hold real numbers, got complex numbers"):
        call()


@pytest.mark.parametrize("x_shape, w_shape", [
    ((0, 3, 6, 6), (4, 3, 3, 3)),       # an empty batch
    ((2, 0, 6, 6), (4, 0, 3, 3)),       # inputs without channels: the output is the bias alone
])
def test_conv2d_backward_gives_empty_gradients_like_the_naive_twin(x_shape, w_shape):
    # conv2d accepts these shapes, so its gradient must too: an empty sum has gradient zero.
    x, w = np.ones(x_shape), np.ones(w_shape)
    grad_out = np.ones(conv2d(x, w, padding=1).shape)
    fast = conv2d_backward(grad_out, x, w, padding=1)
    naive = conv2d_backward_naive(grad_out, x, w, padding=1)
    assert [g.shape for g in fast] == [x.shape, w.shape, (w.shape[0],)]
    for got, expected in zip(fast, naive):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(fast[2], np.full(w.shape[0], grad_out[:, 0].size))
