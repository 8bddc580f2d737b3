"""Images to try kernels on (notebooks 02 and 03): a photograph and drawn test patterns."""
import functools
import io

import numpy as np

from .._checks import as_pair, as_positive_int
from ._files import _read_verified, data_dir

__all__ = ["sample_image", "SAMPLE_IMAGES", "HOPPER_FILE"]

HOPPER_FILE = "grace_hopper.npz"
_HOPPER_SHA256 = "2f3aac75bbb542e8672bb22e168d77aad5650867f7e0f5e88d4e8d7767d3bcf4"
_HOPPER_SIZE = 628887              # bytes, as data/README.md lists: checked before anything is read


SAMPLE_IMAGES = ("hopper", "checkerboard", "shapes", "step_edge", "gradient_ramp", "noisy_square")
_DRAWN_SIZE = (128, 128)
_MAX_SIDE = 4096


def sample_image(name, *, size=None, gray=True):
    """A float32 image in [0, 1] for trying kernels on (notebooks 02 and 03).

    Names (``SAMPLE_IMAGES``):
      - "hopper": photograph of Grace Hopper (public domain, U.S. Navy), 600 x 512 natively.
      - "checkerboard": 8 x 8 squares; blur greys the borders, edge kernels trace them.
      - "shapes": a disc, a square and a triangle in three colours on a dark background.
      - "step_edge": dark left half, light right half; Sobel x fires along the edge, Sobel y stays 0.
      - "gradient_ramp": brightness rising linearly left to right; a Laplacian gives zero inside.
      - "noisy_square": a light square under Gaussian noise (seeded); blurring removes the noise.
    The drawn images are 128 x 128 unless ``size`` is given.

    ``size``: an int n for n x n, or (height, width). Drawn images are drawn at that size; the
    photograph is centre-cropped to the requested aspect ratio (so nothing is stretched) and
    resampled by area averaging. Returns H x W if ``gray`` (luminance 0.299 R + 0.587 G + 0.114 B)
    else H x W x 3 RGB.

    Inputs:   name  one of ``SAMPLE_IMAGES``, e.g. "hopper" or "step_edge"
              size  None (native size, 128 x 128 for drawings), an int n, or (height, width)
              gray  True for one luminance channel, False for RGB
    Returns:  a float32 array in [0, 1]: H x W if gray, else H x W x 3.

    >>> sample_image("step_edge", size=(2, 4))
    array([[0.25, 0.25, 0.75, 0.75],
           [0.25, 0.25, 0.75, 0.75]], dtype=float32)
    >>> sample_image("hopper").shape
    (600, 512)
    """
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"name must be one of {', '.join(SAMPLE_IMAGES)}; got {name!r}")
    if not isinstance(gray, bool):
        raise TypeError(f"gray must be True or False, got {gray!r}")
    if size is not None:
        size = as_pair(size, "size", as_positive_int)
        if max(size) > _MAX_SIDE:
            raise ValueError(f"size must be at most {_MAX_SIDE} pixels per side, got {size[0]}x{size[1]}")

    if name == "hopper":
        rgb = _hopper_rgb().astype(np.float32) / np.float32(255)
        if size is not None:
            rgb = _resize_area(rgb, size)
    else:
        rgb = _DRAWINGS[name](*(size or _DRAWN_SIZE))
    if gray:
        rgb = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.clip(rgb, 0, 1).astype(np.float32)


def _resize_area(image, size):
    """Centre-crop ``image`` (H x W or H x W x C) to the aspect ratio of ``size`` = (h, w), then
    resample so each output pixel is the mean of the source area it covers:
    out = R_h @ image @ R_w^T, where row i of R_h weights source row j by the overlap of
    [j, j+1) with output row i's span [i H/h, (i+1) H/h), divided by H/h."""
    height, width = image.shape[:2]
    out_h, out_w = size
    if height * out_w > width * out_h:
        crop_h, crop_w = max(1, round(width * out_h / out_w)), width
    else:
        crop_h, crop_w = height, max(1, round(height * out_w / out_h))
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    cropped = image[top:top + crop_h, left:left + crop_w]
    rows, cols = _area_weights(crop_h, out_h), _area_weights(crop_w, out_w)
    resampled_rows = np.tensordot(rows, cropped, axes=1)                       # h x W (x C)
    resampled = np.moveaxis(np.tensordot(cols, resampled_rows, axes=(1, 1)), 0, 1)  # h x w (x C)
    return resampled.astype(image.dtype)


def _area_weights(n_in, n_out):
    """n_out x n_in matrix: overlap of each source cell with each output cell, rows summing to 1."""
    edges = np.arange(n_out + 1) * (n_in / n_out)
    starts, ends = edges[:-1, None], edges[1:, None]
    cells = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(ends, cells + 1) - np.maximum(starts, cells), 0, None)
    return (overlap / overlap.sum(axis=1, keepdims=True)).astype(np.float32)


@functools.lru_cache(maxsize=1)
def _hopper_rgb():
    path = data_dir() / HOPPER_FILE
    content = _read_verified(path, _HOPPER_SHA256, _HOPPER_SIZE, "scripts/build_sample_images.py")
    with np.load(io.BytesIO(content), allow_pickle=False) as npz:
        image = npz["image"]
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"{path}: 'image' must be uint8 H x W x 3, got {image.dtype} {image.shape}")
    image.flags.writeable = False
    return image


def _pixel_grid(height, width):
    """Row and column coordinates of pixel centres, scaled by the shorter side so shapes stay round."""
    scale = min(height, width)
    rows = (np.arange(height, dtype=np.float32)[:, None] + 0.5 - height / 2) / scale
    cols = (np.arange(width, dtype=np.float32)[None, :] + 0.5 - width / 2) / scale
    return rows, cols


def _as_rgb(gray_image):
    return np.repeat(gray_image[:, :, None], 3, axis=2).astype(np.float32)


def _checkerboard(height, width):
    square = max(1, min(height, width) // 8)
    rows, cols = np.indices((height, width))
    return _as_rgb((rows // square + cols // square) % 2)


def _step_edge(height, width):
    # 0.25 and 0.75 leave headroom, so the overshoot a sharpen kernel adds stays visible.
    cols = np.arange(width)[None, :]
    return _as_rgb(np.where(cols < width // 2, 0.25, 0.75) * np.ones((height, 1)))


def _gradient_ramp(height, width):
    ramp = np.linspace(0, 1, width) if width > 1 else np.zeros(1)
    return _as_rgb(np.tile(ramp, (height, 1)))


def _shapes(height, width):
    rows, cols = _pixel_grid(height, width)
    image = np.full((height, width, 3), 0.1, dtype=np.float32)
    disc = (rows + 0.18) ** 2 + (cols + 0.22) ** 2 < 0.17 ** 2
    square = (np.abs(rows + 0.18) < 0.14) & (np.abs(cols - 0.22) < 0.14)
    triangle = (rows > 0.04) & (rows < 0.36) & (np.abs(cols) < (rows - 0.04) * 0.6)
    image[disc] = (1.0, 0.85, 0.2)
    image[square] = (0.2, 0.6, 1.0)
    image[triangle] = (0.9, 0.2, 0.2)
    return image


def _noisy_square(height, width):
    rows, cols = _pixel_grid(height, width)
    square = np.where((np.abs(rows) < 0.25) & (np.abs(cols) < 0.25), 0.8, 0.2)
    noise = np.random.default_rng(0).normal(0, 0.1, size=(height, width))
    return _as_rgb(np.clip(square + noise, 0, 1))


_DRAWINGS = {
    "checkerboard": _checkerboard,
    "shapes": _shapes,
    "step_edge": _step_edge,
    "gradient_ramp": _gradient_ramp,
    "noisy_square": _noisy_square,
}
