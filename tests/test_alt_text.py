"""Every figure a notebook stores carries alt text a screen reader can read in JupyterLab.

JupyterLab 4 builds a bare <img> from an image/png output (it ignores metadata["image/png"]["alt"]),
so a figure must be stored as text/html with <img alt="..."> (cnnlib.display.show does this; the
browser tests check what Chromium shows). This test reads the stored outputs: no bare PNG, and every
<img> has an alt of at least a sentence.
"""
import html
import re
from pathlib import Path

import nbformat
import pytest

from cnnlib.display import MIN_ALT_WORDS

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
IMG = re.compile(r"<img\b[^>]*>", re.I)
ALT = re.compile(r"""\balt\s*=\s*(["'])(.*?)\1""", re.I | re.S)


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def figure_problems(nb, name="notebook"):
    """(number of figures, problems): a bare image output, or an <img> without a sentence of alt text."""
    figures, problems = 0, []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            where = f"{name}, cell {index} (id {cell.get('id')})"
            for mime in ("image/png", "image/jpeg", "image/svg+xml"):
                if mime in data:
                    figures += 1
                    problems.append(f"{where}: a bare {mime} output (JupyterLab shows it without alt text); "
                                    f"display the figure with cnnlib.display.show(fig, alt)")
            for tag in IMG.findall(_text(data.get("text/html", ""))):
                figures += 1
                alt = ALT.search(tag)
                words = html.unescape(alt.group(2)).split() if alt else []
                if len(words) < MIN_ALT_WORDS:
                    problems.append(f"{where}: an <img> whose alt text is {' '.join(words)!r}: say what the "
                                    f"figure shows and its key numbers in at least {MIN_ALT_WORDS} words")
    return figures, problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_stored_figure_has_alt_text(path):
    figures, problems = figure_problems(nbformat.read(path, as_version=4), path.name)
    assert not problems, "\n".join(problems)


def test_the_series_stores_its_figures():
    counts = [figure_problems(nbformat.read(p, as_version=4))[0] for p in NOTEBOOKS]
    assert sum(counts) >= 60, f"only {sum(counts)} stored figures: were the outputs stored (make outputs)?"


def test_the_check_rejects_a_bare_png_and_a_token_alt():
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})
    token = nbformat.v4.new_output("display_data", data={"text/html": '<img src="data:image/png;base64,x" alt="a plot">'})
    good = nbformat.v4.new_output("display_data", data={
        "text/html": '<div><img src="data:image/png;base64,x" alt="Loss falls from 2.3 to 0.1 in 3 epochs."></div>'})
    missing = nbformat.v4.new_output("display_data", data={"text/html": '<img src="data:image/png;base64,x">'})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=[o]) for o in (png, token, good, missing)])
    figures, problems = figure_problems(nb)
    assert figures == 4 and len(problems) == 3
    assert "bare image/png" in problems[0] and "'a plot'" in problems[1] and "cell 3" in problems[2]
