"""How long a student waits: keydown (or a choice in a drop-down) -> the explorer's new picture and
text in place, measured in a real JupyterLab in headless Chromium.

For every notebook with explorers: open it, run all cells, then for every slider, drop-down,
toggle-button row and checkbox of every explorer, make 15 moves (arrow key on the focused slider
handle, ``select_option``, a click) and time each in the page (``performance.now()``):

  settled   the headline: from the input event to the animation frame that shows the last change
            of the explorer's views and its readout sentence (a MutationObserver on them, plus every
            picture's ``load``, so a new image counts once it is decoded), with nothing changing for
            QUIET_MS afterwards;
  first     from the input event to the first change of a view (what the student sees begin);
  python    the Python time of the ``update()`` calls the moves caused (``Explorer.update_ms``, read
            from the kernel).

Sliders move back and forth (arrow right, left, ...); every control is put back where it was before
the next one is measured. Target, per control: settled median <= 100 ms (worst is reported beside
it). The machine's load average is printed and recorded with the figures (other work on a 2-core
machine shows in them).

    python benchmarks/bench_widgets_browser.py [--notebooks 01,02] [--explorers Conv2dStepper] [--moves 15]
                                               [--json out.json] [--windowing none]

JupyterLab runs with its default settings (notebook windowing "contentVisibility" in 4.6: cells off
the screen are neither laid out nor painted), as a student's does; the browser tests use "none".

``--json`` writes one row per control: notebook, explorer, control, ``settled`` and
``settled_worst`` (ms, the headline), ``median`` and ``worst`` (first change, ms), ``python``
(ms), ``load_average`` (1, 5, 15 min, when the notebook's measurements began) and ``note``.
Needs Chromium and Playwright, like tests/test_browser.py; both start JupyterLab with scripts/lab_browser.py.
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from lab_browser import CHROMIUM, CHROMIUM_ARGS, open_and_run_all, start_lab, stop_lab  # noqa: E402

SETTLED_TARGET_MS = 100.0          # per control: the median of input -> settled view
NO_CHANGE_TIMEOUT_S = 3.0
QUIET_MS = 400          # a view is settled when nothing changed for this long

# Installed once per page. ``t0``: the input event that armed it; ``t1``: the first change of the
# watched explorer's views after it; ``last``: the latest change (a mutation, or a picture of the
# views finishing loading); ``painted``: the animation frame that followed the latest change.
PAGE_SCRIPT = """
() => {
  if (window.__bench) return;
  const b = window.__bench = {armed: false, t0: null, t1: null, last: performance.now(),
                              painted: performance.now(), target: null};
  const start = () => { if (b.armed && b.t0 === null) b.t0 = performance.now(); };
  for (const type of ['keydown', 'pointerdown', 'mousedown', 'input', 'change'])
    document.addEventListener(type, start, true);
  const changed = (first) => {
    const now = performance.now();
    b.last = now;
    if (first && b.armed && b.t0 !== null && b.t1 === null) b.t1 = now;
    requestAnimationFrame(() => { b.painted = Math.max(b.painted, performance.now()); });
  };
  b.observer = new MutationObserver(() => changed(true));
  // A new picture is in place once decoded: its load event (captured: load does not bubble).
  document.addEventListener('load', (e) => {
    if (b.target && e.target.tagName === 'IMG' && b.target.contains(e.target)) changed(false);
  }, true);
  b.watch = (explorer) => {
    b.observer.disconnect();
    b.target = explorer;
    for (const view of explorer.querySelectorAll('.cnnlib-view, .cnnlib-readout'))
      b.observer.observe(view, {subtree: true, childList: true, characterData: true, attributes: true});
  };
}
"""

# Every control of an explorer the benchmark can move, with a label a reader recognises.
CONTROLS_SCRIPT = """
(explorer) => {
  const found = [];
  const label = (el) => {
    const l = el.querySelector(':scope > .widget-label, :scope > label');
    return (l && l.innerText.trim()) || '';
  };
  explorer.querySelectorAll('.widget-slider').forEach(el => {
    if (el.closest('.widget-play')) return;
    found.push({kind: 'slider', label: label(el), disabled: !!el.querySelector('.noUi-target[disabled]')});
  });
  explorer.querySelectorAll('.widget-dropdown').forEach(el =>
    found.push({kind: 'dropdown', label: label(el), disabled: el.querySelector('select').disabled}));
  explorer.querySelectorAll('.widget-toggle-buttons').forEach(el =>
    found.push({kind: 'toggle', label: label(el), disabled: !!el.querySelector('button:disabled')}));
  explorer.querySelectorAll('.widget-checkbox').forEach(el =>
    found.push({kind: 'checkbox', label: el.innerText.trim(), disabled: el.querySelector('input').disabled}));
  return found;
}
"""

SELECTORS = {"slider": ".widget-slider", "dropdown": ".widget-dropdown", "toggle": ".widget-toggle-buttons",
             "checkbox": ".widget-checkbox"}


class Lab:
    """A JupyterLab on 127.0.0.1 with a token, serving a copy of notebooks/, its kernels' connection
    files in a known folder (so the benchmark can read ``update_ms`` from a kernel)."""

    def __init__(self, windowing=None):
        self.root = Path(tempfile.mkdtemp(prefix="bench_lab_"))
        shutil.copytree(ROOT / "notebooks", self.root / "notebooks")
        self.runtime = self.root / "runtime"
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(self.runtime))
        try:
            self.proc, self.url, self.token, self.log = start_lab(self.root, env=env, windowing=windowing)
        except RuntimeError:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def api(self, path, method="GET"):
        request = urllib.request.Request(f"{self.url}{path}?token={self.token}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernel_client(self):
        from jupyter_client import BlockingKernelClient
        kernels = self.api("/api/kernels")
        client = BlockingKernelClient(connection_file=str(self.runtime / f"kernel-{kernels[0]['id']}.json"))
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=30)
        return client

    def shut_down_kernels(self):
        for kernel in self.api("/api/kernels"):
            self.api(f"/api/kernels/{kernel['id']}", method="DELETE")

    def close(self):
        stop_lab(self.proc, self.log)
        shutil.rmtree(self.root, ignore_errors=True)


def kernel_eval(client, code):
    """Run ``code`` in the notebook's kernel; returns what it printed (JSON by convention)."""
    printed = []

    def hook(message):
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    client.execute_interactive(code, output_hook=hook, timeout=60, store_history=False)
    return "".join(printed)


UPDATE_MS_CODE = """
import gc as _gc, json as _json
from cnnlib.widgets import Explorer as _Explorer
print(_json.dumps({type(_e).__name__: _e.update_ms[{since}:] for _e in _gc.get_objects()
                   if isinstance(_e, _Explorer)}))
"""


def python_times(client, name, since):
    found = json.loads(kernel_eval(client, UPDATE_MS_CODE.replace("{since}", str(since))))
    return found.get(name, [])


def wait_quiet(page, timeout_s=10.0):
    """Until no view of the watched explorer changed for QUIET_MS (the last update is on screen)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if page.evaluate("() => performance.now() - window.__bench.last") > QUIET_MS:
            return
        time.sleep(0.05)


def arm(page):
    page.evaluate("() => { const b = window.__bench; b.armed = true; b.t0 = null; b.t1 = null; }")


def press_slider(page, control, forward):
    """One arrow key on the slider's focused handle: forward (right) unless at the end."""
    handle = control.locator(".noUi-handle").first
    handle.focus()
    now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    bottom = handle.get_attribute("aria-valuemin")
    if forward and now == top or not forward and now == bottom:
        forward = not forward
    page.keyboard.press("ArrowRight" if forward else "ArrowLeft")
    return forward


def pick(control, kind, offset):
    """Select the option ``offset`` places after the current one (drop-down or toggle buttons)."""
    if kind == "dropdown":
        select = control.locator("select")
        options = select.locator("option").evaluate_all("os => os.map(o => o.value)")
        current = options.index(select.input_value())
        select.select_option(value=options[(current + offset) % len(options)])
    else:
        buttons = control.locator("button")
        count = buttons.count()
        active = next(i for i in range(count) if "mod-active" in (buttons.nth(i).get_attribute("class") or ""))
        buttons.nth((active + offset) % count).click()


def timed(page):
    """(first, settled): milliseconds from the input event to the first change of the views and to
    the frame showing their last change, or None when nothing changed within NO_CHANGE_TIMEOUT_S."""
    deadline = time.time() + NO_CHANGE_TIMEOUT_S
    while time.time() < deadline:
        t0, t1 = page.evaluate("() => { const b = window.__bench; return [b.t0, b.t1]; }")
        if t0 is not None and t1 is not None:
            wait_quiet(page)
            painted = page.evaluate("() => window.__bench.painted")
            page.evaluate("() => { window.__bench.armed = false; }")
            return t1 - t0, painted - t0
        time.sleep(0.01)
    page.evaluate("() => { window.__bench.armed = false; }")
    return None


def moves_of(page, control, kind, moves):
    """Time ``moves`` moves of one control, back and forth as a student wiggles it, then put it
    back where it was (untimed) so the next control starts from the notebook's setting."""
    results = []
    if kind == "slider":
        forward = True
        for _ in range(moves):
            arm(page)
            forward = press_slider(page, control, forward)
            results.append(timed(page))
            forward = not forward
        if moves % 2:
            press_slider(page, control, forward)
    elif kind in ("dropdown", "toggle"):
        for _ in range(moves):
            arm(page)
            pick(control, kind, 1)
            results.append(timed(page))
        pick(control, kind, -moves)
    else:
        for _ in range(moves):
            arm(page)
            control.locator("input").click()
            results.append(timed(page))
        if moves % 2:
            control.locator("input").click()
    wait_quiet(page)
    return results


def bench_notebook(lab, browser, name, moves, only=None):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    rows = []
    try:
        open_and_run_all(page, lab.url, lab.token, name, 900, workspace=f"b{name[:2]}")
        page.evaluate(PAGE_SCRIPT)
        load = [round(x, 2) for x in os.getloadavg()]
        print(f"{name}: load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
        client = lab.kernel_client()
        explorers = page.locator(".jp-OutputArea-output .cnnlib-explorer")
        seen = set()
        for i in range(explorers.count()):
            explorer = explorers.nth(i)
            classes = explorer.get_attribute("class").split()
            cls = next((c[len("cnnlib-"):] for c in classes if c.startswith("cnnlib-") and c != "cnnlib-explorer"), "?")
            if cls in seen or (only and cls not in only):   # notebook 10 shows one explorer twice: once
                continue
            seen.add(cls)
            explorer.scroll_into_view_if_needed()
            explorer.evaluate("e => window.__bench.watch(e)")
            controls = explorer.evaluate(CONTROLS_SCRIPT)
            counters = {}
            for spec in controls:
                kind = spec["kind"]
                index = counters.get(kind, 0)
                counters[kind] = index + 1
                row = {"notebook": name[:2], "explorer": cls, "control": f"{kind} '{spec['label']}'",
                       "load_average": load}
                if spec["disabled"]:
                    rows.append(dict(row, note="disabled at this setting"))
                    continue
                control = explorer.locator(SELECTORS[kind]).nth(index)
                control.scroll_into_view_if_needed()
                wait_quiet(page)
                since = len(python_times(client, cls, 0))
                results = moves_of(page, control, kind, moves)
                times = [r for r in results if r is not None]
                misses = len(results) - len(times)
                python = [ms for _, ms in python_times(client, cls, since)][:moves]
                if times:
                    row.update(settled=statistics.median(last for _, last in times),
                               settled_worst=max(last for _, last in times),
                               median=statistics.median(t for t, _ in times), worst=max(t for t, _ in times))
                if python:
                    row["python"] = statistics.median(python)
                if misses:
                    row["note"] = f"{misses} of {moves} moves changed no view"
                rows.append(row)
                print(format_row(row), flush=True)
        client.stop_channels()
    finally:
        page.close()
        lab.shut_down_kernels()
    return rows


def verdict(row):
    if "settled" not in row:
        return "-"
    return "ok" if row["settled"] <= SETTLED_TARGET_MS else "SLOW"


def format_row(row):
    def ms(key):
        return f"{row[key]:7.0f}" if key in row else "      -"
    return (f"{row['notebook']}  {row['explorer']:<22} {row['control'][:34]:<34} {ms('settled')} "
            f"{ms('settled_worst')} {ms('median')} {ms('worst')} {ms('python')}   {verdict(row):<4} "
            f"{row.get('note', '')}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", help="comma-separated prefixes, e.g. 01,02 (default: all with explorers)")
    parser.add_argument("--explorers", help="comma-separated class names, e.g. Conv2dStepper (default: all)")
    # 15 moves per control: with 5 to 7, the median of unchanged code moved by up to 50 ms from run to run.
    parser.add_argument("--moves", type=int, default=15)
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--windowing", default=None,
                        help="JupyterLab's notebook windowing mode (default: JupyterLab's own default, "
                             "'contentVisibility' in 4.6, what a student gets; 'none' lays out and paints every cell)")
    args = parser.parse_args()
    if CHROMIUM is None:
        sys.exit("Chromium not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    names = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    with_explorers = [n for n in names
                      if "application/vnd.jupyter.widget-view+json" in (ROOT / "notebooks" / n).read_text()]
    if args.notebooks:
        wanted = args.notebooks.split(",")
        with_explorers = [n for n in with_explorers if n[:2] in wanted]
    header = (f"nb  {'explorer':<22} {'control':<34} {'settled':>7} {'worst':>7} {'first':>7} {'worst':>7} "
              f"{'python':>7}\n"
              f"settled median/worst: input event -> the frame showing the views' last change, new pictures "
              f"decoded, then {QUIET_MS} ms quiet (target: median <= {SETTLED_TARGET_MS:.0f} ms); first "
              "median/worst: input event -> first change of a view; python: median update() time in the kernel")
    print(header, flush=True)
    lab = Lab(windowing=args.windowing)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for name in with_explorers:
                    rows += bench_notebook(lab, browser, name, args.moves,
                                           args.explorers.split(",") if args.explorers else None)
            finally:
                browser.close()
    finally:
        lab.close()
    print("\n" + header)
    for row in rows:
        print(format_row(row))
    slow = [row for row in rows if verdict(row) == "SLOW"]
    print(f"\n{len(rows)} controls, {len(slow)} over target; load average now "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
