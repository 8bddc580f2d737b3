"""What the browser test (tests/test_browser.py) does on a page of JupyterLab: not a test module.

    run_axe(page) / write_axe_report(name, results)     axe-core over the series' own content
    operable_controls(explorer) / press(page, kind, control)   every control, moved with keys alone
    tab_through(page, explorer, first)                   the Tab order inside an explorer
    draw_a_one_and_a_seven(page) / ..._with_the_keyboard(page)   notebook 10's drawing pad
    picture_problem(picture) / CONTRAST_SCRIPT           legibility in the dark theme
    save_and_wait(page, path)                            the run notebook, saved to disk
    expected_explorers(name)                             how many explorers the stored notebook shows

The server and browser set-up is ``scripts/lab_browser.py`` (shared with the browser benchmark).
"""
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from lab_browser import wait_for_change, wait_until_steady  # noqa: E402

REPORTS = ROOT / "artifacts" / "accessibility"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
FAILING_IMPACTS = ("serious", "critical")
# The series' own content: what the cells print and show, and the rendered Markdown.
AXE_CONTEXT = {"include": [[".jp-OutputArea-output"], [".jp-MarkdownOutput"]]}
AXE_OPTIONS = {"resultTypes": ["violations", "incomplete"]}


# ---------------------------------------------------------------------------------------------- axe

def run_axe(page, context=AXE_CONTEXT, options=AXE_OPTIONS):
    """axe-core's results for ``context`` on the page (the dict axe.run returns)."""
    from axe_playwright_python.base import AXE_SCRIPT
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate("([context, options]) => axe.run(context, options)", [context, options])


def short(text, limit=160):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def axe_summary(name, results):
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
            lines.append(f"      {short(' '.join(node['target']), 100)}  {short(node['html'], 140)}")
            if node.get("failureSummary"):
                lines.append(f"        {short(node['failureSummary'], 200)}")
    return "\n".join(lines) + "\n"


def write_axe_report(name, results):
    REPORTS.mkdir(parents=True, exist_ok=True)
    stem = name[:-len(".ipynb")]
    kept = {key: results[key] for key in ("testEngine", "url", "timestamp", "violations", "incomplete")
            if key in results}
    kept["scope"] = AXE_CONTEXT
    (REPORTS / f"{stem}.json").write_text(json.dumps(kept, indent=1))
    summary = axe_summary(name, results)
    (REPORTS / f"{stem}.txt").write_text(summary)
    return summary


# ----------------------------------------------------------------------------------- keyboard only

KINDS = (("slider", ".widget-slider"), ("drop-down", ".widget-dropdown"),
         ("toggle", ".widget-toggle-buttons"), ("check box", ".widget-checkbox"), ("radio", ".widget-radio"))


def focus(locator):
    """Move the keyboard focus to the element (``element.focus()``) and check that it took it."""
    locator.focus()
    assert locator.evaluate("el => document.activeElement === el"), \
        f"cannot focus {locator.evaluate('el => el.outerHTML.slice(0, 200)')}"


def operable_controls(explorer):
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


def press(page, kind, control):
    """One move of a control with the keyboard; returns a function that moves it back (None when
    there is no way back: a radio group's first choice)."""
    if kind == "slider":
        handle = control.locator(".noUi-handle").first
        focus(handle)
        at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        there, back = ("ArrowLeft", "ArrowRight") if at_end else ("ArrowRight", "ArrowLeft")
        page.keyboard.press(there)
        return lambda: (focus(handle), page.keyboard.press(back))
    if kind == "drop-down":
        select = control.locator("select")
        focus(select)
        at_end = select.evaluate("s => s.selectedIndex === s.options.length - 1")
        there, back = ("ArrowUp", "ArrowDown") if at_end else ("ArrowDown", "ArrowUp")
        page.keyboard.press(there)
        return lambda: (focus(select), page.keyboard.press(back))
    if kind == "toggle":
        buttons = control.locator("button")
        count = buttons.count()
        active = next(i for i in range(count) if "mod-active" in (buttons.nth(i).get_attribute("class") or ""))
        focus(buttons.nth((active + 1) % count))
        page.keyboard.press("Space")
        return lambda: (focus(buttons.nth(active)), page.keyboard.press("Enter"))
    if kind == "radio":
        # None chosen yet: Space chooses the first (and a radio cannot be unchosen: nothing to undo).
        # One chosen: an arrow key moves the choice to the next (or the previous, at the end).
        radios = control.locator("input[type='radio']")
        checked = radios.evaluate_all("rs => rs.findIndex(r => r.checked)")
        if checked < 0:
            focus(radios.first)
            page.keyboard.press("Space")
            return None
        at_end = checked == radios.count() - 1
        there, back = ("ArrowUp", "ArrowDown") if at_end else ("ArrowDown", "ArrowUp")
        focus(radios.nth(checked))
        page.keyboard.press(there)
        return lambda: (page.keyboard.press(back))
    box = control.locator("input")
    focus(box)
    page.keyboard.press("Space")
    return lambda: (focus(box), page.keyboard.press("Space"))


def step_buttons(explorer):
    """An explorer's "next" and "previous" buttons (the stepper's, the concept check's), if enabled."""
    buttons = explorer.locator("button:not(:disabled)")
    found = {}
    for j in range(buttons.count()):
        text = buttons.nth(j).inner_text().strip().lower()
        for word in ("next", "prev"):
            if text.startswith(word) or text.endswith(word) or f"{word} " in text:
                found.setdefault(word, buttons.nth(j))
    return found


def press_something_else(page, explorer):
    """An explorer without slider, drop-down, toggle row or check box: type in its first text box,
    or press its last button, from the keyboard."""
    box = explorer.locator("input[type='number'], input[type='text'], textarea")
    if box.count():
        focus(box.first)
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
        focus(button.last)
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


def tab_through(page, explorer, first):
    """Focus ``first`` and press Tab until the focus leaves the explorer: the ids (data-kb-id) of
    every element reached, in order. Then, from the last of them, Shift+Tab must go back to the one
    before (the way out at the top is JupyterLab's: its cell toolbar)."""
    focus(first)
    reached = [first.evaluate("el => el.dataset.kbId")]
    for _ in range(400):
        page.keyboard.press("Tab")
        inside, kb_id = explorer.evaluate(FOCUSED)
        if not inside:
            break
        reached.append(kb_id)
    if len(reached) < 2:
        return reached, ""
    focus(explorer.locator(f"[data-kb-id='{reached[-1]}']"))
    page.keyboard.press("Shift+Tab")
    back = page.evaluate("() => document.activeElement.dataset.kbId || null")
    if back == reached[-2]:
        return reached, ""
    return reached, (f"Shift+Tab from {reached[-1]} went to "
                     f"{page.evaluate('() => document.activeElement.outerHTML.slice(0, 150)')}, not {reached[-2]}")


def keys(page, *presses):
    for key, times in presses:
        for _ in range(times):
            page.keyboard.press(key)


def draw_a_one_and_a_seven_with_the_keyboard(page):
    """Notebook 10's pad through its keyboard pen (it starts at row 15, column 15 of 28): a 1, then
    Delete, then a 7, each read by the trained network."""
    pad = page.locator(".jp-OutputArea-output .cnnlib-explorer canvas.cnnlib-digit-pad")
    assert pad.count() == 1, "the drawing pad did not render (is anywidget's lab extension installed?)"
    explorer = page.locator(".jp-OutputArea-output .cnnlib-explorer", has=page.locator("canvas.cnnlib-digit-pad"))
    pad.scroll_into_view_if_needed()
    guess = explorer.locator(".cnnlib-drawing-guess")
    digit = explorer.locator(".cnnlib-drawing-preprocessed img")
    status = explorer.locator(".cnnlib-pad-status")

    def on_screen():
        return guess.inner_text(), digit.get_attribute("src")

    def sent(before):
        now = wait_for_change(on_screen, before, timeout_s=30, done=lambda now: now[1] != before[1])
        return wait_until_steady(on_screen, now)

    focus(pad)
    assert "pen up" in status.inner_text(), f"the pad's live region says {status.inner_text()!r}"
    empty = on_screen()
    # A 1: up to row 5, pen down, down to row 25, pen up (which sends the drawing).
    keys(page, ("Shift+ArrowUp", 3), ("ArrowUp", 1), ("Space", 1), ("Shift+ArrowDown", 6), ("ArrowDown", 2),
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
    keys(page, ("Shift+ArrowUp", 6), ("ArrowUp", 1), ("Shift+ArrowLeft", 2), ("ArrowLeft", 1), ("Space", 1),
          ("Shift+ArrowRight", 4), ("ArrowRight", 2))
    for _ in range(10):
        keys(page, ("ArrowDown", 2), ("ArrowLeft", 1))
    page.keyboard.press("Space")
    seven = sent(cleared)
    page.screenshot(path=str(REPORTS / "10_keyboard_draws_a_7.png"))
    assert "guess: 7" in seven[0], f"the keyboard's 7 was read as {seven[0]!r}"


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


def picture_problem(picture):
    """Why a picture is hard to see in the dark theme ('' if it is not): see-through pixels with no
    opaque background behind them, or (a figure) a margin that is not light."""
    info = picture.evaluate(PICTURE_SCRIPT)
    opaque_behind = info["background"].startswith("rgb(") or info["background"].endswith(", 1)")
    if info["clear"] > 0.01 and not opaque_behind:
        return f"{info['name']!r}: {info['clear']:.0%} of its pixels see-through, on the page's dark background"
    if info["figure"] and info["edge_light"] < 0.75:
        return f"figure {info['name']!r}: only {info['edge_light']:.0%} of its outermost pixels (its margin) light"
    return ""


# ------------------------------------------------------------------------------ the run notebook

def expected_explorers(name):
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


def save_and_wait(page, path, timeout_s=60):
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


# ---------------------------------------------------------------------------------- the drawing pad

def draw_strokes(page, pad, strokes):
    """Draw with real mouse events: each stroke is a list of (x, y) points in [0, 1] of the pad."""
    box = pad.bounding_box()
    for stroke in strokes:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=15)
        page.mouse.up()


def draw_a_one_and_a_seven(page):
    """Notebook 10's drawing pad, with real mouse events: a 1, Clear, then a 7, each recognised (the pad
    is cleared first if it holds a digit)."""
    pad = page.locator(".jp-OutputArea-output .cnnlib-explorer canvas.cnnlib-digit-pad")
    assert pad.count() == 1, "the drawing pad did not render (is anywidget's lab extension installed?)"
    explorer = page.locator(".jp-OutputArea-output .cnnlib-explorer", has=page.locator("canvas.cnnlib-digit-pad"))
    pad.scroll_into_view_if_needed()
    guess = explorer.locator(".cnnlib-drawing-guess")
    bars = explorer.locator(".cnnlib-drawing-probabilities img")
    digit = explorer.locator(".cnnlib-drawing-preprocessed img")
    message = explorer.locator(".cnnlib-drawing-message")

    def on_screen():
        return guess.inner_text(), bars.get_attribute("src"), digit.get_attribute("src")

    def draw(strokes, before):
        # Every pen lift sends the picture: wait for each stroke's answer before the next stroke.
        for stroke in strokes:
            draw_strokes(page, pad, [stroke])
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
    if "–" not in empty[0]:                 # the keyboard's digit is still there: Clear first
        explorer.get_by_role("button", name="Clear").click()
        empty = wait_for_change(on_screen, empty, done=lambda now: "–" in now[0])
    assert "–" in empty[0] and "Draw a digit" in message.inner_text()
    one = draw([[(0.5, 0.12), (0.5, 0.88)]], empty)                             # a "1": one vertical stroke
    assert one[0] != empty[0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "10_draw_a_1.png"))
    assert "guess: 1" in one[0], one[0]

    explorer.get_by_role("button", name="Clear").click()
    cleared = wait_for_change(on_screen, one, done=lambda now: "–" in now[0] and now[1:] != one[1:])
    assert "–" in cleared[0], f"Clear did not reset the guess: {cleared[0]!r}"
    seven = draw([[(0.2, 0.15), (0.8, 0.15)], [(0.8, 0.15), (0.4, 0.9)]], cleared)  # a "7": across, then down
    page.screenshot(path=str(SCREENSHOTS / "10_draw_a_7.png"))
    assert seven[0] != one[0] and seven[1] != one[1]
    assert "guess: 7" in seven[0], seven[0]
