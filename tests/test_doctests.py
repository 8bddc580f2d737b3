"""The examples in the core modules' docstrings run and print what they say (doctest).

Every public function of these modules (its module's ``__all__``) documents what goes in and what
comes out (an ``Inputs:`` and a ``Returns:`` line, with shapes) and shows one ``>>>`` example; a
failing example names its module in the test id.
"""
import doctest
import importlib
import inspect
import re

import numpy as np
import pytest

CORE_MODULES = ["shapes", "conv", "pooling", "activations", "losses", "kernels", "optim", "train",
                "gradcheck", "exercises", "features", "nn", "data.idx", "data.mnist", "data.samples",
                "augment", "normalization", "preprocess", "architectures", "inspection", "render", "grading", "mistakes",
                "display", "progress"]


def public_functions(module):
    """The functions a module exports (its ``__all__``) and defines itself."""
    return [(name, getattr(module, name)) for name in module.__all__
            if inspect.isfunction(getattr(module, name)) and getattr(module, name).__module__ == module.__name__]


def missing_parts(function):
    """What the docstring of ``function`` lacks: an Inputs line, a Returns line, an example."""
    doc = inspect.getdoc(function) or ""
    wanted = {"Inputs:": r"^\s*Inputs?:", "Returns:": r"^\s*Returns?:", ">>> example": r"^\s*>>> "}
    return [part for part, pattern in wanted.items() if not re.search(pattern, doc, re.MULTILINE)]


@pytest.mark.parametrize("name", CORE_MODULES)
def test_every_public_function_says_what_goes_in_and_out_and_shows_an_example(name):
    module = importlib.import_module(f"cnnlib.{name}")
    assert public_functions(module), f"cnnlib.{name} exports no function"
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


@pytest.mark.parametrize("name", CORE_MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"cnnlib.{name}")
    with np.printoptions(legacy=False):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                                 extraglobs={"np": np}, report=False, verbose=False)
    assert result.attempted > 0, f"cnnlib.{name} has no docstring example (>>>)"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in cnnlib.{name} failed (run pytest -s to see them)"
