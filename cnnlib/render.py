"""Pictures as PNG bytes for ``ipywidgets.Image``: the one place that encodes, colours and blits.

Every widget picture goes through here: :func:`rgb_to_png` encodes, :func:`colour` maps values
through a colour map, :func:`upscale` enlarges small arrays into visible cells,
:func:`array_to_png` does all three, :func:`figure_to_png` and :func:`canvas_to_png` encode
matplotlib drawings, and :class:`BlittedFigure` redraws only the moving parts of a figure.
Light compression throughout: a PNG here only travels to the browser, and level 1 encodes
several times faster than the default.
"""
import io
import struct
import zlib

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COMPRESS_LEVEL = 1
NAN_RGB = (1.0, 1.0, 1.0)


def rgb_to_png(picture):
    r"""PNG bytes of an H x W grey, H x W x 3 RGB or H x W x 4 RGBA picture: floats in [0, 1] or uint8.

    Written directly with zlib and no per-row filters: for the flat colours of plots and cells this
    is as small as Pillow's output and about five times faster to make.

    Inputs:   picture  H x W, H x W x 3 or H x W x 4 array: floats (clipped to [0, 1]) or uint8
    Returns:  bytes, a PNG file of W x H pixels (8 bits per channel)

    >>> png = rgb_to_png(np.zeros((2, 3)))              # a black picture 2 rows high, 3 columns wide
    >>> png[:8]                                         # every PNG file starts so
    b'\x89PNG\r\n\x1a\n'
    >>> import struct
    >>> struct.unpack(">II", png[16:24])                # width, height from the IHDR chunk
    (3, 2)
    """
    picture = np.asarray(picture)
    if picture.dtype != np.uint8:
        picture = np.round(np.clip(picture, 0, 1) * 255).astype(np.uint8)
    height, width = picture.shape[:2]
    channels = 1 if picture.ndim == 2 else picture.shape[2]
    colour_type = {1: 0, 3: 2, 4: 6}[channels]
    rows = np.empty((height, width * channels + 1), dtype=np.uint8)
    rows[:, 0] = 0                                   # filter type 0 (none) on every row
    rows[:, 1:] = picture.reshape(height, -1)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), COMPRESS_LEVEL)) + chunk(b"IEND", b""))


def colour(values, cmap="gray", vmin=None, vmax=None, nan_rgb=NAN_RGB):
    """H x W values -> H x W x 3 floats through colour map ``cmap`` on [vmin, vmax] (default: the
    data's range); NaN cells get ``nan_rgb`` (white gaps between tiled maps, for instance).

    Inputs:   values      H x W array of numbers (NaN allowed)
              cmap        name of a matplotlib colour map
              vmin, vmax  numbers or None
              nan_rgb     (r, g, b) in [0, 1]
    Returns:  H x W x 3 float64 array in [0, 1]

    >>> rgb = colour(np.array([[0.0, 0.5, 1.0, np.nan]]))   # grey: black, mid grey, white; NaN white
    >>> rgb.shape
    (1, 4, 3)
    >>> rgb[0, :, 0].round(2)
    array([0. , 0.5, 1. , 1. ])
    """
    values = np.asarray(values, dtype=float)
    gaps = np.isnan(values)
    finite = values[~gaps]
    lo = (float(finite.min()) if finite.size else 0.0) if vmin is None else float(vmin)
    hi = (float(finite.max()) if finite.size else 1.0) if vmax is None else float(vmax)
    lookup = matplotlib.colormaps[cmap](np.linspace(0, 1, 256))[:, :3]
    span = (hi - lo) or 1.0
    levels = np.clip((np.where(gaps, lo, values) - lo) / span * 255 + 0.5, 0, 255).astype(np.intp)
    rgb = lookup[levels]
    if gaps.any():
        rgb[gaps] = nan_rgb
    return rgb


def scale_for(shape, pixels):
    """The whole factor that enlarges an array of ``shape`` to about ``pixels`` across (at least 1).

    Inputs:   shape   the array's shape, (H, W, ...)
              pixels  int, the wanted size of the longer side
    Returns:  int >= 1

    >>> scale_for((28, 28), 200), scale_for((300, 10), 200)     # 28 x 7 = 196; already too large
    (7, 1)
    """
    return max(1, pixels // max(shape[:2]))


def upscale(picture, scale):
    """Each pixel repeated ``scale`` times in both directions (crisp cells, no smoothing).

    Inputs:   picture  H x W or H x W x channels array
              scale    int (1 or less: the picture itself)
    Returns:  (H * scale) x (W * scale) (x channels) array, the picture's dtype

    >>> upscale(np.eye(2), 2)
    array([[1., 1., 0., 0.],
           [1., 1., 0., 0.],
           [0., 0., 1., 1.],
           [0., 0., 1., 1.]])
    """
    if scale <= 1:
        return picture
    return np.repeat(np.repeat(picture, scale, axis=0), scale, axis=1)


def array_to_png(values, *, cmap="gray", vmin=None, vmax=None, scale=1):
    r"""A 2D array through ``cmap`` (or an H x W x 3 RGB picture in [0, 1]) as PNG bytes, each
    pixel ``scale`` pixels wide. Far faster than drawing a figure: it keeps image widgets instant.

    Inputs:   values      H x W array of numbers, or H x W x 3 RGB floats in [0, 1]
              cmap, vmin, vmax  as for :func:`colour`
              scale       int, pixels per cell
    Returns:  bytes, a PNG file of (W * scale) x (H * scale) pixels

    >>> import struct
    >>> png = array_to_png(np.eye(3), scale=10)
    >>> png[:8], struct.unpack(">II", png[16:24])               # the PNG signature; 30 x 30 pixels
    (b'\x89PNG\r\n\x1a\n', (30, 30))
    """
    values = np.asarray(values, dtype=float)
    rgb = values if values.ndim == 3 else colour(values, cmap, vmin, vmax)
    return rgb_to_png(upscale(rgb, scale))


def figure_to_png(fig, dpi=None):
    r"""A whole matplotlib Figure drawn and encoded as PNG bytes.

    Inputs:   fig  a matplotlib Figure
              dpi  pixels per inch, or None for rcParams["savefig.dpi"] (by default the figure's own)
    Returns:  bytes, a PNG file of about width x dpi by height x dpi pixels

    >>> from matplotlib.figure import Figure
    >>> png = figure_to_png(Figure(figsize=(2, 1)), dpi=50)
    >>> png[:8]
    b'\x89PNG\r\n\x1a\n'
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": COMPRESS_LEVEL})
    return buffer.getvalue()


def canvas_to_png(canvas):
    r"""PNG bytes of what an Agg canvas holds now (no new drawing).

    Inputs:   canvas  a matplotlib FigureCanvasAgg (drawn at least once)
    Returns:  bytes, an RGB PNG file of the canvas's size in pixels

    >>> import struct
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> from matplotlib.figure import Figure
    >>> canvas = FigureCanvasAgg(Figure(figsize=(2, 1), dpi=50)); canvas.draw()
    >>> png = canvas_to_png(canvas)
    >>> png[:8], struct.unpack(">II", png[16:24])               # 2 x 50 by 1 x 50 pixels
    (b'\x89PNG\r\n\x1a\n', (100, 50))
    """
    return rgb_to_png(np.asarray(canvas.buffer_rgba())[:, :, :3])


class BlittedFigure:
    """A matplotlib Figure rendered to PNG bytes quickly enough for a slider.

    ``animate(artist)`` marks an artist as moving. ``redraw_background()`` draws everything else
    (axes, ticks, titles) once, and must be called again when those change; ``png()`` pastes that
    background and draws only the moving artists on top: a few milliseconds instead of a full draw.
    """

    def __init__(self, figure):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self._animated = []
        self._background = None
        self._saved_backgrounds = {}

    @classmethod
    def create(cls, width, height, *, dpi=100, **margins):
        """A new figure of ``width`` x ``height`` inches with fixed margins (``subplots_adjust`` keywords).

        Fixed margins rather than constrained layout: a background redraw then skips the layout solver.
        Create axes and artists inside ``matplotlib.rc_context(cnnlib.plots.PROJECTOR_RC)`` so they get
        its font sizes.
        """
        figure = Figure(figsize=(width, height), dpi=dpi, layout="none")
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

    def forget_backgrounds(self):
        """Drop the saved backgrounds (after a change that every one of them would miss)."""
        self._saved_backgrounds.clear()

    def png(self):
        if self._background is None:
            self.redraw_background()
        self.canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return canvas_to_png(self.canvas)


__all__ = ["rgb_to_png", "colour", "scale_for", "upscale", "array_to_png", "figure_to_png", "canvas_to_png",
           "BlittedFigure"]
