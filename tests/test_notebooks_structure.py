"""The notebooks as files: navigation up to date, links that lead somewhere, outputs stored and sound.

nbval (in the same test command) re-runs every notebook and compares outputs; these tests check
what nbval cannot: that what a reader sees without running anything is complete and current.
"""
import importlib.util
import re
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
EXPECTED = [f"{i:02d}" for i in range(9)]
# Markdown links and images: [text](target) and ![alt](target); targets with a scheme are external.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
IGNORE_MARKER = "# NBVAL_IGNORE_OUTPUT"


def _navigation_script():
    spec = importlib.util.spec_from_file_location("build_navigation", ROOT / "scripts" / "build_navigation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path):
    return nbformat.read(path, as_version=4)


def _local_targets(text):
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue                                   # http(s)://, mailto:, in-page anchors
        yield target.split("#")[0]


def test_the_series_has_notebooks_00_to_08():
    assert [p.name[:2] for p in NOTEBOOKS] == EXPECTED


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
    ignored = [c for c in cells if c.source.lstrip().startswith(IGNORE_MARKER)]
    for cell in ignored:
        lines = cell.source.lstrip().splitlines()
        reason = lines[0][len(IGNORE_MARKER):].strip(" :")
        if not reason and len(lines) > 1 and lines[1].startswith("#"):
            reason = lines[1].strip("# ")
        assert len(reason) >= 10, f"{path.name}: NBVAL_IGNORE_OUTPUT without a reason in {cell.source[:80]!r}"
    # Ignoring output is for widgets, progress bars and timings, not a way around checking numbers.
    assert len(ignored) <= max(3, len(cells) // 4), f"{path.name}: {len(ignored)} of {len(cells)} cells ignore output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_cells_ignore_their_output(path):
    for cell in (c for c in _read(path).cells if c.cell_type == "code"):
        if any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs):
            assert cell.source.lstrip().startswith(IGNORE_MARKER), \
                f"{path.name}: a widget's output (its model id) changes every run: {cell.source[:80]!r}"
