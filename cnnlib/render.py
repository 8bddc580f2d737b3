"""Pictures as PNG bytes for ``ipywidgets.Image``: the one place that encodes, colours and blits,
and the one place that reads a picture file a student hands in.

Every widget picture goes through here: :func:`rgb_to_png` encodes, :func:`colour` maps values
through a colour map (NaN and infinite values in magenta), :func:`upscale` enlarges small arrays
into visible cells, :func:`array_to_png` does all three, :func:`figure_to_png` and
:func:`canvas_to_png` encode matplotlib drawings, and :class:`BlittedFigure` redraws only the
moving parts of a figure. :func:`read_picture` decodes an uploaded or drawn PNG or JPEG, after
checking from its header that it has at most ``MAX_PICTURE_PIXELS`` pixels. :func:`format_number`
writes a number into a picture or a table.
Light compression throughout: a PNG here only travels to the browser, and level 1 encodes
several times faster than the default.
"""
import functools
import io
import struct
import zlib

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform
from PIL import JpegImagePlugin, PngImagePlugin

COMPRESS_LEVEL = 1
NONFINITE_RGB = (1.0, 0.0, 1.0)      # magenta: in none of the series' colour maps, so it cannot pass for a value
NONFINITE_NAME = "magenta"
GAP_RGB = (1.0, 1.0, 1.0)            # white: the blank between tiled maps or panels
# One limit for every picture a student hands in (an upload, the drawing pad): a 12-megapixel phone
# photo fits; decoding the largest allowed picture needs about 200 MB, where a 379 KB PNG declaring
# 20000 x 20000 pixels would need gigabytes. Assign a new value to change it.
MAX_PICTURE_PIXELS = 4096 * 4096
# A reader per file signature. Each reads only the header when opened; Image.open would also apply
# Pillow's own bomb check, which raises (without the size) before ours can say what is wrong.
_PICTURE_READERS = {b"\x89PNG\r\n\x1a\n": PngImagePlugin.PngImageFile, b"\xff\xd8\xff": JpegImagePlugin.JpegImageFile}


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
    if channels == 1 or picture.flags.c_contiguous:
        rows[:, 1:] = picture.reshape(height, -1)
    else:
        # A strided view (the RGB of a canvas's RGBA buffer): numpy's reshape would copy it byte by
        # byte, one channel at a time is about ten times faster.
        pixels = rows[:, 1:].reshape(height, width, channels)
        for channel in range(channels):
            pixels[:, :, channel] = picture[:, :, channel]

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), COMPRESS_LEVEL)) + chunk(b"IEND", b""))


def finite_range(values):
    """(smallest, largest) of the finite values (NaN and +-inf left out); (0.0, 1.0) when there are none.

    Inputs:   values  array of numbers, any shape
    Returns:  (low, high), two Python floats

    >>> finite_range([[2.0, np.nan], [-np.inf, 5.0]]), finite_range([np.nan])
    ((2.0, 5.0), (0.0, 1.0))
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)


def format_number(value, digits=3):
    """A number as short text, the one way cnnlib writes a number into a picture or a table:
    whole numbers without a decimal point (-0 as "0"), others to ``digits`` significant digits.

    Inputs:   value   a number;  digits  significant digits for numbers that are not whole
    Returns:  str; "nan", "inf" or "-inf" for those values

    >>> [format_number(v) for v in (3.0, -0.0, 2 / 3, 1e12, float("-inf"))], format_number(0.1234, digits=2)
    (['3', '0', '0.667', '1e+12', '-inf'], '0.12')
    """
    value = float(value)
    if not np.isfinite(value):
        return "nan" if np.isnan(value) else ("-inf" if value < 0 else "inf")
    if value == round(value) and abs(value) < 1e9:
        return str(int(value))
    return f"{value:.{digits}g}"


@functools.lru_cache(maxsize=32)
def _colour_table(cmap):
    """The 256 RGB colours of colour map ``cmap`` (read-only: :func:`colour` indexes it, which copies)."""
    table = matplotlib.colormaps[cmap](np.linspace(0, 1, 256))[:, :3]
    table.flags.writeable = False
    return table


def colour(values, cmap="gray", vmin=None, vmax=None, *, gaps=None):
    """H x W values -> H x W x 3 floats through colour map ``cmap`` on [vmin, vmax]; never fails on
    the values: NaN and +-inf cells are drawn in magenta (``NONFINITE_RGB``), a colour no colour map
    of the series uses, and cells marked in ``gaps`` in white (the blank between tiled maps).

    A limit that is None, NaN or infinite is taken from the finite values instead
    (:func:`finite_range`), so a picture holding inf keeps its other values visible.

    Inputs:   values      H x W array of numbers (NaN and +-inf allowed)
              cmap        name of a matplotlib colour map
              vmin, vmax  numbers or None
              gaps        None, or an H x W boolean array: the cells that are blanks, not values
    Returns:  H x W x 3 float64 array in [0, 1]

    >>> rgb = colour(np.array([[0.0, 0.5, 1.0, np.nan, np.inf]]))   # black, mid grey, white; magenta twice
    >>> rgb.shape
    (1, 5, 3)
    >>> rgb[0].round(2).tolist()
    [[0.0, 0.0, 0.0], [0.5, 0.5, 0.5], [1.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 0.0, 1.0]]
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    low, high = finite_range(values)
    lo = float(vmin) if vmin is not None and np.isfinite(vmin) else low
    hi = float(vmax) if vmax is not None and np.isfinite(vmax) else high
    # Halves first: the span of two finite float64 numbers can overflow (1e308 - -1e308), the span
    # of their halves cannot, and a finite number over a finite non-zero span is never NaN.
    span = (0.5 * hi - 0.5 * lo) or 1.0
    fraction = (0.5 * np.where(finite, values, lo) - 0.5 * lo) / span
    levels = np.clip(fraction * 255 + 0.5, 0, 255).astype(np.intp)
    table = _colour_table(cmap) if isinstance(cmap, str) else matplotlib.colormaps[cmap](np.linspace(0, 1, 256))[:, :3]
    rgb = table[levels]
    rgb[~finite] = NONFINITE_RGB
    if gaps is not None:
        gaps = np.asarray(gaps, dtype=bool)
        if gaps.shape != values.shape:
            raise ValueError(f"gaps must be a boolean array of the values' shape {values.shape}, got {gaps.shape}")
        rgb[gaps] = GAP_RGB
    return rgb


def text_colour_on(background):
    """"black" or "white": whichever contrasts more with ``background`` (WCAG 2's relative
    luminance; black above 0.179, where the two contrasts are equal). Either way the number
    written in a shaded cell contrasts at least 4.58:1, AA for text of any size.

    Inputs:   background  an RGB(A) tuple of floats in [0, 1], or a colour matplotlib understands
    Returns:  str, "black" or "white"

    >>> text_colour_on((0.49, 0.48, 0.47)), text_colour_on("#0072B2"), text_colour_on("#E69F00")
    ('black', 'white', 'black')
    """
    rgb = np.asarray(matplotlib.colors.to_rgb(background), dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ np.array([0.2126, 0.7152, 0.0722]))
    return "black" if luminance > 0.179 else "white"


def nonfinite_note(values, gaps=None):
    """The sentence a readout adds when a picture holds NaN or infinite values ('' when none), in the
    words and colour of :func:`colour`; cells marked in ``gaps`` are blanks and not counted.

    Inputs:   values  array of numbers, any shape
              gaps    None, or a boolean array of the same shape
    Returns:  str

    >>> nonfinite_note([[1.0, np.nan], [np.inf, 2.0]])
    '2 values are NaN or infinite, drawn in magenta.'
    >>> nonfinite_note([1.0, 2.0])
    ''
    """
    bad = ~np.isfinite(np.asarray(values, dtype=float))
    if gaps is not None:
        bad &= ~np.asarray(gaps, dtype=bool)
    count = int(bad.sum())
    if not count:
        return ""
    return f"{count:,} {'value is' if count == 1 else 'values are'} NaN or infinite, drawn in {NONFINITE_NAME}."


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


def array_to_png(values, *, cmap="gray", vmin=None, vmax=None, scale=1, gaps=None):
    r"""A 2D array through ``cmap`` (or an H x W x 3 RGB picture in [0, 1]) as PNG bytes, each
    pixel ``scale`` pixels wide. Far faster than drawing a figure: it keeps image widgets instant.

    Inputs:   values      H x W array of numbers, or H x W x 3 RGB floats in [0, 1]
              cmap, vmin, vmax, gaps  as for :func:`colour` (NaN and inf drawn in magenta)
              scale       int, pixels per cell
    Returns:  bytes, a PNG file of (W * scale) x (H * scale) pixels

    >>> import struct
    >>> png = array_to_png(np.eye(3), scale=10)
    >>> png[:8], struct.unpack(">II", png[16:24])               # the PNG signature; 30 x 30 pixels
    (b'\x89PNG\r\n\x1a\n', (30, 30))
    """
    values = np.asarray(values, dtype=float)
    rgb = values if values.ndim == 3 else colour(values, cmap, vmin, vmax, gaps=gaps)
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
    # On opaque white whatever the figure's own face: a transparent PNG's black text and axes would
    # vanish on JupyterLab's dark theme.
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", transparent=False,
                pil_kwargs={"compress_level": COMPRESS_LEVEL})
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


def read_picture(data):
    r"""The bytes of a PNG or JPEG file -> its grey levels, H x W floats in [0, 1].

    The size is read from the file's header first: a picture of more than ``MAX_PICTURE_PIXELS``
    pixels is refused before a single pixel is decoded (a 379 KB PNG can declare 20000 x 20000
    pixels, several gigabytes once decoded). Colours become grey as 0.299 R + 0.587 G + 0.114 B
    (ITU-R 601, as MNIST-era software did); transparency is ignored; 16-bit PNGs keep their
    precision. This is the one reader of every picture a student hands in: the kernel playground's
    upload and the drawing pad.

    Inputs:   data  bytes (or bytearray, memoryview) of a PNG or JPEG file
    Returns:  H x W float64 array in [0, 1]
    Raises:   TypeError when ``data`` is not bytes; ValueError, with a sentence for the student,
              when the file is not a readable PNG or JPEG or has too many pixels

    >>> read_picture(rgb_to_png(np.array([[0.0, 1.0]])))          # a black and a white pixel
    array([[0., 1.]])
    >>> def chunk(kind, body):
    ...     return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    >>> header = chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0))   # 8-bit grey
    >>> read_picture(b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", b""))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: The picture is 20000 x 20000 pixels (height x width), 400,000,000 in all; at most 16,777,216 can be read ...
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be the bytes of a PNG or JPEG file, got {type(data).__name__}")
    data = bytes(data)
    reader = next((reader for signature, reader in _PICTURE_READERS.items() if data.startswith(signature)), None)
    if reader is None:
        raise ValueError("This is not a PNG or JPEG file.")
    try:
        picture = reader(io.BytesIO(data))              # the header only: no pixel decoded yet
    except Exception as error:                          # Pillow raises several types for a broken header
        raise ValueError(f"Could not read this file as a PNG or JPEG image ({type(error).__name__}).") from None
    width, height = picture.size
    if width * height > MAX_PICTURE_PIXELS:
        side = int(MAX_PICTURE_PIXELS ** 0.5)
        raise ValueError(f"The picture is {height} x {width} pixels (height x width), {width * height:,} in all; "
                         f"at most {MAX_PICTURE_PIXELS:,} can be read ({side} x {side}, for instance). "
                         "Make it smaller first.")
    try:
        picture.load()
        if picture.mode.startswith("I"):                 # a 16-bit grey PNG: integers up to 65535
            return np.clip(np.asarray(picture, dtype=np.float64) / 65535, 0.0, 1.0)
        return np.asarray(picture.convert("L"), dtype=np.float64) / 255
    except Exception as error:                          # truncated or corrupt pixel data
        raise ValueError(f"Could not read this file as a PNG or JPEG image ({type(error).__name__}).") from None


def _line_spacing(text):
    """A Text's line spacing (``Text.get_linespacing`` is missing in matplotlib 3.9, the attribute is not)."""
    getter = getattr(text, "get_linespacing", None)
    return getter() if getter is not None else text._linespacing


def _clipped(artist):
    """True when drawing ``artist`` may cut it to a box or a path (a pasted picture would not be)."""
    return artist.get_clip_on() and (artist.get_clip_box() is not None or artist.get_clip_path() is not None)


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
        self._stamps = {}
        self._long_stamps = set()       # ids of texts pasted from the cache whatever their length

    @classmethod
    def create(cls, width, height, *, dpi=100, **margins):
        """A new figure of ``width`` x ``height`` inches with fixed margins (``subplots_adjust`` keywords).

        Fixed margins rather than constrained layout: a background redraw then skips the layout solver.
        Create axes and artists inside ``matplotlib.rc_context(cnnlib.plots.PROJECTOR_RC)`` so they get
        its font sizes.
        """
        figure = Figure(figsize=(width, height), dpi=dpi, layout="none", facecolor="white")  # see figure_to_png
        figure.subplots_adjust(**margins)
        return cls(figure)

    def animate(self, artist):
        artist.set_animated(True)
        self._animated.append(artist)
        return artist

    def cache_text(self, text):
        """Paste the moving ``text`` from the cache of its pictures even when it is long: for a title
        that takes only a few dozen different values (a slider's position in words), not for one
        holding a number that keeps changing. Returns ``text``."""
        self._long_stamps.add(id(text))
        return text

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

    def has_background(self, key):
        """True when the static parts for ``key`` are saved (by :meth:`redraw_background` or
        :meth:`adopt_background`)."""
        return key in self._saved_backgrounds

    def saved_background(self, key):
        """The saved static parts for ``key`` (to hand to another figure laid out the same way)."""
        return self._saved_backgrounds[key]

    def adopt_background(self, key, background):
        """Keep ``background``, saved by another figure of the same size and the same static parts,
        under ``key``: the next ``redraw_background(key)`` uses it instead of drawing."""
        self._saved_backgrounds[key] = background

    def forget_backgrounds(self):
        """Drop the saved backgrounds (after a change that every one of them would miss)."""
        self._saved_backgrounds.clear()

    def png(self):
        if self._background is None:
            self.redraw_background()
        self.canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible() and not self._paste_text(artist):
                self.figure.draw_artist(artist)
        return canvas_to_png(self.canvas)

    # A moving label (a bar's value, "0.42") costs a millisecond or more to lay out and render with
    # FreeType each time; most take only a few dozen different values. Each one is drawn once, by
    # matplotlib, on a transparent scratch canvas, and later pasted (blended by its coverage) at the
    # label's place, rounded to a whole pixel. Longer texts (titles holding a number that keeps
    # changing) are drawn as usual.
    STAMP_LIMIT = 2000      # kept pictures of texts per figure
    STAMP_CHARACTERS = 12   # the longest text pasted

    def _stamp_key(self, text):
        if (type(text) is not Text or text.get_bbox_patch() is not None or text.get_usetex()
                or text.get_path_effects() or _clipped(text) or text.get_rotation() % 360):
            return None
        string = text.get_text()
        too_long = len(string) > self.STAMP_CHARACTERS and id(text) not in self._long_stamps
        if not string or too_long or "\n" in string or "$" in string:
            return None
        return (string, hash(text.get_fontproperties()), str(text.get_color()), text.get_alpha(),
                text.get_horizontalalignment(), text.get_verticalalignment(), _line_spacing(text),
                self.figure.dpi)

    def _make_stamp(self, text):
        """(RGBA uint8 picture, offset in pixels of its top-left corner from the text's anchor)."""
        renderer = self.canvas.get_renderer()
        anchor = text.get_transform().transform(text.get_unitless_position())
        extent = text.get_window_extent(renderer)
        margin = 3
        width, height = int(np.ceil(extent.width)) + 2 * margin, int(np.ceil(extent.height)) + 2 * margin
        scratch = Figure(figsize=(width / self.figure.dpi, height / self.figure.dpi), dpi=self.figure.dpi,
                         facecolor="none")
        canvas = FigureCanvasAgg(scratch)
        # The anchor lands at a whole pixel of the scratch canvas, where the text's box starts margin
        # pixels in from the left and from the bottom.
        x = np.floor(anchor[0] - extent.x0) + margin
        y = np.floor(anchor[1] - extent.y0) + margin
        copy = Text(x, y, text.get_text(), color=text.get_color(), alpha=text.get_alpha(),
                    fontproperties=text.get_fontproperties(), horizontalalignment=text.get_horizontalalignment(),
                    verticalalignment=text.get_verticalalignment(), linespacing=_line_spacing(text),
                    transform=IdentityTransform())
        scratch.add_artist(copy)
        canvas.draw()
        picture = np.asarray(canvas.buffer_rgba()).copy()
        return picture, (-int(x), -(height - int(y)))       # (columns, rows from the top) to the corner

    def _paste_text(self, text):
        """Paste ``text`` from the cache (drawing it there first); False when it is not a plain label."""
        key = self._stamp_key(text)
        if key is None:
            return False
        stamp = self._stamps.get(key)
        if stamp is None:
            if len(self._stamps) >= self.STAMP_LIMIT:
                self._stamps.clear()
            stamp = self._stamps[key] = self._make_stamp(text)
        picture, (dx, dy) = stamp
        buffer = np.asarray(self.canvas.buffer_rgba())
        anchor = text.get_transform().transform(text.get_unitless_position())
        if not np.all(np.isfinite(anchor)):
            return True                                           # draw_artist would draw nothing either
        left = int(np.floor(anchor[0])) + dx
        top = int(buffer.shape[0] - np.floor(anchor[1])) + dy
        rows = slice(max(top, 0), min(top + picture.shape[0], buffer.shape[0]))
        cols = slice(max(left, 0), min(left + picture.shape[1], buffer.shape[1]))
        if rows.start >= rows.stop or cols.start >= cols.stop:
            return True
        part = picture[rows.start - top:rows.stop - top, cols.start - left:cols.stop - left]
        cover = part[:, :, 3:4].astype(np.float32) / 255
        region = buffer[rows, cols, :3]
        region[:] = np.round(region * (1 - cover) + part[:, :, :3] * cover).astype(np.uint8)
        return True


__all__ = ["rgb_to_png", "finite_range", "format_number", "colour", "text_colour_on", "nonfinite_note", "scale_for",
           "upscale", "array_to_png", "figure_to_png", "canvas_to_png", "read_picture", "BlittedFigure",
           "NONFINITE_RGB", "NONFINITE_NAME", "GAP_RGB", "MAX_PICTURE_PIXELS"]
