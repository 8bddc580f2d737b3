"""The output-size explorer (notebook 04): sliders for W, F, P, S and d redraw the padded input,
the positions the filter visits and the output grid, with the formula filled in.

A stride that does not divide evenly is floored, as every framework does: the widget warns,
still draws what the floor gives and hatches the rows and columns that are never visited.
A filter larger than the padded input gets a message instead of an output.
"""
import html

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .._checks import as_nonnegative_int, as_positive_int
from ..plots import new_figure
from ..plots.shapes import draw_output_grid, grid_legend_figure
from ..render import canvas_to_png, figure_to_png
from ..shapes import formula_text, grid_layout, stride_fit
from ._base import Explorer
from ._board import PictureView, TextView
from ._html import warning as warning_html

LIMITS = {"n": (1, 16), "kernel": (1, 9), "padding": (0, 4), "stride": (1, 6), "dilation": (1, 4)}
LABELS = {"n": "W (input)", "kernel": "F (filter)", "padding": "P (padding)", "stride": "S (stride)",
          "dilation": "d (dilation)"}


def warning_text(n, kernel, padding, stride, dilation):
    """What is wrong with this combination, in words with its numbers ("" when nothing is);
    the sentence is :func:`cnnlib.shapes.stride_fit`'s."""
    problem = stride_fit(n, kernel, padding, stride, dilation, axis="row")
    if problem is None:
        return ""
    if grid_layout(n, kernel, padding, stride, dilation)["output"] is None:
        return f"No output: {problem}. Make F (or d) smaller, or P larger."
    return (f"Stride {stride} does not fit: {problem}; the same happens to the columns. The skipped cells are "
            "hatched; cnnlib's output_size(..., exact=True) rejects this size.")


def output_size_explorer(n=7, kernel=3, padding=0, stride=1, dilation=1):
    """Build the explorer starting from input size ``n`` (W), filter ``kernel`` (F), per-side
    ``padding`` (P), ``stride`` (S) and ``dilation`` (d). Inputs and filters are square.

    Controls: ``n``, ``kernel``, ``padding``, ``stride``, ``dilation`` (IntSliders).
    Views: ``formula`` (HTML), ``warning`` (HTML), ``grid`` (Image).
    Shown: ``output_size`` (W_O or None), ``padded_size`` (W + 2P), ``effective_kernel``
    (F + (F-1)(d-1)), ``positions`` (first padded index of each window), ``skipped`` (padded
    rows/cols never visited), ``exact``, ``formula`` (plain text) and ``warning`` ("" when fine).
    """
    start = {"n": as_positive_int(n, "n"), "kernel": as_positive_int(kernel, "kernel"),
             "padding": as_nonnegative_int(padding, "padding"), "stride": as_positive_int(stride, "stride"),
             "dilation": as_positive_int(dilation, "dilation")}
    for name, value in start.items():
        if value < LIMITS[name][0]:
            raise ValueError(f"{name} must be at least {LIMITS[name][0]}, got {value}")
    return OutputSizeExplorer(start)


class OutputSizeExplorer(Explorer):
    """What :func:`output_size_explorer` returns (see there)."""

    def __init__(self, start):
        controls = {name: widgets.IntSlider(value=value, min=LIMITS[name][0], max=max(LIMITS[name][1], value),
                                            description=LABELS[name], style={"description_width": "100px"},
                                            layout=widgets.Layout(width="340px"))
                    for name, value in start.items()}
        views = {"formula": TextView(), "warning": TextView(), "grid": PictureView(layout=widgets.Layout(max_width="100%"))}
        legend = widgets.Image(value=figure_to_png(grid_legend_figure()), format="png",
                               layout=widgets.Layout(max_width="100%"),
                               tooltip="Legend: white cells are the input, grey cells the padding (zeros), "
                                       "the orange block the filter taps at the first position, a dashed "
                                       "blue outline the next position, hatched cells are never visited, "
                                       "and each dot is a window centre, one output.")
        super().__init__([widgets.HBox([controls["n"], controls["kernel"], controls["padding"]]),
                          widgets.HBox([controls["stride"], controls["dilation"]]),
                          views["formula"], views["warning"], views["grid"], legend], controls, views)
        self.figure = new_figure(9, 4.8)
        # A fixed layout and a static legend: the picture is redrawn on every slider move.
        self.figure.set_layout_engine("none")
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_axes((0.01, 0.01, 0.98, 0.98))
        self.observe_controls()
        self.first_update()

    def update(self, change=None):
        values = {name: slider.value for name, slider in self.controls.items()}
        ax = self.ax
        # Removing the previous drawing is much cheaper than ax.clear(), which rebuilds the axes.
        for artist in [*ax.patches, *ax.collections, *ax.lines, *ax.texts]:
            artist.remove()
        layout = draw_output_grid(ax, **values, title=False)
        text = formula_text(**values)
        message = warning_text(**values)
        self.views["formula"].value = "<div style='font-size:16px;font-family:monospace'>" + "<br>".join(
            html.escape(line) for line in text.splitlines()) + "</div>"
        self.views["warning"].value = warning_html(message)
        self.canvas.draw()
        self.views["grid"].value = canvas_to_png(self.canvas)
        self.shown.update({
            "output_size": layout["output"], "padded_size": layout["padded"], "effective_kernel": layout["span"],
            "positions": layout["starts"].copy(), "skipped": layout["skipped"], "exact": layout["exact"],
            "formula": text, "warning": message,
        })

    def _setting(self):
        values = {name: slider.value for name, slider in self.controls.items()}
        return (f"input W = {values['n']}, filter F = {values['kernel']}, padding P = {values['padding']}, "
                f"stride S = {values['stride']}, dilation d = {values['dilation']}")

    def describe(self):
        shown = self.shown
        if shown["output_size"] is None:
            result = "no output"
        else:
            result = (f"the filter fits at {shown['output_size']} positions per row, so the output is "
                      f"{shown['output_size']} x {shown['output_size']}")
        return (f"{self._setting()}: the padded input is {shown['padded_size']} wide, the filter spans "
                f"{shown['effective_kernel']}; {result}. {' '.join(shown['formula'].split())}"
                + (f" {shown['warning']}" if shown["warning"] else ""))

    def alt_texts(self):
        shown = self.shown
        size = shown["output_size"]
        return {"grid": (f"Grid of the {shown['padded_size']} x {shown['padded_size']} padded input for "
                         f"{self._setting()}: the filter's first position is shaded and "
                         + (f"{size} x {size} dots mark the window centres, one per output."
                            if size is not None else "it does not fit, so there is no output.")
                         + (f" The last {shown['skipped']} padded row(s) and column(s) are never visited, "
                            "hatched." if shown["skipped"] else ""))}


__all__ = ["output_size_explorer", "OutputSizeExplorer", "warning_text"]
