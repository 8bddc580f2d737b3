"""What every widget builder returns: a VBox whose controls, views and displayed values tests can reach."""
import contextlib
import html
import math
import re
import time

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from ._html import warning as warning_html

# The readout's browser code: a live region a screen reader announces when its text changes, and
# the accessibility that ipywidgets 8 leaves out, added to every control of the explorer around it
# (kept up as views re-render): a name on each slider handle (its description) and the value as
# text (the readout: a log slider's handle reports the exponent), the Play widget's icon buttons
# named, toggle buttons that say which one is pressed, and each picture's alt text from its
# ``tooltip`` (the title ipywidgets puts on the <img>). Focus rings come from _READOUT_CSS.
_READOUT_ESM = """
const PLAY_NAMES = ["play or pause", "stop and go back to the start", "repeat"];
function set(node, name, value) {
  if (value && node.getAttribute(name) !== value) node.setAttribute(name, value);
}
function patch(root) {
  // ipywidgets writes a missing tooltip as title="null", which a screen reader would read out.
  for (const node of root.querySelectorAll('[title="null"]')) node.removeAttribute("title");
  for (const img of root.querySelectorAll("img[title]")) set(img, "alt", img.getAttribute("title"));
  for (const handle of root.querySelectorAll(".noUi-handle")) {
    const slider = handle.closest(".widget-slider");
    if (!slider) continue;
    const label = slider.querySelector(".widget-label");
    const readout = slider.querySelector(".widget-readout");
    set(handle, "aria-label", label ? label.textContent.trim() : "");
    set(handle, "aria-valuetext", readout ? readout.textContent.trim() : "");
  }
  for (const play of root.querySelectorAll(".widget-play")) {
    play.querySelectorAll("button").forEach((button, k) => {
      const pause = k === 0 && button.querySelector(".fa-pause");
      set(button, "aria-label", pause ? "pause" : k === 0 ? "play" : PLAY_NAMES[k]);
    });
  }
  for (const group of root.querySelectorAll(".widget-toggle-buttons")) {
    const label = group.querySelector(".widget-label");
    const buttons = group.querySelector(".widget-toggle-button-container") || group;
    set(buttons, "role", "group");
    set(buttons, "aria-label", label ? label.textContent.trim() : "");
    for (const button of group.querySelectorAll("button")) {
      set(button, "aria-pressed", button.classList.contains("mod-active") ? "true" : "false");
    }
  }
}
// JupyterLab's notebook shortcuts listen for keys on the whole page: in command mode the arrow keys
// move to another cell (taking the focus away from a drop-down or a slider), and single letters
// insert (a, b) or delete (d d) cells. Keys pressed on a control of the explorer stay there; Tab,
// Escape, Shift+Enter and anything with Ctrl, Alt or Cmd still reach JupyterLab.
const OWN_KEYS = /^(Arrow(Up|Down|Left|Right)|Home|End|PageUp|PageDown|Enter| |.)$/;
function keepKeys(event) {
  const target = event.target;
  if (!(target instanceof Element) || !target.matches("select, input, textarea, button, canvas, [tabindex]")) return;
  if (event.ctrlKey || event.altKey || event.metaKey || (event.shiftKey && event.key === "Enter")) return;
  if (OWN_KEYS.test(event.key)) event.stopPropagation();
}
function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "cnnlib-readout-text";
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  box.setAttribute("aria-atomic", "true");
  const show = () => { box.textContent = model.get("value"); };
  show();
  model.on("change:value", show);
  el.appendChild(box);
  let observer = null, timer = null, stopped = false;
  function attach(tries) {
    if (stopped) return;
    const root = el.closest(".cnnlib-explorer");
    if (!root) {
      if (tries < 200) setTimeout(() => attach(tries + 1), 100);
      return;
    }
    patch(root);
    if (!root.dataset.cnnlibKeys) {        // once per explorer, however often the readout is re-rendered
      root.dataset.cnnlibKeys = "kept";
      root.addEventListener("keydown", keepKeys);
    }
    observer = new MutationObserver(() => {
      if (timer === null) timer = setTimeout(() => { timer = null; patch(root); }, 0);
    });
    observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ["title", "class", "aria-valuenow"] });
  }
  attach(0);
  return () => {
    stopped = true;
    model.off("change:value", show);
    if (observer) observer.disconnect();
  };
}
export default { render };
"""

# A focus ring on every control of an explorer (some JupyterLab and ipywidgets styles remove or thin
# it), in the palette's blue, which keeps 3:1 against both the light and the dark theme; the
# readout's text in the theme's own colour; the error red and note brown lightened in a dark theme.
_READOUT_CSS = """
.cnnlib-explorer :is(button, input, select, textarea, canvas, [tabindex]):focus-visible,
.cnnlib-explorer .noUi-handle:focus {
  outline: 3px solid #0072B2 !important;
  outline-offset: 2px !important;
}
.cnnlib-readout-text {
  font-size: 15px;
  line-height: 1.4;
  color: var(--jp-ui-font-color1, #000);
  max-width: 900px;
  margin: 4px 0;
}
/* JupyterLab's dark theme: the series' dark error red, note brown and "right" green are lightened
   wherever they colour text on the page's own (transparent) background; cells with a background of
   their own keep them. */
body[data-jp-theme-light="false"] .cnnlib-explorer [style*="#b00020"]:not([style*="background"]) {
  color: #ff8a80 !important;
}
body[data-jp-theme-light="false"] .cnnlib-explorer [style*="#8a4b00"]:not([style*="background"]) {
  color: #ffcc80 !important;
}
body[data-jp-theme-light="false"] .cnnlib-explorer [style*="#1b6e20"]:not([style*="background"]) {
  color: #a5d6a7 !important;
}
"""
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|tr|li)>", re.IGNORECASE)


def plain_text(markup):
    """HTML (and the $...$ of HTMLMath) as one line of plain text, for a readout or an alt text.

    >>> plain_text("f(2.0) = <b>0.88</b> &emsp; f'(2.0)<br>saturated: x<sub>1</sub>")
    "f(2.0) = 0.88 f'(2.0) saturated: x1"
    """
    text = html.unescape(_TAG.sub("", _BREAK.sub(" ", str(markup))))
    text = text.replace("$", "").replace("\\,", " ").replace("\\|", "|").replace("\\", "")
    return " ".join(text.split())


class Readout(anywidget.AnyWidget):
    """One line of text that a screen reader announces whenever it changes (an aria-live region);
    its browser code also names the controls of the explorer it sits in (see ``_READOUT_ESM``)."""

    _esm = _READOUT_ESM
    _css = _READOUT_CSS
    value = traitlets.Unicode("").tag(sync=True)


def _rounding_echo(change):
    """True for a float control's change that only rounding made: when the kernel sets a float
    slider (a new range and value, say), the browser's slider recomputes the value from its steps and
    sends it back (1.5000000000000002 for 1.5); updating again for that would redraw everything a
    second time for the same picture."""
    old, new = change["old"], change["new"]
    if type(old) is not float or type(new) is not float or not (math.isfinite(old) and math.isfinite(new)):
        return False                    # from or to inf or NaN is always a real change
    return new != old and abs(new - old) <= 1e-9 * max(1.0, abs(old))


class Explorer(widgets.VBox):
    """An ipywidgets.VBox with the shape every explorer in the series shares.

    ``controls``: name -> the ipywidget a user moves (slider, dropdown, text box, button).
    ``views``: name -> the output widget that shows a result (Image, HTML).
    ``shown``: name -> what the widget currently displays (label texts, arrays, warnings). It is
    output only: :meth:`update` writes it and nothing reads it back, so plain pytest can set a
    control and assert on the result.

    A subclass builds its controls and views once, calls :meth:`observe_controls` and
    :meth:`first_update`, and in
    :meth:`update` changes the *values* of existing widgets rather than building new ones
    (a student feels every widget the browser has to re-create). When ``update`` itself sets a
    control (a range that shrinks, a preset that fills a text box), that change does not call
    ``update`` again: the running update already reads the new value.

    ``update_ms``: how long each update triggered by a control took, as (control name,
    milliseconds) pairs, newest last (the browser benchmark reads them).

    No exception ever leaves an update a control started: in the browser it would only reach the
    log console, and the student would see a picture that silently stopped following the controls.
    Each explorer says what is wrong with a setting in its own words; anything it did not foresee
    is shown in ``error_view``, the explorer's last line, in the error red (``shown["error"]``,
    '' when the last update went well), kept in ``last_error`` with its traceback, and cleared by
    the next update that succeeds.

    Every explorer also says what it shows in words, for a screen reader and for anyone who cannot
    read the picture: after each update, :meth:`describe` gives a sentence (the current result and
    its key numbers), kept in ``shown["description"]`` and written to ``description_view`` (a live region the
    screen reader announces; its browser code also names the controls, see ``Readout``), and
    :meth:`alt_texts` gives each picture its alt text, set as the Image's ``tooltip`` (the title
    of its <img>, which the readout's browser code copies to ``alt``), kept in ``shown["alt"]``.
    """

    def __init__(self, children, controls, views):
        self.error_view = widgets.HTML()
        self.description_view = Readout()
        self.description_view.add_class("cnnlib-readout")
        super().__init__([*children, self.description_view, self.error_view])
        self.add_class("cnnlib-explorer")   # lets the browser tests find every explorer on a page
        self.add_class(f"cnnlib-{type(self).__name__}")
        self.controls = dict(controls)
        self.views = dict(views)
        for view in self.views.values():
            view.add_class("cnnlib-view")   # what the browser benchmark watches for a change
        self.shown = {"error": "", "description": "", "alt": {}}
        self.last_error = None
        self.update_ms = []
        self._updating = False
        self._fixed_alts = set()     # ids of pictures whose tooltip was set when built (a legend): kept
        self._seen_images = set()

    def observe_controls(self, names=None):
        """Call :meth:`update` whenever one of the controls ``names`` (default: all that have a
        value) changes."""
        for name in names if names is not None else self.controls:
            control = self.controls[name]
            if control.has_trait("value"):
                control.observe(self._on_control, names="value")

    def first_update(self):
        """The update that fills the views when the explorer is built (control changes it makes
        do not start another one)."""
        self._updating = True
        try:
            with np.errstate(all="ignore"), self.held_sync():
                self.update()
                self.refresh_description()
        finally:
            self._updating = False

    def _on_control(self, change):
        if self._updating or _rounding_echo(change):
            return
        self._updating = True
        start = time.perf_counter()
        try:
            with self.held_sync(skip=change["owner"]):
                try:
                    # A student's settings may overflow or divide by zero; each explorer looks for NaN and
                    # inf itself and says so in words, so numpy's warnings (bound for the log console) are
                    # muted.
                    with np.errstate(all="ignore"):
                        self.update(change)
                        self.refresh_description()
                except Exception as error:  # shown in the explorer, not swallowed (see the class docstring)
                    self._show_error(error)
                else:
                    self._show_error(None)
        finally:
            self._updating = False
        name = next((key for key, control in self.controls.items() if control is change["owner"]), "?")
        self.update_ms = self.update_ms[-199:] + [(name, 1000 * (time.perf_counter() - start))]

    def widgets_inside(self):
        """The explorer and every widget in it (its children's children, and every view), each once."""
        found, seen, stack = [], set(), [self, *self.views.values()]
        while stack:
            widget = stack.pop()
            if id(widget) in seen or not isinstance(widget, widgets.Widget):
                continue
            seen.add(id(widget))
            found.append(widget)
            stack.extend(getattr(widget, "children", ()))
        return found

    @contextlib.contextmanager
    def held_sync(self, skip=None):
        """Within it, every widget of the explorer (except ``skip``, the control that started the
        update) keeps its changes and sends them in one message at the end: a picture whose bytes
        and alt text both change is then decoded once, not twice (an ipywidgets Image view makes a
        new picture on any change of its model), and the browser gets one burst instead of a
        message per trait."""
        with contextlib.ExitStack() as stack:
            for widget in self.widgets_inside():
                if widget is not skip:
                    stack.enter_context(widget.hold_sync())
            yield

    def _show_error(self, error):
        self.last_error = error
        message = "" if error is None else (
            f"Something went wrong while updating this explorer ({type(error).__name__}: {error}). "
            "This is a bug in cnnlib, not your mistake; move a control to go on.")
        self.error_view.value = warning_html(message)
        self.shown["error"] = message
        if message:
            self.description_view.value = self.shown["description"] = message

    def describe(self):
        """What the explorer shows now, in one or two plain sentences with the key numbers
        ("Output (1, 2): the window ... sums to 114."). Subclasses override it; '' says nothing."""
        return ""

    def alt_texts(self):
        """Alt text for the pictures: {view name or Image widget: sentence}. A picture not listed
        gets the one given when it was built (its ``tooltip``, for a fixed legend) or else
        :meth:`describe`'s sentence. Subclasses override it."""
        return {}

    def picture_widgets(self):
        """Every ``ipywidgets.Image`` inside the explorer, in page order."""
        found, stack = [], list(reversed(self.children))
        while stack:
            widget = stack.pop()
            if isinstance(widget, widgets.Image):
                found.append(widget)
            stack.extend(reversed(getattr(widget, "children", ())))
        return found

    def refresh_description(self):
        """Write :meth:`describe` to ``description_view`` and ``shown["description"]``, and each picture's alt
        text (:meth:`alt_texts`) to its ``tooltip`` and ``shown["alt"]``. Runs after every update;
        call it after changing a view outside :meth:`update` (a training callback)."""
        description = " ".join(str(self.describe() or "").split())
        named = {}
        for key, text in self.alt_texts().items():
            widget = self.views.get(key) if isinstance(key, str) else key
            if widget is not None:
                named[id(widget)] = " ".join(str(text).split())
        fallback = description or f"A picture drawn by the {type(self).__name__}."
        for image in self.picture_widgets():
            if id(image) not in self._seen_images:
                self._seen_images.add(id(image))
                _give_alt_trait(image)
                if image.tooltip and id(image) not in named:
                    self._fixed_alts.add(id(image))
            if id(image) in self._fixed_alts:
                continue
            alt = named.get(id(image)) or fallback
            if image.tooltip != alt:
                image.tooltip = alt
        if self.description_view.value != description:
            self.description_view.value = description
        self.shown["description"] = description
        self.shown["alt"] = {name: view.tooltip for name, view in self.views.items()
                             if isinstance(view, widgets.Image)}

    def changed(self, change, *names):
        """True when this update is the first one (``change`` None) or comes from one of ``names``."""
        return change is None or any(change["owner"] is self.controls[name] for name in names)

    def update(self, change=None):
        """Recompute from the controls and refresh the views; subclasses override this."""
        raise NotImplementedError(f"{type(self).__name__} does not define update()")

    def __repr__(self):
        # The text/plain fallback a notebook stores: stable from run to run (no model ids, no
        # numbers that change), so nbval and a reader of the raw file see the same thing.
        # Short, too: ipywidgets cuts a widget's text/plain at 110 characters.
        return f"{type(self).__name__}(controls={len(self.controls)})"


def _give_alt_trait(image):
    """Let an Image's ``tooltip`` reach the page: ipywidgets 8 (8.1.9) writes it as the <img>'s
    title only when the model's ``description`` is empty, and an Image has no ``description``
    trait, so its view fails ("Cannot read properties of undefined (reading 'length')") and the
    picture is not drawn at all. An empty synced ``description`` makes the title appear."""
    if not image.has_trait("description"):
        image.add_traits(description=traitlets.Unicode("").tag(sync=True))
