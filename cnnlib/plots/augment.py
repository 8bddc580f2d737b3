"""Figures for notebook 11 (data augmentation): digits side by side, a shift's overlap, one digit
under many random distortions, and elastic displacement fields drawn as arrows. The distortions come
from :mod:`cnnlib.augment`."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .. import augment
from .._checks import as_positive_int, as_rng
from . import HIGHLIGHT_COLOUR, IMAGE_CMAP, ORANGE, SKY_BLUE, projector

HIGHLIGHT_COLOR = HIGHLIGHT_COLOUR        # the palette's orange (cnnlib.plots)


def _as_digit(image):
    image = np.squeeze(np.asarray(image, dtype=float))
    if image.ndim != 2:
        raise ValueError(f"image must be one H x W digit (or 1 x H x W, 1 x 1 x H x W), got shape {np.shape(image)}")
    return image


def _show(ax, image, title, vmax):
    ax.imshow(image, cmap=IMAGE_CMAP, vmin=0, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=12)


@projector
def gallery_figure(images, titles):
    """Digits side by side (each H x W, 1 x H x W or 1 x 1 x H x W), each with its title."""
    images = [_as_digit(image) for image in images]
    if len(titles) != len(images):
        raise ValueError(f"give one title per image: {len(images)} images, {len(titles)} titles")
    fig, axes = plt.subplots(1, len(images), figsize=(2.9 * len(images), 3.3), squeeze=False)
    vmax = max(1.0, max(float(image.max()) for image in images))
    for ax, image, title in zip(axes[0], images, titles):
        _show(ax, image, title, vmax)
    return fig


@projector
def overlap_figure(before, after, threshold=0.5):
    """Where the ink (pixels above ``threshold``) is before and after a distortion, in one picture:
    orange only before, sky blue only after (a pair every colour vision tells apart), white in both."""
    before, after = _as_digit(before) > threshold, _as_digit(after) > threshold
    rgb = np.zeros(before.shape + (3,))
    rgb[before & ~after] = matplotlib.colors.to_rgb(ORANGE)
    rgb[after & ~before] = matplotlib.colors.to_rgb(SKY_BLUE)
    rgb[before & after] = 1.0
    fig, ax = plt.subplots(figsize=(3.6, 3.9))
    ax.imshow(rgb)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"white: ink in both ({(before & after).sum()} of {before.sum()})\n"
                 "orange: only before, blue: only after", fontsize=11)
    return fig


@projector
def distortions_figure(image, *, rng=0, rows=4, columns=4, **settings):
    """A rows x columns grid: the digit itself (top left, framed in orange) and rows x columns - 1
    random distortions of it (:func:`cnnlib.augment.random_distortion` with ``settings``), each
    titled with its rotation. Returns the figure; ``fig.distorted`` holds the distorted images
    ((rows x columns - 1) x H x W) and ``fig.parameters`` their affine parameters."""
    image = _as_digit(image)
    rows, columns = as_positive_int(rows, "rows"), as_positive_int(columns, "columns")
    count = rows * columns - 1
    if count < 1:
        raise ValueError("the grid needs at least 2 cells: the original and one distortion")
    settings = {**augment.DEFAULTS, **settings}
    unknown = set(settings) - set(augment.DEFAULTS)
    if unknown:
        raise ValueError(f"unknown distortion setting(s) {sorted(unknown)}; the settings are {list(augment.DEFAULTS)}")
    generator = as_rng(rng)
    limits = {name: settings[name] for name in ("rotation", "scale", "shear", "shift")}
    params = augment.random_affine_parameters(count, rng=generator, **limits)
    field = augment.elastic_field(count, image.shape, alpha=settings["alpha"], sigma=settings["sigma"], rng=generator)
    batch = np.broadcast_to(image, (count, 1) + image.shape)
    distorted = augment.warp(batch, field=field, **params)[:, 0]
    vmax = max(1.0, float(image.max()))
    fig, axes = plt.subplots(rows, columns, figsize=(2.1 * columns, 2.25 * rows))
    axes = np.atleast_1d(axes).ravel()
    _show(axes[0], image, "original", vmax)
    height, width = image.shape
    axes[0].add_patch(Rectangle((-0.5, -0.5), width, height, fill=False, edgecolor=HIGHLIGHT_COLOR, linewidth=6))
    for ax, picture, degrees in zip(axes[1:], distorted, params["rotation"]):
        _show(ax, picture, f"turned {degrees:+.0f}°", vmax)
    fig.distorted, fig.parameters = distorted, params
    return fig


@projector
def displacement_figure(image, fields, titles):
    """For each elastic field (2 x H x W, row and column displacements): the displacements as
    arrows over the digit (every second pixel, drawn to scale), and the digit they produce."""
    image = _as_digit(image)
    fields = np.asarray(fields, dtype=float)
    if fields.ndim != 4 or fields.shape[1:] != (2,) + image.shape:
        raise ValueError(f"fields must be K x 2 x H x W with H x W = {image.shape}, got shape {fields.shape}")
    if len(titles) != len(fields):
        raise ValueError(f"give one title per field: {len(fields)} fields, {len(titles)} titles")
    warped = augment.warp(np.broadcast_to(image, (len(fields), 1) + image.shape), field=fields)[:, 0]
    fig, axes = plt.subplots(2, len(fields), figsize=(4.2 * len(fields), 8.4), squeeze=False)
    rows, cols = np.mgrid[0:image.shape[0]:2, 0:image.shape[1]:2]
    for k, (field, title) in enumerate(zip(fields, titles)):
        _show(axes[0, k], image, title, 1.0)
        # each arrow points from an output pixel to where it reads the original
        axes[0, k].quiver(cols, rows, field[1, ::2, ::2], field[0, ::2, ::2], color=HIGHLIGHT_COLOR,
                          angles="xy", scale_units="xy", scale=1, width=0.006)
        _show(axes[1, k], warped[k], "result", 1.0)
    return fig
