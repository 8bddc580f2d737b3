"""What every widget builder returns: a VBox whose controls, views and displayed values tests can reach."""
import ipywidgets as widgets


class Explorer(widgets.VBox):
    """An ipywidgets.VBox with the attributes every explorer in the series shares.

    ``controls``: name -> the ipywidget a user moves (slider, dropdown, text box).
    ``views``: name -> the output widget that shows a result (Image, HTML, Output).
    ``shown``: name -> what the widget currently displays (label texts, arrays, warnings),
    written by :meth:`update` only, so plain pytest can set a control and assert on the result.

    A subclass builds its controls and views once, observes its controls with :meth:`update`,
    and in ``update`` changes the *values* of existing widgets rather than building new ones
    (a student feels every widget the browser has to re-create).
    """

    def __init__(self, children, controls, views=None, **kwargs):
        super().__init__(children, **kwargs)
        self.add_class("cnnlib-explorer")   # lets the browser tests find every explorer on a page
        self.controls = dict(controls)
        self.views = dict(views or {})
        self.shown = {}

    def update(self, change=None):
        """Recompute from the controls and refresh the views; subclasses override this."""
        raise NotImplementedError(f"{type(self).__name__} does not define update()")

    def __repr__(self):
        # The text/plain fallback a notebook stores: stable from run to run (no model ids, no
        # numbers that change), so nbval and a reader of the raw file see the same thing.
        # Short, too: ipywidgets cuts a widget's text/plain at 110 characters.
        return f"{type(self).__name__}(controls={len(self.controls)})"
