"""Write the student edition of the series: every notebook without its worked solutions.

    python scripts/build_student_edition.py              # writes student/ (not committed)
    python scripts/build_student_edition.py --out DIR

What changes, notebook by notebook:
- code cells tagged ``solution`` are removed (nbconvert's TagRemovePreprocessor);
- markdown ``<details><summary>Solution ...</summary> ... </details>`` blocks are removed, and a
  markdown cell left empty by that goes too;
- the outputs of exercise cells (those that call ``check``, ``check_answer`` or ``check_function``)
  are cleared, so the stored "Not yet" / "Correct!" lines do not give anything away;
- everything else (prose, figures, widgets, stored outputs) is kept, so the edition reads the same.
``notebooks/images/`` is copied beside them so pictures still show.
"""
import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import TagRemovePreprocessor

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTION_TAG = "solution"
# A collapsible worked solution in markdown, as the series writes them.
SOLUTION_BLOCK = re.compile(r"<details>\s*<summary>\s*(Worked )?solution.*?</details>\s*", re.S | re.I)
EXERCISE_CALL = re.compile(r"\b(check|check_answer|check_function)\(")


def student_notebook(nb):
    """A copy of ``nb`` without its solutions and with exercise outputs cleared."""
    nb = nbformat.from_dict(nb)       # a deep copy: the full edition is never touched
    remover = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}, enabled=True)
    nb, _ = remover.preprocess(nb, {})
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            stripped = SOLUTION_BLOCK.sub("", cell.source)
            if stripped != cell.source and not stripped.strip():
                continue                                  # the cell held nothing but a solution
            cell.source = stripped.rstrip() if stripped != cell.source else cell.source
        elif cell.cell_type == "code" and EXERCISE_CALL.search(cell.source):
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    return nb


def build(out):
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if (NOTEBOOKS / "images").is_dir():
        shutil.copytree(NOTEBOOKS / "images", out / "images")
    written = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nb = student_notebook(nbformat.read(path, as_version=4))
        nbformat.write(nb, out / path.name)
        written.append(out / path.name)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "student"), help="folder to write (replaced if it exists)")
    args = parser.parse_args(argv)
    written = build(args.out)
    print(f"wrote {len(written)} student notebooks to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
