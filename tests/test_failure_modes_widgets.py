"""Nothing a student types or moves can crash, freeze or half-break an explorer.

Every control of every explorer is driven to its extremes and every text box to garbage; after each
bad value the explorer must have said what is wrong (never an exception out of the observer: in the
browser that only reaches the log console) and must answer the next normal value exactly as before.
"""
import base64
import datetime

import ipywidgets as widgets
import numpy as np
import pytest

import cnnlib.widgets as cw
from cnnlib.nn import lenet5
from cnnlib.render import rgb_to_png
from cnnlib.widgets._html import ERROR_RED
from cnnlib.widgets.conv1d import parse_weights
from cnnlib.widgets.drawing import DrawingPad, array_to_data_url
from cnnlib.widgets.entropy import parse_scores


def _drawn_one():
    canvas = np.zeros((280, 280))
    canvas[40:240, 130:150] = 1.0
    return array_to_data_url(canvas)


def _tiny_dashboard():
    rng = np.random.default_rng(0)
    return cw.training_dashboard(lenet5(rng=0), rng.random((6, 1, 32, 32)), np.arange(6) % 10)


def _drawing_explorer():
    explorer = cw.digit_drawing_explorer(lenet5(rng=0))
    explorer.controls["canvas"].value = _drawn_one()          # the normal value: a drawn digit
    return explorer


# Each builder with the entries of .shown that must come back unchanged once a control is put back.
BUILDERS = {
    "conv1d_explorer": (lambda: cw.conv1d_explorer(), ("sum", "output")),
    "conv2d_stepper": (lambda: cw.conv2d_stepper(), ("sum", "full_output")),
    "kernel_playground": (lambda: cw.kernel_playground(image="shapes"), ("result",)),
    "volume_view": (lambda: cw.volume_view(size=32), ("output",)),
    "output_size_explorer": (lambda: cw.output_size_explorer(), ("output_size", "formula")),
    "connectivity_view": (lambda: cw.connectivity_view(), ("conv_formula", "dense_formula")),
    "activation_explorer": (lambda: cw.activation_explorer(), ("value", "derivative")),
    "pooling_explorer": (lambda: cw.pooling_explorer(), ("pooled", "pooled_shifted")),
    "entropy_explorer": (lambda: cw.entropy_explorer(), ("cross_entropy", "kl")),
    "softmax_explorer": (lambda: cw.softmax_explorer(), ("probabilities",)),
    "training_dashboard": (_tiny_dashboard, ("probabilities",)),
    "optimiser_explorer": (lambda: cw.optimiser_explorer(steps=20), ("loss", "end")),
    "gradient_flow_explorer": (lambda: cw.gradient_flow_explorer(), ("grad_x", "grad_w")),
    "distortion_explorer": (lambda: cw.distortion_explorer(), ("distorted",)),
    "batchnorm_explorer": (lambda: cw.batchnorm_explorer(), ("mean_before", "std_after")),
    "digit_drawing_explorer": (_drawing_explorer, ("probabilities", "preprocessed", "message")),
    "concept_check": (lambda: cw.concept_check("convolution_1d"), ("text",)),
    "prediction": (lambda: cw.prediction("Up or down?", ["up", "down", "unchanged"]), ("text",)),
}
GARBAGE_TEXT = ("nan", "inf", "-inf", "", "1,,2", "abc", "1e400", "1_000", "1, 2,", " , ")
GARBAGE_NUMBERS = (np.nan, np.inf, -np.inf, 1e308, -1e308)     # all a number box can hold
GARBAGE_DRAWINGS = ("", "a drawing", "data:image/png;base64,!!!", "data:image/png;base64,bm90IGEgcG5n",
                    "data:image/png;base64," + base64.b64encode(rgb_to_png(np.zeros((2, 2)))).decode())


def _upload(name, data):
    return ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
             "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


def test_every_builder_is_driven():
    assert set(BUILDERS) == set(cw._BUILDERS)


def _options(control):
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


def _bad_values(control):
    """What to try on a control: its extremes, every option, or garbage (typed or uploaded)."""
    if isinstance(control, DrawingPad):
        return GARBAGE_DRAWINGS
    if isinstance(control, widgets.FileUpload):
        return (_upload("notes.txt", b"not a picture"), _upload("cut.png", b"\x89PNG\r\n\x1a\n"))
    if isinstance(control, widgets.Text):
        return GARBAGE_TEXT
    if isinstance(control, widgets.FloatText):
        return GARBAGE_NUMBERS
    if isinstance(control, widgets.Checkbox):
        return (not control.value,)
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons)):
        return _options(control)
    if hasattr(control, "min"):                                       # sliders and the play button
        return (control.min, control.max)
    raise AssertionError(f"the test does not know how to drive a {type(control).__name__}")


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    return a == b


def _check_no_escape_and_recovery(name, explorer, answers, baseline):
    """Put every control through its bad values; after each one, put it back and compare."""
    for key, control in explorer.controls.items():
        if getattr(control, "disabled", False):
            continue                                                  # a student cannot move it either
        if isinstance(control, widgets.Button):
            values = {other: c.value for other, c in explorer.controls.items() if c.has_trait("value")}
            control.click()                                           # must not raise
            assert explorer.shown.get("error", "") == "", f"{name}: {key} needed the safety net"
            for other, value in values.items():                       # undo what the click moved
                explorer.controls[other].value = value
            continue
        normal = control.value
        for value in _bad_values(control):
            control.value = value                                     # must not raise
            error = explorer.shown.get("error", "")
            assert error == "", f"{name}: {key} = {value!r} needed the safety net: {error}"
            if isinstance(control, (widgets.Text, DrawingPad)) or (
                    isinstance(control, widgets.FloatText) and not np.isfinite(value)):
                shown_text = explorer.shown.get("warning", explorer.shown.get("message", ""))
                assert shown_text, f"{name}: {key} = {value!r} was taken without a word"
            control.value = normal
            for answer in answers:
                assert _same(explorer.shown[answer], baseline[answer]), \
                    f"{name}: after {key} = {value!r} and back, {answer} changed"
            assert explorer.shown.get("warning", "") == baseline.get("warning", ""), \
                f"{name}: after {key} = {value!r} and back: {explorer.shown.get('warning')}"


@pytest.mark.slow
@pytest.mark.parametrize("name", BUILDERS)
def test_every_control_survives_its_extremes_and_garbage_and_the_explorer_recovers(name):
    build, answers = BUILDERS[name]
    explorer = build()
    baseline = {key: (value.copy() if isinstance(value, np.ndarray) else value)
                for key, value in explorer.shown.items()}
    assert all(answer in baseline for answer in answers)
    _check_no_escape_and_recovery(name, explorer, answers, baseline)


# --- the safety net: whatever an update raises is shown in the explorer, never raised ------------

@pytest.mark.parametrize("name", ["pooling_explorer", "softmax_explorer", "digit_drawing_explorer"])
def test_an_exception_in_an_update_is_shown_in_the_explorer_and_the_next_update_clears_it(name):
    build, _ = BUILDERS[name]
    explorer = build()
    working_update = explorer.update

    def broken_update(change=None):
        raise RuntimeError("something nobody expected")

    explorer.update = broken_update
    control = next(c for c in explorer.controls.values()
                   if isinstance(c, (widgets.Dropdown, widgets.ToggleButtons, widgets.FloatLogSlider)))
    first, second = _bad_values(control)[:2]
    control.value = second if control.value == first else first       # must not raise
    message = explorer.shown["error"]
    assert "RuntimeError" in message and "something nobody expected" in message
    assert ERROR_RED in explorer.error_view.value and "something nobody expected" in explorer.error_view.value
    assert explorer.error_view in explorer.children
    explorer.update = working_update
    control.value = first if control.value == second else second
    assert explorer.shown["error"] == "" and explorer.error_view.value == ""


# --- text boxes: what float() would let through -------------------------------------------------

@pytest.mark.parametrize("text", ["1,,2", "1_000", "1, 2,", ",1", "nan", "inf", "1e400", "0x10", "\u0661", "1 2_0"])
def test_typing_slips_are_refused_by_both_number_boxes(text):
    with pytest.raises(ValueError):
        parse_weights(text)
    with pytest.raises(ValueError):
        parse_scores(text if "," in text else f"{text}, 1")


def test_the_refusal_says_what_was_wrong():
    with pytest.raises(ValueError, match="empty"):
        parse_weights("1,,2")
    with pytest.raises(ValueError, match="'1_000'"):
        parse_scores("1_000, 2")
    np.testing.assert_allclose(parse_weights("0.1, 0.2 0.7; -1e-3"), [0.1, 0.2, 0.7, -1e-3])
    np.testing.assert_allclose(parse_scores("+1.5 .5, 2E2"), [1.5, 0.5, 200])


@pytest.mark.parametrize("builder, box, good", [("conv1d_explorer", "weights", "0.5, 0.5"),
                                                ("softmax_explorer", "scores", "1, 2")])
def test_a_slip_in_a_text_box_is_shown_and_keeps_the_last_good_picture(builder, box, good):
    explorer = BUILDERS[builder][0]()
    before = explorer.shown["sum" if box == "weights" else "probabilities"]
    for slip in ("1,,2", "1_000, 2"):
        explorer.controls[box].value = slip
        assert explorer.shown["warning"] and ERROR_RED in explorer.views["warning"].value
        np.testing.assert_array_equal(explorer.shown["sum" if box == "weights" else "probabilities"], before)
    explorer.controls[box].value = good
    assert explorer.shown["warning"] == ""


@pytest.mark.parametrize("value", [np.nan, np.inf, 1e308])          # nine times 1e308 x a grey overflows
def test_the_kernel_playground_says_when_its_result_is_nan_or_infinite(value):
    explorer = cw.kernel_playground(image="shapes", kernel="identity")
    boxes = [explorer.controls[f"k{i}{j}"] for i in range(3) for j in range(3)]
    for box in boxes:
        box.value = value
    assert "NaN or infinite" in explorer.shown["warning"] and "magenta" in explorer.shown["warning"]
    assert "magenta" in explorer.shown["explanation"]
    for box, weight in zip(boxes, [0, 0, 0, 0, 1, 0, 0, 0, 0]):
        box.value = weight
    assert explorer.shown["warning"] == "" and "magenta" not in explorer.shown["explanation"]
    np.testing.assert_array_equal(explorer.shown["result"], explorer.shown["image"])
