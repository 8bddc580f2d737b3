"""What every widget builder returns: a VBox whose controls, views and displayed values tests can reach."""
import time

import ipywidgets as widgets
import numpy as np

from ._html import warning as warning_html


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
    """

    def __init__(self, children, controls, views):
        self.error_view = widgets.HTML()
        super().__init__([*children, self.error_view])
        self.add_class("cnnlib-explorer")   # lets the browser tests find every explorer on a page
        self.add_class(f"cnnlib-{type(self).__name__}")
        self.controls = dict(controls)
        self.views = dict(views)
        for view in self.views.values():
            view.add_class("cnnlib-view")   # what the browser benchmark watches for a change
        self.shown = {"error": ""}
        self.last_error = None
        self.update_ms = []
        self._updating = False

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
            with np.errstate(all="ignore"):
                self.update()
        finally:
            self._updating = False

    def _on_control(self, change):
        if self._updating:
            return
        self._updating = True
        start = time.perf_counter()
        try:
            # A student's settings may overflow or divide by zero; each explorer looks for NaN and inf
            # itself and says so in words, so numpy's warnings (bound for the log console) are muted.
            with np.errstate(all="ignore"):
                self.update(change)
        except Exception as error:      # shown in the explorer, not swallowed (see the class docstring)
            self._show_error(error)
        else:
            self._show_error(None)
        finally:
            self._updating = False
        name = next((key for key, control in self.controls.items() if control is change["owner"]), "?")
        self.update_ms = self.update_ms[-199:] + [(name, 1000 * (time.perf_counter() - start))]

    def _show_error(self, error):
        self.last_error = error
        message = "" if error is None else (
            f"Something went wrong while updating this explorer ({type(error).__name__}: {error}). "
            "This is a bug in cnnlib, not your mistake; move a control to go on.")
        self.error_view.value = warning_html(message)
        self.shown["error"] = message

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
