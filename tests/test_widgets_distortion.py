"""The distortion explorer of notebook 11: set the controls, check what it shows."""
import ipywidgets as widgets
import numpy as np
import pytest

from cnnlib.augment import elastic_field, warp
from cnnlib.widgets import distortion_explorer
from cnnlib.widgets._html import ERROR_RED
from cnnlib.widgets.distortion import DistortionExplorer, default_digit

MOVES = {"rotation": 15, "scale": 1.2, "shear": 0.3, "shift x": 2.5, "shift y": -1.5, "alpha": 8, "sigma": 2,
         "seed": 7}


def test_default_is_a_shipped_digit_shown_unchanged():
    view = distortion_explorer()
    assert isinstance(view, DistortionExplorer) and view.x.shape == (32, 32)
    np.testing.assert_array_equal(view.x, default_digit())
    assert view.shown["warning"] == "" and view.shown["ink_kept"] == 1.0
    assert view.views["image"].value[:8] == b"\x89PNG\r\n\x1a\n" and "Ink pixels" in view.views["readout"].value


def test_identity_parameters_give_back_the_original():
    image = np.random.default_rng(0).random((20, 24))
    view = distortion_explorer(image, rotation=0, scale=1, shear=0, shift_x=0, shift_y=0, alpha=0, sigma=4, seed=3)
    np.testing.assert_array_equal(view.shown["distorted"], image)
    assert view.shown["largest_displacement"] == 0


def test_every_control_changes_what_is_shown_and_keeps_the_widgets():
    view = distortion_explorer(alpha=4)
    children, views = tuple(view.children), {name: id(v) for name, v in view.views.items()}
    assert set(view.controls) == set(MOVES) and isinstance(view.controls["seed"], widgets.IntSlider)
    for name, value in MOVES.items():
        picture, text = view.views["image"].value, view.shown["text"]
        view.controls[name].value = value
        assert view.shown["text"] != text and view.views["image"].value != picture, name
        assert view.shown["warning"] == "", name
        assert tuple(view.children) == children and {n: id(v) for n, v in view.views.items()} == views, name
        assert view.update_ms[-1][0] == name, name          # timed by benchmarks/bench_widgets.py, not here


def test_the_picture_is_what_cnnlib_augment_computes():
    view = distortion_explorer(rotation=10, scale=0.9, shear=0.2, shift_x=1, shift_y=-2, alpha=6, sigma=3, seed=4)
    field = elastic_field(1, (32, 32), alpha=6, sigma=3, rng=4)
    expected = warp(default_digit()[None, None], rotation=10, scale=0.9, shear=0.2, shift=(-2, 1), field=field)
    np.testing.assert_array_equal(view.shown["distorted"], expected[0, 0])
    assert view.shown["shift"] == (-2.0, 1.0) and view.shown["seed"] == 4


def test_a_new_seed_draws_a_new_field():
    view = distortion_explorer(alpha=6)
    first = view.shown["distorted"].copy()
    view.controls["seed"].value = 1
    assert not np.array_equal(first, view.shown["distorted"])


def test_a_problem_in_an_update_becomes_a_message(monkeypatch):
    view = distortion_explorer()
    import cnnlib.widgets.distortion as module

    def broken(*args, **kwargs):
        raise ValueError("sigma must be positive")

    monkeypatch.setattr(module, "elastic_field", broken)
    view.controls["sigma"].value = 1.0                       # must not raise
    assert "sigma must be positive" in view.shown["warning"] and ERROR_RED in view.views["readout"].value
    assert view.shown["distorted"] is None


@pytest.mark.parametrize("image,match", [
    (np.zeros((3, 32, 32)), "one H x W image"),
    (np.ones(10), "one H x W image"),
    (np.ones((4, 4)), "between 8 x 8 and 64 x 64"),
    (np.ones((100, 100)), "between 8 x 8 and 64 x 64"),
    (np.full((16, 16), np.nan), "finite"),
    (np.zeros((16, 16)), "no ink"),
])
def test_bad_images_fail_clearly_at_build(image, match):
    with pytest.raises(ValueError, match=match):
        distortion_explorer(image)


def test_a_batch_of_one_is_accepted_and_repr_is_stable():
    view = distortion_explorer(default_digit()[None, None])
    assert view.x.shape == (32, 32) and repr(view) == "DistortionExplorer(controls=8)"


def test_the_shared_architecture_checks_pass():
    # tests/test_widgets_architecture.py's per-builder check, run on this explorer until its BUILDERS lists it.
    from test_widgets_architecture import _descendants, _move, _same, _snapshot
    view = distortion_explorer()
    on_screen, children = {id(w) for w in _descendants(view)}, tuple(view.children)
    views = {name: id(v) for name, v in view.views.items()}
    assert all(isinstance(v, widgets.DOMWidget) for v in view.views.values())
    for name, control in view.controls.items():
        before = _snapshot(view.shown)
        _move(name, control)
        assert any(not _same(before[k], view.shown[k]) for k in before), name
        assert {n: id(v) for n, v in view.views.items()} == views and tuple(view.children) == children, name
        assert on_screen <= {id(w) for w in _descendants(view)}, name
