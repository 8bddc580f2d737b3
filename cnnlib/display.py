"""Show a matplotlib figure in a notebook with its alt text, where a screen reader meets it.

JupyterLab 4's PNG renderer builds a bare ``<img>`` and ignores ``metadata["image/png"]["alt"]``
(only nbconvert's HTML export reads it), so a figure shown with ``plt.show()`` is announced as
"image". :func:`show` sends the figure as an HTML ``<img alt="..." src="data:image/png;base64,...">``
instead, which JupyterLab, nbconvert and GitHub all render with the alt text, plus a ``text/plain``
fallback that *is* the alt text (what a terminal, ``nbval`` and a reader of the raw file see).

The picture sits on an opaque white background with a grey frame, so it stays legible in
JupyterLab's dark theme.

nbval compares the HTML after ``tests/nbval_sanitize.cfg`` replaces the base64 payload, so only the
alt text (deterministic: write numbers rounded) is compared, not the pixels.
"""
import base64
import html

from .render import figure_to_png

__all__ = ["show", "figure_with_alt", "check_alt", "AltFigure", "MIN_ALT_WORDS"]

MIN_ALT_WORDS = 6           # "a plot" is not alt text: say what the figure shows and its key numbers


class AltFigure:
    """A figure ready to display: PNG bytes and the sentence that describes them.

    Jupyter calls :meth:`_repr_mimebundle_`; ``str()`` is the alt text.
    """

    def __init__(self, png, alt):
        self.png = png
        self.alt = alt

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = base64.b64encode(self.png).decode("ascii")
        alt = html.escape(self.alt, quote=True)
        image = (f'<img src="data:image/png;base64,{data}" alt="{alt}" '
                 f'style="max-width:100%; height:auto; background:#fff; border:1px solid #ccc; '
                 f'padding:4px"/>')
        return {"text/html": f'<div class="cnnlib-figure">{image}</div>',
                "text/plain": f"[figure] {self.alt}"}

    def __str__(self):
        return self.alt

    def __repr__(self):
        return f"[figure] {self.alt}"


def check_alt(alt):
    """The alt text rule every figure follows: a sentence of at least ``MIN_ALT_WORDS`` words.

    Inputs:   alt  the description of a figure
    Returns:  alt, stripped

    >>> check_alt("Three kernels side by side: blur, sharpen and edge.")
    'Three kernels side by side: blur, sharpen and edge.'
    >>> check_alt("a plot")
    Traceback (most recent call last):
    ...
    ValueError: alt must describe what the figure shows and its key numbers in a sentence of at least 6 words, got 'a plot'
    """
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str (a sentence describing the figure), got {type(alt).__name__}")
    alt = " ".join(alt.split())
    if len(alt.split()) < MIN_ALT_WORDS:
        raise ValueError(f"alt must describe what the figure shows and its key numbers in a sentence of at "
                         f"least {MIN_ALT_WORDS} words, got {alt!r}")
    return alt


def figure_with_alt(fig, alt, *, dpi=None):
    """The figure as an :class:`AltFigure` (PNG plus alt text), without displaying it.

    Inputs:   fig  a matplotlib Figure
              alt  a sentence: what the figure shows, what matters in it, its key numbers
              dpi  pixels per inch, None for the figure's own
    Returns:  AltFigure

    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> shown = figure_with_alt(fig, "An empty two by one inch test figure.")
    >>> str(shown), shown.png[:4]
    ('An empty two by one inch test figure.', b'\\x89PNG')
    """
    alt = check_alt(alt)
    if not hasattr(fig, "savefig"):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    # Opaque white behind the axes: a transparent figure turns its black text invisible in a dark theme.
    fig.patch.set_alpha(1.0)
    fig.patch.set_facecolor("white")
    return AltFigure(figure_to_png(fig, dpi=dpi), alt)


def show(fig, alt, *, dpi=None):
    """Display a matplotlib figure in the notebook with alt text, and close it.

    Use it instead of ``plt.show()``: every figure in the series goes through here, so a screen
    reader announces what the figure shows rather than "image".

    Inputs:   fig  a matplotlib Figure (pyplot's or not)
              alt  a sentence: what the figure shows, what matters in it, its key numbers
    Returns:  None (the figure is displayed, then closed so pyplot does not show it a second time)

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> show(fig, "An empty set of axes, used in this example.")
    An empty set of axes, used in this example.
    """
    shown = figure_with_alt(fig, alt, dpi=dpi)
    _close(fig)
    try:
        from IPython.display import display
    except ImportError:                   # plain Python: the description is what can be shown
        print(repr(shown))
        return
    display(shown)


def _close(fig):
    import sys
    pyplot = sys.modules.get("matplotlib.pyplot")   # only if the notebook uses pyplot at all
    if pyplot is not None:
        pyplot.close(fig)
