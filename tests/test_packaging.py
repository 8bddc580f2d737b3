"""The set-up files agree with each other: pyproject.toml, environment.yml, README, .ci/run."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement):
    return re.split(r"[<>=!~ ;\[]", requirement.strip(), maxsplit=1)[0].lower()


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment_dependencies(path=ROOT / "environment.yml"):
    """Package names in a conda environment file: the conda list and its pip section."""
    names, in_deps = set(), False
    for line in path.read_text().splitlines():
        stripped = line.split("#")[0].strip()
        if not line.startswith((" ", "-")):
            in_deps = stripped == "dependencies:"
            continue
        if in_deps and stripped.startswith("- ") and stripped not in ("- pip:", "- -e ."):
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
    assert re.search(r"^\s*- pip:\s*\n(\s*(#.*|- \S+)\n)*?\s*- -e \.\s*$", text, re.M)


def test_binder_follows_repo2docker_conventions():
    # repo2docker builds binder/environment.yml before the repository is copied in, so the repo
    # is installed by postBuild, which must stop at the first failing command.
    project = _pyproject()["project"]
    binder_env = ROOT / "binder" / "environment.yml"
    assert "conda-forge" in binder_env.read_text()
    assert re.search(r"^\s*- python=3\.\d+\s*$", binder_env.read_text(), re.M), "repo2docker wants an exact python"
    assert _environment_dependencies(binder_env) == {_name(r) for r in project["dependencies"]} | {"python", "pip"}
    post_build = ROOT / "binder" / "postBuild"
    lines = [line.strip() for line in post_build.read_text().splitlines()]
    assert lines[0].startswith("#!") and "set -e" in " ".join(lines)
    assert any(re.match(r"^(python -m )?pip install .*-e \.$", line) for line in lines)
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"


def test_dependencies_have_lower_bounds_not_pins():
    project = _pyproject()["project"]
    for req in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert ">=" in req and "==" not in req, req


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line.strip() for line in ci.splitlines()
                if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))]
    # The one thing .ci/run may add before it is installing the browser the test command needs;
    # after it, the same tests under the oldest versions pyproject.toml allows (see the Makefile).
    browser_setup = [c for c in commands if "chromium" in c or c == "fi"]
    assert [c for c in commands if c not in browser_setup] == ["make test", "make test-oldest"]
    assert "make test" in readme and "make lab" in readme


def test_readme_examples_print_what_the_readme_says():
    import doctest
    failures, tried = doctest.testfile(str(ROOT / "README.md"), module_relative=False,
                                       optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried >= 3 and failures == 0
