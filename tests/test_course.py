"""The nbgrader course (`make course`): every notebook is an assignment, graded as a teacher expects.

The first tests need no nbgrader: cnnlib.grading (what the test cells call) and the builder,
scripts/build_course.py. The round trip at the end runs nbgrader's own commands on a course built
into a temporary folder, with a local exchange: generate_assignment, release_assignment,
fetch_assignment and submit (two students; a third hands in a folder), collect, autograde,
generate_feedback and export, each command run in this process; it takes about two minutes
(autograde runs 9 notebooks). It needs the
teacher extra (pip install -e ".[teacher]", which `make test` installs) and is skipped, with that
reason, where it is missing.
"""
import ast
import contextlib
import csv
import doctest
import fnmatch
import io
import os
import re
import shutil
import sys
import time
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

import background

import cnnlib
import cnnlib.conv
from cnnlib import grading, series
from cnnlib.grading import ReferenceBlocked, assert_agrees, reference_blocked
from test_doctests import missing_parts, public_functions

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
STEMS = [entry.stem for entry in series.SERIES]                    # the manifest, cnnlib/series.py
ROUND_TRIP = [series.notebook(slug).stem for slug in ("convolution_2d", "nonlinearities_and_pooling",
                                                      "backpropagation")]   # autograded
# One nbgrader assignment pattern for the three (each command then imports nbgrader once): "0[268]_*".
ROUND_TRIP_PATTERN = "".join(f"[{''.join(sorted({stem[i] for stem in ROUND_TRIP}))}]" for i in range(2)) + "_*"
assert fnmatch.filter(STEMS, ROUND_TRIP_PATTERN) == ROUND_TRIP, "the pattern would grade other assignments too"


def course_builder():
    return background.load_script("scripts/build_course.py")


def nbgrader_cells(nb):
    """grade_id -> (cell, its nbgrader metadata), in notebook order."""
    return {c.metadata["nbgrader"]["grade_id"]: (c, c.metadata["nbgrader"])
            for c in nb.cells if "nbgrader" in c.metadata}


# cnnlib.grading ------------------------------------------------------------------------------------

def test_grading_documents_every_function_and_its_examples_run():
    lacking = {name: missing_parts(f) for name, f in public_functions(grading) if missing_parts(f)}
    assert not lacking, f"cnnlib.grading: docstrings lacking parts: {lacking}"
    with np.printoptions(legacy=False):
        result = doctest.testmod(grading, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                                 extraglobs={"np": np}, report=False, verbose=False)
    assert result.attempted >= 4 and result.failed == 0


CASES = [(np.arange(16.0).reshape(4, 4), np.array([[1.0, 0.0], [0.0, -1.0]]))]


def loops_conv2d(x, w):
    out = np.zeros((x.shape[0] - w.shape[0] + 1, x.shape[1] - w.shape[1] + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + w.shape[0], j:j + w.shape[1]] * w)
    return out


def test_assert_agrees_passes_a_right_answer_and_fails_a_wrong_one_with_check_functions_message(capsys):
    assert_agrees(loops_conv2d, cnnlib.conv2d, CASES, name="my_conv2d")
    assert capsys.readouterr().out.strip() == "Correct! 1 case agrees with cnnlib's conv2d."
    with pytest.raises(AssertionError, match=r"^Not yet: first wrong entry at index \(0, 0\)"):
        assert_agrees(lambda x, w: loops_conv2d(x, w) + (x[:3, :3] == 0), cnnlib.conv2d, CASES)
    with pytest.raises(AssertionError, match="is not written yet"):
        assert_agrees(lambda x, w: None, cnnlib.conv2d, CASES)
    assert capsys.readouterr().out == ""          # a failure's message is in the error, not printed twice


def test_assert_agrees_takes_check_functions_options():
    def endless(x, w):
        while True:
            pass
    with pytest.raises(AssertionError, match="my_conv2d took longer than 0.2 s"):
        assert_agrees(endless, cnnlib.conv2d, CASES, name="my_conv2d", time_limit=0.2,
                      blocked=[cnnlib.conv2d], namespace={})
    with pytest.raises(TypeError, match="tolerance"):
        assert_agrees(loops_conv2d, cnnlib.conv2d, CASES, tolerance=1e-3)
    assert cnnlib.conv.conv2d.__name__ == "conv2d"          # the time-out left nothing blocked


@pytest.mark.parametrize("how", ["by its name", "under another name", "through the package", "through its module",
                                 "its loop twin"])
def test_a_blocked_reference_fails_every_way_of_calling_it_and_comes_back_afterwards(how):
    namespace = {"conv2d": cnnlib.conv2d, "c2": cnnlib.conv.conv2d, "cnnlib": cnnlib}
    caller = {"by its name": lambda x, w: namespace["conv2d"](x, w),
              "under another name": lambda x, w: namespace["c2"](x, w),
              "through the package": lambda x, w: cnnlib.conv2d(x, w),
              "through its module": lambda x, w: cnnlib.conv.conv2d(x, w),
              "its loop twin": lambda x, w: cnnlib.conv.conv2d_naive(x, w)}[how]
    with pytest.raises(AssertionError, match="my_conv2d called cnnlib's conv2d(_naive)?: write it yourself"):
        assert_agrees(caller, cnnlib.conv2d, CASES, name="my_conv2d", blocked=[cnnlib.conv2d], namespace=namespace)
    assert namespace["conv2d"] is namespace["c2"] is cnnlib.conv.conv2d
    assert cnnlib.conv2d.__name__ == "conv2d" and cnnlib.conv.conv2d_naive.__name__ == "conv2d_naive"
    assert_agrees(loops_conv2d, cnnlib.conv2d, CASES, blocked=[cnnlib.conv2d], namespace=namespace)
    with pytest.raises(ReferenceBlocked), reference_blocked(namespace, cnnlib.max_pool2d):
        cnnlib.pooling.pool2d_naive(np.ones((2, 2)))                  # pooling's loop twin has its own name
    assert cnnlib.pooling.pool2d_naive(np.ones((2, 2))).shape == (1, 1)


def test_only_the_exercises_own_reference_is_blocked():
    # A backward pass may call the forward convolution; only conv2d_backward is off limits.
    def my_conv_backward(grad_out, x, w):
        grad_w = cnnlib.conv2d(x, grad_out)                           # dL/dw: x correlated with the gradient
        grad_x = np.zeros_like(x)
        for i in range(grad_out.shape[0]):
            for j in range(grad_out.shape[1]):
                grad_x[i:i + w.shape[0], j:j + w.shape[1]] += grad_out[i, j] * w
        return grad_x, grad_w, np.array([grad_out.sum()])
    x, w = np.arange(16.0).reshape(4, 4), np.array([[1.0, 2.0], [3.0, 4.0]])
    assert_agrees(my_conv_backward, cnnlib.conv2d_backward, [(np.ones((3, 3)), x, w)],
                  blocked=[cnnlib.conv2d_backward], namespace={})


@pytest.mark.parametrize("call, error, argument", [
    (lambda: assert_agrees("f", cnnlib.relu, [(1.0,)]), TypeError, "student_fn"),
    (lambda: assert_agrees(np.abs, cnnlib.relu, [(1.0,)], blocked=cnnlib.relu, namespace={}), TypeError, "blocked"),
    (lambda: assert_agrees(np.abs, cnnlib.relu, [(1.0,)], blocked=[np.maximum], namespace={}), ValueError, "blocked"),
    (lambda: assert_agrees(np.abs, cnnlib.relu, [(1.0,)], blocked=[cnnlib.relu]), TypeError, "namespace"),
    (lambda: reference_blocked([], cnnlib.relu).__enter__(), TypeError, "namespace"),
    (lambda: reference_blocked({}).__enter__(), ValueError, "functions"),
    (lambda: reference_blocked({}, cnnlib.relu, student=3).__enter__(), TypeError, "student"),
])
def test_bad_arguments_raise_an_error_naming_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


# the builder ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def course(tmp_path_factory):
    out = tmp_path_factory.mktemp("course") / "course"
    return out, course_builder().build(out)


def test_every_notebook_becomes_an_assignment_named_by_its_stem(course):
    out, written = course
    assert sorted(p.parent.name for p in written) == STEMS
    assert all(p.name == f"{p.parent.name}.ipynb" and p.is_file() for p in written)
    config = (out / "nbgrader_config.py").read_text()
    assert 'c.CourseDirectory.course_id = "cnns-from-the-ground-up"' in config
    assert "c.OverwriteCells.add_missing_cells = True" in config
    assert (out / course_builder().MARKER_FILE).is_file()
    assert (out / "source" / "00_index" / "images" / "series_overview.png").is_file()


def implement_it_functions(full_nb):
    """The functions the full notebook checks with check_function, except in find-the-bug
    exercises (practice, not graded: the markdown "**Debug it.**" and the three cells after it)."""
    graded, debugging = [], 0
    for cell in full_nb.cells:
        debugging = max(0, debugging - 1)
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("**Debug it.**"):
            debugging = 4
        if cell.cell_type == "code" and not debugging and "solution" not in cell.metadata.get("tags", []):
            graded.append(cell.source)
    code = "\n".join(graded)
    calls = re.findall(r"^\s*(?:correct = )?check_function\((\w+),", code, re.M)
    return list(dict.fromkeys(calls))


@pytest.mark.parametrize("stem", ROUND_TRIP)
def test_each_exercise_has_an_answer_cell_and_read_only_tests_worth_its_points(course, stem):
    out, _ = course
    full = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    cells = nbgrader_cells(nbformat.read(out / "source" / stem / f"{stem}.ipynb", as_version=4))
    functions = implement_it_functions(full)
    assert functions, f"{stem} has no write-the-code exercise"
    for name in functions:
        answer = next(cell for cell, meta in cells.values() if meta["solution"] and f"def {name}(" in cell.source)
        assert "### BEGIN SOLUTION" in answer.source and "NotImplementedError" not in answer.source
        points = {kind: cells[f"{kind}_{name}"][1]["points"] for kind in ("test", "hidden_test", "own_work")
                  if f"{kind}_{name}" in cells}
        assert points in ({"test": 2, "hidden_test": 2, "own_work": 1}, {"test": 2, "hidden_test": 2}), (name, points)
        assert "### BEGIN HIDDEN TESTS" in cells[f"hidden_test_{name}"][0].source
    written = [(cell, meta) for cell, meta in cells.values() if meta["grade"] and meta["solution"]]
    explains = [c for c in full.cells if c.cell_type == "markdown" and c.source.startswith("**Explain.**")]
    assert len(written) == len(explains) >= 2, f"{stem}: one hand-graded answer cell per explain-why question"
    for cell, meta in written:            # free text, graded by hand: an unlocked answer worth a point
        assert cell.cell_type == "markdown" and not meta["locked"] and meta["points"] == 1
    for cell, meta in cells.values():
        if (cell, meta) in written:
            continue
        assert meta["locked"] == meta["grade"] != meta["solution"]
        assert meta["schema_version"] == 3 and meta["task"] is False
    number_tests = [meta for cell, meta in cells.values() if "check_answer(" in cell.source and meta["grade"]]
    assert number_tests and all(meta["points"] == 1 for meta in number_tests)


def solution_regions_removed(source):
    return re.sub(r"[ \t]*### BEGIN SOLUTION.*?### END SOLUTION\n?", "", source, flags=re.S)


def solution_lines(full):
    """Lines of the full notebook's worked solutions that appear nowhere else in it (not a shared
    call or comment), and that must therefore never reach a student."""
    elsewhere = "\n".join(c.source for c in full.cells if "solution" not in c.metadata.get("tags", []))
    lines = [line.strip() for c in full.cells if "solution" in c.metadata.get("tags", [])
             and "capstone" not in c.metadata.get("tags", []) for line in c.source.splitlines()]
    return [line for line in lines if len(line) > 25 and line not in elsewhere
            and not line.startswith(("#", "def ", '"""', "correct = ", "check_function("))]


@pytest.mark.parametrize("stem", STEMS)
def test_no_worked_solution_survives_outside_the_solution_regions(course, stem):
    out, _ = course
    full = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    source = nbformat.read(out / "source" / stem / f"{stem}.ipynb", as_version=4)
    assert not any("solution" in c.metadata.get("tags", []) for c in source.cells)
    assert not any(re.search(r"<summary>\s*(Worked )?solution", c.source, re.I) for c in source.cells)
    handed_out = "\n".join(solution_regions_removed(c.source) for c in source.cells)
    leaked = [line for line in solution_lines(full) if line in handed_out]
    assert not leaked, f"{stem}: solution lines outside the solution regions: {leaked}"


@pytest.mark.parametrize("stem", STEMS)
def test_the_solution_of_every_number_question_passes_its_test(course, stem):
    # Each answer cell and the tests after it, run on their own with cnnlib at hand; the few tests that
    # need the notebook's own variables (01's flight data) are left to the round trip and to nbval.
    out, _ = course
    source = nbformat.read(out / "source" / stem / f"{stem}.ipynb", as_version=4)
    cells = list(nbgrader_cells(source).values())
    tried = passed = 0
    for index, (cell, meta) in enumerate(cells):
        if not (meta["solution"] and "### BEGIN SOLUTION" in cell.source and not cell.source.startswith("def ")):
            continue
        namespace = {**vars(cnnlib), "np": np, "check": cnnlib.exercises.check,
                     "check_answer": cnnlib.exercises.check_answer}
        try:
            exec(cell.source, namespace)
        except NameError:
            continue
        for test, test_meta in cells[index + 1:]:
            if not test_meta["grade"] or test.cell_type != "code":
                break                              # the next question's answer cell, or a written answer
            tried += 1
            try:
                exec(test.source, namespace)
            except NameError:
                continue
            passed += 1
    numbers = sum(1 for cell, meta in cells if meta["grade"] and re.search(r"\bcheck(_answer)?\(", cell.source))
    assert tried == numbers and passed >= numbers - 1, (tried, passed, numbers)


def test_a_number_checked_through_an_expression_needs_a_written_solution():
    builder = course_builder()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · Test"),
        nbformat.v4.new_code_cell('my_kernel = None\ncheck_answer("convolution_2d", "horizontal_edge", f(my_kernel))')])
    with pytest.raises(builder.CourseError, match="99_test.ipynb, cell 1 .*WRITTEN_SOLUTIONS"):
        builder.assignment_notebook(nb, "99_test.ipynb")


def test_an_exercise_without_a_worked_solution_stops_the_build_naming_the_cell():
    builder = course_builder()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · Test"),
        nbformat.v4.new_code_cell("def my_f(x):\n    raise NotImplementedError"),
        nbformat.v4.new_code_cell("cases = random_cases(lambda rng: (rng.normal(),), n=3)\n"
                                  "check_function(my_f, relu, cases)")])
    with pytest.raises(builder.CourseError, match=r"99_test.ipynb, cell 2 .*no worked solution of my_f"):
        builder.assignment_notebook(nb, "99_test.ipynb")


@pytest.mark.parametrize("target", ["repository", "notebooks", "inside notebooks", "above the repository"])
def test_the_builder_refuses_targets_it_could_destroy(target):
    builder = course_builder()
    out = {"repository": ROOT, "notebooks": NOTEBOOKS, "inside notebooks": NOTEBOOKS / "course",
           "above the repository": ROOT.parent}[target]
    with pytest.raises(builder.CourseError, match="choose a folder of its own"):
        builder.refuse_dangerous_target(out)


def test_the_builder_replaces_only_a_course_it_made(tmp_path):
    builder = course_builder()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "grades.csv").write_text("keep me")
    with pytest.raises(builder.CourseError, match="was not made by this builder"):
        builder.refuse_dangerous_target(foreign)
    assert builder.main(["--out", str(foreign)]) == 2 and (foreign / "grades.csv").read_text() == "keep me"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert builder.refuse_dangerous_target(empty) == empty.resolve()


def test_a_rebuild_replaces_the_source_and_keeps_what_nbgrader_and_the_teacher_wrote(tmp_path):
    builder = course_builder()
    source = tmp_path / "notebooks"
    source.mkdir()
    stem = series.notebook("padding_stride_output_size").stem
    shutil.copy(NOTEBOOKS / f"{stem}.ipynb", source)
    out = tmp_path / "course"
    builder.build(out, source=source, root=tmp_path / "repository")
    kept = {"gradebook.db": "grades", "nbgrader_config_local.py": "c.Exchange.root = '/srv/exchange'",
            f"submitted/ann/{stem}/{stem}.ipynb": "{}"}
    for name, text in kept.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    (out / "source" / stem / "stale.txt").write_text("from the last build")
    builder.build(out, source=source, root=tmp_path / "repository")
    assert all((out / name).read_text() == text for name, text in kept.items())
    assert not (out / "source" / stem / "stale.txt").exists()
    assert (out / "source" / stem / f"{stem}.ipynb").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "notebooks"]     # no temporary folder left


# the round trip through nbgrader -------------------------------------------------------------------

def worked_solutions(full_nb):
    """name -> source of every function defined by a worked solution of the full notebook
    (solution-tagged cells and python blocks of markdown solutions)."""
    codes = [c.source for c in full_nb.cells if c.cell_type == "code" and "solution" in c.metadata.get("tags", [])]
    codes += [block for c in full_nb.cells if c.cell_type == "markdown"
              for block in re.findall(r"<summary>Solution</summary>.*?```python\n(.*?)```", c.source, re.S)]
    functions = {}
    for code in codes:
        for node in ast.parse(code).body:
            if isinstance(node, ast.FunctionDef):
                functions[node.name] = ast.get_source_segment(code, node)
    return functions


def calls_the_reference(stub_source, reference):
    """A function with the stub's signature that hands all the work to ``reference``."""
    definition = next(n for n in ast.parse(stub_source).body if isinstance(n, ast.FunctionDef))
    positional = definition.args.args[:len(definition.args.args) - len(definition.args.defaults)]
    with_default = definition.args.args[len(positional):]
    arguments = [a.arg for a in positional] + [f"{a.arg}={a.arg}" for a in with_default]
    return (f"def {definition.name}({ast.unparse(definition.args)}):\n"
            f"    return {reference}({', '.join(arguments)})")


def references(nb):
    """Student function -> the reference its visible test compares with."""
    return dict(re.findall(r"^assert_agrees\((\w+), ([\w.]+),", "\n".join(c.source for c in nb.cells), re.M))


WRITTEN_ANSWER = "Because the filter is slid over the input, each weight meets every position."


def is_written(grade_id):
    return grade_id.startswith("explain_")


def solve(nb, full, source):
    """Paste the worked solutions into a released notebook: the full notebook's solution functions,
    and for number questions the answer cell of the source version."""
    functions = worked_solutions(full)
    source_cells = nbgrader_cells(source)
    for grade_id, (cell, meta) in nbgrader_cells(nb).items():
        if not meta["solution"]:
            continue
        if cell.cell_type == "markdown":           # an explain-why answer: any text, graded by hand
            cell.source = WRITTEN_ANSWER
            continue
        defined = re.findall(r"^def (\w+)\(", cell.source, re.M)
        cell.source = ("\n\n".join(functions[name] for name in defined) if defined
                       else source_cells[grade_id][0].source)


def cheat(nb):
    """Replace every function the student was to write by one that calls the reference."""
    reference_of = references(nb)
    for cell, meta in nbgrader_cells(nb).values():
        defined = re.findall(r"^def (\w+)\(", cell.source, re.M)
        if meta["solution"] and defined:
            stubs = [n for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)]
            cell.source = "\n\n".join(
                calls_the_reference(ast.get_source_segment(cell.source, stub), reference_of[stub.name])
                for stub in stubs)


def tamper(nb):
    """Delete the first visible test cell and paste a copy of the last test cell below itself."""
    tests = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")]
    copy = nbformat.from_dict(nb.cells[tests[-1]])
    copy["id"] = "pasted-copy"
    nb.cells.insert(tests[-1] + 1, copy)
    first_visible = next(i for i in tests if nb.cells[i].metadata["nbgrader"]["grade_id"].startswith("test_my"))
    deleted = nb.cells.pop(first_visible)
    return deleted.metadata["nbgrader"]["grade_id"], copy.metadata["nbgrader"]["grade_id"]


# The worked solutions are graded once, in the notebook a student also tampered with: a clean copy of
# them would cost three more notebook runs and test nothing the tampered one does not.
SUBMISSIONS = {"alice": "untouched", "carol": "calls the reference",
               "dave": "solved, a test cell deleted and another copied"}
# Alice and Dave fetch and submit through the exchange; Carol works in a copy of the released folder,
# which the teacher puts into submitted/ (handed out and returned by other means, an LMS say).
# Both ways end in the same autograde.
THROUGH_THE_EXCHANGE = ("alice", "dave")


def submission(how, nb, full, source):
    """Change a fetched notebook as the student ``how`` would; returns what was tampered with, if anything."""
    if how.startswith("solved"):
        solve(nb, full, source)
    if how == "calls the reference":
        cheat(nb)
    return tamper(nb) if "deleted" in how else None


def run_nbgrader(command, argv, cwd, env):
    """``nbgrader <command> <argv>`` run in this process, in folder ``cwd`` with environment ``env``;
    (exit status, what it printed and logged). The working folder and the environment are put back."""
    from nbgrader.apps import NbGraderApp
    app_class = NbGraderApp.subcommands[command][0]
    saved_folder, saved_environment = os.getcwd(), dict(os.environ)
    printed = io.StringIO()
    os.chdir(cwd)
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), warnings.catch_warnings():
            # nbgrader's own gradebook code trips SQLAlchemy's autoflush warning while autograding (as a
            # command too, where nobody sees it); it is about nbgrader's session handling, not the course.
            warnings.filterwarnings("ignore", message="Object of type .* not in session")
            warnings.filterwarnings("ignore", message="Cell is missing an id field")   # nbgrader's restored cells
            app = app_class()           # a new application, not the class's shared instance
            try:
                app.initialize(argv)
                app.start()
                status = 0
            except SystemExit as exit:
                status = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    finally:
        os.chdir(saved_folder)
        os.environ.clear()
        os.environ.update(saved_environment)
    return status, printed.getvalue()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Build the course, run it through nbgrader with three students, and read the gradebook:
    (assignment, student) -> {grade_id: (auto score, max score, needs manual grade)}."""
    pytest.importorskip("nbgrader", reason='nbgrader is the teacher extra: pip install -e ".[teacher]" '
                                           "(make test installs it)")
    from nbgrader.api import Gradebook

    started = time.monotonic()
    work = tmp_path_factory.mktemp("nbgrader")
    course_dir, exchange = work / "course", work / "exchange"
    builder = course_builder()
    builder.build(course_dir)
    exchange.mkdir()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "JUPYTER_CONFIG_DIR": str(work / "jupyter-config"), "JUPYTER_DATA_DIR": str(work / "jupyter-data"),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    common = [f"--Exchange.root={exchange}", f"--Exchange.cache={work / 'cache'}"]
    timings = {}

    def nbgrader(*arguments, cwd=course_dir):
        # In this process, one command after another: nbgrader is imported once, where a new process
        # per command spent about 4.5 s of CPU importing it (18 commands).
        begun = time.monotonic()
        status, output = run_nbgrader(arguments[0], [*arguments[1:], *common], cwd, env)
        timings.setdefault(arguments[0], []).append(time.monotonic() - begun)
        assert status == 0, f"nbgrader {' '.join(arguments)} failed:\n{output[-4000:]}"
        return output

    def at_once(calls):
        for arguments, cwd in calls:
            nbgrader(*arguments, cwd=cwd)

    student_homes = {student: work / "students" / student for student in SUBMISSIONS}
    course = f"--course={builder.COURSE_ID}"
    nbgrader("generate_assignment", "*")                     # every notebook must be a valid assignment
    at_once([(("release_assignment", assignment), course_dir) for assignment in ROUND_TRIP])
    for student, home in student_homes.items():
        home.mkdir(parents=True)
        if student not in THROUGH_THE_EXCHANGE:
            for assignment in ROUND_TRIP:
                shutil.copytree(course_dir / "release" / assignment, home / assignment)
    at_once([(("fetch_assignment", *ROUND_TRIP, course), student_homes[student]) for student in THROUGH_THE_EXCHANGE])
    tampered = {}
    for student, how in SUBMISSIONS.items():
        for assignment in ROUND_TRIP:
            path = student_homes[student] / assignment / f"{assignment}.ipynb"
            nb = nbformat.read(path, as_version=4)
            full = nbformat.read(NOTEBOOKS / f"{assignment}.ipynb", as_version=4)
            source = nbformat.read(course_dir / "source" / assignment / f"{assignment}.ipynb", as_version=4)
            tampered[assignment, student] = submission(how, nb, full, source)
            nbformat.write(nb, path)
    at_once([(("submit", assignment, course, f"--student={student}"), student_homes[student])
             for student in THROUGH_THE_EXCHANGE for assignment in ROUND_TRIP])
    for student in set(SUBMISSIONS) - set(THROUGH_THE_EXCHANGE):
        for assignment in ROUND_TRIP:
            shutil.copytree(student_homes[student] / assignment, course_dir / "submitted" / student / assignment)
    at_once([(("collect", assignment), course_dir) for assignment in ROUND_TRIP])
    nbgrader("autograde", ROUND_TRIP_PATTERN)
    nbgrader("generate_feedback", ROUND_TRIP_PATTERN)
    nbgrader("export")                                       # grades.csv
    seconds = time.monotonic() - started
    print(f"\nnbgrader round trip: {seconds:.0f} s for {len(ROUND_TRIP)} assignments x {len(SUBMISSIONS)} students; "
          + ", ".join(f"{command} {len(t)} x {sum(t) / len(t):.1f} s" for command, t in timings.items()))

    grades = {}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", builder.COURSE_ID) as gradebook:
        for assignment in ROUND_TRIP:
            for student in SUBMISSIONS:
                notebook = gradebook.find_submission_notebook(assignment, assignment, student)
                grades[assignment, student] = {g.name: (g.auto_score, g.max_score, g.needs_manual_grade)
                                               for g in notebook.grades}
    return {"grades": grades, "course": course_dir, "tampered": tampered}


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_nbgraders_release_holds_no_solution_and_no_hidden_test(graded, stem):
    released = nbformat.read(graded["course"] / "release" / stem / f"{stem}.ipynb", as_version=4)
    text = "\n".join(c.source for c in released.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text and "blocked=" not in text
    leaked = [line for line in solution_lines(nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)) if line in text]
    assert not leaked, f"{stem}: solution lines in the release: {leaked}"
    answers = [c for c, meta in nbgrader_cells(released).values() if meta["solution"]]
    assert all("raise NotImplementedError()" in c.source for c in answers if c.cell_type == "code")
    assert all(c.source == "YOUR ANSWER HERE" for c in answers if c.cell_type == "markdown")


def exercise_of(grade_id):
    return re.sub(r"^(test|hidden_test|own_work)_", "", grade_id)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ROUND_TRIP)
def test_an_untouched_release_scores_nothing_and_grades_without_crashing(graded, assignment):
    grades = graded["grades"][assignment, "alice"]
    assert grades and all(auto == 0 and not manual for auto, _, manual in grades.values()), grades
    assert (graded["course"] / "feedback" / "alice" / assignment / f"{assignment}.html").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ROUND_TRIP)
def test_the_worked_solutions_score_full_points_even_with_a_test_cell_deleted_and_another_copied(graded, assignment):
    student = "dave"
    grades = graded["grades"][assignment, student]
    written = {name: g for name, g in grades.items() if is_written(name)}
    grades = {name: g for name, g in grades.items() if not is_written(name)}
    assert all(auto == maximum and not manual for auto, maximum, manual in grades.values()), \
        {name: g for name, g in grades.items() if g[0] != g[1]}
    assert len(written) >= 2 and all(manual and maximum == 1 for _, maximum, manual in written.values()), written
    assert sum(maximum for _, maximum, _ in grades.values()) >= 6
    deleted, copied = graded["tampered"][assignment, student]
    autograded = nbformat.read(graded["course"] / "autograded" / student / assignment / f"{assignment}.ipynb",
                               as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in autograded.cells]
    assert ids.count(deleted) == 1 and ids.count(copied) == 1          # restored once, graded once
    restored = autograded.cells[ids.index(deleted)]
    assert "was missing from the submission" in restored.source and "assert_agrees(" in restored.source


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ROUND_TRIP)
def test_a_function_that_calls_cnnlibs_reference_loses_its_hidden_points(graded, assignment):
    grades = graded["grades"][assignment, "carol"]
    exercises = {exercise_of(name) for name in grades if name.startswith("own_work_")}
    assert exercises
    for name, (auto, maximum, manual) in grades.items():
        if exercise_of(name) in exercises:
            expected = maximum if name.startswith("test_") else 0
            assert auto == expected and not manual, (name, auto, maximum)
    feedback = (graded["course"] / "feedback" / "carol" / assignment / f"{assignment}.html").read_text()
    assert "write it yourself" in feedback


@pytest.mark.slow
def test_the_exported_grades_add_up_the_gradebook(graded):
    with open(graded["course"] / "grades.csv", newline="") as file:
        rows = {(row["assignment"], row["student_id"]): row for row in csv.DictReader(file)}
    assert len(rows) == len(STEMS) * len(SUBMISSIONS)            # every assignment, submitted or not
    for (assignment, student), grades in graded["grades"].items():
        row = rows[assignment, student]
        assert float(row["score"]) == sum(auto or 0 for auto, _, _ in grades.values())   # None: not graded by hand yet
        assert float(row["max_score"]) == sum(maximum for _, maximum, _ in grades.values())
    dave = graded["grades"]["02_convolution_2d", "dave"]
    written = sum(maximum for name, (_, maximum, _) in dave.items() if is_written(name))
    row = rows["02_convolution_2d", "dave"]
    assert float(row["score"]) == float(row["max_score"]) - written > 0
