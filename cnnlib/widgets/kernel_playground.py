"""The kernel playground (notebook 02): apply a preset or hand-edited kernel to an image.

The result is :func:`cnnlib.conv2d` on an input padded so the result has the image's size
(:func:`cnnlib.plots.conv2d.filter_image`: zeros, or repeated border pixels so the picture's
frame does not look like an edge). Images are encoded with
:func:`cnnlib.plots.array_to_png`, which keeps an update of a 256x256 image to a few milliseconds.
"""
import ipywidgets as widgets
import numpy as np

from .. import kernels
from .._checks import as_float_array
from ..data import SAMPLE_IMAGES, sample_image
from ..plots import IMAGE_CMAP, array_to_png
from ..plots.conv2d import filter_image
from ._base import Explorer
from .stepper import ERROR_STYLE, format_number, number_table_html

IMAGE_SIDE = 256
MAX_KERNEL_SIDE = 15
CUSTOM = "custom"
YOUR_IMAGE = "your image"
CLIP = "clip to [0, 1]"
RESCALE = "rescale min..max"
BORDERS = {"repeat": "Border: the outermost pixels are repeated before convolving, so flat borders stay flat.",
           "zeros": "Border: zero padding, as conv2d(image, kernel, padding='same') does; "
                    "the frame of the picture then looks like an edge to edge kernels."}


def _check_kernel(kernel):
    arr = as_float_array(kernel, "kernel")
    if arr.ndim != 2:
        raise ValueError(f"kernel must be a 2D array (rows x cols), got shape {arr.shape}")
    rows, cols = arr.shape
    if rows % 2 == 0 or cols % 2 == 0 or max(rows, cols) > MAX_KERNEL_SIDE:
        raise ValueError(f"kernel must have an odd number of rows and columns (so it has a centre), "
                         f"at most {MAX_KERNEL_SIDE}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("kernel must hold finite numbers only")
    return arr


def _check_image(image):
    arr = as_float_array(image, "image")
    if arr.ndim != 2:
        raise ValueError(f"image must be a 2D grey-scale array (rows x cols), got shape {arr.shape}")
    if min(arr.shape) < 3:
        raise ValueError(f"image must be at least 3x3 pixels, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1:
        raise ValueError("image values must lie in [0, 1] like cnnlib.data.sample_image's; "
                         "divide an 8-bit image by 255 first")
    return arr


def _display_explanation(mode, lo, hi):
    """The sentence under the result that says how its numbers became grey levels."""
    if mode == CLIP:
        lost = []
        if lo < 0:
            lost.append(f"negative values (down to {lo:.3g}) show as black")
        if hi > 1:
            lost.append(f"values above 1 (up to {hi:.3g}) show as white")
        detail = ("; ".join(lost) + ", so that part of the response is hidden. Try 'rescale'."
                  if lost else "All values already lie in [0, 1]: nothing is hidden.")
        return f"Clipped: 0 is black and 1 is white, as in the original; {detail}"
    if hi > lo:
        zero = f" Zero shows as grey level {(0 - lo) / (hi - lo):.2f}." if lo < 0 < hi else ""
        return (f"Rescaled: the smallest value ({lo:.3g}) is black and the largest ({hi:.3g}) is "
                f"white, so negative responses (edges darker on one side) stay visible.{zero}")
    return f"Rescaled: every value equals {lo:.3g}, so the result is one flat grey."


def kernel_playground(image=None, kernel="sharpen"):
    """Try image kernels: presets or a hand-edited 3x3 kernel, applied with :func:`cnnlib.conv2d`.

    ``image``: None (the photograph "hopper"), a name from ``cnnlib.data.SAMPLE_IMAGES``, or a 2D
    array with values in [0, 1]. Sample images are loaded at 256x256. ``kernel``: a preset name
    from ``cnnlib.kernels.PRESETS`` or a 2D array with odd sides.

    Controls: ``image`` (dropdown), ``preset`` (dropdown; "custom" means the 3x3 boxes),
    ``k00`` ... ``k22`` (the 3x3 boxes, row then column), ``display`` (clip or rescale),
    ``border`` ("repeat" or "zeros": how the image is padded so the result keeps its size),
    ``flip`` (true convolution instead of cross-correlation). ``.shown`` holds ``image_name``,
    ``image``, ``preset``, ``kernel``, ``kernel_sum``, ``result`` (conv2d's output), ``display``
    (the grey levels drawn, in [0, 1]), ``range`` (min, max of the result), ``explanation``,
    ``border``, ``flip`` and ``warning``.
    """
    images = {}
    if image is None:
        start_image = "hopper"
    elif isinstance(image, str):
        if image not in SAMPLE_IMAGES:
            raise ValueError(f"image must be one of {', '.join(SAMPLE_IMAGES)} or a 2D array, got {image!r}")
        start_image = image
    else:
        images[YOUR_IMAGE] = _check_image(image)
        start_image = YOUR_IMAGE

    if isinstance(kernel, str):
        start_kernel, start_preset = kernels.by_name(kernel), kernel
    else:
        start_kernel, start_preset = _check_kernel(kernel), CUSTOM
    return _Playground(images, start_image, start_kernel, start_preset).explorer


class _Playground:
    """The state behind one kernel playground; ``explorer`` is what the notebook displays."""

    def __init__(self, images, start_image, start_kernel, start_preset):
        self.images = images
        self.kernel = start_kernel
        self._filling = False

        image_names = list(images) + list(SAMPLE_IMAGES)
        self.image_choice = widgets.Dropdown(options=image_names, value=start_image, description="image")
        self.preset = widgets.Dropdown(options=list(kernels.PRESETS) + [CUSTOM], value=start_preset,
                                       description="kernel")
        self.boxes = [[widgets.FloatText(value=0.0, layout=widgets.Layout(width="72px"))
                       for _ in range(3)] for _ in range(3)]
        toggle_style = {"description_width": "50px", "button_width": "165px"}
        self.display = widgets.ToggleButtons(options=[CLIP, RESCALE], value=CLIP, description="show",
                                             style=toggle_style)
        self.border = widgets.ToggleButtons(options=[("repeat border pixels", "repeat"),
                                                     ("zero padding", "zeros")],
                                            value="repeat", description="border", style=toggle_style)
        self.flip = widgets.Checkbox(value=False, description="flip the kernel (true convolution)",
                                     indent=False)

        picture = dict(width=f"{IMAGE_SIDE}px", height=f"{IMAGE_SIDE}px")
        self.original_view = widgets.Image(format="png", layout=widgets.Layout(**picture))
        self.result_view = widgets.Image(format="png", layout=widgets.Layout(**picture))
        self.kernel_html = widgets.HTML()
        self.kernel_note = widgets.HTML()
        self.explanation = widgets.HTML()
        self.warning_html = widgets.HTML()

        def heading(text):
            return widgets.HTML(f"<b style='font-size:15px'>{text}</b>")

        box_grid = widgets.GridBox([b for row in self.boxes for b in row], layout=widgets.Layout(
            grid_template_columns="repeat(3, 76px)", grid_gap="4px"))
        self.kernel_title = heading("kernel")
        panels = widgets.HBox([
            widgets.VBox([heading("original"), self.original_view]),
            widgets.VBox([self.kernel_title, self.kernel_html, self.kernel_note,
                          heading("edit the 3x3 kernel"), box_grid],
                         layout=widgets.Layout(max_width="300px")),
            widgets.VBox([heading("result"), self.result_view]),
        ], layout=widgets.Layout(grid_gap="20px", align_items="flex-start"))
        controls = {"image": self.image_choice, "preset": self.preset, "display": self.display,
                    "border": self.border, "flip": self.flip}
        controls.update({f"k{i}{j}": self.boxes[i][j] for i in range(3) for j in range(3)})
        self.explorer = Explorer([
            widgets.HBox([self.image_choice, self.preset]),
            widgets.HBox([self.display, self.border]),
            self.flip,
            panels, self.explanation, self.warning_html], controls)

        self.image_choice.observe(lambda _: self._new_image(), names="value")
        self.preset.observe(lambda _: self._new_preset(), names="value")
        for row in self.boxes:
            for box in row:
                box.observe(lambda _: self._box_edited(), names="value")
        self.display.observe(lambda _: self._show_result(), names="value")
        self.flip.observe(lambda _: self._convolve(), names="value")
        self.border.observe(lambda _: self._convolve(), names="value")

        self._fill_boxes(start_kernel)
        self._new_image(convolve=False)
        self._show_kernel()
        self._convolve()

    def _image(self, name):
        if name not in self.images:
            self.images[name] = sample_image(name, size=IMAGE_SIDE)
        return self.images[name]

    def _new_image(self, convolve=True):
        name = self.image_choice.value
        self.original = self._image(name)
        self.original_view.value = array_to_png(self.original, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self.explorer.shown.update(image_name=name, image=self.original)
        if convolve:
            self._convolve()

    def _fill_boxes(self, kernel):
        """Write a 3x3 kernel into the boxes (rounded for reading) without triggering 'custom'."""
        editable = kernel.shape == (3, 3)
        self._filling = True
        for i in range(3):
            for j in range(3):
                if editable:
                    self.boxes[i][j].value = round(float(kernel[i, j]), 4)
                self.boxes[i][j].disabled = not editable
        self._filling = False

    def _boxes_kernel(self):
        return np.array([[box.value for box in row] for row in self.boxes], dtype=float)

    def _new_preset(self):
        if self._filling:
            return
        name = self.preset.value
        self.kernel = self._boxes_kernel() if name == CUSTOM else kernels.by_name(name)
        self._fill_boxes(self.kernel)
        self._show_kernel()
        self._convolve()

    def _box_edited(self):
        if self._filling:
            return
        self.kernel = self._boxes_kernel()
        if self.preset.value != CUSTOM:
            self._filling = True   # the switch to "custom" must not reload the kernel a second time
            self.preset.value = CUSTOM
            self._filling = False
        self._show_kernel()
        self._convolve()

    def _show_kernel(self):
        k = self.kernel
        rows, cols = k.shape
        scale = max(float(np.abs(k).max()), 1e-12)
        self.kernel_html.value = number_table_html(k, vmin=-scale, vmax=scale,
                                                   cell_px=52 if rows <= 3 else 40, font_px=14)
        self.kernel_title.value = f"<b style='font-size:15px'>kernel ({self.preset.value}, {rows}x{cols})</b>"
        total = float(k.sum())
        if np.isclose(total, 1):
            meaning = "weights sum to 1: flat regions keep their brightness"
        elif np.isclose(total, 0):
            meaning = "weights sum to 0: flat regions become 0"
        else:
            meaning = f"weights sum to {format_number(total)}: flat regions are multiplied by {format_number(total)}"
        note = f"<div style='font-size:14px'>{meaning}"
        if k.shape != (3, 3):
            note += f"<br>The boxes below edit 3x3 kernels; this one is {rows}x{cols}, shown as is."
        self.kernel_note.value = note + "</div>"
        self.explorer.shown.update(kernel=k, kernel_sum=total, preset=self.preset.value)

    def _convolve(self):
        try:
            self.result = filter_image(self.original, self.kernel, border=self.border.value,
                                       flip=self.flip.value)
            warning = ""
        except ValueError as error:
            self.result = None
            warning = f"Cannot apply this kernel: {error}"
        self.warning_html.value = f"<div style='{ERROR_STYLE}'>{warning}</div>" if warning else ""
        self.explorer.shown.update(warning=warning, flip=self.flip.value, border=self.border.value,
                                   result=self.result)
        self._show_result()

    def _show_result(self):
        shown = self.explorer.shown
        if self.result is None:
            self.result_view.value = b""
            self.explanation.value = ""
            shown.update(display=None, range=None, explanation="")
            return
        lo, hi = float(self.result.min()), float(self.result.max())
        if self.display.value == CLIP:
            grey = np.clip(self.result, 0, 1)
        elif hi > lo:
            grey = (self.result - lo) / (hi - lo)
        else:
            grey = np.full_like(self.result, 0.5)
        explanation = _display_explanation(self.display.value, lo, hi) + " " + BORDERS[self.border.value]
        self.result_view.value = array_to_png(grey, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self.explanation.value = f"<div style='font-size:15px; max-width:820px'>{explanation}</div>"
        shown.update(display=grey, range=(lo, hi), explanation=explanation)
