"""The series as a class meets it: the student edition in a real JupyterLab, driven by headless Chromium.

One JupyterLab serves the student edition (the full edition without its worked solutions, built as
``make student`` builds it, in a temporary folder). Each notebook is opened and run (Run All) once,
and every check below looks at that one page, so the series runs in the browser once, not once per
check:

* **runs**: no cell shows an error, every widget renders, the page asks nothing of the internet
  (every request outside the local server is refused and listed), and as many explorers render as the
  stored notebook shows.
* **exercises**: the run notebook, saved with the toolbar's Save button, has every exercise check
  saying "not yet" (the student has written nothing).
* **axe**: axe-core (bundled by ``axe-playwright-python``) over the series' own content (cell outputs:
  figures, widgets, printed HTML; rendered Markdown), not JupyterLab's own menus and panels. No
  violation may be serious or critical. Reports: ``artifacts/accessibility/<notebook>.json`` and
  ``.txt``.
* **keyboard only**: every explorer is operated with key presses alone (no mouse event). Tab from its
  first control reaches every control, and Shift+Tab goes back. Every enabled slider, drop-down,
  toggle-button row, check box and radio group is moved by a key (arrow keys, Space, Enter), the
  explorer's text or pictures must change, and the control is put back. Its Next/Previous buttons
  are pressed with Enter. This is also the check that every control responds: a click on a toggle
  button or a choice in a drop-down reaches the widget through the same events as Space and the
  arrow keys, so a second, pointer pass over the same controls would test ipywidgets, not the series.
* **drawing pad** (notebook 10): a 1 and a 7 drawn with the keyboard pen (arrows move it, Space puts
  it down and lifts it, Delete clears), then with real mouse strokes; the trained network must read
  each one.
* **dark theme** (DARK_NOTEBOOKS): JupyterLab is switched to its dark theme on the same page
  (Settings > Theme), and every picture must stay legible (opaque, or on an opaque background; a
  figure's margin light) and every text of the explorers must contrast with what is behind it by
  4.5:1 (3:1 for large text), from the page's computed styles. The theme is switched back after.

Screenshots go to ``artifacts/screenshots/`` and ``artifacts/accessibility/``. The full edition is
executed by nbval in the main run. The page helpers are ``tests/browser_checks.py``; the server and
browser set-up is ``scripts/lab_browser.py`` (shared with ``benchmarks/bench_widgets_browser.py``).

Needs Chromium (Debian: ``apt-get install chromium``), Playwright and axe-playwright-python (the
``test`` extra). ``.ci/run`` installs Chromium; elsewhere the tests are skipped with a loud reason
when something is missing, and under CI=true a missing browser is a failure.
"""
import json
import os
import re
import sys
from pathlib import Path

import pytest

import background
import browser_checks as checks
from test_student_edition import EXERCISE_CHECK, executed_notebook_problems

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from lab_browser import (CHROMIUM, CHROMIUM_ARGS, explorer_snapshot, missing_browser_reason,  # noqa: E402
                         open_and_run_all, shut_down_kernels, start_lab, stop_lab, wait_for_change)

from cnnlib.series import SERIES  # noqa: E402

NOTEBOOKS = [entry.file for entry in SERIES]
RUN_TIMEOUT_S = 420
DRAWING_NOTEBOOK = "10_lenet_training.ipynb"
DARK_NOTEBOOKS = ["02_convolution_2d.ipynb"]      # figures, and two explorers full of numbers
LIGHT_THEME, DARK_THEME = "JupyterLab Light", "JupyterLab Dark"


def _missing():
    reason = missing_browser_reason()
    if not reason:
        try:
            import axe_playwright_python  # noqa: F401
        except ImportError:
            reason = ("axe-playwright-python is not installed: the browser tests did NOT run "
                      "(pip install -e '.[test]')")
    return reason


REASON = _missing()
if REASON and os.environ.get("CI"):
    pytest.fail(REASON + " -- CI must run them", pytrace=False)
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON)


@pytest.fixture(scope="module")
def browser():
    """One Chromium and one browser context for every page: JupyterLab's scripts come from the
    context's cache after the first notebook."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b.new_context(viewport={"width": 1400, "height": 1000})
        b.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving the student edition in a temporary folder: what a student
    opens, with every widget; autosave never touches the repository."""
    root = tmp_path_factory.mktemp("lab")
    background.student_edition_builder().build(root / "notebooks")
    try:
        proc, url, token, log = start_lab(root)
    except RuntimeError as error:
        pytest.fail(str(error))
    yield url, token, root / "notebooks"
    stop_lab(proc, log)


class Ran:
    """One notebook's page after Run All, shared by the checks of that notebook (pytest runs them
    one after another): what the page raised and what it asked of the internet are collected all
    along."""

    def __init__(self, name, page, served):
        self.name, self.page, self.served = name, page, served
        self.script_errors, self.outside = [], []

    def error_cells(self):
        return self.page.locator("[data-mime-type='application/vnd.jupyter.error']")

    def explorers(self):
        return self.page.locator(".jp-OutputArea-output .cnnlib-explorer")

    def assert_no_error(self):
        errors = self.error_cells()
        assert errors.count() == 0, f"{self.name}: a cell shows an error:\n" + "\n".join(errors.all_inner_texts())[:3000]
        assert not self.script_errors, f"{self.name}: the page raised {self.script_errors}"
        assert not self.outside, f"{self.name}: the page asked the internet for {self.outside}"


@pytest.fixture(scope="module", params=NOTEBOOKS)
def ran(request, lab, browser):
    url, token, served = lab
    ran = Ran(request.param, browser.new_page(), served)
    ran.page.on("pageerror", lambda error: ran.script_errors.append(str(error)))

    def offline(route):
        # The classroom may have no internet: every front end (anywidget's too) must come from the local server.
        if route.request.url.startswith(url):
            route.continue_()
        else:
            ran.outside.append(route.request.url)
            route.abort()

    ran.page.route("**/*", offline)
    try:
        open_and_run_all(ran.page, url, token, ran.name, RUN_TIMEOUT_S)
        yield ran
    finally:
        ran.page.close()
        shut_down_kernels(url, token)


def test_notebook_runs_offline_without_an_error_and_every_explorer_renders(ran):
    ran.assert_no_error()
    body = ran.page.locator(".jp-Notebook").inner_text()
    assert "Loading widget..." not in body, f"{ran.name}: a widget never rendered"
    assert "Error displaying widget" not in body, f"{ran.name}: a widget failed to render"
    expected = checks.expected_explorers(ran.name)
    assert ran.explorers().count() >= expected, \
        f"{ran.name}: {ran.explorers().count()} explorers rendered, the stored notebook shows {expected}"
    checks.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ran.page.screenshot(path=str(checks.SCREENSHOTS / f"{ran.name[:-6]}.png"), full_page=False)


def test_every_exercise_says_not_yet_in_the_saved_notebook(ran):
    """The student's view of the exercises: save the run notebook and read what every cell printed."""
    path = ran.served / ran.name
    source_cells = json.loads(path.read_text())["cells"]
    expected = sum(bool(EXERCISE_CHECK.search("".join(cell["source"]))) for cell in source_cells
                   if cell["cell_type"] == "code")
    checked, problems = executed_notebook_problems(checks.save_and_wait(ran.page, path))
    assert not problems, problems
    assert checked == expected, f"{ran.name}: {checked} of {expected} exercise checks found"


def test_axe_finds_no_serious_or_critical_violation_in_the_notebooks_content(ran):
    assert ran.page.locator(".jp-OutputArea-output, .jp-MarkdownOutput").count(), f"{ran.name}: nothing to check"
    results = checks.run_axe(ran.page)
    summary = checks.write_axe_report(ran.name, results)
    failing = [v for v in results["violations"] if v["impact"] in checks.FAILING_IMPACTS]
    assert not failing, (f"{ran.name}: {len(failing)} serious or critical accessibility violation(s) "
                         f"(report: artifacts/accessibility/{ran.name[:-6]}.json)\n{summary}")


def _operate_with_keys(page, explorer, kind_name, done, problems):
    """Tab order, every control moved by a key and put back, Next/Previous pressed: what worked is
    added to ``done``, what did not to ``problems``."""
    focusable = explorer.evaluate(checks.TAB_ORDER_SCRIPT)
    if not focusable:
        problems.append(f"{kind_name}: nothing the keyboard can reach")
        return
    first = explorer.locator(f"[data-kb-id='{focusable[0]}']")
    reached, shift_tab_problem = checks.tab_through(page, explorer, first)
    missed = [explorer.locator(f"[data-kb-id='{k}']").first.evaluate("el => el.outerHTML.slice(0, 120)")
              for k in focusable if k not in reached]
    if missed:
        problems.append(f"{kind_name}: Tab from its first control does not reach {missed}")
    if shift_tab_problem:
        problems.append(f"{kind_name}: {shift_tab_problem}")

    shows = lambda: explorer_snapshot(explorer)      # noqa: E731
    controls = checks.operable_controls(explorer)
    for kind, control, label in controls:
        # Every control in turn, from the notebook's setting: move it, see the views change, put it
        # back (so the next control is tried where the notebook leaves it).
        before = shows()
        undo = checks.press(page, kind, control)
        moved = wait_for_change(shows, before, timeout_s=10)
        if moved == before:
            problems.append(f"{kind_name}: nothing changed after a key on its {kind} {label!r}")
            continue
        if undo is not None:          # (waiting for a change that cannot come would cost the whole timeout)
            undo()
            wait_for_change(shows, moved)
        done.append(f"{kind_name} {kind} {label!r}")
    steps = checks.step_buttons(explorer)
    if "next" in steps:                                     # Enter on "Next", then on "Previous"
        before = shows()
        caption = steps["next"].inner_text().strip()
        checks.focus(steps["next"])
        page.keyboard.press("Enter")
        moved = wait_for_change(shows, before, timeout_s=10)
        if moved == before:
            problems.append(f"{kind_name}: nothing changed after Enter on its Next button")
        else:
            done.append(f"{kind_name} button {caption!r}")
            previous = checks.step_buttons(explorer).get("prev")
            if previous is not None:
                checks.focus(previous)
                page.keyboard.press("Enter")
                wait_for_change(shows, moved)
    if not controls and "next" not in steps:
        before = shows()
        action = checks.press_something_else(page, explorer)
        if not action:
            problems.append(f"{kind_name}: no control the keyboard can move")
        elif wait_for_change(shows, before, timeout_s=10) == before:
            problems.append(f"{kind_name}: nothing changed after {action}")
        else:
            done.append(f"{kind_name} {action}")


def test_every_explorer_works_from_the_keyboard_alone(ran):
    """Every problem of the notebook is listed at the end (not only the first)."""
    explorers = ran.explorers()
    if not explorers.count():
        pytest.skip(f"{ran.name} shows no explorer")
    done, problems = [], []
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        explorer.scroll_into_view_if_needed()
        kind_name = next((c[len("cnnlib-"):] for c in explorer.get_attribute("class").split()
                          if c.startswith("cnnlib-") and c != "cnnlib-explorer"), f"explorer {i}")
        _operate_with_keys(ran.page, explorer, kind_name, done, problems)
    if ran.name == DRAWING_NOTEBOOK:
        try:
            checks.draw_a_one_and_a_seven_with_the_keyboard(ran.page)
            done.append("drawing pad: a 1 and a 7 from the keyboard")
        except AssertionError as error:
            problems.append(f"drawing pad: {error}")
    checks.REPORTS.mkdir(parents=True, exist_ok=True)
    (checks.REPORTS / f"keyboard_{ran.name[:-6]}.txt").write_text(
        f"{ran.name}: keyboard only\nworked ({len(done)}):\n" + "".join(f"  {d}\n" for d in done)
        + f"problems ({len(problems)}):\n" + "".join(f"  {p}\n" for p in problems))
    ran.assert_no_error()
    assert not problems, f"{ran.name}: {len(problems)} keyboard problem(s):\n" + "\n".join(problems)
    assert done, f"{ran.name}: no explorer control was operated"


@pytest.mark.parametrize("ran", [DRAWING_NOTEBOOK], indirect=True)
def test_the_drawing_pad_reads_a_1_and_a_7_drawn_with_the_mouse(ran):
    checks.draw_a_one_and_a_seven(ran.page)
    ran.assert_no_error()


def _switch_theme(page, theme):
    """Settings > Theme > ``theme``, as a student picks it; waits until the page has it."""
    page.get_by_role("menuitem", name="Settings", exact=True).click()
    # Lumino's submenu entries carry no role: found by their label.
    page.locator(".lm-Menu-itemLabel").filter(has_text=re.compile("^Theme$")).click()
    page.locator(".lm-Menu-itemLabel").filter(has_text=re.compile(f"^{re.escape(theme)}$")).click()
    light = "true" if theme == LIGHT_THEME else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'", timeout=30_000)
    page.wait_for_timeout(1000)            # the theme's style sheet applied everywhere


@pytest.mark.parametrize("ran", DARK_NOTEBOOKS, indirect=True)
def test_pictures_and_explorer_text_stay_legible_in_the_dark_theme(ran):
    page, name, reports = ran.page, ran.name, checks.REPORTS
    _switch_theme(page, DARK_THEME)
    try:
        reports.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(reports / f"dark_{name[:-6]}.png"))

        # Pictures: opaque (or on an opaque background); a figure's background light.
        dark = []
        pictures = page.locator(".jp-OutputArea-output img")
        for i in range(pictures.count()):
            picture = pictures.nth(i)
            if not picture.is_visible() or (picture.bounding_box() or {}).get("height", 0) < 12:
                continue
            picture.scroll_into_view_if_needed()
            problem = checks.picture_problem(picture)
            if problem:
                picture.screenshot(path=str(reports / f"dark_{name[:-6]}_picture_{i}.png"))
                dark.append(f"picture {i}: {problem}")
        explorers = ran.explorers()
        explorers.first.scroll_into_view_if_needed()
        page.screenshot(path=str(reports / f"dark_{name[:-6]}_explorer.png"))

        # Text of the explorers (readouts, labels, numbers in their tables): contrast.
        texts = []
        for i in range(explorers.count()):
            texts += explorers.nth(i).evaluate(checks.CONTRAST_SCRIPT)
        faint = [t for t in texts if t["ratio"] < t["needed"]]
        (reports / f"dark_{name[:-6]}.json").write_text(json.dumps(
            {"pictures_not_light": dark, "texts_checked": len(texts), "texts_too_faint": faint}, indent=1))
        assert texts and any(t["readout"] for t in texts), f"{name}: no explorer text found to check"
        assert not dark, (f"{name} in the dark theme: pictures hard to see (screenshots: "
                          f"artifacts/accessibility/dark_{name[:-6]}_picture_*.png):\n" + "\n".join(dark))
        assert not faint, (f"{name} in the dark theme: {len(faint)} of {len(texts)} explorer texts below the "
                           "contrast they need:\n" + "\n".join(
                               f"  {t['ratio']}:1 < {t['needed']}:1  {t['text']!r} ({t['color']} on {t['background']}, "
                               f"{t['where']})" for t in faint[:25]))
    finally:
        _switch_theme(page, LIGHT_THEME)
