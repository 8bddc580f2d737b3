"""The 2D convolution stepper (notebook 02): walk a kernel over a padded input, one output at a time.

Every number comes from cnnlib: the output map from :func:`cnnlib.conv2d`, the window, its
products and their sum at each position from :func:`cnnlib.conv.conv_step`, and the sentence
about a stride that does not fit from :func:`cnnlib.shapes.stride_fit`.
"""
import bisect

import ipywidgets as widgets
import numpy as np

from .. import kernels
from .._checks import as_float_array, as_nonnegative_int, as_positive_int
from ..conv import conv2d, conv_step
from ..render import format_number
from ..shapes import kernel_fit, stride_fit
from ._base import Explorer
from ._board import TextView
from ._html import ERROR_RED, HIGHLIGHT, heading, note, number_table
from ._html import warning as warning_html

# The worked example of the lecture notes (seed 000): a 5x5 image convolved with a sharpen kernel.
NOTES_IMAGE = np.array([[60, 113, 56, 139, 85],
                        [73, 121, 54, 84, 128],
                        [131, 99, 70, 129, 127],
                        [80, 57, 115, 69, 134],
                        [104, 126, 123, 95, 130]], dtype=float)

MAX_IMAGE_SIDE = 12
MAX_KERNEL_SIDE = 7
DONE_COLOUR = "#dbe6f3"
TODO_COLOUR = "#f2f2f2"
CELL_WIDTH, CELL_HEIGHT = "58px", "44px"
NOT_COMPUTED = "?"           # the caption of an output cell the stepper has not reached yet


def _check_matrix(values, name, max_side):
    arr = as_float_array(values, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2D array (rows x cols), got shape {arr.shape}")
    if min(arr.shape) < 1 or max(arr.shape) > max_side:
        raise ValueError(f"{name} must have between 1 and {max_side} rows and columns so its numbers "
                         f"fit on screen, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite numbers only")
    return arr


def _stride_warning(shape, kernel_shape, padding, stride):
    """:func:`cnnlib.shapes.stride_fit`'s sentences for the rows and the columns, or ''."""
    (h, w), (kh, kw) = shape, kernel_shape
    if h == w and kh == kw:
        problem = stride_fit(w, kw, padding, stride, axis="row")
        return "" if problem is None else (f"Stride {stride} does not fit: {problem}; the same happens to "
                                           "the columns. cnnlib, like every framework, rounds down.")
    problems = [p for p in (stride_fit(h, kh, padding, stride, axis="row"),
                            stride_fit(w, kw, padding, stride, axis="column")) if p is not None]
    return "" if not problems else (f"Stride {stride} does not fit: " + "; ".join(problems)
                                    + ". cnnlib, like every framework, rounds down.")


def conv2d_stepper(image=None, kernel=None, padding=1, stride=1):
    """Step (or play) through the output positions of a 2D convolution and see the arithmetic.

    ``image``: a small 2D array (default: the notes' 5x5 example); ``kernel``: a 2D array or a
    preset name from ``cnnlib.kernels.PRESETS`` (default: the sharpen kernel); ``padding`` per
    side and ``stride`` are the initial values of their sliders.

    Controls: ``position`` (index of the output cell, row by row), ``play``, ``prev``, ``next``,
    ``padding``, ``stride``; the output cells are buttons (``.cell_buttons[i][j]``): a click
    jumps to that position. ``.shown`` holds ``position`` (row, col), ``index``, ``window``,
    ``products``, ``sum``, ``formula``, ``output`` (NaN where not yet computed), ``full_output``,
    ``padded_input``, ``title`` and ``warning``.
    """
    image = NOTES_IMAGE.copy() if image is None else _check_matrix(image, "image", MAX_IMAGE_SIDE)
    if kernel is None:
        kernel = kernels.sharpen()
    elif isinstance(kernel, str):
        kernel = kernels.by_name(kernel)
    kernel = _check_matrix(kernel, "kernel", MAX_KERNEL_SIDE)
    padding = as_nonnegative_int(padding, "padding")
    stride = as_positive_int(stride, "stride")
    max_padding = max(kernel.shape[0], kernel.shape[1], padding)
    max_stride = max(4, stride)
    if padding > max_padding:
        raise ValueError(f"padding must be at most {max_padding}, got {padding}")
    return Conv2dStepper(image, kernel, padding, stride, max_padding, max_stride)


class Conv2dStepper(Explorer):
    """What :func:`conv2d_stepper` returns (see there).

    The output cells are one pool of buttons, grown when a larger output needs more and never
    rebuilt: a move changes only their captions and colours, and a smaller output hides the rest.
    An update sends the browser only what changed (see :meth:`_resize_pool`).
    """

    def __init__(self, image, kernel, padding, stride, max_padding, max_stride):
        self.image, self.kernel = image, kernel
        self.full_output = None
        self._pool = []
        # The pool's buttons share a layout per band between two output sizes the sliders can give
        # (see _resize_pool): every size, with 0 for a kernel that does not fit.
        (h, w), (kh, kw) = image.shape, kernel.shape
        self._band_starts = sorted({0} | {((h + 2 * p - kh) // s + 1) * ((w + 2 * p - kw) // s + 1)
                                          for p in range(max_padding + 1) for s in range(1, max_stride + 1)
                                          if h + 2 * p >= kh and w + 2 * p >= kw})
        self._band_layouts = {}
        # Three shared styles: a button changes colour by switching between them, one small message
        # instead of a widget per button.
        # Black text on the light cells in either JupyterLab theme (a dark theme's light text would vanish).
        self._styles = {name: widgets.ButtonStyle(button_color=colour, font_weight=weight, font_size="15px",
                                                  text_color="black")
                        for name, colour, weight in (("current", HIGHLIGHT, "bold"), ("done", DONE_COLOUR, ""),
                                                     ("todo", TODO_COLOUR, ""))}
        controls = {
            "position": widgets.IntSlider(value=0, min=0, max=0, description="position", continuous_update=True,
                                          layout=widgets.Layout(width="360px")),
            "play": widgets.Play(value=0, min=0, max=0, interval=900, description="play"),
            "prev": widgets.Button(description="< Prev", layout=widgets.Layout(width="80px")),
            "next": widgets.Button(description="Next >", layout=widgets.Layout(width="80px")),
            "padding": widgets.IntSlider(value=padding, min=0, max=max_padding, description="padding P"),
            "stride": widgets.IntSlider(value=stride, min=1, max=max_stride, description="stride S"),
        }
        widgets.jslink((controls["play"], "value"), (controls["position"], "value"))
        views = {name: TextView() for name in ("title", "input_label", "input", "products", "formula", "warning")}
        views["kernel"] = TextView(number_table(kernel))
        views["output"] = widgets.GridBox(layout=widgets.Layout(grid_gap="2px"))
        panels = widgets.HBox([
            widgets.VBox([views["input_label"], views["input"]]),
            widgets.VBox([widgets.HTML(heading("kernel")), views["kernel"]]),
            widgets.VBox([widgets.HTML(heading("output (click a cell to jump there)")), views["output"]]),
        ], layout=widgets.Layout(grid_gap="24px", align_items="flex-start"))
        products = widgets.VBox([widgets.HTML(heading("window × kernel, element by element")), views["products"]])
        steps = widgets.HBox([controls["prev"], controls["next"], controls["play"], controls["position"]])
        sizes = widgets.HBox([controls["padding"], controls["stride"]])
        # The controls first: Tab reaches Prev, Next, play, position, padding and stride before the
        # output cells (one tab stop each), in the order they are read.
        super().__init__([views["title"], steps, sizes, views["warning"], panels, products, views["formula"]],
                         controls, views)
        controls["prev"].on_click(lambda _: self._move(-1))
        controls["next"].on_click(lambda _: self._move(+1))
        # The play button moves the position slider in the browser (jslink) and tells Python; the
        # first of the two messages to arrive does the update.
        self.observe_controls(["position", "play", "padding", "stride"])
        self.first_update()

    @property
    def cell_buttons(self):
        """The output cells' buttons as rows (only those of the current output)."""
        if self.full_output is None:
            return []
        rows, cols = self.full_output.shape
        return [self._pool[r * cols:(r + 1) * cols] for r in range(rows)]

    def _move(self, step):
        position = self.controls["position"]
        if position.min <= position.value + step <= position.max:
            position.value += step

    def _jump(self, index):
        self.controls["position"].value = index

    def _band_layout(self, k):
        """The layout button ``k`` shares with the other buttons of its band: the buttons from one
        output size the sliders can give up to the next (0-1, 1-4, 4-9, 9-16, 16-25, 25-49, ... for the
        notes' example), always all shown or all hidden together."""
        start = self._band_starts[bisect.bisect_right(self._band_starts, k) - 1]
        if start not in self._band_layouts:
            self._band_layouts[start] = widgets.Layout(width=CELL_WIDTH, height=CELL_HEIGHT, padding="0")
        return self._band_layouts[start]

    def _resize_pool(self, rows, cols):
        """Show the first ``rows * cols`` buttons of the pool (growing it if needed), hide the rest.

        A move sends the browser one small message per band of buttons that appears or disappears
        (padding 1 -> 2 in the notes' example: one, for the 24 buttons from 25 to 49), each a
        one-line style change there. (Switching every button between a shown and a hidden layout
        made the browser rebuild 24 layout views, and the grid settled 100-300 ms after the keypress.)
        """
        needed = rows * cols
        if needed not in self._band_starts:       # not foreseen: a band of its own from here
            bisect.insort(self._band_starts, needed)
            for button in self._pool[needed:]:
                if button.layout is self._band_layout(needed - 1):
                    button.layout = self._band_layout(needed)
        while len(self._pool) < needed:
            # "?" until computed: a button with no text is announced as nothing by a screen reader.
            button = widgets.Button(description=NOT_COMPUTED, style=self._styles["todo"],
                                    layout=self._band_layout(len(self._pool)))
            button.on_click(lambda _, index=len(self._pool): self._jump(index))
            self._pool.append(button)
        if len(self.views["output"].children) != len(self._pool):
            self.views["output"].children = tuple(self._pool)
        for start, layout in self._band_layouts.items():
            layout.display = None if start < needed else "none"       # sent only when it changes
        self.views["output"].layout.grid_template_columns = f"repeat({max(cols, 1)}, {CELL_WIDTH})"

    def update(self, change=None):
        if change is not None and change["owner"] is self.controls["play"]:
            self.controls["position"].value = change["new"]
        if self.changed(change, "padding", "stride"):
            self._recompute()
        self._show()

    def _recompute(self):
        controls = self.controls
        p, s = controls["padding"].value, controls["stride"].value
        kh, kw = self.kernel.shape
        h, w = self.image.shape
        self.padded = np.pad(self.image, p)
        problem = kernel_fit((h, w), (kh, kw), p)
        if problem is not None:
            self.full_output = None
            needed = max(0, -(-(kh - h) // 2), -(-(kw - w) // 2))
            self.warning = f"The {problem}. Increase the padding to at least {needed}."
            rows = cols = 0
        else:
            self.full_output = conv2d(self.image, self.kernel, padding=p, stride=s)
            self.warning = _stride_warning(self.image.shape, self.kernel.shape, p, s)
            rows, cols = self.full_output.shape
        self._resize_pool(rows, cols)
        last = max(rows * cols - 1, 0)
        for name in ("position", "play"):
            control = controls[name]
            with control.hold_sync():             # one message for the three
                control.value = min(control.value, last)
                control.max = last
                control.disabled = rows * cols == 0
        if rows * cols == 0:                      # otherwise _show sets them from the position
            for name in ("prev", "next"):
                controls[name].disabled = True
        self.views["warning"].value = (warning_html(self.warning) if self.full_output is None
                                       else note(self.warning))

    def _show(self):
        shown, views, controls = self.shown, self.views, self.controls
        p, s = controls["padding"].value, controls["stride"].value
        kh, kw = self.kernel.shape
        hp, wp = self.padded.shape
        views["input_label"].value = heading(f"input {self.image.shape[0]}x{self.image.shape[1]}, "
                                             f"zero-padded to {hp}x{wp} (P = {p})")
        shown.update(padded_input=self.padded, warning=self.warning, full_output=self.full_output)
        if self.full_output is None:
            views["input"].value = number_table(self.padded, padding=p)
            views["title"].value = (f"<b style='font-size:17px;color:{ERROR_RED}'>No output: see the message "
                                    "below</b>")
            views["products"].value = views["formula"].value = ""
            shown.update(position=None, index=None, window=None, products=None, sum=None,
                         formula="", output=np.empty((0, 0)), title="No output")
            return

        out_rows, out_cols = self.full_output.shape
        index = controls["position"].value
        i, j = divmod(index, out_cols)
        step = conv_step(self.image, self.kernel, i, j, stride=s, padding=p)
        window, products, total = step.window, step.products, step.total
        terms = " + ".join(f"{format_number(v)}×{_signed(k)}" for v, k in zip(window.ravel(), self.kernel.ravel()))
        formula = f"{terms} = {format_number(total)}"
        title = (f"Output ({i}, {j}): step {index + 1} of {out_rows * out_cols}. "
                 f"The window starts at padded row {i * s}, column {j * s} (stride {s}).")
        views["title"].value = heading(title, 17)
        views["input"].value = number_table(self.padded, padding=p, highlight=(i * s, j * s, kh, kw))
        product_texts = [[f"{format_number(v)}×{_signed(k)}<br><b>{format_number(v * k)}</b>"
                          for v, k in zip(wrow, krow)] for wrow, krow in zip(window, self.kernel)]
        views["products"].value = number_table(products, texts=product_texts, cell_px=84, font_px=15)
        views["formula"].value = (f"<div style='font-size:16px;font-family:monospace;padding:6px 0'>"
                                  f"sum = {formula}</div>")
        flat = self.full_output.ravel()
        for k, button in enumerate(self._pool[:flat.size]):
            row, col = divmod(k, out_cols)
            # One message per button that changed (caption, tooltip and colour together), none for the rest.
            with button.hold_sync():
                if k <= index:
                    button.description = format_number(flat[k])
                    button.tooltip = (f"output row {row}, column {col}: {button.description}"
                                      + (" (the current step)" if k == index else "") + "; press to go there")
                else:
                    button.description = NOT_COMPUTED
                    button.tooltip = f"output row {row}, column {col}, not computed yet; press to go there"
                button.style = self._styles["current" if k == index else "done" if k < index else "todo"]
        controls["prev"].disabled = index == 0
        controls["next"].disabled = index == flat.size - 1
        partial = np.full(self.full_output.shape, np.nan)
        partial.ravel()[:index + 1] = flat[:index + 1]
        shown.update(position=(i, j), index=index, window=window, products=products, sum=total,
                     formula=formula, output=partial, title=title)


    def describe(self):
        shown = self.shown
        if self.full_output is None:
            return f"No output. {self.warning}"
        (i, j), rows, cols = shown["position"], *self.full_output.shape
        h, w = self.image.shape
        kh, kw = self.kernel.shape
        p, s = self.controls["padding"].value, self.controls["stride"].value
        return (f"{h}x{w} input padded by {p}, {kh}x{kw} kernel, stride {s}: a {rows}x{cols} output. "
                f"Step {shown['index'] + 1} of {rows * cols}: output row {i}, column {j}; the kernel sits at "
                f"padded row {i * s}, column {j * s}; the sum of the {kh * kw} products is "
                f"{format_number(shown['sum'])}." + (f" {self.warning}" if self.warning else ""))


def _signed(value):
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


__all__ = ["conv2d_stepper", "Conv2dStepper", "NOTES_IMAGE"]
