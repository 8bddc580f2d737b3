"""The student edition (`make student`): no solutions survive, and every exercise still runs.

The full edition in notebooks/ is validated by nbval like every notebook; these tests build the
student edition into a temporary folder and look for any trace of a solution. Every student notebook
is also run top to bottom, and each unanswered exercise must say "not yet" instead of raising: in
JupyterLab, as a student runs it, by tests/test_browser.py (which checks the saved notebook with
:func:`executed_notebook_problems`), or, on a machine without Chromium, with nbconvert here.
"""
import re
from pathlib import Path

import nbformat
import pytest

import background

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NOT_YET = re.compile(r"Not yet|Not answered yet|not yet", re.I)
EXERCISE_CHECK = re.compile(r"\b(check_answer|check_function)\(")


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    written = background.student_edition_builder().build(out)
    return out, {p.name: nbformat.read(p, as_version=4) for p in written}


def _solution_cells(nb):
    return [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]


def _distinctive_lines(source, elsewhere):
    # Lines of a solution that appear nowhere else in the full notebook (not an import, not a shared call).
    return [line.strip() for line in source.splitlines()
            if len(line.strip()) > 25 and not line.strip().startswith("#") and line.strip() not in elsewhere]


def test_every_notebook_with_an_implement_it_exercise_has_tagged_solutions():
    # The notebooks after the index all teach; each ends its exercises with at least one worked solution.
    without = [p.name for p in NOTEBOOKS[1:] if not _solution_cells(nbformat.read(p, as_version=4))]
    assert not without, f"no cell tagged 'solution' in {without}"


def test_no_solution_survives_in_the_student_edition(edition):
    out, student = edition
    assert sorted(student) == [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        full = nbformat.read(path, as_version=4)
        kept = student[path.name]
        assert not _solution_cells(kept), f"{path.name}: a solution-tagged cell survived"
        student_text = "\n".join(c.source for c in kept.cells)
        assert not re.search(r"<summary>\s*(Worked )?solution", student_text, re.I), f"{path.name}: a markdown solution survived"
        others = "\n".join(c.source for c in full.cells if "solution" not in c.metadata.get("tags", []))
        for cell in _solution_cells(full):
            leaked = [line for line in _distinctive_lines(cell.source, others) if line in student_text]
            assert not leaked, f"{path.name}: solution lines in the student edition: {leaked[:3]}"
        # Everything that is not a solution is kept, in order.
        # Everything that is not a solution is kept, in order; only markdown cells that held
        # nothing but a solution may go.
        full_ids = [c.get("id") for c in full.cells if "solution" not in c.metadata.get("tags", [])]
        kept_ids = [c.get("id") for c in kept.cells]
        assert kept_ids == [i for i in full_ids if i in set(kept_ids)]
        dropped = [c for c in full.cells if c.get("id") in set(full_ids) - set(kept_ids)]
        assert all(c.cell_type == "markdown" and "<summary>" in c.source for c in dropped)
    assert (out / "images").is_dir()


def test_the_builder_notices_a_solution_and_clears_exercise_outputs():
    # A tiny notebook shows what the builder removes and keeps, independent of the series' content.
    stub = nbformat.v4.new_code_cell("def f(x):\n    raise NotImplementedError", execution_count=1)
    check_cell = nbformat.v4.new_code_cell("check_function(f, g, cases)", execution_count=2,
                                           outputs=[nbformat.v4.new_output("stream", name="stdout", text="Correct!\n")])
    solution = nbformat.v4.new_code_cell("def f(x):\n    return secret_formula(x)", execution_count=3)
    solution.metadata["tags"] = ["solution"]
    prose = nbformat.v4.new_markdown_cell("Exercise 2.\n\n<details><summary>Solution</summary>\n\nIt is 42.\n</details>")
    only_solution = nbformat.v4.new_markdown_cell("<details><summary>Solution</summary>\n\n7\n</details>")
    nb = nbformat.v4.new_notebook(cells=[stub, check_cell, solution, prose, only_solution])
    student = background.student_edition_builder().student_notebook(nb)
    sources = [c.source for c in student.cells]
    assert sources == [stub.source, check_cell.source, "Exercise 2."]
    assert student.cells[1].outputs == [] and nb.cells[1].outputs          # cleared in the copy only
    assert "secret_formula" not in "".join(sources)


def executed_notebook_problems(path):
    """(number of exercise checks, problems) for a student notebook that has been run top to bottom:
    an error output anywhere, or an exercise check that did not say "not yet", is a problem."""
    nb = nbformat.read(path, as_version=4)
    checked, problems = 0, []
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            problems.append(f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']} in {cell.source[:80]!r}")
        if EXERCISE_CHECK.search(cell.source):
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            if not NOT_YET.search(text):
                problems.append(f"{path.name}: an unanswered exercise printed {text!r} for {cell.source[:80]!r}")
            checked += 1
    return checked, problems


def test_every_student_notebook_runs_and_its_exercises_say_not_yet():
    if background.STUDENT_EDITION_RUNS_IN_BROWSER:
        pytest.skip("the student edition is run in JupyterLab by tests/test_browser.py (every notebook, "
                    "every exercise check); it is executed here only where Chromium is missing")
    # Built and executed in the background from the start of the session (tests/background.py).
    folder = background.start_student_edition_run()
    returncode, output = background.result("student")
    assert returncode == 0, output[-3000:]
    checked = 0
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        count, problems = executed_notebook_problems(path)
        assert not problems, problems
        checked += count
    assert checked >= 10, f"only {checked} exercise checks ran in the student edition"
