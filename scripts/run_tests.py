"""Every test of the series, as `make test` runs it: the browser tests beside the rest.

    python scripts/run_tests.py [extra pytest arguments for the main run]

Two pytest runs at once, because a 2-core machine has room for both: the browser tests spend most
of their time waiting for JupyterLab and Chromium, while the main run (unit, widget and notebook
tests, nbval over every notebook) keeps a core busy. The main run prints as it goes; the browser
run's report follows it (it is also kept in artifacts/browser-tests.log). The exit status is
non-zero when either run failed. Running ``pytest tests notebooks --nbval ...`` by hand runs the
same tests one after another.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSER_TESTS = "tests/test_browser.py"
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]


def main(argv):
    log_path = ROOT / "artifacts" / "browser-tests.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        browser = subprocess.Popen([sys.executable, "-m", "pytest", "-rs", BROWSER_TESTS], cwd=ROOT,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            main_status = subprocess.call([sys.executable, "-m", "pytest", "-rs", "tests", "notebooks", *NBVAL,
                                           f"--ignore={BROWSER_TESTS}", *argv], cwd=ROOT)
            browser_status = browser.wait()
        except KeyboardInterrupt:
            browser.kill()
            raise
    print(f"\n{'=' * 30} browser tests ({BROWSER_TESTS}), run beside the rest {'=' * 30}", flush=True)
    sys.stdout.write(log_path.read_text())
    if main_status or browser_status:
        failed = [name for name, status in (("main", main_status), ("browser", browser_status)) if status]
        print(f"FAILED: the {' and the '.join(failed)} run (exit status {main_status}, {browser_status})")
    return 1 if (main_status or browser_status) else 0


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.exit(main(sys.argv[1:]))
