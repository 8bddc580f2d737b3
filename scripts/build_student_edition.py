"""Write the student edition of the series: every notebook without its worked solutions.

    python scripts/build_student_edition.py              # writes student/ (not committed)
    python scripts/build_student_edition.py --out DIR

What changes, notebook by notebook:
- code cells tagged ``solution`` are removed: the worked solutions, and the cells that assert the
  numbers the solutions quote;
- markdown ``<details><summary>Solution</summary> ... </details>`` blocks are removed (and
  ``Worked solution`` and ``Model answer`` blocks: the model answers of explain-why questions), and
  a markdown cell left empty by that goes too (``<details><summary>Hint</summary>`` blocks stay);
- after each explain-why question (a markdown cell starting ``**Explain.**``) comes a markdown cell
  for the student's answer;
- the outputs of exercise cells (those that call ``check``, ``check_answer`` or ``check_function``)
  are cleared, so the stored "Not yet" / "Correct!" lines do not give anything away;
- everything else (prose, figures, widgets, stored outputs) is kept, so the edition reads the same.
``notebooks/images/`` and ``data/`` are copied beside them, with a short README, so the folder runs
anywhere ``cnnlib`` is installed.

The markers are checked, not guessed: a tag or a ``<details>``/``<summary>`` that looks like a
solution marker but is not the exact form above (``Solution``, ``solutions``, a tag stored as a
string, ``<details open>``, ``<summary><b>Solution</b>``, an unclosed or nested block, an untagged
cell that calls itself a worked solution) stops the build with an error naming the notebook and
the cell, because a near-miss would otherwise hand the solution out silently.

The builder only ever replaces a folder it made itself (it writes a marker file into it). It refuses
an --out that is, contains or lies inside the source notebooks, that is or contains the repository,
or that exists without its marker; it builds into a temporary folder beside the target and swaps it
in only when every notebook built.
"""
import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "data"
SOLUTION_TAG = "solution"
MARKER_FILE = ".student-edition"        # written into every edition; only such a folder is replaced
# The exact markdown form of a hidden solution, as the series writes it.
SOLUTION_SUMMARIES = ("Solution", "Worked solution", "Model answer")
SOLUTION_BLOCK = re.compile(r"<details><summary>(%s)</summary>.*?</details>\s*" % "|".join(SOLUTION_SUMMARIES), re.S)
# An explain-why question: a markdown cell that starts with this; the edition adds an answer cell after it.
EXPLAIN_MARK = "**Explain.**"
ANSWER_CELL = "*Your answer:* (double-click to write, then compare with the model answer in the full edition)"
SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.S | re.I)
DETAILS_TAG = re.compile(r"<\s*(/?)\s*details\b([^>]*)>", re.I)
EXERCISE_CALL = re.compile(r"\b(check|check_answer|check_function)\(")
WORKED_SOLUTION_COMMENT = re.compile(r"^\s*#.*\bworked solution\b", re.I | re.M)

STUDENT_README = """\
# CNNs from the Ground Up: student edition

These notebooks teach convolutional neural networks from the convolution operation to a trained
LeNet-5. This is the student edition: the exercises are here, their worked solutions are not.

## Start

With the series' helper package `cnnlib` installed (your teacher gives you the command, or in the
series' repository run `pip install .`), open the index in JupyterLab:

    jupyter lab 00_index.ipynb

The data the notebooks use (an MNIST subset and a photograph) is in `data/`, beside the notebooks,
so nothing is downloaded. Run each notebook from the top (Run > Run All Cells, or Shift+Enter cell by
cell).

## How the checks work

- **Number questions**: replace `None` with your answer and run the cell. `check_answer` prints
  "Correct!" or "Not yet." with a hint. The expected value is not in the notebook.
- **Write-the-code exercises**: replace `raise NotImplementedError` with your code and run the
  check cell below it. `check_function` runs your function and cnnlib's on fixed and random cases
  and names the first case and entry that differ, or the line of your code that raised.
- An exercise you have not answered yet prints "Not yet" or "Not answered yet", never an error.

The self-checks are there for learning: `cnnlib` is the reference they compare with, so it can
compute every answer. Work your teacher grades is checked separately.
"""


class EditionError(ValueError):
    """The student edition cannot be built as asked: a dangerous --out, a malformed solution
    marker or a notebook that is not valid JSON. The message names the notebook and the cell."""


def _where(name, index, cell):
    cell_id = cell.get("id")
    return f"{name}, cell {index}" + (f" (id {cell_id})" if cell_id else "")


def check_markers(nb, name="notebook"):
    """Raise :class:`EditionError` for any near-miss solution marker in ``nb``: anything that looks
    like a solution marker (a tag, a ``<details>`` or ``<summary>`` mentioning a solution, a
    "worked solution" comment) but is not exactly the form the builder removes."""
    for index, cell in enumerate(nb.cells):
        where = _where(name, index, cell)
        tags = cell.get("metadata", {}).get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise EditionError(f"{where}: the cell's tags must be a list of strings, got {tags!r}")
        for tag in tags:
            if tag != SOLUTION_TAG and re.search(r"solution|^\W*soln?s?\W*$", tag, re.I):
                raise EditionError(f"{where}: tag {tag!r} looks like a solution marker but is not exactly "
                                   f"{SOLUTION_TAG!r}, so the solution would be handed out; fix the tag")
        source = cell.get("source", "")
        if cell.get("cell_type") == "code":
            if SOLUTION_TAG not in tags and WORKED_SOLUTION_COMMENT.search(source):
                raise EditionError(f"{where}: a code cell that calls itself a worked solution is not tagged "
                                   f"{SOLUTION_TAG!r}, so it would be handed out; tag it")
        elif cell.get("cell_type") == "markdown":
            _check_details_blocks(source, where)


def _check_details_blocks(source, where):
    depth = 0
    for match in DETAILS_TAG.finditer(source):
        closing, attributes = match.group(1), match.group(2)
        if closing:
            depth -= 1
            if depth < 0:
                raise EditionError(f"{where}: a </details> closes a block that was never opened")
            continue
        if attributes.strip():
            raise EditionError(f"{where}: {match.group(0)!r} is not the plain <details> the builder "
                               f"recognises (no attributes such as 'open')")
        depth += 1
        if depth > 1:
            raise EditionError(f"{where}: a <details> block is nested in another one; the builder only "
                               f"removes one level, so write them one after the other")
    if depth:
        raise EditionError(f"{where}: a <details> block is not closed with </details>")
    for match in SUMMARY.finditer(source):
        if re.search(r"solution|answer", match.group(1), re.I) and \
                match.group(0) not in [f"<summary>{summary}</summary>" for summary in SOLUTION_SUMMARIES]:
            raise EditionError(f"{where}: {match.group(0)!r} looks like a solution marker but is not exactly "
                               f"'<summary>Solution</summary>' or '<summary>Model answer</summary>', so the "
                               f"solution would be handed out")
    stripped = SOLUTION_BLOCK.sub("", source)
    if re.search(r"<summary>\s*((worked )?solution|model answer)", stripped, re.I):
        raise EditionError(f"{where}: a solution summary that is not the first thing in its "
                           f"<details> block (write '<details><summary>Solution</summary>')")


def student_notebook(nb, name="notebook"):
    """A copy of ``nb`` without its solutions and with exercise outputs cleared.

    ``name`` names the notebook in the error a malformed marker raises (:class:`EditionError`)."""
    nb = nbformat.from_dict(nb)       # a deep copy: the full edition is never touched
    check_markers(nb, name)
    cells = []
    for cell in nb.cells:
        if SOLUTION_TAG in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown":
            stripped = SOLUTION_BLOCK.sub("", cell.source)
            if stripped != cell.source and not stripped.strip():
                continue                                  # the cell held nothing but a solution
            cell.source = stripped.rstrip() if stripped != cell.source else cell.source
            if cell.source.lstrip().startswith(EXPLAIN_MARK):
                cells.append(cell)                        # the question, then a cell for the answer
                cell = nbformat.v4.new_markdown_cell(ANSWER_CELL)
        elif cell.cell_type == "code" and EXERCISE_CALL.search(cell.source):
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    return nb


def _read_notebook(path):
    try:
        return nbformat.read(path, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError, UnicodeDecodeError) as err:
        raise EditionError(f"{path.name} is not a valid notebook (not JSON): {str(err).splitlines()[0]}") from err
    except Exception as err:  # nbformat's validation errors come in several types
        raise EditionError(f"{path.name} is not a valid notebook: {str(err).splitlines()[0]}") from err


def _inside(path, folder):
    return path == folder or folder in path.parents


def refuse_dangerous_target(out, source=NOTEBOOKS, root=ROOT):
    """Raise :class:`EditionError` when building into ``out`` could destroy what the builder did not make."""
    out, source, root = Path(out).expanduser().resolve(), source.resolve(), root.resolve()
    if _inside(out, source) or _inside(source, out):
        raise EditionError(f"--out {out} is, contains or lies inside the source notebooks ({source}); "
                           f"choose a folder of its own, such as {root / 'student'}")
    if _inside(root, out):
        raise EditionError(f"--out {out} is or contains the repository ({root}); "
                           f"choose a folder of its own, such as {root / 'student'}")
    if out.exists() and not out.is_dir():
        raise EditionError(f"--out {out} is a file, not a folder")
    if out.is_dir() and not (out / MARKER_FILE).is_file():
        raise EditionError(f"--out {out} already exists and was not made by this builder (it has no "
                           f"{MARKER_FILE} file), so it will not be replaced; remove it yourself or choose "
                           f"another folder")
    return out


def build(out, source=NOTEBOOKS, root=ROOT, data=DATA):
    """Write the student edition into ``out``; returns the paths of the notebooks written there."""
    out = refuse_dangerous_target(out, source, root)
    paths = sorted(Path(source).glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise EditionError(f"no notebooks named NN_*.ipynb in {source}")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        (staging / MARKER_FILE).write_text("Made by scripts/build_student_edition.py; replaced on each build.\n")
        for path in paths:
            nb = student_notebook(_read_notebook(path), path.name)
            nbformat.write(nb, staging / path.name)
        if (Path(source) / "images").is_dir():
            shutil.copytree(Path(source) / "images", staging / "images")
        if Path(data).is_dir():
            shutil.copytree(data, staging / "data")
        (staging / "README.md").write_text(STUDENT_README)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / path.name for path in paths]


def _swap_in(staging, out):
    # The old edition (made by us: refuse_dangerous_target checked its marker) moves aside first and is
    # deleted only after the new one is in place.
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{staging.name.rsplit('-', 1)[-1]}")
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "student"),
                        help="folder to write (replaced only if an earlier build made it)")
    args = parser.parse_args(argv)
    try:
        written = build(args.out)
    except EditionError as err:
        print(f"build_student_edition: {err}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} student notebooks to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
