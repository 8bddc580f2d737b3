"""The examples in the core modules' docstrings run and print what they say (doctest).

Each module must hold at least one example; a failing example names its module in the test id.
"""
import doctest
import importlib

import numpy as np
import pytest

CORE_MODULES = ["shapes", "conv", "pooling", "activations", "losses", "kernels", "optim", "train",
                "gradcheck", "exercises", "features", "nn", "data.idx", "data.mnist", "data.samples"]


@pytest.mark.parametrize("name", CORE_MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"cnnlib.{name}")
    with np.printoptions(legacy=False):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                                 extraglobs={"np": np}, report=False, verbose=False)
    assert result.attempted > 0, f"cnnlib.{name} has no docstring example (>>>)"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in cnnlib.{name} failed (run pytest -s to see them)"
