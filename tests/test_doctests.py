"""The examples in the core modules' docstrings run and print what they say (doctest).

Every public function of these modules (its module's ``__all__``) documents what goes in and what
comes out (an ``Inputs:`` and a ``Returns:`` line, with shapes) and shows one ``>>>`` example; a
failing example names its module in the test id. In CLASS_MODULES the same holds for every public
class and every public method (forward, backward, named_parameters, ...), each in a docstring
of its own, and their examples run one by one, so a failure names the method.
"""
import doctest
import importlib
import inspect
import re
import sys

import numpy as np
import pytest

# cnnlib.nn is a package; its modules are where the classes and functions are written.
NN_MODULES = ["nn.base", "nn.layers", "nn.pooling_layers", "nn.activation_layers", "nn.containers", "nn.loss",
              "nn.batchnorm", "nn.residual", "nn.models", "nn.model_summary", "nn.weights"]
CORE_MODULES = ["shapes", "conv", "pooling", "activations", "losses", "kernels", "optim", "train",
                "gradcheck", "exercises", "features", "data.idx", "data.mnist", "data.samples",
                "augment", "normalization", "preprocess", "architectures", "inspection", "render", "grading",
                "mistakes", "display", "progress", *NN_MODULES]
# Modules whose classes and methods are held to the rule too; the other core modules' classes
# (optim.SGD, train.History, ...) are still to be documented this way, then added here.
CLASS_MODULES = ["conv", *NN_MODULES]
EXAMPLE_FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def public_functions(module):
    """The functions a module exports (its ``__all__``) and defines itself."""
    return [(name, getattr(module, name)) for name in module.__all__
            if inspect.isfunction(getattr(module, name)) and getattr(module, name).__module__ == module.__name__]


def public_classes(module):
    """The classes a module exports (its ``__all__``) and defines itself."""
    return [(name, getattr(module, name)) for name in module.__all__
            if inspect.isclass(getattr(module, name)) and getattr(module, name).__module__ == module.__name__]


def public_methods(cls, home="cnnlib"):
    """("Class.method", function) for every public method (or property) ``cls`` offers that is
    written in a module under ``home``: its own and those it inherits (from a private base such as
    nn's _Pool2D, too).
    Each is labelled with the class that writes it, so an override is checked on its own
    docstring; functions borrowed from another module (ReLU.function is activations.relu) are
    checked there."""
    found = {}
    for klass in reversed(cls.__mro__):                 # base first: a subclass's override replaces it
        if not klass.__module__.startswith(home):
            continue
        for name, value in vars(klass).items():
            value = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
            value = value.fget if isinstance(value, property) else value
            if not name.startswith("_") and inspect.isfunction(value) and value.__module__ == klass.__module__:
                found[name] = (f"{klass.__qualname__}.{name}", value)
    return list(found.values())


def missing_parts(function):
    """What the docstring of ``function`` (or class) lacks: an Inputs line, a Returns line, an example.

    Its own docstring: inspect.getdoc would lend a method without one its base class's."""
    doc = inspect.cleandoc(function.__doc__ or "")
    wanted = {"Inputs:": r"^\s*Inputs?:", "Returns:": r"^\s*Returns?:", ">>> example": r"^\s*>>> "}
    return [part for part, pattern in wanted.items() if not re.search(pattern, doc, re.MULTILINE)]


@pytest.mark.parametrize("name", CORE_MODULES)
def test_every_public_function_says_what_goes_in_and_out_and_shows_an_example(name):
    module = importlib.import_module(f"cnnlib.{name}")
    assert public_functions(module) or public_classes(module), f"cnnlib.{name} exports no function or class"
    lacking = {fname: missing_parts(f) for fname, f in public_functions(module) if missing_parts(f)}
    assert not lacking, f"cnnlib.{name}: docstrings lacking parts: {lacking}"


def test_the_docstring_check_notices_a_missing_part():
    def documented(x):
        """Double.

        Inputs:   x  any array
        Returns:  2 * x, same shape

        >>> documented(2)
        4
        """
        return 2 * x

    def undocumented(x):
        """Double (no example, no shapes)."""
        return 2 * x
    assert missing_parts(documented) == []
    assert missing_parts(undocumented) == ["Inputs:", "Returns:", ">>> example"]


def class_lacks(cls):
    """{"Class" or "Class.method": [missing parts]} for a class and its public methods."""
    labelled = [(cls.__qualname__, cls), *public_methods(cls, home=cls.__module__.split(".")[0])]
    return {label: missing_parts(obj) for label, obj in labelled if missing_parts(obj)}


def failing_examples(obj, label):
    """How many of the ``>>>`` examples in ``obj``'s own docstring fail, run in its module's namespace."""
    globs = {**vars(sys.modules[obj.__module__]), "np": np}
    runner = doctest.DocTestRunner(optionflags=EXAMPLE_FLAGS)
    with np.printoptions(legacy=False):
        for test in doctest.DocTestFinder(recurse=False).find(obj, label, globs=globs):
            runner.run(test, out=lambda text: None)
    return runner.failures


@pytest.mark.parametrize("name", CLASS_MODULES)
def test_every_public_class_and_method_says_what_goes_in_and_out_and_shows_a_working_example(name):
    module = importlib.import_module(f"cnnlib.{name}")
    assert public_functions(module) or public_classes(module), f"cnnlib.{name} exports no function or class"
    lacking, failing = {}, {}
    for _, cls in public_classes(module):
        lacking.update(class_lacks(cls))
        for label, obj in [(cls.__qualname__, cls), *public_methods(cls)]:
            if failing_examples(obj, label):
                failing[label] = failing_examples(obj, label)
    assert not lacking, f"cnnlib.{name}: docstrings lacking parts: {lacking}"
    assert not failing, f"cnnlib.{name}: failing examples (run pytest -s): {failing}"


def test_the_class_check_notices_a_class_or_method_lacking_a_part():
    class Counter:
        """Counts.

        Inputs:   none
        Returns:  a counter at 0

        >>> Counter().count()
        0
        """

        def count(self):
            """The count so far.

            Inputs:   none
            Returns:  an int

            >>> Counter().count()
            0
            """
            return 0

    class Careless(Counter):
        """A counter without examples."""

        def count(self):                                 # an override needs a docstring of its own
            return 1

        def reset(self):
            """Back to 0.

            Inputs:   none
            Returns:  None
            """

    assert class_lacks(Counter) == {}
    assert class_lacks(Careless) == {
        f"{Careless.__qualname__}": ["Inputs:", "Returns:", ">>> example"],
        f"{Careless.__qualname__}.count": ["Inputs:", "Returns:", ">>> example"],
        f"{Careless.__qualname__}.reset": [">>> example"]}


def test_the_example_runner_notices_a_wrong_example():
    def right():
        """Inputs: none. Returns: 4.

        >>> 2 + 2
        4
        """

    def wrong():
        """Inputs: none. Returns: 4.

        >>> 2 + 2
        5
        """
    assert failing_examples(right, "right") == 0
    assert failing_examples(wrong, "wrong") == 1


@pytest.mark.parametrize("name", CORE_MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"cnnlib.{name}")
    with np.printoptions(legacy=False):
        result = doctest.testmod(module, optionflags=EXAMPLE_FLAGS,
                                 extraglobs={"np": np}, report=False, verbose=False)
    assert result.attempted > 0, f"cnnlib.{name} has no docstring example (>>>)"
    assert result.failed == 0, (f"{result.failed} of {result.attempted} examples in cnnlib.{name} failed "
                                "(run pytest -s to see them)")
