"""The kernel playground (notebook 02): apply a preset or hand-edited kernel to an image, a sample
or the student's own.

The result is :func:`cnnlib.conv.filter_image`: :func:`cnnlib.conv2d` on an input padded so the
result has the image's size (zeros, or repeated border pixels so the picture's frame does not
look like an edge). Images are encoded with :func:`cnnlib.render.array_to_png`, which keeps an
update of a 256x256 image to a few milliseconds.
"""
import ipywidgets as widgets
import numpy as np

from .. import kernels
from .._checks import as_float_array
from ..conv import filter_image
from ..data import SAMPLE_IMAGES, sample_image
from ..plots import IMAGE_CMAP
from ..render import array_to_png, finite_range, format_number, nonfinite_note, read_picture
from ._base import Explorer
from ._board import PictureView, TextView
from ._html import heading, number_table, paragraph
from ._html import warning as warning_html

IMAGE_SIDE = 256
MAX_KERNEL_SIDE = 15
CUSTOM = "custom"
YOUR_IMAGE = "your image"
UPLOADED = "upload: "
MAX_UPLOAD_SIDE = 512
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


def read_image_bytes(data, max_side=MAX_UPLOAD_SIDE):
    """A PNG or JPEG file's bytes -> (grey image in [0, 1], note); the note says when the image was
    made smaller (its long side is cut to ``max_side`` by averaging blocks of pixels), else ''.

    The file is read by :func:`cnnlib.render.read_picture`, which refuses from the header a
    picture of more than ``cnnlib.render.MAX_PICTURE_PIXELS`` pixels. Raises ValueError with a
    message for the student when the bytes are not a readable image of a usable size.

    Inputs:   data      bytes of a PNG or JPEG file
              max_side  int, the longest side kept
    Returns:  (H x W float64 array in [0, 1], note: str)

    >>> from cnnlib.render import rgb_to_png
    >>> picture, note = read_image_bytes(rgb_to_png(np.ones((1100, 700))))
    >>> picture.shape, note[:45]
    ((366, 233), 'Your image was 1100x700 pixels; it was scaled')
    """
    picture = read_picture(data)
    if min(picture.shape) < 3:
        raise ValueError(f"The image must be at least 3x3 pixels, got shape {picture.shape}.")
    note = ""
    factor = -(-max(picture.shape) // max_side)
    if factor > 1:
        h, w = (picture.shape[0] // factor) * factor, (picture.shape[1] // factor) * factor
        before = picture.shape
        picture = picture[:h, :w].reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))
        note = (f"Your image was {before[0]}x{before[1]} pixels; it was scaled down {factor} times to "
                f"{picture.shape[0]}x{picture.shape[1]} so every update stays quick.")
    return picture, note


def kernel_playground(image=None, kernel="sharpen"):
    """Try image kernels: presets or a hand-edited 3x3 kernel, applied with :func:`cnnlib.conv.filter_image`.

    ``image``: None (the photograph "hopper"), a name from ``cnnlib.data.SAMPLE_IMAGES``, or a 2D
    array with values in [0, 1]. Sample images are loaded at 256x256. ``kernel``: a preset name
    from ``cnnlib.kernels.PRESETS`` or a 2D array with odd sides.

    Controls: ``image`` (dropdown), ``upload`` (your own PNG or JPEG; shown in grey, at most
    512 pixels on its long side), ``preset`` (dropdown; "custom" means the 3x3 boxes),
    ``k00`` ... ``k22`` (the 3x3 boxes, row then column), ``display`` (clip or rescale),
    ``border`` ("repeat" or "zeros": how the image is padded so the result keeps its size),
    ``flip`` (true convolution instead of cross-correlation). Views: ``original``, ``result``
    (Images), ``kernel``, ``kernel_note``, ``explanation``, ``warning`` (HTML).
    ``.shown`` holds ``image_name``, ``image``, ``preset``, ``kernel``, ``kernel_sum``, ``result``
    (filter_image's output), ``display`` (the grey levels drawn, in [0, 1]; NaN and inf are drawn
    in magenta and said in the warning), ``range`` (min, max of the result's finite values),
    ``explanation``, ``border``, ``flip``, ``upload_note`` and ``warning``. An uploaded file is
    read by :func:`cnnlib.render.read_picture` (at most ``cnnlib.render.MAX_PICTURE_PIXELS`` pixels).
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
    return KernelPlayground(images, start_image, start_kernel, start_preset)


class KernelPlayground(Explorer):
    """What :func:`kernel_playground` returns (see there)."""

    def __init__(self, images, start_image, start_kernel, start_preset):
        self.images = images
        self.kernel = start_kernel
        self.result = None
        toggle_style = {"description_width": "50px", "button_width": "165px"}
        controls = {
            "image": widgets.Dropdown(options=list(images) + list(SAMPLE_IMAGES), value=start_image,
                                      description="image"),
            "upload": widgets.FileUpload(accept=".png,.jpg,.jpeg,image/png,image/jpeg", multiple=False,
                                         description="your image"),
            "preset": widgets.Dropdown(options=list(kernels.PRESETS) + [CUSTOM], value=start_preset,
                                       description="kernel"),
            "display": widgets.ToggleButtons(options=[CLIP, RESCALE], value=CLIP, description="show",
                                             style=toggle_style),
            "border": widgets.ToggleButtons(options=[("repeat border pixels", "repeat"), ("zero padding", "zeros")],
                                            value="repeat", description="border", style=toggle_style),
            "flip": widgets.Checkbox(value=False, description="flip the kernel (true convolution)", indent=False),
        }
        # Each box is named for a screen reader by its description, in a label of width 0 (the grid
        # itself is the visible label; ipywidgets 8 does not put a FloatText's tooltip on the page).
        self.boxes = [[widgets.FloatText(value=0.0, layout=widgets.Layout(width="72px"),
                                         description=f"kernel weight, row {i + 1}, column {j + 1}",
                                         style={"description_width": "0px"})
                       for j in range(3)] for i in range(3)]
        controls.update({f"k{i}{j}": self.boxes[i][j] for i in range(3) for j in range(3)})
        side = str(IMAGE_SIDE)
        views = {"original": PictureView(width=side, height=side), "result": PictureView(width=side, height=side),
                 **{name: TextView() for name in ("kernel_title", "kernel", "kernel_note", "explanation", "warning")}}
        box_grid = widgets.GridBox([b for row in self.boxes for b in row], layout=widgets.Layout(
            grid_template_columns="repeat(3, 76px)", grid_gap="4px"))
        panels = widgets.HBox([
            widgets.VBox([widgets.HTML(heading("original")), views["original"]]),
            widgets.VBox([views["kernel_title"], views["kernel"], views["kernel_note"],
                          widgets.HTML(heading("edit the 3x3 kernel")), box_grid],
                         layout=widgets.Layout(max_width="300px")),
            widgets.VBox([widgets.HTML(heading("result")), views["result"]]),
        ], layout=widgets.Layout(grid_gap="20px", align_items="flex-start"))
        super().__init__([widgets.HBox([controls["image"], controls["upload"], controls["preset"]]),
                          widgets.HBox([controls["display"], controls["border"]]), controls["flip"],
                          panels, views["explanation"], views["warning"]], controls, views)
        self.upload_note = self.problem = ""
        self._fill_boxes(start_kernel)
        self.observe_controls()
        self.first_update()

    def update(self, change=None):
        message = ""
        if change is not None and change["owner"] is self.controls["upload"]:
            message = self._take_upload(change["new"])
        if self.changed(change, "image", "upload"):
            self._new_image()
        if self.changed(change, "preset"):
            self._new_preset()
        box_edited = change is not None and any(change["owner"] is box for row in self.boxes for box in row)
        if box_edited:
            self._box_edited()
        if self.changed(change, "preset") or box_edited:
            self._show_kernel()
        if change is None or change["owner"] is not self.controls["display"]:
            self.problem = self._convolve()
        nonfinite = self._show_result()
        message = message or self.problem or nonfinite
        self.views["warning"].value = warning_html(message)
        self.shown.update(warning=message, upload_note=self.upload_note)

    def _take_upload(self, files):
        """Add an uploaded file to the image menu and select it; returns a message ('' when fine)."""
        if not files:
            return ""
        upload = files[0]
        try:
            picture, self.upload_note = read_image_bytes(upload["content"])
        except ValueError as error:
            self.upload_note = ""
            return f"{upload.get('name', 'The file')}: {error}"
        name = f"{UPLOADED}{upload.get('name', 'image')}"
        self.images[name] = picture
        menu = self.controls["image"]
        if name not in menu.options:
            menu.options = [name, *menu.options]
        menu.value = name
        return ""

    def _image(self, name):
        if name not in self.images:
            self.images[name] = sample_image(name, size=IMAGE_SIDE)
        return self.images[name]

    def _new_image(self):
        name = self.controls["image"].value
        self.original = self._image(name)
        self.views["original"].value = array_to_png(self.original, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        if not name.startswith(UPLOADED):
            self.upload_note = ""
        self.shown.update(image_name=name, image=self.original)

    def _fill_boxes(self, kernel):
        """Write a 3x3 kernel into the boxes (rounded for reading); other sizes disable them."""
        editable = kernel.shape == (3, 3)
        for i in range(3):
            for j in range(3):
                if editable:
                    self.boxes[i][j].value = round(float(kernel[i, j]), 4)
                self.boxes[i][j].disabled = not editable

    def _boxes_kernel(self):
        return np.array([[box.value for box in row] for row in self.boxes], dtype=float)

    def _new_preset(self):
        name = self.controls["preset"].value
        self.kernel = self._boxes_kernel() if name == CUSTOM else kernels.by_name(name)
        self._fill_boxes(self.kernel)

    def _box_edited(self):
        self.kernel = self._boxes_kernel()
        self.controls["preset"].value = CUSTOM

    def _show_kernel(self):
        k = self.kernel
        rows, cols = k.shape
        scale = max(float(np.abs(k).max()), 1e-12)
        self.views["kernel"].value = number_table(k, vmin=-scale, vmax=scale, cell_px=52 if rows <= 3 else 40,
                                                  font_px=14)
        self.views["kernel_title"].value = heading(f"kernel ({self.controls['preset'].value}, {rows}x{cols})")
        total = float(k.sum())
        if np.isclose(total, 1):
            meaning = "weights sum to 1: flat regions keep their brightness"
        elif np.isclose(total, 0):
            meaning = "weights sum to 0: flat regions become 0"
        else:
            meaning = f"weights sum to {format_number(total)}: flat regions are multiplied by {format_number(total)}"
        if k.shape != (3, 3):
            meaning += f"<br>The boxes below edit 3x3 kernels; this one is {rows}x{cols}, shown as is."
        self.views["kernel_note"].value = paragraph(meaning, 14)
        self.shown.update(kernel=k, kernel_sum=total, preset=self.controls["preset"].value)

    def _convolve(self):
        """Filter the image; returns a message ('' when fine)."""
        border, flip = self.controls["border"].value, self.controls["flip"].value
        self.shown.update(flip=flip, border=border)
        try:
            self.result = filter_image(self.original, self.kernel, border=border, flip=flip)
        except ValueError as error:
            self.result = None
            return f"Cannot apply this kernel: {error}"
        return ""

    def _show_result(self):
        """Draw the result and explain its grey levels; returns a warning ('' when fine)."""
        shown = self.shown
        shown["result"] = self.result
        if self.result is None:
            self.views["result"].value = b""
            self.views["explanation"].value = ""
            shown.update(display=None, range=None, explanation="")
            return ""
        mode = self.controls["display"].value
        finite = np.isfinite(self.result)
        lo, hi = finite_range(self.result)
        if mode == CLIP:
            grey = np.where(finite, np.clip(self.result, 0, 1), self.result)   # inf stays inf: magenta, not white
        elif hi > lo:
            # Halves, so that a span such as 1e308 - -1e308 cannot overflow to inf.
            grey = (0.5 * self.result - 0.5 * lo) / (0.5 * hi - 0.5 * lo)
        else:
            grey = np.where(finite, 0.5, self.result)
        explanation = ((_display_explanation(mode, lo, hi) if finite.any() else "No value of the result is finite.")
                       + " " + BORDERS[self.controls["border"].value])
        if self.controls["flip"].value:
            symmetric = np.array_equal(self.kernel, self.kernel[::-1, ::-1])
            explanation += (" Flipped: true convolution." + (" This kernel is the same turned half a circle, so "
                                                              "flipping changes nothing." if symmetric else ""))
        if self.upload_note:
            explanation += " " + self.upload_note
        nonfinite = nonfinite_note(self.result)
        if nonfinite:
            explanation += " " + nonfinite
        self.views["result"].value = array_to_png(grey, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self.views["explanation"].value = paragraph(explanation, 15, max_width=820)
        shown.update(display=grey, range=(lo, hi), explanation=explanation)
        return (f"In the result, {nonfinite} A kernel weight is NaN or infinite, or the weights are so large "
                "that the sums overflow float64." if nonfinite else "")

    def _kernel_words(self):
        rows, cols = self.kernel.shape
        values = "; ".join(", ".join(format_number(v) for v in row) for row in self.kernel)
        return (f"the {self.controls['preset'].value} kernel, {rows}x{cols}, rows {values} "
                f"(sum {format_number(self.kernel.sum())})")

    def describe(self):
        shown = self.shown
        name, size = shown["image_name"], "x".join(map(str, self.original.shape))
        flip = ", flipped (true convolution)" if shown["flip"] else ""
        if shown["result"] is None:
            return f"{name} ({size}) with {self._kernel_words()}{flip}: no result. {shown['warning']}"
        lo, hi = shown["range"]
        shown_as = ("clipped to 0 (black) .. 1 (white)" if self.controls["display"].value == CLIP
                    else "rescaled so the smallest is black and the largest white")
        return (f"{name} ({size}) filtered with {self._kernel_words()}{flip}, border {shown['border']}: "
                f"result values from {format_number(lo)} to {format_number(hi)}, {shown_as}."
                + (f" {shown['warning']}" if shown["warning"] else ""))

    def alt_texts(self):
        name = self.shown["image_name"]
        alts = {"original": f"The picture {name}, in grey, before filtering."}
        if self.shown["result"] is not None:
            lo, hi = self.shown["range"]
            alts["result"] = (f"{name} after the {self.controls['preset'].value} kernel: values from "
                              f"{format_number(lo)} to {format_number(hi)}, in grey.")
        else:
            alts["result"] = "No result: the kernel could not be applied (see the message)."
        return alts


__all__ = ["kernel_playground", "KernelPlayground", "read_image_bytes", "MAX_UPLOAD_SIDE"]
