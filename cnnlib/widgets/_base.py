"""What every widget builder returns: a VBox whose controls, views and displayed values tests can reach."""
import contextlib
import html
import math
import re
import time

import ipywidgets as widgets
import numpy as np
import traitlets

from ._board import Board, PictureView, TextView
from ._html import warning as warning_html

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
    ``views``: name -> the output widget that shows a result: a :class:`PictureView` or :class:`TextView`
    (carried by the explorer's :class:`Board`, so one update is one message; see ``_board.py``),
    or any other widget (a drawing pad).
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
    its key numbers), kept in ``shown["description"]`` and written to ``description_view`` (the :class:`Board`: a live region the
    screen reader announces; its browser code also names the controls), and
    :meth:`alt_texts` gives each picture its alt text, set as its ``tooltip`` (the ``alt`` and
    title of its <img>), kept in ``shown["alt"]``.
    """

    def __init__(self, children, controls, views):
        self.error_view = TextView()
        self.description_view = Board()
        self.description_view.add_class("cnnlib-readout")
        super().__init__([*children, self.description_view, self.error_view])
        self.add_class("cnnlib-explorer")   # lets the browser tests find every explorer on a page
        self.add_class(f"cnnlib-{type(self).__name__}")
        self.controls = dict(controls)
        self.views = dict(views)
        for view in self.views.values():
            view.add_class("cnnlib-view")   # what the browser benchmark watches for a change
        # Every PictureView and TextView of the explorer rides on the board: the named views, and any other
        # (a feature map's caption, one picture of a row) under a name of its own.
        named = {**self.views, "explorer_error": self.error_view}
        unnamed = [w for w in self.widgets_inside() if isinstance(w, (PictureView, TextView))
                   and all(w is not view for view in named.values())]
        self.description_view.bind({**named, **{f"part_{k}": w for k, w in enumerate(unnamed)}})
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
        update) keeps its changes and sends them in one message at the end. The views' content all
        lives on the board, so an update sends one message for every picture and text it changed
        (plus one per control it moved, a range that shrinks), and the browser lays the page out once."""
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
        """Every picture inside the explorer (a :class:`PictureView`, or an ``ipywidgets.Image`` such as a
        fixed legend), in page order."""
        found, stack = [], list(reversed(self.children))
        while stack:
            widget = stack.pop()
            if isinstance(widget, (PictureView, widgets.Image)):
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
                if isinstance(image, widgets.Image):
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
                             if isinstance(view, (PictureView, widgets.Image))}

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
