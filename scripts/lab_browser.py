"""A real JupyterLab driven by headless Chromium: what the browser tests and the browser benchmark share.

Not a script and not a test module: ``tests/test_browser.py`` (through ``tests/browser_checks.py``)
and ``benchmarks/bench_widgets_browser.py`` import it (each puts ``scripts/`` on ``sys.path``):

    start_lab(root)                  JupyterLab on 127.0.0.1 serving root/notebooks, private settings
    stop_lab(proc, log)              ... and its end
    open_and_run_all(page, ...)      open a notebook in its own workspace, Run All Cells, wait for the run
    wait_for_idle_run(page, s, n)    until n code cells have run, none is queued and the kernel is Idle
    wait_for_change / wait_until_steady   poll what a page shows
    explorer_snapshot(explorer)      the text and image sources an explorer shows
    shut_down_kernels(url, token)    stop every kernel of the server
    CHROMIUM, CHROMIUM_ARGS, missing_browser_reason()   the browser, and why the tests cannot run

Needs Chromium (Debian: ``apt-get install chromium``) and Playwright's Python package (the
``test`` extra); nothing here imports Playwright, so importing this module never fails.
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DARK_THEME = "JupyterLab Dark"


def missing_browser_reason():
    """Why the browser tests cannot run here ('' when they can)."""
    if CHROMIUM is None:
        return "Chromium not found: the browser tests did NOT run (install it: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: the browser tests did NOT run (pip install -e '.[test]')"
    return ""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_settings(root, theme=None, windowing="none"):
    """User settings under ``root/settings``: no news pop-up over the screenshots, the theme ``theme``
    (e.g. ``DARK_THEME``) if given, and the notebook's windowing mode. The tests keep "none", every
    cell laid out and painted (JupyterLab 4 otherwise skips or leaves out off-screen cells, and
    errors or widgets further down would go unseen); ``windowing=None`` keeps JupyterLab's default
    ("contentVisibility" in 4.6: off-screen cells stay in the page but are not laid out or painted),
    which is what a student gets, so the browser benchmark times that."""
    settings = root / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True, exist_ok=True)
    if windowing:
        (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
            json.dumps({"windowingMode": windowing}))
    (settings / "apputils-extension").mkdir(parents=True, exist_ok=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    if theme:
        (settings / "apputils-extension" / "themes.jupyterlab-settings").write_text(json.dumps({"theme": theme}))
    return root / "settings"


def start_lab(root, env=None, theme=None, windowing="none"):
    """Start JupyterLab on 127.0.0.1 with a fresh token, serving ``root/notebooks`` with private
    workspaces and settings under ``root``; returns (process, url, token, log file) once it answers,
    or raises RuntimeError with the end of its log. ``theme`` and ``windowing``: see lab_settings."""
    port, token = free_port(), secrets.token_hex(16)
    log = open(root / "jupyter.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root / 'notebooks'}", "--LabApp.news_url=None",
         # A private workspace: otherwise JupyterLab reopens tabs from the user's last session.
         f"--LabApp.workspaces_dir={root / 'workspaces'}",
         f"--LabApp.user_settings_dir={lab_settings(root, theme, windowing)}"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            return proc, url, token, log
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.terminate()
                log.close()
                raise RuntimeError(f"JupyterLab did not start; log: {(root / 'jupyter.log').read_text()[-2000:]}")
            time.sleep(0.5)


def stop_lab(proc, log):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)
    log.close()


def open_notebook(page, url, token, name, workspace=None):
    """Open notebook ``name`` in its own workspace (reset, so only it is open) and wait until its
    kernel is Idle."""
    page.goto(f"{url}/lab/workspaces/{workspace or name[:2]}/tree/{name}?reset&token={token}")
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=90_000)


def open_and_run_all(page, url, token, name, timeout_s, workspace=None):
    """Open notebook ``name`` in its own workspace (reset, so only it is open), Run All Cells, and
    wait until every cell has run."""
    open_notebook(page, url, token, name, workspace)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    wait_for_idle_run(page, timeout_s, expected_runs=code_cells_to_run(url, token, name))
    page.wait_for_timeout(1000)         # widget views render just after their output arrives


def code_cells_to_run(url, token, name):
    """How many code cells of notebook ``name`` (as the server holds it) are not blank: Run All
    gives each of them an execution count."""
    with urllib.request.urlopen(f"{url}/api/contents/{urllib.parse.quote(name)}?content=1&token={token}",
                                timeout=30) as response:
        cells = json.load(response)["content"]["cells"]
    return sum(1 for cell in cells if cell["cell_type"] == "code" and "".join(cell["source"]).strip())


# Code cells whose prompt shows an execution count ("[12]:"), and whether any is queued or running ("[*]:").
PROMPTS_SCRIPT = """
() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
  return [prompts.filter(p => /\\[\\d+\\]/.test(p)).length, prompts.some(p => p.includes('*'))];
}
"""


def wait_for_idle_run(page, timeout_s, expected_runs=0):
    """Wait until at least ``expected_runs`` code cells show an execution count, none is queued or
    running ("[*]") and the kernel reports Idle."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        counted, busy = page.evaluate(PROMPTS_SCRIPT)
        idle = page.locator("#jp-main-statusbar").inner_text().find("Idle") >= 0
        if counted >= expected_runs and not busy and idle:
            return
        page.wait_for_timeout(250)   # not time.sleep: an offline route needs Playwright to have control
    counted, busy = page.evaluate(PROMPTS_SCRIPT)
    raise AssertionError(f"cells still running after {timeout_s} s ({counted} of {expected_runs} code cells run, "
                         f"{'some' if busy else 'none'} queued)")


POLL_S = 0.05   # an explorer answers a key in about 0.1 s: polling every 0.2 s added 0.1 s on average to each wait


def wait_for_change(read, before, timeout_s=15, done=None):
    """Poll ``read()`` until ``done(now)`` holds (by default: anything differs from ``before``)."""
    done = done or (lambda now: now != before)
    deadline = time.time() + timeout_s
    now = read()
    while not done(now) and time.time() < deadline:
        time.sleep(POLL_S)
        now = read()
    return now


def wait_until_steady(read, now, steady_s=1.5, timeout_s=15):
    """Poll ``read()`` until it has returned the same value for ``steady_s`` seconds."""
    deadline = time.time() + timeout_s
    since = time.time()
    while time.time() < deadline and time.time() - since < steady_s:
        time.sleep(POLL_S)
        latest = read()
        if latest != now:
            now, since = latest, time.time()
    return now


def shut_down_kernels(url, token):
    """Stop every kernel of the server (so notebooks run one after another do not keep their
    kernels alive)."""
    with urllib.request.urlopen(f"{url}/api/kernels?token={token}", timeout=10) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{url}/api/kernels/{kernel['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()


# An explorer's text and a fingerprint of its pictures (their sources' length and FNV-1a hash), taken
# in the page: the sources are data: URLs of tens of kilobytes, and the tests poll this many times.
SNAPSHOT_SCRIPT = """
(el) => {
  const sources = [...el.querySelectorAll('img')].map(img => img.src).join('|');
  let hash = 2166136261;
  for (let i = 0; i < sources.length; i++) { hash ^= sources.charCodeAt(i); hash = Math.imul(hash, 16777619) >>> 0; }
  return el.innerText + '\\n' + sources.length + ':' + hash;
}
"""


def explorer_snapshot(explorer):
    """What an explorer (a ``.cnnlib-explorer`` locator) shows: all its text plus a fingerprint of its
    pictures (any change of a picture changes it)."""
    return explorer.evaluate(SNAPSHOT_SCRIPT)
