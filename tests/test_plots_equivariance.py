"""cnnlib.plots.equivariance: the feature map follows a shifted image (notebook 06)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlib import conv2d, kernels, relu  # noqa: E402
from cnnlib.augment import shift_image  # noqa: E402
from cnnlib.plots.equivariance import equivariance_figure  # noqa: E402


def _stroke_image():
    image = np.zeros((20, 20))
    image[5:12, 6] = 1.0                       # a vertical stroke, far from the borders
    image[8, 6:10] = 0.5
    return image


def _feature_map(image):
    return relu(conv2d(image, kernels.sobel_x(), padding="same"))


def _peak(fmap):
    return tuple(int(v) for v in np.unravel_index(np.argmax(fmap), fmap.shape))


@pytest.mark.parametrize("rows, cols", [(0, 1), (2, 3), (-3, 2), (4, -2)])
def test_the_feature_map_of_a_shifted_image_is_the_shifted_feature_map(rows, cols):
    image = _stroke_image()
    after = _feature_map(shift_image(image, rows, cols))
    assert np.array_equal(after, shift_image(_feature_map(image), rows, cols))
    assert np.subtract(_peak(after), _peak(_feature_map(image))).tolist() == [rows, cols]


def test_the_figure_marks_both_peaks():
    fig = equivariance_figure(_stroke_image(), kernels.sobel_x(), 2, 3, kernel_name="Sobel x")
    assert len(fig.axes) == 4
    titles = [ax.get_title() for ax in fig.axes]
    r, c = _peak(_feature_map(_stroke_image()))
    assert titles[1].endswith(f"({r}, {c})") and titles[3].endswith(f"({r + 2}, {c + 3})")
    assert len(fig.axes[3].patches) == 2 and len(fig.axes[1].patches) == 1   # new place, and the old one dashed
    plt.close(fig)


def test_the_figure_wants_one_image():
    with pytest.raises(ValueError):
        equivariance_figure(np.ones((2, 3, 3)), kernels.sobel_x(), 1, 1)
