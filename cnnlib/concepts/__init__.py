"""Concept questions: multiple choice where every wrong option says why it is wrong.

One module per notebook, named by the notebook's slug (``cnnlib/concepts/convolution_2d.py`` for
``02_convolution_2d.ipynb``), each holding ``QUESTIONS``: a list of :class:`Question`. The concept
check explorer (``cnnlib.widgets.concept_check``) shows them; the feedback for a wrong option is
the reason it is wrong, never only "wrong", because the misconception is what a student learns from.

The questions aim at the classic misconceptions (per-side against total padding, how many channels
a filter has, what pooling throws away, what cross-entropy punishes), not at recall.
"""
import importlib
import re
from dataclasses import dataclass

__all__ = ["Option", "Question", "questions_for", "MIN_QUESTIONS"]

MIN_QUESTIONS = 3           # "a handful per notebook"
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Option:
    """One answer to a :class:`Question`: its text, whether it is right, and why (shown when chosen).

    Inputs:   text     what the student reads
              correct  True for the one right option
              why      the feedback: for a wrong option, why it is wrong; for the right one, why it is right
    Returns:  an Option

    >>> Option("2", False, "That is the total padding; p counts one side.").correct
    False
    """
    text: str
    correct: bool
    why: str

    def __post_init__(self):
        if not self.text.strip() or not self.why.strip():
            raise ValueError("an Option needs a text and a reason (why), both non-empty")


@dataclass(frozen=True)
class Question:
    """A multiple-choice question with exactly one right option.

    Inputs:   prompt   the question
              options  a tuple of Option, exactly one of them correct, at least three
    Returns:  a Question

    >>> q = Question("What does 2x2 max pooling keep?", (
    ...     Option("The largest value of each window", True, "It keeps the strongest response."),
    ...     Option("The mean of each window", False, "That is average pooling."),
    ...     Option("Where the largest value was", False, "The position inside the window is lost.")))
    >>> q.answer.text
    'The largest value of each window'
    """
    prompt: str
    options: tuple

    def __post_init__(self):
        if len(self.options) < 3:
            raise ValueError(f"a Question needs at least 3 options, got {len(self.options)}: {self.prompt!r}")
        if sum(option.correct for option in self.options) != 1:
            raise ValueError(f"a Question needs exactly one correct option: {self.prompt!r}")

    @property
    def answer(self):
        """The correct :class:`Option`.

        Inputs:   none
        Returns:  Option

        >>> Question("1 + 1?", (Option("2", True, "yes"), Option("3", False, "one too many"),
        ...                     Option("11", False, "that joins the digits"))).answer.text
        '2'
        """
        return next(option for option in self.options if option.correct)


def questions_for(notebook):
    """The concept questions of one notebook.

    Inputs:   notebook  the notebook's slug, e.g. "convolution_2d"
    Returns:  list of Question (at least MIN_QUESTIONS)

    >>> len(questions_for("convolution_1d")) >= MIN_QUESTIONS
    True
    """
    if not isinstance(notebook, str) or not _SLUG.match(notebook):
        raise ValueError(f"notebook must be a notebook's slug such as 'convolution_2d', got {notebook!r}")
    try:
        module = importlib.import_module(f".{notebook}", __name__)
    except ModuleNotFoundError:
        raise ValueError(f"no concept questions for notebook {notebook!r} (cnnlib/concepts/{notebook}.py)") from None
    questions = list(module.QUESTIONS)
    if len(questions) < MIN_QUESTIONS:
        raise ValueError(f"cnnlib/concepts/{notebook}.py has {len(questions)} questions, at least {MIN_QUESTIONS} expected")
    return questions
