"""Rewrite the notebooks' ``check_answer("06", ...)`` calls to ``check_answer("nonlinearities_and_pooling", ...)``.

Answer tables are keyed by the notebook's slug in the manifest (cnnlib/series.py), so renumbering a
notebook leaves its answer keys alone. This script changes the first argument of every
``check_answer`` call whose first argument is a two-digit notebook number, in the code cells of the
notebooks, and nothing else: other text, outputs and metadata stay as they are, and a notebook
with nothing to rewrite is not written. Running it again changes nothing.

    python scripts/rename_answer_keys.py                  # rewrite notebooks/*.ipynb in place
    python scripts/rename_answer_keys.py --check          # exit 1 if a call still uses a number
    python scripts/rename_answer_keys.py --folder DIR     # another folder of notebooks
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

from cnnlib.series import SERIES

ROOT = Path(__file__).resolve().parent.parent
# check_answer( then optional spaces, then a quoted two-digit number: only that number is replaced.
NUMBERED_CALL = re.compile(r"""(\bcheck_answer\(\s*)(["'])(\d\d)\2""")


def rename_source(source, series=SERIES):
    """``source`` with each check_answer("NN", ...) written check_answer("<slug>", ...); the count."""
    slugs = {entry.number: entry.slug for entry in series}

    def slug(match):
        number = match.group(3)
        if number not in slugs:
            raise ValueError(f"check_answer names notebook {number}, which cnnlib/series.py does not list")
        return f"{match.group(1)}{match.group(2)}{slugs[number]}{match.group(2)}"
    return NUMBERED_CALL.subn(slug, source)


def rename_notebook(path, write=True, series=SERIES):
    """Rewrite one notebook's calls (when ``write``); the number of calls rewritten (or to rewrite)."""
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    total = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source, count = rename_source(cell.source, series)
            total += count
    if total and write:
        nbformat.write(nb, path)
    return total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, default=ROOT / "notebooks", help="the notebooks (default: notebooks/)")
    parser.add_argument("--check", action="store_true", help="report the calls that use a number, change nothing")
    args = parser.parse_args(argv)
    left = 0
    for path in sorted(args.folder.glob("*.ipynb")):
        count = rename_notebook(path, write=not args.check)
        if count:
            print(f"{path.name}: {count} check_answer call(s) {'use a number' if args.check else 'rewritten'}")
        left += count
    if args.check and left:
        print("run: python scripts/rename_answer_keys.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
