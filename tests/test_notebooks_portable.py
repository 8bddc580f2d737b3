"""Notebook validation that passes on any machine, not only on the one that stored the outputs.

Two things make that true, and both are tested here against nbval itself (not our reading of it):

1. A cell whose output legitimately changes (a widget, a progress bar, float32 training figures) is
   marked the way nbval reads it: the ``nbval-ignore-output`` cell tag. A marker comment counts only
   when the comment is exactly ``# NBVAL_IGNORE_OUTPUT``; "``# NBVAL_IGNORE_OUTPUT: reason``" is
   silently *not* a marker, which is how stored outputs came to be compared digit by digit.
2. Every compared output is the same on every CPU. numpy's OpenBLAS picks its kernels by CPU, and
   those kernels round float32 differently; ``OPENBLAS_CORETYPE`` forces other kernels on this
   machine. ``make test`` runs its main session (nbval over every notebook) under Prescott, the
   oldest x86 set, while the stored outputs come from a machine's default (AVX2/FMA) kernels and
   the browser test runs the series under this machine's default kernels: each kernel set executes
   the series once. Run without ``OPENBLAS_CORETYPE``, the test below re-runs nbval under Prescott
   in the background itself.
"""
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import background
from background import NBVAL, OTHER_KERNEL

from cnnlib import series

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = background.notebooks()                      # the manifest's, cnnlib/series.py


def _nbval(paths, env=None, cwd=ROOT):
    """Run nbval (as ``make test`` does) on ``paths``; returns the finished process."""
    full_env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    return subprocess.run(NBVAL + [str(p) for p in paths], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=600)


def _changing_cell_notebook(path, source_lines, tags=()):
    """A two-cell notebook whose second cell prints a fresh random number on every run."""
    setup = nbformat.v4.new_code_cell("import secrets", execution_count=1)
    cell = nbformat.v4.new_code_cell("\n".join(source_lines), execution_count=2,
                                     outputs=[nbformat.v4.new_output("stream", name="stdout", text="12345\n")])
    if tags:
        cell.metadata["tags"] = list(tags)
    nb = nbformat.v4.new_notebook(cells=[setup, cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_a_changing_output_passes_nbval_only_because_it_is_marked(tmp_path):
    draw = "print(secrets.randbelow(10 ** 9))"
    marked = _changing_cell_notebook(tmp_path / "tagged.ipynb", ["# A random number.", draw],
                                     tags=["nbval-ignore-output"])
    bare_marker = _changing_cell_notebook(tmp_path / "bare.ipynb",
                                          ["# NBVAL_IGNORE_OUTPUT", "# A random number.", draw])
    unmarked = _changing_cell_notebook(tmp_path / "unmarked.ipynb", ["# A random number.", draw])
    with_reason = _changing_cell_notebook(tmp_path / "reason.ipynb", ["# NBVAL_IGNORE_OUTPUT: a random number", draw])
    # One nbval run over the four notebooks (one kernel start-up each is the cost), read per cell.
    run = _nbval([marked, bare_marker, unmarked, with_reason, "--rootdir", tmp_path,
                  "--junitxml", tmp_path / "report.xml"], cwd=tmp_path)
    results = _cell_results(tmp_path / "report.xml", cell="Cell 1")
    assert set(results) == {"tagged", "bare", "unmarked", "reason"}, run.stdout[-2000:]
    assert results["tagged"] == "passed", run.stdout[-2000:]
    assert results["bare"] == "passed", run.stdout[-2000:]
    # Without a marker nbval compares the output and fails: so the two passes above are the marker's doing.
    assert results["unmarked"].startswith("failed") and "Cell outputs differ" in results["unmarked"]
    # The trap that made `make test` fail on other machines: a reason after the marker disables it.
    assert results["reason"].startswith("failed") and "Cell outputs differ" in results["reason"]


def _cell_results(report, cell):
    """notebook stem -> "passed" or "failed: <nbval's message>" for one cell, from a JUnit report."""
    import xml.etree.ElementTree as ElementTree
    results = {}
    for case in ElementTree.parse(report).iter("testcase"):
        if case.get("name") != cell:
            continue
        # JUnit's class name is the notebook's path with dots for slashes: "tagged.ipynb" here.
        stem = case.get("classname").removesuffix(".ipynb").replace("/", ".").rsplit(".", 1)[-1]
        failure = case.find("failure")
        results[stem] = ("passed" if failure is None
                         else "failed: " + (failure.get("message", "") + (failure.text or "")))
    return results


def _without_coretype():
    # The machine's own choice is the one made without OPENBLAS_CORETYPE, even when the whole
    # suite runs under one (as the README's portability check does).
    return {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}


def _openblas_core(env):
    """The kernel set numpy's OpenBLAS uses under ``env`` (asked in a fresh process)."""
    code = ("import ctypes, glob, os, numpy\n"
            "libs = glob.glob(os.path.join(os.path.dirname(numpy.__file__), os.pardir, 'numpy.libs', '*openblas*'))\n"
            "lib = ctypes.CDLL(libs[0])\n"
            "for symbol in ('scipy_openblas_get_corename64_', 'scipy_openblas_get_corename',\n"
            "               'openblas_get_corename'):\n"
            "    try:\n"
            "        f = getattr(lib, symbol)\n"
            "    except AttributeError:\n"
            "        continue\n"
            "    f.restype = ctypes.c_char_p\n"
            "    print(f().decode())\n"
            "    break\n")
    result = subprocess.run([sys.executable, "-c", code], env={**_without_coretype(), **env}, capture_output=True,
                            text=True, timeout=60)
    return result.stdout.strip()


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"),
                    reason=f"OPENBLAS_CORETYPE={OTHER_KERNEL} names x86 kernels; this machine is {platform.machine()}")
@pytest.mark.slow
def test_the_series_passes_nbval_under_another_blas_kernel_set(request):
    default_core, other_core = _openblas_core({}), _openblas_core({"OPENBLAS_CORETYPE": OTHER_KERNEL})
    # The variable must really switch kernels, or this test proves nothing.
    assert other_core and other_core != default_core, (default_core, other_core)
    assert len(NOTEBOOKS) >= 13 and {p.name for p in NOTEBOOKS if background.trains_a_network(p)} >= {
        series.notebook("lenet_training").file, series.notebook("beyond_lenet").file}
    if background.session_runs_under_other_kernel():
        # make test: this session's nbval kernels inherit OPENBLAS_CORETYPE, so its nbval items are
        # the check. Every notebook of the manifest must be among them.
        validated = {item.path.name for item in request.session.items if item.path.suffix == ".ipynb"}
        assert validated >= {p.name for p in NOTEBOOKS}, \
            f"OPENBLAS_CORETYPE={OTHER_KERNEL}, but nbval does not run {sorted({p.name for p in NOTEBOOKS} - validated)}"
        return
    # Run by hand: nbval under the other kernels in the background, from the start of the session.
    returncode, output = background.result(f"nbval-{OTHER_KERNEL}")
    assert returncode == 0, f"nbval fails with OPENBLAS_CORETYPE={OTHER_KERNEL} ({other_core} kernels):\n{output[-4000:]}"
    # Every notebook really ran: nbval names each cell it checks as "<notebook>::Cell <n>".
    ran = set(re.findall(r"PASSED \S*?(\d\d_\w+\.ipynb)::Cell \d+", output))
    assert ran == {p.name for p in NOTEBOOKS}, sorted(ran)
