"""Figures for 1D convolution (notebook 01): the flight-readings table, the sliding window,
padding modes, the flip, and smoothing a noisy series.

Every output is computed by :func:`cnnlib.conv1d` (padding by :func:`cnnlib.conv.padding_amounts`,
reference points by :func:`cnnlib.conv.reference_points`); this module only draws. Weights are given in
time order, oldest first (w_-(k-1), ..., w_-1, w_0), so ``conv1d(x, w)`` without flip is the
notes' s_t = sum_a w_-a x_(t-a), and each output is drawn at its reference point t, the index
of the newest reading in its window. Static figures are pyplot figures (``%matplotlib inline``
shows them); :class:`SlidingWindowView` draws on any Figure, which is how the widget uses it.
"""
import numpy as np
from matplotlib.patches import Rectangle

from ..conv import PADDING_MODES, conv1d, padding_amounts, reference_points
from ..render import BlittedFigure, figure_to_png
from . import BLUE, GREEN, HIGHLIGHT_COLOUR, ORANGE, PURPLE, VALUE_CMAP, number_grid, projector

WINDOW_COLOR = HIGHLIGHT_COLOUR     # the palette's orange
SERIES_COLOR = "black"
PADDING_COLOR = "0.55"
BAR_WIDTH = 0.7
MAX_LABELLED_BARS = 12      # more weights than this: one line of text gives their range instead of a label each


def _static_figure(width, height):
    """A pyplot figure, so that ``%matplotlib inline`` shows it at the end of a notebook cell."""
    import matplotlib.pyplot as plt   # only static figures use pyplot, and only when drawn
    return plt.figure(figsize=(width, height), layout="constrained")


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
    Build it once for a series; :meth:`set_weights` changes the weights or the padding (the axes
    are kept), and :meth:`show` moves the window to another reference point t. After
    :meth:`enable_fast_updates`, :meth:`png` redraws only what moves (the window, the weights,
    the highlight and the title) over a cached background (:class:`cnnlib.render.BlittedFigure`),
    which is what keeps the widget's slider instant.
    """

    @projector
    def __init__(self, fig, x, w, padding="valid", *, span_kernel=None):
        """``span_kernel``: make the time axis as wide as 'full' padding of a kernel this long (or
        of ``w``, if longer), so the readings stay in place when the padding or the weights change
        (and the widget can reuse its background); default: just the span of this padding."""
        self.fig = fig
        self.x = np.asarray(x, dtype=float)
        self.span_kernel = span_kernel
        self._blit = None
        self._bars, self._bar_labels = [], []      # grown as needed, never shrunk: see _show_bars
        self._legend_padding = None
        n = self.x.size
        # Fixed margins rather than constrained layout: the layout solver would double the cost
        # of every redraw of the background.
        fig.set_layout_engine("none")
        width, height = fig.get_size_inches()
        # The three panels share the time axis by having the same limits, not by sharex: shared
        # axes would compute (hidden) ticks for every panel on every redraw of the background.
        readings_ax, weights_ax, output_ax = fig.subplots(3, 1, gridspec_kw={
            "height_ratios": [3, 2, 3], "left": 0.8 / width, "right": 1 - 0.2 / width,
            "bottom": 0.65 / height, "top": 1 - 0.45 / height, "hspace": 0.12})
        self.axes = readings_ax, weights_ax, output_ax

        (self._readings_line,) = readings_ax.plot(np.arange(n), self.x, "o-", color=SERIES_COLOR, markersize=6,
                                                  label="readings")
        (self._padding_marks,) = readings_ax.plot([], [], "o", color=PADDING_COLOR, markerfacecolor="white",
                                                  markersize=6, label="padding zeros")
        self._span = readings_ax.axvspan(0, 1, color=WINDOW_COLOR, alpha=0.25, linewidth=0)
        (self._window_marks,) = readings_ax.plot([], [], "s", color=WINDOW_COLOR, markersize=10,
                                                 markerfacecolor="none", markeredgewidth=2.5, label="window")
        readings_ax.set_ylabel("reading x")
        low, high = min(self.x.min(), 0.0), max(self.x.max(), 0.0)
        readings_ax.set_ylim(low - 0.1 * (high - low + 1e-9), high + 0.3 * (high - low) + 0.1)
        self._title = readings_ax.set_title(" ")

        # No y ticks on the weights: the bars carry their values, and an axis that never changes
        # lets the widget reuse one background for every set of weights of the same length.
        self._zero_line = weights_ax.axhline(0, color="black", linewidth=0.8)
        self._weights_range = weights_ax.text(0.99, 0.95, "", transform=weights_ax.transAxes, ha="right", va="top",
                                              fontsize=12)
        weights_ax.set_yticks([])
        weights_ax.set_ylabel("weight w")

        output_ax.sharey(readings_ax)
        output_ax.plot(np.arange(n), self.x, "-", color="0.75", linewidth=2, label="readings x")
        (self._output_line,) = output_ax.plot([], [], "o-", color="0.3", markersize=6, label="output series s")
        (self._highlight,) = output_ax.plot([], [], "o", color=WINDOW_COLOR, markersize=14,
                                            markeredgecolor="black", label="current $s_t$")
        output_ax.set_ylabel("output s")
        output_ax.set_xlabel("time step t (reading index)")
        output_ax.legend(loc="upper left", ncols=3, fontsize=12, frameon=False)
        self._set_weights(w, padding)

    def _set_weights(self, w, padding):
        self.w = np.asarray(w, dtype=float)
        self.padding = padding
        n, k = self.x.size, self.w.size
        self.left, right = padding_amounts(padding, k)
        self.reference_points = reference_points(n, k, padding)
        self.output = conv1d(self.x, self.w, padding=(self.left, right))
        self.x_padded = np.pad(self.x, (self.left, right))
        readings_ax, weights_ax, output_ax = self.axes

        pad_idx = np.r_[np.arange(-self.left, 0), np.arange(n, n + right)]
        self._padding_marks.set_data(pad_idx, np.zeros(pad_idx.size))
        self._padding_marks.set_visible(bool(pad_idx.size))
        if self._legend_padding != bool(pad_idx.size):    # part of the background: made again only when it changes
            self._legend_padding = bool(pad_idx.size)
            shown = [self._readings_line, *([self._padding_marks] if pad_idx.size else []), self._window_marks]
            readings_ax.legend(handles=shown, loc="upper left", ncols=3, fontsize=12, frameon=False)
        self._show_bars(k)
        low, high = min(self.w.min(), 0.0), max(self.w.max(), 0.0)
        weights_ax.set_ylim(low - 0.25 * (high - low + 1e-9), high + 0.35 * (high - low + 1e-9))
        self._weights_range.set_text("" if k <= MAX_LABELLED_BARS else
                                     f"{k} weights, from {self.w.min():.3g} to {self.w.max():.3g}")

        self._output_line.set_data(self.reference_points, self.output)
        if self.span_kernel is None:
            span = np.arange(-self.left, n + right)
        else:
            widest = max(k, self.span_kernel)
            span = np.arange(-(widest - 1), n + widest - 1)
        self._span_key = (int(span[0]), int(span[-1]), bool(pad_idx.size))
        for ax in self.axes:
            ax.set_xlim(span[0] - 0.7, span[-1] + 0.7)
        readings_ax.set_xticks([])
        weights_ax.set_xticks([])
        output_ax.set_xticks(span[::-(-span.size // 26)])   # at most 26 labelled ticks, each one costs a text
        # Everything that depends on the weights or the padding moves; the background depends only on
        # the time axis and the legend.
        self._moving = [self._padding_marks, self._zero_line, self._weights_range, self._output_line, self._span,
                        self._window_marks, *self._bars, *self._bar_labels, self._highlight, self._title]

    @projector
    def set_weights(self, w, padding=None):
        """Use weights ``w`` (and padding mode ``padding``, default: keep it) on the same axes."""
        self._set_weights(w, self.padding if padding is None else padding)
        if self._blit is not None:
            self._blit.redraw_background(key=self._background_key())

    def _show_bars(self, k):
        """One bar per weight, labelled with its value when there are at most MAX_LABELLED_BARS.

        The bars and labels are kept and reused (hidden when there are fewer weights): making them
        anew with ``ax.bar`` and ``ax.bar_label`` on every change of the weights cost a third of the
        widget's update, most of it in updating the axes' data limits, which are fixed here anyway."""
        weights_ax = self.axes[1]
        while len(self._bars) < k:
            i = len(self._bars)
            bar = weights_ax.add_artist(Rectangle((i - BAR_WIDTH / 2, 0), BAR_WIDTH, 0, facecolor=WINDOW_COLOR,
                                                  edgecolor="black"))
            label = weights_ax.annotate("", xy=(i, 0), xytext=(0, 2), textcoords="offset points", ha="center",
                                        va="bottom", fontsize=12)
            self._bars.append(bar)
            self._bar_labels.append(label)
            if self._blit is not None:
                self._blit.animate(bar)
                self._blit.animate(label)
        labelled = k <= MAX_LABELLED_BARS
        for i, (bar, label) in enumerate(zip(self._bars, self._bar_labels)):
            bar.set_visible(i < k)
            label.set_visible(i < k and labelled)
            if i >= k:
                continue
            value = self.w[i]
            bar.set_x(i - BAR_WIDTH / 2)
            bar.set_height(value)
            # As ax.bar_label places them: 2 points beyond the bar's end, above a positive bar, below a negative one.
            label.set_text(f"{value:g}")
            label.xy = (i, value)
            label.xyann = (0, 2 if value >= 0 else -2)
            label.set_verticalalignment("bottom" if value >= 0 else "top")

    def _background_key(self):
        return self._span_key

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
        for bar, position in zip(self._bars[:k], window):
            bar.set_x(position - bar.get_width() / 2)
        for label, position in zip(self._bar_labels[:k], window):
            label.xy = (position, label.xy[1])
        self._highlight.set_data([t], [s_t])
        inside = window[0] >= 0 and window[-1] < self.x.size
        # Plain text with Unicode subscripts: mathtext would be re-parsed on every slider move.
        self._title.set_text(f"Reference point t = {t}, padding '{self.padding}':  "
                             f"s{_subscript(t)} = {s_t:.3f}"
                             + ("" if inside else "  (window reaches into the padding)"))
        return s_t

    @projector
    def enable_fast_updates(self):
        """Fix the layout and cache everything that does not move, for :meth:`png`."""
        self._blit = BlittedFigure(self.fig)
        for artist in self._moving:
            self._blit.animate(artist)
        # The title says t, the padding and s_t: a few dozen different lines, each laid out and
        # rendered by FreeType once (about 10 ms) and pasted afterwards.
        self._blit.cache_text(self._title)
        self._blit.redraw_background(key=self._background_key())

    def png(self):
        """PNG bytes of the current state (only the moving artists are redrawn once enabled)."""
        return figure_to_png(self.fig) if self._blit is None else self._blit.png()


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
    styles = [(ORANGE, "-"), (BLUE, "--"), (GREEN, ":"), (PURPLE, "-.")]
    for (label, series), (color, style) in zip(smoothed.items(), styles):
        ax.plot(t, series, style, color=color, linewidth=3, label=label)
    ax.set_xlabel("time step t")
    ax.set_ylabel("value")
    ax.legend(loc="upper left", fontsize=12)
    return fig


__all__ = ["flight_table_figure",
           "SlidingWindowView", "draw_sliding_window", "sliding_window_figure", "padding_modes_figure",
           "impulse_response_figure", "smoothing_figure"]
