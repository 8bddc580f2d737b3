"""Every explorer can be used without seeing its pictures or holding a mouse (issue 19).

From Python: every control has an accessible name; every explorer says what it shows in a sentence
(``shown["description"]``, written to a live region a screen reader announces) and gives every
picture an alt text (its ``tooltip``, the title of the <img>) that follows the controls. The
browser half (the live region, the names on slider handles and icon buttons, focus rings, the
drawing pad's keyboard pen) is checked in Chromium by the browser tests.
"""
import ipywidgets as widgets
import numpy as np
import pytest

import cnnlib.widgets as cw
from cnnlib.display import MIN_ALT_WORDS
from cnnlib.nn import lenet5
from cnnlib.widgets._base import plain_text
from cnnlib.widgets._board import _BOARD_CSS, _BOARD_ESM, Board, PictureView


def _tiny_dashboard():
    rng = np.random.default_rng(0)
    return cw.training_dashboard(lenet5(rng=0), rng.random((6, 1, 32, 32)), np.arange(6) % 10)


BUILDERS = {
    "conv1d_explorer": lambda: cw.conv1d_explorer(),
    "conv2d_stepper": lambda: cw.conv2d_stepper(),
    "kernel_playground": lambda: cw.kernel_playground(image="shapes"),
    "volume_view": lambda: cw.volume_view(size=32),
    "output_size_explorer": lambda: cw.output_size_explorer(),
    "connectivity_view": lambda: cw.connectivity_view(),
    "activation_explorer": lambda: cw.activation_explorer(),
    "pooling_explorer": lambda: cw.pooling_explorer(),
    "entropy_explorer": lambda: cw.entropy_explorer(),
    "softmax_explorer": lambda: cw.softmax_explorer(),
    "training_dashboard": _tiny_dashboard,
    "optimiser_explorer": lambda: cw.optimiser_explorer(steps=20),
    "gradient_flow_explorer": lambda: cw.gradient_flow_explorer(),
    "digit_drawing_explorer": lambda: cw.digit_drawing_explorer(),
    "batchnorm_explorer": lambda: cw.batchnorm_explorer(),
    "distortion_explorer": lambda: cw.distortion_explorer(),
}
# One move per explorer that changes its result (what the description must then say differently).
MOVES = {
    "conv1d_explorer": ("t", 8), "conv2d_stepper": ("position", 7), "kernel_playground": ("preset", "box blur"),
    "volume_view": ("bias", 0.5), "output_size_explorer": ("stride", 2), "connectivity_view": ("neuron", 2),
    "activation_explorer": ("z", -3.0), "pooling_explorer": ("shift_cols", 2), "entropy_explorer": ("q1", 0.2),
    "softmax_explorer": ("temperature", 5.0), "training_dashboard": ("index", 3),
    "optimiser_explorer": ("optimiser", "adam"), "gradient_flow_explorer": ("row", 1),
    "digit_drawing_explorer": ("example", 4), "batchnorm_explorer": ("gamma", 2.0),
    "distortion_explorer": ("rotation", 30.0),
}


def test_every_builder_is_checked():
    explorers = {name for name in cw._BUILDERS if name not in ("concept_check", "prediction")}
    assert explorers == set(BUILDERS) == set(MOVES)


@pytest.fixture(scope="module", params=sorted(BUILDERS))
def built(request):
    return request.param, BUILDERS[request.param]()


def _accessible_name(control):
    """What a screen reader announces for a control (ipywidgets 8: its description, else its
    tooltip; a button's text; a toggle row's options)."""
    return (getattr(control, "description", "") or getattr(control, "tooltip", None) or "").strip()


@pytest.mark.slow
def test_every_control_has_an_accessible_name(built):
    name, explorer = built
    for key, control in explorer.controls.items():
        if isinstance(control, cw.Explorer):
            continue
        if type(control).__name__ == "DrawingPad":            # its aria-label is set in the browser
            continue
        assert _accessible_name(control), f"{name}: control {key!r} has no description or tooltip"


def test_every_explorer_says_what_it_shows_in_words(built):
    name, explorer = built
    sentence = explorer.shown["description"]
    assert isinstance(sentence, str) and len(sentence.split()) >= 6, f"{name}: {sentence!r}"
    assert "<" not in sentence and "&" not in sentence, f"{name}: markup in {sentence!r}"
    assert explorer.description_view.value == sentence
    assert isinstance(explorer.description_view, Board)
    assert explorer.description_view in explorer.children


def test_every_picture_has_alt_text_that_follows_the_controls(built):
    name, explorer = built
    images = explorer.picture_widgets()
    for image in images:
        if isinstance(image, PictureView):       # the board carries the alt text to the <img>
            assert getattr(explorer.description_view, f"alt_{image._name}") == image.tooltip
        else:
            assert image.has_trait("description") and image.description == ""   # lets the title reach the <img>
        assert len(image.tooltip.split()) >= MIN_ALT_WORDS, f"{name}: alt {image.tooltip!r}"
    assert explorer.shown["alt"] == {key: view.tooltip for key, view in explorer.views.items()
                                     if isinstance(view, (PictureView, widgets.Image))}
    before_alts = [image.tooltip for image in images]
    before = explorer.shown["description"]
    key, value = MOVES[name]
    explorer.controls[key].value = value
    assert explorer.shown["error"] == "", explorer.last_error
    assert explorer.shown["description"] != before, f"{name}: moving {key} left the description as it was"
    assert explorer.description_view.value == explorer.shown["description"]
    if name not in ("digit_drawing_explorer",):    # its alts say what the pictures are, not the guess
        changed = [a != b for a, b in zip(before_alts, (image.tooltip for image in images))]
        assert not images or any(changed), f"{name}: moving {key} left every alt text as it was"


def test_the_descriptions_carry_the_numbers():
    stepper = cw.conv2d_stepper()
    assert "output row 0, column 0" in stepper.shown["description"] and "is 114" in stepper.shown["description"]
    conv = cw.conv1d_explorer()
    assert "s_6 = " in conv.shown["description"] and "1.8110" in conv.shown["description"]
    assert "s_6 = 1.811" in conv.shown["alt"]["plot"]
    softmax = cw.softmax_explorer()
    assert "0.928" in softmax.shown["description"] and "0.928" in softmax.shown["alt"]["bars"]


def test_the_steppers_output_cells_are_never_announced_as_nothing():
    stepper = cw.conv2d_stepper()
    rows = stepper.cell_buttons
    assert rows[0][0].description == "114" and "row 0, column 0: 114" in rows[0][0].tooltip
    assert rows[0][1].description == "?" and rows[0][1].tooltip.startswith("output row 0, column 1, not computed yet")
    assert all(button.description and button.tooltip for row in rows for button in row)
    stepper.controls["padding"].value = 2            # a larger output: new cells are named too
    assert all(button.description and button.tooltip for row in stepper.cell_buttons for button in row)
    assert stepper.cell_buttons[6][6].tooltip == "output row 6, column 6, not computed yet; press to go there"


def test_the_kernel_boxes_are_named():
    playground = cw.kernel_playground(image="shapes")
    assert playground.controls["k12"].description == "kernel weight, row 2, column 3"
    assert playground.controls["k12"].style.description_width == "0px"     # named, not labelled on screen


def test_a_fixed_picture_keeps_the_alt_it_was_built_with():
    view = cw.output_size_explorer()
    legend = [image for image in view.picture_widgets() if image is not view.views["grid"]]
    assert len(legend) == 1 and legend[0].tooltip.startswith("Legend: white cells are the input")
    view.controls["n"].value = 9
    assert legend[0].tooltip.startswith("Legend:")


def test_an_update_that_fails_is_announced():
    explorer = cw.pooling_explorer()

    def broken(change=None):
        raise RuntimeError("boom")
    explorer.update = broken
    explorer.controls["size"].value = 3
    assert "RuntimeError: boom" in explorer.shown["description"] == explorer.description_view.value


def test_the_readout_is_a_live_region_and_the_explorer_keeps_focus_visible():
    assert 'aria-live", "polite"' in _BOARD_ESM and 'role", "status"' in _BOARD_ESM
    for fixed in ('"aria-label"', '"aria-valuetext"', '"aria-pressed"', 'set(img, "alt"', "MutationObserver"):
        assert fixed in _BOARD_ESM, fixed
    assert ":focus-visible" in _BOARD_CSS and "outline: 3px solid" in _BOARD_CSS
    assert 'data-jp-theme-light="false"' in _BOARD_CSS                  # the dark theme's lighter reds


def test_plain_text_turns_a_readout_into_a_sentence():
    assert plain_text("s<sub>3</sub> = <b>1.5</b>&emsp;(T = 2)<br>next") == "s3 = 1.5 (T = 2) next"
    assert plain_text("$H(P, Q) = 0.5$ bits") == "H(P, Q) = 0.5 bits"
