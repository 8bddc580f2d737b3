"""Translation equivariance, the figure of notebook 06: shift an image and its feature map shifts with it."""
import matplotlib.pyplot as plt
import numpy as np

from .._checks import as_float_array, check_ndim
from ..activations import relu
from ..augment import shift_image
from ..conv import conv2d
from . import HIGHLIGHT_COLOUR, IMAGE_CMAP, SKY_BLUE

__all__ = ["equivariance_figure"]


def _peak(fmap):
    """(row, col) of a map's largest value, the first one row by row (for the rings and titles)."""
    row, col = np.unravel_index(int(np.argmax(fmap)), np.shape(fmap))
    return int(row), int(col)


def equivariance_figure(image, kernel, rows, cols, *, kernel_name="kernel"):
    """Four panels: the image and its feature map ReLU(conv2d(image, kernel, padding="same")) (top), the
    image shifted by (rows, cols) and the feature map of the shifted image (bottom); a solid orange ring
    marks each map's strongest response,
    which moves by the same (rows, cols), and a dashed sky-blue ring its place before the shift.

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
    maps = [relu(conv2d(picture, kernel, padding="same")) for picture in (image, shifted)]   # as large as the image
    top = max(float(m.max()) for m in maps) or 1.0
    fig, axes = plt.subplots(2, 2, figsize=(8.4, 8.4), layout="constrained")
    for row_axes, picture, fmap, label in zip(axes, (image, shifted), maps, ("image", f"shifted by ({rows}, {cols})")):
        row_axes[0].imshow(picture, cmap=IMAGE_CMAP)
        row_axes[0].set_title(label)
        row_axes[1].imshow(fmap, cmap=IMAGE_CMAP, vmin=0, vmax=top)
        r, c = _peak(fmap)
        row_axes[1].add_patch(plt.Circle((c, r), 2.2, fill=False, edgecolor=HIGHLIGHT_COLOUR, linewidth=3,
                                               linestyle="-"))
        row_axes[1].set_title(f"ReLU({kernel_name}): strongest at ({r}, {c})")
        for ax in row_axes:
            ax.set_xticks([])
            ax.set_yticks([])
    r, c = _peak(maps[0])         # where it was before the shift: dashed
    axes[1][1].add_patch(plt.Circle((c, r), 2.2, fill=False, edgecolor=SKY_BLUE, linewidth=2, linestyle="--"))
    return fig
