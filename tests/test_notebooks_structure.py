"""The notebooks as files: navigation up to date, links that lead somewhere, outputs stored and sound.

nbval (in the same test command) re-runs every notebook and compares outputs; these tests check
what nbval cannot: that what a reader sees without running anything is complete and current.
"""
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import comment_markers, find_comment_markers, find_metadata_tags

import background

from cnnlib import series

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = [NOTEBOOK_DIR / entry.file for entry in series.SERIES]      # the manifest, cnnlib/series.py
# Markdown links and images: [text](target) and ![alt](target); targets with a scheme are external.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
IGNORE_TAG = "nbval-ignore-output"
# A widget's text/plain fallback, as cnnlib.widgets.Explorer writes it: a class name and how many controls.
STABLE_WIDGET_REPR = re.compile(r"^[A-Za-z_]\w*\(controls=\d+\)$")


def nbval_options(cell):
    """The options nbval itself reads from a cell: its tags, then its comment markers (as nbval does)."""
    options = dict(find_metadata_tags(cell.metadata))
    options.update(find_comment_markers(cell.source))
    return options


def output_is_ignored(cell):
    return nbval_options(cell).get("check", True) is False


def _navigation_script():
    return background.load_script("scripts/build_navigation.py")


def _read(path):
    return nbformat.read(path, as_version=4)


def _local_targets(text):
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue                                   # http(s)://, mailto:, in-page anchors
        yield target.split("#")[0]


def test_the_notebooks_folder_holds_exactly_the_manifests_notebooks():
    assert series.problems(NOTEBOOK_DIR) == []
    assert len(series.SERIES) >= 13 and series.SERIES[0].file == "00_index.ipynb"


def test_navigation_and_contents_are_up_to_date():
    stale, missing = _navigation_script().update(check=True)
    assert not missing, f"listed but absent: {missing}"
    assert not stale, "run `python scripts/build_navigation.py`:\n" + "\n".join(stale)


def test_the_navigation_check_notices_an_edited_link(tmp_path):
    # The check above is only worth something if it can fail: break a copy and look.
    shutil.copytree(NOTEBOOK_DIR, tmp_path / "notebooks")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    path = tmp_path / "notebooks" / NOTEBOOKS[3].name
    nb = _read(path)
    nav = next(c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("<!-- NAV -->"))
    nav.source = nav.source.replace("00_index.ipynb", "00_contents.ipynb")
    nbformat.write(nb, path)
    script = _navigation_script()
    stale, _ = script.update(check=True, root=tmp_path)
    assert any(NOTEBOOKS[3].name in line for line in stale)
    script.update(check=False, root=tmp_path)          # repairing it makes the check pass again
    assert script.update(check=True, root=tmp_path) == ([], [])


@pytest.mark.parametrize("path", NOTEBOOKS + [ROOT / "README.md"], ids=lambda p: p.name)
def test_every_local_link_points_to_an_existing_file(path):
    if path.suffix == ".ipynb":
        texts = [c.source for c in _read(path).cells if c.cell_type == "markdown"]
    else:
        texts = [path.read_text()]
    broken = [t for text in texts for t in _local_targets(text) if not (path.parent / t).exists()]
    assert not broken, f"{path.name} links to missing files: {broken}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_are_complete_in_order_and_error_free(path):
    cells = [c for c in _read(path).cells if c.cell_type == "code"]
    counts = [c.execution_count for c in cells]
    assert None not in counts, f"{path.name}: cells {[i for i, n in enumerate(counts) if n is None]} were never run"
    assert counts == list(range(1, len(cells) + 1)), f"{path.name}: not run top to bottom in a fresh kernel: {counts}"
    errors = [c.source[:60] for c in cells for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: stored error outputs in {errors}"
    with_output = sum(bool(c.outputs) for c in cells)
    assert with_output >= len(cells) // 3, f"{path.name}: only {with_output} of {len(cells)} cells show anything"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ignored_outputs_say_why_and_are_rare(path):
    cells = [c for c in _read(path).cells if c.cell_type == "code"]
    ignored = [c for c in cells if output_is_ignored(c)]
    for cell in ignored:
        assert IGNORE_TAG in cell.metadata.get("tags", []), \
            f"{path.name}: mark ignored cells with the {IGNORE_TAG!r} tag (JupyterLab shows tags): {cell.source[:80]!r}"
        first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
        assert first.startswith("#") and len(first.strip("# ")) >= 10, \
            f"{path.name}: an ignored cell must say why in its first line: {cell.source[:80]!r}"
    # Ignoring output is for widgets, progress bars and float training figures, not a way around checking.
    assert len(ignored) <= max(3, len(cells) // 4), f"{path.name}: {len(ignored)} of {len(cells)} cells ignore output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_nbval_comment_that_nbval_would_not_read(path):
    # nbval honours a marker comment only when the whole comment is the marker: "# NBVAL_IGNORE_OUTPUT:
    # reason" is silently not a marker. Any comment naming a marker must be one nbval reads.
    for cell in (c for c in _read(path).cells if c.cell_type == "code"):
        for line in cell.source.splitlines():
            text = line.strip()
            if text.startswith("#") and any(marker in text for marker in comment_markers):
                assert text.lstrip("#").strip() in comment_markers, \
                    f"{path.name}: nbval does not read {text!r} as a marker; use the {IGNORE_TAG!r} cell tag"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_cells_ignore_their_output_and_store_a_stable_repr(path):
    for cell in (c for c in _read(path).cells if c.cell_type == "code"):
        widget_outputs = [o for o in cell.outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        if not widget_outputs:
            continue
        assert output_is_ignored(cell), \
            f"{path.name}: a widget's output (its model id) changes every run: {cell.source[:80]!r}"
        for output in widget_outputs:
            text = output["data"].get("text/plain", "")
            assert STABLE_WIDGET_REPR.match(text), \
                f"{path.name}: a widget's stored text/plain must not carry changing values: {text[:100]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_wall_clock_inside_notebooks(path):
    # A busy classroom server is slow: timings belong in benchmarks/, never in a notebook's asserts.
    # (time.process_time, the kernel's own CPU time, is allowed: notebook 05 compares loops with one
    # matrix product, about 500x apart, and only asserts a 5x gap, which other programs' load cannot close.)
    clocks = ("time.perf_counter", "time.time(", "time.monotonic", "timeit")
    for cell in (c for c in _read(path).cells if c.cell_type == "code"):
        used = [clock for clock in clocks if clock in cell.source]
        assert not used, f"{path.name}: {used} in {cell.source[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_has_no_control_characters(path):
    # A literal TAB where "\\t" of "\\times" was meant renders as "10 imes 10".
    for index, cell in enumerate(_read(path).cells):
        if cell.cell_type == "markdown":
            bad = sorted({repr(ch) for ch in cell.source if ord(ch) < 32 and ch != "\n"})
            assert not bad, f"{path.name} cell {index}: control characters {bad} in {cell.source[:60]!r}"


def _prose_words(text):
    # Words a student reads: a formula counts as one word, HTML tags and code blocks as none.
    text = re.sub(r"\$\$.*?\$\$", " formula ", text, flags=re.S)
    text = re.sub(r"\$[^$]+\$", " formula ", text)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return len(re.findall(r"[A-Za-z0-9][\w'’.,;:!?()-]*", text))


def _before_going_further(cells):
    heading = re.compile(r"^#+ .*Going further", re.M)
    end = next((i for i, c in enumerate(cells) if c.cell_type == "markdown" and heading.search(c.source)), len(cells))
    return cells[:end]


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.name)
def test_each_notebook_fits_one_class_and_says_how_long_it_takes(path):
    cells = _read(path).cells
    assert re.search(r"About \d+ minutes", cells[0].source), f"{path.name}: the first cell must state the length"
    assert cells[1].source.startswith("<!-- NAV -->"), f"{path.name}: title and 'what you will learn', then navigation"
    core = _before_going_further(cells)
    words = sum(_prose_words(c.source) for c in core
                if c.cell_type == "markdown" and not c.source.startswith("<!-- NAV"))
    assert len(core) <= 50, f"{path.name}: {len(core)} cells before 'Going further' (one class: at most 50)"
    assert words <= 2_600, f"{path.name}: {words} words of prose before 'Going further' (one class: about 2,500)"


def test_the_word_count_counts_a_formula_as_one_word():
    assert _prose_words("The sum $\\sum_{a} w_a x_{t-a}$ is <b>small</b>.\n$$a + b$$") == 6
