"""The series asks students to think, not only compute: predict-then-run prompts, explain-why
questions with model answers, concept checks and find-the-bug exercises, counted notebook by notebook.

The markers are the series' own conventions:
- a prediction: a code cell ``name = prediction(question, options)`` and, later, ``name.reveal(...)``;
- an explain-why question: a markdown cell starting ``**Explain.**`` holding a
  ``<details><summary>Model answer</summary>`` block (removed from the student edition);
- a concept check: ``concept_check("<slug>")`` with the notebook's own slug;
- a debugging exercise: a markdown cell starting ``**Debug it.**``, a code cell defining the buggy
  function, and a ``check_function`` call that names the bug (``mistakes=``).
"""
import re
from pathlib import Path

import nbformat
import pytest

from cnnlib.concepts import MIN_QUESTIONS, questions_for

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[1:]       # 01..12
PREDICTION = re.compile(r"^(\w+)\s*=\s*(?:\w+\.)*prediction\(", re.M)
EXPLAIN = "**Explain.**"
MODEL_ANSWER = re.compile(r"<details><summary>Model answer</summary>\s*\S.*?</details>", re.S)
DEBUG = "**Debug it.**"
MIN_PREDICTIONS, MIN_EXPLAIN, MIN_DEBUG_EXERCISES = 2, 2, 6


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _slug(path):
    return path.stem[3:]


WIDGET = "application/vnd.jupyter.widget-view+json"


def predictions(cells):
    """The prediction variables that are created, shown (a stored widget output: a student can pick
    an option) and later revealed."""
    found = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "code" or not any(WIDGET in o.get("data", {}) for o in cell.get("outputs", [])):
            continue
        for name in PREDICTION.findall(cell.source):
            later = "".join(c.source for c in cells[i + 1:] if c.cell_type == "code")
            if re.search(rf"\b{name}\.reveal\(", later):
                found.append(name)
    return found


def explain_questions(cells):
    return [c for c in cells if c.cell_type == "markdown" and c.source.lstrip().startswith(EXPLAIN)]


def debug_exercises(cells):
    """Indices of '**Debug it.**' cells followed, within four cells, by a check_function(..., mistakes=...) call."""
    found = []
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith(DEBUG):
            after = "".join(c.source for c in cells[i + 1:i + 5] if c.cell_type == "code")
            if re.search(r"check_function\([^#]*mistakes\s*=", after, re.S):
                found.append(i)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_asks_for_predictions_before_the_surprises(path):
    found = predictions(_cells(path))
    assert len(found) >= MIN_PREDICTIONS, f"{path.name}: {len(found)} revealed predictions, want {MIN_PREDICTIONS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_asks_why_and_gives_a_model_answer(path):
    questions = explain_questions(_cells(path))
    assert len(questions) >= MIN_EXPLAIN, f"{path.name}: {len(questions)} explain-why questions, want {MIN_EXPLAIN}"
    for cell in questions:
        assert MODEL_ANSWER.search(cell.source), \
            f"{path.name}: an explain-why question without a model answer:\n{cell.source[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_has_its_concept_check(path):
    calls = re.findall(r"concept_check\(\s*[\"'](\w+)[\"']\s*\)", "".join(c.source for c in _cells(path)
                                                                         if c.cell_type == "code"))
    assert calls == [_slug(path)], f"{path.name}: want one concept_check({_slug(path)!r}), found {calls}"
    assert len(questions_for(_slug(path))) >= MIN_QUESTIONS


def test_the_series_has_six_debugging_exercises_each_with_a_check_that_names_the_bug():
    counts = {path.name: len(debug_exercises(_cells(path))) for path in NOTEBOOKS}
    assert sum(counts.values()) >= MIN_DEBUG_EXERCISES, counts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_wrong_option_of_a_concept_question_says_why_it_is_wrong(path):
    for question in questions_for(_slug(path)):
        for option in question.options:
            reason = option.why.strip().lower().rstrip(".!")
            assert len(reason.split()) >= 4 and reason not in ("wrong", "incorrect", "no", "not quite"), \
                f"{path.name}: {question.prompt!r} / {option.text!r}: the feedback must say why, got {option.why!r}"


def test_the_counters_reject_what_is_not_there():
    markdown, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    # a prediction never revealed, an explain without a model answer, a debug cell without a named-mistake check
    shown = nbformat.v4.new_output("display_data", data={WIDGET: {"model_id": "x"}, "text/plain": "Prediction"})
    cells = [code("guess = prediction('Up or down?', ['up', 'down'])\nguess", outputs=[shown]), code("print(1)"),
             markdown("**Explain.** Why?\n\n<details><summary>Solution</summary>x</details>"),
             markdown("**Debug it.** This one is broken."), code("check_function(f, g, cases)")]
    assert predictions(cells) == []
    assert not MODEL_ANSWER.search(explain_questions(cells)[0].source)
    assert debug_exercises(cells) == []
    cells[1] = code("guess.reveal('up', 'because')")
    cells[4] = code("check_function(f, g, cases, mistakes=known_mistakes.CONV2D)")
    assert predictions(cells) == ["guess"] and debug_exercises(cells) == [3]
    cells[0] = code("guess = prediction('Up or down?', ['up', 'down'])")          # never shown: no widget
    assert predictions(cells) == []
