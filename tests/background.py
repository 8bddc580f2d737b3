"""Long checks that run in a child process while the rest of the suite goes on.

Re-running the series under another BLAS kernel set (only when the session itself does not already
run under it: ``make test`` runs its main session under Prescott, see ``scripts/run_tests.py``), and
running the student edition (only where no browser runs it), each take a minute or more of one
core. ``tests/conftest.py`` starts them as soon as pytest has collected the tests that need them, so
they overlap with the other tests instead of adding to them; each test then waits for its job's
result. Run alone (``pytest tests/test_notebooks_portable.py``), a test starts its job itself.
"""
import atexit
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
OTHER_KERNEL = "Prescott"      # OpenBLAS's oldest x86 kernel set (SSE3, no AVX, no FMA): far from any CI machine's default
NBVAL = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(SANITIZE)]
_JOBS = {}
# With Chromium and Playwright the browser tests run the student edition in JupyterLab, so it is not
# executed a second time here (one run of the series costs about two minutes of CPU).
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
STUDENT_EDITION_RUNS_IN_BROWSER = bool(CHROMIUM and importlib.util.find_spec("playwright") is not None)
_WORK = Path(tempfile.mkdtemp(prefix="cnnlib-background-"))


@atexit.register
def _clean_up():
    # An interrupted session must not leave kernels running or temporary notebooks behind.
    for proc, log in _JOBS.values():
        if proc.poll() is None:
            proc.kill()
        log.close()
    shutil.rmtree(_WORK, ignore_errors=True)


def notebooks():
    """The series' notebooks, in the manifest's order (cnnlib/series.py)."""
    from cnnlib.series import SERIES
    return [ROOT / "notebooks" / entry.file for entry in SERIES]


def trains_a_network(path):
    """True for a notebook that calls ``fit(``: these take two thirds of the series' run time."""
    return re.search(r"\bfit\(", Path(path).read_text()) is not None


def session_runs_under_other_kernel():
    """True when this pytest session (and so every nbval kernel it starts, which inherits the
    environment) already runs under ``OTHER_KERNEL``: ``make test`` does this, so the series is
    executed once, not twice."""
    return os.environ.get("OPENBLAS_CORETYPE") == OTHER_KERNEL


def _commands():
    """name -> (command, extra environment, folder the job writes), built on first use."""
    single_thread = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    # -rp: list each cell passed
    return {f"nbval-{OTHER_KERNEL}": (NBVAL + ["-rp"] + [str(p) for p in notebooks()],
                                      {**single_thread, "OPENBLAS_CORETYPE": OTHER_KERNEL}, None)}


def _lower_priority():
    os.nice(10)


def start(name, command=None, env=None, cwd=ROOT):
    """Start job ``name`` unless it is running; its output goes to a file (no pipe to fill up)."""
    if name in _JOBS:
        return
    if command is None:
        command, env, _ = _commands()[name]
    log = open(_WORK / f"{name}.log", "w")
    # At a lower priority: the main and browser runs are the longest chains, so they go first and
    # the background jobs fill the gaps a core would otherwise spend idle.
    proc = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=log,
                            stderr=subprocess.STDOUT, text=True,
                            preexec_fn=_lower_priority if os.name == "posix" else None)
    _JOBS[name] = (proc, log)


def result(name, timeout=1200):
    """Wait for job ``name`` (starting it if need be); returns (return code, its output)."""
    start(name)
    proc, log = _JOBS[name]
    proc.wait(timeout=timeout)
    log.close()
    return proc.returncode, (_WORK / f"{name}.log").read_text()


def work_folder(name):
    folder = _WORK / name
    folder.mkdir(exist_ok=True)
    return folder


def start_all_needed(nodeids):
    """Called by conftest after collection with the ids of the tests that will run."""
    if (any("test_the_series_passes_nbval_under_another_blas_kernel_set" in n for n in nodeids)
            and not session_runs_under_other_kernel()):
        start(f"nbval-{OTHER_KERNEL}")
    if any("test_every_student_notebook_runs" in n for n in nodeids) and not STUDENT_EDITION_RUNS_IN_BROWSER:
        start_student_edition_run()


def load_script(relative_path):
    """A script of the repository (``"scripts/build_course.py"``) as a module, for its tests."""
    path = ROOT / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def student_edition_builder():
    """scripts/build_student_edition.py as a module (``build(folder)``, ``student_notebook(nb)``)."""
    return load_script("scripts/build_student_edition.py")


def start_student_edition_run():
    """Build the student edition into a temporary folder and execute every notebook in it."""
    folder = work_folder("student") / "edition"        # the builder makes (and marks) this folder itself
    if not list(folder.glob("*.ipynb")):
        student_edition_builder().build(folder)
    notebooks = sorted(str(p) for p in folder.glob("[0-9][0-9]_*.ipynb"))
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--log-level=WARN", "--to", "notebook",
               "--execute", "--inplace", "--ExecutePreprocessor.allow_errors=True",
               "--ExecutePreprocessor.timeout=600", *notebooks]
    start("student", command, {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}, cwd=folder)
    return folder
