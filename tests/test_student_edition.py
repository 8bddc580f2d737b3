"""The student edition (`make student`): no solutions survive, and every exercise still runs.

The full edition in notebooks/ is validated by nbval like every notebook; these tests build the
student edition into a temporary folder and look for any trace of a solution. Every student notebook
is also run top to bottom, and each unanswered exercise must say "not yet" instead of raising: in
JupyterLab, as a student runs it, by tests/test_browser.py (which checks the saved notebook with
:func:`executed_notebook_problems`), or, on a machine without Chromium, with nbconvert here.
"""
import json
import os
import re
import shutil
import subprocess
import sys
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
    out = tmp_path_factory.mktemp("student") / "edition"
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


@pytest.mark.slow
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
        # Everything that is not a solution is kept, in order; only markdown cells that held
        # nothing but a solution may go.
        full_ids = [c.get("id") for c in full.cells if "solution" not in c.metadata.get("tags", [])]
        answer_cells = [c for c in kept.cells if c.source == background.student_edition_builder().ANSWER_CELL]
        explains = [c for c in full.cells if c.cell_type == "markdown" and c.source.startswith("**Explain.**")]
        assert len(answer_cells) == len(explains), f"{path.name}: one answer cell per explain-why question"
        kept_ids = [c.get("id") for c in kept.cells if c not in answer_cells]
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


def test_model_answers_are_hidden_and_each_explain_question_gets_an_answer_cell():
    builder = background.student_edition_builder()
    question = nbformat.v4.new_markdown_cell(
        "**Explain.** Why divide by p in dropout?\n\n<details><summary>Model answer</summary>\n\n"
        "So the expected activation is unchanged.\n</details>")
    hint = nbformat.v4.new_markdown_cell("<details><summary>Hint</summary>\n\nThink of the mean.\n</details>")
    nb = nbformat.v4.new_notebook(cells=[question, hint])
    sources = [c.source for c in builder.student_notebook(nb).cells]
    assert sources == ["**Explain.** Why divide by p in dropout?", builder.ANSWER_CELL, hint.source]
    near_miss = nbformat.v4.new_markdown_cell("**Explain.** Why?\n\n<details><summary>Model Answer</summary>x</details>")
    with pytest.raises(builder.EditionError, match="Model Answer"):
        builder.student_notebook(nbformat.v4.new_notebook(cells=[near_miss]))


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


@pytest.mark.slow
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


# ---------------------------------------------------------------------------------------------------
# What a teacher hands out: no answer in plain sight, and a folder that runs on its own.

def _sentences(markdown):
    return [s.strip() for s in re.split(r"(?<=[.:;!?])\s+|\n\n", markdown) if s.strip()]


@pytest.mark.slow
def test_the_student_edition_shows_no_answer_and_promises_no_removed_solution(edition):
    out, student = edition
    for name, nb in student.items():
        for index, cell in enumerate(nb.cells):
            where = f"{name} cell {index}"
            assert "numbers quoted in the solution" not in cell.source.lower(), f"{where}: an answer-quoting cell"
            if cell.cell_type == "code":
                # Every number question goes through the answer table: no expected value is computed
                # in front of the student and handed to check().
                assert not re.search(r"(?<![\w.])check\(", cell.source), f"{where}: check() with an expected value"
            else:
                for sentence in _sentences(cell.source):
                    if re.search(r"solution", sentence, re.I) and not re.search(r"\b(full|student) edition", sentence):
                        pytest.fail(f"{where}: a sentence about a solution the edition removed: {sentence!r}")


@pytest.mark.slow
def test_the_student_edition_is_self_contained(edition):
    out, student = edition
    assert (out / "README.md").is_file() and "check_answer" in (out / "README.md").read_text()
    assert (out / "data" / "mnist_subset.npz").is_file() and (out / "data" / "README.md").is_file()
    assert (out / background.student_edition_builder().MARKER_FILE).is_file()
    images = {m for nb in student.values() for c in nb.cells for m in re.findall(r"images/[\w.-]+", c.source)}
    assert images and all((out / m).is_file() for m in images), sorted(m for m in images if not (out / m).is_file())


@pytest.mark.slow
def test_the_student_edition_runs_with_cnnlib_installed_and_nothing_else(edition, tmp_path):
    # cnnlib as an installed copy far from the repository (as a wheel would put it), run from the
    # edition's folder: the data must come from the edition's own data/.
    out, _ = edition
    site = tmp_path / "site"
    shutil.copytree(ROOT / "cnnlib", site / "cnnlib", ignore=shutil.ignore_patterns("__pycache__"))
    probe = ("import cnnlib, cnnlib.data; from cnnlib.data import sample_image; "
             "(x, y), _ = cnnlib.load_mnist(); sample_image('hopper'); "
             "print(cnnlib.__file__); print(cnnlib.data._files.data_dir())")
    env = {k: v for k, v in os.environ.items() if k != "CNNLIB_DATA_DIR"}
    env["PYTHONPATH"] = str(site)
    result = subprocess.run([sys.executable, "-c", probe], cwd=out, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    module_file, data_folder = result.stdout.split()
    assert Path(module_file).is_relative_to(site)
    assert Path(data_folder).resolve() == (out / "data").resolve()


# ---------------------------------------------------------------------------------------------------
# The builder never destroys what it did not make.

def _snapshot(folder):
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if ".git" not in p.parts}


@pytest.mark.parametrize("target", ["notebooks", ".", "notebooks/images", "notebooks/new", "..", "cnnlib", "data"])
def test_the_builder_refuses_targets_it_did_not_make(target, capsys):
    builder = background.student_edition_builder()
    watched = ROOT / "notebooks"
    before = _snapshot(watched)
    assert builder.main(["--out", str(ROOT / target)]) == 2
    message = capsys.readouterr().err
    assert "build_student_edition: --out" in message and "wrote" not in message
    assert _snapshot(watched) == before                            # nothing written, nothing deleted
    assert not list(ROOT.glob(".*.building-*")) and not list(ROOT.parent.glob(".*.building-*"))


def test_the_builder_refuses_an_existing_folder_without_its_marker(tmp_path):
    builder = background.student_edition_builder()
    mine = tmp_path / "my_work"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    with pytest.raises(builder.EditionError, match="was not made by this builder"):
        builder.build(mine)
    assert (mine / "thesis.tex").read_text() == "years of work"
    home_like = tmp_path / "file.txt"
    home_like.write_text("x")
    with pytest.raises(builder.EditionError, match="is a file"):
        builder.build(home_like)


def _fake_series(folder, cells_of_second=None):
    """A tiny source folder of two notebooks, the second one's cells replaceable."""
    source = folder / "src"
    source.mkdir()
    first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# One")])
    nbformat.write(first, source / "01_one.ipynb")
    second = nbformat.v4.new_notebook()
    second.cells = cells_of_second or [nbformat.v4.new_markdown_cell("# Two")]
    (source / "02_two.ipynb").write_text(json.dumps(second))    # as stored, even where nbformat would refuse
    return source


def _build_fake(builder, tmp_path, source, out):
    return builder.build(out, source=source, root=tmp_path / "elsewhere", data=tmp_path / "no-data")


def test_a_rebuild_replaces_only_its_own_edition_and_keeps_the_old_one_when_a_notebook_is_broken(tmp_path):
    builder = background.student_edition_builder()
    source = _fake_series(tmp_path)
    out = tmp_path / "edition"
    assert [p.name for p in _build_fake(builder, tmp_path, source, out)] == ["01_one.ipynb", "02_two.ipynb"]
    assert [p.name for p in _build_fake(builder, tmp_path, source, out)] == ["01_one.ipynb", "02_two.ipynb"]
    before = _snapshot(out)
    (source / "02_two.ipynb").write_text('{"cells": [')                  # not JSON
    with pytest.raises(builder.EditionError, match=r"02_two\.ipynb is not a valid notebook"):
        _build_fake(builder, tmp_path, source, out)
    assert _snapshot(out) == before                                         # the old edition is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edition", "src"]  # no half-built folder left


def _solution_code(tags):
    cell = nbformat.v4.new_code_cell("def f(x):\n    return secret_formula(x)")
    cell.metadata["tags"] = tags
    return cell


NEAR_MISSES = {
    "tag Solution": lambda: _solution_code(["Solution"]),
    "tag solutions": lambda: _solution_code(["solutions"]),
    "tag with a trailing space": lambda: _solution_code(["solution "]),
    "tags stored as a string": lambda: _solution_code("solution"),
    "details open": lambda: nbformat.v4.new_markdown_cell("<details open><summary>Solution</summary>\n\n42\n</details>"),
    "bold summary": lambda: nbformat.v4.new_markdown_cell("<details><summary><b>Solution</b></summary>\n\n42\n</details>"),
    "unclosed details": lambda: nbformat.v4.new_markdown_cell("<details><summary>Solution</summary>\n\n42\n"),
    "nested details": lambda: nbformat.v4.new_markdown_cell(
        "<details><summary>Solution</summary>\n\n<details><summary>Hint</summary>x</details>42\n</details>"),
    "summary on its own line": lambda: nbformat.v4.new_markdown_cell("<details>\n<summary>Solution</summary>\n\n42\n</details>"),
    "untagged worked solution": lambda: nbformat.v4.new_code_cell("# Worked solution (try first).\ndef f(x):\n    return 42"),
    "stray closing tag": lambda: nbformat.v4.new_markdown_cell("Answer: 42\n</details>"),
}


@pytest.mark.parametrize("variant", sorted(NEAR_MISSES))
def test_a_near_miss_marker_stops_the_build_naming_the_notebook_and_cell(variant, tmp_path):
    builder = background.student_edition_builder()
    cells = [nbformat.v4.new_markdown_cell("Exercise 1."), NEAR_MISSES[variant]()]
    source = _fake_series(tmp_path, cells)
    with pytest.raises(builder.EditionError, match=r"02_two\.ipynb, cell 1\b"):
        _build_fake(builder, tmp_path, source, tmp_path / "edition")
    assert not (tmp_path / "edition").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_the_exact_markers_still_build_and_hints_stay(tmp_path):
    builder = background.student_edition_builder()
    hint = "<details><summary>Hint</summary>\n\nStart from zeros.\n</details>"
    cells = [nbformat.v4.new_markdown_cell("Exercise 1.\n\n" + hint),
             nbformat.v4.new_markdown_cell("<details><summary>Solution</summary>\n\n42\n</details>"),
             _solution_code(["solution", "capstone"])]
    source = _fake_series(tmp_path, cells)
    written = _build_fake(builder, tmp_path, source, tmp_path / "edition")
    kept = nbformat.read(written[1], as_version=4)
    assert [c.source for c in kept.cells] == ["Exercise 1.\n\n" + hint]


def _copy_of_the_repository(folder):
    """The files git tracks (with the working tree's edits), plus a .git folder, as repo2docker copies them."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in tracked.stdout.split("\0"):
        if name and (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")


@pytest.mark.slow
@pytest.mark.parametrize("inside_repo2docker", [True, False])
def test_binder_image_holds_the_student_edition_and_not_the_solutions(tmp_path, inside_repo2docker):
    # binder/postBuild run as repo2docker runs it (from the copy's root, REPO_DIR set), with `pip`
    # stubbed so the test does not reinstall cnnlib; outside repo2docker it must delete nothing.
    copy = tmp_path / "repo"
    copy.mkdir()
    _copy_of_the_repository(copy)
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "python").write_text(f'#!/bin/bash\nif [[ "$1 $2" == "-m pip" ]]; then exit 0; fi\nexec {sys.executable} "$@"\n')
    (shims / "python").chmod(0o755)
    env = dict(os.environ, PATH=f"{shims}:{os.environ['PATH']}")
    env.pop("REPO_DIR", None)
    if inside_repo2docker:
        env["REPO_DIR"] = str(copy)
    result = subprocess.run(["bash", str(copy / "binder" / "postBuild")], cwd=copy, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    edition = copy / "student"
    assert (edition / ".student-edition").is_file() and len(list(edition.glob("[0-9][0-9]_*.ipynb"))) == len(NOTEBOOKS)
    assert (edition / "data" / "mnist_subset.npz").is_file()
    if inside_repo2docker:
        assert not (copy / "notebooks").exists() and not (copy / ".git").exists()
        left = [p for p in copy.rglob("*.ipynb") if not p.is_relative_to(edition)]
        assert not left, left
        shown = "\n".join(c.source for p in edition.glob("*.ipynb") for c in nbformat.read(p, as_version=4).cells)
        assert "# Worked solution" not in shown
    else:
        assert len(list((copy / "notebooks").glob("*.ipynb"))) == len(NOTEBOOKS) and (copy / ".git").is_dir()
