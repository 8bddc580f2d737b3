"""Interactive views for the notebooks; each builder returns an :class:`Explorer`.

Builders live one per module and are imported on first use. Every name below means one thing:
``cnnlib.widgets.kernel_playground`` is always the builder function, even though a submodule has
the same name and even after ``import cnnlib.widgets.kernel_playground`` (reach the module itself
with ``from cnnlib.widgets.kernel_playground import ...`` or ``importlib.import_module``).
"""
import importlib
import sys
import types

from ._base import Explorer

_BUILDERS = {
    "conv1d_explorer": "conv1d",
    "conv2d_stepper": "stepper",
    "kernel_playground": "kernel_playground",
    "volume_view": "volume",
    "output_size_explorer": "output_size",
    "connectivity_view": "connectivity",
    "activation_explorer": "activations",
    "pooling_explorer": "pooling",
    "entropy_explorer": "entropy",
    "softmax_explorer": "entropy",
    "training_dashboard": "training",
    "optimiser_explorer": "optimisers",
    "gradient_flow_explorer": "gradient_flow",
    "digit_drawing_explorer": "drawing",
    "batchnorm_explorer": "batchnorm",
    "distortion_explorer": "distortion",
    "concept_check": "thinking",
    "prediction": "thinking",
}

__all__ = ["Explorer", *_BUILDERS]


def __getattr__(name):
    if name in _BUILDERS:
        module = importlib.import_module(f".{_BUILDERS[name]}", __name__)
        builder = getattr(module, name)
        globals()[name] = builder
        return builder
    raise AttributeError(f"module 'cnnlib.widgets' has no attribute {name!r}")


class _Package(types.ModuleType):
    """This package's module type: importing a submodule binds it here as an attribute, which
    would hide a builder of the same name (kernel_playground); that binding is skipped, so the
    name keeps meaning the builder whichever is imported first."""

    def __setattr__(self, name, value):
        if name in _BUILDERS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
