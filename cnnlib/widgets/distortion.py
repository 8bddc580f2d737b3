"""Distortion explorer (notebook 11): turn, scale, shear, shift and bend one digit with sliders and see
the original and the distorted copy side by side.

Every pixel of the distorted copy comes from :func:`cnnlib.augment.warp` (one sampling of the affine
map and the elastic field, as in training); the field is :func:`cnnlib.augment.elastic_field` with the
"new random field" slider as its seed. The widget does no geometry of its own.
"""
import ipywidgets as widgets
import numpy as np

from .._checks import as_float_array
from ..augment import elastic_field, warp
from ..data import load_mnist
from ..plots import IMAGE_CMAP
from ..render import array_to_png, format_number
from ._base import Explorer, plain_text
from ._board import PictureView, TextView
from ._html import paragraph
from ._html import warning as warning_html

SCALE = 6              # each image pixel drawn 6 x 6 screen pixels
GAP = 3                # image pixels of white between the original and the distorted copy
MIN_SIDE, MAX_SIDE = 8, 64
INK = 0.5              # a pixel at least this bright (relative to the brightest) counts as ink


def default_digit(label=4):
    """The first training image of ``label`` in the shipped MNIST subset, padded to 32 x 32 (as in notebook 11)."""
    (x_train, y_train), _ = load_mnist(pad_to=32)
    return x_train[np.flatnonzero(y_train == label)[0], 0]


def distortion_explorer(image=None, *, rotation=0.0, scale=1.0, shear=0.0, shift_x=0.0, shift_y=0.0,
                        alpha=0.0, sigma=3.0, seed=0):
    """Distort one digit by hand with the parameters :func:`cnnlib.augment.random_distortion` draws.

    ``image``: one H x W image (or 1 x H x W, 1 x 1 x H x W), 8 to 64 pixels a side, finite values;
    default: the first 4 of the shipped MNIST training subset, padded to 32 x 32. Controls:
    "rotation" (degrees, counterclockwise), "scale" (both axes), "shear", "shift x" (pixels right),
    "shift y" (pixels down), "alpha" and "sigma" (the elastic field: strength and smoothness in
    pixels; alpha 0 turns it off) and "seed" (a new random field).
    Views: "image" (the original and the distorted copy, side by side) and "readout" (HTML).
    ``.shown``: rotation, scale, shear, shift (down, right), alpha, sigma, seed, distorted,
    largest_displacement, ink_kept (distorted ink / original ink), text, warning.
    """
    return DistortionExplorer(image, rotation, scale, shear, shift_x, shift_y, alpha, sigma, seed)


def _as_digit(image):
    x = as_float_array(image, "image")
    while x.ndim > 2 and x.shape[0] == 1:
        x = x[0]
    if x.ndim != 2:
        raise ValueError(f"image must be one H x W image (or 1 x H x W), got shape {np.shape(image)}")
    if min(x.shape) < MIN_SIDE or max(x.shape) > MAX_SIDE:
        raise ValueError(f"image must be between {MIN_SIDE} x {MIN_SIDE} and {MAX_SIDE} x {MAX_SIDE} pixels, "
                         f"got {x.shape[0]} x {x.shape[1]}")
    if not np.all(np.isfinite(x)):
        raise ValueError("image must hold finite numbers (no NaN or inf)")
    if x.max() <= 0:
        raise ValueError("image has no ink: every pixel is 0 or less (digits are bright strokes on 0)")
    return x


class DistortionExplorer(Explorer):
    """The widget :func:`distortion_explorer` returns (see there)."""

    def __init__(self, image, rotation, scale, shear, shift_x, shift_y, alpha, sigma, seed):
        self.x = default_digit() if image is None else _as_digit(image)
        wide = {"description_width": "110px"}
        layout = widgets.Layout(width="380px")

        def slider(value, low, high, step, description, kind=widgets.FloatSlider):
            return kind(value=value, min=low, max=high, step=step, description=description, style=wide,
                        layout=layout, continuous_update=True)

        controls = {
            "rotation": slider(rotation, -180, 180, 1, "rotation (°)"),
            "scale": slider(scale, 0.5, 1.5, 0.05, "scale"),
            "shear": slider(shear, -1, 1, 0.05, "shear"),
            "shift x": slider(shift_x, -8, 8, 0.5, "shift x (right)"),
            "shift y": slider(shift_y, -8, 8, 0.5, "shift y (down)"),
            "alpha": slider(alpha, 0, 40, 0.5, "elastic alpha"),
            "sigma": slider(sigma, 0.5, 10, 0.5, "elastic sigma"),
            "seed": slider(seed, 0, 99, 1, "new random field", kind=widgets.IntSlider),
        }
        views = {"image": PictureView(), "readout": TextView()}
        affine = widgets.VBox([controls[name] for name in ("rotation", "scale", "shear", "shift x", "shift y")])
        elastic = widgets.VBox([controls[name] for name in ("alpha", "sigma", "seed")])
        super().__init__([widgets.HBox([affine, elastic]), views["image"], views["readout"]], controls, views)
        self.observe_controls()
        self.first_update()

    def _picture(self, distorted):
        height, width = self.x.shape
        both = np.concatenate([self.x, np.zeros((height, GAP)), distorted], axis=1)
        gaps = np.zeros(both.shape, dtype=bool)
        gaps[:, width:width + GAP] = True                # drawn white, between the two panels
        return array_to_png(both, cmap=IMAGE_CMAP, vmin=min(0.0, float(self.x.min())), vmax=float(self.x.max()),
                            scale=SCALE, gaps=gaps)

    def update(self, change=None):
        c = self.controls
        params = dict(rotation=float(c["rotation"].value), scale=float(c["scale"].value),
                      shear=float(c["shear"].value),
                      shift=(float(c["shift y"].value), float(c["shift x"].value)))
        alpha, sigma, seed = float(c["alpha"].value), float(c["sigma"].value), int(c["seed"].value)
        self.shown.update(params, alpha=alpha, sigma=sigma, seed=seed)
        try:
            field = elastic_field(1, self.x.shape, alpha=alpha, sigma=sigma, rng=seed)
            distorted = warp(self.x[None, None], field=field, **params)[0, 0]
        except Exception as error:       # a slider typed out of range, a bad value: say so, never raise
            message = f"Cannot distort with these settings: {error}"
            self.views["readout"].value = warning_html(message)
            self.shown.update(distorted=None, largest_displacement=None, ink_kept=None, text="", warning=message)
            return
        bright = INK * float(self.x.max())
        ink_kept = float((distorted >= bright).sum() / max(1, (self.x >= bright).sum()))
        largest = float(np.max(np.hypot(field[0, 0], field[0, 1])))
        text = (f"rotation {format_number(params['rotation'])}°, scale {format_number(params['scale'])}, "
                f"shear {format_number(params['shear'])}, shift {format_number(params['shift'][1])} right "
                f"and {format_number(params['shift'][0])} down; elastic field &alpha; = {format_number(alpha)}, "
                f"&sigma; = {format_number(sigma)}, seed {seed} (largest displacement "
                f"{format_number(largest)} pixels). Ink pixels: <b>{ink_kept:.0%}</b> as many as in the original.")
        self.views["image"].value = self._picture(distorted)
        self.views["readout"].value = paragraph(
            "<b>left</b>: the original &nbsp; <b>right</b>: distorted<br>" + text, max_width=900)
        self.shown.update(distorted=distorted, largest_displacement=largest, ink_kept=ink_kept, text=text,
                          warning="")

    def describe(self):
        shown = self.shown
        return shown["warning"] or plain_text(shown["text"])

    def alt_texts(self):
        shown = self.shown
        height, width = self.x.shape
        if shown["distorted"] is None:
            return {"image": f"The original {height} x {width} digit; no distorted copy: see the message."}
        return {"image": (f"Two {height} x {width} digits side by side: the original on the left and the distorted "
                          f"copy on the right ({plain_text(shown['text'])})")}
