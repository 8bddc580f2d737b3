"""Draw your own digit (notebook 10): a drawing pad, and what a trained LeNet-5 makes of the drawing.

The pad is an ``anywidget`` (a few lines of browser canvas code below, in ``_ESM``): mouse, pen and
touch all arrive as pointer events; when the pen lifts, the pad sends its picture to Python as a
PNG data URL. Python then runs :func:`cnnlib.preprocess_drawing` (MNIST's own recipe: fit a
20 x 20 box, centre the mass in 28 x 28), one forward pass, and shows the 28 x 28 digit, the ten
probabilities, the guess and the feature maps (``cnnlib.inspection.feature_map_stages``).

Without a pointer: Tab to the pad; the arrow keys move a pen ring one MNIST pixel (Shift: three),
Space puts the pen down and lifts it (lifting sends the picture), Delete clears it, and a live
region says where the pen is. Or the "example" menu puts one of the shipped MNIST test digits on
the pad. The guess is also written as a sentence (the explorer's readout, announced by a screen
reader).
"""
import base64
import binascii
import html

import anywidget
import ipywidgets as widgets
import matplotlib
import numpy as np
import traitlets

from ..inspection import (feature_map_stages, grid_shape, layer_stages, predicted_probabilities, tile_gaps,
                          tile_maps)
from ..nn import Sequential
from ..plots import IMAGE_CMAP, PROJECTOR_RC
from ..plots.training import OTHER_COLOR, PREDICTED_COLOR, map_colours
from ..preprocess import preprocess_drawing
from ..render import BlittedFigure, array_to_png, nonfinite_note, read_picture, rgb_to_png
from ._base import Explorer, plain_text
from ._board import PictureView, TextView
from ._html import ERROR_RED

PAD_PIXELS = 280             # 10 pad pixels per MNIST pixel
PEN_PIXELS = 20              # a pen 2 MNIST pixels wide once the digit is shrunk to its 20 x 20 box
MAPS_PIXELS = 200            # each layer's tiled maps are scaled up by a whole factor to about this size
ALL_LAYERS = "every layer"
HINT = ("Draw a digit from 0 to 9 in the black square, then lift the pen: with the mouse, a pen or a finger, or "
        "from the keyboard (Tab to the square; the arrow keys move the pen, Space puts it down and lifts it). "
        "Or start from an MNIST digit in the menu.")
OWN_DRAWING = "(your own drawing)"
NO_EXAMPLE = -1              # the example menu's value for "your own drawing" (None would show a blank menu)
ERROR_STYLE = f"color:{ERROR_RED};font-weight:bold;font-size:15px"

_ESM = """
function render({ model, el }) {
  const size = model.get("size");
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  canvas.className = "cnnlib-digit-pad";
  canvas.style.cssText = `width:${size}px;height:${size}px;touch-action:none;cursor:crosshair;` +
                         "border:2px solid #888;border-radius:4px;background:black";
  // From the keyboard: focusable, named, with a ring where the pen is (shown while focused) and a
  // live region that says where the pen is and whether it is down.
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "application");
  canvas.setAttribute("aria-roledescription", "drawing pad");
  canvas.setAttribute("aria-label", "Drawing pad of 28 by 28 pixels. Arrow keys move the pen one pixel, " +
    "with Shift three; Space puts the pen down or lifts it, and lifting sends the drawing to the network; " +
    "Delete clears the pad.");
  canvas.setAttribute("data-lm-suppress-shortcuts", "true");   // JupyterLab: these keys are the pad's
  const box = document.createElement("div");
  box.style.cssText = `position:relative;width:${size + 4}px;height:${size + 4}px`;
  const ring = document.createElement("div");
  ring.className = "cnnlib-pad-pen";
  ring.style.cssText = "position:absolute;pointer-events:none;display:none;box-sizing:border-box;" +
                       "border:3px solid #E69F00;border-radius:50%";
  const status = document.createElement("div");
  status.className = "cnnlib-pad-status";
  status.setAttribute("aria-live", "polite");
  status.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);" +
                         "white-space:nowrap";
  const cells = 28, cell = size / cells;
  const keyPen = { row: 14, col: 14, down: false };
  const pen = canvas.getContext("2d");
  let down = false, last = null, shown = null;

  function blank() { pen.fillStyle = "black"; pen.fillRect(0, 0, size, size); }
  function at(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * size / box.width, (event.clientY - box.top) * size / box.height];
  }
  function dot([x, y]) {
    pen.fillStyle = "white";
    pen.beginPath();
    pen.arc(x, y, model.get("pen_width") / 2, 0, 2 * Math.PI);
    pen.fill();
  }
  function line(a, b) {
    pen.strokeStyle = "white";
    pen.lineWidth = model.get("pen_width");
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.beginPath();
    pen.moveTo(a[0], a[1]);
    pen.lineTo(b[0], b[1]);
    pen.stroke();
  }
  // Whatever Python holds (a cleared pad, a drawing set from code) is what the pad shows.
  function show() {
    const value = model.get("value");
    if (value === shown) return;
    shown = value;
    blank();
    if (value) {
      const picture = new Image();
      picture.onload = () => pen.drawImage(picture, 0, 0, size, size);
      picture.src = value;
    }
  }
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    down = true;
    last = at(event);
    dot(last);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!down) return;
    const point = at(event);
    line(last, point);
    last = point;
  });
  function lift() {
    if (!down) return;
    down = false;
    shown = canvas.toDataURL("image/png");
    model.set("value", shown);
    model.save_changes();
  }
  canvas.addEventListener("pointerup", lift);
  canvas.addEventListener("pointercancel", lift);

  function centre() { return [(keyPen.col + 0.5) * cell, (keyPen.row + 0.5) * cell]; }
  function placeRing() {
    const width = Math.max(model.get("pen_width"), cell) + 6, [x, y] = centre();
    ring.style.width = ring.style.height = `${width}px`;
    ring.style.left = `${2 + x - width / 2}px`;      // 2: the canvas border
    ring.style.top = `${2 + y - width / 2}px`;
    ring.style.borderStyle = keyPen.down ? "solid" : "dashed";
  }
  function say(text) {
    status.textContent = text || `row ${keyPen.row + 1}, column ${keyPen.col + 1}, pen ${keyPen.down ? "down" : "up"}`;
  }
  function send() {
    shown = canvas.toDataURL("image/png");
    model.set("value", shown);
    model.save_changes();
  }
  const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  canvas.addEventListener("keydown", (event) => {
    if (event.key in MOVES) {
      const steps = event.shiftKey ? 3 : 1, [dr, dc] = MOVES[event.key], from = centre();
      keyPen.row = Math.min(cells - 1, Math.max(0, keyPen.row + dr * steps));
      keyPen.col = Math.min(cells - 1, Math.max(0, keyPen.col + dc * steps));
      if (keyPen.down) line(from, centre());
      say();
    } else if (event.key === " " || event.key === "Spacebar") {
      keyPen.down = !keyPen.down;
      if (keyPen.down) dot(centre()); else send();
      say(keyPen.down ? undefined : `pen up at row ${keyPen.row + 1}, column ${keyPen.col + 1}: drawing sent`);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      keyPen.down = false;
      blank();
      shown = "";
      model.set("value", "");
      model.save_changes();
      say("pad cleared");
    } else {
      return;                   // Tab and every other key keep their usual meaning
    }
    event.preventDefault();
    event.stopPropagation();
    placeRing();
  });
  canvas.addEventListener("focus", () => { ring.style.display = "block"; placeRing(); say(); });
  canvas.addEventListener("blur", () => {
    ring.style.display = "none";
    if (keyPen.down) { keyPen.down = false; send(); }
  });
  model.on("change:value", show);
  blank();
  show();
  box.append(canvas, ring, status);
  el.appendChild(box);
  return () => model.off("change:value", show);
}
export default { render };
"""


class DrawingPad(anywidget.AnyWidget):
    """A square black canvas to draw on in white. ``value``: the picture as a PNG data URL, sent
    when the pen lifts ("" when empty); set it from Python to show a picture, or "" to clear."""

    _esm = _ESM
    value = traitlets.Unicode("").tag(sync=True)
    size = traitlets.Int(PAD_PIXELS).tag(sync=True)
    pen_width = traitlets.Int(PEN_PIXELS).tag(sync=True)

    def show_array(self, image):
        """Put an H x W grey array in [0, 1] on the pad (white ink on black), as if drawn there."""
        self.value = array_to_data_url(image)


def array_to_data_url(image):
    """An H x W grey array in [0, 1] -> "data:image/png;base64,..." (what the pad sends).

    Inputs:   image  H x W array of numbers in [0, 1]
    Returns:  str, a PNG data URL

    >>> array_to_data_url(np.zeros((1, 1)))[:22]
    'data:image/png;base64,'
    """
    png = rgb_to_png(np.clip(np.asarray(image, dtype=float), 0, 1))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def data_url_to_array(url):
    """The pad's PNG data URL -> an H x W float array in [0, 1], the brightness of each pixel.

    Read by :func:`cnnlib.render.read_picture`, like every picture handed in: its size is checked
    from the header before any pixel is decoded. Raises ValueError for anything else.

    Inputs:   url  str, "data:image/png;base64,..."
    Returns:  H x W float64 array in [0, 1]

    >>> data_url_to_array(array_to_data_url(np.array([[0.0, 1.0]])))
    array([[0., 1.]])
    """
    header, _, payload = url.partition(",")
    if not header.startswith("data:image/png;base64"):
        raise ValueError("the drawing is not a PNG data URL")
    try:
        data = base64.b64decode(payload, validate=True)
    except binascii.Error:
        raise ValueError("the drawing's data URL is not valid base64") from None
    return read_picture(data)


def digit_drawing_explorer(model=None):
    """Draw a digit and watch a trained network read it.

    ``model``: a trained ``cnnlib.nn.Sequential`` on 1 x 32 x 32 inputs ending in 10 scores
    (``lenet5()`` after ``fit``); without one, an untrained ``lenet5()``, whose guesses mean nothing
    (every digit gets about 10%): a before-and-after comparison for the trained one.
    Controls: "canvas" (the :class:`DrawingPad`), "clear" (a button),
    "example" (a menu that puts one of the shipped MNIST test digits on the pad: the way in without
    a pointer, besides the pad's own keyboard pen) and "layer" (whose feature maps to show: one
    layer large, or every layer, the default).
    Views: "preprocessed" (the 28 x 28 digit the network reads), "probabilities" (a bar chart),
    "guess" (the top answer), "feature_maps", "message".
    ``.shown``: guess, confidence, probabilities (10 numbers), preprocessed (28 x 28), stages
    (names of the layers drawn), layer, example (the digit picked in the menu, or None), message,
    and, like every explorer, description (the guess in a sentence). A picture that cannot be read (not a PNG, more than
    ``cnnlib.render.MAX_PICTURE_PIXELS`` pixels, no ink) gives a message instead of a guess, and so
    does a model whose outputs are NaN or infinite (broken weights): its feature maps are still
    drawn, with NaN and infinite values in magenta, counted in the message.
    """
    if model is None:
        from ..nn import lenet5
        return DigitDrawingExplorer(lenet5(), untrained=True)
    return DigitDrawingExplorer(model)


class DigitDrawingExplorer(Explorer):
    """The widget :func:`digit_drawing_explorer` returns (see there)."""

    def __init__(self, model, untrained=False):
        if not isinstance(model, Sequential):
            raise TypeError(f"model must be a trained cnnlib.nn.Sequential such as lenet5(), got {type(model).__name__}")
        try:
            scores = tuple(model.output_shape((1, 32, 32)))
        except ValueError as err:
            raise ValueError(f"model must read 1 x 32 x 32 digits, as LeNet-5 does: {err}") from err
        if scores != (10,):
            raise ValueError(f"model must end in 10 scores, one per digit, got an output of shape {scores}")
        self.model = model
        self._untrained = untrained
        self._stages = [name for name, _ in layer_stages(model)]
        controls = {
            "canvas": DrawingPad(),
            "clear": widgets.Button(description="Clear", icon="eraser", tooltip="wipe the pad"),
            "example": widgets.Dropdown(options=[(OWN_DRAWING, NO_EXAMPLE)]
                                        + [(f"a {d} from MNIST's test set", d) for d in range(10)],
                                        value=NO_EXAMPLE, description="or start from",
                                        style={"description_width": "initial"},
                                        tooltip="put an MNIST test digit on the pad (you can draw over it)"),
            "layer": widgets.Dropdown(options=[*self._stages, ALL_LAYERS], value=ALL_LAYERS,
                                      description="feature maps", style={"description_width": "initial"}),
        }
        views = {
            "preprocessed": PictureView(width="168", height="168"),
            "probabilities": PictureView(),
            "guess": TextView(),
            "message": TextView(),
            "feature_maps": widgets.HBox(),
        }
        self._map_titles = [TextView() for _ in self._stages]
        self._map_images = [PictureView() for _ in self._stages]
        self._map_panels = [widgets.VBox([title, image], layout=widgets.Layout(margin="0 14px 0 0"))
                            for title, image in zip(self._map_titles, self._map_images)]
        views["feature_maps"].children = self._map_panels
        for name, view in views.items():
            view.add_class(f"cnnlib-drawing-{name.replace('_', '-')}")   # for the browser test
        self._build_bars()

        def column(title, *children):
            return widgets.VBox([widgets.HTML(f"<b>{html.escape(title)}</b>"), *children],
                                layout=widgets.Layout(margin="0 20px 0 0"))

        top = widgets.HBox([
            column("your drawing", controls["canvas"], controls["clear"], controls["example"]),
            column("what it reads: 28 x 28", views["preprocessed"], views["guess"]),
            column("its ten probabilities", views["probabilities"]),
        ])
        super().__init__([views["message"], top, controls["layer"], views["feature_maps"]], controls, views)
        controls["clear"].on_click(self._clear)
        self.observe_controls()                       # the pad's value (its picture) and the layer menu
        self.first_update()

    _own_drawing = ""                                 # what the pad held before an example replaced it

    def _clear(self, button=None):
        self.controls["canvas"].value = ""            # the pad wipes itself; update() runs on the change

    def _follow_example_menu(self, change):
        """The example menu puts its digit on the pad, and "your own drawing" brings back what the
        pad held before the first example; drawing on the pad or clearing it sets the menu back to
        "your own drawing" (the pad no longer shows the example as it was)."""
        example, pad = self.controls["example"], self.controls["canvas"]
        if change is not None and change["owner"] is example:
            if change["old"] == NO_EXAMPLE:
                self._own_drawing = pad.value
            if example.value != NO_EXAMPLE:
                pad.show_array(np.kron(mnist_example(example.value), np.ones((10, 10))))
            else:
                pad.value = self._own_drawing
        elif change is not None and change["owner"] is pad:
            example.value = NO_EXAMPLE
        self.shown["example"] = None if example.value == NO_EXAMPLE else example.value

    def _build_bars(self):
        # Axes drawn once; only the bars and their labels are redrawn on each drawing (blitting).
        self._bar_figure = BlittedFigure.create(5.2, 2.9, left=0.16, right=0.98, bottom=0.2, top=0.95)
        self._bar_figure.figure.set_dpi(80)
        with matplotlib.rc_context(PROJECTOR_RC):
            ax = self._bar_figure.figure.add_subplot()
            self._bars = ax.bar(np.arange(10), np.zeros(10), 0.7, color=OTHER_COLOR, edgecolor="black")
            self._bar_labels = [ax.text(k, 0.02, "", ha="center", fontsize=9) for k in range(10)]
            ax.set(xticks=np.arange(10), yticks=np.linspace(0, 1, 5), ylim=(0, 1.15), xlabel="digit",
                   ylabel="probability")
        for artist in [*self._bars, *self._bar_labels]:
            self._bar_figure.animate(artist)

    def _bars_png(self, probabilities):
        top = int(np.argmax(probabilities)) if probabilities is not None else None
        for k, (bar, label) in enumerate(zip(self._bars, self._bar_labels)):
            p = 0.0 if probabilities is None else float(probabilities[k])
            bar.set_height(p)
            bar.set_facecolor(PREDICTED_COLOR if k == top else OTHER_COLOR)
            label.set_y(p + 0.02)
            label.set_text("" if probabilities is None else f"{p:.2f}")
        return self._bar_figure.png()

    def _show_nothing(self, message, style):
        views = self.views
        views["message"].value = f"<div style='{style}'>{html.escape(message)}</div>"
        views["preprocessed"].value = array_to_png(np.zeros((28, 28)), cmap=IMAGE_CMAP, vmin=0, vmax=1, scale=6)
        views["probabilities"].value = self._bars_png(None)
        views["guess"].value = "<div style='font-size:20px;white-space:nowrap'>guess: &ndash;</div>"
        layer = self.controls["layer"].value
        for name, title, image, panel in zip(self._stages, self._map_titles, self._map_images, self._map_panels):
            panel.layout.display = None if layer in (ALL_LAYERS, name) else "none"
            title.value = f"<b>{html.escape(name)}</b><br><i>appears once you draw</i>"
            image.value = b""
        self.shown.update(guess=None, confidence=None, probabilities=None, preprocessed=None, stages=[],
                          layer=layer, message=message)

    def update(self, change=None):
        """Read the pad, preprocess, run the network once, and refresh every view."""
        self._follow_example_menu(change)
        url = self.controls["canvas"].value
        if not url:
            self._show_nothing(HINT, "font-size:15px")
            return
        try:
            drawing = data_url_to_array(url)
            digit = preprocess_drawing(drawing)
        except ValueError as problem:                                # an empty, unreadable or huge picture
            self._show_nothing(f"{str(problem).rstrip('.')}. {HINT}", ERROR_STYLE)
            return
        image = np.pad(digit, 2)[np.newaxis]                         # 1 x 32 x 32, as in training
        probabilities = predicted_probabilities(self.model, image)   # NaN for broken weights: said below
        stages = feature_map_stages(self.model, image)[1:]             # without the input itself
        views = self.views
        in_maps = nonfinite_note(np.concatenate([maps.ravel() for _, maps in stages]))
        if np.all(np.isfinite(probabilities)):
            guess = int(np.argmax(probabilities))
            confidence = float(probabilities[guess])
            message = f"In the feature maps, {in_maps}" if in_maps else ""
            views["message"].value = ("<div style='font-size:15px'>Lift the pen to update; <b>Clear</b> to start "
                                      "again. The network only knows digits drawn like MNIST's."
                                      + (" <b>This network is untrained: its guesses mean nothing yet.</b>"
                                         if self._untrained else "") + "</div>"
                                      + (f"<div style='{ERROR_STYLE}'>{html.escape(message)}</div>" if message else ""))
            views["guess"].value = (f"<div style='font-size:20px;white-space:nowrap'>guess: "
                                    f"<b class='cnnlib-guess'>{guess}</b> ({confidence:.0%} sure)</div>")
        else:
            guess = confidence = probabilities = None
            message = ("The network's outputs are NaN or infinite, so it has no guess: its weights are broken (by a "
                       "training run that diverged, for instance). Rebuild it or load good weights."
                       + (f" In the feature maps, {in_maps}" if in_maps else ""))
            views["message"].value = f"<div style='{ERROR_STYLE}'>{html.escape(message)}</div>"
            views["guess"].value = "<div style='font-size:20px;white-space:nowrap'>guess: &ndash;</div>"
        views["preprocessed"].value = array_to_png(digit, cmap=IMAGE_CMAP, vmin=0, vmax=1, scale=6)
        views["probabilities"].value = self._bars_png(probabilities)
        layer = self.controls["layer"].value
        for (name, maps), title, picture, panel in zip(stages, self._map_titles, self._map_images, self._map_panels):
            chosen = layer in (ALL_LAYERS, name)
            panel.layout.display = None if chosen else "none"
            if not chosen:
                continue
            pixels = MAPS_PIXELS * (2 if layer == name else 1)
            tiled, gaps = tile_maps(maps, *grid_shape(len(maps))), tile_gaps(maps.shape, *grid_shape(len(maps)))
            cmap, vmin, vmax = map_colours(maps)
            title.value = f"<b>{html.escape(name)}</b><br>{len(maps)} maps of {maps.shape[1]} x {maps.shape[2]}"
            picture.value = array_to_png(tiled, cmap=cmap, vmin=vmin, vmax=vmax, gaps=gaps,
                                         scale=max(1, pixels // max(tiled.shape)))
        self.shown.update(guess=guess, confidence=confidence, probabilities=probabilities, preprocessed=digit,
                          stages=[name for name, _ in stages if layer in (ALL_LAYERS, name)], layer=layer,
                          message=message)

    def describe(self):
        shown = self.shown
        if shown["guess"] is None:
            return shown["message"] or HINT
        ranked = np.argsort(shown["probabilities"])[::-1]
        second = int(ranked[1])
        source = ("an MNIST test digit" if shown.get("example") is not None else "your drawing")
        return (f"The network reads {source} as a {shown['guess']}, {shown['confidence']:.0%} sure; next most "
                f"likely {second}, {shown['probabilities'][second]:.0%}."
                + (" This network is untrained: its guesses mean nothing yet." if self._untrained else ""))

    def alt_texts(self):
        shown = self.shown
        if shown["preprocessed"] is None:
            alts = {"preprocessed": "The 28 x 28 digit the network reads: empty until you draw.",
                    "probabilities": "Bar chart of the ten probabilities, empty until you draw."}
            alts.update({image: f"Feature maps of {name}: empty until you draw."
                         for name, image in zip(self._stages, self._map_images)})
            return alts
        alts = {"preprocessed": ("The 28 x 28 digit the network reads: the drawing shrunk to fit a 20 x 20 box and "
                                 "centred by its mass, white on black.")}
        if shown["probabilities"] is None:
            alts["probabilities"] = "Bar chart of the ten probabilities: none, the network's outputs are not finite."
        else:
            listed = ", ".join(f"{d}: {p:.2f}" for d, p in enumerate(shown["probabilities"]))
            alts["probabilities"] = (f"Bar chart of the ten probabilities, the guess {shown['guess']} in blue: "
                                     f"{listed}.")
        for title, image in zip(self._map_titles, self._map_images):
            alts[image] = "Feature maps of " + plain_text(title.value).replace(" appears once you draw", "") + "."
        return alts


_EXAMPLES = {}


def mnist_example(digit):
    """The first test image of ``digit`` in the shipped MNIST subset: 28 x 28 floats in [0, 1].

    >>> mnist_example(7).shape
    (28, 28)
    """
    if not _EXAMPLES:
        from ..data import load_mnist
        _, (x_test, y_test) = load_mnist()
        _EXAMPLES.update({d: x_test[int(np.flatnonzero(y_test == d)[0]), 0].astype(float) for d in range(10)})
    return _EXAMPLES[int(digit)]
