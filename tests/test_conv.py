"""conv1d / conv2d: the notes' worked examples, agreement with the naive twin and with scipy, errors."""
import numpy as np
import pytest
from scipy import signal

from cnnlib import col2im, conv1d, conv2d, conv2d_naive, conv_matrix, im2col, kernels
from cnnlib.conv import PADDING_MODES, conv_step, filter_image, pad1d, padding_amounts, reference_points

IMAGE = np.array([[60, 113, 56, 139, 85], [73, 121, 54, 84, 128], [131, 99, 70, 129, 127],
                  [80, 57, 115, 69, 134], [104, 126, 123, 95, 130]])
SHARPEN_OUT = np.array([[114, 328, -26, 470, 158], [53, 266, -61, -30, 344], [403, 116, -47, 295, 244],
                        [108, -135, 256, -128, 344], [314, 346, 279, 153, 421]])
FLIGHT_X = [1.00, 1.10, 1.20, 1.40, 1.70, 1.80, 1.90, 2.10, 2.20, 2.40, 2.50, 2.70]
FLIGHT_W = [0.01, 0.01, 0.02, 0.02, 0.04, 0.4, 0.5]   # w_-6 ... w_0


def test_worked_example_first_output_is_114():
    window = np.pad(IMAGE, 1)[:3, :3]
    assert np.sum(window * kernels.sharpen()) == 114
    assert conv2d(IMAGE, kernels.sharpen(), padding=1)[0, 0] == 114


def test_worked_example_full_map_and_stride_2():
    np.testing.assert_array_equal(conv2d(IMAGE, kernels.sharpen(), padding=1), SHARPEN_OUT)
    np.testing.assert_array_equal(conv2d(IMAGE, kernels.sharpen(), padding=1, stride=2),
                                  [[114, -26, 158], [403, -47, 244], [314, 279, 421]])
    np.testing.assert_array_equal(conv2d(IMAGE, kernels.sharpen(), padding="same"), SHARPEN_OUT)


def test_flight_example():
    x, w = np.array(FLIGHT_X), np.array(FLIGHT_W)
    s6 = sum(x[6 - a] * w[6 - a] for a in range(7))   # x_6 w_0 + x_5 w_-1 + ... + x_0 w_-6
    assert np.isclose(s6, 1.811)
    np.testing.assert_allclose(conv1d(x, w), [1.811, 1.967, 2.112, 2.269, 2.413, 2.569], atol=5e-4)
    # The notes' formula s_t = sum_a w_-a x_(t-a) is true convolution with kernel (w_0, w_-1, ...).
    np.testing.assert_allclose(conv1d(x, w[::-1], flip=True), conv1d(x, w))
    assert np.isclose(sum(FLIGHT_W), 1.0)


def test_conv1d_modes_match_numpy():
    rng = np.random.default_rng(1)
    for k in (1, 2, 3, 4, 7):
        x, w = rng.normal(size=12), rng.normal(size=k)
        for mode in ("valid", "same", "full"):
            np.testing.assert_allclose(conv1d(x, w, padding=mode, flip=True), np.convolve(x, w, mode=mode))
            if mode != "same" or k % 2:   # numpy centres even kernels differently for correlate
                np.testing.assert_allclose(conv1d(x, w, padding=mode), np.correlate(x, w, mode=mode))
    np.testing.assert_allclose(conv1d(np.arange(10.0), [1.0, 1.0], stride=3), [1, 7, 13])


def test_fast_conv2d_equals_naive_on_random_configurations():
    rng = np.random.default_rng(0)
    for trial in range(60):
        n, c, k = rng.integers(1, 3), rng.integers(1, 4), rng.integers(1, 4)
        kh, kw = rng.integers(1, 5, size=2)
        stride = tuple(rng.integers(1, 4, size=2))
        dilation = tuple(rng.integers(1, 3, size=2))
        padding = tuple(rng.integers(0, 3, size=2))
        h = rng.integers(dilation[0] * (kh - 1) + 1, 12)
        w_ = rng.integers(dilation[1] * (kw - 1) + 1, 12)
        x = rng.normal(size=(n, c, h, w_))
        w = rng.normal(size=(k, c, kh, kw))
        b = rng.normal(size=k)
        flip = bool(rng.integers(0, 2))
        args = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
        fast, naive = conv2d(x, w, b, **args), conv2d_naive(x, w, b, **args)
        assert fast.shape == naive.shape, (trial, args)
        np.testing.assert_allclose(fast, naive, atol=1e-10, err_msg=str(args))


def test_single_map_fast_path_equals_naive():
    rng = np.random.default_rng(7)
    # 11 rows fit one block of output rows; 150 rows span three (blocks of 64), stride 2 and 1.
    for rows, stride, dilation, padding in [(11, 1, 1, 0), (11, 2, 1, 1), (11, (1, 3), (2, 1), (2, 0)),
                                            (150, 1, 1, 0), (150, (2, 1), (3, 1), 1)]:
        x, w = rng.normal(size=(2, 1, rows, 12)), rng.normal(size=(1, 1, 3, 2))
        args = dict(stride=stride, dilation=dilation, padding=padding)
        np.testing.assert_allclose(conv2d(x, w, [0.3], **args), conv2d_naive(x, w, [0.3], **args))
    x32 = rng.normal(size=(6, 6)).astype(np.float32)
    assert conv2d(x32, np.ones((3, 3), np.float32)).dtype == np.float32


def test_conv2d_matches_scipy_correlate_and_convolve():
    rng = np.random.default_rng(2)
    for shape, ks in [((9, 11), (3, 3)), ((16, 16), (5, 5)), ((8, 7), (2, 4))]:
        x, w = rng.normal(size=shape), rng.normal(size=ks)
        np.testing.assert_allclose(conv2d(x, w), signal.correlate2d(x, w, mode="valid"))
        np.testing.assert_allclose(conv2d(x, w, flip=True), signal.convolve2d(x, w, mode="valid"))
        full = (ks[0] - 1, ks[1] - 1)
        np.testing.assert_allclose(conv2d(x, w, padding=full), signal.correlate2d(x, w, mode="full"))


def test_sobel_shows_that_flip_matters_and_symmetric_kernels_do_not_care():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 8))
    np.testing.assert_allclose(conv2d(x, kernels.sobel_x(), flip=True), -conv2d(x, kernels.sobel_x()))
    np.testing.assert_allclose(conv2d(x, kernels.sharpen(), flip=True), conv2d(x, kernels.sharpen()))


def test_ranks_follow_the_inputs():
    rng = np.random.default_rng(4)
    assert conv2d(rng.normal(size=(8, 8)), rng.normal(size=(3, 3))).shape == (6, 6)
    vol = rng.normal(size=(3, 32, 32))
    assert conv2d(vol, rng.normal(size=(3, 5, 5))).shape == (28, 28)
    assert conv2d(vol, rng.normal(size=(6, 3, 5, 5))).shape == (6, 28, 28)
    assert conv2d(vol[None], rng.normal(size=(6, 3, 5, 5))).shape == (1, 6, 28, 28)
    # one volume filter = sum of per-channel 2D correlations
    w = rng.normal(size=(3, 5, 5))
    np.testing.assert_allclose(conv2d(vol, w), sum(signal.correlate2d(vol[c], w[c], "valid") for c in range(3)))


def test_bias_is_added_per_filter():
    x = np.ones((1, 4, 4))
    out = conv2d(x, np.ones((2, 1, 3, 3)), b=[0.5, -1.0])
    np.testing.assert_allclose(out[:, 0, 0], [9.5, 8.0])


def test_conv_matrix_agrees_with_conv2d():
    rng = np.random.default_rng(5)
    for shape, wshape, stride, padding in [((4, 4), (2, 2), 2, 0), ((5, 6), (3, 3), 1, 1),
                                           ((2, 5, 5), (3, 2, 3, 3), 2, 1), ((3, 6, 6), (3, 3, 3), 1, 0)]:
        x, w = rng.normal(size=shape), rng.normal(size=wshape)
        m = conv_matrix(shape, w, stride=stride, padding=padding)
        np.testing.assert_allclose(m @ x.ravel(), conv2d(x, w, stride=stride, padding=padding).ravel())


def test_conv_matrix_sparse_connectivity_of_the_notes():
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    m = conv_matrix((4, 4), w, stride=2)
    inputs_of = [list(np.flatnonzero(row) + 1) for row in m]   # numbered 1..16 row by row
    assert inputs_of[0] == [1, 2, 5, 6]
    assert inputs_of[1] == [3, 4, 7, 8]
    assert all(sorted(row[row != 0]) == [1, 2, 3, 4] for row in m)   # weight sharing


def test_col2im_is_the_adjoint_of_im2col():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 3, 7, 8))
    for stride, dilation in [((1, 1), (1, 1)), ((2, 1), (1, 2)), ((2, 3), (2, 1))]:
        cols = im2col(x, (3, 2), stride, dilation)
        y = rng.normal(size=cols.shape)
        # <im2col(x), y> == <x, col2im(y)> defines the adjoint
        assert np.isclose(np.sum(cols * y), np.sum(x * col2im(y, x.shape, (3, 2), stride, dilation)))


@pytest.mark.parametrize("call,exc,message", [
    (lambda: conv2d(np.ones((3, 3)), np.ones((5, 5))), ValueError, "larger than the padded input"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=0), ValueError, "stride must be at least 1"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((0, 3))), ValueError, "kernel"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), padding=-1), ValueError, "padding must not be negative"),
    (lambda: conv2d(np.ones((3, 5, 5)), np.ones((2, 3, 3))), ValueError, "channel mismatch"),
    (lambda: conv2d(np.ones(5), np.ones((3, 3))), ValueError, "x must be H x W"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((1, 1, 1, 3, 3))), ValueError, "w must be"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), padding="full"), ValueError, "padding must be"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=1.5), TypeError, "stride must be an integer"),
    (lambda: conv2d("image", np.ones((3, 3))), TypeError, "x must be an array of numbers"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((2, 1, 3, 3)), b=[1.0]), ValueError, "b must hold one bias"),
    (lambda: conv1d(np.ones((2, 2)), np.ones(3)), ValueError, "x must be a 1D series"),
    (lambda: conv1d(np.ones(2), np.ones(3)), ValueError, "larger than the padded input"),
    (lambda: conv_matrix((4,), np.ones((2, 2))), ValueError, "input_shape"),
])
def test_bad_input_names_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


@pytest.fixture
def refuse_big_arrays(monkeypatch):
    """Make np.empty / np.zeros raise MemoryError above 256 MiB for the duration of a test, so a
    request the limit fails to stop ends the test at once instead of swapping the machine."""
    import cnnlib.conv

    def guarded(original):
        def allocate(shape, *args, **kwargs):
            dtype = np.dtype(kwargs.get("dtype", args[0] if args else float))
            if int(np.prod(shape, dtype=object)) * dtype.itemsize > 256 * 2**20:
                raise MemoryError(f"test guard: {original.__name__}{shape} was attempted")
            return original(shape, *args, **kwargs)
        return allocate

    monkeypatch.setattr(np, "empty", guarded(np.empty))
    monkeypatch.setattr(np, "zeros", guarded(np.zeros))
    return cnnlib.conv


@pytest.mark.parametrize("call, size", [
    # The examples: im2col matrix 502*502 x 64*11*11 float32, and 8e8 padding zeros.
    (lambda: conv2d(np.zeros((1, 64, 512, 512), np.float32), np.zeros((64, 64, 11, 11), np.float32)),
     r"7\.4 GiB .*im2col matrix 7\.3 GiB"),
    (lambda: conv1d([1.0], [1.0], padding=4 * 10**8), r"padded input 6\.0 GiB"),
    (lambda: conv2d(np.ones((10, 10)), np.ones((3, 3)), padding="same", dilation=10**5), "298.1 GiB"),
    (lambda: conv2d_naive(np.ones((3, 3)), np.ones((3, 3)), padding=20000), r"23\.8 GiB"),
    (lambda: im2col(np.zeros((1, 1, 1000, 1000)), (40, 40)), r"11\.0 GiB"),
    (lambda: col2im(np.zeros((1, 1, 1, 1)), (1, 1, 10**5, 10**5), (1, 1)), r"74\.5 GiB"),
    (lambda: conv_matrix((200, 200), np.ones((3, 3))), r"matrix 11\.7 GiB"),
    (lambda: conv_matrix((10**5, 10**5), np.ones((3, 3))), "GiB"),
])
def test_huge_requests_are_refused_before_allocating(refuse_big_arrays, call, size):
    with pytest.raises(ValueError, match=size) as err:
        call()
    message = str(err.value)
    assert "more than the limit of 1.0 GiB" in message and "max_bytes" in message


def test_the_memory_limit_can_be_raised_per_call_or_for_all(monkeypatch):
    x, w = np.ones((2, 3, 40, 40)), np.ones((4, 3, 5, 5))
    needed = 2 * 36 * 36 * 75 * 8                               # the im2col matrix alone: 1.5 MiB
    with pytest.raises(ValueError, match=r"limit of 1\.0 MiB"):
        conv2d(x, w, max_bytes=2**20)
    np.testing.assert_allclose(conv2d(x, w, max_bytes=4 * needed), conv2d_naive(x, w))
    monkeypatch.setattr("cnnlib.conv.MAX_BYTES", 2**20)
    with pytest.raises(ValueError, match=r"im2col matrix 1\.5 MiB"):
        conv2d(x, w)
    with pytest.raises(ValueError, match="max_bytes must be at least 1"):
        conv1d([1.0, 2.0], [1.0], max_bytes=0)


def test_teaching_sizes_are_far_below_the_limit():
    # An eighth of the default limit is plenty for the series' largest examples.
    eighth = 2**30 // 8
    image = np.random.default_rng(0).random((512, 512))
    assert conv2d(image, np.ones((11, 11)), max_bytes=eighth).shape == (502, 502)
    batch = np.zeros((256, 1, 32, 32), np.float32)
    assert conv2d(batch, np.ones((6, 1, 5, 5), np.float32), max_bytes=eighth).shape == (256, 6, 28, 28)
    assert conv2d(np.zeros((256, 6, 14, 14), np.float32), np.ones((16, 6, 5, 5), np.float32),
                  max_bytes=eighth).shape == (256, 16, 10, 10)
    assert conv1d(np.ones(10**5), np.ones(7), padding="same", max_bytes=eighth).shape == (10**5,)
    assert conv_matrix((32, 32), np.ones((3, 3)), max_bytes=eighth).shape == (900, 1024)


X = np.array([1.00, 1.10, 1.20, 1.40, 1.70, 1.80, 1.90, 2.10, 2.20, 2.40, 2.50, 2.70])   # flight speeds
W = np.array([0.01, 0.01, 0.02, 0.02, 0.04, 0.4, 0.5])


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 7])
def test_padding_amounts_agree_with_conv1d_named_modes(mode, k):
    w = np.arange(1.0, k + 1)
    np.testing.assert_allclose(conv1d(X, w, padding=mode), conv1d(X, w, padding=padding_amounts(mode, k)))


def test_padding_amounts_causal_and_bad_mode():
    assert padding_amounts("causal", 7) == (6, 0)
    with pytest.raises(ValueError, match="padding"):
        padding_amounts("reflect", 3)


def test_reference_points_label_each_output_by_its_newest_reading():
    np.testing.assert_array_equal(reference_points(12, 7, "valid"), np.arange(6, 12))
    for mode in PADDING_MODES:
        left, right = padding_amounts(mode, W.size)
        output = conv1d(X, W, padding=(left, right))
        for t, value in zip(reference_points(X.size, W.size, mode), output):
            readings = [X[i] if 0 <= i < X.size else 0.0 for i in range(t - W.size + 1, t + 1)]
            assert np.isclose(value, np.dot(readings, W))
    with pytest.raises(ValueError, match="longer"):
        reference_points(5, 7, "valid")


def test_pad1d_pads_as_conv1d_does():
    np.testing.assert_array_equal(pad1d([1, 2, 3], 3, "causal"), [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(pad1d([1, 2, 3], 3, "full"), [0, 0, 1, 2, 3, 0, 0])
    np.testing.assert_array_equal(pad1d([1, 2, 3], 3, (1, 0)), [0, 1, 2, 3])
    for mode in PADDING_MODES:
        padded = pad1d(X, W.size, mode)
        np.testing.assert_allclose(conv1d(X, W, padding=mode), conv1d(padded, W))


def test_conv1d_accepts_causal_padding():
    out = conv1d(X, W, padding="causal")
    assert out.shape == X.shape
    assert np.isclose(out[0], W[-1] * X[0]) and np.isclose(out[6], np.dot(X[:7], W))


@pytest.mark.parametrize("border", ["zeros", "repeat"])
def test_filter_image_keeps_the_size(border):
    image = np.random.default_rng(1).random((6, 7))
    result = filter_image(image, kernels.sharpen(), border=border)
    assert result.shape == image.shape
    np.testing.assert_allclose(result[1:-1, 1:-1], conv2d(image, kernels.sharpen()))


def test_filter_image_borders():
    flat = np.full((5, 5), 0.5)
    edge = np.array([[0.0, -1, 0], [-1, 4, -1], [0, -1, 0]])
    np.testing.assert_allclose(filter_image(flat, edge, border="repeat"), 0.0)
    assert filter_image(flat, edge)[0, 0] == 1.0
    np.testing.assert_allclose(filter_image(flat, edge, flip=True), filter_image(flat, edge))
    with pytest.raises(ValueError, match="border"):
        filter_image(flat, edge, border="wrap")


NOTES_IMAGE = np.array([[60, 113, 56, 139, 85], [73, 121, 54, 84, 128], [131, 99, 70, 129, 127],
                        [80, 57, 115, 69, 134], [104, 126, 123, 95, 130]])


def test_conv_step_reproduces_every_output_cell():
    for padding, stride in ((1, 2), (0, 1), (2, 3), ((1, 0), (1, 2))):
        out = conv2d(NOTES_IMAGE, kernels.sharpen(), padding=padding, stride=stride)
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                step = conv_step(NOTES_IMAGE, kernels.sharpen(), i, j, stride=stride, padding=padding)
                assert step.window.shape == (3, 3)
                np.testing.assert_allclose(step.products, step.window * kernels.sharpen())
                assert np.isclose(step.total, out[i, j])


def test_conv_step_of_the_notes_example_is_114_and_checks_the_cell():
    window, products, total = conv_step(NOTES_IMAGE, kernels.sharpen(), 0, 0, stride=2, padding=1)
    assert total == 114.0 and window[0].tolist() == [0, 0, 0] and products[1, 1] == 300
    volume = np.stack([NOTES_IMAGE, NOTES_IMAGE])
    assert conv_step(volume, np.stack([kernels.sharpen()] * 2), 0, 0, stride=2, padding=1).total == 228.0
    with pytest.raises(ValueError, match="inside the 3x3 output"):
        conv_step(NOTES_IMAGE, kernels.sharpen(), 3, 0, stride=2, padding=1)
