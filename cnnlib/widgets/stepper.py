"""The 2D convolution stepper (notebook 02): walk a kernel over a padded input, one output at a time.

Every number comes from cnnlib: the output map from :func:`cnnlib.conv2d`, the window the kernel
sees at each position from :func:`cnnlib.im2col`. The widget only multiplies a window by the
kernel element by element to show the products whose sum ``conv2d`` returned.
"""
import ipywidgets as widgets
import matplotlib
import numpy as np

from .. import kernels
from .._checks import as_float_array, as_nonnegative_int, as_positive_int
from ..conv import conv2d, im2col
from ..shapes import output_size
from ..plots import VALUE_CMAP
from ._base import Explorer

# The worked example of the lecture notes (seed 000): a 5x5 image convolved with a sharpen kernel.
NOTES_IMAGE = np.array([[60, 113, 56, 139, 85],
                        [73, 121, 54, 84, 128],
                        [131, 99, 70, 129, 127],
                        [80, 57, 115, 69, 134],
                        [104, 126, 123, 95, 130]], dtype=float)

MAX_IMAGE_SIDE = 12
MAX_KERNEL_SIDE = 7
HIGHLIGHT = "#ff7f0e"   # matplotlib's tab:orange, the highlight colour of cnnlib.plots.number_grid
DONE_COLOUR = "#dbe6f3"
TODO_COLOUR = "#f2f2f2"
ERROR_STYLE = "color:#b00020; font-weight:bold; font-size:15px"
NOTE_STYLE = "color:#8a4b00; font-weight:bold; font-size:15px"


def format_number(value):
    """A number as short text: whole numbers without a decimal point, others to 3 significant digits."""
    value = float(value)
    if np.isfinite(value) and value == round(value) and abs(value) < 1e9:
        return str(int(round(value)))
    return f"{value:.3g}"


def _text_colour(rgba):
    # The same rule as cnnlib.plots.number_grid: black on light cells, white on dark ones.
    return "black" if 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2] > 0.5 else "white"


def number_table_html(values, *, highlight=None, padding=0, cmap=VALUE_CMAP, vmin=None, vmax=None,
                      cell_px=44, font_px=16, texts=None):
    """A matrix as an HTML table of shaded cells with numbers, like ``cnnlib.plots.number_grid``.

    ``highlight``: (row, col, height, width) of a block outlined in orange. ``padding``: the width
    of a border of padding cells, drawn grey so they read as "not part of the image".
    ``texts``: optional array of strings to write instead of the numbers.
    """
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
    inner = values[padding:rows - padding, padding:cols - padding]
    lo = np.min(inner) if vmin is None and inner.size else (vmin if vmin is not None else 0.0)
    hi = np.max(inner) if vmax is None and inner.size else (vmax if vmax is not None else 1.0)
    norm = matplotlib.colors.Normalize(lo, hi if hi > lo else lo + 1)
    colours = matplotlib.colormaps[cmap](norm(values))
    r0, c0, h, w = highlight if highlight is not None else (-1, -1, 0, 0)
    thick = f"4px solid {HIGHLIGHT}"
    html = [f'<table style="border-collapse:collapse; font-family:monospace; font-size:{font_px}px">']
    for i in range(rows):
        html.append("<tr>")
        for j in range(cols):
            is_padding = not (padding <= i < rows - padding and padding <= j < cols - padding)
            if is_padding:
                style = "background:#e8e8e8; color:#777; font-style:italic;"
            else:
                rgba = colours[i, j]
                style = f"background:{matplotlib.colors.to_hex(rgba)}; color:{_text_colour(rgba)};"
            borders = ["1px solid white"] * 4   # top, right, bottom, left
            if r0 <= i < r0 + h and c0 <= j < c0 + w:
                if i == r0:
                    borders[0] = thick
                if j == c0 + w - 1:
                    borders[1] = thick
                if i == r0 + h - 1:
                    borders[2] = thick
                if j == c0:
                    borders[3] = thick
            text = texts[i][j] if texts is not None else format_number(values[i, j])
            html.append(
                f'<td style="{style} width:{cell_px}px; height:{cell_px}px; min-width:{cell_px}px; '
                f'text-align:center; padding:0; border-top:{borders[0]}; border-right:{borders[1]}; '
                f'border-bottom:{borders[2]}; border-left:{borders[3]}">{text}</td>')
        html.append("</tr>")
    html.append("</table>")
    return "".join(html)


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


def _stride_note(n, k, padding, stride, symbol, one, many):
    """A sentence explaining a stride that does not divide the distance the kernel travels, or ''.

    ``one``/``many``: how to name the skipped lines, e.g. "row" / "rows".
    """
    try:
        output_size(n, k, padding, stride, exact=True)
        return ""
    except ValueError:
        travel = n - k + 2 * padding
        kept = output_size(n, k, padding, stride)
        skipped = travel - (kept - 1) * stride
        verb = "are" if skipped > 1 or " and " in one else "is"
        lost = f"the last {one}" if skipped == 1 else f"the last {skipped} {many}"
        return (f"Stride {stride} does not fit along the {many}: ({symbol} - F + 2P)/S = "
                f"({n} - {k} + 2*{padding})/{stride} = {travel / stride:.3g} is not a whole number. "
                f"cnnlib, like every framework, rounds down: {symbol}_O = floor({travel / stride:.3g}) "
                f"+ 1 = {kept}, so {lost} of the padded input {verb} never visited.")


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
    return _Stepper(image, kernel, padding, stride, max_padding, max_stride).explorer


class _Stepper:
    """Holds the state behind one stepper widget; ``explorer`` is what the notebook displays."""

    def __init__(self, image, kernel, padding, stride, max_padding, max_stride):
        self.image, self.kernel = image, kernel
        self.full_output = None
        self.windows = None
        self.cell_buttons = []
        self._holding = False   # True while a recompute adjusts the slider range

        self.title = widgets.HTML()
        self.input_html = widgets.HTML()
        self.input_label = widgets.HTML()
        self.kernel_html = widgets.HTML(number_table_html(kernel))
        self.output_grid = widgets.GridBox(layout=widgets.Layout(grid_gap="2px"))
        self.products_html = widgets.HTML()
        self.formula_html = widgets.HTML()
        self.warning_html = widgets.HTML()

        self.position = widgets.IntSlider(value=0, min=0, max=0, description="position",
                                          continuous_update=True, layout=widgets.Layout(width="360px"))
        self.play = widgets.Play(value=0, min=0, max=0, interval=900, description="play")
        widgets.link((self.play, "value"), (self.position, "value"))
        self.prev = widgets.Button(description="< Prev", layout=widgets.Layout(width="80px"))
        self.next = widgets.Button(description="Next >", layout=widgets.Layout(width="80px"))
        self.padding = widgets.IntSlider(value=padding, min=0, max=max_padding, description="padding P")
        self.stride = widgets.IntSlider(value=stride, min=1, max=max_stride, description="stride S")

        def heading(text):
            return widgets.HTML(f"<b style='font-size:15px'>{text}</b>")

        panels = widgets.HBox([
            widgets.VBox([self.input_label, self.input_html]),
            widgets.VBox([heading("kernel"), self.kernel_html]),
            widgets.VBox([heading("output (click a cell to jump there)"), self.output_grid]),
        ], layout=widgets.Layout(grid_gap="24px", align_items="flex-start"))
        products = widgets.VBox([heading("window × kernel, element by element"), self.products_html])
        steps = widgets.HBox([self.prev, self.next, self.play, self.position])
        sizes = widgets.HBox([self.padding, self.stride])
        controls = {"position": self.position, "play": self.play, "prev": self.prev, "next": self.next,
                    "padding": self.padding, "stride": self.stride}
        self.explorer = Explorer([self.title, panels, products, self.formula_html, steps, sizes,
                                  self.warning_html], controls)
        self.explorer.cell_buttons = self.cell_buttons

        self.prev.on_click(lambda _: self._move(-1))
        self.next.on_click(lambda _: self._move(+1))
        self.position.observe(lambda _: self._show(), names="value")
        self.padding.observe(lambda _: self._recompute(), names="value")
        self.stride.observe(lambda _: self._recompute(), names="value")
        self._recompute()

    def _move(self, step):
        target = self.position.value + step
        if self.position.min <= target <= self.position.max:
            self.position.value = target

    def _recompute(self):
        p, s = self.padding.value, self.stride.value
        kh, kw = self.kernel.shape
        self.padded = np.pad(self.image, p)
        try:
            self.full_output = conv2d(self.image, self.kernel, padding=p, stride=s)
        except ValueError:
            self.full_output = None
        if self.full_output is None:
            h, w = self.image.shape
            needed = max(0, -(-(kh - h) // 2), -(-(kw - w) // 2))
            self.warning = (f"The {kh}x{kw} kernel does not fit inside the padded input "
                            f"({h + 2 * p}x{w + 2 * p}): there is no position to put it. "
                            f"Increase the padding to at least {needed}.")
            self.windows = None
            n_out_rows = n_out_cols = 0
        else:
            (h, w), square = self.image.shape, self.image.shape[0] == self.image.shape[1] and kh == kw
            if square:
                self.warning = _stride_note(w, kw, p, s, "W", "row and column", "rows and columns")
            else:
                notes = [_stride_note(h, kh, p, s, "H", "row", "rows"),
                         _stride_note(w, kw, p, s, "W", "column", "columns")]
                self.warning = " ".join(note for note in notes if note)
            self.windows = im2col(self.padded[None, None], (kh, kw), (s, s))[0]
            n_out_rows, n_out_cols = self.full_output.shape
        self._build_buttons(n_out_rows, n_out_cols)
        n_positions = n_out_rows * n_out_cols
        last = max(n_positions - 1, 0)
        # Shrinking the range may move the value; hold updates until the new range is set.
        self._holding = True
        self.position.max = self.play.max = last
        self.position.value = min(self.position.value, last)
        self._holding = False
        for control in (self.position, self.play, self.prev, self.next):
            control.disabled = n_positions == 0
        self._show()

    def _build_buttons(self, rows, cols):
        self.cell_buttons.clear()
        for i in range(rows):
            row = []
            for j in range(cols):
                button = widgets.Button(description="", tooltip=f"jump to output ({i}, {j})",
                                        layout=widgets.Layout(width="58px", height="44px", padding="0"))
                button.style.font_size = "15px"
                button.on_click(lambda _, index=i * cols + j: setattr(self.position, "value", index))
                row.append(button)
            self.cell_buttons.append(row)
        self.output_grid.children = [b for row in self.cell_buttons for b in row]
        self.output_grid.layout.grid_template_columns = f"repeat({max(cols, 1)}, 58px)"

    def _show(self):
        if self._holding:
            return
        shown = self.explorer.shown
        p, s = self.padding.value, self.stride.value
        kh, kw = self.kernel.shape
        hp, wp = self.padded.shape
        self.input_label.value = (f"<b style='font-size:15px'>input {self.image.shape[0]}x"
                                  f"{self.image.shape[1]}, zero-padded to {hp}x{wp} (P = {p})</b>")
        warning_style = ERROR_STYLE if self.full_output is None else NOTE_STYLE
        self.warning_html.value = (f"<div style='{warning_style}'>{self.warning}</div>"
                                   if self.warning else "")
        shown.update(padded_input=self.padded, warning=self.warning, full_output=self.full_output)

        if self.full_output is None:
            self.input_html.value = number_table_html(self.padded, padding=p)
            self.title.value = "<b style='font-size:17px; color:#b00020'>No output: see the message below</b>"
            self.products_html.value = self.formula_html.value = ""
            shown.update(position=None, index=None, window=None, products=None, sum=None,
                         formula="", output=np.empty((0, 0)), title="No output")
            return

        out_rows, out_cols = self.full_output.shape
        index = self.position.value
        i, j = divmod(index, out_cols)
        window = self.windows[i, j].reshape(kh, kw)
        products = window * self.kernel
        total = self.full_output[i, j]
        terms = " + ".join(f"{format_number(v)}×{self._signed(k)}"
                           for v, k in zip(window.ravel(), self.kernel.ravel()))
        formula = f"{terms} = {format_number(total)}"
        title = (f"Output ({i}, {j}): step {index + 1} of {out_rows * out_cols}. "
                 f"The window starts at padded row {i * s}, column {j * s} (stride {s}).")

        self.title.value = f"<b style='font-size:17px'>{title}</b>"
        self.input_html.value = number_table_html(self.padded, padding=p,
                                                  highlight=(i * s, j * s, kh, kw))
        product_texts = [[f"{format_number(v)}×{self._signed(k)}<br><b>{format_number(v * k)}</b>"
                          for v, k in zip(wrow, krow)] for wrow, krow in zip(window, self.kernel)]
        self.products_html.value = number_table_html(products, texts=product_texts, cell_px=84,
                                                     font_px=15)
        self.formula_html.value = (f"<div style='font-size:16px; font-family:monospace; "
                                   f"padding:6px 0'>sum = {formula}</div>")

        partial = np.full(self.full_output.shape, np.nan)
        partial.ravel()[:index + 1] = self.full_output.ravel()[:index + 1]
        for r, row in enumerate(self.cell_buttons):
            for c, button in enumerate(row):
                k = r * out_cols + c
                button.description = format_number(self.full_output[r, c]) if k <= index else ""
                button.style.button_color = HIGHLIGHT if k == index else (
                    DONE_COLOUR if k < index else TODO_COLOUR)
                button.style.font_weight = "bold" if k == index else ""
        self.prev.disabled = index == 0
        self.next.disabled = index == out_rows * out_cols - 1
        shown.update(position=(i, j), index=index, window=window, products=products, sum=total,
                     formula=formula, output=partial, title=title)

    @staticmethod
    def _signed(value):
        text = format_number(value)
        return f"({text})" if text.startswith("-") else text
