"""Figures for 1D convolution (notebook 01): the flight-readings table, the sliding window,
padding modes, the flip, and smoothing a noisy series.

Every output is computed by :func:`cnnlib.conv1d`; this module only draws. Weights are given in
time order, oldest first (w_-(k-1), ..., w_-1, w_0), so ``conv1d(x, w)`` without flip is the
notes' s_t = sum_a w_-a x_(t-a), and each output is drawn at its reference point t, the index
of the newest reading in its window. Static figures are pyplot figures (``%matplotlib inline``
shows them); :class:`SlidingWindowView` draws on any Figure, which is how the widget uses it.
"""
import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from ..conv import _padding_1d, conv1d
from . import VALUE_CMAP, figure_to_png, number_grid, projector

PADDING_MODES = ("valid", "same", "full", "causal")
WINDOW_COLOR = "tab:orange"
SERIES_COLOR = "black"
PADDING_COLOR = "0.55"


def canvas_to_png(canvas):
    """PNG bytes of what an Agg canvas holds now, with light compression (fast enough per slider move)."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())[:, :, :3]).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _static_figure(width, height):
    """A pyplot figure, so that ``%matplotlib inline`` shows it at the end of a notebook cell."""
    import matplotlib.pyplot as plt   # only static figures use pyplot, and only when drawn
    return plt.figure(figsize=(width, height), layout="constrained")




def padding_amounts(mode, k):
    """(left, right) zeros that padding ``mode`` adds for a kernel of length ``k``.

    'valid', 'same' and 'full' are conv1d's own modes; 'causal' pads only the past (k - 1 zeros
    on the left), so every output uses the current reading and earlier ones, never later ones.
    """
    if mode == "causal":
        return k - 1, 0
    if mode not in PADDING_MODES:
        raise ValueError(f"padding must be one of {', '.join(map(repr, PADDING_MODES))}, got {mode!r}")
    return _padding_1d(mode, k)


def reference_points(n, k, mode):
    """The reference point t (index of the newest reading in the window) of every output.

    Output i covers padded positions i .. i+k-1, i.e. readings i-left .. i-left+k-1, so
    t = i - left + k - 1. For 'valid' with n = 12, k = 7 this is 6 .. 11.
    """
    left, right = padding_amounts(mode, k)
    n_out = n + left + right - k + 1
    if n_out < 1:
        raise ValueError(f"kernel of length {k} is longer than the padded series of length {n + left + right}")
    first = k - 1 - left
    return np.arange(first, first + n_out)


def _subscript(number):
    return str(number).translate(str.maketrans("-0123456789", "\u208b\u2080\u2081\u2082\u2083\u2084"
                                                              "\u2085\u2086\u2087\u2088\u2089"))


def _indexed_labels(name, indices):
    return [f"${name}_{{{i}}}$" for i in indices]


def _blank_nan_cells(ax):
    # number_grid writes "nan" in empty cells; an empty cell should read as empty.
    for text in list(ax.texts):
        if text.get_text() == "nan":
            text.remove()


@projector
def flight_table_figure(x, w, t, *, fig=None):
    """The lecture notes' table, corrected: weights under their readings, products, and s_t.

    Four rows share the reading index: w (placed under the window ending at t), x, w * x and s
    (only s_t filled in). Each row has its own shading, so small weights stay readable.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n, k = x.size, w.size
    if not k - 1 <= t <= n - 1:
        raise ValueError(f"t must be between {k - 1} and {n - 1} for a full window, got {t}")
    window = np.arange(t - k + 1, t + 1)
    rows = {"w": np.full(n, np.nan), "x": x, r"w$\cdot$x": np.full(n, np.nan), "s": np.full(n, np.nan)}
    rows["w"][window] = w
    rows[r"w$\cdot$x"][window] = w * x[window]
    rows["s"][t] = conv1d(x[window], w)[0]
    formats = {"w": "{:g}", "x": "{:.2f}", r"w$\cdot$x": "{:.3f}", "s": "{:.3f}"}
    fig = fig or _static_figure(0.85 * n + 1.2, 4.2)
    axes = fig.subplots(len(rows), 1)
    for ax, (name, values) in zip(axes, rows.items()):
        number_grid(ax, values[None, :], fmt=formats[name], cmap=VALUE_CMAP, fontsize=13,
                    highlight=(0, window[0], 1, k))
        _blank_nan_cells(ax)
        ax.set_yticks([0], [name], fontsize=15)
        ax.set_xticks(range(n), _indexed_labels("x", range(n)) if name == "x" else [""] * n)
    axes[0].set_xticks(range(n), [f"$w_{{{i - t}}}$" if i in window else "" for i in range(n)])
    axes[0].xaxis.tick_top()
    axes[0].set_title(f"Reference point t = {t}: $s_{{{t}}}$ = sum of the products = {rows['s'][t]:.3f}")
    return fig


class SlidingWindowView:
    """Three panels on one time axis: the readings with the window ending at t shaded, the
    weights under that window, and the whole output series with s_t highlighted.

    Padding zeros appear as hollow grey markers at their (negative or past-the-end) indices.
    Build it once for a series, weights and padding; :meth:`show` moves the window to another
    reference point t. After :meth:`enable_fast_updates`, :meth:`png` redraws only what moves
    (the window, the weights, the highlight and the title) over a cached background, which is
    what keeps the widget's slider instant.
    """

    @projector
    def __init__(self, fig, x, w, padding="valid"):
        self.fig = fig
        self.x = np.asarray(x, dtype=float)
        self.w = np.asarray(w, dtype=float)
        self.padding = padding
        n, k = self.x.size, self.w.size
        self.left, right = padding_amounts(padding, k)
        self.reference_points = reference_points(n, k, padding)
        self.output = conv1d(self.x, self.w, padding=(self.left, right))
        self.x_padded = np.pad(self.x, (self.left, right))
        self._background = None
        # Fixed margins rather than constrained layout: the widget rebuilds this view whenever
        # the weights change, and layout solving would double the cost of each rebuild.
        fig.set_layout_engine("none")
        width, height = fig.get_size_inches()
        readings_ax, weights_ax, output_ax = fig.subplots(3, 1, sharex=True, gridspec_kw={
            "height_ratios": [3, 2, 3], "left": 0.8 / width, "right": 1 - 0.2 / width,
            "bottom": 0.65 / height, "top": 1 - 0.45 / height, "hspace": 0.12})
        self.axes = readings_ax, weights_ax, output_ax

        readings_ax.plot(np.arange(n), self.x, "o-", color=SERIES_COLOR, markersize=6, label="readings")
        pad_idx = np.r_[np.arange(-self.left, 0), np.arange(n, n + right)]
        if pad_idx.size:
            readings_ax.plot(pad_idx, np.zeros(pad_idx.size), "o", color=PADDING_COLOR,
                             markerfacecolor="white", markersize=6, label="padding zeros")
        self._span = readings_ax.axvspan(0, 1, color=WINDOW_COLOR, alpha=0.25, linewidth=0)
        (self._window_marks,) = readings_ax.plot([], [], "s", color=WINDOW_COLOR, markersize=10,
                                                 markerfacecolor="none", markeredgewidth=2.5, label="window")
        readings_ax.set_ylabel("reading x")
        readings_ax.legend(loc="upper left", ncols=3, fontsize=12, frameon=False)
        low, high = min(self.x.min(), 0.0), max(self.x.max(), 0.0)
        readings_ax.set_ylim(low - 0.1 * (high - low + 1e-9), high + 0.3 * (high - low) + 0.1)
        self._title = readings_ax.set_title(" ")

        self._bars = weights_ax.bar(np.arange(k), self.w, width=0.7, color=WINDOW_COLOR, edgecolor="black")
        self._bar_labels = (weights_ax.bar_label(self._bars, labels=[f"{v:g}" for v in self.w], fontsize=12,
                                                 padding=2) if k <= 12 else [])
        weights_ax.axhline(0, color="black", linewidth=0.8)
        low, high = min(self.w.min(), 0.0), max(self.w.max(), 0.0)
        weights_ax.set_ylim(low - 0.25 * (high - low + 1e-9), high + 0.35 * (high - low + 1e-9))
        weights_ax.set_ylabel("weight w")

        output_ax.sharey(readings_ax)
        output_ax.plot(np.arange(n), self.x, "-", color="0.75", linewidth=2, label="readings x")
        output_ax.plot(self.reference_points, self.output, "o-", color="0.3", markersize=6,
                       label="output series s")
        (self._highlight,) = output_ax.plot([], [], "o", color=WINDOW_COLOR, markersize=14,
                                            markeredgecolor="black", label="current $s_t$")
        output_ax.set_ylabel("output s")
        output_ax.set_xlabel("time step t (reading index)")
        output_ax.legend(loc="upper left", ncols=3, fontsize=12, frameon=False)
        span = np.arange(-self.left, n + right)
        output_ax.set_xlim(span[0] - 0.7, span[-1] + 0.7)
        output_ax.set_xticks(span[::-(-span.size // 26)])   # at most 26 labelled ticks, each one costs a text
        self._moving = [self._span, self._window_marks, *self._bars, *self._bar_labels, self._highlight,
                        self._title]

    def show(self, t):
        """Move the window to reference point ``t``; returns s_t."""
        ts = self.reference_points
        if t not in ts:
            raise ValueError(f"t must be between {ts[0]} and {ts[-1]} with padding {self.padding!r}, got {t}")
        k = self.w.size
        window = np.arange(t - k + 1, t + 1)
        s_t = self.output[t - ts[0]]
        self._span.set_x(window[0] - 0.5)
        self._span.set_width(k)
        self._window_marks.set_data(window, self.x_padded[window + self.left])
        for bar, position in zip(self._bars, window):
            bar.set_x(position - bar.get_width() / 2)
        for label, position in zip(self._bar_labels, window):
            label.xy = (position, label.xy[1])
        self._highlight.set_data([t], [s_t])
        inside = window[0] >= 0 and window[-1] < self.x.size
        # Plain text with Unicode subscripts: mathtext would be re-parsed on every slider move.
        self._title.set_text(f"Reference point t = {t}, padding '{self.padding}':  "
                             f"s{_subscript(t)} = {s_t:.3f}"
                             + ("" if inside else "  (window reaches into the padding)"))
        return s_t

    def enable_fast_updates(self):
        """Fix the layout and cache everything that does not move, for :meth:`png`."""
        canvas = FigureCanvasAgg(self.fig)  # an Agg canvas keeps the pixels we restore and redraw over
        for artist in self._moving:
            artist.set_animated(True)
        canvas.draw()
        self._background = canvas.copy_from_bbox(self.fig.bbox)

    def png(self):
        """PNG bytes of the current state (only the moving artists are redrawn once enabled)."""
        if self._background is None:
            return figure_to_png(self.fig)
        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        for artist in self._moving:
            artist.axes.draw_artist(artist)
        return canvas_to_png(canvas)


def draw_sliding_window(fig, x, w, t, padding="valid"):
    """Draw :class:`SlidingWindowView` on ``fig`` at reference point t; returns the output series."""
    view = SlidingWindowView(fig, x, w, padding)
    view.show(t)
    return view.output


@projector
def sliding_window_figure(x, w, t, padding="valid"):
    """A new figure with :func:`draw_sliding_window` for one reference point t."""
    fig = _static_figure(11, 7.5)
    draw_sliding_window(fig, x, w, t, padding)
    return fig


@projector
def padding_modes_figure(x, w, modes=PADDING_MODES):
    """One row per padding mode: its outputs drawn at their reference points over the readings.

    Filled markers use readings only; hollow markers are windows that reach into the padding
    zeros, which is why those outputs sag towards zero at the edges.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n, k = x.size, w.size
    fig = _static_figure(11, 2.3 * len(modes) + 0.6)
    axes = np.atleast_1d(fig.subplots(len(modes), 1, sharex=True, sharey=True))
    for ax, mode in zip(axes, modes):
        left, right = padding_amounts(mode, k)
        ts = reference_points(n, k, mode)
        out = conv1d(x, w, padding=(left, right))
        touches_padding = (ts - k + 1 < 0) | (ts > n - 1)
        ax.axvspan(-k + 0.5, -0.5, color="0.88", linewidth=0)
        ax.axvspan(n - 0.5, n + k - 1.5, color="0.88", linewidth=0)
        ax.plot(np.arange(n), x, "-", color="0.6", linewidth=2, label="readings x")
        ax.plot(ts, out, "-", color=WINDOW_COLOR, linewidth=1.5)
        ax.plot(ts[~touches_padding], out[~touches_padding], "o", color=WINDOW_COLOR,
                markeredgecolor="black", markersize=8, label="window inside the readings")
        ax.plot(ts[touches_padding], out[touches_padding], "o", color="black", markerfacecolor="white",
                markersize=8, label="window reaches the padding")
        ax.set_title(f"'{mode}': padding {left} left, {right} right -> {out.size} outputs "
                     f"(t = {ts[0]} .. {ts[-1]})", loc="left")
        ax.set_ylabel("s")
    axes[0].legend(loc="upper left", ncols=3, fontsize=12, frameon=False)
    axes[0].set_ylim(-0.1, max(x.max(), 0) * 1.45)
    axes[-1].set_xlabel("reference point t (index of the newest reading in the window);  grey = padding zeros")
    axes[-1].set_xticks(np.arange(-k + 1, n + k - 1))
    axes[-1].set_xlim(-k + 0.5, n + k - 1.5)
    return fig


@projector
def impulse_response_figure(w):
    """A single spike run through conv1d without and with ``flip``: the output is the kernel
    mirrored (cross-correlation) or copied (true convolution)."""
    w = np.asarray(w, dtype=float)
    k = w.size
    n = 2 * k + 3
    spike = np.zeros(n)
    spike[n // 2] = 1.0
    panels = [("kernel w (as stored)", np.arange(k), w),
              ("input: one spike", np.arange(n), spike),
              ("conv1d(x, w): cross-correlation, no flip", None, conv1d(spike, w, padding="full")),
              ("conv1d(x, w, flip=True): true convolution", None, conv1d(spike, w, padding="full", flip=True))]
    fig = _static_figure(12, 7)
    axes = fig.subplots(2, 2)
    for ax, (title, positions, values) in zip(axes.ravel(), panels):
        positions = np.arange(values.size) if positions is None else positions
        bars = ax.bar(positions, values, width=0.7, color=WINDOW_COLOR if "kernel" in title or "conv" in title
                      else "0.5", edgecolor="black")
        ax.bar_label(bars, labels=[f"{v:g}" if v else "" for v in values], fontsize=12, padding=2)
        ax.set_title(title)
        ax.set_xlabel("index" if positions.size <= k + 3 else "output index (padding 'full')")
        ax.set_ylim(0, values.max() * 1.3)
        ax.set_xticks(positions)
    axes[0, 0].set_ylabel("value")
    axes[1, 0].set_ylabel("value")
    return fig


@projector
def smoothing_figure(readings, smoothed, truth=None, *, warmup=0):
    """Noisy readings, the signal behind them (if known) and one line per smoothed version.

    ``smoothed``: label -> series of the same length as ``readings`` (e.g. from causal padding).
    ``warmup``: how many first outputs come from windows that reach into the padding zeros;
    that stretch is shaded, since those values sag towards zero rather than smooth anything.
    """
    readings = np.asarray(readings, dtype=float)
    t = np.arange(readings.size)
    fig = _static_figure(11, 5.5)
    ax = fig.subplots()
    if warmup:
        ax.axvspan(-0.5, warmup - 0.5, color="0.88", linewidth=0, label="windows reach the padding")
    ax.plot(t, readings, ".", color="0.55", markersize=9, label="noisy readings")
    if truth is not None:
        ax.plot(t, truth, "-", color="black", linewidth=1.5, label="true signal")
    styles = [("tab:orange", "-"), ("tab:blue", "--"), ("tab:green", ":"), ("tab:purple", "-.")]
    for (label, series), (color, style) in zip(smoothed.items(), styles):
        ax.plot(t, series, style, color=color, linewidth=3, label=label)
    ax.set_xlabel("time step t")
    ax.set_ylabel("value")
    ax.legend(loc="upper left", fontsize=12)
    return fig


__all__ = ["canvas_to_png", "PADDING_MODES", "padding_amounts", "reference_points", "flight_table_figure",
           "SlidingWindowView", "draw_sliding_window", "sliding_window_figure", "padding_modes_figure",
           "impulse_response_figure", "smoothing_figure"]
