"""The layering core <- plots <- widgets, read from the source with ``ast`` (nothing is imported).

* plots and widgets use only the core's public names: no ``from cnnlib.conv import _x``, no
  ``conv._x`` on a core module they imported, and nothing from a core module whose name starts
  with an underscore, except ``cnnlib._checks`` (see PRIVATE_CORE_ALLOWED for why);
* widgets take from plots only what draws: constants (UPPER_CASE names: colours, styles, the example
  arrays a figure and its explorer share) and functions or classes that draw, i.e. use matplotlib
  or the plots package's drawing helpers. Computation lives in the core and is imported from there;
* a topic module (one figure or widget subject) does not borrow helpers from another topic module;
  what several topics share lives in a shared helper module (a package's ``__init__`` or a module
  whose name starts with an underscore), which is checked too: it imports no topic module.
  A widget may use the plots module that draws its own subject (WIDGET_PLOTS below);
* the core never imports plots or widgets.

Every checker takes a module's source text, so the last tests can show that each one rejects a
violation written on purpose.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cnnlib"
DRAWING = ("plots", "widgets")
# The one private core module drawing code may import: the argument checks (as_positive_int,
# as_float_array, ...) that give every error of cnnlib the same wording. They are plumbing, not
# course material, so they stay out of the public API a student reads, but a widget or figure that
# checks its own arguments must say it the way the core does.
PRIVATE_CORE_ALLOWED = {"cnnlib._checks"}
# The plots module(s) that draw each widget's subject; a widget absent here may use its namesake.
WIDGET_PLOTS = {
    "drawing": {"training"},          # notebook 10: draw a digit for the trained LeNet-5
    "entropy": {"losses"},
    "gradient_flow": {"backprop"},
    "kernel_playground": {"conv2d"},
    "output_size": {"shapes"},
    "stepper": {"conv2d"},
    "volume": {"volumes"},
}
# Parameters that mark a function as drawing on something it is handed.
CANVAS_PARAMETERS = {"ax", "axes", "fig", "figure", "canvas"}


def is_shared(stem):
    return stem == "__init__" or stem.startswith("_")


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(node, importer, is_package):
    """The absolute module an ``ImportFrom`` reads from."""
    if node.level == 0:
        return node.module
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def is_core(module):
    parts = module.split(".")
    return parts[0] == "cnnlib" and (len(parts) == 1 or parts[1] not in DRAWING)


def is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_private_module(module):
    return any(is_private(part) for part in module.split("."))


def imports(source, importer, is_package):
    """The parsed tree and (line, target module, imported names, bound name) for every import; for
    ``from P import m`` where P.m is a module, :func:`is_module` tells the callers so."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, [], alias.asname or alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = resolve(node, importer, is_package)
            for alias in node.names:
                found.append((node.lineno, target, [alias.name], alias.asname or alias.name))
    return tree, found


def is_module(dotted):
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def read_module(dotted):
    """(source, is_package) of a cnnlib module, or None if there is no such file."""
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    for candidate, package in ((path / "__init__.py", True), (path.with_suffix(".py"), False)):
        if candidate.exists():
            return candidate.read_text(encoding="utf-8"), package
    return None


# --- the checkers --------------------------------------------------------------------------------


def private_core_uses(source, importer, is_package):
    """Problems: private names or private modules of the core that a drawing module reaches."""
    tree, found = imports(source, importer, is_package)
    problems, core_aliases = [], {}
    for line, target, names, bound in found:
        if not target.startswith("cnnlib"):
            continue
        if is_core(target) and is_private_module(target) and target not in PRIVATE_CORE_ALLOWED:
            problems.append(f"line {line}: imports from the private module {target}")
            continue
        for name in names:
            full = f"{target}.{name}"
            if is_module(full):
                if is_core(full) and is_private_module(full) and full not in PRIVATE_CORE_ALLOWED:
                    problems.append(f"line {line}: imports the private module {full}")
                elif is_core(full):
                    core_aliases[bound] = full
            elif is_core(target) and is_private(name):
                problems.append(f"line {line}: imports private {name} from {target}")
        if not names and is_core(target):
            core_aliases[bound.split(".")[0]] = target
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in core_aliases and is_private(node.attr)):
            problems.append(f"line {node.lineno}: uses private {core_aliases[node.value.id]}.{node.attr}")
    return problems


def allowed_topics(importer):
    """The drawing topic modules (as 'plots.x') a module may import from: none for plots and for
    shared helpers, the plots module(s) of its own subject for a widget."""
    package, stem = importer.split(".")[1], importer.split(".")[-1]
    if package == "plots" or importer == f"cnnlib.{package}" or is_shared(stem):
        return set()
    return {f"plots.{t}" for t in WIDGET_PLOTS.get(stem, {stem})}


def borrowed_topics(source, importer, is_package):
    """Problems: topic modules of plots/widgets that another drawing module imports from."""
    package = importer.split(".")[1]
    own = ".".join(importer.split(".")[1:3])
    allowed = allowed_topics(importer)
    _, found = imports(source, importer, is_package)
    problems = []
    for line, target, names, _ in found:
        candidates = [f"{target}.{n}" for n in names if is_module(f"{target}.{n}")] or [target]
        for module in candidates:
            parts = module.split(".")
            if len(parts) < 3 or parts[0] != "cnnlib" or parts[1] not in DRAWING:
                continue
            if package == "plots" and parts[1] == "widgets":
                problems.append(f"line {line}: plots must not import widgets ({module})")
            elif not is_shared(parts[2]) and f"{parts[1]}.{parts[2]}" not in allowed | {own}:
                problems.append(f"line {line}: imports {', '.join(names) or module} from topic module {module}")
    return problems


def drawing_names(source, module, is_package):
    """The names a plots module offers that draw or style: its UPPER_CASE constants, and the
    functions and classes that use matplotlib, the plots package's helpers, a canvas they are
    handed (CANVAS_PARAMETERS) or another of these names. Also the names it imports from the core
    (re-exports, which callers should take from their home)."""
    tree, found = imports(source, module, is_package)
    drawing, from_core = set(), set()
    for _, target, names, bound in found:
        if target.split(".")[0] == "matplotlib" or target == "cnnlib.plots":
            drawing.add(bound.split(".")[0])
        elif is_core(target) and names:
            from_core.add(bound)
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            drawing |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and n.id.isupper()}
    definitions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    changed = True
    while changed:                 # a function that calls a drawing function draws too
        changed = False
        for node in definitions:
            if node.name in drawing:
                continue
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            parameters = {a.arg for a in ast.walk(node) if isinstance(a, ast.arg)}
            if used & drawing or parameters & CANVAS_PARAMETERS:
                drawing.add(node.name)
                changed = True
    return drawing, from_core


def computation_from_plots(source, importer, is_package, read=read_module):
    """Problems: names a widget imports from plots that compute rather than draw."""
    _, found = imports(source, importer, is_package)
    problems = []
    for line, target, names, _ in found:
        if not (target == "cnnlib.plots" or target.startswith("cnnlib.plots.")):
            continue
        plots_module = read(target)
        if plots_module is None:
            continue
        plots_source, plots_is_package = plots_module
        drawing, from_core = drawing_names(plots_source, target, plots_is_package)
        for name in names:
            if is_module(f"{target}.{name}"):
                continue
            if name in from_core:
                problems.append(f"line {line}: imports {name} from {target}, which only passes it on; "
                                f"import it from the core module that defines it")
            elif name not in drawing:
                problems.append(f"line {line}: imports {name} from {target}, which computes rather than "
                                f"draws; move it to the core module it belongs to and import it from there")
    return problems


def core_drawing_imports(source, importer, is_package):
    """Problems: plots or widgets modules that a core module imports."""
    _, found = imports(source, importer, is_package)
    problems = []
    for line, target, names, _ in found:
        for module in [target] + [f"{target}.{n}" for n in names]:
            parts = module.split(".")
            if parts[0] == "cnnlib" and len(parts) > 1 and parts[1] in DRAWING:
                problems.append(f"line {line}: imports {module}")
                break
    return problems


# --- the package, checked ------------------------------------------------------------------------


def drawing_files():
    return sorted(p for folder in DRAWING for p in (PACKAGE / folder).glob("*.py"))


def core_files():
    return sorted(p for p in PACKAGE.rglob("*.py") if is_core(module_name(p)) and "answers" not in p.parts)


def label(path):
    return str(path.relative_to(PACKAGE.parent))


def check(checker, path):
    return checker(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


@pytest.mark.parametrize("path", drawing_files(), ids=label)
def test_drawing_modules_use_only_public_core_names(path):
    problems = check(private_core_uses, path)
    assert not problems, (f"{label(path)} reaches into the core's private names; make what it needs a "
                          f"documented public function of the core module instead:\n  " + "\n  ".join(problems))


@pytest.mark.parametrize("path", [p for p in drawing_files() if p.parent.name == "widgets"], ids=label)
def test_widgets_take_only_drawing_and_constants_from_plots(path):
    problems = check(computation_from_plots, path)
    assert not problems, f"{label(path)} takes computation from plots:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", drawing_files(), ids=label)
def test_topic_modules_do_not_borrow_from_other_topics(path):
    problems = check(borrowed_topics, path)
    assert not problems, (f"{label(path)} borrows helpers from another topic module; move what is shared "
                          f"to the core or to a shared helper module:\n  " + "\n  ".join(problems))


@pytest.mark.parametrize("path", core_files(), ids=label)
def test_core_never_imports_plots_or_widgets(path):
    problems = check(core_drawing_imports, path)
    assert not problems, f"{label(path)} is core and must not depend on drawing code:\n  " + "\n  ".join(problems)


# --- the checkers reject what they should ---------------------------------------------------------

FAKE_PLOTS = '''
import numpy as np
from matplotlib.patches import Rectangle
from ..render import array_to_png

COLOUR = "tab:orange"


def count_peaks(x):
    return int(np.sum(np.asarray(x) > 0))


def outline(ax, cell):
    ax.add_patch(Rectangle(cell, 1, 1, edgecolor=COLOUR))


def outlined_figure(cells):
    for cell in cells:
        outline(None, cell)
'''


def read_fake(dotted):
    return (FAKE_PLOTS, False) if dotted == "cnnlib.plots.fake" else read_module(dotted)


@pytest.mark.parametrize("checker, importer, source, wanted", [
    (private_core_uses, "cnnlib.widgets.fake", "from ..conv import _prepare\n",
     ["line 1: imports private _prepare from cnnlib.conv"]),
    (private_core_uses, "cnnlib.widgets.fake", "from .. import conv\nconv._prepare(1)\n",
     ["line 2: uses private cnnlib.conv._prepare"]),
    (private_core_uses, "cnnlib.plots.fake", "from ..answers._hidden import key\n",
     ["line 1: imports from the private module cnnlib.answers._hidden"]),
    (private_core_uses, "cnnlib.plots.fake", "from .._checks import as_rng\n", []),
    (borrowed_topics, "cnnlib.widgets.volume", "from ..plots.pooling import POOLS\n",
     ["line 1: imports POOLS from topic module cnnlib.plots.pooling"]),
    (borrowed_topics, "cnnlib.widgets._html", "from ..plots.volumes import CHANNEL_NAMES\n",
     ["line 1: imports CHANNEL_NAMES from topic module cnnlib.plots.volumes"]),
    (borrowed_topics, "cnnlib.plots.fake", "from ..widgets import pooling\n",
     ["line 1: plots must not import widgets (cnnlib.widgets.pooling)"]),
    (borrowed_topics, "cnnlib.widgets.volume", "from ..plots.volumes import CHANNEL_NAMES\n", []),
    (core_drawing_imports, "cnnlib.conv", "from .plots import number_grid\n", ["line 1: imports cnnlib.plots"]),
])
def test_each_checker_rejects_a_violation(checker, importer, source, wanted):
    assert checker(source, importer, False) == wanted


def test_widgets_may_take_constants_and_drawing_but_not_computation_from_plots():
    source = "from ..plots.fake import COLOUR, count_peaks, outline, outlined_figure, array_to_png\n"
    problems = computation_from_plots(source, "cnnlib.widgets.fake", False, read=read_fake)
    assert len(problems) == 2
    assert problems[0].startswith("line 1: imports count_peaks from cnnlib.plots.fake, which computes")
    assert problems[1].startswith("line 1: imports array_to_png from cnnlib.plots.fake, which only passes it on")
