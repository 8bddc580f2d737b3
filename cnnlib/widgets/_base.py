"""What every widget builder returns: a VBox whose controls and displayed values tests can reach."""
import ipywidgets as widgets


class Explorer(widgets.VBox):
    """An ipywidgets.VBox with two extra attributes.

    ``controls``: name -> the ipywidget a user moves (slider, dropdown, text box).
    ``shown``: name -> what the widget currently displays (label texts, arrays, warnings),
    updated on every change, so plain pytest can set a control and assert on the result.
    """

    def __init__(self, children, controls, **kwargs):
        super().__init__(children, **kwargs)
        self.add_class("cnnlib-explorer")   # lets the browser tests find every explorer on a page
        self.controls = dict(controls)
        self.shown = {}
