"""The series' manifest, cnnlib/series.py: the notebooks, their answer tables, and adding one.

Every tool that lists the notebooks reads the manifest, so adding a notebook is its file and one
manifest entry (plus its answer table when it asks number questions): the last test adds a
notebook 13 to a copy of the repository and sees the navigation builder, the structure tests and
the answer tests take it in.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cnnlib import series
from cnnlib.exercises import answer_table, check_answer

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
# check_answer("<first argument>", "<key>": the first argument is the notebook's slug.
CALL = re.compile(r"""\bcheck_answer\(\s*(["'])(\w+)\1\s*,\s*(["'])(\w+)\3""")


def test_the_manifest_lists_the_notebooks_folder_exactly():
    assert series.problems(NOTEBOOK_DIR) == []
    assert [e.number for e in series.SERIES] == [f"{i:02d}" for i in range(len(series.SERIES))]


def test_the_manifest_check_names_what_does_not_match(tmp_path):
    (tmp_path / "00_index.ipynb").write_text("{}")
    (tmp_path / "02_extra.ipynb").write_text("{}")
    entries = [series.Notebook("00", "index", "Contents", "-"), series.Notebook("02", "Bad-Slug", "B", "-"),
               series.Notebook("03", "index", "C", "-")]
    found = series.problems(tmp_path, entries)
    assert any("must run 00, 01, ... in order" in line for line in found)
    assert "slug 'index' is listed 2 times" in found
    assert "slug 'Bad-Slug' is not lower-case letters, digits and _" in found
    assert "02_Bad-Slug.ipynb: listed in cnnlib/series.py but absent from the folder" in found
    assert "02_extra.ipynb: not listed in cnnlib/series.py (add one entry to SERIES)" in found


def test_an_entry_knows_its_file_and_heading():
    entry = series.notebook("nonlinearities_and_pooling")
    assert (entry.number, entry.stem, entry.file) == ("06", "06_nonlinearities_and_pooling",
                                                       "06_nonlinearities_and_pooling.ipynb")
    assert entry.heading == "06 · Non-linearities and pooling"
    assert series.notebook("index").heading == "CNNs from the Ground Up"
    with pytest.raises(KeyError, match="no notebook 'pooling'.*nonlinearities_and_pooling"):
        series.notebook("pooling")


# The answer tables behind check_answer, one per notebook: cnnlib/answers/<slug>.py.

@pytest.mark.parametrize("entry", series.SERIES, ids=lambda e: e.stem)
def test_every_answer_table_evaluates_and_checks_itself(entry, capsys):
    table = answer_table(entry.slug)
    assert table
    for key, (expected, hint) in table.items():
        value = expected()
        assert value is not None and np.all(np.isfinite(np.asarray(value, dtype=float))), key
        assert isinstance(hint, (str, dict)) and (hint if isinstance(hint, str) else hint["hint"]), key
        assert check_answer(entry.slug, key, None) is False
        assert check_answer(entry.slug, key, value) is True, key
    assert capsys.readouterr().out.count("Correct!") == len(table)


@pytest.mark.parametrize("entry", series.SERIES, ids=lambda e: e.stem)
def test_every_check_answer_call_names_its_notebook_and_a_key_of_its_table(entry):
    sources = [c.source for c in nbformat.read(NOTEBOOK_DIR / entry.file, as_version=4).cells
               if c.cell_type == "code"]
    calls = [(m.group(2), m.group(4)) for s in sources for m in CALL.finditer(s)]
    assert len(calls) == sum(s.count("check_answer(") for s in sources), "a check_answer call not of the form above"
    assert {name for name, _ in calls} <= {entry.slug}, calls
    if calls:                                              # no key unused, none missing
        assert {key for _, key in calls} == set(answer_table(entry.slug))


def test_check_answer_takes_a_slug_and_names_what_exists(capsys):
    assert check_answer("index", "example", 114) is True
    assert capsys.readouterr().out == "Correct!\n"
    with pytest.raises(KeyError, match="no notebook 'convolution'.*'convolution_2d'"):
        check_answer("convolution", "corner", 1)
    with pytest.raises(KeyError, match="has no exercise 'kernel_114'.*'corner'"):
        check_answer("convolution_2d", "kernel_114", 114)
    with pytest.raises(TypeError, match="notebook must be a notebook's slug"):
        check_answer(2, "corner", 1)


# Rewriting the notebooks' check_answer("06", ...) calls to slugs (scripts/rename_answer_keys.py).

def _rename_script():
    import background
    return background.load_script("scripts/rename_answer_keys.py")


def test_the_rename_script_rewrites_only_the_first_argument_and_is_idempotent(tmp_path):
    script = _rename_script()
    source = ('check_answer("06", "dropout_scale", my_scale)   # check_answer("06" in a comment too\n'
              "check_answer( '01', 'n_outputs', x)\ncheck(\"06\", 1)\ncheck_answer(notebook, \"06\", 1)\n")
    renamed, count = script.rename_source(source)
    assert count == 3
    assert renamed == ('check_answer("nonlinearities_and_pooling", "dropout_scale", my_scale)   '
                       '# check_answer("nonlinearities_and_pooling" in a comment too\n'
                       "check_answer( 'convolution_1d', 'n_outputs', x)\ncheck(\"06\", 1)\n"
                       "check_answer(notebook, \"06\", 1)\n")
    assert script.rename_source(renamed) == (renamed, 0)
    with pytest.raises(ValueError, match="notebook 99"):
        script.rename_source('check_answer("99", "x", 1)')
    # On a copy of a notebook: only the calls' lines change, and a second run writes nothing.
    path = tmp_path / series.notebook("nonlinearities_and_pooling").file
    shutil.copy(NOTEBOOK_DIR / path.name, path)
    before = path.read_text().splitlines()
    numbered = sum('check_answer(\\"06\\"' in line for line in before)
    assert script.rename_notebook(path) == numbered
    after = path.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == numbered
    assert all(b == a.replace('check_answer(\\"06\\"', 'check_answer(\\"nonlinearities_and_pooling\\"')
               for a, b in changed)
    stamp = path.stat().st_mtime_ns
    assert script.rename_notebook(path) == 0 and path.stat().st_mtime_ns == stamp
    assert script.main(["--folder", str(tmp_path), "--check"]) == 0


# Adding a notebook: its file plus one manifest entry.

DUMMY = series.Notebook("13", "dummy_topic", "A dummy topic", "one line about the dummy topic")


def _dummy_notebook():
    cells = [nbformat.v4.new_markdown_cell("# 13 · A dummy topic\n\nAbout 10 minutes. What you will learn: nothing."),
             nbformat.v4.new_markdown_cell("<!-- NAV -->\n"),
             nbformat.v4.new_code_cell('from cnnlib.exercises import check_answer\nmy_three = 3\n'
                                       'check_answer("dummy_topic", "three", my_three)'),
             nbformat.v4.new_markdown_cell("<!-- NAV -->\n")]
    cells[2].execution_count = 1
    cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="Correct!\n")]
    return nbformat.v4.new_notebook(cells=cells)


def _copy_repository(target):
    for folder in ("notebooks", "cnnlib"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "pyproject.toml", "scripts/build_navigation.py", "tests/background.py",
                 "tests/conftest.py", "tests/test_notebooks_structure.py", "tests/test_series.py"):
        (target / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, target / name)


@pytest.mark.slow
def test_adding_a_notebook_is_its_file_and_one_manifest_entry(tmp_path):
    repo = tmp_path / "repo"
    _copy_repository(repo)
    nbformat.write(_dummy_notebook(), repo / "notebooks" / DUMMY.file)
    manifest = repo / "cnnlib" / "series.py"
    text = manifest.read_text()
    entry = f'    Notebook("13", "dummy_topic", "{DUMMY.title}", "{DUMMY.summary}"),\n)\n'
    assert text.count("\n)\n") == 1
    manifest.write_text(text.replace("\n)\n", "\n" + entry, 1))
    (repo / "cnnlib" / "answers" / "dummy_topic.py").write_text(
        'ANSWERS = {"three": (lambda: 3, "one more than two")}\n')
    env = {**os.environ, "PYTHONPATH": str(repo), "OPENBLAS_NUM_THREADS": "1"}

    def run(*command):
        return subprocess.run([sys.executable, *command], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=300)

    # The navigation builder (reading the copy's manifest) writes the new notebook's links and contents;
    # the structure tests below check that nothing is left out of date.
    written = run("scripts/build_navigation.py")
    assert written.returncode == 0, written.stderr
    assert f"{DUMMY.file}: title, navigation or contents out of date" in written.stdout
    index = nbformat.read(repo / "notebooks" / "00_index.ipynb", as_version=4)
    assert any(f"| 13 | [13 · A dummy topic]({DUMMY.file}) | {DUMMY.summary} |" in c.source for c in index.cells)
    before = nbformat.read(repo / "notebooks" / series.SERIES[-1].file, as_version=4)
    assert any(c.source.startswith("<!-- NAV -->") and f"[13 · A dummy topic >]({DUMMY.file})" in c.source
               for c in before.cells)
    assert f"(notebooks/{DUMMY.file})" in (repo / "README.md").read_text()
    # The structure tests and the answer tests run on notebook 13 too, and pass.
    selected = ("13_dummy_topic or test_navigation_and_contents_are_up_to_date"
                " or test_the_notebooks_folder_holds_exactly_the_manifests_notebooks"
                " or test_the_manifest_lists_the_notebooks_folder_exactly")
    result = run("-m", "pytest", "-v", "-p", "no:cacheprovider", "-k", selected,
                 "tests/test_notebooks_structure.py", "tests/test_series.py")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    passed = re.findall(r"^(\S+) PASSED", result.stdout, re.M)
    about_13 = [test for test in passed if "13_dummy_topic" in test]
    assert any("test_stored_outputs_are_complete" in t for t in about_13), result.stdout
    assert any("test_each_notebook_fits_one_class" in t for t in about_13), result.stdout
    assert any("test_every_answer_table_evaluates_and_checks_itself" in t for t in about_13), result.stdout
    assert any("test_every_check_answer_call_names_its_notebook" in t for t in about_13), result.stdout
    assert len(about_13) >= 10, result.stdout
