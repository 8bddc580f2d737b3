"""Activation explorer (notebook 06): a function and its derivative, with the saturated regions shaded."""

import ipywidgets as widgets
import matplotlib
import numpy as np

from ..activations import ACTIVATIONS
from ..plots import BLUE, HIGHLIGHT_COLOUR, PROJECTOR_RC
from ..render import BlittedFigure
from ._base import Explorer
from ._board import PictureView, TextView


def saturated_intervals(z, mask):
    """The runs of True in ``mask`` as a list of (z_start, z_end) pairs along the grid ``z``."""
    mask = np.asarray(mask, dtype=bool)
    edges = np.flatnonzero(np.diff(np.concatenate([[False], mask, [False]]).astype(int)))
    return [(float(z[start]), float(z[end - 1])) for start, end in zip(edges[::2], edges[1::2])]


def _describe_intervals(intervals):
    if not intervals:
        return "none in this range"
    return ", ".join(f"z from {a:.1f} to {b:.1f}" for a, b in intervals)


def activation_explorer(function="sigmoid", z=2.0, threshold=0.05, z_max=6.0):
    """Pick an activation and a point z; see f and f' with the saturated regions shaded.

    A region is saturated where f'(z) < ``threshold`` x the largest f' on the plotted range
    [-z_max, z_max]: a gradient passing backwards through such a unit is multiplied by almost 0.
    Controls: "function" (dropdown), "z" (slider), "threshold" (slider, fraction of max f').
    ``.shown``: function, z, value, derivative, max_derivative, threshold, saturated (bool),
    saturated_regions (list of (start, end)), text, warning.
    """
    if function not in ACTIVATIONS:
        raise ValueError(f"function must be one of {', '.join(ACTIVATIONS)}, got {function!r}")
    if isinstance(z_max, bool) or not np.isscalar(z_max) or not 0 < z_max <= 50:
        raise ValueError(f"z_max must be a number in (0, 50], got {z_max!r}")
    if isinstance(z, bool) or not np.isscalar(z) or not -z_max <= z <= z_max:
        raise ValueError(f"z must be a number between -z_max and z_max ({-z_max:g}..{z_max:g}), got {z!r}")
    if isinstance(threshold, bool) or not np.isscalar(threshold) or not 0 < threshold < 1:
        raise ValueError(f"threshold must be a fraction strictly between 0 and 1, got {threshold!r}")

    return ActivationExplorer(function, float(z), float(threshold), float(z_max))


class ActivationExplorer(Explorer):
    """What :func:`activation_explorer` returns (see there). Views: "formula" (a box holding one
    HTMLMath per function, the chosen one shown), "plot" (Image), "readout", "warning"."""

    def __init__(self, function, z, threshold, z_max):
        grid = self.grid = np.linspace(-z_max, z_max, 601)
        controls = {
            "function": widgets.Dropdown(options=list(ACTIVATIONS), value=function, description="function"),
            "z": widgets.FloatSlider(value=z, min=-z_max, max=z_max, step=0.1, description="z",
                                     continuous_update=True, readout_format=".1f"),
            "threshold": widgets.FloatSlider(value=threshold, min=0.01, max=0.5, step=0.01,
                                             description="saturated if f' <", readout_format=".2f",
                                             style={"description_width": "initial"}),
        }
        # One formula per function, typeset by MathJax once when the explorer is shown; a new choice only
        # changes which one is displayed (typesetting again took the browser 10-15 ms on every change).
        self.formulas = {name: widgets.HTMLMath(f"{a.formula} &emsp; {a.derivative_formula}",
                                                layout=widgets.Layout(display="" if name == function else "none"))
                         for name, a in ACTIVATIONS.items()}
        views = {"formula": widgets.Box(list(self.formulas.values())), "plot": PictureView(),
                 "readout": TextView(), "warning": TextView()}
        super().__init__([widgets.HBox([controls["function"], controls["z"]]),
                          widgets.HBox([controls["threshold"], widgets.HTML("&times; the largest f' shown")]),
                          views["formula"], views["plot"], views["readout"], views["warning"]], controls, views)
        blit = self.blit = BlittedFigure.create(10, 3.8, left=0.07, right=0.98, bottom=0.15, top=0.9, wspace=0.22)
        with matplotlib.rc_context(PROJECTOR_RC):
            self.ax_f, self.ax_d = blit.figure.subplots(1, 2)
            self.curve_f = blit.animate(self.ax_f.plot(grid, grid, linewidth=2.5, color=BLUE, linestyle="-")[0])
            self.curve_d = blit.animate(self.ax_d.plot(grid, grid, linewidth=2.5, color=BLUE, linestyle="-")[0])
            marker = dict(markersize=11, color=HIGHLIGHT_COLOUR, markeredgecolor="black")
            self.marker_f = blit.animate(self.ax_f.plot([0], [0], "o", **marker)[0])
            self.marker_d = blit.animate(self.ax_d.plot([0], [0], "o", **marker)[0])
            for ax in (self.ax_f, self.ax_d):
                ax.axhline(0, color="black", linewidth=0.8)
                ax.grid(alpha=0.3)
                ax.set_xlabel("z")
        self.shading = []
        with matplotlib.rc_context(PROJECTOR_RC):
            for name in ACTIVATIONS:            # every function's axes drawn once now, not on first choice
                self._redraw_axes(name)
        self.observe_controls()
        self.first_update()

    def _redraw_axes(self, name):
        activation = ACTIVATIONS[name]
        values, slopes = activation.function(self.grid), activation.derivative(self.grid)
        self.curve_f.set_ydata(values)
        self.curve_d.set_ydata(slopes)
        pad_f = 0.08 * (values.max() - values.min())
        self.ax_f.set_ylim(min(values.min(), 0) - pad_f, values.max() + pad_f)
        self.ax_d.set_ylim(-0.05 * slopes.max(), 1.15 * slopes.max())
        self.ax_f.set_title(f"{name}(z)")
        self.ax_d.set_title(f"{name}'(z), shaded where saturated")
        self.blit.redraw_background(key=name)     # each function's axes are drawn once, then reused
        for other, formula in self.formulas.items():
            formula.layout.display = "" if other == name else "none"

    def update(self, change=None):
        controls, views, grid = self.controls, self.views, self.grid
        name, z_now, fraction = controls["function"].value, controls["z"].value, controls["threshold"].value
        if self.changed(change, "function"):
            with matplotlib.rc_context(PROJECTOR_RC):
                self._redraw_axes(name)
        f, f_grad = ACTIVATIONS[name].function, ACTIVATIONS[name].derivative
        slopes = f_grad(grid)
        max_slope = float(slopes.max())
        intervals = saturated_intervals(grid, slopes < fraction * max_slope)
        if self.changed(change, "function", "threshold"):
            for patch in self.shading:
                self.blit.forget(patch)
            self.shading.clear()
            for ax in (self.ax_f, self.ax_d):
                for a, b in intervals:
                    self.shading.append(self.blit.animate(ax.axvspan(a, b, color="grey", alpha=0.25, linewidth=0)))
        value, slope = float(f(z_now)), float(f_grad(z_now))
        saturated = slope < fraction * max_slope
        self.marker_f.set_data([z_now], [value])
        self.marker_d.set_data([z_now], [slope])
        views["plot"].value = self.blit.png()
        text = (f"f({z_now:.1f}) = {value:.4f} &emsp; f'({z_now:.1f}) = {slope:.4f} "
                f"({100 * slope / max_slope:.1f}% of the largest slope, {max_slope:.4g})<br>"
                + (f"<b>saturated</b>: a gradient flowing back through this unit is multiplied by {slope:.4f}"
                   if saturated else "not saturated: the gradient passes through with a useful size")
                + f"<br>saturated regions (f' &lt; {fraction:.2f} &times; {max_slope:.4g}): "
                + _describe_intervals(intervals))
        views["readout"].value = f"<div style='font-size:15px'>{text}</div>"
        views["warning"].value = ""
        self.shown.update(function=name, z=z_now, value=value, derivative=slope, max_derivative=max_slope,
                          threshold=fraction, saturated=bool(saturated), saturated_regions=intervals,
                          text=views["readout"].value, warning="")

    def describe(self):
        shown = self.shown
        name, z = shown["function"], shown["z"]
        return (f"{name} at z = {z:.1f}: value {shown['value']:.4f}, slope {shown['derivative']:.4f} "
                f"({100 * shown['derivative'] / shown['max_derivative']:.1f}% of the largest slope); "
                + ("saturated: a gradient flowing back through this unit shrinks to "
                   f"{shown['derivative']:.4f} times its size." if shown["saturated"] else "not saturated.")
                + f" Saturated regions: {_describe_intervals(shown['saturated_regions'])}.")

    def alt_texts(self):
        shown = self.shown
        name, z = shown["function"], shown["z"]
        return {"plot": (f"Two plots over z from {self.grid[0]:g} to {self.grid[-1]:g}: {name}(z) on the left "
                         f"and its slope on the right, with the point z = {z:.1f} marked (value "
                         f"{shown['value']:.3f}, slope {shown['derivative']:.3f}) and the saturated regions "
                         f"shaded: {_describe_intervals(shown['saturated_regions'])}.")}
