"""Every test of the series, as `make test` runs it: ruff, then the browser tests beside the rest.

    python scripts/run_tests.py [extra pytest arguments for the main run]
    python scripts/run_tests.py --fast [extra pytest arguments]     # make test-fast

ruff first (a second; unused imports, undefined names, long lines: pyproject.toml's [tool.ruff]):
its findings are printed and fail the command at the end, but the tests still run.

Two pytest runs at once: the browser tests spend much of their time waiting for JupyterLab and
Chromium, and the main run (unit, widget and notebook tests, nbval over every notebook, under
OpenBLAS's Prescott kernels: see main_run_environment), on two pytest-xdist workers, fills what
they leave of the two cores. The main run prints as it goes; the browser
run's report follows it (it is also kept in artifacts/browser-tests.log). The exit status is
non-zero when either run failed. Running ``pytest tests notebooks --nbval ...`` by hand runs the
same tests one after another.
"""
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# In Chromium, in the second run: the student edition in JupyterLab, each notebook run once and checked.
BROWSER_TESTS = ["tests/test_browser.py"]
IGNORE_BROWSER_TESTS = [f"--ignore={path}" for path in BROWSER_TESTS]
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
LINTED = ["cnnlib", "tests", "scripts", "benchmarks"]
# The main run on two worker processes (pytest-xdist), each test file (each notebook: its cells share
# one kernel, in order) on one of them: whatever the browser run leaves of the two cores is used.
MAIN_RUN_WORKERS = ["-n", "2", "--dist", "loadfile"]
# (The browser run on two workers as well, each with its own JupyterLab and Chromium, was tried: the
# load average went to 9-10 and the whole command got slower, so it stays on one process.)


def pytest_environment():
    """The environment of the pytest runs: this one, with bytecode caching on.

    PYTHONDONTWRITEBYTECODE=1 (set on some machines and containers) makes every test process compile
    the test modules again, and pytest's assertion rewriting of the 70 test files then costs each
    worker about 4.5 s of CPU (9 s instead of 4.5 s to collect the tests here). The caches go to
    ``__pycache__`` folders, which git ignores."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def ruff():
    """``ruff check`` over the code; its exit status (0: clean)."""
    status = subprocess.call([sys.executable, "-m", "ruff", "check", "--quiet", "--output-format", "concise",
                              *LINTED], cwd=ROOT)
    print(f"ruff check {' '.join(LINTED)}: {'clean' if status == 0 else 'FAILED (findings above)'}", flush=True)
    return status


def fast(argv):
    """The quick loop: ruff, then the unit and widget tests not marked slow (no notebook, no browser)."""
    lint_status = ruff()
    # Two worker processes (pytest-xdist): the quick tests are many small ones, so two cores halve the wait.
    # Without nbval's plugin: no notebook runs here, and loading it costs every process seconds.
    test_status = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:nbval", "-n", "2", "--dist",
                                   "worksteal", "-m", "not slow", "tests", *IGNORE_BROWSER_TESTS, *argv], cwd=ROOT,
                                  env=pytest_environment())
    return 1 if (lint_status or test_status) else 0


def main_run_environment():
    """The main run's environment: on x86, OpenBLAS's oldest kernel set (Prescott: SSE3, no AVX, no
    FMA) unless OPENBLAS_CORETYPE is already set. nbval's kernels inherit it, so the stored outputs,
    made with a machine's default kernels, are checked under kernels that round float32 differently,
    while the browser run executes the series under this machine's default kernels: each kernel set
    runs the series once (tests/test_notebooks_portable.py)."""
    env = pytest_environment()
    if platform.machine().lower() in ("x86_64", "amd64"):
        env.setdefault("OPENBLAS_CORETYPE", "Prescott")
    return env


def main(argv):
    if argv[:1] == ["--fast"]:
        return fast(argv[1:])
    lint_status = ruff()
    log_path = ROOT / "artifacts" / "browser-tests.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        browser = subprocess.Popen([sys.executable, "-m", "pytest", "-rs", *BROWSER_TESTS], cwd=ROOT,
                                   stdout=log, stderr=subprocess.STDOUT, env=pytest_environment())
        try:
            main_status = subprocess.call([sys.executable, "-m", "pytest", "-rs", *MAIN_RUN_WORKERS, "tests", "notebooks",
                                           *NBVAL, *IGNORE_BROWSER_TESTS, *argv], cwd=ROOT, env=main_run_environment())
            browser_status = browser.wait()
        except KeyboardInterrupt:
            browser.kill()
            raise
    print(f"\n{'=' * 30} browser tests ({', '.join(BROWSER_TESTS)}), run beside the rest {'=' * 30}", flush=True)
    sys.stdout.write(log_path.read_text())
    if main_status or browser_status or lint_status:
        failed = [name for name, status in (("ruff", lint_status), ("main", main_status),
                                            ("browser", browser_status)) if status]
        print(f"FAILED: {', '.join(failed)} (exit status {lint_status}, {main_status}, {browser_status})")
    return 1 if (main_status or browser_status or lint_status) else 0


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.exit(main(sys.argv[1:]))
