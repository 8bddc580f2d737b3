"""Write the series as an nbgrader course: one graded assignment per notebook.

    python scripts/build_course.py --out course        # what `make course` runs

The folder is an nbgrader course directory, ready for nbgrader's own commands (generate_assignment,
release_assignment, collect, autograde, generate_feedback):

    course/nbgrader_config.py                         course id, root folder, grading settings
    course/source/02_convolution_2d/02_convolution_2d.ipynb
    course/source/02_convolution_2d/data/, images/    when the notebook uses them

Each notebook becomes the assignment named by its file stem. Its source version is the student
edition (scripts/build_student_edition.py: no solution-tagged cells, no <details><summary>Solution
blocks) with each exercise turned into graded cells; the worked solutions are taken from the full
notebook first, and nbgrader takes them out again when it hands the assignment out.

- A write-the-code exercise (a stub ``def my_xxx`` and a cell calling ``check_function``): the stub
  is the answer cell, its body the worked solution between ``### BEGIN SOLUTION`` and ``### END
  SOLUTION``. The check cell becomes read-only test cells, one set per function:
      visible    the series' own check on its fixed and random cases                    2 points
      hidden     fresh random cases (another seed), with cnnlib's function blocked      2 points
      own work   the series' cases again, with cnnlib's function blocked                1 point
  "Blocked" (cnnlib.grading): calling the cnnlib function the exercise asks for, or its loop twin,
  raises while the student's function runs. A function that only calls cnnlib's keeps the 2 visible
  points and loses the 3 hidden ones. A reference that is not cnnlib's (np.maximum) cannot be
  blocked: that exercise has no own-work cell (4 points).
- A number question (``my_x = None`` and ``check_answer``): the answer cell keeps the placeholder
  and gets the expected value (from cnnlib/answers) as its solution; every ``check_answer`` call is a
  read-only test cell worth 1 point. Helper code of the check goes into the test cell, so a student
  cannot change it. Where the answer is checked through an expression (a kernel's responses), the
  solution is written below in WRITTEN_SOLUTIONS.
- An explain-why question (a markdown cell ``**Explain.**``) gets a free-text answer cell worth 1
  point, graded by hand (the teacher compares with the model answer in the full edition).
- A find-the-bug exercise (``**Debug it.**``) stays self-checked practice, not graded: nbgrader would
  replace the buggy code the student has to read with its "YOUR CODE HERE" stub.
- Notebook 10's capstone (cells tagged ``capstone``) stays as in the student edition and is not
  graded: it assembles pieces written in several notebooks and falls back on cnnlib's meanwhile.

nbgrader_config.py also makes grading robust and quicker: a test cell the student deleted is put back
(OverwriteCells.add_missing_cells), a pasted copy of one is graded once (DropDuplicateGradeIds, a fix
for nbgrader 0.9.6, which otherwise stops with KeyError: 'grade_id'), a cell may run for 300 s, and
the autograder runs the figures' code without drawing them.

The builder writes only into a folder it made (it leaves a marker file there); it refuses the
repository, notebooks/ and anything containing or inside them. It builds into a temporary folder
beside the target and swaps the new source/ and nbgrader_config.py in when every notebook has been
built. A rebuild keeps everything nbgrader wrote (gradebook.db, release/, submitted/, autograded/,
feedback/) and nbgrader_config_local.py; run `nbgrader generate_assignment --force` afterwards.
"""
import argparse
import ast
import functools
import importlib.util
import os
import re
import shutil
import sys
import tempfile
import textwrap
import zlib
from pathlib import Path

import nbformat
import numpy as np

from cnnlib.exercises import answer_table

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "data"
COURSE_ID = "cnns-from-the-ground-up"
MARKER_FILE = ".nbgrader-course"        # written into every course folder; only such a folder is written to
BUILT = (MARKER_FILE, "nbgrader_config.py", "source")       # what a rebuild replaces; the rest is nbgrader's
POINTS = {"visible": 2, "hidden": 2, "own_work": 1, "number": 1}
# A find-the-bug exercise ("**Debug it.**", then the buggy function, then its check) stays practice:
# nbgrader would replace the buggy code the student has to read with "YOUR CODE HERE".
DEBUG_MARK, DEBUG_SPAN = "**Debug it.**", 4
EXPLAIN_POINTS = 1        # an explain-why answer, graded by hand against the full edition's model answer
CHECK_CALLS = {"check_function", "check_answer", "check"}
EXERCISE_CALL = re.compile(r"\b(check|check_answer|check_function)\(")
PYTHON_FENCE = re.compile(r"```python\n(.*?)```", re.S)
NOTEBOOK_LINK = re.compile(r"\]\((\d\d_[A-Za-z0-9_]+)\.ipynb(#[^)]*)?\)")
USES_DATA = re.compile(r"\b(load_mnist|sample_image)\(|\bhopper\b")    # the shipped MNIST subset and photograph
# Number questions checked through an expression of the answer (a kernel's responses, a filtered
# series), so the expected value is not the answer itself: their solutions, by notebook slug
# (cnnlib/series.py) and name.
WRITTEN_SOLUTIONS = {
    ("convolution_1d", "my_weights"): "[-1, 1]",
    ("convolution_2d", "my_kernel"): "[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]",
    ("volumes_and_filters", "my_filter"): "np.array([0.299, 0.587, 0.114]).reshape(3, 1, 1)",
}

GRADED_NOTE = """\
**Graded assignment.** Write your code where a cell says `# YOUR CODE HERE` (delete the
`raise NotImplementedError()` under it) and replace each `None` placeholder with your answer, then
run the notebook from the top. The read-only cell after each answer checks it: it prints "Correct!" or
stops with a message saying what is not right yet. When your work is graded, hidden tests run as
well: fresh random cases, and a check that your function does the work itself instead of calling
cnnlib's version. Answer each explain-why question in the cell under it that says YOUR ANSWER HERE (a few
sentences); your teacher grades those by hand. Leave the read-only cells where they are."""
CAPSTONE_NOTE = " The capstone at the end is not graded in this assignment."

NBGRADER_CONFIG = '''\
"""nbgrader settings for "CNNs from the Ground Up".

Written by scripts/build_course.py, and rewritten by every `make course`: put your own settings (the
exchange folder, a due date...) in nbgrader_config_local.py beside this file, which is read last
and never rewritten.
"""
import os

from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells,
                                    OverwriteKernelspec)

c = get_config()  # noqa: F821 (nbgrader defines get_config when it reads this file)

c.CourseDirectory.course_id = "{course_id}"
# The course is the folder this file is in, wherever it is moved or copied.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# The exchange is a folder that the teacher and every student can write to (one JupyterHub machine).
# nbgrader's default, /usr/local/share/nbgrader/exchange, must exist; or name your own here:
# c.Exchange.root = "/srv/nbgrader/exchange"

# A student who deleted a read-only test cell is still graded on it: nbgrader puts it back from the
# source version.
c.OverwriteCells.add_missing_cells = True


class DropDuplicateGradeIds(DeduplicateIds):
    """nbgrader's DeduplicateIds, but a pasted copy of a graded cell loses its nbgrader metadata
    altogether: nbgrader 0.9.6 leaves it as an empty dict, and then add_missing_cells fails on it
    (KeyError: 'grade_id') and the notebook is not graded. As in nbgrader, the last copy is the one
    graded (its source restored from the source version); earlier copies run as ordinary cells."""

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.metadata.get("nbgrader") == {{}}:
            del cell.metadata["nbgrader"]
        return cell, resources


c.Autograde.sanitize_preprocessors = [ClearOutput, DropDuplicateGradeIds, OverwriteKernelspec, OverwriteCells,
                                      CheckCellMetadata]

# The training cells of notebooks 10 to 12 take longer than nbgrader's default of 30 s per cell.
c.Execute.timeout = 300
# The autograder runs every figure's code but does not draw the pictures: no grade depends on them,
# grading takes about half the time and feedback files stay small. To draw them, set this to [].
c.Execute.extra_arguments = ["--InlineBackend.figure_formats=set()"]
# cnnlib's matrices are small: one BLAS thread is as fast, and leaves the grading machine's other
# cores to the next notebook.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

load_subconfig("nbgrader_config_local.py")  # noqa: F821 (nbgrader defines it too; a missing file is skipped)
'''


class CourseError(ValueError):
    """The course cannot be built as asked: a dangerous --out, or an exercise the builder cannot
    turn into graded cells. The message names the notebook and the cell."""


@functools.cache
def student_edition_builder():
    """scripts/build_student_edition.py as a module: its ``student_notebook`` removes the solutions."""
    spec = importlib.util.spec_from_file_location("build_student_edition",
                                                  Path(__file__).resolve().parent / "build_student_edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _code_of(source):
    """Python source without IPython's ``%magic`` and ``!shell`` lines, which ast cannot parse."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def _call_name(statement):
    """``check_function`` for ``check_function(...)`` or ``correct = check_function(...)``, else None."""
    value = getattr(statement, "value", None) if isinstance(statement, (ast.Expr, ast.Assign)) else None
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in CHECK_CALLS:
        return value.func.id
    return None


def _statements(source, where):
    """The top-level statements of ``source``, each with its lines: the comments and blank lines
    above a statement go with it, and the lines after the last one go with the last one."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise CourseError(f"{where}: an exercise cell that is not valid Python ({err.msg}, line {err.lineno})") from err
    lines = source.split("\n")
    spans, start = [], 0
    for statement in tree.body:
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])]) - 1
        spans.append([statement, min(start, first), statement.end_lineno])
        start = statement.end_lineno
    if spans:
        spans[-1][2] = len(lines)
    return [(statement, "\n".join(lines[first:last]).strip("\n")) for statement, first, last in spans]


def _names_in(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _argument(call, position, keyword):
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _cnnlib_names(nb):
    """The names the notebook imports from cnnlib: ``conv2d``, ``augment``, ``cnnlib`` itself."""
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or "cnnlib" not in cell.source:
            continue
        try:
            tree = ast.parse(_code_of(cell.source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "cnnlib":
                names.update(alias.asname or alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                             if alias.name.split(".")[0] == "cnnlib")
    return names


def _defined_functions(nb):
    """Every function defined at the top level of a code cell: name -> its ast node."""
    functions = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "def " not in cell.source:
            continue
        try:
            tree = ast.parse(_code_of(cell.source))
        except SyntaxError:
            continue
        functions.update({n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)})
    return functions


def _blocked_references(reference, source, cnnlib_names, functions):
    """The cnnlib functions a reference stands for, as source text: ``conv2d`` itself, or the cnnlib
    functions a wrapper such as ``adam_reference`` calls. Empty for a reference that is not cnnlib's."""
    def is_cnnlib(node):
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        return isinstance(root, ast.Name) and root.id in cnnlib_names

    if isinstance(reference, (ast.Name, ast.Attribute)) and is_cnnlib(reference):
        return [ast.get_source_segment(source, reference)]
    body = reference if isinstance(reference, ast.Lambda) else functions.get(getattr(reference, "id", None))
    if body is None:
        return []
    called = [ast.unparse(n.func) for n in ast.walk(body) if isinstance(n, ast.Call) and is_cnnlib(n.func)]
    return list(dict.fromkeys(called))


def _solution_sources(nb):
    """(cell index, code) of every worked solution in the full notebook: the solution-tagged code
    cells and the python code blocks inside markdown <details><summary>Solution</summary> blocks."""
    solution_block = student_edition_builder().SOLUTION_BLOCK
    sources = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
            sources.append((index, _code_of(cell.source)))
        elif cell.cell_type == "markdown":
            for block in solution_block.finditer(cell.source):
                sources.extend((index, code) for code in PYTHON_FENCE.findall(block.group(0)))
    return sources


def _function_body(code, name, allowed, where):
    """The body of ``def name`` in ``code`` without its docstring, dedented; None when not defined there."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    definition = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)
    if definition is None:
        return None
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.ClassDef)) or (
                isinstance(node, ast.FunctionDef) and node.name not in allowed):
            raise CourseError(f"{where}: the worked solution of {name} needs code outside the function "
                              f"(line {node.lineno}); move it inside {name} so the answer cell can hold it")
    lines = code.split("\n")[_body_after_docstring(definition)[0].lineno - 1:definition.end_lineno]
    return textwrap.dedent("\n".join(lines)).strip("\n")


def _body_after_docstring(definition):
    """A function's statements after its docstring (the stub keeps its own docstring)."""
    body = definition.body
    first = body[0]
    has_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
        and isinstance(first.value.value, str)
    return body[1:] if has_docstring and len(body) > 1 else body


def _fill_in(source, name, solution):
    """``source`` with the body of ``def name`` (after its docstring) replaced by ``solution``
    between nbgrader's solution markers."""
    tree = ast.parse(source)
    definition = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    lines = source.split("\n")
    first, last = _body_after_docstring(definition)[0].lineno - 1, definition.end_lineno
    indent = re.match(r"\s*", lines[first]).group(0)
    region = ([f"{indent}### BEGIN SOLUTION"] + textwrap.indent(solution, indent).split("\n")
              + [f"{indent}### END SOLUTION"])
    return "\n".join(lines[:first] + region + lines[last:])


def _literal(value, where):
    """Python source for an expected answer: numbers to 12 significant digits, arrays as lists."""
    def plain(v):
        if isinstance(v, np.ndarray):
            return plain(v.tolist())
        if isinstance(v, (list, tuple)):
            items = [plain(item) for item in v]
            return items if isinstance(v, list) else tuple(items)
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            return float(f"{float(v):.12g}")
        return v
    text = repr(plain(value))
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError) as err:
        raise CourseError(f"{where}: the expected answer {text[:60]} cannot be written as a Python literal") from err
    return text


def _moved(source, node, column):
    """The source of ``node`` as it reads when it starts at ``column``: continuation lines shifted
    by as much as its first line moved, so they stay aligned."""
    first, *rest = ast.get_source_segment(source, node).split("\n")
    shift = column - node.col_offset
    if shift >= 0:
        rest = [" " * shift + line if line.strip() else line for line in rest]
    else:
        rest = [line[-shift:] if line[:-shift].isspace() else line for line in rest]
    return "\n".join([first] + rest)


def _as_assertion(call, source):
    """``check_function(...)`` rewritten as ``assert_agrees(...)`` at the start of a line."""
    moved = _moved(source, call, -len("check_function") + len("assert_agrees"))
    return "assert_agrees" + moved[len("check_function"):]


def _cell_id(grade_id):
    return grade_id.replace("_", "-")[:64]          # the same cell id on every build, as nbformat allows


def _metadata(grade_id, *, points=None):
    """nbgrader's cell metadata: an answer cell (no points) or a read-only test cell with points."""
    test = points is not None
    meta = {"grade": test, "solution": not test, "locked": test, "grade_id": grade_id,
            "schema_version": 3, "task": False}
    if test:
        meta["points"] = points
    return {"nbgrader": meta}


class _Assignment:
    """Builds the source version of one notebook: the student edition with graded cells."""

    def __init__(self, full, name):
        self.name, self.number = name, name[:2]
        self.slug = Path(name).stem[3:]             # 02_convolution_2d.ipynb -> convolution_2d
        self.student = student_edition_builder().student_notebook(full, name)
        self.full_index = {cell.get("id"): i for i, cell in enumerate(full.cells)}
        self.solutions = _solution_sources(full)
        self.cnnlib_names = _cnnlib_names(full)
        self.functions = _defined_functions(full)
        self.cells, self.grade_ids = [], set()

    def where(self, cell):
        return f"{self.name}, cell {self.full_index.get(cell.get('id'), '?')} (id {cell.get('id')})"

    def grade_id(self, text):
        grade_id = re.sub(r"[^A-Za-z0-9_]", "_", text)
        while grade_id in self.grade_ids:
            grade_id += "_again"
        self.grade_ids.add(grade_id)
        return grade_id

    def graded_cell(self, source, grade_id, points=None):
        """A new answer cell (points None) or read-only test cell; ``grade_id`` made unique."""
        grade_id = self.grade_id(grade_id)
        cell = nbformat.v4.new_code_cell(source, metadata=_metadata(grade_id, points=points))
        cell["id"] = _cell_id(grade_id)
        return cell

    def build(self):
        debugging = 0            # cells left in a find-the-bug exercise: practice, checked but not graded
        for cell in self.student.cells:
            debugging = max(0, debugging - 1)
            if cell.cell_type == "markdown" and cell.source.lstrip().startswith(DEBUG_MARK):
                debugging = DEBUG_SPAN
            if cell.cell_type == "code" and debugging and EXERCISE_CALL.search(cell.source):
                cell.outputs, cell.execution_count = [], None
                self.cells.append(cell)
                continue
            if cell.cell_type == "markdown":
                cell.source = NOTEBOOK_LINK.sub(r"](../\1/\1.ipynb\2)", cell.source)
                if cell.source == student_edition_builder().ANSWER_CELL:
                    cell = self.written_answer()
                self.cells.append(cell)
                continue
            cell.outputs, cell.execution_count = [], None
            if not EXERCISE_CALL.search(cell.source):
                self.cells.append(cell)
                continue
            statements = _statements(cell.source, self.where(cell))
            calls = {_call_name(s) for s, _ in statements} - {None}
            if "check_function" in calls and calls != {"check_function"}:
                raise CourseError(f"{self.where(cell)}: a cell that checks a function and a number at once; "
                                  f"split it in two")
            if "check_function" in calls:
                self.function_exercise(cell, statements)
            elif calls:
                self.number_question(cell, statements)
            else:
                self.cells.append(cell)
        has_capstone = any("capstone" in c.metadata.get("tags", []) for c in self.cells)
        note = GRADED_NOTE + (CAPSTONE_NOTE if has_capstone else "")
        if any("nbgrader" in c.metadata for c in self.cells):
            self.cells.insert(1, nbformat.v4.new_markdown_cell(note))
            self.cells[1]["id"] = "graded-assignment-note"
        nb = self.student
        nb.cells = self.cells
        nb.metadata.pop("widgets", None)     # the saved widget state of outputs that are cleared
        return nb

    def written_answer(self):
        """The answer cell after an explain-why question: free text, graded by hand (the teacher has
        the model answer in the full edition)."""
        grade_id = self.grade_id(f"explain_{sum(g.startswith('explain_') for g in self.grade_ids) + 1}")
        meta = {"grade": True, "solution": True, "locked": False, "points": EXPLAIN_POINTS,
                "grade_id": grade_id, "schema_version": 3, "task": False}
        cell = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE", metadata={"nbgrader": meta})
        cell["id"] = _cell_id(grade_id)
        return cell

    def function_exercise(self, cell, statements):
        """The stub above (or in this cell) becomes the answer cell with the worked solution in its
        body; every check_function call of the cell becomes its test cells."""
        checks = [s.value for s, _ in statements if _call_name(s) == "check_function"]
        names = []
        for call in checks:
            if not call.args or not isinstance(call.args[0], ast.Name):
                raise CourseError(f"{self.where(cell)}: check_function's first argument must be the student's "
                                  f"function by name")
            names.append(call.args[0].id)
        stubs_here = [(s, text) for s, text in statements if isinstance(s, ast.FunctionDef) and s.name in names]
        if stubs_here:                       # stub and check in one cell: the stub becomes its own answer cell
            self.cells.append(nbformat.v4.new_code_cell("\n\n".join(text for _, text in stubs_here)))
            statements = [(s, text) for s, text in statements if (s, text) not in stubs_here]
        for name in names:
            answer = next((c for c in reversed(self.cells) if c.cell_type == "code"
                           and re.search(rf"^def {re.escape(name)}\(", c.source, re.M)), None)
            if answer is None:
                raise CourseError(f"{self.where(cell)}: no cell above defines {name}, the function it checks")
            answer.source = _fill_in(answer.source, name, self.solution_of(name, cell, set(names)))
            if "nbgrader" not in answer.metadata:        # two functions may share one answer cell
                grade_id = self.grade_id(f"answer_{name}")
                answer.metadata.update(_metadata(grade_id))
                answer["id"] = _cell_id(grade_id)
        setup, visible = [], None
        for statement, text in statements:
            if _call_name(statement) != "check_function":
                setup.append(text)
                continue
            visible = self.function_tests(cell, statement.value, setup, statements)
            setup = []
        if setup:                            # lines after the last check go with its visible test cell
            visible.source += "\n" + "\n".join(setup)

    def solution_of(self, name, cell, allowed):
        after = self.full_index.get(cell.get("id"), -1)
        for index, code in self.solutions:
            if index > after:
                body = _function_body(code, name, allowed, f"{self.name}, cell {index}")
                if body is not None:
                    return body
        raise CourseError(f"{self.where(cell)}: no worked solution of {name} below the check (a code cell "
                          f"tagged 'solution', or a python block in a <details><summary>Solution block)")

    def function_tests(self, cell, call, setup, statements):
        """The visible, hidden and own-work test cells of one check_function call; returns the visible one."""
        source = cell.source
        name = call.args[0].id

        def segment(node):
            return ast.get_source_segment(source, node)

        visible = "\n".join(["from cnnlib.grading import assert_agrees", ""] + setup + [_as_assertion(call, source)])
        visible_cell = self.graded_cell(visible, f"test_{name}", POINTS["visible"])
        self.cells.append(visible_cell)

        reference = _argument(call, 1, "reference_fn")
        blocked = _blocked_references(reference, source, self.cnnlib_names, self.functions)
        options = [segment(k) for k in call.keywords if k.arg != "hint"]
        if blocked:
            options.append(f"blocked=[{', '.join(blocked)}], namespace=globals()")

        def assertion(cases):
            head = f"assert_agrees({name}, {segment(reference)}, {cases}"
            return f"{head},\n              {', '.join(options)})" if options else f"{head})"

        random_call = self.random_cases_for(cell, call, statements)
        n = _argument(random_call, 1, "n")
        opening = "fresh_cases = random_cases("
        make_case = _moved(source, _argument(random_call, 0, "make_case"), len(opening))
        separator = " " if len(make_case) < 40 else "\n" + " " * len(opening)     # a long lambda: n= below it
        fresh_cases = (f"{opening}{make_case},{separator}n={segment(n) if n is not None else 10}, "
                       f"rng={self.hidden_seed(name, random_call)})")
        what = f"cnnlib's {' and '.join(blocked)} blocked" if blocked else "nothing of cnnlib's to block"
        hidden = "\n".join([f"# Hidden tests: fresh random cases, with {what}.", "### BEGIN HIDDEN TESTS",
                            "from cnnlib.exercises import random_cases", "from cnnlib.grading import assert_agrees",
                            "", fresh_cases, assertion("fresh_cases"), "### END HIDDEN TESTS"])
        self.cells.append(self.graded_cell(hidden, f"hidden_test_{name}", POINTS["hidden"]))
        if blocked:
            own = "\n".join([f"# Hidden test: {name} must do the work itself, not call cnnlib's "
                             f"{' or '.join(blocked)}.", "### BEGIN HIDDEN TESTS",
                             "from cnnlib.grading import assert_agrees", "",
                             assertion(segment(_argument(call, 2, "cases"))), "### END HIDDEN TESTS"])
            self.cells.append(self.graded_cell(own, f"own_work_{name}", POINTS["own_work"]))
        return visible_cell

    def random_cases_for(self, cell, call, statements):
        """The ``random_cases(...)`` call that makes the random cases of this check."""
        found = [(s, n) for s, _ in statements for n in ast.walk(s)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "random_cases"]
        cases = _argument(call, 2, "cases")
        if isinstance(cases, ast.Name) and len(found) > 1:
            found = [(s, n) for s, n in found if cases.id in {t.id for t in ast.walk(s) if isinstance(t, ast.Name)
                                                              and isinstance(t.ctx, ast.Store)}] or found
        if len(found) != 1:
            raise CourseError(f"{self.where(cell)}: the hidden tests need exactly one random_cases(...) call "
                              f"making {ast.get_source_segment(cell.source, cases)}; found {len(found)}")
        return found[0][1]

    def hidden_seed(self, name, random_call):
        # Fixed, so grading is reproducible, and different from the seed the visible cases use.
        seed = 1000 + zlib.crc32(f"{self.name}:{name}".encode()) % 900_000
        visible = _argument(random_call, 2, "rng")
        if isinstance(visible, ast.Constant) and visible.value == seed:
            seed += 1
        return seed

    def number_question(self, cell, statements):
        """An answer cell (the placeholders, then the solution) and one test cell per check. Helper
        code of the checks (functions, asserts, values they compare with) goes into the test cells,
        where the student cannot change it."""
        checks = [s for s, _ in statements if _call_name(s)]
        read_by_checks = set()
        for statement in checks:
            call = statement.value
            answer = _argument(call, 2, "answer") if call.func.id == "check_answer" else _argument(call, 0, "answer")
            for argument in list(call.args) + [k.value for k in call.keywords]:
                if argument is not answer:
                    read_by_checks |= _names_in(argument)
        kept, placeholders, tests, setup = [], [], [], []
        for statement, text in statements:
            if statement in checks:
                tests.append("\n".join(setup + [f"assert {ast.get_source_segment(cell.source, statement.value)}"]))
                setup = []
            elif isinstance(statement, (ast.FunctionDef, ast.ClassDef, ast.Assert, ast.Import, ast.ImportFrom)) or (
                    isinstance(statement, ast.Assign) and _names_in(statement) & read_by_checks):
                setup.append(text)
            else:
                kept.append(text)
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant) \
                        and statement.value.value is None:
                    placeholders += [t.id for t in statement.targets if isinstance(t, ast.Name)]
        if setup:
            tests[-1] += "\n" + "\n".join(setup)
        if not placeholders:
            raise CourseError(f"{self.where(cell)}: a number question without a `my_x = None` placeholder")
        solution = "\n".join(f"{p} = {self.expected(p, checks, cell)}" for p in placeholders)
        keys = [self.key_of(s.value, cell) for s in checks]
        answer_source = "\n".join(kept + ["### BEGIN SOLUTION", solution, "### END SOLUTION"])
        self.cells.append(self.graded_cell(answer_source, f"answer_{keys[0]}"))
        for key, source in zip(keys, tests):
            self.cells.append(self.graded_cell(source, f"test_{key}", POINTS["number"]))

    def key_of(self, call, cell):
        if call.func.id == "check_answer":
            key = _argument(call, 1, "exercise")
            if isinstance(key, ast.Constant):
                return str(key.value)
        return f"{self.number}_{call.args[0].id if call.args and isinstance(call.args[0], ast.Name) else 'answer'}"

    def expected(self, placeholder, checks, cell):
        """The solution of a number question: the expected value when the placeholder itself is
        checked with check_answer, else the written solution."""
        for statement in checks:
            call = statement.value
            if call.func.id != "check_answer":
                continue
            notebook, key, answer = (_argument(call, i, k) for i, k in enumerate(("notebook", "exercise", "answer")))
            if isinstance(answer, ast.Name) and answer.id == placeholder \
                    and isinstance(notebook, ast.Constant) and isinstance(key, ast.Constant):
                table = answer_table(notebook.value)
                return _literal(table[key.value][0](), self.where(cell))
        if (self.slug, placeholder) in WRITTEN_SOLUTIONS:
            return WRITTEN_SOLUTIONS[(self.slug, placeholder)]
        raise CourseError(f"{self.where(cell)}: {placeholder} is not checked directly by check_answer, so its "
                          f"solution cannot be read from cnnlib/answers; add it to WRITTEN_SOLUTIONS in "
                          f"scripts/build_course.py as ({self.slug!r}, {placeholder!r}): '<python expression>'")


def assignment_notebook(nb, name="notebook"):
    """The nbgrader source version of the full notebook ``nb``: the student edition with every
    exercise as an answer cell (solution between ### BEGIN/END SOLUTION) and read-only test cells.
    ``name`` (the file name, NN_<slug>.ipynb) names the notebook in errors, its first two characters
    its number."""
    return _Assignment(nbformat.from_dict(nb), name).build()


def refuse_dangerous_target(out, source=NOTEBOOKS, root=ROOT):
    """Raise :class:`CourseError` when writing the course into ``out`` could destroy what this
    builder did not make; returns ``out`` resolved."""
    out, source, root = Path(out).expanduser().resolve(), Path(source).resolve(), Path(root).resolve()
    inside = student_edition_builder()._inside                 # one rule for both builders
    if inside(root, out):
        raise CourseError(f"--out {out} is or contains the repository ({root}); "
                          f"choose a folder of its own, such as {root / 'course'}")
    if inside(out, source) or inside(source, out):
        raise CourseError(f"--out {out} is, contains or lies inside the source notebooks ({source}); "
                          f"choose a folder of its own, such as {root / 'course'}")
    if out.exists() and not out.is_dir():
        raise CourseError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER_FILE).is_file():
        raise CourseError(f"--out {out} already holds files and was not made by this builder (it has no "
                          f"{MARKER_FILE} file), so it will not be written to; choose another folder")
    return out


def build(out, source=NOTEBOOKS, root=ROOT, data=DATA):
    """Write the course into ``out``; returns the paths of the source notebooks written."""
    out = refuse_dangerous_target(out, source, root)
    paths = sorted(Path(source).glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise CourseError(f"no notebooks named NN_*.ipynb in {source}")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        (staging / MARKER_FILE).write_text("Made by scripts/build_course.py; replaced on each build.\n")
        (staging / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(course_id=COURSE_ID))
        written = []
        for path in paths:
            folder = staging / "source" / path.stem
            folder.mkdir(parents=True)
            nb = assignment_notebook(nbformat.read(path, as_version=4), path.name)
            nbformat.write(nb, folder / path.name)
            written.append(out / "source" / path.stem / path.name)
            text = "\n".join(cell.source for cell in nb.cells)
            if "images/" in text and (Path(source) / "images").is_dir():
                shutil.copytree(Path(source) / "images", folder / "images")
            if USES_DATA.search(text) and Path(data).is_dir():
                shutil.copytree(data, folder / "data")
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _swap_in(staging, out):
    os.chmod(staging, 0o755)                  # mkdtemp makes it private; a course folder need not be
    if not out.exists():
        staging.rename(out)
        return
    # A course made here before (refuse_dangerous_target checked its marker): only what the builder
    # wrote is replaced, each part moved aside first and deleted once the new one is in place.
    old = staging.with_name(staging.name.replace(".building-", ".old-"))
    old.mkdir()
    for name in BUILT:
        if (out / name).exists():
            (out / name).rename(old / name)
        (staging / name).rename(out / name)
    shutil.rmtree(old)
    staging.rmdir()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "course"),
                        help="folder to write (replaced only if an earlier build made it)")
    args = parser.parse_args(argv)
    try:
        written = build(args.out)
    except CourseError as err:
        print(f"build_course: {err}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} assignments to {args.out}; next: cd {args.out} && nbgrader generate_assignment <name>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
