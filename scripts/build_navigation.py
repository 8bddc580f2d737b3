"""Write the navigation links of every notebook, its title heading, the contents of 00_index and of README.md.

Everything comes from the series' manifest, cnnlib/series.py (number, slug, title, one-line
summary of each notebook). Cells are found by marker, never by position, so editing a notebook
cannot break them:
- a markdown cell starting with ``<!-- NAV -->`` gets "< previous | contents | next >" links;
- the first ``# `` heading (in the first markdown cell that has one) becomes the manifest's title,
  with the notebook's number: "# 06 · Non-linearities and pooling";
- the markdown cell starting with ``<!-- CONTENTS -->`` in 00_index gets the contents list;
- README.md's table between ``<!-- CONTENTS -->`` and ``<!-- /CONTENTS -->`` is rewritten.

    python scripts/build_navigation.py           # rewrite in place
    python scripts/build_navigation.py --check   # exit 1 if anything is out of date
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

from cnnlib import series as manifest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAV_MARKER = "<!-- NAV -->"
CONTENTS_MARKER = "<!-- CONTENTS -->"
README_END = "<!-- /CONTENTS -->"
INDEX = "00_index.ipynb"


def present(folder=NOTEBOOKS, series=None):
    """The manifest's entries whose notebook exists in ``folder``, in the manifest's order."""
    entries = manifest.SERIES if series is None else series
    return [e for e in entries if (Path(folder) / e.file).is_file()]


def nav_line(entries, i):
    parts = []
    if i > 0:
        parts.append(f"[< {entries[i - 1].heading}]({entries[i - 1].file})")
    if entries[i].file != INDEX:
        parts.append(f"[Contents]({INDEX})")
    if i + 1 < len(entries):
        parts.append(f"[{entries[i + 1].heading} >]({entries[i + 1].file})")
    return NAV_MARKER + "\n" + " | ".join(parts)


def contents_markdown(entries):
    lines = [CONTENTS_MARKER, "| # | notebook | what you learn |", "|---|---|---|"]
    lines += [f"| {e.number} | [{e.heading}]({e.file}) | {e.summary} |" for e in entries]
    return "\n".join(lines)


def readme_table(entries):
    lines = ["| # | notebook | what you learn |", "|---|---|---|"]
    lines += [f"| {e.number} | [{e.heading}](notebooks/{e.file}) | {e.summary} |" for e in entries]
    return "\n".join(lines)


def _set_heading(nb, heading):
    """Make the notebook's first ``# `` line read ``# heading``; (changed, found)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        for j, line in enumerate(lines):
            if line.startswith("# "):
                lines[j] = f"# {heading}"
                return _set_source(cell, "\n".join(lines)), True
    return False, False


def _set_source(cell, text):
    changed = cell.source != text
    cell.source = text
    return changed


def update(check, root=ROOT, series=None):
    """Bring headings, navigation and contents up to date (or only report, with ``check``).

    ``series`` is the manifest (default: cnnlib.series.SERIES). Returns (stale, missing): what was
    (or would be) rewritten or is malformed, including notebooks the manifest does not list, and
    the notebooks the manifest lists that do not exist.
    """
    folder = root / "notebooks"
    entries = present(folder, series)
    missing = [e.file for e in (manifest.SERIES if series is None else series) if e not in entries]
    stale = [line for line in manifest.problems(folder, series) if "absent from the folder" not in line]
    for i, entry in enumerate(entries):
        path = folder / entry.file
        nb = nbformat.read(path, as_version=4)
        changed, found = _set_heading(nb, entry.heading)
        if not found:
            stale.append(f"{path.name}: no '# ' title heading in a markdown cell")
        nav_cells = [c for c in nb.cells if c.cell_type == "markdown"
                     and c.source.startswith(NAV_MARKER)]
        if len(nav_cells) != 2:
            stale.append(f"{path.name}: expected 2 navigation cells (top and bottom), found {len(nav_cells)}")
        for cell in nav_cells:
            changed |= _set_source(cell, nav_line(entries, i))
        if path.name == INDEX:
            contents = [c for c in nb.cells if c.source.startswith(CONTENTS_MARKER)]
            if len(contents) != 1:
                stale.append(f"{path.name}: expected one {CONTENTS_MARKER} cell, found {len(contents)}")
            for cell in contents:
                changed |= _set_source(cell, contents_markdown(entries))
        if changed:
            stale.append(f"{path.name}: title, navigation or contents out of date")
            if not check:
                nbformat.write(nb, path)
    readme = (root / "README.md").read_text()
    pattern = re.compile(re.escape(CONTENTS_MARKER) + r"\n.*?\n" + re.escape(README_END), re.S)
    if not pattern.search(readme):
        stale.append("README.md: no contents markers")
    else:
        new = pattern.sub(lambda _: f"{CONTENTS_MARKER}\n{readme_table(entries)}\n{README_END}", readme)
        if new != readme:
            stale.append("README.md: contents table out of date")
            if not check:
                (root / "README.md").write_text(new)
    return stale, missing


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report what is out of date, change nothing")
    args = parser.parse_args()
    stale, missing = update(args.check)
    for name in missing:
        print(f"warning: {name} is listed in cnnlib/series.py but does not exist")
    for line in stale:
        print(line)
    if args.check and (stale or missing):
        print("run: python scripts/build_navigation.py")
        sys.exit(1)


if __name__ == "__main__":
    main()
