"""output_size, same_padding and parameter counts against the numbers in the lecture notes."""
import numpy as np
import pytest

from cnnlib import conv2d
from cnnlib import (conv_output_shape, conv_parameter_count, dense_parameter_count, output_size,
                    receptive_field, same_padding)
from cnnlib.shapes import effective_kernel_size, grid_layout, stride_fit


def test_alexnet_conv1_is_55x55x96():
    assert output_size(227, 11, padding=0, stride=4) == 55
    assert conv_output_shape((3, 227, 227), 11, filters=96, stride=4) == (96, 55, 55)


def test_volume_32x32x3_with_six_5x5_filters_is_28x28x6():
    assert conv_output_shape((3, 32, 32), 5, filters=1) == (1, 28, 28)
    assert conv_output_shape((3, 32, 32), 5, filters=6) == (6, 28, 28)


def test_conv_output_shape_is_channels_first_like_conv2d():
    # Height and width differ, so a mixed-up axis order cannot pass.
    x, w = np.zeros((3, 9, 14)), np.zeros((4, 3, 3, 5))
    assert conv_output_shape(x.shape, 3, filters=4) == (4, 7, 12)
    assert conv2d(x, w[:, :, :, :3]).shape == conv_output_shape(x.shape, 3, filters=4)
    assert conv_output_shape((3, 9, 14), 3, filters=4, padding=1, stride=2) == (4, 5, 7)
    with pytest.raises(ValueError, match="channels first"):
        conv_output_shape((9, 14), 3, filters=4)


def test_conv_parameter_count_is_k_times_f_f_d_plus_k():
    # kernel F = 3, input depth D = 2, K = 5 filters: every count distinguishable.
    assert conv_parameter_count(3, 2, 5) == 5 * 3 * 3 * 2 + 5 == 95
    assert conv_parameter_count(3, 2, 5, bias=False) == 90
    assert conv_parameter_count(11, 3, 96) == 34_944


def test_lenet_shapes_layer_by_layer():
    size = 32
    size = output_size(size, 5)
    assert size == 28
    size = output_size(size, 2, stride=2)
    assert size == 14
    size = output_size(size, 5)
    assert size == 10
    size = output_size(size, 2, stride=2)
    assert size == 5


def test_lenet_parameter_counts():
    counts = [conv_parameter_count(5, 1, 6), conv_parameter_count(5, 6, 16),
              dense_parameter_count(400, 120), dense_parameter_count(120, 84), dense_parameter_count(84, 10)]
    assert counts == [156, 2416, 48120, 10164, 850]
    assert conv_parameter_count(5, 1, 6, bias=False) == 150
    assert conv_parameter_count(5, 6, 16, bias=False) == 2400
    assert sum(counts) == 61706


def test_fully_connected_32x32_to_28x28x6_needs_4816896_weights():
    assert dense_parameter_count(32 * 32, 28 * 28 * 6, bias=False) == 4_816_896


@pytest.mark.parametrize("n,k,p,s,d,expected", [
    (5, 3, 1, 1, 1, 5), (5, 3, 1, 2, 1, 3), (7, 3, 0, 2, 1, 3), (6, 3, 0, 2, 1, 2),
    (10, 3, 0, 1, 2, 6), (32, 5, 2, 1, 1, 32), (4, 2, 0, 2, 1, 2)])
def test_output_size_formula(n, k, p, s, d, expected):
    # Independent count: the positions a kernel of span d(k-1)+1 can start at, every s steps.
    span = d * (k - 1) + 1
    starts = [i for i in range(0, n + 2 * p - span + 1, s)]
    assert output_size(n, k, p, s, d) == len(starts) == expected


def test_exact_rejects_a_size_that_does_not_divide_and_shows_the_arithmetic():
    assert output_size(6, 3, 0, 2) == 2
    with pytest.raises(ValueError, match=r"3/2"):
        output_size(6, 3, 0, 2, exact=True)
    assert output_size(7, 3, 0, 2, exact=True) == 3


def test_same_padding_keeps_the_size():
    for k in (1, 3, 5, 7):
        assert output_size(28, k, same_padding(k)) == 28
    assert same_padding(3, dilation=2) == 2
    with pytest.raises(ValueError, match="kernel"):
        same_padding(4)


def test_receptive_field_grows_with_depth():
    assert receptive_field([(3, 1)]) == 3
    assert receptive_field([(3, 1)] * 3) == 7
    assert receptive_field([(5, 1), (2, 2), (5, 1), (2, 2)]) == 16


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(n=5, kernel=7), ValueError, "larger than the padded input"),
    (dict(n=5, kernel=0), ValueError, "kernel"),
    (dict(n=5, kernel=3, stride=0), ValueError, "stride"),
    (dict(n=5, kernel=3, padding=-1), ValueError, "padding"),
    (dict(n=5, kernel=3, dilation=0), ValueError, "dilation"),
    (dict(n=5.0, kernel=3), TypeError, "n must be an integer"),
    (dict(n=5, kernel=3, stride=True), TypeError, "stride"),
])
def test_output_size_errors_name_the_argument(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        output_size(**kwargs)


def test_grid_layout_for_alexnet_and_its_224_quirk():
    alexnet = grid_layout(227, 11, 0, 4)
    assert alexnet["output"] == 55 and alexnet["exact"] and alexnet["skipped"] == 0
    quirk = grid_layout(224, 11, 0, 4)
    assert quirk["output"] == 54 and not quirk["exact"] and quirk["skipped"] == (224 - 11) % 4
    assert quirk["output"] == output_size(224, 11, 0, 4)


def test_grid_layout_without_room_reports_the_error():
    layout = grid_layout(5, 9, 1)
    assert layout["output"] is None and "larger than the padded input" in layout["error"]
    with pytest.raises(TypeError, match="stride"):
        grid_layout(5, 3, 0, 1.5)


def test_effective_kernel_size():
    assert effective_kernel_size(3, 2) == 5
    assert effective_kernel_size(11) == 11
    assert output_size(15, 3, dilation=3) == 15 - effective_kernel_size(3, 3) + 1 == 9


def test_stride_fit_is_none_exactly_when_the_windows_tile_the_padded_input():
    for n in range(3, 12):
        for stride in (1, 2, 3):
            for dilation in (1, 2):
                layout = grid_layout(n, 3, 1, stride, dilation)
                if layout["output"] is not None:
                    assert (stride_fit(n, 3, 1, stride, dilation) is None) == (layout["skipped"] == 0)
    assert stride_fit(227, 11, 0, 4) is None


def test_stride_fit_explains_with_the_numbers():
    assert stride_fit(7, 3, stride=3) == (
        "the last 1 column of the padded input is never covered: (7 + 2*0 - 3) = 4 is not a multiple of "
        "stride 3, so the output has floor(4/3) + 1 = 2 columns")
    assert stride_fit(224, 11, 0, 4, axis="row").startswith("the last 1 row of the padded input is never covered")
    assert "the last 2 columns of the padded input are never covered" in stride_fit(8, 3, 0, 3)
    assert "spans 5" in stride_fit(8, 3, 0, 2, dilation=2)
    assert "does not fit" in stride_fit(5, 9, 1) and "5 + 2*1 = 7" in stride_fit(5, 9, 1)
