"""Interactive views for the notebooks; each builder returns an :class:`Explorer`.

Builders live one per module and are imported on first use.
"""
import importlib

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
}

__all__ = ["Explorer", *_BUILDERS]


def __getattr__(name):
    if name in _BUILDERS:
        module = importlib.import_module(f".{_BUILDERS[name]}", __name__)
        # Importing a submodule binds its name in this package; where a module and its builder
        # share a name (kernel_playground), bind the builder instead so the name means one thing.
        builder = getattr(module, name)
        globals()[name] = builder
        return builder
    raise AttributeError(f"module 'cnnlib.widgets' has no attribute {name!r}")
