"""The set-up files agree with each other: pyproject.toml, environment.yml, README, .ci/run."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement):
    return re.split(r"[<>=!~ ;\[]", requirement.strip(), maxsplit=1)[0].lower()


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment_dependencies():
    names, in_deps, in_pip = set(), False, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.strip()
        if not line.startswith((" ", "-")):
            in_deps = stripped == "dependencies:"
            continue
        if not in_deps:
            continue
        if stripped.startswith("- pip:"):
            in_pip = True
            continue
        if in_pip:
            continue
        if stripped.startswith("- "):
            names.add(_name(stripped[2:]))
    return names


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = _pyproject()["project"]
    wanted = {_name(r) for r in project["dependencies"]} | {_name(r) for r in project["optional-dependencies"]["test"]}
    assert wanted <= _environment_dependencies(), wanted - _environment_dependencies()
    assert _environment_dependencies() - wanted <= {"python", "pip"}


def test_environment_yml_uses_conda_forge_and_installs_the_repo():
    text = (ROOT / "environment.yml").read_text()
    assert "conda-forge" in text
    assert re.search(r"^\s*- pip:\s*\n\s*- -e \.", text, re.M) or "postBuild" in {p.name for p in ROOT.glob("binder/*")}


def test_dependencies_have_lower_bounds_not_pins():
    project = _pyproject()["project"]
    for req in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert ">=" in req and "==" not in req, req


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line.strip() for line in ci.splitlines()
                if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))]
    # The one thing .ci/run may add is installing the browser the test command needs.
    browser_setup = [c for c in commands if "chromium" in c or c == "fi"]
    assert [c for c in commands if c not in browser_setup] == ["make test"]
    assert commands[-1] == "make test"
    assert "make test" in readme and "make lab" in readme


def test_readme_examples_print_what_the_readme_says():
    import doctest
    failures, tried = doctest.testfile(str(ROOT / "README.md"), module_relative=False,
                                       optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried >= 3 and failures == 0
