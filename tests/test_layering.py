"""The layering core <- plots <- widgets, read from the source with ``ast`` (nothing is imported).

* plots and widgets use only the core's public names: no ``from cnnlib.conv import _x`` and no
  ``conv._x`` on a core module they imported;
* a topic module (one figure or widget subject) does not borrow helpers from another topic module;
  what several topics share lives in a shared helper module (``plots/__init__.py``, a module
  whose name starts with an underscore, or one named ``render``/``html``);
  a widget may use the plots module that draws its own subject (WIDGET_PLOTS below);
* the core never imports plots or widgets.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cnnlib"
DRAWING = ("plots", "widgets")
SHARED = {"__init__", "render", "html", "_base"}
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


def is_shared(stem):
    return stem in SHARED or stem.startswith("_")


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


def imports(path):
    """(line, target module, imported names) for every import in the file; for ``from P import m``
    where P.m is a module, the target is P.m."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    importer = module_name(path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, [], alias.asname or alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = resolve(node, importer, path.name == "__init__.py")
            for alias in node.names:
                found.append((node.lineno, target, [alias.name], alias.asname or alias.name))
    return tree, found


def is_module(dotted):
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def drawing_files():
    return sorted(p for folder in DRAWING for p in (PACKAGE / folder).glob("*.py"))


def core_files():
    return sorted(p for p in PACKAGE.rglob("*.py") if is_core(module_name(p)) and "answers" not in p.parts)


def label(path):
    return str(path.relative_to(PACKAGE.parent))


@pytest.mark.parametrize("path", drawing_files(), ids=label)
def test_drawing_modules_use_only_public_core_names(path):
    tree, found = imports(path)
    problems, core_aliases = [], {}
    for line, target, names, bound in found:
        if not target.startswith("cnnlib"):
            continue
        for name in names:
            full = f"{target}.{name}"
            if is_module(full):
                if is_core(full):
                    core_aliases[bound] = full
            elif is_core(target) and is_private(name):
                problems.append(f"line {line}: imports private {name} from {target}")
        if not names and is_core(target):
            core_aliases[bound.split(".")[0]] = target
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in core_aliases and is_private(node.attr)):
            problems.append(f"line {node.lineno}: uses private {core_aliases[node.value.id]}.{node.attr}")
    assert not problems, (f"{label(path)} reaches into the core's private names; make what it needs a "
                          f"documented public function of the core module instead:\n  " + "\n  ".join(problems))


def allowed_topics(package, stem):
    """The drawing topic modules (as 'plots.x' / 'widgets.x') a topic module may import from."""
    if package == "plots":
        return set()
    return {f"plots.{t}" for t in WIDGET_PLOTS.get(stem, {stem})}


@pytest.mark.parametrize("path", [p for p in drawing_files() if not is_shared(p.stem)], ids=label)
def test_topic_modules_do_not_borrow_from_other_topics(path):
    package = path.parent.name
    allowed = allowed_topics(package, path.stem)
    _, found = imports(path)
    problems = []
    for line, target, names, _ in found:
        candidates = [f"{target}.{n}" for n in names if is_module(f"{target}.{n}")] or [target]
        for module in candidates:
            parts = module.split(".")
            if len(parts) < 3 or parts[0] != "cnnlib" or parts[1] not in DRAWING:
                continue
            if package == "plots" and parts[1] == "widgets":
                problems.append(f"line {line}: plots must not import widgets ({module})")
            elif not is_shared(parts[2]) and f"{parts[1]}.{parts[2]}" != f"{package}.{path.stem}" \
                    and f"{parts[1]}.{parts[2]}" not in allowed:
                problems.append(f"line {line}: imports {', '.join(names) or module} from topic module {module}")
    assert not problems, (f"{label(path)} borrows helpers from another topic module; move what is shared "
                          f"to the core or to a shared helper module:\n  " + "\n  ".join(problems))


@pytest.mark.parametrize("path", core_files(), ids=label)
def test_core_never_imports_plots_or_widgets(path):
    _, found = imports(path)
    problems = []
    for line, target, names, _ in found:
        for module in [target] + [f"{target}.{n}" for n in names]:
            parts = module.split(".")
            if parts[0] == "cnnlib" and len(parts) > 1 and parts[1] in DRAWING:
                problems.append(f"line {line}: imports {module}")
                break
    assert not problems, f"{label(path)} is core and must not depend on drawing code:\n  " + "\n  ".join(problems)
