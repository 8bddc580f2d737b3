"""Pooling explorer (notebook 06): mode, size and stride on a feature map, and a shift that tests invariance."""
import html

import ipywidgets as widgets
import numpy as np

from .._checks import as_float_array, check_ndim
from ..plots import VALUE_CMAP
from ..augment import shift_image
from ..plots.pooling import POOLS
from ..pooling import example_feature_map, unchanged_counts
from ..render import colour, finite_range, format_number, nonfinite_note, rgb_to_png, scale_for, upscale
from ..shapes import kernel_fit, stride_fit
from ._base import Explorer, plain_text
from ._board import PictureView, TextView
from ._html import ERROR_RED, heading, note, table
from ._html import warning as warning_html

PANEL_PIXELS = 240          # each picture is scaled up to about this many pixels across
MAX_SHIFT = 3
TABLE_LIMIT = 8             # pooled outputs up to 8 x 8 are also written out as numbers
TABLE_HEIGHT = 24 + 25 * TABLE_LIMIT    # pixels: a title line and 8 rows of 15px numbers
UNCHANGED_RGB = (1.0, 1.0, 1.0)
CHANGED_RGB = (0.55, 0.0, 0.0)     # dark red: dark in grey-scale too, against the white
INACTIVE_RGB = (0.72, 0.72, 0.72)


def _scale_for(shape):
    return scale_for(shape, PANEL_PIXELS)


def _draw_cell_lines(big, starts_rows, starts_cols, scale, color=(1.0, 1.0, 1.0)):
    """Paint 1-pixel lines into an upscaled RGB picture at the given cell indices (in place)."""
    for r in starts_rows:
        big[min(r * scale, big.shape[0] - 1), :, :] = color
    for c in starts_cols:
        big[:, min(c * scale, big.shape[1] - 1), :] = color


def _input_picture(values, size, stride, out_shape, vmin, vmax):
    """The (shifted) input coloured by value, window starts drawn as lines, unused pixels dimmed."""
    rgb = colour(values, VALUE_CMAP, vmin, vmax)
    h, w = values.shape
    rows, cols = np.arange(h), np.arange(w)
    used_rows = (rows < (out_shape[0] - 1) * stride + size) & (rows % stride < size)
    used_cols = (cols < (out_shape[1] - 1) * stride + size) & (cols % stride < size)
    unused = ~(used_rows[:, None] & used_cols[None, :])
    rgb[unused] = 0.35 * rgb[unused] + 0.65 * np.array(INACTIVE_RGB)
    scale = _scale_for(values.shape)
    big = upscale(rgb, scale)
    if stride * scale >= 6:
        _draw_cell_lines(big, range(stride, h, stride), range(stride, w, stride), scale)
    return big


def _value_picture(values, vmin, vmax):
    rgb = colour(values, VALUE_CMAP, vmin, vmax)
    scale = _scale_for(values.shape)
    big = upscale(rgb, scale)
    if scale >= 12:
        _draw_cell_lines(big, range(1, values.shape[0]), range(1, values.shape[1]), scale)
    return big


def _change_picture(before, after):
    active = (before != 0) | (after != 0)
    same = np.isclose(before, after, rtol=1e-9, atol=1e-12)
    rgb = np.empty(before.shape + (3,))
    rgb[:] = INACTIVE_RGB
    rgb[active & same] = UNCHANGED_RGB
    rgb[active & ~same] = CHANGED_RGB
    scale = _scale_for(before.shape)
    big = upscale(rgb, scale)
    if scale >= 12:
        _draw_cell_lines(big, range(1, before.shape[0]), range(1, before.shape[1]), scale, (0.3, 0.3, 0.3))
    return big


def _number_table(values, reference):
    """Pooled values as an HTML table; cells that differ from ``reference`` in bold dark red."""
    changed = ~np.isclose(values, reference, rtol=1e-9, atol=1e-12)
    cells = [[(format_number(value), "padding:2px 7px;text-align:right;"
               + (f"color:{ERROR_RED};font-weight:bold;" if changed[i, j] else ""))
              for j, value in enumerate(row)] for i, row in enumerate(values)]
    return table(cells, style="font-size:15px;font-family:monospace")


def _percent(part, whole):
    return 100.0 * part / whole if whole else 100.0


def _panel(title, picture):
    caption = widgets.HTML(heading(html.escape(title), 14))
    return widgets.VBox([caption, picture], layout=widgets.Layout(margin="0 12px 0 0"))


def pooling_explorer(feature_map=None, mode="max", size=2, stride=2, shift_rows=0, shift_cols=1):
    """Pool a feature map before and after shifting it, and count which pooled outputs survive.

    feature_map: H x W array (default: the 8 x 8 map of four peaks from notebook 06); NaN and
    infinite values are drawn in magenta and counted in the readout.
    Controls: "mode" (max/avg), "size", "stride", "shift_rows" (down), "shift_cols" (right).
    Views: "input", "pooled", "pooled_shifted", "change" (Images), "tables", "readout", "warning" (HTML).
    Pooling is ``cnnlib.max_pool2d``/``avg_pool2d``; the shift is ``cnnlib.augment.shift_image``
    (zeros come in at the edge). Counts ignore positions that are zero before and after.
    ``.shown``: pooled, pooled_shifted, output_shape, unchanged_pooled, active_pooled, percent_pooled,
    unchanged_input, active_input, percent_input, text, note, warning.
    """
    fmap = example_feature_map() if feature_map is None else as_float_array(feature_map, "feature_map")
    check_ndim(fmap, "feature_map", (2,), "an H x W map")
    h, w = fmap.shape
    if min(h, w) < 2:
        raise ValueError(f"feature_map must be at least 2 x 2, got {h} x {w}")
    if mode not in POOLS:
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    limit = min(h, w)
    for name, value, low, high in (("size", size, 1, limit), ("stride", stride, 1, limit),
                                   ("shift_rows", shift_rows, -min(MAX_SHIFT, h - 1), min(MAX_SHIFT, h - 1)),
                                   ("shift_cols", shift_cols, -min(MAX_SHIFT, w - 1), min(MAX_SHIFT, w - 1))):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low} and {high} for a {h} x {w} map, got {value}")
    return PoolingExplorer(fmap, mode, size, stride, shift_rows, shift_cols)


class PoolingExplorer(Explorer):
    """What :func:`pooling_explorer` returns (see there)."""

    def __init__(self, fmap, mode, size, stride, shift_rows, shift_cols):
        self.fmap = fmap
        h, w = fmap.shape
        # The size slider reaches past a small map on purpose: the widget then explains why nothing fits.
        controls = {
            "mode": widgets.ToggleButtons(options=["max", "avg"], value=mode, description="mode"),
            "size": widgets.IntSlider(value=size, min=1, max=min(10, max(h, w) + 2), description="size"),
            "stride": widgets.IntSlider(value=stride, min=1, max=min(8, max(h, w)), description="stride"),
            "shift_rows": widgets.IntSlider(value=shift_rows, min=-min(MAX_SHIFT, h - 1), max=min(MAX_SHIFT, h - 1),
                                            description="shift down"),
            "shift_cols": widgets.IntSlider(value=shift_cols, min=-min(MAX_SHIFT, w - 1), max=min(MAX_SHIFT, w - 1),
                                            description="shift right"),
        }
        titles = {"input": "input after the shift (lines: window starts)", "pooled": "pooled, no shift",
                  "pooled_shifted": "pooled after the shift", "change": "white: unchanged, red: changed"}
        views = {key: PictureView() for key in titles}
        # Room kept for the largest tables and the longest readout: a view that changes height moves
        # everything below it, and the browser then lays out and paints the page again.
        views.update(tables=TextView(layout=widgets.Layout(min_height=f"{TABLE_HEIGHT}px")),
                     readout=TextView(layout=widgets.Layout(min_height="110px")), warning=TextView())
        super().__init__([controls["mode"],
                          widgets.HBox([controls["size"], controls["stride"]]),
                          widgets.HBox([controls["shift_rows"], controls["shift_cols"]]),
                          widgets.HBox([_panel(titles[key], views[key]) for key in titles]),
                          views["tables"], views["readout"], views["warning"]], controls, views)
        self.vmin, self.vmax = finite_range(fmap)
        found = nonfinite_note(fmap)
        self.nonfinite = (f"In the feature map, {found} So is every pooled output whose window holds one."
                          if found else "")
        self.blank = rgb_to_png(np.full((1, 1, 3), 0.9))
        self.observe_controls()
        self.first_update()

    def _show_problem(self, message, shifted):
        views = self.views
        views["warning"].value = warning_html(message)
        views["input"].value = rgb_to_png(_value_picture(shifted, self.vmin, self.vmax))
        for key in ("pooled", "pooled_shifted", "change"):
            views[key].value = self.blank
        views["tables"].value = ""
        views["readout"].value = note(self.nonfinite)
        self.shown.update(pooled=None, pooled_shifted=None, output_shape=None, unchanged_pooled=None,
                          active_pooled=None, percent_pooled=None, unchanged_input=None, active_input=None,
                          percent_input=None, text="", note=self.nonfinite, warning=message)

    def update(self, change=None):
        controls, views, fmap = self.controls, self.views, self.fmap
        vmin, vmax = self.vmin, self.vmax
        h, w = fmap.shape
        mode_now = controls["mode"].value
        k, s = controls["size"].value, controls["stride"].value
        dr, dc = controls["shift_rows"].value, controls["shift_cols"].value
        shifted = shift_image(fmap, dr, dc)
        problem = kernel_fit((h, w), k, name="pooling window")
        if problem is not None:
            self._show_problem(f"With size {k}, the {problem}. Choose a size of at most {min(h, w)} for the "
                               f"{h} x {w} feature map.", shifted)
            return
        pool = POOLS[mode_now]
        pooled, pooled_shifted = pool(fmap, k, s), pool(shifted, k, s)
        out_shape = pooled.shape
        same_pool, active_pool = unchanged_counts(pooled, pooled_shifted)
        same_raw, active_raw = unchanged_counts(fmap, shifted)
        views["input"].value = rgb_to_png(_input_picture(shifted, k, s, out_shape, vmin, vmax))
        views["pooled"].value = rgb_to_png(_value_picture(pooled, vmin, vmax))
        views["pooled_shifted"].value = rgb_to_png(_value_picture(pooled_shifted, vmin, vmax))
        views["change"].value = rgb_to_png(_change_picture(pooled, pooled_shifted))
        notes = [self.nonfinite] if self.nonfinite else []
        if s > k:
            notes.append(f"Stride {s} > size {k}: the windows leave gaps, so some pixels (dimmed) are never "
                         "looked at.")
        problems = [p for p in (stride_fit(h, k, 0, s, axis="row"), stride_fit(w, k, 0, s, axis="column"))
                    if p is not None]
        if problems:
            notes.append(f"Stride {s} does not fit: " + "; ".join(problems)
                         + ". The output size is floored and the dimmed pixels are dropped.")
        percent_pool, percent_raw = _percent(same_pool, active_pool), _percent(same_raw, active_raw)
        text = (f"{mode_now} pooling, size {k}, stride {s}: {h}x{w} &rarr; {out_shape[0]}x{out_shape[1]}. "
                f"Shift: {dc} right, {dr} down.<br>"
                f"<b>pooled outputs unchanged: {same_pool} of {active_pool} active ({percent_pool:.0f}%)</b> &emsp; "
                f"input pixels unchanged: {same_raw} of {active_raw} active ({percent_raw:.0f}%)")
        views["readout"].value = f"<div style='font-size:15px'>{text}</div>" + "".join(note(n) for n in notes)
        if max(out_shape) <= TABLE_LIMIT:
            views["tables"].value = ("<div style='display:flex;gap:40px'>"
                                     "<div><b>pooled, no shift</b>" + _number_table(pooled, pooled) + "</div>"
                                     "<div><b>pooled after the shift</b> (changed in red)"
                                     + _number_table(pooled_shifted, pooled) + "</div></div>")
        else:
            views["tables"].value = ""
        views["warning"].value = ""
        self.shown.update(pooled=pooled, pooled_shifted=pooled_shifted, output_shape=out_shape,
                          unchanged_pooled=same_pool, active_pooled=active_pool, percent_pooled=percent_pool,
                          unchanged_input=same_raw, active_input=active_raw, percent_input=percent_raw,
                          text=text, note=" ".join(notes), warning="")

    def _setting(self):
        c = self.controls
        return (f"{c['mode'].value} pooling, size {c['size'].value}, stride {c['stride'].value}, shift "
                f"{c['shift_cols'].value} right and {c['shift_rows'].value} down")

    def describe(self):
        shown = self.shown
        if shown["pooled"] is None:
            return f"{self._setting()}: {shown['warning']}"
        return " ".join(part for part in (plain_text(shown["text"]), shown["note"]) if part)

    def alt_texts(self):
        shown, (h, w) = self.shown, self.fmap.shape
        c = self.controls
        alts = {"input": (f"The {h}x{w} feature map after the shift ({c['shift_cols'].value} right, "
                          f"{c['shift_rows'].value} down), with lines where the {c['size'].value}x{c['size'].value} "
                          f"windows start (stride {c['stride'].value}).")}
        if shown["pooled"] is None:
            alts.update({key: "Nothing pooled: see the message." for key in ("pooled", "pooled_shifted", "change")})
            return alts
        rows, cols = shown["output_shape"]
        listed = " (numbers in the tables below)" if max(rows, cols) <= TABLE_LIMIT else ""
        changed = shown["active_pooled"] - shown["unchanged_pooled"]
        alts.update(pooled=f"The {rows}x{cols} pooled map without the shift{listed}.",
                    pooled_shifted=f"The {rows}x{cols} pooled map after the shift{listed}.",
                    change=(f"Which pooled outputs the shift changed: {changed} of {shown['active_pooled']} active "
                            "outputs changed (red); the others are unchanged (white)."))
        return alts


__all__ = ["pooling_explorer", "PoolingExplorer"]
