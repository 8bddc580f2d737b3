"""Data augmentation: new training digits from old ones by small random distortions (notebook 11).

A distortion moves pixels, it does not change them. For every output pixel q = (row, col) we ask
where in the original image its value comes from (the *source* point s(q)) and read the original
there by bilinear interpolation, zero outside the image:

    affine   s(q) = A^-1 (q - c - t) + c      A = R(rotation) @ [[1, 0], [shear, 1]] @ diag(scale)
    elastic  s(q) = q + d(q)                  d = alpha * (Gaussian blur of width sigma of uniform noise)

c is the image centre ((H - 1)/2, (W - 1)/2) and t the shift in pixels (down, right). The affine
map turns the digit by ``rotation`` degrees counterclockwise, slants it by ``shear`` (lower rows
move right), stretches rows and columns by ``scale`` = (rows, cols) and moves it by t. The elastic
field follows Simard, Steinkraus & Platt (2003), "Best practices for convolutional neural networks
applied to visual document analysis": each pixel gets a random displacement in [-1, 1]^2, the
field is smoothed by a Gaussian of width sigma (neighbours move together: the stroke bends rather
than breaks) and scaled by alpha. :func:`warp` applies both in one sampling (one blur, not two):

    s(q) = A^-1 (q - c - t) + c + d(q)

Shapes: images N x C x H x W (every channel of an image gets the same distortion); the naive
twins (:func:`warp_naive`, :func:`bilinear`) take one H x W image and loop over output pixels.
Random functions take ``rng``: None, an int seed or a numpy Generator.

Training: ``fit(..., augment=augmenter())`` distorts every training batch afresh (never the
validation data); LeCun et al. (1998) report LeNet-5's MNIST test error falling from 0.95% to
0.80% when trained with distorted copies of the images.
"""
import numbers

import numpy as np

from ._checks import (as_float_array, as_nonnegative_int, as_pair, as_positive_int, as_rng, check_allocation,
                      check_ndim)

__all__ = ["rotation_matrix", "affine_matrix", "bilinear", "bilinear_sample", "source_coordinates",
           "warp", "warp_naive", "shift_image", "gaussian_smoothing_matrix", "elastic_field", "random_affine_parameters",
           "random_affine", "random_elastic", "random_distortion", "augmenter", "DEFAULTS"]

DEFAULTS = dict(rotation=10.0, scale=0.1, shear=0.2, shift=2.0, alpha=6.0, sigma=3.0)
"""The largest distortions :func:`random_distortion` draws by default: rotation in degrees, scale
change (a fraction, per axis), shear, shift in pixels; the elastic field's alpha and sigma (pixels)."""


def _as_images(images, name="images"):
    """``images`` as a finite floating (float32 or float64) N x C x H x W array."""
    arr = as_float_array(images, name)
    if arr.ndim != 4:
        raise ValueError(f"{name} must be a batch N x C x H x W (e.g. N x 1 x 32 x 32), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[2] == 0 or arr.shape[3] == 0:
        raise ValueError(f"{name} must hold at least one image of at least 1 x 1 pixels, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite numbers (no NaN or inf)")
    return arr


def _as_image(image, name="image"):
    arr = np.asarray(image, dtype=np.float64)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} must be one H x W image, got shape {arr.shape}")
    return arr


def _limit(value, name, low=0.0, high=np.inf, high_open=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < low or value > high or (high_open and value >= high):
        bound = f"below {high:g}" if high_open else f"at most {high:g}"
        raise ValueError(f"{name} must be at least {low:g}" + (f" and {bound}" if np.isfinite(high) else "")
                         + f", got {value!r}")
    return float(value)


def rotation_matrix(degrees):
    """The 2 x 2 matrix that turns (row, col) vectors by ``degrees`` counterclockwise on screen:

        R = [[cos a, -sin a], [sin a, cos a]]

    (rows point down, so in (row, col) order the usual matrix turns counterclockwise as seen).

    Inputs:   degrees  a number, the angle (counterclockwise on screen)
    Returns:  R, a 2 x 2 float array

    >>> rotation_matrix(90).round(6)     # a step right (0, 1) becomes a step up (-1, 0)
    array([[ 0., -1.],
           [ 1.,  0.]])
    """
    a = np.deg2rad(degrees)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def affine_matrix(rotation=0.0, scale=1.0, shear=0.0):
    """A = R(rotation) @ [[1, 0], [shear, 1]] @ diag(scale_rows, scale_cols), acting on (row, col).

    ``rotation`` in degrees, counterclockwise; ``shear`` moves a point right by shear x its row
    (a slant); ``scale`` a number or a pair (rows, cols); (1.1, 0.9) makes the digit taller and
    narrower (LeCun et al. 1998's "squeezing").

    Inputs:   rotation  a number, degrees
              scale     a positive number, or a pair (rows, cols)
              shear     a number
    Returns:  A, a 2 x 2 float array

    >>> affine_matrix(scale=(2, 3))          # rows twice, columns three times as far apart
    array([[2., 0.],
           [0., 3.]])
    >>> affine_matrix(shear=0.5)             # a point one row down moves half a column right
    array([[1. , 0. ],
           [0.5, 1. ]])
    """
    scale_rows, scale_cols = np.broadcast_to(np.asarray(scale, dtype=float), (2,))
    if scale_rows <= 0 or scale_cols <= 0:
        raise ValueError(f"scale must be positive (a scale of 0 squashes the image to a line), got {scale!r}")
    return rotation_matrix(rotation) @ np.array([[1.0, 0.0], [shear, 1.0]]) @ np.diag([scale_rows, scale_cols])


def bilinear(image, row, col):
    """The value of one H x W ``image`` at the real-valued point (row, col), zero outside the image:

        r0 = floor(row), c0 = floor(col), fr = row - r0, fc = col - c0
        value = (1-fr)(1-fc) I[r0, c0] + (1-fr) fc I[r0, c0+1] + fr (1-fc) I[r0+1, c0] + fr fc I[r0+1, c0+1]

    with I[r, c] = 0 when (r, c) lies outside the image. At whole-number points it returns the pixel.

    Inputs:   image     H x W array
              row, col  numbers (real-valued, may lie outside the image)
    Returns:  a Python float

    >>> image = np.array([[0.0, 1.0], [2.0, 3.0]])
    >>> bilinear(image, 1, 0), bilinear(image, 0.5, 0.5), bilinear(image, 5, 5)   # a pixel, the mean of all 4, outside
    (2.0, 1.5, 0.0)
    """
    image = np.asarray(image)
    height, width = image.shape
    r0, c0 = int(np.floor(row)), int(np.floor(col))
    fr, fc = row - r0, col - c0

    def pixel(r, c):
        return float(image[r, c]) if 0 <= r < height and 0 <= c < width else 0.0

    return ((1 - fr) * (1 - fc) * pixel(r0, c0) + (1 - fr) * fc * pixel(r0, c0 + 1)
            + fr * (1 - fc) * pixel(r0 + 1, c0) + fr * fc * pixel(r0 + 1, c0 + 1))


def bilinear_sample(images, rows, cols):
    """:func:`bilinear` for every pixel of a batch at once: N x C x H x W images read at the
    N x H x W source points (rows, cols) give N x C x H x W outputs (float64).

    Each image gets a border of zeros (1 pixel above and left, 2 below and right) and the points
    are clamped to [-1, H] x [-1, W]: a point further out then still reads only zeros, so one
    gather per corner needs no masks.

    Inputs:   images      N x C x H x W float array
              rows, cols  N x H x W float arrays: the source point of each output pixel
    Returns:  N x C x H x W float64 array

    >>> images = np.arange(4.0).reshape(1, 1, 2, 2)        # one 2 x 2 image [[0, 1], [2, 3]]
    >>> bilinear_sample(images, np.full((1, 2, 2), 0.5), np.full((1, 2, 2), 0.5))   # all read the middle
    array([[[[1.5, 1.5],
             [1.5, 1.5]]]])
    """
    n, channels, height, width = images.shape
    padded = np.zeros((n, channels, height + 3, width + 3))
    padded[:, :, 1:height + 1, 1:width + 1] = images
    rows, cols = np.clip(rows, -1, height), np.clip(cols, -1, width)
    r0, c0 = np.floor(rows), np.floor(cols)
    fr, fc = (rows - r0)[:, None], (cols - c0)[:, None]               # N x 1 x H x W, for all channels
    stride = width + 3
    top_left = ((r0.astype(np.intp) + 1) * stride + c0.astype(np.intp) + 1)[:, None]
    top_left = top_left + (np.arange(n * channels) * (height + 3) * stride).reshape(n, channels, 1, 1)
    flat = padded.ravel()
    return ((1 - fr) * (1 - fc) * flat[top_left] + (1 - fr) * fc * flat[top_left + 1]
            + fr * (1 - fc) * flat[top_left + stride] + fr * fc * flat[top_left + stride + 1])


def source_coordinates(shape, rotation=0.0, scale=1.0, shear=0.0, shift=(0.0, 0.0)):
    """For one H x W image: where each output pixel reads the original, s(q) = A^-1 (q - c - t) + c.

    Returns (rows, cols), two H x W arrays. ``shift`` = t = (down, right) in pixels; the other
    arguments as for :func:`affine_matrix`.

    Inputs:   shape     (H, W)
              rotation, scale, shear, shift  as above (shift a number or a pair (down, right))
    Returns:  (rows, cols), two H x W float arrays

    >>> rows, cols = source_coordinates((3, 3), shift=(1, 0))   # moved down 1: each pixel reads the row above
    >>> rows
    array([[-1., -1., -1.],
           [ 0.,  0.,  0.],
           [ 1.,  1.,  1.]])
    >>> cols
    array([[0., 1., 2.],
           [0., 1., 2.],
           [0., 1., 2.]])
    """
    height, width = shape
    centre = np.array([(height - 1) / 2, (width - 1) / 2])
    inverse = np.linalg.inv(affine_matrix(rotation, scale, shear))
    q = np.stack(np.meshgrid(np.arange(height), np.arange(width), indexing="ij"), axis=-1)   # H x W x 2
    s = (q - centre - np.asarray(shift, dtype=float)) @ inverse.T + centre
    return s[..., 0], s[..., 1]


def _per_image(value, n, name, width=None):
    """A scalar or per-image parameter as an array of n (or n x width) floats."""
    arr = as_float_array(value, name).astype(np.float64, copy=False)
    shape = (n,) if width is None else (n, width)
    try:
        arr = np.broadcast_to(arr if width is None or arr.ndim != 1 or arr.shape[0] != n else arr[:, None],
                              shape)
    except ValueError:
        raise ValueError(f"{name} must be one value or one per image ({n}), got shape {np.shape(value)}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def warp(images, *, rotation=0.0, scale=1.0, shear=0.0, shift=0.0, field=None):
    """Distort a batch: each output pixel q reads its image at s(q) = A^-1 (q - c - t) + c + d(q).

    ``images`` N x C x H x W. ``rotation`` (degrees), ``shear``: one number or one per image (N);
    ``scale``, ``shift`` (pixels, down and right): a number, a pair (rows, cols), or N pairs;
    ``field``: the elastic displacement d, N x 2 x H x W (row and column parts), or None. Returns an
    array of the images' shape and floating dtype; values stay within [min(0, lowest pixel),
    max(0, highest pixel)] (reads outside the image give 0), so images in [0, 1] stay in [0, 1].
    :func:`warp_naive` is the loop version.

    Inputs:   images    N x C x H x W array (integers are converted to float64)
              rotation  number or (N,) array, degrees
              scale     number, pair (rows, cols) or N x 2 array
              shear     number or (N,) array
              shift     number, pair (down, right) or N x 2 array, pixels
              field     N x 2 x H x W float array or None
    Returns:  N x C x H x W array, the images' floating dtype

    >>> dot = np.zeros((1, 1, 4, 4)); dot[0, 0, 1, 1] = 1.0       # one bright pixel at (1, 1)
    >>> warp(dot, shift=(1, 2))[0, 0]                             # 1 down, 2 right: now at (2, 3)
    array([[0., 0., 0., 0.],
           [0., 0., 0., 0.],
           [0., 0., 0., 1.],
           [0., 0., 0., 0.]])
    >>> np.argwhere(warp(dot, rotation=90)[0, 0].round(6))        # turned a quarter about the centre (1.5, 1.5)
    array([[2, 1]])
    """
    images = _as_images(images)
    n, _, height, width = images.shape
    rotation = _per_image(rotation, n, "rotation")
    shear = _per_image(shear, n, "shear")
    scale = _per_image(scale, n, "scale", width=2)
    shift = _per_image(shift, n, "shift", width=2)
    if np.any(scale <= 0):
        raise ValueError("scale must be positive (a scale of 0 squashes the image to a line)")
    a = np.deg2rad(rotation)
    rot = np.stack([np.stack([np.cos(a), -np.sin(a)], -1), np.stack([np.sin(a), np.cos(a)], -1)], -2)
    shear_m = np.zeros((n, 2, 2))
    shear_m[:, 0, 0] = shear_m[:, 1, 1] = 1.0
    shear_m[:, 1, 0] = shear
    matrices = rot @ shear_m * scale[:, None, :]                         # R @ S_shear @ diag(scale)
    inverse = np.linalg.inv(matrices)[:, :, :, None, None]               # N x 2 x 2 x 1 x 1
    # q - c - t, as N x H x 1 (rows) and N x 1 x W (columns): broadcasting builds the N x H x W grids
    p_rows = (np.arange(height) - (height - 1) / 2)[None, :, None] - shift[:, 0, None, None]
    p_cols = (np.arange(width) - (width - 1) / 2)[None, None, :] - shift[:, 1, None, None]
    rows = inverse[:, 0, 0] * p_rows + inverse[:, 0, 1] * p_cols + (height - 1) / 2
    cols = inverse[:, 1, 0] * p_rows + inverse[:, 1, 1] * p_cols + (width - 1) / 2
    if field is not None:
        field = as_float_array(field, "field")
        if field.shape != (n, 2, height, width):
            raise ValueError(f"field must be N x 2 x H x W = {(n, 2, height, width)} (a row and a column "
                             f"displacement per pixel), got shape {field.shape}")
        rows, cols = rows + field[:, 0], cols + field[:, 1]
    out = bilinear_sample(images, rows, cols)
    return np.clip(out, min(0.0, float(images.min())), max(0.0, float(images.max()))).astype(images.dtype)


def warp_naive(image, *, rotation=0.0, scale=1.0, shear=0.0, shift=0.0, field=None):
    """:func:`warp` for one H x W image, written as the formula: a loop over the output pixels,
    each reading the image at s(q) = A^-1 (q - c - t) + c + d(q) with :func:`bilinear`.
    ``field`` is 2 x H x W or None; ``scale`` and ``shift`` a number or a pair (rows, cols).

    Inputs:   image     H x W array
              rotation  number, degrees
              scale     number or pair (rows, cols)
              shear     number
              shift     number or pair (down, right), pixels
              field     2 x H x W float array or None
    Returns:  H x W float64 array

    >>> dot = np.zeros((4, 4)); dot[1, 1] = 1.0
    >>> np.argwhere(warp_naive(dot, shift=(1, 2)))                # 1 down, 2 right, as warp's example
    array([[2, 3]])
    >>> bool(np.allclose(warp_naive(dot, rotation=30, shear=0.2), warp(dot[None, None], rotation=30, shear=0.2)[0, 0]))
    True
    """
    image = _as_image(image)
    height, width = image.shape
    inverse = np.linalg.inv(affine_matrix(rotation, scale, shear))
    centre = np.array([(height - 1) / 2, (width - 1) / 2])
    shift = np.broadcast_to(np.asarray(shift, dtype=float), (2,))
    if field is not None and np.shape(field) != (2, height, width):
        raise ValueError(f"field must be 2 x H x W = {(2, height, width)}, got shape {np.shape(field)}")
    out = np.zeros((height, width))
    for i in range(height):
        for j in range(width):
            row, col = inverse @ (np.array([i, j]) - centre - shift) + centre
            if field is not None:
                row, col = row + field[0][i, j], col + field[1][i, j]
            out[i, j] = bilinear(image, row, col)
    return np.clip(out, min(0.0, image.min()), max(0.0, image.max()))


def shift_image(x, rows=0, cols=0, fill=0.0):
    """Move the content of an H x W map by ``rows`` down and ``cols`` right (negative: up, left).

    Pixels pushed off the edge are lost; the strip uncovered on the other side is set to ``fill``.
    Unlike np.roll nothing wraps around, as when an object moves within a camera's view; unlike
    :func:`warp` the shift is whole pixels, so no value is interpolated (notebook 06 shifts a
    feature map with it to test pooling's translation invariance).

    Inputs:   x           H x W array of numbers
              rows, cols  ints, each smaller than the map's size along it in magnitude
              fill        the value of the uncovered strip
    Returns:  H x W float array

    >>> shift_image(np.arange(1, 10).reshape(3, 3), 0, 1)        # one column right, zeros come in
    array([[0., 1., 2.],
           [0., 4., 5.],
           [0., 7., 8.]])
    """
    x = as_float_array(x, "x")
    check_ndim(x, "x", (2,), "an H x W map")
    h, w = x.shape
    for name, amount, limit in (("rows", rows, h), ("cols", cols, w)):
        if isinstance(amount, bool) or not isinstance(amount, numbers.Integral):
            raise TypeError(f"{name} must be an integer shift, got {amount!r}")
        if abs(amount) >= limit:
            raise ValueError(f"{name} shift {amount} must be smaller than the map's size {limit} along it")
    out = np.full_like(x, fill)
    out[max(rows, 0):h + min(rows, 0), max(cols, 0):w + min(cols, 0)] = \
        x[max(-rows, 0):h + min(-rows, 0), max(-cols, 0):w + min(-cols, 0)]
    return out


def gaussian_smoothing_matrix(size, sigma, *, max_bytes=None):
    """The size x size matrix G that blurs a length-``size`` signal with a Gaussian of width sigma,
    treating the outside as zero: G[i, k] = exp(-(i - k)^2 / (2 sigma^2)) / sum_m exp(-m^2 / (2 sigma^2)),
    m over all integers. Blurring an H x W field f in both directions is G_H @ f @ G_W^T.

    Inputs:   size       int >= 1, the signal's length
              sigma      positive number, the Gaussian's width in samples
              max_bytes  refuse (ValueError) a call that would allocate more; default
                         ``cnnlib.conv.MAX_BYTES`` (1 GiB). The normalising sum has 2 (8 sigma + size) + 1
                         terms, so a huge sigma is refused too.
    Returns:  size x size float64 array (symmetric)

    >>> gaussian_smoothing_matrix(3, 0.1).round(3)               # very narrow: hardly any blur
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    >>> float(gaussian_smoothing_matrix(21, 1.0)[10].sum().round(6))   # far from the ends a row sums to 1
    1.0
    """
    size = as_positive_int(size, "size")
    sigma = _limit(sigma, "sigma", low=1e-9)
    half_reach = int(np.ceil(8 * sigma)) + size
    n_terms = 2 * half_reach + 1
    check_allocation("gaussian_smoothing_matrix", {f"{size} x {size} matrix": size * size * 8,
                                                   f"normalising sum of {n_terms} terms (sigma {sigma:g})": n_terms * 8},
                     max_bytes)
    offsets = np.arange(size)[:, None] - np.arange(size)[None, :]
    reach = np.arange(-half_reach, half_reach + 1)
    return np.exp(-offsets ** 2 / (2 * sigma ** 2)) / np.exp(-reach ** 2 / (2 * sigma ** 2)).sum()


def elastic_field(n, shape, *, alpha, sigma, rng=None, max_bytes=None):
    """n random displacement fields, n x 2 x H x W (row part, column part), after Simard et al. (2003):
    uniform noise in [-1, 1] per pixel and direction, blurred by a Gaussian of width ``sigma`` pixels,
    times ``alpha``. Small sigma: nearly independent jitter; large sigma: a gentle overall bend.

    Inputs:   n      int, how many fields
              shape  (H, W)
              alpha  number >= 0, the strength (pixels)
              sigma  positive number, the smoothing width (pixels)
              rng    None, an int seed or a numpy Generator
              max_bytes  refuse (ValueError) a call that would allocate more (the noise, its blurred
                     copies and the blur matrices); default ``cnnlib.conv.MAX_BYTES`` (1 GiB)
    Returns:  n x 2 x H x W float64 array (row displacements, column displacements)

    >>> field = elastic_field(2, (4, 4), alpha=6.0, sigma=1.0, rng=0)
    >>> field.shape, bool(np.abs(field).max() <= 6.0)            # a blurred [-1, 1] noise, times alpha
    ((2, 2, 4, 4), True)
    """
    n = as_nonnegative_int(n, "n")
    height, width = as_pair(shape, "shape", as_positive_int)
    alpha = _limit(alpha, "alpha")
    sigma = _limit(sigma, "sigma", low=1e-9)
    # The noise, the field blurred along rows and the field blurred both ways are alive at once.
    check_allocation("elastic_field", {f"noise and 2 blurred copies, each {n} x 2 x {height} x {width}":
                                       3 * n * 2 * height * width * 8}, max_bytes)
    blur_rows = gaussian_smoothing_matrix(height, sigma, max_bytes=max_bytes)
    blur_cols = gaussian_smoothing_matrix(width, sigma, max_bytes=max_bytes)
    noise = as_rng(rng).uniform(-1.0, 1.0, size=(n, 2, height, width))
    along_rows = (noise.reshape(-1, width) @ blur_cols.T).reshape(n, 2, height, width)     # one big product
    both = (along_rows.swapaxes(2, 3).reshape(-1, height) @ blur_rows.T).reshape(n, 2, width, height)
    return alpha * both.swapaxes(2, 3)                  # = alpha * blur_rows @ noise @ blur_cols^T


def random_affine_parameters(n, *, rotation=DEFAULTS["rotation"], scale=DEFAULTS["scale"],
                             shear=DEFAULTS["shear"], shift=DEFAULTS["shift"], rng=None, max_bytes=None):
    """Random affine parameters for n images, each drawn uniformly: rotation in [-rotation, rotation]
    degrees, scale per axis in [1 - scale, 1 + scale], shear in [-shear, shear], shift per axis in
    [-shift, shift] pixels. Returns a dict to pass to :func:`warp` (or, one image at a time, to
    :func:`warp_naive`).

    Inputs:   n      int, how many images
              rotation, scale, shear, shift  numbers >= 0, the largest changes (rotation below 180,
                     scale below 1)
              rng    None, an int seed or a numpy Generator
              max_bytes  refuse (ValueError) an n whose parameters need more; default
                     ``cnnlib.conv.MAX_BYTES`` (1 GiB)
    Returns:  dict rotation (n,), scale n x 2, shear (n,), shift n x 2 (float64 arrays)

    >>> params = random_affine_parameters(3, rng=0)
    >>> {name: value.shape for name, value in params.items()}
    {'rotation': (3,), 'scale': (3, 2), 'shear': (3,), 'shift': (3, 2)}
    >>> bool(np.all(np.abs(params["rotation"]) <= 10))           # DEFAULTS["rotation"] is 10 degrees
    True
    """
    rotation = _limit(rotation, "rotation", high=180.0, high_open=True)
    scale = _limit(scale, "scale", high=1.0, high_open=True)
    shear = _limit(shear, "shear")
    shift = _limit(shift, "shift")
    n = as_nonnegative_int(n, "n")
    check_allocation("random_affine_parameters", {f"6 parameters for each of {n} images": 6 * n * 8}, max_bytes)
    rng = as_rng(rng)
    return dict(rotation=rng.uniform(-rotation, rotation, n), scale=rng.uniform(1 - scale, 1 + scale, (n, 2)),
                shear=rng.uniform(-shear, shear, n), shift=rng.uniform(-shift, shift, (n, 2)))


def random_affine(images, rng=None, **limits):
    """Each image turned, scaled, sheared and shifted at random (limits as in
    :func:`random_affine_parameters`, whose defaults come from DEFAULTS).

    Inputs:   images    N x C x H x W array
              rng       None, an int seed or a numpy Generator
              **limits  rotation, scale, shear, shift (as for random_affine_parameters)
    Returns:  N x C x H x W array, the images' floating dtype

    >>> random_affine(np.ones((2, 1, 8, 8)), rng=0).shape
    (2, 1, 8, 8)
    >>> dot = np.zeros((1, 1, 4, 4)); dot[0, 0, 1, 1] = 1.0
    >>> bool(np.array_equal(random_affine(dot, rng=0, rotation=0, scale=0, shear=0, shift=0), dot))  # no room to move
    True
    """
    images = _as_images(images)
    return warp(images, **random_affine_parameters(len(images), rng=rng, **limits))


def random_elastic(images, rng=None, *, alpha=DEFAULTS["alpha"], sigma=DEFAULTS["sigma"], max_bytes=None):
    """Each image bent by its own random elastic field (:func:`elastic_field`).

    Inputs:   images        N x C x H x W array
              rng           None, an int seed or a numpy Generator
              alpha, sigma  the field's strength and smoothing width, pixels
              max_bytes     as for :func:`elastic_field`
    Returns:  N x C x H x W array, the images' floating dtype

    >>> random_elastic(np.ones((2, 1, 8, 8)), rng=0).shape
    (2, 1, 8, 8)
    >>> dot = np.zeros((1, 1, 4, 4)); dot[0, 0, 1, 1] = 1.0
    >>> bool(np.array_equal(random_elastic(dot, rng=0, alpha=0), dot))    # alpha=0: nothing moves
    True
    """
    images = _as_images(images)
    return warp(images, field=elastic_field(len(images), images.shape[2:], alpha=alpha, sigma=sigma, rng=rng,
                                            max_bytes=max_bytes))


def random_distortion(images, rng=None, *, max_bytes=None, **settings):
    """Affine and elastic distortion together, in one sampling. ``settings``: any of DEFAULTS's
    keys (rotation, scale, shear, shift, alpha, sigma); alpha=0 turns the elastic part off.

    Inputs:   images      N x C x H x W array
              rng         None, an int seed or a numpy Generator
              max_bytes   as for :func:`elastic_field`
              **settings  any of rotation, scale, shear, shift, alpha, sigma
    Returns:  N x C x H x W array, the images' floating dtype

    >>> out = random_distortion(np.ones((2, 1, 8, 8), np.float32), rng=0)
    >>> out.shape, out.dtype, bool(out.min() >= 0 and out.max() <= 1)   # images in [0, 1] stay in [0, 1]
    ((2, 1, 8, 8), dtype('float32'), True)
    """
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown distortion setting(s) {sorted(unknown)}; the settings are {list(DEFAULTS)}")
    images = _as_images(images)
    settings = {**DEFAULTS, **settings}
    rng = as_rng(rng)
    params = random_affine_parameters(len(images), rotation=settings["rotation"], scale=settings["scale"],
                                      shear=settings["shear"], shift=settings["shift"], rng=rng)
    field = elastic_field(len(images), images.shape[2:], alpha=settings["alpha"], sigma=settings["sigma"], rng=rng,
                          max_bytes=max_bytes)
    return warp(images, field=field, **params)


def augmenter(*, max_bytes=None, **settings):
    """A function ``augment(batch, rng)`` for ``fit(..., augment=...)``: random_distortion with these
    settings (DEFAULTS's keys). Checks the settings now, so a typo fails before training starts.

    Inputs:   max_bytes   as for :func:`elastic_field`, for every batch
              **settings  any of rotation, scale, shear, shift, alpha, sigma
    Returns:  a function augment(batch N x C x H x W, rng) -> N x C x H x W, with the dict
              ``augment.settings`` (DEFAULTS updated by these settings)

    >>> augment = augmenter(rotation=5, alpha=0)
    >>> augment(np.ones((2, 1, 8, 8)), 0).shape, augment.settings["rotation"], augment.settings["sigma"]
    ((2, 1, 8, 8), 5, 3.0)
    >>> augmenter(rotaton=5)
    Traceback (most recent call last):
    ...
    ValueError: unknown distortion setting(s) ['rotaton']; the settings are [...]
    """
    random_distortion(np.zeros((1, 1, 2, 2)), 0, max_bytes=max_bytes, **settings)

    def augment(batch, rng):
        return random_distortion(batch, rng, max_bytes=max_bytes, **settings)

    augment.settings = {**DEFAULTS, **settings}
    return augment
