"""The explorer's board: the one browser-side widget that carries all its pictures and texts.

An ipywidgets ``Image`` or ``HTML`` per view sends a message of its own on every update; the
browser then handles each one in turn (a new picture decoded per message, the page laid out
again between them), and a student waits for the last. Here every view is a :class:`PictureView` or
:class:`TextView`: a place in the layout that never changes after it is built. What it shows (the PNG
bytes and alt text of a picture, the HTML of a text) lives on the explorer's :class:`Board`, one
trait per view, so the changes of one update leave in one message and the board's browser code
puts them all in place in one go (one layout, one paint). The board also shows the explorer's
sentence in a live region a screen reader announces, and adds the accessibility ipywidgets 8
leaves out to every control around it.
"""
import secrets

import anywidget
import traitlets

# The board's browser code. Three jobs:
# - the views: each PictureView and TextView draws an empty element marked data-cnnlib-slot="<board key>:<name>"
#   (_SLOT_ESM); the board fills every such element of its explorer from its own traits png_<name>,
#   alt_<name> (a picture) and html_<name> (a text), when the explorer appears and whenever they change;
# - the readout: a live region a screen reader announces when the explorer's sentence changes;
# - the accessibility that ipywidgets 8 leaves out, added to every control of the explorer around it
#   (kept up as views re-render): a name on each slider handle (its description) and the value as
#   text (the readout: a log slider's handle reports the exponent), the Play widget's icon buttons
#   named, toggle buttons that say which one is pressed, and the alt text of any ipywidgets Image
#   from its ``tooltip`` (the title ipywidgets puts on the <img>). Focus rings come from _BOARD_CSS.
_BOARD_ESM = """
const PLAY_NAMES = ["play or pause", "stop and go back to the start", "repeat"];
function set(node, name, value) {
  if (value && node.getAttribute(name) !== value) node.setAttribute(name, value);
}
function patch(root) {
  // ipywidgets writes a missing tooltip as title="null", which a screen reader would read out.
  for (const node of root.querySelectorAll('[title="null"]')) node.removeAttribute("title");
  for (const img of root.querySelectorAll("img[title]")) set(img, "alt", img.getAttribute("title"));
  for (const handle of root.querySelectorAll(".noUi-handle")) {
    const slider = handle.closest(".widget-slider");
    if (!slider) continue;
    const label = slider.querySelector(".widget-label");
    const readout = slider.querySelector(".widget-readout");
    set(handle, "aria-label", label ? label.textContent.trim() : "");
    set(handle, "aria-valuetext", readout ? readout.textContent.trim() : "");
  }
  for (const play of root.querySelectorAll(".widget-play")) {
    play.querySelectorAll("button").forEach((button, k) => {
      const pause = k === 0 && button.querySelector(".fa-pause");
      set(button, "aria-label", pause ? "pause" : k === 0 ? "play" : PLAY_NAMES[k]);
    });
  }
  for (const group of root.querySelectorAll(".widget-toggle-buttons")) {
    const label = group.querySelector(".widget-label");
    const buttons = group.querySelector(".widget-toggle-button-container") || group;
    set(buttons, "role", "group");
    set(buttons, "aria-label", label ? label.textContent.trim() : "");
    for (const button of group.querySelectorAll("button")) {
      set(button, "aria-pressed", button.classList.contains("mod-active") ? "true" : "false");
    }
  }
}
// JupyterLab's notebook shortcuts listen for keys on the whole page: in command mode the arrow keys
// move to another cell (taking the focus away from a drop-down or a slider), and single letters
// insert (a, b) or delete (d d) cells. Keys pressed on a control of the explorer stay there; Tab,
// Escape, Shift+Enter and anything with Ctrl, Alt or Cmd still reach JupyterLab.
const OWN_KEYS = /^(Arrow(Up|Down|Left|Right)|Home|End|PageUp|PageDown|Enter| |.)$/;
function keepKeys(event) {
  const target = event.target;
  if (!(target instanceof Element) || !target.matches("select, input, textarea, button, canvas, [tabindex]")) return;
  if (event.ctrlKey || event.altKey || event.metaKey || (event.shiftKey && event.key === "Enter")) return;
  if (OWN_KEYS.test(event.key)) event.stopPropagation();
}
// One view's content, from the board's traits, into one slot element (only what changed is touched:
// a picture whose bytes are the same object is not decoded again).
function fill(model, node, name, kind) {
  node.cnnlibFilled = true;
  if (kind === "text") {
    const markup = model.get(`html_${name}`) || "";
    if (node.cnnlibHtml !== markup) { node.cnnlibHtml = markup; node.innerHTML = markup; }
    return;
  }
  let img = node.querySelector(":scope > img");
  if (!img) {
    img = document.createElement("img");
    img.className = "cnnlib-picture";
    for (const side of ["width", "height"]) if (node.dataset[side]) img.setAttribute(side, node.dataset[side]);
    node.appendChild(img);
  }
  const bytes = model.get(`png_${name}`);
  if (img.cnnlibBytes !== bytes) {
    img.cnnlibBytes = bytes;
    const old = img.cnnlibUrl;
    img.cnnlibUrl = bytes && bytes.byteLength ? URL.createObjectURL(new Blob([bytes], { type: "image/png" })) : null;
    if (img.cnnlibUrl) img.src = img.cnnlibUrl; else img.removeAttribute("src");
    img.hidden = !img.cnnlibUrl;
    if (old) URL.revokeObjectURL(old);
  }
  const alt = model.get(`alt_${name}`) || "";
  if (img.getAttribute("alt") !== alt) { img.setAttribute("alt", alt); img.setAttribute("title", alt); }
}
function render({ model, el }) {
  const key = model.get("key");
  const kinds = new Map(model.get("slots"));
  const box = document.createElement("div");
  box.className = "cnnlib-readout-text";
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  box.setAttribute("aria-atomic", "true");
  const show = () => { box.textContent = model.get("value"); };
  show();
  model.on("change:value", show);
  el.appendChild(box);
  let root = null, observer = null, timer = null, stopped = false;
  const slotNodes = (name) => root.querySelectorAll(`[data-cnnlib-slot="${key}:${name}"]`);
  const refresh = (name) => { if (root) for (const node of slotNodes(name)) fill(model, node, name, kinds.get(name)); };
  const handlers = [];
  for (const [name, kind] of kinds) {
    const handler = () => refresh(name);
    for (const trait of kind === "text" ? [`html_${name}`] : [`png_${name}`, `alt_${name}`]) {
      model.on(`change:${trait}`, handler);
      handlers.push([`change:${trait}`, handler]);
    }
  }
  // Slots drawn after the board (a view re-rendered by JupyterLab) are filled on the next patch.
  function fillNew() {
    for (const node of root.querySelectorAll(`[data-cnnlib-slot^="${key}:"]`)) {
      if (node.cnnlibFilled) continue;
      const name = node.dataset.cnnlibSlot.slice(key.length + 1);
      if (kinds.has(name)) fill(model, node, name, kinds.get(name));
    }
  }
  function attach(tries) {
    if (stopped) return;
    root = el.closest(".cnnlib-explorer");
    if (!root) {
      if (tries < 200) setTimeout(() => attach(tries + 1), 100);
      return;
    }
    fillNew();
    patch(root);
    if (!root.dataset.cnnlibKeys) {        // once per explorer, however often the board is re-rendered
      root.dataset.cnnlibKeys = "kept";
      root.addEventListener("keydown", keepKeys);
    }
    observer = new MutationObserver(() => {
      if (timer === null) timer = setTimeout(() => { timer = null; fillNew(); patch(root); }, 0);
    });
    observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ["title", "class", "aria-valuenow"] });
  }
  attach(0);
  return () => {
    stopped = true;
    model.off("change:value", show);
    for (const [event, handler] of handlers) model.off(event, handler);
    if (observer) observer.disconnect();
  };
}
export default { render };
"""

# A view's place in the layout: an empty element the board fills (see _BOARD_ESM).
_SLOT_ESM = """
function render({ model, el }) {
  el.dataset.cnnlibSlot = model.get("slot");
  el.classList.add("cnnlib-slot");
  for (const side of ["width", "height"]) if (model.get(side)) el.dataset[side] = model.get(side);
}
export default { render };
"""

# A focus ring on every control of an explorer (some JupyterLab and ipywidgets styles remove or thin
# it), in the palette's blue, which keeps 3:1 against both the light and the dark theme; the
# readout's text in the theme's own colour; the error red and note brown lightened in a dark theme.
_BOARD_CSS = """
.cnnlib-explorer :is(button, input, select, textarea, canvas, [tabindex]):focus-visible,
.cnnlib-explorer .noUi-handle:focus {
  outline: 3px solid #0072B2 !important;
  outline-offset: 2px !important;
}
.cnnlib-readout-text {
  font-size: 15px;
  line-height: 1.4;
  color: var(--jp-ui-font-color1, #000);
  max-width: 900px;
  margin: 4px 0;
}
/* A text view reads like the HTML widget it replaces: the theme's font and colour. */
.cnnlib-slot {
  color: var(--jp-widgets-color, var(--jp-ui-font-color1, #000));
  font-family: var(--jp-ui-font-family, sans-serif);
  font-size: var(--jp-widgets-font-size, 13px);
  line-height: 1.4;
}
.cnnlib-picture { display: block; max-width: 100%; height: auto; }
/* JupyterLab's dark theme: the series' dark error red, note brown and "right" green are lightened
   wherever they colour text on the page's own (transparent) background; cells with a background of
   their own keep them. */
body[data-jp-theme-light="false"] .cnnlib-explorer [style*="#b00020"]:not([style*="background"]) {
  color: #ff8a80 !important;
}
body[data-jp-theme-light="false"] .cnnlib-explorer [style*="#8a4b00"]:not([style*="background"]) {
  color: #ffcc80 !important;
}
body[data-jp-theme-light="false"] .cnnlib-explorer [style*="#1b6e20"]:not([style*="background"]) {
  color: #a5d6a7 !important;
}
"""


class Board(anywidget.AnyWidget):
    """The explorer's one browser-side widget (see the module docstring).

    ``value``: the explorer's sentence, announced by a screen reader when it changes. For every
    view bound with :meth:`bind`: ``png_<name>`` and ``alt_<name>`` (a :class:`PictureView`) or
    ``html_<name>`` (a :class:`TextView`), traits added to this board alone.

    >>> board, picture = Board(), PictureView()
    >>> board.bind({"plot": picture})
    >>> picture.value, picture.tooltip = b"PNG bytes", "A plot."
    >>> board.png_plot, board.alt_plot, board.slots
    (b'PNG bytes', 'A plot.', [['plot', 'picture']])
    """

    _esm = _BOARD_ESM
    _css = _BOARD_CSS
    value = traitlets.Unicode("").tag(sync=True)
    key = traitlets.Unicode("").tag(sync=True)
    slots = traitlets.List().tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(key=secrets.token_hex(4), **kwargs)

    def bind(self, views):
        """Carry the content of every :class:`PictureView` and :class:`TextView` in ``views`` (name -> widget;
        other widgets are left alone). Call once, before the explorer is shown."""
        if self.slots:
            raise RuntimeError("Board.bind() was already called; an explorer binds its views once")
        traits, slots = {}, []
        for name, view in views.items():
            if not isinstance(view, _Slot):
                continue
            if not name.isidentifier():
                raise ValueError(f"view name {name!r} must be a Python identifier (it names the board's traits)")
            for trait, value in view._contents().items():
                kind = traitlets.Bytes if isinstance(value, bytes) else traitlets.Unicode
                traits[f"{trait}_{name}"] = kind(value).tag(sync=True)
            slots.append([name, view.kind])
            view._attach(self, name)
        with self.hold_sync():
            self.add_traits(**traits)
            self.slots = slots


class _Slot(anywidget.AnyWidget):
    """A view's place in the explorer's layout; what it shows is sent by the explorer's board."""

    _esm = _SLOT_ESM
    slot = traitlets.Unicode("").tag(sync=True)
    kind = ""
    carried = {}                        # this view's trait -> the prefix of the board's trait that carries it
    _board, _name = None, None          # set by Board.bind

    def _attach(self, board, name):
        self._board, self._name = board, name
        self.slot = f"{board.key}:{name}"
        self.observe(self._to_board, names=list(self.carried))

    def _contents(self):
        """{board trait prefix: what the board sends} for every carried trait."""
        return {prefix: _sendable(getattr(self, trait)) for trait, prefix in self.carried.items()}

    def _to_board(self, change):
        setattr(self._board, f"{self.carried[change['name']]}_{self._name}", _sendable(change["new"]))


def _sendable(value):
    """A carried value as the board's trait holds it: bytes as bytes (a memoryview too), None as ''."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return "" if value is None else value


class PictureView(_Slot):
    """Stands where an ``ipywidgets.Image(format="png")`` would: ``value`` holds the PNG bytes and
    ``tooltip`` the alt text (also the picture's title), both sent by the explorer's board;
    ``width`` and ``height`` fix the size it is drawn at, as an Image's do."""

    kind = "picture"
    carried = {"value": "png", "tooltip": "alt"}
    value = traitlets.Bytes(b"")                        # not synced here: the board sends it
    tooltip = traitlets.Unicode(None, allow_none=True)
    width = traitlets.Unicode("").tag(sync=True)        # as an Image's: the <img>'s size in pixels ("168"),
    height = traitlets.Unicode("").tag(sync=True)       # the PNG scaled to it; '' keeps its own size


class TextView(_Slot):
    """Stands where an ``ipywidgets.HTML`` would: ``value`` holds the HTML, sent by the explorer's board."""

    kind = "text"
    carried = {"value": "html"}
    value = traitlets.Unicode("")                       # not synced here: the board sends it

    def __init__(self, value="", **kwargs):
        super().__init__(value=value, **kwargs)
