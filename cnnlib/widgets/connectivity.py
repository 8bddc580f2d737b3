"""The connectivity view (notebook 05): one layer of neurons wired as a convolution and as a dense layer.

Pick an output neuron and see which inputs feed it and through which weights. The wiring comes
from :func:`cnnlib.conv_matrix` (via :func:`cnnlib.conv.connection_ids`), the
parameter counts from :func:`cnnlib.conv_parameter_count` and :func:`cnnlib.dense_parameter_count`.
Everything is drawn as HTML tables, so an update takes a few milliseconds.
"""
import ipywidgets as widgets
import numpy as np

from .._checks import as_positive_int
from ..shapes import conv_parameter_count, dense_parameter_count, kernel_fit, output_size, stride_fit
from ..conv import connection_ids, neuron_name
from ..plots.connectivity import weight_colours
from ._base import Explorer
from ._board import TextView
from ._html import ERROR_RED, HIGHLIGHT, ink, note, table
from ._html import warning as warning_html

MAX_INPUT_SIDE = 6
MAX_KERNEL_SIDE = 5
MAX_STRIDE = 4
UNUSED = "#f2f2f2"


TABLE_STYLE = "border-collapse:collapse; font-family:monospace"


def _cell(text, background, size, *, font_px=14, border="1px solid white", colour=None):
    """One cell of :func:`cnnlib.widgets._html.table`: (text, its css)."""
    text_colour = colour or (ink(background) if background.startswith("#") else "black")
    return (text, f"background:{background}; color:{text_colour}; width:{size}px; height:{size}px; "
                  f"min-width:{size}px; text-align:center; padding:0; font-size:{font_px}px; border:{border}")


def _input_grid_html(n, colour_of_input):
    """The n x n inputs numbered row by row; ``colour_of_input[i]`` is a colour or None (not connected)."""
    rows = []
    for i in range(n):
        row = []
        for j in range(n):
            index = i * n + j
            colour = colour_of_input[index]
            row.append(_cell(str(index + 1), colour or UNUSED, 40, font_px=16,
                             colour=None if colour else "#595959"))   # 6:1 on the grey
        rows.append(row)
    return table(rows, style=TABLE_STYLE)


def _kernel_html(kernel_size, colours):
    rows = [[_cell(f"w{a * kernel_size + b + 1}", colours[a * kernel_size + b], 40, font_px=15)
             for b in range(kernel_size)] for a in range(kernel_size)]
    return table(rows, style=TABLE_STYLE)


def _matrix_html(colours_of_cells, labels, picked_row, size):
    """A weight matrix: rows = output neurons, columns = inputs; the picked row is outlined."""
    rows = []
    for r, (row_colours, row_labels) in enumerate(zip(colours_of_cells, labels)):
        border = f"2px solid {HIGHLIGHT}" if r == picked_row else "1px solid #dddddd"
        rows.append([_cell(text if size >= 22 else "", colour or "white", size, font_px=10, border=border)
                     for colour, text in zip(row_colours, row_labels)])
    return table(rows, style=TABLE_STYLE)


def _sum_html(terms, bias):
    shown = terms if len(terms) <= 16 else terms[:4] + ["&hellip;"] + terms[-2:]
    return " + ".join(shown) + f" + {bias}"


def connectivity_view(input_size=4, kernel_size=2, stride=2):
    """Compare a convolution with a fully connected layer that has the same outputs.

    ``input_size`` n (an n x n input, inputs numbered 1..n*n row by row), ``kernel_size`` F and
    ``stride`` S set the convolution and the starting values of their sliders; the dense layer
    has as many outputs as the convolution. Controls: ``neuron`` (dropdown h11, h12, ...),
    ``input_size``, ``kernel_size``, ``stride``.

    ``.shown`` holds ``neuron`` (its name), ``neuron_index`` (row-by-row, from 0),
    ``output_shape``, ``conv_inputs`` (1-based numbers of the inputs feeding the neuron),
    ``conv_weights`` (the kernel weight, 1..F*F, joining each of them), ``dense_inputs``,
    ``conv_weight_count``, ``dense_weight_count``, ``conv_parameters`` and ``dense_parameters``
    (with biases), ``conv_formula`` and ``dense_formula`` (plain text, e.g.
    "h11 = w1*x1 + w2*x2 + w3*x5 + w4*x6 + b"), ``connections`` (the outputs x inputs
    matrix of weight numbers), ``note`` (a floored stride) and ``warning`` ("" when fine).
    """
    input_size = as_positive_int(input_size, "input_size")
    kernel_size = as_positive_int(kernel_size, "kernel_size")
    stride = as_positive_int(stride, "stride")
    if not 2 <= input_size <= MAX_INPUT_SIDE:
        raise ValueError(f"input_size must be from 2 to {MAX_INPUT_SIDE} so every input fits on screen, "
                         f"got {input_size}")
    if kernel_size > MAX_KERNEL_SIDE:
        raise ValueError(f"kernel_size must be at most {MAX_KERNEL_SIDE}, got {kernel_size}")
    if stride > MAX_STRIDE:
        raise ValueError(f"stride must be at most {MAX_STRIDE}, got {stride}")
    problem = kernel_fit((input_size, input_size), kernel_size)
    if problem is not None:
        raise ValueError(f"kernel_size {kernel_size} is too large: {problem}")
    return ConnectivityView(input_size, kernel_size, stride)


class ConnectivityView(Explorer):
    """What :func:`connectivity_view` returns (see there). Views: "title", "message", "conv",
    "dense", "matrices" (HTML)."""

    def __init__(self, input_size, kernel_size, stride):
        self.neuron = widgets.Dropdown(options=[("h11", 0)], value=0, description="neuron")
        self.input_size = widgets.IntSlider(value=input_size, min=2, max=MAX_INPUT_SIDE, description="input n")
        self.kernel_size = widgets.IntSlider(value=kernel_size, min=1, max=MAX_KERNEL_SIDE, description="kernel F")
        self.stride = widgets.IntSlider(value=stride, min=1, max=MAX_STRIDE, description="stride S")
        self.title = TextView()
        self.conv_html = TextView()
        self.dense_html = TextView()
        self.matrices_html = TextView()
        self.message_html = TextView()
        controls = {"neuron": self.neuron, "input_size": self.input_size,
                    "kernel_size": self.kernel_size, "stride": self.stride}
        panels = widgets.HBox([self.conv_html, self.dense_html], layout=widgets.Layout(grid_gap="40px"))
        views = {"title": self.title, "message": self.message_html, "conv": self.conv_html,
                 "dense": self.dense_html, "matrices": self.matrices_html}
        super().__init__([
            self.title, widgets.HBox([self.neuron, self.input_size]),
            widgets.HBox([self.kernel_size, self.stride]), self.message_html, panels,
            self.matrices_html], controls, views)
        self.observe_controls()
        self.first_update()

    def update(self, change=None):
        if self.changed(change, "input_size", "kernel_size", "stride"):
            self._rewire()
        self._show()

    def _rewire(self):
        n, k, s = self.input_size.value, self.kernel_size.value, self.stride.value
        self.warning = self.note = ""
        problem = kernel_fit((n, n), k)
        if problem is not None:
            self.warning = f"The {problem}: this layer has no neurons. Make the kernel smaller or the input larger."
            self.connections, self.out_side = None, 0
            options = []
        else:
            self.out_side = output_size(n, k, 0, s)
            problem = stride_fit(n, k, 0, s, axis="row")
            if problem is not None:
                self.note = (f"Stride {s} does not fit: {problem}; the same happens to the columns. Those "
                             "inputs feed no neuron.")
            self.connections = connection_ids(n, k, s)
            options = [(neuron_name(r, self.out_side), r) for r in range(self.out_side ** 2)]
        previous = self.neuron.value
        self.neuron.options = options
        if options:
            self.neuron.value = previous if previous is not None and previous < len(options) else 0
        self.neuron.disabled = not options

    def _show(self):
        shown = self.shown
        n, k, s = self.input_size.value, self.kernel_size.value, self.stride.value
        n_in = n * n
        message = warning_html(self.warning) or note(self.note)
        self.message_html.value = message
        if self.connections is None:
            self.title.value = f"<b style='font-size:17px;color:{ERROR_RED}'>No neurons: see the message below</b>"
            self.conv_html.value = self.dense_html.value = self.matrices_html.value = ""
            shown.update(neuron=None, neuron_index=None, output_shape=(0, 0), conv_inputs=[],
                         conv_weights=[], dense_inputs=[], conv_weight_count=k * k,
                         dense_weight_count=0, conv_parameters=conv_parameter_count(k, 1, 1),
                         dense_parameters=0, conv_formula="", dense_formula="", connections=None,
                         note=self.note, warning=self.warning)
            return

        n_out = self.out_side ** 2
        r = self.neuron.value
        name = neuron_name(r, self.out_side)
        row = self.connections[r]
        conv_inputs = [int(i) + 1 for i in np.flatnonzero(row)]
        conv_weights = [int(row[i - 1]) for i in conv_inputs]
        kernel_colours = weight_colours(k * k)
        dense_colours = weight_colours(n_out * n_in)
        conv_params, dense_params = conv_parameter_count(k, 1, 1), dense_parameter_count(n_in, n_out)

        def weight_span(text, colour):
            return (f"<span style='background:{colour}; color:{ink(colour)}; padding:0 3px; "
                    f"border-radius:3px'>{text}</span>")

        conv_terms = [f"{weight_span(f'w{w}', kernel_colours[w - 1])}&middot;x{i}"
                      for i, w in zip(conv_inputs, conv_weights)]
        dense_terms = [f"{weight_span(f'v<sub>{r + 1},{i}</sub>', dense_colours[r * n_in + i - 1])}&middot;x{i}"
                       for i in range(1, n_in + 1)]
        conv_formula_html = f"{name} = " + _sum_html(conv_terms, "b")
        dense_formula_html = f"{name} = " + _sum_html(dense_terms, f"b<sub>{r + 1}</sub>")
        conv_formula = f"{name} = " + " + ".join(f"w{w}*x{i}" for i, w in zip(conv_inputs, conv_weights)) + " + b"
        dense_formula = (f"{name} = " + " + ".join(f"v[{r + 1},{i}]*x{i}" for i in range(1, n_in + 1))
                         + f" + b[{r + 1}]")

        self.title.value = (f"<b style='font-size:17px'>{n}x{n} input, {k}x{k} kernel, stride {s}: "
                            f"a layer of {self.out_side}x{self.out_side} = {n_out} neurons. "
                            f"Neuron {name} is picked.</b>")
        conv_grid = _input_grid_html(n, [kernel_colours[w - 1] if w else None for w in row])
        dense_grid = _input_grid_html(n, [dense_colours[r * n_in + i] for i in range(n_in)])
        heading = "<div style='font-size:17px; font-weight:bold; margin-bottom:6px'>{}</div>"
        text = "<div style='font-size:15px; margin:6px 0; max-width:460px'>{}</div>"
        self.conv_html.value = (
            heading.format("Convolution (sparse, shared)")
            + conv_grid + text.format(f"{name} sees inputs {', '.join(map(str, conv_inputs))}: "
                                      f"{len(conv_inputs)} of {n_in}.")
            + text.format(conv_formula_html)
            + "<div style='font-size:15px'>the kernel, used by every neuron:</div>" + _kernel_html(k, kernel_colours)
            + text.format(f"weights: {k}x{k} = {k * k}, plus 1 bias = <b>{conv_params} parameters</b>, "
                          f"whatever the size of the input."))
        self.dense_html.value = (
            heading.format("Fully connected (dense, all different)")
            + dense_grid + text.format(f"{name} sees all {n_in} inputs, each through its own weight.")
            + text.format(dense_formula_html)
            + text.format(f"weights: {n_out} neurons x {n_in} inputs = {n_out * n_in}, plus {n_out} biases "
                          f"= <b>{dense_params} parameters</b>."))

        size = max(8, min(26, 520 // n_in))
        conv_cells = [[kernel_colours[w - 1] if w else None for w in out_row] for out_row in self.connections]
        conv_labels = [[f"w{w}" if w else "" for w in out_row] for out_row in self.connections]
        dense_cells = [[dense_colours[q * n_in + i] for i in range(n_in)] for q in range(n_out)]
        dense_labels = [["" for _ in range(n_in)] for _ in range(n_out)]
        conv_caption = text.format(f"convolution: {np.count_nonzero(self.connections)} non-zero entries, "
                                   f"{k * k} distinct weights")
        dense_caption = text.format(f"dense: {n_out * n_in} entries, all different")
        self.matrices_html.value = (
            heading.format(f"The two weight matrices ({n_out} neurons x {n_in} inputs; row {name} outlined)")
            + "<div style='display:flex; gap:40px; align-items:flex-start'>"
            + "<div>" + conv_caption + _matrix_html(conv_cells, conv_labels, r, size) + "</div>"
            + "<div>" + dense_caption + _matrix_html(dense_cells, dense_labels, r, size) + "</div></div>")

        shown.update(neuron=name, neuron_index=r, output_shape=(self.out_side, self.out_side),
                     conv_inputs=conv_inputs, conv_weights=conv_weights,
                     dense_inputs=list(range(1, n_in + 1)), conv_weight_count=k * k,
                     dense_weight_count=n_out * n_in, conv_parameters=conv_params,
                     dense_parameters=dense_params, conv_formula=conv_formula,
                     dense_formula=dense_formula, connections=self.connections,
                     note=self.note, warning=self.warning)

    def describe(self):
        shown = self.shown
        n, k, s = self.input_size.value, self.kernel_size.value, self.stride.value
        setting = f"{n}x{n} input, {k}x{k} kernel, stride {s}"
        if shown["connections"] is None:
            return f"{setting}: {shown['warning']}"
        rows, cols = shown["output_shape"]
        inputs = ", ".join(map(str, shown["conv_inputs"]))
        return (f"{setting}: {rows * cols} neurons. In the convolution, neuron {shown['neuron']} sees inputs "
                f"{inputs} ({len(shown['conv_inputs'])} of {n * n}) through the kernel's {k * k} shared weights: "
                f"{shown['conv_parameters']} parameters in all. In the fully connected layer it sees all {n * n} "
                f"inputs, each through its own weight: {shown['dense_parameters']} parameters."
                + (f" {shown['note']}" if shown["note"] else ""))
