"""BlittedFigure: the fast re-render behind the line and bar widgets (activations, entropy, training).

Axes, ticks and labels are drawn once; on each change only the moving artists are redrawn, and
the result is encoded as a PNG for an ``ipywidgets.Image``.
"""
import io

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..plots import PROJECTOR_RC


class BlittedFigure:
    """A matplotlib Figure rendered to PNG bytes quickly enough for a slider.

    ``animate(artist)`` marks an artist as moving. ``redraw_background()`` draws everything else
    (axes, ticks, titles) once, and must be called again when those change; ``png()`` pastes that
    background and draws only the moving artists on top, a few milliseconds instead of a full draw.
    """

    def __init__(self, figure):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self._animated = []
        self._background = None
        self._saved_backgrounds = {}

    @classmethod
    def create(cls, width, height, **margins):
        """A new projector-styled figure with fixed margins (``subplots_adjust`` keywords).

        Fixed margins rather than constrained layout: a background redraw then skips the layout solver.
        Create axes and artists inside ``matplotlib.rc_context(PROJECTOR_RC)`` so they get its font sizes.
        """
        with matplotlib.rc_context(PROJECTOR_RC):
            figure = Figure(figsize=(width, height), layout="none")
        figure.subplots_adjust(**margins)
        return cls(figure)

    def animate(self, artist):
        artist.set_animated(True)
        self._animated.append(artist)
        return artist

    def forget(self, artist):
        """Stop drawing an animated artist and remove it from its figure."""
        self._animated.remove(artist)
        artist.remove()

    def redraw_background(self, key=None):
        """Draw the static parts again. With a ``key``, keep the result and reuse it the next time
        the same key is asked for (the caller must have set the same limits and titles again)."""
        if key is not None and key in self._saved_backgrounds:
            self._background = self._saved_backgrounds[key]
            return
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        if key is not None:
            self._saved_backgrounds[key] = self._background

    def png(self):
        if self._background is None:
            self.redraw_background()
        self.canvas.restore_region(self._background)
        for artist in self._animated:
            self.figure.draw_artist(artist)
        width, height = self.canvas.get_width_height(physical=True)
        rgb = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
        buffer = io.BytesIO()
        # Level 3 is several times faster than the default and the files stay small for flat plots.
        rgb.save(buffer, format="png", compress_level=3)
        return buffer.getvalue()
