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
from ..plots import figure_to_png, new_figure
from ..plots.conv1d import canvas_to_png
from ..plots.shapes import draw_output_grid, formula_text, grid_legend_figure
from ._base import Explorer

LIMITS = {"n": (1, 16), "kernel": (1, 9), "padding": (0, 4), "stride": (1, 6), "dilation": (1, 4)}
LABELS = {"n": "W (input)", "kernel": "F (filter)", "padding": "P (padding)", "stride": "S (stride)",
          "dilation": "d (dilation)"}
WARNING_STYLE = "color:#b00020;font-weight:bold;font-size:15px"


def warning_text(n, kernel, padding, stride, dilation, layout):
    """What is wrong with this combination, in words with its numbers ("" when nothing is)."""
    span, padded = layout["span"], layout["padded"]
    name = "F" if dilation == 1 else "the dilated filter F'"
    if layout["output"] is None:
        return (f"The filter does not fit: {name} = {span} is larger than the padded input "
                f"W + 2P = {n} + 2·{padding} = {padded}, so there is no position for it and no output. "
                "Make F (or d) smaller, or P larger.")
    if not layout["exact"]:
        numerator = padded - span
        rows = "row and column" if layout["skipped"] == 1 else "rows and columns"
        return (f"The stride does not divide evenly: (W - F + 2P)/S = {numerator}/{stride} = {numerator / stride:g} "
                f"is not a whole number. Frameworks floor it to {numerator // stride}, so the filter fits "
                f"{layout['output']} times along each side and the last {layout['skipped']} {rows} of the padded "
                "input are never visited (hatched). cnnlib's output_size(..., exact=True) rejects this size.")
    return ""


def output_size_explorer(n=7, kernel=3, padding=0, stride=1, dilation=1):
    """Build the explorer starting from input size ``n`` (W), filter ``kernel`` (F), per-side
    ``padding`` (P), ``stride`` (S) and ``dilation`` (d). Inputs and filters are square.

    Controls: ``n``, ``kernel``, ``padding``, ``stride``, ``dilation`` (IntSliders).
    Shown: ``output_size`` (W_O or None), ``padded_size`` (W + 2P), ``effective_kernel``
    (F + (F-1)(d-1)), ``positions`` (first padded index of each window), ``skipped`` (padded
    rows/cols never visited), ``exact``, ``formula`` (plain text) and ``warning`` ("" when fine).
    """
    start = {"n": as_positive_int(n, "n"), "kernel": as_positive_int(kernel, "kernel"),
             "padding": as_nonnegative_int(padding, "padding"), "stride": as_positive_int(stride, "stride"),
             "dilation": as_positive_int(dilation, "dilation")}
    controls = {}
    for name, value in start.items():
        low, high = LIMITS[name]
        if value < low:
            raise ValueError(f"{name} must be at least {low}, got {value}")
        controls[name] = widgets.IntSlider(value=value, min=low, max=max(high, value), description=LABELS[name],
                                           style={"description_width": "100px"},
                                           layout=widgets.Layout(width="340px"))
    formula = widgets.HTML("")
    warning = widgets.HTML("")
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
    legend = widgets.Image(value=figure_to_png(grid_legend_figure()), format="png",
                           layout=widgets.Layout(max_width="100%"))
    rows = [widgets.HBox([controls["n"], controls["kernel"], controls["padding"]]),
            widgets.HBox([controls["stride"], controls["dilation"]]), formula, warning, image, legend]
    explorer = Explorer(rows, controls)

    fig = new_figure(9, 4.8)
    # A fixed layout and a static legend: the picture is redrawn on every slider move.
    fig.set_layout_engine("none")
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))

    def update(change=None):
        values = {name: slider.value for name, slider in controls.items()}
        # Removing the previous drawing is much cheaper than ax.clear(), which rebuilds the axes.
        for artist in [*ax.patches, *ax.collections, *ax.lines, *ax.texts]:
            artist.remove()
        layout = draw_output_grid(ax, **values, title=False)
        text = formula_text(**values)
        message = warning_text(**values, layout=layout)
        formula.value = "<div style='font-size:16px;font-family:monospace'>" + "<br>".join(
            html.escape(line) for line in text.splitlines()) + "</div>"
        warning.value = f"<span style='{WARNING_STYLE}'>{html.escape(message)}</span>" if message else ""
        canvas.draw()
        image.value = canvas_to_png(canvas)
        explorer.shown.update({
            "output_size": layout["output"], "padded_size": layout["padded"], "effective_kernel": layout["span"],
            "positions": layout["starts"].copy(), "skipped": layout["skipped"], "exact": layout["exact"],
            "formula": text, "warning": message,
        })

    for slider in controls.values():
        slider.observe(update, "value")
    update()
    return explorer


__all__ = ["output_size_explorer", "warning_text"]
