"""Write a pip constraints file that pins every dependency to its declared lower bound.

    python scripts/oldest_constraints.py OUT.txt

Reads pyproject.toml's [project] dependencies and its "test" extra and writes one line per
package, ``numpy==1.25.2`` for ``numpy>=1.25.2``, so that ``pip install -e ".[test]" -c OUT.txt``
installs the oldest versions the project says it supports (``make test-oldest`` does this).
The bounds are only promises until something installs them and runs the tests. A requirement
without a ``>=`` bound cannot be pinned to one, so it is refused, naming the requirement.
"""
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not the "teacher" extra: nbgrader 0.9.0 needs jupyterlab>=4.0.2, so its lower bound cannot be
# installed beside jupyterlab's (4.0); its tests are skipped where nbgrader is missing.
EXTRAS = ("test",)
# name [extras] >= version [, more clauses] [; marker]: the lower bound is the >= clause.
REQUIREMENT = re.compile(r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(?P<spec>[^;]*)(;.*)?$")


def lower_bound(requirement):
    """``"numpy>=1.24"`` -> ``("numpy", "1.24")``; a requirement with no ``>=`` clause is refused.

    >>> lower_bound("matplotlib >= 3.7, <4")
    ('matplotlib', '3.7')
    """
    match = REQUIREMENT.match(requirement)
    clauses = [c.strip() for c in match.group("spec").split(",")] if match else []
    bounds = [c[2:].strip() for c in clauses if c.startswith(">=")]
    if len(bounds) != 1:
        raise ValueError(f"requirement {requirement!r} must have exactly one lower bound '>=VERSION' "
                         f"to pin it to; found {len(bounds)}")
    return match.group("name"), bounds[0]


def oldest_constraints(pyproject_text):
    """The constraint lines (``name==version``) for the dependencies and the test extra."""
    project = tomllib.loads(pyproject_text)["project"]
    requirements = list(project["dependencies"])
    for extra in EXTRAS:
        requirements += project["optional-dependencies"][extra]
    return [f"{name}=={version}" for name, version in map(lower_bound, requirements)]


def main(argv):
    if len(argv) != 1:
        sys.exit(f"usage: {Path(__file__).name} OUT.txt  (a pip constraints file to write)")
    lines = oldest_constraints((ROOT / "pyproject.toml").read_text())
    Path(argv[0]).write_text("# The declared lower bounds of pyproject.toml, written by "
                             "scripts/oldest_constraints.py\n" + "\n".join(lines) + "\n")
    print(f"{argv[0]}: {', '.join(lines)}")


if __name__ == "__main__":
    main(sys.argv[1:])
