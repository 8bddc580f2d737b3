"""The thinking explorers: a concept check gives feedback on every option; a prediction is compared with what happened."""
import html

import pytest

from cnnlib.concepts import Option, Question, questions_for
from cnnlib.widgets import concept_check, prediction


def test_choosing_a_wrong_option_says_why_it_is_wrong_and_the_right_one_counts():
    check = concept_check("convolution_1d")
    question = questions_for("convolution_1d")[0]
    wrong = next(i for i, o in enumerate(question.options) if not o.correct)
    right = next(i for i, o in enumerate(question.options) if o.correct)
    assert check.shown["choice"] is None and check.shown["score"] == 0
    check.controls["choice"].value = wrong
    assert check.shown["correct"] is False
    assert check.shown["text"] == f"Not quite. {question.options[wrong].why}"
    assert html.escape(question.options[wrong].why) in check.views["feedback"].value
    assert "aria-live='polite'" in check.views["feedback"].value
    check.controls["choice"].value = right
    assert check.shown["correct"] is True and check.shown["score"] == 1


def test_next_and_previous_keep_each_questions_answer():
    check = concept_check("convolution_1d")
    n = len(check.questions)
    check.controls["choice"].value = 0
    check.controls["next"].click()
    assert check.shown["question"] == 1 and check.shown["choice"] is None
    check.controls["previous"].click()
    assert check.shown["question"] == 0 and check.controls["choice"].value == 0
    check.controls["previous"].click()
    assert check.shown["question"] == n - 1             # wraps round


def test_a_question_needs_exactly_one_right_option_and_reasons():
    with pytest.raises(ValueError, match="exactly one correct"):
        Question("?", (Option("a", True, "x y"), Option("b", True, "x y"), Option("c", False, "x y")))
    with pytest.raises(ValueError, match="at least 3 options"):
        Question("?", (Option("a", True, "x y"), Option("b", False, "x y")))
    with pytest.raises(ValueError, match="reason"):
        Option("a", False, " ")
    with pytest.raises(ValueError, match="slug"):
        questions_for("../etc")
    with pytest.raises(ValueError, match="no concept questions"):
        questions_for("no_such_notebook")


def test_a_prediction_is_compared_with_the_outcome(capsys):
    guess = prediction("Does the loss go up or down?", ["up", "down"])
    guess.reveal("down", "The step is small enough.")
    assert capsys.readouterr().out.startswith("You did not record a prediction. What happened: down.")
    guess.controls["choice"].value = "up"
    assert guess.shown["text"] == "Your prediction: up. Now run the next cell."
    guess.reveal("down", "The step is small enough.")
    assert capsys.readouterr().out == "You predicted: up. What happened: down. The step is small enough.\n"
    guess.controls["choice"].value = "down"
    guess.reveal("down", "Yes.")
    assert "Right: down." in capsys.readouterr().out
    with pytest.raises(ValueError, match="outcome must be one of"):
        guess.reveal("sideways", "?")
    with pytest.raises(ValueError, match="at least 2 different"):
        prediction("?", ["same", "same"])
