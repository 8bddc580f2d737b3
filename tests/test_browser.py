"""The series as a classroom uses it: a real JupyterLab driven by headless Chromium.

For every notebook of the student edition (what a student opens: the full edition without its
worked solutions, built as ``make student`` builds it): open it in JupyterLab, run all cells, and
check that no cell shows an error, that every widget renders, and that the page asks nothing of the
internet. For every explorer widget on the page, move every slider (an arrow key on its handle),
drop-down, toggle-button row, check box and radio-button group, one at a time from the notebook's
setting, and check that what the explorer shows changes (an explorer with only a text box or a
button gets that changed instead); in notebook 10, draw a 1 and a 7 on the drawing pad. Then save
the notebook and check that every exercise says "not yet".
Screenshots go to ``artifacts/screenshots/``. The full edition is executed by nbval.

Needs Chromium (Debian: ``apt-get install chromium``) and Playwright's Python package; the server
and browser set-up is ``scripts/lab_browser.py``, shared with the browser benchmark.
``.ci/run`` installs Chromium; elsewhere the tests are skipped with a loud reason when it is
missing, and under CI=true a missing browser is a failure.
"""
import json
import os
import sys
import time
from pathlib import Path

import pytest

import background
from test_student_edition import EXERCISE_CHECK, executed_notebook_problems

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from lab_browser import (CHROMIUM, CHROMIUM_ARGS, explorer_snapshot, missing_browser_reason,  # noqa: E402
                         open_and_run_all, shut_down_kernels, start_lab, stop_lab, wait_for_change,
                         wait_until_steady)

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "artifacts" / "screenshots"
RUN_TIMEOUT_S = 420
DRAWING_NOTEBOOK = "10_lenet_training.ipynb"

REASON = missing_browser_reason()
if REASON and os.environ.get("CI"):
    pytest.fail(REASON + " -- CI must run them", pytrace=False)
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving the student edition (`make student`) in a temporary
    folder: what a student opens, with every widget; autosave never touches the repository."""
    root = tmp_path_factory.mktemp("lab")
    background.student_edition_builder().build(root / "notebooks")
    try:
        proc, url, token, log = start_lab(root)
    except RuntimeError as error:
        pytest.fail(str(error))
    yield url, token, root / "notebooks"
    stop_lab(proc, log)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _expected_explorers(name):
    """How many explorers the stored notebook shows: cells that call a cnnlib.widgets builder and
    whose stored output holds a widget view."""
    from cnnlib.widgets import _BUILDERS
    cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
    count = 0
    for cell in cells:
        source = "".join(cell["source"])
        shows_widget = any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                           for o in cell.get("outputs", []))
        if shows_widget and any(f"{builder}(" in source for builder in _BUILDERS):
            count += 1
    return count


def _movable_controls(explorer):
    """(kind, locator, label) for every visible, enabled slider, drop-down, toggle-button row, check
    box and radio-button group of an explorer."""
    found = []
    for kind, selector in (("slider", ".widget-slider"), ("drop-down", ".widget-dropdown"),
                           ("toggle", ".widget-toggle-buttons"), ("check box", ".widget-checkbox"),
                           ("radio", ".widget-radio")):
        controls = explorer.locator(selector)
        for j in range(controls.count()):
            control = controls.nth(j)
            disabled = control.locator(".noUi-target[disabled], select:disabled, button:disabled, input:disabled")
            if control.is_visible() and not disabled.count():
                label = control.locator(".widget-label")
                found.append((kind, control,
                              label.first.inner_text().strip() if label.count() else control.inner_text()[:30]))
    return found


def _move(page, kind, control):
    """One move of a control as a student makes it; returns a function that moves it back."""
    if kind == "slider":
        handle = control.locator(".noUi-handle").first
        handle.focus()
        at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        there, back = ("ArrowLeft", "ArrowRight") if at_end else ("ArrowRight", "ArrowLeft")
        page.keyboard.press(there)
        return lambda: (handle.focus(), page.keyboard.press(back))
    if kind == "drop-down":
        select = control.locator("select")
        values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
        current = select.input_value()
        select.select_option(value=values[(values.index(current) + 1) % len(values)])
        return lambda: select.select_option(value=current)
    if kind == "toggle":
        buttons = control.locator("button")
        count = buttons.count()
        active = next(i for i in range(count) if "mod-active" in (buttons.nth(i).get_attribute("class") or ""))
        buttons.nth((active + 1) % count).click()
        return lambda: buttons.nth(active).click()
    if kind == "radio":
        # Click the option after the chosen one (the first if none is); with none chosen before,
        # there is no way back (a radio cannot be unchosen), and none is needed.
        radios = control.locator("input[type='radio']")
        checked = radios.evaluate_all("rs => rs.findIndex(r => r.checked)")
        radios.nth((checked + 1) % radios.count()).click()
        return (lambda: None) if checked < 0 else (lambda: radios.nth(checked).click())
    box = control.locator("input")
    box.click()
    return lambda: box.click()


def _change_a_control(page, explorer):
    """Move the first control found: a slider, a drop-down, a number/text box or a button."""
    readout = explorer.locator(".widget-readout[contenteditable='true']")
    if readout.count():
        target = readout.first
        old = target.inner_text().strip()
        target.click()
        page.keyboard.press("Control+A")
        try:
            new = str(float(old) + 1) if "." in old else str(int(old) + 1)
        except ValueError:
            new = old
        page.keyboard.type(new)
        page.keyboard.press("Enter")
        return f"slider readout {old} -> {new}"
    select = explorer.locator("select")
    if select.count():
        options = select.first.locator("option").all_inner_texts()
        current = select.first.input_value()
        choice = next(o for o in options if o != current) if len(options) > 1 else options[0]
        select.first.select_option(label=choice)
        return f"drop-down -> {choice}"
    box = explorer.locator("input[type='number'], input[type='text']")
    if box.count():
        box.first.fill("2")
        box.first.press("Enter")
        return "text box -> 2"
    button = explorer.locator("button")
    if button.count():
        button.last.click()
        return "button click"
    return None


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab_its_widgets_respond_and_its_exercises_say_not_yet(lab, browser, name):
    url, token, served = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    script_errors, outside = [], []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    def offline(route):
        # The classroom may have no internet: every front end (anywidget's too) must come from the local server.
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    try:
        open_and_run_all(page, url, token, name, RUN_TIMEOUT_S)

        errors = page.locator("[data-mime-type='application/vnd.jupyter.error']")
        assert errors.count() == 0, f"{name}: a cell shows an error:\n" + "\n".join(errors.all_inner_texts())[:3000]
        body = page.locator(".jp-Notebook").inner_text()
        assert "Loading widget..." not in body, f"{name}: a widget never rendered"
        assert "Error displaying widget" not in body, f"{name}: a widget failed to render"

        explorers = page.locator(".jp-OutputArea-output .cnnlib-explorer")
        assert explorers.count() >= _expected_explorers(name), \
            f"{name}: {explorers.count()} explorers rendered, the stored notebook shows {_expected_explorers(name)}"
        changed = []
        for i in range(explorers.count()):
            explorer = explorers.nth(i)
            explorer.scroll_into_view_if_needed()
            shows = lambda: explorer_snapshot(explorer)      # noqa: E731
            controls = _movable_controls(explorer)
            for kind, control, label in controls:
                # Every control in turn, from the notebook's setting: move it, see the views change,
                # put it back (so the next control is tried where the notebook leaves it).
                before = shows()
                undo = _move(page, kind, control)
                moved = wait_for_change(shows, before)
                assert moved != before, f"{name}: explorer {i} did not change after moving its {kind} {label!r}"
                undo()
                wait_for_change(shows, moved)
                changed.append(f"{kind} {label!r}")
            if not controls:                                   # only a text box or a button
                before = shows()
                action = _change_a_control(page, explorer)
                assert action, f"{name}: explorer {i} has no control the test can move"
                assert wait_for_change(shows, before) != before, f"{name}: explorer {i} did not change after {action}"
                changed.append(action)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name[:-6]}.png"), full_page=False)
        page.evaluate("window.scrollTo(0, 0)")
        if _expected_explorers(name):
            assert changed, f"{name}: expected at least one explorer widget"
        if name == DRAWING_NOTEBOOK:
            # Drawn in the same run: training the network a second time would only cost a minute.
            _draw_a_one_and_a_seven(page)
            assert errors.count() == 0, "\n".join(errors.all_inner_texts())[:3000]
        assert not script_errors, f"{name}: the page raised {script_errors}"
        assert not outside, f"{name}: the page asked the internet for {outside}"
        # The student's view of the exercises: save the run notebook and read what every cell printed.
        checked, problems = executed_notebook_problems(_save_and_wait(page, served / name))
        assert not problems, problems
        expected = sum(bool(EXERCISE_CHECK.search(cell["source"] if isinstance(cell["source"], str)
                                                  else "".join(cell["source"])))
                       for cell in json.loads((served / name).read_text())["cells"] if cell["cell_type"] == "code")
        assert checked == expected, f"{name}: {checked} of {expected} exercise checks found"
    finally:
        page.close()
        shut_down_kernels(url, token)


def _save_and_wait(page, path, timeout_s=60):
    """Save the open notebook and wait until the file holds the run: every code cell
    that is not blank with an execution count. Returns ``path``."""
    before = path.stat().st_mtime_ns
    # The notebook toolbar's Save button (the floppy disk a student clicks).
    page.locator(".jp-NotebookPanel-toolbar [data-command='docmanager:save']").first.click()
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if path.stat().st_mtime_ns != before:
            try:
                cells = json.loads(path.read_text())["cells"]
            except ValueError:            # caught half-written
                cells = None
            if cells and all(c.get("execution_count") for c in cells
                             if c["cell_type"] == "code" and "".join(c["source"]).strip()):
                return path
        # Not time.sleep: every request passes the offline route, whose handler runs in this
        # process only while Playwright has control; the save's PUT would wait for it.
        page.wait_for_timeout(300)
    unrun = [c["source"][:60] if isinstance(c["source"], str) else "".join(c["source"])[:60]
             for c in json.loads(path.read_text())["cells"]
             if c["cell_type"] == "code" and not c.get("execution_count")]
    raise AssertionError(f"{path.name}: the saved notebook did not hold the run after {timeout_s} s "
                         f"(saved: {path.stat().st_mtime_ns != before}; code cells without a count: {unrun[:3]})")


def _draw(page, pad, strokes):
    """Draw with real mouse events: each stroke is a list of (x, y) points in [0, 1] of the pad."""
    box = pad.bounding_box()
    for stroke in strokes:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=15)
        page.mouse.up()


def _draw_a_one_and_a_seven(page):
    """Notebook 10's drawing pad, with real mouse events: a 1, Clear, then a 7, each recognised."""
    pad = page.locator(".jp-OutputArea-output .cnnlib-explorer canvas.cnnlib-digit-pad")
    assert pad.count() == 1, "the drawing pad did not render (is anywidget's lab extension installed?)"
    explorer = page.locator(".jp-OutputArea-output .cnnlib-explorer", has=page.locator("canvas.cnnlib-digit-pad"))
    pad.scroll_into_view_if_needed()
    guess = explorer.locator(".cnnlib-drawing-guess")
    bars = explorer.locator(".cnnlib-drawing-probabilities")
    digit = explorer.locator(".cnnlib-drawing-preprocessed")
    message = explorer.locator(".cnnlib-drawing-message")

    def on_screen():
        return guess.inner_text(), bars.get_attribute("src"), digit.get_attribute("src")

    def draw(strokes, before):
        # Every pen lift sends the picture: wait for each stroke's answer before the next stroke.
        for stroke in strokes:
            _draw(page, pad, [stroke])
            # The views update one after another: wait until both pictures and the guess are new
            # (on a busy machine the text can lag a picture by a few hundred ms).
            now = wait_for_change(on_screen, before, done=lambda now: (
                now[1] != before[1] and now[2] != before[2] and "–" not in now[0]))
            assert now[1:] != before[1:], f"the probabilities and the 28 x 28 digit did not change: {now[0]!r}"
            # The guess is written after the pictures, and the same guess can follow two strokes:
            # read it once the whole readout has stopped changing.
            now = wait_until_steady(on_screen, now)
            assert "draw a digit first" not in message.inner_text()
            before = now
        return now

    empty = on_screen()
    assert "–" in empty[0] and "Draw a digit" in message.inner_text()
    one = draw([[(0.5, 0.12), (0.5, 0.88)]], empty)                             # a "1": one vertical stroke
    assert one[0] != empty[0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "10_draw_a_1.png"))
    assert "guess: 1" in one[0], one[0]

    explorer.get_by_role("button", name="Clear").click()
    cleared = wait_for_change(on_screen, one, done=lambda now: "–" in now[0] and now[1:] != one[1:])
    assert "–" in cleared[0], f"Clear did not reset the guess: {cleared[0]!r}"
    seven = draw([[(0.2, 0.15), (0.8, 0.15)], [(0.8, 0.15), (0.4, 0.9)]], cleared)  # a "7": across, then down
    page.screenshot(path=str(ARTIFACTS / "10_draw_a_7.png"))
    assert seven[0] != one[0] and seven[1] != one[1]
    assert "guess: 7" in seven[0], seven[0]

