"""The "draw your own digit" explorer, driven from Python: set the pad's picture, read what it shows."""

import numpy as np
import pytest

from cnnlib import preprocess_drawing
from cnnlib.data import load_mnist
from cnnlib.nn import Dense, Flatten, Sequential, lenet5
from cnnlib.optim import Adam
from cnnlib.train import fit, predict
from cnnlib.widgets import Explorer, digit_drawing_explorer
from cnnlib.widgets.drawing import HINT, NO_EXAMPLE, _ESM, array_to_data_url, data_url_to_array, mnist_example

(X_TRAIN, Y_TRAIN), (X_TEST, Y_TEST) = load_mnist()


@pytest.fixture(scope="module")
def model():
    """LeNet-5 after one epoch on 2,000 digits: it reads most digits."""
    net = lenet5(rng=0)
    fit(net, np.pad(X_TRAIN[:2000], ((0, 0), (0, 0), (2, 2), (2, 2))), Y_TRAIN[:2000], epochs=1, batch_size=64,
        optimizer=Adam(3e-3), progress=False)
    return net


@pytest.fixture
def explorer(model):
    return digit_drawing_explorer(model)


def pad_picture(digit, zoom=8, offset=(30, 40)):
    """A 28 x 28 digit drawn big and off-centre on the 280 x 280 pad."""
    canvas = np.zeros((280, 280))
    big = np.kron(digit, np.ones((zoom, zoom)))
    canvas[offset[0]:offset[0] + big.shape[0], offset[1]:offset[1] + big.shape[1]] = big
    return canvas


def test_it_is_an_explorer_with_the_shared_shape(explorer):
    assert isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"canvas", "clear", "example", "layer"}
    assert set(explorer.views) == {"preprocessed", "probabilities", "guess", "message", "feature_maps"}
    assert repr(explorer) == "DigitDrawingExplorer(controls=4)"


def test_an_empty_pad_asks_for_a_digit(explorer):
    assert explorer.shown["guess"] is None and explorer.shown["probabilities"] is None
    assert explorer.shown["message"] == HINT and HINT in explorer.views["message"].value


def test_the_pad_round_trip_keeps_the_picture():
    picture = pad_picture(X_TEST[0, 0])
    assert np.abs(data_url_to_array(array_to_data_url(picture)) - picture).max() <= 0.5 / 255 + 1e-12


def test_a_drawing_shows_its_preprocessed_digit_guess_probabilities_and_maps(explorer, model):
    for index in (0, 1, 2, 3):
        digit = X_TEST[index, 0]
        picture = pad_picture(digit)
        explorer.controls["canvas"].show_array(picture)
        shown = explorer.shown
        expected = preprocess_drawing(data_url_to_array(array_to_data_url(picture)))
        assert np.array_equal(shown["preprocessed"], expected)
        assert np.abs(shown["preprocessed"] - digit).mean() < 0.01          # the pad's digit is MNIST's own
        probabilities = predict(model, np.pad(expected, 2)[None, None])[0]
        assert np.allclose(shown["probabilities"], probabilities, atol=1e-6)
        assert shown["guess"] == int(np.argmax(probabilities)) and np.isclose(shown["confidence"], probabilities.max())
        assert f">{shown['guess']}</b>" in explorer.views["guess"].value
        assert shown["stages"] == ["conv1 + ReLU", "pool1", "conv2 + ReLU", "pool2"] and shown["message"] == ""
        assert explorer.views["probabilities"].value[:4] == b"\x89PNG"
        assert all(image.value[:4] == b"\x89PNG" for image in explorer._map_images)
    assert explorer.shown["guess"] == Y_TEST[3]                           # a trained network reads it right


def test_a_vertical_stroke_reads_as_a_1(explorer):
    canvas = np.zeros((280, 280))
    canvas[40:250, 130:150] = 1.0                                          # what a 20-pixel pen leaves
    explorer.controls["canvas"].show_array(canvas)
    assert explorer.shown["guess"] == 1


def test_clear_wipes_the_pad_and_the_answer(explorer):
    explorer.controls["canvas"].show_array(pad_picture(X_TEST[0, 0]))
    before = explorer.views["probabilities"].value
    explorer.controls["clear"].click()
    assert explorer.controls["canvas"].value == ""
    assert explorer.shown["guess"] is None and explorer.shown["message"] == HINT
    assert explorer.views["probabilities"].value != before


@pytest.mark.parametrize("url, words", [(array_to_data_url(np.zeros((280, 280))), "draw a digit first"),
                                        ("data:image/png;base64,bm90IGEgcG5n", "not a PNG or JPEG file"),
                                        ("a drawing", "not a PNG")])
def test_a_bad_drawing_shows_a_message_instead_of_raising(explorer, url, words):
    explorer.controls["canvas"].value = url                              # must not raise
    assert words in explorer.shown["message"] and explorer.shown["guess"] is None
    assert words in explorer.views["message"].value


def test_the_layer_menu_shows_one_layer_large_or_every_layer(explorer):
    explorer.controls["canvas"].show_array(pad_picture(X_TEST[5, 0]))
    small = len(explorer._map_images[3].value)
    explorer.controls["layer"].value = "pool2"
    assert explorer.shown["stages"] == ["pool2"] and explorer.shown["layer"] == "pool2"
    assert [panel.layout.display for panel in explorer._map_panels] == ["none", "none", "none", None]
    assert len(explorer._map_images[3].value) > small                      # drawn twice as large
    explorer.controls["layer"].value = "every layer"
    assert len(explorer.shown["stages"]) == 4


def test_the_layer_menu_changes_the_view_even_before_anything_is_drawn(explorer):
    before = [title.value for title in explorer._map_titles]
    explorer.controls["layer"].value = "conv2 + ReLU"
    assert [panel.layout.display for panel in explorer._map_panels] == ["none", "none", None, "none"]
    assert explorer.shown["layer"] == "conv2 + ReLU" and explorer.shown["guess"] is None
    assert [title.value for title in explorer._map_titles] == before


def test_every_update_is_recorded_under_the_control_that_caused_it(explorer):
    # Timing figures come from the benchmarks (bench_widgets_browser.py); here only what was recorded.
    for i in range(6):
        explorer.controls["canvas"].value = array_to_data_url(pad_picture(X_TEST[i, 0]))
    explorer.controls["layer"].value = "pool1"
    names = [name for name, _ in explorer.update_ms]
    assert names[-7:] == ["canvas"] * 6 + ["layer"]
    assert all(ms >= 0 for _, ms in explorer.update_ms[-7:])


def test_a_model_that_cannot_read_digits_is_refused():
    with pytest.raises(TypeError, match="Sequential"):
        digit_drawing_explorer("lenet")
    with pytest.raises(ValueError, match="32 x 32"):
        digit_drawing_explorer(Sequential(Flatten(), Dense(784, 10)))
    with pytest.raises(ValueError, match="10 scores"):
        digit_drawing_explorer(Sequential(Flatten(), Dense(1024, 3)))


def test_without_a_model_it_shows_an_untrained_lenet():
    explorer = digit_drawing_explorer()
    explorer.controls["canvas"].show_array(pad_picture(X_TEST[0, 0]))
    assert np.all((0.05 < explorer.shown["probabilities"]) & (explorer.shown["probabilities"] < 0.15))
    assert "untrained" in explorer.views["message"].value


# --- without a pointer: the example menu (keyboard and screen reader), and the guess in words --------

def test_picking_an_example_from_the_menu_gives_a_guess_in_words(explorer, model):
    menu = explorer.controls["example"]
    assert menu.value == NO_EXAMPLE and menu.label == "(your own drawing)" and menu.description   # named
    for digit in (7, 2, 0):
        menu.value = digit                                    # what arrow keys + Enter on the menu do
        shown = explorer.shown
        assert shown["example"] == digit and shown["guess"] is not None
        expected = preprocess_drawing(data_url_to_array(explorer.controls["canvas"].value))
        assert np.array_equal(shown["preprocessed"], expected)
        assert np.abs(shown["preprocessed"] - mnist_example(digit)).mean() < 0.02   # the digit as MNIST has it
        assert shown["guess"] == digit                        # the trained network reads it right
        sentence = explorer.description_view.value
        assert sentence == shown["description"]
        assert f"as a {digit}, {shown['confidence']:.0%} sure" in sentence and "MNIST test digit" in sentence
        assert f"the guess {digit}" in shown["alt"]["probabilities"]


def test_going_back_to_your_own_drawing_brings_it_back(explorer):
    explorer.controls["canvas"].show_array(pad_picture(X_TEST[1, 0]))
    mine = explorer.shown["probabilities"].copy()
    explorer.controls["example"].value = 5
    explorer.controls["example"].value = 8
    explorer.controls["example"].value = NO_EXAMPLE
    assert np.array_equal(explorer.shown["probabilities"], mine) and explorer.shown["example"] is None


def test_drawing_or_clearing_after_an_example_sets_the_menu_back(explorer):
    explorer.controls["example"].value = 3
    explorer.controls["canvas"].show_array(pad_picture(X_TEST[1, 0]))     # drawing over it
    assert explorer.controls["example"].value == NO_EXAMPLE and explorer.shown["example"] is None
    assert "your drawing" in explorer.shown["description"]
    explorer.controls["example"].value = 3
    explorer.controls["clear"].click()
    assert explorer.controls["example"].value == NO_EXAMPLE and explorer.shown["guess"] is None
    assert explorer.shown["description"] == HINT and "keyboard" in HINT


def test_the_pad_is_reachable_and_usable_from_the_keyboard():
    # The browser half (checked in Chromium by the browser tests): the canvas takes focus, has a
    # name that says how to use it, and answers arrow keys, Space and Delete.
    for needed in ('canvas.tabIndex = 0', 'aria-label', 'ArrowUp: [-1, 0]', 'event.key === " "', '"Delete"',
                   'aria-live', "send()"):
        assert needed in _ESM, needed
