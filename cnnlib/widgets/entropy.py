"""Entropy and softmax explorers (notebook 07).

entropy_explorer: sliders for a true distribution P and a predicted Q; bars, H(P), H(P, Q) and KL update together.
softmax_explorer: editable scores and a temperature; bars of softmax(z / T).
All numbers come from ``cnnlib.losses``.
"""
import ipywidgets as widgets
import matplotlib
import numpy as np

from ..losses import cross_entropy, entropy, kl_divergence, softmax
from ..plots import PROJECTOR_RC
from ..plots.losses import PREDICTED_STYLE, TRUE_STYLE
from ..render import BlittedFigure
from ._base import Explorer
from ._board import PictureView, TextView
from ._html import warning as _warning_html
from ._text import parse_numbers

UNITS = {"bits": 2, "nats": "e"}
_FLOAT_MAX = np.finfo(np.float64).max
MAX_CLASSES = 6
MAX_SCORES = 10
# The readouts' symbols in plain HTML (italic letters, a serif face), not MathJax: a readout that
# MathJax typesets again on every slider move costs the browser more than the rest of the update.
_MATH = "<span style='font-family:serif;font-size:17px'>{}</span>"
_P, _Q, _H, _T, _Z = "<i>P</i>", "<i>Q</i>", "<i>H</i>", "<i>T</i>", "<i>z</i>"


def _math(text):
    return _MATH.format(text)


def _kl(a, b):
    return f"KL({a}&thinsp;&#8214;&thinsp;{b})"


def _check_weights(values, name, n_classes=None):
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or not 2 <= values.size <= MAX_CLASSES:
        raise ValueError(f"{name} must list between 2 and {MAX_CLASSES} class weights, got shape {values.shape}")
    if n_classes is not None and values.size != n_classes:
        raise ValueError(f"{name} must have one weight per class ({n_classes}), got {values.size}")
    if np.any(values < 0) or np.any(values > 1) or not np.all(np.isfinite(values)):
        raise ValueError(f"{name} weights must lie in [0, 1] (they are normalised to sum to 1), got {values.tolist()}")
    if values.sum() == 0:
        raise ValueError(f"{name} needs at least one weight above 0")
    return values


def _bar_labels(ax, bars, blit):
    return [blit.animate(ax.text(bar.get_x() + bar.get_width() / 2, 0, "", ha="center", fontsize=12))
            for bar in bars]


def _set_bars(bars, labels, values):
    for bar, label, v in zip(bars, labels, values):
        bar.set_height(v)
        label.set_position((bar.get_x() + bar.get_width() / 2, v + 0.02))
        label.set_text(f"{v:.2f}")


def entropy_explorer(true=(0.0, 1.0, 0.0), predicted=(0.2, 0.7, 0.1), labels=("cat", "dog", "bird"), units="bits"):
    """Sliders for a true distribution P and a predicted Q over a few classes.

    Each slider sets a class weight in [0, 1]; the weights are divided by their sum, so P and Q
    always sum to 1. Shows H(P), H(P, Q), KL(P || Q) = H(P, Q) - H(P) and KL(Q || P) (to show the
    asymmetry), in bits or nats. Controls: "p0".."pK", "q0".."qK", "units".
    ``.shown``: p, q, entropy, cross_entropy, kl, kl_reverse, units, text, warning.
    """
    labels = tuple(str(label) for label in labels)
    true = _check_weights(true, "true", len(labels))
    predicted = _check_weights(predicted, "predicted", len(labels))
    if units not in UNITS:
        raise ValueError(f"units must be 'bits' or 'nats', got {units!r}")
    return EntropyExplorer(true, predicted, labels, units)


class EntropyExplorer(Explorer):
    """What :func:`entropy_explorer` returns (see there). Views: "bars" (Image), "readout", "warning"."""

    def __init__(self, true, predicted, labels, units):
        n = self.n = len(labels)
        self.labels = labels

        def slider(value, text):
            return widgets.FloatSlider(value=float(value), min=0.0, max=1.0, step=0.01, description=text,
                                       readout_format=".2f", style={"description_width": "initial"})

        controls = {f"p{i}": slider(true[i], f"P({labels[i]})") for i in range(n)}
        controls.update({f"q{i}": slider(predicted[i], f"Q({labels[i]})") for i in range(n)})
        controls["units"] = widgets.ToggleButtons(options=list(UNITS), value=units, description="units")
        views = {"bars": PictureView(), "readout": TextView(), "warning": TextView()}
        columns = widgets.HBox([
            widgets.VBox([widgets.HTML(f"<b>{title}</b> (weights, normalised)")]
                         + [controls[f"{key}{i}"] for i in range(n)])
            for key, title in (("p", "true P"), ("q", "predicted Q"))
        ])
        super().__init__([columns, controls["units"], views["bars"], views["readout"], views["warning"]],
                         controls, views)
        self.blit = BlittedFigure.create(8, 3.8, left=0.1, right=0.98, bottom=0.12, top=0.9)
        x = np.arange(n)
        with matplotlib.rc_context(PROJECTOR_RC):
            ax = self.blit.figure.subplots()
            self.p_bars = ax.bar(x - 0.2, np.zeros(n), 0.4, label="true P", **TRUE_STYLE)
            self.q_bars = ax.bar(x + 0.2, np.zeros(n), 0.4, label="predicted Q", **PREDICTED_STYLE)
            for bar in (*self.p_bars, *self.q_bars):
                self.blit.animate(bar)
            self.p_labels, self.q_labels = _bar_labels(ax, self.p_bars, self.blit), _bar_labels(ax, self.q_bars,
                                                                                                  self.blit)
            ax.set(xticks=x, xticklabels=labels, ylim=(0, 1.15), ylabel="probability",
                   title="true distribution P and prediction Q")
            ax.legend(loc="upper right")
        self.last_good = {}
        self.observe_controls()
        self.first_update()

    def update(self, change=None):
        controls, views, n = self.controls, self.views, self.n
        p_weights = np.array([controls[f"p{i}"].value for i in range(n)])
        q_weights = np.array([controls[f"q{i}"].value for i in range(n)])
        problems = [f"All {name} weights are 0: move at least one {name} slider above 0."
                    for name, weights in (("true P", p_weights), ("predicted Q", q_weights)) if weights.sum() == 0]
        if problems:
            message = " ".join(problems)
            views["warning"].value = _warning_html(message)
            self.shown.update(self.last_good, warning=message)
            return
        p, q = p_weights / p_weights.sum(), q_weights / q_weights.sum()
        unit = controls["units"].value
        base = UNITS[unit]
        h_p = float(entropy(p, base=base)) + 0.0     # + 0.0 turns -0.0 (a certain P) into 0.0
        h_pq = float(cross_entropy(p, q, base=base))
        kl = float(kl_divergence(p, q, base=base))
        kl_reverse = float(kl_divergence(q, p, base=base))
        _set_bars(self.p_bars, self.p_labels, p)
        _set_bars(self.q_bars, self.q_labels, q)
        views["bars"].value = self.blit.png()
        missed = bool(np.any((p > 0) & (q == 0)))
        missed_reverse = bool(np.any((q > 0) & (p == 0)))
        h_of_p, h_of_pq = f"{_H}({_P})", f"{_H}({_P}, {_Q})"
        text = (f"{_math(f'{h_of_p} = {h_p:.3f}')} {unit} &emsp; {_math(f'{h_of_pq} = {h_pq:.3f}')} {unit} &emsp; "
                f"{_math(f'{_kl(_P, _Q)} = {h_of_pq} &minus; {h_of_p} = {kl:.3f}')} {unit}<br>"
                f"the other way round: {_math(f'{_kl(_Q, _P)} = {kl_reverse:.3f}')} {unit}"
                + (" (not the same: cross-entropy and KL are not symmetric)" if not np.isclose(kl, kl_reverse) else ""))
        if missed or missed_reverse:
            text += ("<br>" + ("Q" if missed else "P") + " gives probability 0 to a class "
                     + ("P" if missed else "Q") + " says can happen, so " + ("H(P, Q) and KL(P || Q) are"
                     if missed else "KL(Q || P) is") + " really infinite; cnnlib floors probabilities "
                     "at 1e-12 inside the log, which caps " + ("them." if missed else "it."))
        views["readout"].value = f"<div style='font-size:16px'>{text}</div>"
        views["warning"].value = ""
        self.last_good.update(p=p, q=q, entropy=h_p, cross_entropy=h_pq, kl=kl, kl_reverse=kl_reverse,
                              units=unit, text=views["readout"].value)
        self.shown.update(self.last_good, warning="")

    def describe(self):
        shown, unit = self.shown, self.shown.get("units", "")
        if "p" not in shown:
            return shown.get("warning", "")
        listed = "; ".join(f"{label}: P {p:.2f}, Q {q:.2f}" for label, p, q in zip(self.labels, shown["p"], shown["q"]))
        return (f"{listed}. H(P) = {shown['entropy']:.3f} {unit}, H(P, Q) = {shown['cross_entropy']:.3f} {unit}, "
                f"KL(P || Q) = {shown['kl']:.3f} {unit}, and the other way round KL(Q || P) = "
                f"{shown['kl_reverse']:.3f} {unit}." + (f" {shown['warning']}" if shown.get("warning") else ""))

    def alt_texts(self):
        shown = self.shown
        if "p" not in shown:
            return {"bars": "Bar chart of P and Q: nothing to draw yet, see the message."}
        pairs = ", ".join(f"{label} {p:.2f} and {q:.2f}" for label, p, q in zip(self.labels, shown["p"], shown["q"]))
        return {"bars": (f"Bar chart of the true distribution P (solid bars) and the prediction Q (hatched bars) "
                         f"for each class, P then Q: {pairs}.")}


def parse_scores(text):
    """'1.3, 5.1, 2.2' (commas and/or spaces) -> array of floats; ValueError with a readable message.

    Between 2 and ``MAX_SCORES`` scores, the rules of every number box
    (:func:`cnnlib.widgets._text.parse_numbers`): no empty entry, no "1_000", nan or inf.

    Inputs:   text  str, what the student typed
    Returns:  1D float64 array of the scores

    >>> parse_scores("1.3, 5.1 2.2")
    array([1.3, 5.1, 2.2])
    >>> parse_scores("1_000, 2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Could not read '1_000' as a finite number: type plain decimals such as 0.25, -3 or 1e-4 ...
    """
    return parse_numbers(text, "score", example="1.3, 5.1, 2.2", count=(2, MAX_SCORES))


def softmax_explorer(scores=(1.3, 5.1, 2.2), temperature=1.0):
    """Type scores z (a text box) and move a temperature T; see softmax(z / T) as bars and numbers.

    Controls: "scores" (Text, comma-separated), "temperature" (log slider from 0.05 to 20).
    ``.shown``: scores, temperature, exp_terms (e^{(z - max z)/T}), probabilities, entropy (bits),
    text, warning. A bad entry keeps the last good picture and explains the problem.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or not 2 <= scores.size <= MAX_SCORES or not np.all(np.isfinite(scores)):
        raise ValueError(f"scores must be between 2 and {MAX_SCORES} finite numbers, got {scores.tolist()}")
    if isinstance(temperature, bool) or not np.isscalar(temperature) or not 0.05 <= temperature <= 20:
        raise ValueError(f"temperature must be a number between 0.05 and 20, got {temperature!r}")
    return SoftmaxExplorer(scores, float(temperature))


class SoftmaxExplorer(Explorer):
    """What :func:`softmax_explorer` returns (see there). Views: "bars" (Image), "readout", "warning"."""

    def __init__(self, scores, temperature):
        controls = {
            "scores": widgets.Text(value=", ".join(f"{s:g}" for s in scores), description="scores z",
                                   continuous_update=False, layout=widgets.Layout(width="420px")),
            "temperature": widgets.FloatLogSlider(value=temperature, base=10, min=np.log10(0.05), max=np.log10(20),
                                                  step=0.01, description="temperature T", readout_format=".2f",
                                                  style={"description_width": "initial"},
                                                  layout=widgets.Layout(width="520px")),
        }
        views = {"bars": PictureView(), "readout": TextView(), "warning": TextView()}
        super().__init__([controls["scores"], controls["temperature"], views["bars"], views["readout"],
                          views["warning"]], controls, views)
        self.blit = BlittedFigure.create(8, 3.6, left=0.1, right=0.98, bottom=0.14, top=0.9)
        with matplotlib.rc_context(PROJECTOR_RC):
            self.ax = self.blit.figure.subplots()
            self.ax.set(ylim=(0, 1.12), ylabel="probability")
        self.bars, self.labels, self.scores = [], [], None
        self.last_good = {}
        self.observe_controls()
        self.first_update()

    def _rebuild_bars(self, z):
        for artist in self.bars + self.labels:
            self.blit.forget(artist)
        x = np.arange(z.size)
        with matplotlib.rc_context(PROJECTOR_RC):
            self.bars = list(self.ax.bar(x, np.zeros(z.size), 0.6, **TRUE_STYLE))
            for bar in self.bars:
                self.blit.animate(bar)
            self.labels = _bar_labels(self.ax, self.bars, self.blit)
            self.ax.set(xticks=x, xticklabels=[f"z={s:g}" for s in z], xlim=(-0.6, z.size - 0.4),
                        title="softmax(z / T)")
            self.blit.redraw_background()
        self.scores = z

    def update(self, change=None):
        controls, views = self.controls, self.views
        try:
            z = parse_scores(controls["scores"].value)
        except ValueError as error:
            message = str(error)
            views["warning"].value = _warning_html(message)
            self.shown.update(self.last_good, warning=message)
            return
        t = controls["temperature"].value
        # Shifting by max z changes no probability, and it keeps z / T finite: with z = 1e307
        # and T = 0.05, z / T itself would be inf and softmax(z / T) nan. (z - max z) / T can
        # still underflow to -inf for a score far below the top one; its e^ is then exactly 0.
        with np.errstate(over="ignore"):
            shifted = z - z.max()
            scaled = shifted / t
            overflows = not np.isfinite(np.abs(z).max() / t)
            probs = softmax(shifted, temperature=t)
        exp_terms = np.exp(scaled)
        if not np.all(np.isfinite(probs)):
            message = "These scores cannot be turned into probabilities in float64; try smaller scores."
            views["warning"].value = _warning_html(message)
            self.shown.update(self.last_good, warning=message)
            return
        if self.scores is None or not np.array_equal(z, self.scores):
            self._rebuild_bars(z)
        h = float(entropy(probs))
        for bar, label, v in zip(self.bars, self.labels, probs):
            bar.set_height(v)
            label.set_position((bar.get_x() + bar.get_width() / 2, v + 0.02))
            label.set_text(f"{v:.3f}")
        views["bars"].value = self.blit.png()
        listed = ", ".join(f"{v:.3f}" for v in probs)
        exponent = f"({_Z}<sub><i>j</i></sub> &minus; max {_Z})/{_T}"
        text = (f"{_math(f'{_T} = {t:.2f}')}: &ensp; softmax = [{listed}] &emsp; entropy {h:.3f} bits "
                f"(uniform would be {_math(f'log<sub>2</sub> {z.size} = {np.log2(z.size):.3f}')})<br>"
                f"{_math(f'<i>e</i><sup>{exponent}</sup>')} = [{', '.join(f'{v:.4g}' for v in exp_terms)}], "
                f"sum {exp_terms.sum():.4g}; each probability is its term divided by the sum.")
        views["readout"].value = f"<div style='font-size:16px'>{text}</div>"
        message = ""
        if overflows:
            message = (f"Note: z / T exceeds the largest float64 ({_FLOAT_MAX:.3g}) for these scores, so "
                       f"e^(z/T) cannot be computed directly; the values above use (z - max z) / T, which "
                       f"gives the same probabilities.")
        views["warning"].value = _warning_html(message)
        self.last_good.update(scores=z, temperature=t, exp_terms=exp_terms, probabilities=probs, entropy=h,
                              text=views["readout"].value)
        self.shown.update(self.last_good, warning=message)

    def describe(self):
        shown = self.shown
        if "probabilities" not in shown:
            return shown.get("warning", "")
        z, probabilities = shown["scores"], shown["probabilities"]
        top = int(np.argmax(probabilities))
        listed = ", ".join(f"{p:.3f}" for p in probabilities)
        return (f"Scores {', '.join(f'{v:g}' for v in z)} at temperature T = {shown['temperature']:.2f}: softmax gives "
                f"{listed}; the largest, {probabilities[top]:.3f}, goes to z = {z[top]:g}. Entropy "
                f"{shown['entropy']:.3f} bits (uniform would be {np.log2(z.size):.3f})."
                + (f" {shown['warning']}" if shown.get("warning") else ""))

    def alt_texts(self):
        shown = self.shown
        if "probabilities" not in shown:
            return {"bars": "Bar chart of softmax(z / T): nothing to draw yet, see the message."}
        pairs = ", ".join(f"z = {v:g}: {p:.3f}" for v, p in zip(shown["scores"], shown["probabilities"]))
        return {"bars": f"Bar chart of softmax(z / T) at T = {shown['temperature']:.2f}, one bar per score: {pairs}."}
