"""Batch-norm explorer (notebook 12): shape a batch of pre-activations, see it before and after
batch normalisation, and how many of its values a following ReLU would pass.

The batch is ``batch size`` samples of one unit (an N x 1 input): shift + spread x a standard normal
draw fixed by the seed, so moving the shift or the spread moves the same values. Every statistic
comes from :func:`cnnlib.normalization.batch_norm`: the statistics it returns for the batch, and
those it returns for its own output (a second call with gamma = 1, beta = 0, whose output is unused).
"""
import ipywidgets as widgets
import matplotlib
import numpy as np

from ..normalization import batch_norm
from ..plots import BLUE, ORANGE, PROJECTOR_RC
from ..render import BlittedFigure, format_number
from ._base import Explorer
from ._board import PictureView, TextView
from ._html import heading, note, table
from ._html import warning as warning_html

X_LIMIT = 15.0                     # both histograms show [-X_LIMIT, X_LIMIT]: fixed, so motion is visible
BIN_WIDTH = 0.5
Y_LIMIT = 0.45                     # the fraction of the batch in one bin
EDGES = np.arange(-X_LIMIT, X_LIMIT + BIN_WIDTH / 2, BIN_WIDTH)
BEFORE_COLOUR = BLUE        # the two histograms are also in panels of their own, titled
AFTER_COLOUR = ORANGE
MAX_BATCH = 512


def batchnorm_explorer(shift=3.0, spread=2.0, batch_size=64, gamma=1.0, beta=0.0, seed=0):
    """A batch of pre-activations before and after batch normalisation.

    The batch holds ``batch_size`` values of one unit, ``shift + spread * z`` with z standard normal
    (drawn with ``seed``). Controls: "shift", "spread", "batch_size", "gamma", "beta", "seed".
    Views: "histograms" (Image: the batch before and after batch norm, on fixed axes) and "table"
    (HTML: mean and standard deviation of the batch before and after, and the fraction of values
    a following ReLU would pass, i.e. the values above 0).
    ``.shown``: shift, spread, batch_size, gamma, beta, seed, mean_before, std_before, mean_after,
    std_after, relu_before, relu_after, off_plot (values outside the plotted range), warning.
    """
    checks = (("shift", shift, -6, 6), ("spread", spread, 0.5, 5), ("gamma", gamma, 0.5, 3),
              ("beta", beta, -3, 3))
    for name, value, lo, hi in checks:
        if isinstance(value, bool) or not np.isscalar(value) or not lo <= value <= hi:
            raise ValueError(f"{name} must be a number between {lo} and {hi}, got {value!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or not 2 <= batch_size <= MAX_BATCH:
        raise ValueError(f"batch_size must be a whole number between 2 and {MAX_BATCH}, got {batch_size!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= 99:
        raise ValueError(f"seed must be a whole number between 0 and 99, got {seed!r}")
    return BatchNormExplorer(float(shift), float(spread), int(batch_size), float(gamma), float(beta), int(seed))


class BatchNormExplorer(Explorer):
    """What :func:`batchnorm_explorer` returns (see there)."""

    def __init__(self, shift, spread, batch_size, gamma, beta, seed):
        wide = {"description_width": "110px"}
        controls = {
            "shift": widgets.FloatSlider(value=shift, min=-6, max=6, step=0.5, description="mean shift", style=wide),
            "spread": widgets.FloatSlider(value=spread, min=0.5, max=5, step=0.25, description="spread", style=wide),
            "batch_size": widgets.IntSlider(value=batch_size, min=2, max=MAX_BATCH, description="batch size",
                                            style=wide),
            "seed": widgets.IntSlider(value=seed, min=0, max=99, description="seed", style=wide),
            "gamma": widgets.FloatSlider(value=gamma, min=0.5, max=3, step=0.1, description="gamma (scale)",
                                         style=wide),
            "beta": widgets.FloatSlider(value=beta, min=-3, max=3, step=0.25, description="beta (shift)",
                                        style=wide),
        }
        views = {"histograms": PictureView(), "table": TextView()}
        super().__init__([widgets.HBox([controls["shift"], controls["spread"]]),
                          widgets.HBox([controls["batch_size"], controls["seed"]]),
                          widgets.HBox([controls["gamma"], controls["beta"]]),
                          views["histograms"], views["table"]], controls, views)
        self._draws = {}
        blit = self.blit = BlittedFigure.create(10, 3.6, left=0.085, right=0.98, bottom=0.16, top=0.88, wspace=0.18)
        with matplotlib.rc_context(PROJECTOR_RC):
            axes = blit.figure.subplots(1, 2, sharey=True)
            self.stairs, self.mean_lines = [], []
            titles = ("before: the batch of pre-activations x", "after batch norm: gamma x-hat + beta")
            for ax, title, colour in zip(axes, titles, (BEFORE_COLOUR, AFTER_COLOUR)):
                ax.axvspan(-X_LIMIT, 0, color="grey", alpha=0.15, linewidth=0)    # where a ReLU outputs 0
                ax.axvline(0, color="black", linewidth=1)
                ax.set(xlim=(-X_LIMIT, X_LIMIT), ylim=(0, Y_LIMIT), title=title, xlabel="value")
                ax.grid(alpha=0.3)
                ax.text(-X_LIMIT + 0.5, Y_LIMIT * 0.92, "ReLU gives 0 here", color="#555", fontsize=11)
                self.stairs.append(blit.animate(ax.stairs(np.zeros(len(EDGES) - 1), EDGES, fill=True,
                                                          color=colour, alpha=0.85)))
                self.mean_lines.append(blit.animate(ax.axvline(0, color="black", linestyle="--", linewidth=2)))
            axes[0].set_ylabel("fraction of the batch")
        blit.redraw_background()
        self.observe_controls()
        self.first_update()

    def _draw(self, seed, size):
        """The standard normal draw of ``size`` values for ``seed`` (kept: moving the shift or the
        spread moves these same values)."""
        key = (seed, size)
        if key not in self._draws:
            if len(self._draws) > 64:
                self._draws.clear()
            self._draws[key] = np.random.default_rng(seed).standard_normal((size, 1))
        return self._draws[key]

    def update(self, change=None):
        controls = self.controls
        settings = {name: control.value for name, control in controls.items()}
        try:
            self._show(**settings)
        except Exception as error:       # an event handler must never raise: say what went wrong instead
            message = f"Could not normalise this batch ({error}); change a control to try again."
            self.views["table"].value = warning_html(message)
            self.shown.update(settings, warning=message)

    def _show(self, shift, spread, batch_size, seed, gamma, beta):
        x = shift + spread * self._draw(seed, batch_size)
        one, zero = np.ones(1), np.zeros(1)
        out, mean_before, var_before = batch_norm(x, np.array([gamma]), np.array([beta]))
        _, mean_after, var_after = batch_norm(out, one, zero)          # the statistics of the output
        numbers = {
            "mean_before": float(mean_before[0]), "std_before": float(np.sqrt(var_before[0])),
            "mean_after": float(mean_after[0]), "std_after": float(np.sqrt(var_after[0])),
            "relu_before": float(np.count_nonzero(x > 0) / batch_size),
            "relu_after": float(np.count_nonzero(out > 0) / batch_size),
        }
        off_plot = 0
        for stairs, line, values, mean in zip(self.stairs, self.mean_lines, (x, out),
                                              (numbers["mean_before"], numbers["mean_after"])):
            counts, _ = np.histogram(values, EDGES)
            off_plot += batch_size - int(counts.sum())
            stairs.set_data(counts / batch_size)
            line.set_xdata([mean, mean])
        self.views["histograms"].value = self.blit.png()
        message = (f"{off_plot} value{'s lie' if off_plot != 1 else ' lies'} outside the plotted range "
                   f"[-{X_LIMIT:g}, {X_LIMIT:g}] (still counted in the table)." if off_plot else "")
        self.views["table"].value = _table(numbers, batch_size) + note(message)
        self.shown.update(shift=shift, spread=spread, batch_size=batch_size, gamma=gamma, beta=beta, seed=seed,
                          off_plot=off_plot, warning="", **numbers)

    def describe(self):
        shown = self.shown
        if "mean_before" not in shown or shown.get("warning"):
            return shown.get("warning", "")
        return (f"A batch of {shown['batch_size']} values (seed {shown['seed']}). Before batch norm: mean "
                f"{_rounded(shown['mean_before'])}, standard deviation {shown['std_before']:.3g}, a following ReLU "
                f"passes {shown['relu_before']:.0%}. After batch norm with gamma {shown['gamma']:g} and beta "
                f"{shown['beta']:g}: mean {_rounded(shown['mean_after'])}, standard deviation "
                f"{_rounded(shown['std_after'])}, ReLU passes {shown['relu_after']:.0%}."
                + (f" {shown['off_plot']} value(s) lie outside the plotted range." if shown["off_plot"] else ""))

    def alt_texts(self):
        shown = self.shown
        if "mean_before" not in shown or shown.get("warning"):
            return {"histograms": "Two histograms of the batch: nothing drawn, see the message."}
        return {"histograms": (f"Two histograms of the batch of {shown['batch_size']} values, before (left) and "
                               f"after batch norm (right), with a dashed line at each mean "
                               f"({_rounded(shown['mean_before'])} and {_rounded(shown['mean_after'])}) and the "
                               f"region below 0, where a ReLU gives 0, "
                               f"shaded. Before, the values spread {shown['std_before']:.2f} around the mean; after, "
                               f"{_rounded(shown['std_after'])}.")}


def _rounded(value):
    """A statistic as short text: 3 decimals at most, and -5.9e-17 (a mean that is 0 up to rounding) as 0."""
    return f"{round(float(value), 3) + 0.0:g}"


def _table(numbers, batch_size):
    style = "padding:4px 14px;border-bottom:1px solid #ddd;text-align:"
    cell, first = f"{style}right", f"{style}left"
    rows = (("batch mean (dashed line)", "mean"), ("batch standard deviation", "std"),
            ("fraction a following ReLU passes (values &gt; 0)", "relu"))
    cells = [[("measure", first), ("before", cell), ("after batch norm", cell)]]   # no empty header cell
    for label, key in rows:
        before, after = numbers[f"{key}_before"], numbers[f"{key}_after"]
        if key == "relu":
            texts = [f"{100 * v:.0f}%" for v in (before, after)]
        else:
            texts = [format_number(round(v, 3)) for v in (before, after)]
        cells.append([(label, first), (texts[0], cell), (texts[1], cell)])
    return heading(f"A batch of {batch_size} values") + table(
        cells, style="border-collapse:collapse;font-size:15px;margin-top:4px", header_rows=1)
