"""Named image kernels (taught in notebook 02). Each function returns a fresh float array.

All are written for cross-correlation (``conv2d`` without flip); every one here except Sobel is
symmetric, so flipping does not change it. Sobel x responds positively where brightness grows
to the right; flipped, it would respond negatively.
"""
import numpy as np

from ._checks import as_positive_int, check_allocation


def identity(size=3, *, max_bytes=None):
    """A single 1 in the centre: the output equals the input.

    Inputs:   size  odd int >= 1, the side of the kernel;  max_bytes  as in :func:`gaussian`
    Returns:  size x size float array

    >>> identity()
    array([[0., 0., 0.],
           [0., 1., 0.],
           [0., 0., 0.]])
    """
    size = _odd_size(size, "identity", max_bytes)
    k = np.zeros((size, size))
    k[size // 2, size // 2] = 1.0
    return k


def box_blur(size=3, *, max_bytes=None):
    """All weights 1/size^2: each pixel becomes the mean of its size x size neighbourhood.

    Inputs:   size  odd int >= 1, the side of the kernel;  max_bytes  as in :func:`gaussian`
    Returns:  size x size float array, every entry 1 / size^2 (they sum to 1)

    On the notes' 5x5 image (notebook 02), pixel (2, 2) = 70 and its 8 neighbours:

    >>> patch = np.array([[121, 54, 84], [99, 70, 129], [57, 115, 69]])
    >>> round(float((box_blur() * patch).sum()), 2)       # the mean 798 / 9, not 70 / 9 = 7.78
    88.67
    """
    size = _odd_size(size, "box_blur", max_bytes)
    return np.full((size, size), 1.0 / size**2)


def gaussian(size=5, sigma=1.0, *, max_bytes=None):
    """exp(-(a^2 + b^2) / (2 sigma^2)) on a centred size x size grid, normalised to sum 1.

    Inputs:   size   odd int >= 1, the side of the kernel
              sigma  the standard deviation in pixels, a positive number
              max_bytes  refuse (ValueError, before allocating) a kernel larger than this; default
                     ``cnnlib.conv.MAX_BYTES`` (1 GiB), which fits sides up to 11585
    Returns:  size x size float array summing to 1, largest in the centre

    >>> gaussian(3, sigma=1.0).round(3)
    array([[0.075, 0.124, 0.075],
           [0.124, 0.204, 0.124],
           [0.075, 0.124, 0.075]])
    """
    size = _odd_size(size, "gaussian", max_bytes)
    if isinstance(sigma, bool) or not np.isscalar(sigma) or not sigma > 0:
        raise ValueError(f"sigma must be a positive number, got {sigma!r}")
    r = np.arange(size) - size // 2
    g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2.0 * sigma**2))
    return g / g.sum()


def sharpen():
    """5 x centre - the 4 neighbours = centre + 4 x (centre - mean of neighbours): boosts detail.

    Inputs:   none
    Returns:  3 x 3 float array [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]

    Returns a 3 x 3 array. The lecture notes' 5x5 example, padding 1 and stride 2, starts with 114:

    >>> from cnnlib.conv import conv2d
    >>> image = np.array([[60, 113, 56, 139, 85], [73, 121, 54, 84, 128], [131, 99, 70, 129, 127],
    ...                   [80, 57, 115, 69, 134], [104, 126, 123, 95, 130]])
    >>> print(conv2d(image, sharpen(), padding=1, stride=2)[0, 0])     # 5*60 - 113 - 73
    114.0
    """
    return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])


def edge():
    """The notes' edge kernel: 8 neighbours - 8 x centre, zero on flat regions (a Laplacian).

    Inputs:   none
    Returns:  3 x 3 float array: 1 everywhere, -8 in the centre (the weights sum to 0)

    On the notes' 5x5 image (notebook 02), pixel (2, 2) = 70 and its 8 neighbours:

    >>> patch = np.array([[121, 54, 84], [99, 70, 129], [57, 115, 69]])
    >>> float((edge() * patch).sum())                     # 728 - 8 * 70, as in notebook 02
    168.0
    """
    return np.array([[1.0, 1.0, 1.0], [1.0, -8.0, 1.0], [1.0, 1.0, 1.0]])


def sobel_x():
    """Horizontal gradient (right minus left, smoothed over 3 rows): finds vertical edges.

    Inputs:   none
    Returns:  3 x 3 float array [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]

    On the notes' 5x5 image (notebook 02), pixel (2, 2) = 70 and its 8 neighbours:

    >>> patch = np.array([[121, 54, 84], [99, 70, 129], [57, 115, 69]])
    >>> float((sobel_x() * patch).sum())     # -121 + 84 - 2*99 + 2*129 - 57 + 69 (notebook 02)
    35.0
    """
    return np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def sobel_y():
    """Vertical gradient (bottom minus top): finds horizontal edges.

    Inputs:   none
    Returns:  3 x 3 float array, the transpose of :func:`sobel_x`: [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]

    On the notes' 5x5 image (notebook 02), pixel (2, 2) = 70 and its 8 neighbours:

    >>> patch = np.array([[121, 54, 84], [99, 70, 129], [57, 115, 69]])
    >>> float((sobel_y() * patch).sum())     # (57 + 2*115 + 69) - (121 + 2*54 + 84) = 356 - 313
    43.0
    """
    return sobel_x().T


PRESETS = {
    "identity": identity,
    "box blur": box_blur,
    "gaussian": gaussian,
    "sharpen": sharpen,
    "edge": edge,
    "sobel x": sobel_x,
    "sobel y": sobel_y,
}


def by_name(name):
    """The preset kernel called ``name`` (one of ``PRESETS``), at its default size.

    Inputs:   name  str, a key of ``PRESETS``: "identity", "box blur", "gaussian", "sharpen", "edge",
                    "sobel x" or "sobel y"
    Returns:  a fresh float array: 3 x 3, or 5 x 5 for "gaussian"

    >>> by_name("edge")
    array([[ 1.,  1.,  1.],
           [ 1., -8.,  1.],
           [ 1.,  1.,  1.]])
    """
    if name not in PRESETS:
        raise ValueError(f"name must be one of {sorted(PRESETS)}, got {name!r}")
    return PRESETS[name]()


def _odd_size(size, what, max_bytes):
    """``size`` checked to be odd and small enough that a size x size kernel fits the memory limit."""
    size = as_positive_int(size, "size")
    if size % 2 == 0:
        raise ValueError(f"size must be odd so the kernel has a centre, got {size}")
    check_allocation(what, {f"{size} x {size} kernel": size * size * 8}, max_bytes)
    return size


__all__ = ["identity", "box_blur", "gaussian", "sharpen", "edge", "sobel_x", "sobel_y", "PRESETS",
           "by_name"]
