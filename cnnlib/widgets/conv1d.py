"""The 1D convolution explorer (notebook 01): slide the reference point t, edit the weights.

The window ending at t is shaded on the series, the weights sit under it, a table lists each
product, and the sum s_t is highlighted on the whole output series. Weights are typed oldest
first, w_-(k-1), ..., w_-1, w_0, and applied with ``cnnlib.conv1d`` (no flip), which is the
notes' s_t = sum_a w_-a x_(t-a).
"""
import html

import ipywidgets as widgets
import numpy as np

from .._checks import as_float_array, check_ndim
from ..conv import PADDING_MODES, padding_amounts, reference_points
from ..plots import new_figure
from ..plots.conv1d import SlidingWindowView
from ..render import format_number
from ._base import Explorer
from ._board import PictureView, TextView
from ._html import table
from ._html import warning as warning_html
from ._text import parse_numbers

FLIGHT_READINGS = (1.00, 1.10, 1.20, 1.40, 1.70, 1.80, 1.90, 2.10, 2.20, 2.40, 2.50, 2.70)
RECENCY_WEIGHTS = (0.01, 0.01, 0.02, 0.02, 0.04, 0.4, 0.5)

WEIGHT_PRESETS = {
    "recency (the notes, corrected)": RECENCY_WEIGHTS,
    "the notes' typo (0.04, 0.05)": (0.01, 0.01, 0.02, 0.02, 0.04, 0.04, 0.05),
    "plain average of 7": (1 / 7,) * 7,
    "plain average of 3": (1 / 3,) * 3,
    "change since last reading": (-1.0, 1.0),
    "current reading only": (1.0,),
}
CUSTOM = "(your own)"

# Caps that keep every redraw quick (a 5,000-reading series took 6 s per edit) and every number
# drawable (weights of 1e308 overflow the output to inf, which no axis can show).
MAX_READINGS = 100
MAX_WEIGHTS = 25
MAX_ABS_VALUE = 1e6


def parse_weights(text):
    """'0.1, 0.2 0.7' -> array([0.1, 0.2, 0.7]); raises ValueError with a message for the user.

    At most ``MAX_WEIGHTS`` weights, each between -``MAX_ABS_VALUE`` and ``MAX_ABS_VALUE``; the
    rules of every number box (:func:`cnnlib.widgets._text.parse_numbers`): no empty entry, no
    "1_000", nan or inf.

    Inputs:   text  str, what the student typed
    Returns:  1D float64 array of the weights, oldest first

    >>> parse_weights("0.1, 0.2 0.7")
    array([0.1, 0.2, 0.7])
    >>> parse_weights("1,,2")
    Traceback (most recent call last):
    ...
    ValueError: Entry 2 of 3 is empty: type one weight between each pair of commas, e.g. 0.2, 0.3, 0.5
    """
    return parse_numbers(text, "weight", example="0.2, 0.3, 0.5", count=(1, MAX_WEIGHTS), max_abs=MAX_ABS_VALUE)


def _format_weights(w):
    return ", ".join(f"{v:.6g}" for v in w)


def _preset_name(w):
    """The preset these weights match, or CUSTOM."""
    for name, values in WEIGHT_PRESETS.items():
        if len(values) == len(w) and np.allclose(values, w):
            return name
    return CUSTOM


def _set_range(slider, low, high, value):
    """Change an IntSlider's range and value without ever passing through min > max."""
    with slider.hold_trait_notifications():
        if low > slider.max:
            slider.max = high
            slider.min = low
        else:
            slider.min = low
            slider.max = high
        slider.value = min(max(value, low), high)


def _arithmetic_html(t, window, values, w, products, s_t, weights_sum, n):
    style = "border:1px solid #999;padding:3px 8px;text-align:center"
    rows = [["reading"] + ["x" + str(i) if 0 <= i < n else "pad" for i in window],
            ["weight"] + [f"w<sub>{i - t}</sub> = {format_number(v, 4)}" for i, v in zip(window, w)],
            ["x"] + [format_number(v, 4) for v in values],
            ["w&middot;x"] + [format_number(v, 4) for v in products]]
    average = ("the weights sum to 1, so s is a weighted average" if np.isclose(weights_sum, 1.0)
               else f"the weights sum to {format_number(weights_sum, 4)}, not 1: s is not an average, it is scaled")
    return (
        "<div style='font-size:15px'>"
        + table([[(text, style) for text in row] for row in rows], style="border-collapse:collapse",
                header_rows=1, header_cols=1)
        + f"<p><b>s<sub>{t}</sub> = {' + '.join(format_number(p, 4) for p in products)} = {s_t:.4f}</b></p>"
        f"<p>{html.escape(average)}</p></div>"
    )


def conv1d_explorer(x=FLIGHT_READINGS, weights=RECENCY_WEIGHTS, *, t=None, padding="valid"):
    """Build the explorer for series ``x`` and ``weights`` (oldest first), starting at reference
    point ``t`` (default: the first one) with ``padding`` 'valid', 'same', 'full' or 'causal'.

    Controls: ``t`` (IntSlider), ``weights`` (Text, comma-separated), ``preset`` (Dropdown),
    ``padding`` (Dropdown). Views: ``plot`` (Image), ``arithmetic`` (HTML), ``warning`` (HTML).
    Shown: ``t``, ``window`` (reading indices; negative or past the end = padding),
    ``window_values``, ``weights``, ``products``, ``sum`` (s_t), ``output`` (the whole series),
    ``reference_points``, ``arithmetic`` (plain text), ``weights_sum``, ``warning``.

    Limits, so each redraw stays quick and every value can be drawn: at most ``MAX_READINGS``
    readings and ``MAX_WEIGHTS`` weights, all between -``MAX_ABS_VALUE`` and ``MAX_ABS_VALUE``.
    Typed weights outside them give a message and keep the last valid picture.
    """
    x = as_float_array(x, "x")
    check_ndim(x, "x", (1,), "a 1D series of shape (n,)")
    if x.size < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"x must hold at least 2 finite numbers, got {x.size} value(s)")
    if x.size > MAX_READINGS or np.abs(x).max() > MAX_ABS_VALUE:
        raise ValueError(f"x must hold at most {MAX_READINGS} readings, each between -{MAX_ABS_VALUE:g} and "
                         f"{MAX_ABS_VALUE:g}, so the explorer can redraw quickly; got {x.size} readings up to "
                         f"{np.abs(x).max():g} in size. Pass a slice, e.g. x[:{MAX_READINGS}]")
    w = as_float_array(weights, "weights")
    check_ndim(w, "weights", (1,), "a 1D list of weights")
    if w.size == 0 or not np.all(np.isfinite(w)):
        raise ValueError("weights must hold at least one finite number")
    if w.size > MAX_WEIGHTS or np.abs(w).max() > MAX_ABS_VALUE:
        raise ValueError(f"weights must hold at most {MAX_WEIGHTS} numbers, each between -{MAX_ABS_VALUE:g} and "
                         f"{MAX_ABS_VALUE:g}; got {w.size} up to {np.abs(w).max():g} in size")
    padding_amounts(padding, w.size)
    ts = reference_points(x.size, w.size, padding)
    if t is None:
        t = int(ts[0])
    if t not in ts:
        raise ValueError(f"t must be between {ts[0]} and {ts[-1]} for these weights and padding {padding!r}, got {t}")
    return Conv1dExplorer(x, w, int(t), padding)


class Conv1dExplorer(Explorer):
    """What :func:`conv1d_explorer` returns (see there)."""

    def __init__(self, x, w, t, padding):
        self.x = x
        controls = {
            "t": widgets.IntSlider(value=t, min=t, max=t, description="t", continuous_update=True,
                                   layout=widgets.Layout(width="460px")),
            "weights": widgets.Text(value=_format_weights(w), description="weights",
                                    placeholder="oldest first, e.g. 0.2, 0.3, 0.5", continuous_update=False,
                                    layout=widgets.Layout(width="560px")),
            "preset": widgets.Dropdown(options=[CUSTOM, *WEIGHT_PRESETS], value=_preset_name(w), description="preset",
                                       layout=widgets.Layout(width="420px")),
            "padding": widgets.Dropdown(options=list(PADDING_MODES), value=padding, description="padding"),
        }
        views = {"warning": TextView(), "plot": PictureView(layout=widgets.Layout(max_width="100%")),
                 "arithmetic": TextView()}
        hint = widgets.HTML("<span style='font-size:14px'>Weights oldest first: w<sub>-(k-1)</sub>, ..., "
                            "w<sub>-1</sub>, w<sub>0</sub>. Press Enter to apply.</span>")
        super().__init__([widgets.HBox([controls["t"], controls["padding"]]),
                          widgets.HBox([controls["weights"], controls["preset"]]),
                          hint, views["warning"], views["plot"], views["arithmetic"]], controls, views)
        # A time axis wide enough for every preset under every padding: switching either keeps the
        # readings in place and reuses one of two backgrounds (with or without padding zeros).
        longest = max(len(values) for values in WEIGHT_PRESETS.values())
        self.figure_view = SlidingWindowView(new_figure(11, 7.5), x, w, padding, span_kernel=longest)
        self.figure_view.enable_fast_updates()
        for mode in ("valid", "full"):          # draw both backgrounds now rather than on first use
            self.figure_view.set_weights(w, mode)
        self.figure_view.set_weights(w, padding)
        _set_range(controls["t"], int(self.figure_view.reference_points[0]),
                   int(self.figure_view.reference_points[-1]), t)
        self.observe_controls()
        self.first_update()

    def update(self, change=None):
        controls = self.controls
        message = ""
        if change is not None and change["owner"] is controls["preset"]:
            if change["new"] == CUSTOM:
                return          # "your own" weights are the ones in the box already
            controls["weights"].value = _format_weights(WEIGHT_PRESETS[change["new"]])
        if self.changed(change, "weights", "preset", "padding"):
            # Both the weights and the padding re-read the typed weights, so weights rejected under
            # one padding mode are taken up as soon as the student picks a mode they fit.
            message = self._apply_weights_and_padding()
        self._show_t()
        self.views["warning"].value = warning_html(message)
        self.shown["warning"] = message

    def _apply_weights_and_padding(self):
        controls, view = self.controls, self.figure_view
        try:
            new_w = parse_weights(controls["weights"].value)
            reference_points(self.x.size, new_w.size, controls["padding"].value)
        except ValueError as error:
            return f"{error} (still showing the last valid weights and padding)"
        controls["preset"].value = _preset_name(new_w)
        if np.array_equal(new_w, view.w) and controls["padding"].value == view.padding:
            return ""
        previous = view.w, view.padding
        try:
            view.set_weights(new_w, controls["padding"].value)
        except Exception as error:  # an event handler must never leave the picture half-drawn
            view.set_weights(*previous)
            return f"Could not draw these weights ({error}); still showing the last valid ones."
        finally:
            points = view.reference_points
            _set_range(controls["t"], int(points[0]), int(points[-1]), controls["t"].value)
        return ""

    def _show_t(self):
        view = self.figure_view
        t_now = self.controls["t"].value
        s_t = view.show(t_now)
        k = view.w.size
        window = np.arange(t_now - k + 1, t_now + 1)
        values = view.x_padded[window + view.left]
        products = view.w * values
        self.views["plot"].value = view.png()
        self.views["arithmetic"].value = _arithmetic_html(t_now, window, values, view.w, products, s_t,
                                                          view.w.sum(), self.x.size)
        self.shown.update({
            "t": t_now, "window": window, "window_values": values, "weights": view.w.copy(),
            "products": products, "sum": float(s_t), "output": view.output.copy(),
            "reference_points": view.reference_points.copy(), "weights_sum": float(view.w.sum()),
            "arithmetic": f"s_{t_now} = " + " + ".join(f"{wv:g}*{xv:g}" for wv, xv in zip(view.w, values))
                          + f" = {s_t:.4f}",
        })

    def _window_words(self):
        window, n = self.shown["window"], self.x.size
        inside = window[(window >= 0) & (window < n)]
        pads = len(window) - len(inside)
        readings = (f"readings x{inside[0]} to x{inside[-1]}" if len(inside) > 1 else
                    f"reading x{inside[0]}" if len(inside) else "no reading")
        return readings + (f" and {pads} padding zero{'s' if pads != 1 else ''}" if pads else "")

    def describe(self):
        shown = self.shown
        t, k = shown["t"], len(shown["weights"])
        average = ("the weights sum to 1, so s is a weighted average" if np.isclose(shown["weights_sum"], 1.0)
                   else f"the weights sum to {shown['weights_sum']:.4g}, not 1, so s is scaled")
        return (f"t = {t}, {self.controls['padding'].value} padding: the {k} weights meet "
                f"{self._window_words()}; {shown['arithmetic']}; {average}."
                + (f" {shown['warning']}" if shown.get("warning") else ""))

    def alt_texts(self):
        shown, view = self.shown, self.figure_view
        points = shown["reference_points"]
        after = view.x_padded.size - self.x.size - view.left
        padding = ("no padding zeros" if not view.left + after else
                   f"padding zeros as hollow markers, {view.left} before and {after} after")
        return {"plot": f"Plot of the {self.x.size} readings ({padding}) with the window ending at t = {shown['t']} "
                        f"shaded ({self._window_words()}), the {len(shown['weights'])} weights as bars under it, and "
                        f"the output series of {points.size} values (t = {points[0]} to {points[-1]}) with "
                        f"s_{shown['t']} = {shown['sum']:.4g} marked."}


__all__ = ["conv1d_explorer", "Conv1dExplorer", "parse_weights", "FLIGHT_READINGS", "RECENCY_WEIGHTS", "WEIGHT_PRESETS",
           "MAX_READINGS", "MAX_WEIGHTS", "MAX_ABS_VALUE"]
