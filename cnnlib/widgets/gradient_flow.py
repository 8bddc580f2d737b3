"""Gradient-flow explorer (notebook 08): pick an output cell and see which inputs and weights its
gradient reaches, or pick an input cell and see which outputs it feeds, for a convolution or a
pooling layer, with stride and padding on sliders.

The gradients come from cnnlib: :func:`cnnlib.conv2d_backward`, :func:`max_pool2d_backward` and
:func:`avg_pool2d_backward` with dL/d(out) = 1 at the chosen output (so L is that output), and the
forward :func:`cnnlib.conv2d` of a one-hot input for the input direction (a convolution is linear,
so that is exactly d out / d x at the chosen input). The index bookkeeping is
:func:`cnnlib.shapes.window_cells` and :func:`~cnnlib.shapes.outputs_reading`.
"""
import html

import ipywidgets as widgets
import matplotlib
import numpy as np

from .. import kernels
from .._checks import as_float_array
from ..conv import conv2d, conv2d_backward
from ..plots import SIGNED_CMAP
from ..plots.backprop import FLOW_EXAMPLE
from ..pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward
from ..render import format_number
from ..shapes import kernel_fit, output_size, outputs_reading, stride_fit, window_cells
from ._base import Explorer, plain_text
from ._board import TextView
from ._html import HIGHLIGHT, ink, note, table
from ._html import warning as warning_html

LAYERS = (("convolution", "conv"), ("max pool", "max"), ("avg pool", "avg"))
DIRECTIONS = (("an output cell: where does its gradient go?", "output"),
              ("an input cell: which outputs does it feed?", "input"))
MAX_SIDE = 10
MAX_STRIDE = 4
MAX_PADDING = 3
MAX_POOL_SIZE = 5
TOUCHED = HIGHLIGHT            # the highlight colour of cnnlib.plots.number_grid and the stepper
CHOSEN = "#000000"


def grid_html(values, *, grads=None, pad=0, pad_text="0", outline=(), dashed=(), title=""):
    """An HTML table of ``values`` with a ring of ``pad`` padding cells (grey, showing ``pad_text``).

    ``grads``: None, or {(r, c): gradient} for cells (in unpadded coordinates) that the gradient
    reaches; those are shaded by the signed gradient and show it under the value.
    ``outline``: cells drawn with a thick black border (the chosen cell); ``dashed``: padding
    cells a window reads (dashed orange: they read a constant and pass nothing back).
    """
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
    grads = grads or {}
    limit = max([abs(g) for g in grads.values()] + [1e-12])
    cmap = matplotlib.colormaps[SIGNED_CMAP]
    outline, dashed = set(outline), set(dashed)
    cells = []
    for i in range(-pad, rows + pad):
        cells.append([])
        for j in range(-pad, cols + pad):
            inside = 0 <= i < rows and 0 <= j < cols
            border = "1px solid #bbb"
            if (i, j) in outline:
                border = f"4px solid {CHOSEN}"
            elif (i, j) in dashed:
                border = f"3px dashed {TOUCHED}"
            if not inside:
                style = "background:#ececec;color:#595959;font-style:italic;"   # 6:1 on the grey
                text = pad_text
            elif (i, j) in grads:
                rgba = cmap(0.5 + 0.5 * grads[(i, j)] / limit)
                style = (f"background:{matplotlib.colors.to_hex(rgba)};color:{ink(rgba)};"
                         f"box-shadow:inset 0 0 0 2px {TOUCHED};")
                text = (f"{format_number(values[i, j])}<br><span style='font-size:12px;font-weight:bold'>"
                        f"{format_number(grads[(i, j)])}</span>")
            else:
                style = "background:#ffffff;color:#333;"
                text = format_number(values[i, j])
            cells[-1].append((text, f"{style}border:{border};width:46px;height:46px;min-width:46px;"
                                    "text-align:center;padding:0;line-height:1.2"))
    return (f"<div style='font-size:14px;font-weight:bold;margin-bottom:4px'>{html.escape(title)}</div>"
            + table(cells, style="border-collapse:collapse;font-family:monospace;font-size:15px"))


def gradient_flow_explorer(image=None, kernel=None, layer="conv", direction="output", row=0, col=0,
                           stride=1, padding=0, pool_size=2):
    """Follow one cell's gradient through a convolution or a pooling layer.

    ``image``: a small H x W array (default: a 6 x 6 map of digits); ``kernel``: a 2D array or a
    name from ``cnnlib.kernels.PRESETS`` (default: Sobel x). Controls: "layer" (conv/max/avg),
    "direction" (output/input), "row", "col" (the cell picked in the output or the input grid),
    "stride", "padding" (per side) and "size" (the pooling window; the convolution uses the kernel).

    Output direction: L = out[row, col], so dL/d(out) is 1 there and 0 elsewhere; the input grid
    shows dL/dx (the kernel's weights, or the max's winner, or 1/size^2 shares) on the cells the
    window reads, and the kernel grid shows dL/dw (the input values under the window).
    Input direction: the output grid shows d out[i, j] / d x[row, col] for every output the cell
    feeds, and the kernel grid marks the weights that link them.
    ``.shown``: layer, direction, cell, output_shape, output, grad_x, grad_w, touched_inputs,
    padding_taps, touched_outputs, touched_weights, jacobian, text, note, warning.
    """
    return GradientFlowExplorer(image, kernel, layer, direction, row, col, stride, padding, pool_size)


class GradientFlowExplorer(Explorer):
    """The widget :func:`gradient_flow_explorer` returns (see there)."""

    def __init__(self, image, kernel, layer, direction, row, col, stride, padding, pool_size):
        x = FLOW_EXAMPLE.copy() if image is None else as_float_array(image, "image")
        if x.ndim != 2 or max(x.shape) > MAX_SIDE or min(x.shape) < 2:
            raise ValueError(f"image must be a 2D array between 2 x 2 and {MAX_SIDE} x {MAX_SIDE}, got shape {x.shape}")
        if kernel is None:
            w = kernels.sobel_x()
        elif isinstance(kernel, str):
            w = kernels.by_name(kernel)
        else:
            w = as_float_array(kernel, "kernel")
        if w.ndim != 2 or max(w.shape) > MAX_SIDE:
            raise ValueError(f"kernel must be a 2D array at most {MAX_SIDE} x {MAX_SIDE}, got shape {w.shape}")
        if layer not in dict((v, k) for k, v in LAYERS):
            raise ValueError(f"layer must be 'conv', 'max' or 'avg', got {layer!r}")
        if direction not in ("output", "input"):
            raise ValueError(f"direction must be 'output' or 'input', got {direction!r}")
        self.x, self.w = x, w
        side = max(x.shape) - 1
        controls = {
            "layer": widgets.ToggleButtons(options=LAYERS, value=layer, description="layer"),
            "direction": widgets.ToggleButtons(options=DIRECTIONS, value=direction, description="pick",
                                               style={"button_width": "300px"}),
            "row": widgets.IntSlider(value=row, min=0, max=side, description="row"),
            "col": widgets.IntSlider(value=col, min=0, max=side, description="col"),
            "stride": widgets.IntSlider(value=stride, min=1, max=MAX_STRIDE, description="stride"),
            "padding": widgets.IntSlider(value=padding, min=0, max=MAX_PADDING, description="padding"),
            "size": widgets.IntSlider(value=pool_size, min=1, max=MAX_POOL_SIZE, description="pool size"),
        }
        views = {name: TextView() for name in ("input", "weights", "output", "readout", "warning")}
        grids = widgets.HBox([widgets.Box([views[name]], layout=widgets.Layout(margin="0 24px 0 0"))
                              for name in ("input", "weights", "output")])
        super().__init__([controls["layer"], controls["direction"],
                          widgets.HBox([controls["row"], controls["col"]]),
                          widgets.HBox([controls["stride"], controls["padding"], controls["size"]]),
                          views["warning"], grids, views["readout"]], controls, views)
        self.observe_controls()
        self.first_update()

    def _show_problem(self, message):
        height, width = self.x.shape
        self.views["warning"].value = warning_html(message)
        self.views["input"].value = grid_html(self.x, title=f"input {height}x{width}")
        for name in ("weights", "output", "readout"):
            self.views[name].value = ""
        self.shown.update(output_shape=None, output=None, grad_x=None, grad_w=None, touched_inputs=[],
                          padding_taps=0, touched_outputs=[], touched_weights=[], jacobian=None,
                          text="", note="", warning=message)

    def update(self, change=None):
        x, w, controls, views = self.x, self.w, self.controls, self.views
        height, width = x.shape
        mode, picked = controls["layer"].value, controls["direction"].value
        i, j = controls["row"].value, controls["col"].value
        s, p = controls["stride"].value, controls["padding"].value
        controls["size"].disabled = mode == "conv"
        size = w.shape if mode == "conv" else (controls["size"].value,) * 2
        self.shown.update(layer=mode, direction=picked, cell=(i, j))
        kh, kw = size
        problem = kernel_fit((height, width), (kh, kw), p, name="window")
        if problem is not None:
            self._show_problem(f"The {problem}. Lower the size or add padding.")
            return
        if mode != "conv" and 2 * p > kh:
            self._show_problem(f"Padding {p} is more than half the {kh}x{kw} pooling window: a window could see "
                               f"nothing but padding. cnnlib (like PyTorch) refuses it; use padding <= {kh // 2}.")
            return
        out_shape = (output_size(height, kh, p, s), output_size(width, kw, p, s))
        if mode == "conv":
            out = conv2d(x, w, stride=s, padding=p)
        else:
            out = (max_pool2d if mode == "max" else avg_pool2d)(x, kh, s, p)
        grid_h, grid_w = out_shape if picked == "output" else (height, width)
        if i >= grid_h or j >= grid_w:
            where = "output" if picked == "output" else "input"
            self._show_problem(f"There is no {where} cell ({i}, {j}): the {where} is {grid_h} x {grid_w}, so pick "
                               f"row <= {grid_h - 1} and col <= {grid_w - 1}.")
            return
        notes = []
        for axis, n, k in (("row", height, kh), ("column", width, kw)):
            problem = stride_fit(n, k, p, s, axis=axis)
            if problem is not None:
                notes.append(f"Stride {s} does not fit: {problem}; those {axis}s are never read (their gradient "
                             "is always 0).")
        if s > max(kh, kw):
            notes.append(f"Stride {s} is larger than the {kh}x{kw} window: some inputs fall between windows "
                         f"and never receive a gradient.")
        pad_text = "&minus;&infin;" if mode == "max" else "0"
        flow = (_output_direction if picked == "output" else _input_direction)(mode, x, w, out, (i, j), s, p, (kh, kw))
        views["input"].value = grid_html(x, grads=flow["input_grads"], pad=p, pad_text=pad_text,
                                         outline=flow["input_outline"], dashed=flow["padding_cells"],
                                         title=flow["input_title"])
        if mode == "conv":
            views["weights"].value = grid_html(w, grads=flow["weight_grads"], title=flow["weight_title"])
        else:
            views["weights"].value = ("<div style='font-size:14px;width:150px'><b>no weights</b><br>"
                                      "a pooling layer has nothing to learn: it only routes the gradient.</div>")
        views["output"].value = grid_html(out, grads=flow["output_grads"], outline=flow["output_outline"],
                                          title=f"output {out_shape[0]}x{out_shape[1]}" + flow["output_title"])
        views["readout"].value = (f"<div style='font-size:15px;max-width:900px'>{flow['text']}</div>"
                                  + "".join(note(n) for n in notes))
        views["warning"].value = ""
        self.shown.update(output_shape=out_shape, output=out, text=flow["text"], note=" ".join(notes),
                          warning="", **flow["values"])

    def describe(self):
        shown, c = self.shown, self.controls
        layer = dict((v, k) for k, v in LAYERS)[shown["layer"]]
        i, j = shown["cell"]
        setting = (f"{layer}, stride {c['stride'].value}, padding {c['padding'].value}"
                   + (f", pool size {c['size'].value}" if shown["layer"] != "conv" else "")
                   + f"; picked {shown['direction']} cell row {i}, column {j}")
        if shown["warning"]:
            return f"{setting}: {shown['warning']}"
        return " ".join(part for part in (f"{setting}.", plain_text(shown["text"]), shown["note"]) if part)


def _output_direction(mode, x, w, out, cell, s, p, size):
    """L = out[cell]: the backward pass with a one-hot dL/d(out)."""
    height, width = x.shape
    seed = np.zeros(out.shape)
    seed[cell] = 1.0
    taps = window_cells(cell[0], cell[1], x.shape, size, s, p)
    inside = [(r, c, a, b) for r, c, a, b in taps if 0 <= r < height and 0 <= c < width]
    on_padding = [(r, c) for r, c, _, _ in taps if not (0 <= r < height and 0 <= c < width)]
    if mode == "conv":
        grad_x, grad_w, _ = conv2d_backward(seed, x, w, stride=s, padding=p)
        input_grads = {(r, c): grad_x[r, c] for r, c, _, _ in inside}
        weight_grads = {(a, b): grad_w[a, b] for a in range(w.shape[0]) for b in range(w.shape[1])}
        text = (f"out[{cell[0]}, {cell[1]}] = {format_number(out[cell])} is a sum of {len(taps)} products "
                f"w[a, b] &times; x[r, c]. With L = out[{cell[0]}, {cell[1]}], the product rule sends "
                f"<b>dL/dx[r, c] = w[a, b]</b> to the {len(inside)} input cells under the window and "
                f"<b>dL/dw[a, b] = x[r, c]</b> to the weights")
        text += (f"; {len(on_padding)} taps read the zero padding, so those weights get 0 and nothing else "
                 "receives their share." if on_padding else ".")
        touched_weights = [(a, b) for _, _, a, b in inside]
    else:
        backward = max_pool2d_backward if mode == "max" else avg_pool2d_backward
        grad_x = backward(seed, x, size[0], s, p)
        grad_w = None
        weight_grads = {}
        touched_weights = []
        if mode == "max":
            winners = [(r, c) for r, c, _, _ in inside if grad_x[r, c] != 0]
            input_grads = {rc: grad_x[rc] for rc in winners}
            r, c = winners[0]
            text = (f"out[{cell[0]}, {cell[1]}] = {format_number(out[cell])}, the largest of its window. Only the winner, "
                    f"x[{r}, {c}], gets the gradient (1); the other {len(inside) - 1} inputs of the window get 0. "
                    "If several values tie, the first in row-major order wins (as in PyTorch).")
        else:
            input_grads = {(r, c): grad_x[r, c] for r, c, _, _ in inside}
            share = size[0] * size[1]
            text = (f"out[{cell[0]}, {cell[1]}] = {format_number(out[cell])}, the mean of its {share} window cells. "
                    f"Each of the {len(inside)} input cells gets an equal share, 1/{share} = {format_number(1 / share)}")
            text += (f"; the {len(on_padding)} padding cells count in the mean but are not inputs, so their "
                     "shares are dropped." if on_padding else ".")
    return {
        "values": dict(grad_x=grad_x, grad_w=grad_w, touched_inputs=sorted(input_grads),
                       padding_taps=len(on_padding), touched_outputs=[cell], touched_weights=sorted(touched_weights),
                       jacobian=None),
        "input_grads": input_grads, "input_outline": (), "padding_cells": on_padding,
        "input_title": "input x, with dL/dx under each value",
        "weight_grads": weight_grads, "weight_title": "kernel w, with dL/dw under each weight",
        "output_grads": {}, "output_outline": [cell], "output_title": f": L = out[{cell[0]}, {cell[1]}]",
        "text": text,
    }


def _input_direction(mode, x, w, out, cell, s, p, size):
    """Which outputs read x[cell], and d out[i, j] / d x[cell] for each of them."""
    readers = outputs_reading(cell[0], cell[1], x.shape, size, s, p)
    if mode == "conv":
        probe = np.zeros(x.shape)
        probe[cell] = 1.0
        jacobian = conv2d(probe, w, stride=s, padding=p)       # linear: this is d out / d x[cell]
    else:
        backward = max_pool2d_backward if mode == "max" else avg_pool2d_backward
        jacobian = np.zeros(out.shape)
        for i, j, _, _ in readers:
            seed = np.zeros(out.shape)
            seed[i, j] = 1.0
            jacobian[i, j] = backward(seed, x, size[0], s, p)[cell]
    output_grads = {(i, j): jacobian[i, j] for i, j, _, _ in readers}
    weight_grads = {(a, b): w[a, b] for _, _, a, b in readers} if mode == "conv" else {}
    n = len(readers)
    if n == 0:
        text = (f"No window reaches x[{cell[0]}, {cell[1]}]: it never affects the output, and its gradient is "
                "always 0.")
    elif mode == "conv":
        text = (f"x[{cell[0]}, {cell[1]}] is read by {n} output cell{'s' if n > 1 else ''}, each through a different "
                "weight: d out[i, j] / dx = w[a, b] (marked on the kernel). In the backward pass its gradient "
                "is the sum of dL/d(out[i, j]) &times; w[a, b] over these outputs: a full convolution of "
                "dL/d(out) with the kernel.")
    else:
        wins = sum(1 for v in output_grads.values() if v != 0)
        what = (f"It wins the max in {wins} of them (d out / dx = 1 there, 0 elsewhere)." if mode == "max" else
                f"Each takes 1/{size[0] * size[1]} of it.")
        text = (f"x[{cell[0]}, {cell[1]}] lies in {n} pooling window{'s' if n > 1 else ''}. {what} Its gradient "
                "is the sum of the incoming gradients of those windows.")
    return {
        "values": dict(grad_x=None, grad_w=None, touched_inputs=[cell], padding_taps=0,
                       touched_outputs=sorted(output_grads), touched_weights=sorted(weight_grads),
                       jacobian=jacobian),
        "input_grads": {}, "input_outline": [cell], "padding_cells": (),
        "input_title": f"input x: the chosen cell ({cell[0]}, {cell[1]})",
        "weight_grads": weight_grads, "weight_title": "kernel w: the weights linking it (shaded)",
        "output_grads": output_grads, "output_outline": [],
        "output_title": f", with d out / dx[{cell[0]}, {cell[1]}] under each value",
        "text": text,
    }
