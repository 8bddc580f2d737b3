"""Training dashboard (notebook 10): live loss and accuracy curves while ``cnnlib.train.fit`` runs,
then a digit picker showing a test digit's feature maps in every layer and its predicted probabilities.

    dashboard = training_dashboard(model, x_test, y_test)
    display(dashboard)
    history = fit(model, x, y, ..., callbacks=[dashboard.callback])

The curves are :class:`cnnlib.plots.training.TrainingCurves`, redrawn every ``redraw_every`` batches
and after every epoch (a full redraw costs tens of milliseconds, so redrawing after every batch would
slow training down). A digit costs one forward pass (``model.layer_outputs``); its maps are coloured as
arrays and sent as PNGs, and the probability bars are blitted.
"""
import html
import time

import ipywidgets as widgets
import matplotlib
import numpy as np

from .._checks import as_positive_int
from ..losses import softmax
from ..nn import Sequential
from ..plots import IMAGE_CMAP, PROJECTOR_RC
from ..inspection import grid_shape, layer_stages, tile_gaps, tile_maps
from ..plots.training import OTHER_COLOR, TrainingCurves, bar_colours, bar_legend, map_colours
from ..train import EVENTS, History, predict
from ..render import BlittedFigure, colour, rgb_to_png, scale_for, upscale
from ._base import Explorer, plain_text
from ._board import PictureView, TextView
from ._html import ERROR_RED, heading
from ._html import warning as warning_html

PANEL_PIXELS = 190          # each picture is scaled up by a whole factor to about this many pixels
SHOW_ALL, SHOW_MISTAKES = "all test digits", "mistakes only"
def _picture_png(rgb):
    return rgb_to_png(upscale(rgb, scale_for(rgb.shape, PANEL_PIXELS)))


def _check_inputs(model, x_test, y_test):
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a cnnlib.nn.Sequential such as cnnlib.nn.lenet5(), got {type(model).__name__}")
    x_test = np.asarray(x_test)
    if x_test.ndim != 4 or len(x_test) == 0 or not np.issubdtype(x_test.dtype, np.number):
        raise ValueError(f"x_test must be a non-empty batch of images N x C x H x W, got shape {x_test.shape} "
                         f"and dtype {x_test.dtype}")
    expected = getattr(model, "input_shape", None)
    if expected is not None and x_test.shape[1:] != tuple(expected):
        raise ValueError(f"x_test must hold images of the model's input shape {tuple(expected)}, got "
                         f"{x_test.shape[1:]} (MNIST for LeNet-5: cnnlib.data.load_mnist(pad_to=32))")
    classes = model.output_shape(x_test.shape[1:])
    if len(classes) != 1:
        raise ValueError(f"model must end with one score per class, but its output per image has shape {classes}")
    y_test = np.asarray(y_test)
    if y_test.shape != (len(x_test),) or not np.issubdtype(y_test.dtype, np.integer):
        raise ValueError(f"y_test must hold one integer label per image of x_test ({len(x_test)}), "
                         f"got shape {y_test.shape} and dtype {y_test.dtype}")
    if y_test.min() < 0 or y_test.max() >= classes[0]:
        raise ValueError(f"y_test labels must be classes 0..{classes[0] - 1}, got values from "
                         f"{y_test.min()} to {y_test.max()}")
    return x_test, y_test, classes[0]


def _panel(title, picture):
    caption = widgets.HTML(heading(html.escape(title), 14))
    return caption, widgets.VBox([caption, picture], layout=widgets.Layout(margin="0 14px 0 0"))


class TrainingDashboard(Explorer):
    """What :func:`training_dashboard` returns: an :class:`Explorer` plus

    ``callback(event, history)``: pass it to ``cnnlib.train.fit(..., callbacks=[dashboard.callback])``;
    ``refresh()``: recompute every test prediction after the model changed outside ``fit``;
    ``draw_curves(history)``: draw a finished History by hand; ``curves``: the TrainingCurves drawn;
    ``timings``: milliseconds spent redrawing the curves and showing the last digit (its forward
    pass and tiling, "digit_compute_ms", and its colouring, PNGs and bars, "digit_draw_ms").
    """

    def __init__(self, model, x_test, y_test, num_classes, redraw_every, mistakes_only, index=0):
        self._model, self._x, self._y = model, x_test, y_test
        self._classes = num_classes
        self._stages = layer_stages(model)
        self.redraw_every = redraw_every
        self.history = None
        self.timings = {"curve_redraws": 0, "curves_ms_total": 0.0}
        self._last_drawn_step = None
        self._digit = index                 # the test digit asked for; the slider follows it
        self._mistakes = None
        self._accuracy_text = ""

        controls = {
            "show": widgets.ToggleButtons(options=[SHOW_ALL, SHOW_MISTAKES], description="show",
                                          value=SHOW_MISTAKES if mistakes_only else SHOW_ALL),
            "index": widgets.IntSlider(value=0, min=0, max=len(x_test) - 1, description="test digit",
                                       style={"description_width": "initial"}, layout=widgets.Layout(width="520px")),
        }
        self._status = TextView()
        self._curve_image = PictureView()
        self._readout = TextView()
        self._warning = TextView()
        self._digit_image = PictureView()
        self._bars_image = PictureView()
        self._stage_images = [PictureView() for _ in self._stages]
        self._stage_captions = []
        stage_boxes = []
        for (name, _), picture in zip(self._stages, self._stage_images):
            caption, box = _panel(name, picture)
            self._stage_captions.append(caption)
            stage_boxes.append(box)
        _, digit_box = _panel("the digit", self._digit_image)
        picker = widgets.HTML("<b style='font-size:16px'>Pick a test digit</b>: its feature maps in every "
                              "layer and the predicted probabilities")
        views = {"status": self._status, "curves": self._curve_image, "readout": self._readout,
                 "warning": self._warning, "digit": self._digit_image, "bars": self._bars_image}
        views.update({f"stage_{k}": picture for k, picture in enumerate(self._stage_images)})
        super().__init__([self._status, self._curve_image, picker,
                          widgets.HBox([controls["show"], controls["index"]]), self._readout, self._warning,
                          widgets.HBox([digit_box, self._bars_image]), widgets.HBox(stage_boxes)], controls, views)
        self._build_curves()
        self._build_bars()
        self.observe_controls()

    def update(self, change=None):
        """The digit picker: a new list (all digits or mistakes) keeps the test digit shown if it
        can; a new slider position picks another digit."""
        if self.changed(change, "show"):
            self._sync_slider(near=self._digit)
        self._show_digit()

    # --- the curves ------------------------------------------------------------------------------

    def _build_curves(self):
        self._curve_figure = BlittedFigure.create(13, 3.9, left=0.075, right=0.985, bottom=0.15, top=0.9, wspace=0.22)
        with matplotlib.rc_context(PROJECTOR_RC):
            ax_loss, ax_accuracy = self._curve_figure.figure.subplots(1, 2)
            self.curves = TrainingCurves(ax_loss, ax_accuracy)
        for line in self.curves.lines.values():
            self._curve_figure.animate(line)
        self._curve_layout = None

    def draw_curves(self, history=None):
        """Redraw the curves from ``history`` (default: the one training last reported).

        Only the lines are redrawn (blitted) unless the limits or legends moved, which happens a few
        times per training run: a full redraw takes about 100 ms, a blit about a tenth of that.
        """
        if history is not None:
            self.history = history
        start = time.perf_counter()
        epochs_drawn = 0
        with matplotlib.rc_context(PROJECTOR_RC):
            if self.history is not None:
                epochs_drawn = self.curves.update(self.history)
            layout = self.curves.layout()
            if layout != self._curve_layout:
                self._curve_figure.redraw_background()
                self._curve_layout = layout
                self.timings["curve_backgrounds"] = self.timings.get("curve_backgrounds", 0) + 1
        png = self._curve_figure.png()
        elapsed = 1000 * (time.perf_counter() - start)
        self.timings["curve_redraws"] += 1
        self.timings["curves_ms_total"] += elapsed
        self.timings["curves_ms_last"] = elapsed
        steps = 0 if self.history is None else len(self.history.batch_loss)
        self._last_drawn_step = steps
        self.shown.update(epochs_drawn=epochs_drawn, steps_drawn=steps, curve_redraws=self.timings["curve_redraws"],
                          stop_reason=None if self.history is None else self.history.stop_reason)
        with self.held_sync():      # the new curves, the status line and the sentence: one message
            self._curve_image.value = png
            self._status.value = self._status_text()
            self.refresh_description()

    def _status_text(self):
        h = self.history
        if h is None or not h.batch_loss:
            return ("<div style='font-size:15px'>The curves appear here while training runs with "
                    "<code>fit(..., callbacks=[dashboard.callback])</code>.</div>")
        total = h.epochs * h.steps_per_epoch
        text = (f"epoch {min(h.epoch + 1, h.epochs)}/{h.epochs}, step {h.step}/{total}: "
                f"batch loss {h.batch_loss[-1]:.3f}")
        if h.loss:
            text += f" &emsp; last finished epoch: loss {h.loss[-1]:.3f}, accuracy {h.accuracy[-1]:.1%}"
        if h.val_accuracy:
            text += f", validation loss {h.val_loss[-1]:.3f}, accuracy {h.val_accuracy[-1]:.1%}"
        if h.stop_reason:
            text += (f"<br><b style='color:{ERROR_RED}'>Training ended early: {html.escape(h.stop_reason)}</b>"
                     "<br>The digit picker below shows the model as it is now.")
        return f"<div style='font-size:15px'>{text}</div>"

    def callback(self, event, history):
        """For ``fit(..., callbacks=[dashboard.callback])``: draws the curves at the start, every
        ``redraw_every`` batches and after every epoch; when training ends (also early: Ctrl-C,
        divergence), redraws them, says why training stopped, and recomputes the test predictions
        the digit picker shows."""
        if event not in EVENTS:
            raise ValueError(f"event must be one of {', '.join(EVENTS)}, got {event!r}")
        if not isinstance(history, History):
            raise TypeError(f"history must be the cnnlib.train.History that fit passes, got {type(history).__name__}")
        self.history = history
        if event == "batch_end":
            if history.step - (self._last_drawn_step or 0) >= self.redraw_every:
                self.draw_curves()
            return
        self.draw_curves()
        if event == "train_end":
            self.refresh()

    # --- the digit picker ------------------------------------------------------------------------

    def _build_bars(self):
        self._bars = BlittedFigure.create(6.4, 3.2, left=0.12, right=0.98, bottom=0.2, top=0.88)
        classes = np.arange(self._classes)
        with matplotlib.rc_context(PROJECTOR_RC):
            ax = self._bars.figure.subplots()
            self._bar_artists = [self._bars.animate(bar) for bar in
                                 ax.bar(classes, np.zeros(self._classes), 0.7, color=OTHER_COLOR, edgecolor="black")]
            self._bar_labels = [self._bars.animate(ax.text(c, 0, "", ha="center", fontsize=11)) for c in classes]
            ax.set(xticks=classes, yticks=np.linspace(0, 1, 5), ylim=(0, 1.12), xlabel="class",
                   ylabel="probability")
            bar_legend(ax, where="top")

    def refresh(self):
        """Predict every test digit with the model as it is now; update the mistakes and the digit shown."""
        with np.errstate(all="ignore"):                  # broken weights give NaN, reported below
            probabilities = predict(self._model, self._x)
        broken = ~np.isfinite(probabilities).all(axis=1)
        self._mistakes = np.flatnonzero((probabilities.argmax(axis=1) != self._y) | broken)
        accuracy = 1 - len(self._mistakes) / len(self._y)
        self.shown.update(test_accuracy=accuracy, mistakes=self._mistakes.copy())
        self._accuracy_text = (f"the model gets {accuracy:.1%} of the {len(self._y):,} test digits right "
                               f"({len(self._mistakes)} mistakes)")
        if broken.any():
            self._accuracy_text += (f"; its outputs are NaN or infinite for {broken.sum():,} digits (counted as "
                                    "mistakes): its weights are broken")
        self.first_update()

    def _candidates(self):
        return self._mistakes if self.controls["show"].value == SHOW_MISTAKES else np.arange(len(self._y))

    def _sync_slider(self, near):
        """Set the slider's range for the current list; go to the first entry at or after test digit ``near``."""
        candidates = self._candidates()
        slider = self.controls["index"]
        if len(candidates):
            position = int(min(np.searchsorted(candidates, near), len(candidates) - 1))
            if position > slider.max:
                slider.max = len(candidates) - 1
            slider.value = position
            slider.max = len(candidates) - 1
        else:
            slider.value = slider.max = 0
        slider.disabled = not len(candidates)
        slider.description = "mistake" if self.controls["show"].value == SHOW_MISTAKES else "test digit"

    def _show_warning(self, message):
        self._warning.value = warning_html(message)
        self.shown["warning"] = message

    def _show_digit(self):
        """Show the chosen digit. It runs in the slider's event handler, where an exception would
        only reach the browser's console, so any problem becomes a message in the widget instead."""
        try:
            self._draw_digit()
        except Exception as err:        # shown in the widget, not swallowed
            self._show_warning(f"This digit cannot be shown: {type(err).__name__}: {err}")

    def _draw_digit(self):
        candidates = self._candidates()
        self.shown["candidates"] = candidates.copy()
        if not len(candidates):
            self._show_warning("The model makes no mistakes on these test digits: there is nothing to show.")
            return
        position = min(self.controls["index"].value, len(candidates) - 1)
        index = int(candidates[position])
        start = time.perf_counter()
        with np.errstate(all="ignore"):                  # broken weights give NaN, checked next
            outputs = self._model.layer_outputs(self._x[index:index + 1])
        self._digit = index
        self.shown.update(index=index, position=position, true=int(self._y[index]), text="")
        if not all(np.all(np.isfinite(out)) for out in outputs):
            self._readout.value = ""
            self._show_warning(f"Test digit #{index}: the model's outputs are NaN or infinite, so there are no "
                               "feature maps or probabilities to draw. Its weights are broken (for example by "
                               "a training run that diverged): rebuild the model or load good weights.")
            return
        probabilities = softmax(outputs[-1], axis=1)[0]
        stages = [(name, outputs[k][0]) for name, k in self._stages]
        tiles = [(tile_maps(maps, *grid_shape(len(maps))), tile_gaps(maps.shape, *grid_shape(len(maps))))
                 for _, maps in stages]
        computed = time.perf_counter()

        predicted, true = int(np.argmax(probabilities)), int(self._y[index])
        digit = self._x[index, 0]                       # the first channel (MNIST has only one)
        self._digit_image.value = _picture_png(colour(digit, IMAGE_CMAP, 0.0, max(1.0, float(digit.max()))))
        for (name, maps), (tiled, gaps), picture, caption in zip(stages, tiles, self._stage_images,
                                                                 self._stage_captions):
            cmap, vmin, vmax = map_colours(maps)
            picture.value = _picture_png(colour(tiled, cmap, vmin, vmax, gaps=gaps))
            shape = " x ".join(map(str, maps.shape))
            caption.value = (f"<b style='font-size:14px'>{html.escape(name)}: {shape}</b><br>"
                             f"<span style='font-size:13px'>dark {vmin:.3g} to bright {vmax:.3g}</span>")
        self._draw_bars(probabilities, true)
        drawn = time.perf_counter()

        correct = predicted == true
        where = (f"mistake {position + 1} of {len(candidates)}: " if self.controls["show"].value == SHOW_MISTAKES
                 else "")
        verdict = ("<b>correct</b>" if correct else f"<b style='color:{ERROR_RED}'>wrong</b>")    # the word says it
        text = (f"{where}test digit #{index}: true label <b>{true}</b>, predicted <b>{predicted}</b> "
                f"with probability {probabilities[predicted]:.3f}: {verdict}")
        self._readout.value = (f"<div style='font-size:16px'>{text}</div>"
                               f"<div style='font-size:14px'>{self._accuracy_text}</div>")
        self._warning.value = ""
        self.timings.update(digit_compute_ms=1000 * (computed - start), digit_draw_ms=1000 * (drawn - computed))
        self.shown.update(index=index, position=position, true=true, predicted=predicted, correct=correct,
                          probabilities=probabilities, stage_names=[name for name, _ in stages],
                          feature_shapes=[maps.shape for _, maps in stages], feature_maps=[maps for _, maps in stages],
                          text=text, warning="")

    def _draw_bars(self, probabilities, true_label):
        colours, hatches = bar_colours(probabilities, true_label)
        for bar, label, p, face, hatch in zip(self._bar_artists, self._bar_labels, probabilities, colours, hatches):
            bar.set_height(p)
            bar.set_facecolor(face)
            bar.set_hatch(hatch)
            label.set_position((bar.get_x() + bar.get_width() / 2, p + 0.02))
            label.set_text(f"{p:.2f}")
        self._bars_image.value = self._bars.png()

    def _training_words(self):
        """The training's state, once per epoch (a screen reader hears it when an epoch ends, not
        at every redraw of the curves)."""
        h = self.history
        if h is None or not h.batch_loss:
            return "No training shown yet: the curves appear while fit runs with this dashboard's callback."
        text = f"Training: epoch {min(h.epoch + 1, h.epochs)} of {h.epochs}"
        if h.loss:
            text += f"; after the last finished epoch, loss {h.loss[-1]:.3f} and accuracy {h.accuracy[-1]:.1%}"
        if h.val_accuracy:
            text += f", validation loss {h.val_loss[-1]:.3f} and accuracy {h.val_accuracy[-1]:.1%}"
        text += "."
        if h.stop_reason:
            text += f" Training ended early: {h.stop_reason}"
        return text

    def describe(self):
        shown = self.shown
        digit = shown.get("warning") or plain_text(shown.get("text", ""))
        if digit and self._accuracy_text and not shown.get("warning"):
            digit += f"; {self._accuracy_text}."
        return " ".join(part for part in (self._training_words(), digit) if part)

    def alt_texts(self):
        shown, h = self.shown, self.history
        if h is None or not h.batch_loss:
            curves = "Two empty plots, loss and accuracy against training steps: no training yet."
        else:
            curves = (f"Two plots against training steps, {len(h.batch_loss)} steps so far: the loss "
                      f"(last batch {h.batch_loss[-1]:.3f}) and the accuracy"
                      + (f" (last finished epoch {h.accuracy[-1]:.1%})" if h.accuracy else "") + ".")
        alts = {"curves": curves}
        if "predicted" not in shown or shown.get("index") is None or shown.get("warning"):
            nothing = "Nothing drawn for this digit: see the message."
            alts.update({"digit": nothing, "bars": nothing})
            alts.update({f"stage_{k}": nothing for k in range(len(self._stage_images))})
            return alts
        probabilities, predicted, true = shown["probabilities"], shown["predicted"], shown["true"]
        alts["digit"] = f"Test digit number {shown['index']}, labelled {true}."
        alts["bars"] = (f"Bar chart of the {len(probabilities)} predicted probabilities: the highest, "
                        f"{probabilities[predicted]:.2f}, is for {predicted} (blue)"
                        + ("." if predicted == true else
                           f"; the true class {true} (hatched) gets {probabilities[true]:.2f}."))
        for k, (name, shape) in enumerate(zip(shown["stage_names"], shown["feature_shapes"])):
            maps = shown["feature_maps"][k]
            alts[f"stage_{k}"] = (f"{name}: {shape[0]} feature maps of {shape[1]} x {shape[2]} for this digit, "
                                  f"values from {maps.min():.3g} to {maps.max():.3g}, bright where large.")
        return alts


def training_dashboard(model, x_test, y_test, *, history=None, redraw_every=25, index=0, mistakes_only=False):
    """Live training curves, then a digit picker, for a classifier such as ``cnnlib.nn.lenet5()``.

    model: a ``cnnlib.nn.Sequential``; x_test: N x C x H x W images of its input shape; y_test: N
    integer labels. history: a ``History`` from an earlier ``fit`` to draw at once (optional).
    Pass ``dashboard.callback`` to ``fit``: the curves are redrawn every ``redraw_every`` batches and
    after every epoch, and the test predictions are recomputed when training ends (``refresh()`` does
    that by hand). ``index``: the test digit shown first; ``mistakes_only``: start in that mode.

    Controls: "show" (all test digits / mistakes only) and "index" (a slider over the test digits, or
    over the mistakes). ``.shown``: index (test index), position, true, predicted, correct,
    probabilities (softmax of the model's scores, as ``cnnlib.train.predict`` gives), stage_names,
    feature_maps and feature_shapes (e.g. (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5) for
    LeNet-5: each conv after its activation, each pooling layer), candidates
    (the test indices the slider runs over), mistakes, test_accuracy, epochs_drawn, steps_drawn,
    curve_redraws, text, warning, stop_reason (``history.stop_reason``: why training ended early).

    Broken training never breaks the dashboard: after a diverged or interrupted ``fit`` the status
    line says why training stopped, and a model whose outputs are NaN or infinite (broken weights)
    gets a message instead of feature maps; the controls never raise, a problem is shown in the
    warning line (``.shown["warning"]``).
    """
    x_test, y_test, num_classes = _check_inputs(model, x_test, y_test)
    if history is not None and not isinstance(history, History):
        raise TypeError(f"history must be a cnnlib.train.History returned by fit, or None; "
                        f"got {type(history).__name__}")
    redraw_every = as_positive_int(redraw_every, "redraw_every")
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"index must be an integer, got {index!r}")
    if not 0 <= index < len(x_test):
        raise ValueError(f"index must be a test digit between 0 and {len(x_test) - 1}, got {index}")
    if not isinstance(mistakes_only, bool):
        raise TypeError(f"mistakes_only must be True or False, got {mistakes_only!r}")
    if not layer_stages(model):
        raise ValueError("model must start with convolution or pooling layers: there are no feature maps to show")

    dashboard = TrainingDashboard(model, x_test, y_test, num_classes, redraw_every, mistakes_only, int(index))
    dashboard.draw_curves(history)
    dashboard.refresh()
    return dashboard
