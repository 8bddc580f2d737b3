"""Explorers that ask the student to think before they compute.

concept_check: one notebook's multiple-choice concept questions; choosing an option says at once
    whether it is right and why (a wrong option says why it is wrong). Previous/Next move between
    questions; everything works from the keyboard (Tab, arrow keys, Space/Enter).
prediction: a predict-then-run prompt. The student picks what they expect before running the next
    cell; that cell calls ``.reveal(outcome, why)``, which prints the prediction beside what happened.

Both write their state as text (``shown["text"]``, in an aria-live region), so a screen reader
announces the feedback without the student moving focus.
"""
import html

import ipywidgets as widgets

from ..concepts import questions_for
from ._base import Explorer
from ._board import TextView

_LIVE = "<div role='status' aria-live='polite' style='font-size:15px;max-width:760px'>{}</div>"
_RIGHT = "#1b6e20"      # dark green: 6.4:1 on white; the word "Right" carries the meaning, not the colour
_WRONG = "#b00020"      # the series' error red


def _verdict(option):
    return "Right." if option.correct else "Not quite."


def _feedback(option):
    if option is None:
        return "Pick an option: the feedback appears here."
    return f"{_verdict(option)} {option.why}"


def _feedback_html(option):
    if option is None:
        return _LIVE.format(html.escape(_feedback(option)))
    colour = _RIGHT if option.correct else _WRONG
    return _LIVE.format(f"<b style='color:{colour}'>{_verdict(option)}</b> {html.escape(option.why)}")


class ConceptCheck(Explorer):
    """Multiple-choice concept questions, one at a time, with feedback on every option.

    Controls: "choice" (RadioButtons: the options of the current question), "previous", "next"
    (Buttons). ``shown``: question (index), prompt, choice (the option text or None), correct
    (True/False/None), text (the feedback sentence), score (questions answered right so far).
    """

    def __init__(self, questions, title):
        self.questions = list(questions)
        self.answers = [None] * len(self.questions)       # the option index chosen for each question
        self.index = 0
        self.heading = TextView()
        choice = widgets.RadioButtons(options=[], value=None, layout=widgets.Layout(width="max-content"),
                                      description="", style={"description_width": "0px"})
        previous = widgets.Button(description="Previous question", icon="arrow-left",
                                  tooltip="Show the previous question")
        after = widgets.Button(description="Next question", icon="arrow-right",
                               tooltip="Show the next question")
        self.feedback = TextView()
        self.score = TextView()
        previous.on_click(lambda _: self._go(-1))
        after.on_click(lambda _: self._go(+1))
        super().__init__(
            [widgets.HTML(f"<b style='font-size:16px'>{html.escape(title)}</b>"), self.heading, choice,
             self.feedback, widgets.HBox([previous, after, self.score])],
            controls={"choice": choice, "previous": previous, "next": after},
            views={"feedback": self.feedback})
        self.observe_controls(["choice"])
        self._show_question()

    def _go(self, step):
        self.index = (self.index + step) % len(self.questions)
        self._show_question()

    def _show_question(self):
        question = self.questions[self.index]
        choice = self.controls["choice"]
        self._updating = True           # filling the options is not an answer
        try:
            choice.options = [(option.text, i) for i, option in enumerate(question.options)]
            choice.value = self.answers[self.index]
            choice.description = ""
            choice.tooltip = question.prompt      # the radio group's accessible name
        finally:
            self._updating = False
        self.heading.value = (f"<div style='font-size:15px;max-width:760px'><b>Question {self.index + 1} of "
                              f"{len(self.questions)}.</b> {html.escape(question.prompt)}</div>")
        self.first_update()

    def update(self, change=None):
        question = self.questions[self.index]
        chosen = self.controls["choice"].value
        self.answers[self.index] = chosen
        option = None if chosen is None else question.options[chosen]
        self.feedback.value = _feedback_html(option)
        right = sum(a is not None and q.options[a].correct for q, a in zip(self.questions, self.answers))
        answered = sum(a is not None for a in self.answers)
        self.score.value = (f"<span style='font-size:14px'>&nbsp;{right} of {answered} answered right "
                            f"({len(self.questions)} questions)</span>")
        self.shown.update(question=self.index, prompt=question.prompt,
                          choice=None if option is None else option.text,
                          correct=None if option is None else option.correct,
                          text=_feedback(option), score=right)


def concept_check(notebook):
    """The concept questions of one notebook as an explorer.

    ``notebook``: the notebook's slug, e.g. "convolution_2d" (questions in cnnlib/concepts/).
    """
    return ConceptCheck(questions_for(notebook), "Check your understanding")


class Prediction(Explorer):
    """A predict-then-run prompt: the options as radio buttons; ``reveal`` compares.

    Controls: "choice". ``shown``: choice (the option text or None), text.
    """

    def __init__(self, question, options):
        if not isinstance(question, str) or not question.strip():
            raise ValueError("question must be a non-empty string: what should the student predict?")
        options = [str(option) for option in options]
        if len(options) < 2 or len(set(options)) != len(options):
            raise ValueError(f"options must list at least 2 different answers, got {options!r}")
        self.question, self.options = question, options
        choice = widgets.RadioButtons(options=options, value=None, layout=widgets.Layout(width="max-content"),
                                      tooltip=question)
        self.readout = TextView()
        super().__init__(
            [widgets.HTML(f"<div style='font-size:15px;max-width:760px'><b>Predict.</b> "
                          f"{html.escape(question)}</div>"), choice, self.readout],
            controls={"choice": choice}, views={"readout": self.readout})
        self.observe_controls()
        self.first_update()

    def update(self, change=None):
        chosen = self.controls["choice"].value
        text = ("Pick your prediction, then run the next cell." if chosen is None
                else f"Your prediction: {chosen}. Now run the next cell.")
        self.readout.value = _LIVE.format(html.escape(text))
        self.shown.update(choice=chosen, text=text)

    def reveal(self, outcome, why):
        """Print the prediction beside what happened and why.

        ``outcome``: the option that happened (computed by the cell from its result, never typed in);
        ``why``: one or two sentences of explanation. The printed text is kept in ``shown["revealed"]``.
        """
        if outcome not in self.options:
            raise ValueError(f"outcome must be one of the options {self.options}, got {outcome!r}")
        chosen = self.controls["choice"].value
        if chosen is None:
            head = f"You did not record a prediction. What happened: {outcome}."
        elif chosen == outcome:
            head = f"You predicted: {chosen}. Right: {outcome}."
        else:
            head = f"You predicted: {chosen}. What happened: {outcome}."
        text = f"{head} {why}"
        self.shown["revealed"] = text
        print(text)


def prediction(question, options):
    """A predict-then-run prompt (see :class:`Prediction`): ask before the cell that shows the result."""
    return Prediction(question, options)
