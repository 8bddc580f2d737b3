"""Translation equivariance, the figure of notebook 06: shift an image and its feature map shifts with it."""
import matplotlib.pyplot as plt
import numpy as np

from .._checks import as_float_array, check_ndim
from ..activations import relu
from ..augment import shift_image
from ..conv import conv2d
from . import IMAGE_CMAP

__all__ = ["feature_map", "strongest_position", "equivariance_figure"]


def feature_map(image, kernel):
    """The rectified response ReLU(conv2d(image, kernel, padding='same')): as large as the image.

    Inputs:   image  H x W;  kernel  kh x kw with odd sides
    Returns:  H x W float array, zero where the kernel's pattern is absent

    >>> feature_map(np.eye(3), np.array([[1.0]]))[1]
    array([0., 1., 0.])
    """
    return relu(conv2d(image, kernel, padding="same"))


def strongest_position(fmap):
    """(row, col) of a map's largest value (the first one, row by row, on a tie).

    Inputs:   fmap  H x W array
    Returns:  a pair of ints

    >>> strongest_position(np.array([[0.0, 2.0], [5.0, 1.0]]))
    (1, 0)
    """
    fmap = np.asarray(fmap)
    row, col = np.unravel_index(int(np.argmax(fmap)), fmap.shape)
    return int(row), int(col)


def equivariance_figure(image, kernel, rows, cols, *, kernel_name="kernel"):
    """Four panels: the image and its feature map (top), the image shifted by (rows, cols) and the
    feature map of the shifted image (bottom); an orange ring marks each map's strongest response,
    which moves by the same (rows, cols), and a dashed cyan ring its place before the shift.

    Inputs:   image  H x W;  kernel  kh x kw (odd sides);  rows, cols  the shift (down, right)
              kernel_name  for the titles
    Returns:  a matplotlib Figure

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = equivariance_figure(np.pad(np.eye(4), 2), np.array([[1.0]]), 1, 2)
    >>> len(fig.axes)
    4
    >>> plt.close(fig)
    """
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2,), "an H x W image")
    shifted = shift_image(image, rows, cols)
    maps = [feature_map(image, kernel), feature_map(shifted, kernel)]
    top = max(float(m.max()) for m in maps) or 1.0
    fig, axes = plt.subplots(2, 2, figsize=(8.4, 8.4), layout="constrained")
    for row_axes, picture, fmap, label in zip(axes, (image, shifted), maps, ("image", f"shifted by ({rows}, {cols})")):
        row_axes[0].imshow(picture, cmap=IMAGE_CMAP)
        row_axes[0].set_title(label)
        row_axes[1].imshow(fmap, cmap=IMAGE_CMAP, vmin=0, vmax=top)
        r, c = strongest_position(fmap)
        row_axes[1].add_patch(plt.Circle((c, r), 2.2, fill=False, edgecolor="tab:orange", linewidth=3))
        row_axes[1].set_title(f"ReLU({kernel_name}): strongest at ({r}, {c})")
        for ax in row_axes:
            ax.set_xticks([])
            ax.set_yticks([])
    r, c = strongest_position(maps[0])         # where it was before the shift: dashed
    axes[1][1].add_patch(plt.Circle((c, r), 2.2, fill=False, edgecolor="tab:cyan", linewidth=2, linestyle="--"))
    return fig
