"""Accessibility of the series where a student meets it: a real JupyterLab in headless Chromium (issue 19).

For every notebook of the student edition (built as ``make student`` builds it, in a temporary
folder), after Run All:

* **axe**: axe-core (bundled by ``axe-playwright-python``) runs over the series' own content only,
  the cells' outputs (figures, widgets, printed HTML) and rendered Markdown, not JupyterLab's menus
  and panels. No violation may be serious or critical. The full report is written to
  ``artifacts/accessibility/<notebook>.json`` and a short summary to ``<notebook>.txt``.
* **keyboard only**: every explorer is operated with key presses alone (focus, then arrow keys,
  Enter and Space; no mouse event): every control is reached by Tab from the explorer's first
  control, and every enabled slider, drop-down, toggle-button row and check box changes what the
  explorer shows, and is put back. In notebook 10 the drawing pad gets a 1 and then a 7 through
  its keyboard pen (arrows move it, Space puts it down and lifts it, Delete clears the pad), and
  the network must read them.

And in JupyterLab's dark theme (DARK_NOTEBOOKS): every picture stays legible (its own pixels,
read back from the page, are opaque, or the page puts an opaque background behind them; and a
figure's outermost pixels, its margin, are light), and every text of the explorers contrasts with
what is behind it by at least 4.5:1 (3:1 for large text), computed from the page's styles
(disabled controls aside, as WCAG has it). Screenshots and findings go to ``artifacts/accessibility/``.

Needs Chromium, Playwright and axe-playwright-python (the ``test`` extra); skipped with a loud
reason without them, a failure under CI=true. Run beside tests/test_browser.py by
``scripts/run_tests.py``.
"""
import json
import os
import sys
from pathlib import Path

import pytest

import background

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from lab_browser import (CHROMIUM, CHROMIUM_ARGS, DARK_THEME, explorer_snapshot,  # noqa: E402
                         missing_browser_reason, open_and_run_all, shut_down_kernels, start_lab, stop_lab,
                         wait_for_change, wait_until_steady)

from cnnlib.series import SERIES  # noqa: E402

NOTEBOOKS = [entry.file for entry in SERIES]
REPORTS = ROOT / "artifacts" / "accessibility"
RUN_TIMEOUT_S = 420
DRAWING_NOTEBOOK = "10_lenet_training.ipynb"
DARK_NOTEBOOKS = ["02_convolution_2d.ipynb"]      # figures, and two explorers full of numbers
FAILING_IMPACTS = ("serious", "critical")
# The series' own content: what the cells print and show, and the rendered Markdown.
AXE_CONTEXT = {"include": [[".jp-OutputArea-output"], [".jp-MarkdownOutput"]]}
AXE_OPTIONS = {"resultTypes": ["violations", "incomplete"]}


def _missing():
    reason = missing_browser_reason()
    if not reason:
        try:
            import axe_playwright_python  # noqa: F401
        except ImportError:
            reason = ("axe-playwright-python is not installed: the accessibility tests did NOT run "
                      "(pip install -e '.[test]')")
    return reason


REASON = _missing()
if REASON and os.environ.get("CI"):
    pytest.fail(REASON + " -- CI must run them", pytrace=False)
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _student_lab(root, theme=None):
    background.student_edition_builder().build(root / "notebooks")
    try:
        return start_lab(root, theme=theme)
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving the student edition, in the default (light) theme."""
    proc, url, token, log = _student_lab(tmp_path_factory.mktemp("a11y-lab"))
    yield url, token
    stop_lab(proc, log)


@pytest.fixture(scope="module", params=NOTEBOOKS)
def ran(request, lab, browser):
    """A page holding one notebook after Run All; the tests of one notebook share it (axe first,
    then the keyboard, which moves the controls)."""
    url, token = lab
    name = request.param
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    try:
        open_and_run_all(page, url, token, name, RUN_TIMEOUT_S, workspace=f"a{name[:2]}")
        yield name, page, script_errors
    finally:
        page.close()
        shut_down_kernels(url, token)


# ---------------------------------------------------------------------------------------------- axe

def run_axe(page, context=AXE_CONTEXT, options=AXE_OPTIONS):
    """axe-core's results for ``context`` on the page (the dict axe.run returns)."""
    from axe_playwright_python.base import AXE_SCRIPT
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate("([context, options]) => axe.run(context, options)", [context, options])


def _short(text, limit=160):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _summary(name, results):
    """A few lines per notebook: counts by impact, then each violation with a few of its elements."""
    violations = results["violations"]
    by_impact = {}
    for violation in violations:
        by_impact[violation["impact"]] = by_impact.get(violation["impact"], 0) + len(violation["nodes"])
    lines = [f"{name}: axe {results['testEngine']['version']}, scope {AXE_CONTEXT['include']}",
             "violations (elements) by impact: " + (", ".join(f"{k} {v}" for k, v in sorted(by_impact.items()))
                                                   or "none"),
             f"needs review (axe could not decide): {len(results.get('incomplete', []))} rules"]
    for violation in sorted(violations, key=lambda v: ("minor", "moderate", "serious", "critical").index(v["impact"]),
                            reverse=True):
        lines.append(f"  [{violation['impact']}] {violation['id']}: {len(violation['nodes'])} element(s): "
                     f"{violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:3]:
            lines.append(f"      {_short(' '.join(node['target']), 100)}  {_short(node['html'], 140)}")
            if node.get("failureSummary"):
                lines.append(f"        {_short(node['failureSummary'], 200)}")
    return "\n".join(lines) + "\n"


def _write_report(name, results):
    REPORTS.mkdir(parents=True, exist_ok=True)
    stem = name[:-len(".ipynb")]
    kept = {key: results[key] for key in ("testEngine", "url", "timestamp", "violations", "incomplete")
            if key in results}
    kept["scope"] = AXE_CONTEXT
    (REPORTS / f"{stem}.json").write_text(json.dumps(kept, indent=1))
    summary = _summary(name, results)
    (REPORTS / f"{stem}.txt").write_text(summary)
    return summary


def test_axe_finds_no_serious_or_critical_violation_in_the_notebooks_content(ran):
    name, page, script_errors = ran
    errors = page.locator("[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, f"{name}: a cell shows an error:\n" + "\n".join(errors.all_inner_texts())[:3000]
    assert page.locator(".jp-OutputArea-output, .jp-MarkdownOutput").count(), f"{name}: nothing to check"
    results = run_axe(page)
    summary = _write_report(name, results)
    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not failing, (f"{name}: {len(failing)} serious or critical accessibility violation(s) "
                         f"(report: artifacts/accessibility/{name[:-6]}.json)\n{summary}")


# ----------------------------------------------------------------------------------- keyboard only

KINDS = (("slider", ".widget-slider"), ("drop-down", ".widget-dropdown"),
         ("toggle", ".widget-toggle-buttons"), ("check box", ".widget-checkbox"), ("radio", ".widget-radio"))


def _focus(locator):
    """Move the keyboard focus to the element (``element.focus()``) and check that it took it."""
    locator.focus()
    assert locator.evaluate("el => document.activeElement === el"), \
        f"cannot focus {locator.evaluate('el => el.outerHTML.slice(0, 200)')}"


def _operable_controls(explorer):
    """(kind, control, label) for every visible, enabled slider, drop-down, toggle-button row, check
    box and radio-button group of an explorer (the Play widget's own slider aside)."""
    found = []
    for kind, selector in KINDS:
        controls = explorer.locator(selector)
        for j in range(controls.count()):
            control = controls.nth(j)
            if kind == "slider" and control.evaluate("el => !!el.closest('.widget-play')"):
                continue
            disabled = control.locator(".noUi-target[disabled], select:disabled, button:disabled, input:disabled")
            if control.is_visible() and not disabled.count():
                label = control.locator(".widget-label")
                text = label.first.inner_text().strip(" \u200b\n") if label.count() else ""
                found.append((kind, control, text or control.inner_text().strip(" \u200b\n")[:40]))
    return found


def _press(page, kind, control):
    """One move of a control with the keyboard; returns a function that moves it back."""
    if kind == "slider":
        handle = control.locator(".noUi-handle").first
        _focus(handle)
        at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        there, back = ("ArrowLeft", "ArrowRight") if at_end else ("ArrowRight", "ArrowLeft")
        page.keyboard.press(there)
        return lambda: (_focus(handle), page.keyboard.press(back))
    if kind == "drop-down":
        select = control.locator("select")
        _focus(select)
        at_end = select.evaluate("s => s.selectedIndex === s.options.length - 1")
        there, back = ("ArrowUp", "ArrowDown") if at_end else ("ArrowDown", "ArrowUp")
        page.keyboard.press(there)
        return lambda: (_focus(select), page.keyboard.press(back))
    if kind == "toggle":
        buttons = control.locator("button")
        count = buttons.count()
        active = next(i for i in range(count) if "mod-active" in (buttons.nth(i).get_attribute("class") or ""))
        _focus(buttons.nth((active + 1) % count))
        page.keyboard.press("Space")
        return lambda: (_focus(buttons.nth(active)), page.keyboard.press("Enter"))
    if kind == "radio":
        # None chosen yet: Space chooses the first (and a radio cannot be unchosen: nothing to undo).
        # One chosen: an arrow key moves the choice to the next (or the previous, at the end).
        radios = control.locator("input[type='radio']")
        checked = radios.evaluate_all("rs => rs.findIndex(r => r.checked)")
        if checked < 0:
            _focus(radios.first)
            page.keyboard.press("Space")
            return lambda: None
        at_end = checked == radios.count() - 1
        there, back = ("ArrowUp", "ArrowDown") if at_end else ("ArrowDown", "ArrowUp")
        _focus(radios.nth(checked))
        page.keyboard.press(there)
        return lambda: (page.keyboard.press(back))
    box = control.locator("input")
    _focus(box)
    page.keyboard.press("Space")
    return lambda: (_focus(box), page.keyboard.press("Space"))


def _step_buttons(explorer):
    """An explorer's "next" and "previous" buttons (the stepper's, the concept check's), if enabled."""
    buttons = explorer.locator("button:not(:disabled)")
    found = {}
    for j in range(buttons.count()):
        text = buttons.nth(j).inner_text().strip().lower()
        for word in ("next", "prev"):
            if text.startswith(word) or text.endswith(word) or f"{word} " in text:
                found.setdefault(word, buttons.nth(j))
    return found


def _press_something_else(page, explorer):
    """An explorer without slider, drop-down, toggle row or check box: type in its first text box,
    or press its last button, from the keyboard."""
    box = explorer.locator("input[type='number'], input[type='text'], textarea")
    if box.count():
        _focus(box.first)
        old = box.first.input_value()
        page.keyboard.press("Control+A")
        try:
            new = str(float(old) + 1) if "." in old else str(int(old) + 1)
        except ValueError:
            new = old + " 1" if old else "1"
        page.keyboard.type(new)
        page.keyboard.press("Enter")
        return f"text box {old!r} -> {new!r}"
    button = explorer.locator("button:not(:disabled)")
    if button.count():
        _focus(button.last)
        page.keyboard.press("Enter")
        return f"button {button.last.inner_text()!r}"
    return None


TAB_ORDER_SCRIPT = """
(explorer) => {
  const all = [...explorer.querySelectorAll('.noUi-handle, select, button, input, textarea, canvas, a[href], ' +
                                            '[tabindex], [contenteditable="true"]')];
  all.forEach((el, k) => el.dataset.kbId = String(k));
  return all.filter(el => el.offsetParent !== null && !el.disabled && el.tabIndex >= 0)
            .map(el => el.dataset.kbId);
}
"""


# Whether the focus is in the explorer, and the focused element's data-kb-id (one is given to an
# element TAB_ORDER_SCRIPT did not list, so that it can be found again).
FOCUSED = """
(ex) => {
  const el = document.activeElement;
  if (!ex.contains(el)) return [false, null];
  if (!el.dataset.kbId) el.dataset.kbId = 'extra-' + Math.random().toString(36).slice(2);
  return [true, el.dataset.kbId];
}
"""


def _tab_through(page, explorer, first):
    """Focus ``first`` and press Tab until the focus leaves the explorer: the ids (data-kb-id) of
    every element reached, in order. Then, from the last of them, Shift+Tab must go back to the one
    before (the way out at the top is JupyterLab's: its cell toolbar)."""
    _focus(first)
    reached = [first.evaluate("el => el.dataset.kbId")]
    for _ in range(400):
        page.keyboard.press("Tab")
        inside, kb_id = explorer.evaluate(FOCUSED)
        if not inside:
            break
        reached.append(kb_id)
    if len(reached) < 2:
        return reached, ""
    _focus(explorer.locator(f"[data-kb-id='{reached[-1]}']"))
    page.keyboard.press("Shift+Tab")
    back = page.evaluate("() => document.activeElement.dataset.kbId || null")
    if back == reached[-2]:
        return reached, ""
    return reached, (f"Shift+Tab from {reached[-1]} went to "
                     f"{page.evaluate('() => document.activeElement.outerHTML.slice(0, 150)')}, not {reached[-2]}")


def test_every_explorer_works_from_the_keyboard_alone(ran):
    """Every problem of the notebook is listed at the end (not only the first)."""
    name, page, script_errors = ran
    explorers = page.locator(".jp-OutputArea-output .cnnlib-explorer")
    if not explorers.count():
        pytest.skip(f"{name} shows no explorer")
    done, problems = [], []
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        explorer.scroll_into_view_if_needed()
        kind_name = next((c[len("cnnlib-"):] for c in explorer.get_attribute("class").split()
                          if c.startswith("cnnlib-") and c != "cnnlib-explorer"), f"explorer {i}")
        # Tab order: from the explorer's first focusable element, Tab reaches every one of them.
        focusable = explorer.evaluate(TAB_ORDER_SCRIPT)
        if not focusable:
            problems.append(f"{kind_name}: nothing the keyboard can reach")
            continue
        first = explorer.locator(f"[data-kb-id='{focusable[0]}']")
        reached, shift_tab_problem = _tab_through(page, explorer, first)
        missed = [explorer.locator(f"[data-kb-id='{k}']").first.evaluate("el => el.outerHTML.slice(0, 120)")
                  for k in focusable if k not in reached]
        if missed:
            problems.append(f"{kind_name}: Tab from its first control does not reach {missed}")
        if shift_tab_problem:
            problems.append(f"{kind_name}: {shift_tab_problem}")

        shows = lambda: explorer_snapshot(explorer)      # noqa: E731
        controls = _operable_controls(explorer)
        for kind, control, label in controls:
            before = shows()
            undo = _press(page, kind, control)
            moved = wait_for_change(shows, before, timeout_s=10)
            if moved == before:
                problems.append(f"{kind_name}: nothing changed after a key on its {kind} {label!r}")
                continue
            undo()
            wait_for_change(shows, moved)
            done.append(f"{kind_name} {kind} {label!r}")
        steps = _step_buttons(explorer)
        if "next" in steps:                                     # Enter on "Next", then on "Previous"
            before = shows()
            caption = steps["next"].inner_text().strip()
            _focus(steps["next"])
            page.keyboard.press("Enter")
            moved = wait_for_change(shows, before, timeout_s=10)
            if moved == before:
                problems.append(f"{kind_name}: nothing changed after Enter on its Next button")
            else:
                done.append(f"{kind_name} button {caption!r}")
                previous = _step_buttons(explorer).get("prev")
                if previous is not None:
                    _focus(previous)
                    page.keyboard.press("Enter")
                    wait_for_change(shows, moved)
        if not controls and "next" not in steps:
            before = shows()
            action = _press_something_else(page, explorer)
            if not action:
                problems.append(f"{kind_name}: no control the keyboard can move")
            elif wait_for_change(shows, before, timeout_s=10) == before:
                problems.append(f"{kind_name}: nothing changed after {action}")
            else:
                done.append(f"{kind_name} {action}")
    if name == DRAWING_NOTEBOOK:
        try:
            _draw_a_one_and_a_seven_with_the_keyboard(page)
            done.append("drawing pad: a 1 and a 7 from the keyboard")
        except AssertionError as error:
            problems.append(f"drawing pad: {error}")
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"keyboard_{name[:-6]}.txt").write_text(
        f"{name}: keyboard only\nworked ({len(done)}):\n" + "".join(f"  {d}\n" for d in done)
        + f"problems ({len(problems)}):\n" + "".join(f"  {p}\n" for p in problems))
    errors = page.locator("[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, "\n".join(errors.all_inner_texts())[:3000]
    assert not script_errors, f"{name}: the page raised {script_errors}"
    assert not problems, f"{name}: {len(problems)} keyboard problem(s):\n" + "\n".join(problems)


def _keys(page, *presses):
    for key, times in presses:
        for _ in range(times):
            page.keyboard.press(key)


def _draw_a_one_and_a_seven_with_the_keyboard(page):
    """Notebook 10's pad through its keyboard pen (it starts at row 15, column 15 of 28): a 1, then
    Delete, then a 7, each read by the trained network."""
    pad = page.locator(".jp-OutputArea-output .cnnlib-explorer canvas.cnnlib-digit-pad")
    assert pad.count() == 1, "the drawing pad did not render (is anywidget's lab extension installed?)"
    explorer = page.locator(".jp-OutputArea-output .cnnlib-explorer", has=page.locator("canvas.cnnlib-digit-pad"))
    pad.scroll_into_view_if_needed()
    guess = explorer.locator(".cnnlib-drawing-guess")
    digit = explorer.locator(".cnnlib-drawing-preprocessed")
    status = explorer.locator(".cnnlib-pad-status")

    def on_screen():
        return guess.inner_text(), digit.get_attribute("src")

    def sent(before):
        now = wait_for_change(on_screen, before, timeout_s=30, done=lambda now: now[1] != before[1])
        return wait_until_steady(on_screen, now)

    _focus(pad)
    assert "pen up" in status.inner_text(), f"the pad's live region says {status.inner_text()!r}"
    empty = on_screen()
    # A 1: up to row 5, pen down, down to row 25, pen up (which sends the drawing).
    _keys(page, ("Shift+ArrowUp", 3), ("ArrowUp", 1), ("Space", 1), ("Shift+ArrowDown", 6), ("ArrowDown", 2),
          ("Space", 1))
    assert "drawing sent" in status.inner_text(), status.inner_text()
    one = sent(empty)
    REPORTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(REPORTS / "10_keyboard_draws_a_1.png"))
    assert "guess: 1" in one[0], f"the keyboard's 1 was read as {one[0]!r}"

    # Delete clears the pad; then a 7: to row 6, column 7, pen down, across to column 21, then
    # down and to the left in a staircase to row 26, column 11, pen up.
    page.keyboard.press("Delete")
    assert "cleared" in status.inner_text()
    cleared = wait_for_change(on_screen, one, timeout_s=30, done=lambda now: now[1] != one[1])
    _keys(page, ("Shift+ArrowUp", 6), ("ArrowUp", 1), ("Shift+ArrowLeft", 2), ("ArrowLeft", 1), ("Space", 1),
          ("Shift+ArrowRight", 4), ("ArrowRight", 2))
    for _ in range(10):
        _keys(page, ("ArrowDown", 2), ("ArrowLeft", 1))
    page.keyboard.press("Space")
    seven = sent(cleared)
    page.screenshot(path=str(REPORTS / "10_keyboard_draws_a_7.png"))
    assert "guess: 7" in seven[0], f"the keyboard's 7 was read as {seven[0]!r}"


# -------------------------------------------------------------------------------------- dark theme

@pytest.fixture(scope="module")
def dark_lab(tmp_path_factory):
    """JupyterLab serving the student edition in JupyterLab's dark theme."""
    proc, url, token, log = _student_lab(tmp_path_factory.mktemp("a11y-dark"), theme=DARK_THEME)
    yield url, token
    stop_lab(proc, log)


# The contrast of every text of the explorers with what is behind it (WCAG 2's formula), from the
# computed styles: the colours of the element's ancestors are laid over each other until one is
# opaque (the page's background if none is). Text over a picture is skipped (axe does the same).
CONTRAST_SCRIPT = """
(root) => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, bottom) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]); };
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const pageBg = parse(getComputedStyle(document.body).backgroundColor) || [255, 255, 255, 1];
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage !== 'none') return null;
      const c = parse(s.backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = pageBg[3] >= 1 ? pageBg : over(pageBg, [255, 255, 255, 1]);
    for (const layer of layers.reverse()) bg = layer[3] >= 1 ? layer : over(layer, bg);
    return bg;
  };
  const found = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || seen.has(el)) continue;
    seen.add(el);
    const s = getComputedStyle(el), box = el.getBoundingClientRect();
    if (s.visibility === 'hidden' || s.display === 'none' || box.width === 0 || box.height === 0) continue;
    if (s.clipPath && s.clipPath.startsWith('inset(50%')) continue;          // screen-reader-only text
    if (el.closest(':disabled, [aria-disabled="true"]')) continue;          // WCAG exempts inactive controls
    const bg = background(el);
    if (!bg) continue;
    let fg = parse(s.color);
    fg = over([fg[0], fg[1], fg[2], fg[3] * Number(s.opacity || 1)], bg);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    found.push({text: node.textContent.trim().slice(0, 60), ratio: Math.round(ratio * 100) / 100,
                needed: large ? 3 : 4.5, color: s.color, background: `rgb(${bg.slice(0, 3).map(Math.round)})`,
                readout: !!el.closest('.cnnlib-readout, .widget-readout'),
                where: (el.className && el.className.toString().slice(0, 40)) || el.tagName});
  }
  return found;
}
"""


# A picture's own pixels (drawn on a canvas: data: and blob: pictures are the page's own): how much
# of it is see-through, and the background colour the page puts behind it.
PICTURE_SCRIPT = """
(img) => {
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const pen = canvas.getContext('2d');
  pen.drawImage(img, 0, 0);
  const data = pen.getImageData(0, 0, canvas.width, canvas.height).data;
  let clear = 0, ring = 0, light = 0;
  for (let k = 3; k < data.length; k += 4) if (data[k] < 250) clear++;
  // The outermost two pixels all round: a matplotlib figure's margin, its face colour.
  const w = canvas.width, h = canvas.height;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (x > 1 && y > 1 && x < w - 2 && y < h - 2) continue;
    const k = 4 * (y * w + x);
    ring++;
    if (0.2126 * data[k] + 0.7152 * data[k + 1] + 0.0722 * data[k + 2] > 0.8 * 255 && data[k + 3] >= 250) light++;
  }
  return {clear: clear / (data.length / 4), edge_light: light / Math.max(ring, 1),
          background: getComputedStyle(img).backgroundColor,
          figure: !!img.closest('.cnnlib-figure, .jp-RenderedImage') && !img.closest('.cnnlib-explorer'),
          name: (img.getAttribute('alt') || img.getAttribute('title') || 'no alt').slice(0, 80)};
}
"""


def _picture_problem(picture):
    """Why a picture is hard to see in the dark theme ('' if it is not): see-through pixels with no
    opaque background behind them, or (a figure) a margin that is not light."""
    info = picture.evaluate(PICTURE_SCRIPT)
    opaque_behind = info["background"].startswith("rgb(") or info["background"].endswith(", 1)")
    if info["clear"] > 0.01 and not opaque_behind:
        return f"{info['name']!r}: {info['clear']:.0%} of its pixels see-through, on the page's dark background"
    if info["figure"] and info["edge_light"] < 0.75:
        return f"figure {info['name']!r}: only {info['edge_light']:.0%} of its outermost pixels (its margin) light"
    return ""


@pytest.mark.parametrize("name", DARK_NOTEBOOKS)
def test_pictures_and_explorer_text_stay_legible_in_the_dark_theme(dark_lab, browser, name):
    url, token = dark_lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        open_and_run_all(page, url, token, name, RUN_TIMEOUT_S, workspace=f"d{name[:2]}")
        assert page.evaluate("() => document.body.dataset.jpThemeLight") == "false", "the dark theme is not on"
        REPORTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(REPORTS / f"dark_{name[:-6]}.png"))

        # Pictures: opaque (or on an opaque background); a figure's background light.
        dark = []
        pictures = page.locator(".jp-OutputArea-output img")
        for i in range(pictures.count()):
            picture = pictures.nth(i)
            if not picture.is_visible() or (picture.bounding_box() or {}).get("height", 0) < 12:
                continue
            picture.scroll_into_view_if_needed()
            problem = _picture_problem(picture)
            if problem:
                picture.screenshot(path=str(REPORTS / f"dark_{name[:-6]}_picture_{i}.png"))
                dark.append(f"picture {i}: {problem}")
        page.evaluate("() => window.scrollTo(0, 0)")
        explorers = page.locator(".jp-OutputArea-output .cnnlib-explorer")
        explorers.first.scroll_into_view_if_needed()
        page.screenshot(path=str(REPORTS / f"dark_{name[:-6]}_explorer.png"))

        # Text of the explorers (readouts, labels, numbers in their tables): contrast.
        texts = []
        for i in range(explorers.count()):
            texts += explorers.nth(i).evaluate(CONTRAST_SCRIPT)
        faint = [t for t in texts if t["ratio"] < t["needed"]]
        (REPORTS / f"dark_{name[:-6]}.json").write_text(json.dumps(
            {"pictures_not_light": dark, "texts_checked": len(texts), "texts_too_faint": faint}, indent=1))
        assert texts and any(t["readout"] for t in texts), f"{name}: no explorer text found to check"
        assert not dark, (f"{name} in the dark theme: pictures hard to see (screenshots: "
                          f"artifacts/accessibility/dark_{name[:-6]}_picture_*.png):\n" + "\n".join(dark))
        assert not faint, (f"{name} in the dark theme: {len(faint)} of {len(texts)} explorer texts below the "
                           "contrast they need:\n" + "\n".join(
                               f"  {t['ratio']}:1 < {t['needed']}:1  {t['text']!r} ({t['color']} on {t['background']}, "
                               f"{t['where']})" for t in faint[:25]))
    finally:
        page.close()
        shut_down_kernels(url, token)
