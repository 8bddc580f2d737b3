"""The HTML every explorer shares: headings, notes, warnings and tables (numbers are written by
:func:`cnnlib.render.format_number`).

One red for every error and one brown for every note, so a student learns what each colour means.
Every function returns a string for an ``ipywidgets.HTML``; text passed as ``message`` is escaped.
"""
import html

import matplotlib
import numpy as np

from ..plots import HIGHLIGHT_COLOUR
from ..render import colour, finite_range, format_number, text_colour_on

ERROR_RED = "#b00020"
NOTE_BROWN = "#8a4b00"
HIGHLIGHT = HIGHLIGHT_COLOUR    # the palette's orange, the highlight colour of cnnlib.plots.number_grid
PADDING_GREY = "#e8e8e8"


def ink(rgb):
    """Black text on a light background, white on a dark one, whichever contrasts more
    (:func:`cnnlib.render.text_colour_on`, the rule of cnnlib.plots.number_grid too)."""
    return text_colour_on(rgb)


def heading(text, size=15):
    """Bold text (``text`` is HTML: it may hold <sub> or entities)."""
    return f"<b style='font-size:{size}px'>{text}</b>"


def paragraph(text, size=15, max_width=None):
    """A block of text (``text`` is HTML)."""
    width = f";max-width:{max_width}px" if max_width else ""
    return f"<div style='font-size:{size}px{width}'>{text}</div>"


def warning(message):
    """``message`` in the one error red, bold; '' for no message."""
    return (f"<div style='color:{ERROR_RED};font-weight:bold;font-size:15px'>{html.escape(message)}</div>"
            if message else "")


def note(message):
    """``message`` as a note (something to notice, not an error); '' for no message."""
    return (f"<div style='color:{NOTE_BROWN};font-weight:bold;font-size:15px'>{html.escape(message)}</div>"
            if message else "")


def table(rows, *, style="", header_rows=0, header_cols=0):
    """The one HTML table builder of the explorers. ``rows``: a list of rows, each a list of cells;
    a cell is HTML text, or a (text, css) pair for a cell with its own style. The first
    ``header_rows`` rows and the first ``header_cols`` cells of every row are header cells (<th>).
    ``style``: css for the table itself."""
    parts = [f"<table style='{style}'>" if style else "<table>"]
    for i, row in enumerate(rows):
        parts.append("<tr>")
        for j, cell in enumerate(row):
            text, css = cell if isinstance(cell, tuple) else (cell, "")
            tag = "th" if i < header_rows or j < header_cols else "td"
            parts.append(f"<{tag} style='{css}'>{text}</{tag}>" if css else f"<{tag}>{text}</{tag}>")
        parts.append("</tr>")
    parts.append("</table>")
    return "".join(parts)


def number_table(values, *, highlight=None, padding=0, cmap="cividis", vmin=None, vmax=None,
                 cell_px=44, font_px=16, texts=None):
    """A matrix as an HTML table of shaded cells with numbers, like ``cnnlib.plots.number_grid``;
    shades come from :func:`cnnlib.render.colour` (NaN and inf cells in magenta).

    ``highlight``: (row, col, height, width) of a block outlined in orange. ``padding``: the width
    of a border of padding cells, drawn grey so they read as "not part of the image".
    ``texts``: optional nested lists of strings (HTML) to write instead of the numbers.
    """
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
    inner_low, inner_high = finite_range(values[padding:rows - padding, padding:cols - padding])
    colours = colour(values, cmap, inner_low if vmin is None else vmin, inner_high if vmax is None else vmax)
    r0, c0, h, w = highlight if highlight is not None else (-1, -1, 0, 0)
    thick = f"4px solid {HIGHLIGHT}"
    size = f"width:{cell_px}px;height:{cell_px}px;min-width:{cell_px}px;text-align:center;padding:0;"
    cells = []
    for i in range(rows):
        cells.append([])
        for j in range(cols):
            if not (padding <= i < rows - padding and padding <= j < cols - padding):
                style = f"background:{PADDING_GREY};color:#555;font-style:italic;"   # 6:1, readable
            else:
                rgb = colours[i, j]
                style = f"background:{matplotlib.colors.to_hex(rgb)};color:{ink(rgb)};"
            borders = ["1px solid white"] * 4   # top, right, bottom, left
            if r0 <= i < r0 + h and c0 <= j < c0 + w:
                if i == r0:
                    borders[0] = thick
                if j == c0 + w - 1:
                    borders[1] = thick
                if i == r0 + h - 1:
                    borders[2] = thick
                if j == c0:
                    borders[3] = thick
            text = texts[i][j] if texts is not None else format_number(values[i, j])
            cells[-1].append((text, f"{style}{size}border-top:{borders[0]};border-right:{borders[1]};"
                                    f"border-bottom:{borders[2]};border-left:{borders[3]}"))
    return table(cells, style=f"border-collapse:collapse;font-family:monospace;font-size:{font_px}px")


__all__ = ["ERROR_RED", "NOTE_BROWN", "HIGHLIGHT", "ink", "heading", "paragraph", "warning",
           "note", "table", "number_table"]
