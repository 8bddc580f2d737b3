"""cnnlib.preprocess_drawing: a drawing of any size becomes a digit made the way MNIST's were."""
import numpy as np
import pytest
from scipy import ndimage

from cnnlib import preprocess_drawing
from cnnlib.data import load_mnist
from cnnlib.preprocess import BOX_SIZE, CENTRE, centre_of_mass

(X_TRAIN, Y_TRAIN), (X_TEST, Y_TEST) = load_mnist()
DIGITS = X_TEST[::100, 0].astype(np.float64)            # 20 test digits, two of each class


def on_canvas(digit, zoom, offset, shape=(200, 150), order=1):
    """The digit enlarged ``zoom`` times (pixel copies when order is None, else spline interpolation)
    and pasted into an empty canvas at ``offset`` (row, column): a digit drawn big and off-centre."""
    if order is None:
        big = np.kron(digit, np.ones((zoom, zoom)))
    else:
        big = np.clip(ndimage.zoom(digit, zoom, order=order), 0, 1)
    canvas = np.zeros(shape)
    canvas[offset[0]:offset[0] + big.shape[0], offset[1]:offset[1] + big.shape[1]] = big
    return canvas


def ink_box(image, threshold=0.0):
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_output_is_a_28_by_28_float_image_in_0_1():
    digit = preprocess_drawing(on_canvas(DIGITS[0], 3, (10, 20)))
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() >= 0 and digit.max() <= 1


def test_a_shipped_digit_comes_back_unchanged():
    # MNIST's recipe applied to an MNIST digit: its box is already 20 long, its centre of mass within
    # half a pixel of (14, 14), so nothing moves.
    for digit in X_TRAIN[:500, 0]:
        assert np.array_equal(preprocess_drawing(digit), digit)


def test_a_digit_enlarged_3x_by_copying_pixels_gives_exactly_the_same_image():
    # The same picture on a finer grid: area averaging undoes the enlargement wherever it sits.
    for offset in [(0, 0), (30, 40), (116, 66)]:
        for digit in DIGITS:
            moved = on_canvas(digit, 3, offset, order=None)
            assert np.array_equal(preprocess_drawing(moved), preprocess_drawing(digit))


@pytest.mark.parametrize("zoom, offset, order", [(3, (30, 40), 1), (3, (100, 5), 3), (2.5, (50, 20), 1),
                                                 (4.2, (0, 0), 3)])
def test_a_digit_redrawn_smoothly_bigger_and_elsewhere_preprocesses_to_nearly_the_same_image(zoom, offset, order):
    # Smooth enlargement (spline interpolation) changes the strokes' edges and, after the whole-pixel
    # shift, can move the digit by up to half a pixel against the original: close, not equal.
    differences = [np.abs(preprocess_drawing(on_canvas(d, zoom, offset, order=order)) - preprocess_drawing(d)).mean()
                   for d in DIGITS]
    assert np.mean(differences) < 0.05 and np.max(differences) < 0.1


def test_the_centre_of_mass_is_within_half_a_pixel_of_14_14_in_index_coordinates():
    # Convention: pixel (r, c) sits at (r, c), so the 28 x 28 grid's middle is (13.5, 13.5), but MNIST
    # puts the centre of mass at (14, 14) (the shipped digits average (14.00, 14.01)), by whole-pixel shifts.
    shipped = np.array([centre_of_mass(d) for d in X_TRAIN[:2000, 0]])
    assert np.allclose(shipped.mean(axis=0), CENTRE, atol=0.05) and np.all(np.abs(shipped - CENTRE) <= 0.5)
    drawings = [on_canvas(d, 2.5, (0, 0)) for d in DIGITS] + [on_canvas(d, 3, (110, 60), order=None) for d in DIGITS]
    for drawing in drawings:
        row, col = centre_of_mass(preprocess_drawing(drawing))
        assert abs(row - CENTRE) <= 0.5 and abs(col - CENTRE) <= 0.5


@pytest.mark.parametrize("height, width", [(120, 12), (12, 120), (60, 60), (80, 30), (5, 3)])
def test_the_bounding_box_fits_20_by_20_and_keeps_its_aspect_ratio(height, width):
    canvas = np.zeros((200, 220))
    canvas[40:40 + height, 50:50 + width] = 1.0              # a solid bar or block
    digit = preprocess_drawing(canvas)
    rows, cols = ink_box(digit, threshold=0.5)                # pixels at least half covered
    long_side, short_side = max(rows, cols), min(rows, cols)
    assert long_side == BOX_SIZE
    assert abs(short_side - BOX_SIZE * min(height, width) / max(height, width)) <= 1
    assert (rows >= cols) == (height >= width)
    assert np.isclose(digit.sum(), BOX_SIZE ** 2 * min(height, width) / max(height, width), rtol=1e-4)


def test_area_averaging_sees_every_pixel_unlike_nearest_neighbour():
    # A thin line 1 pixel wide in a 280-pixel drawing shrinks to a faint grey line, not to nothing.
    canvas = np.zeros((280, 280))
    canvas[20:260, 140] = 1.0
    canvas[20, 60:200] = 1.0
    digit = preprocess_drawing(canvas)
    assert 0 < digit.max() < 0.5
    assert np.isclose(digit.sum(), canvas.sum() * (BOX_SIZE / 240) ** 2, rtol=1e-4)   # ink is conserved


def test_errors_are_clear():
    with pytest.raises(ValueError, match="draw a digit first"):
        preprocess_drawing(np.zeros((280, 280)))
    with pytest.raises(ValueError, match="H x W"):
        preprocess_drawing(np.ones((1, 28, 28)))
    with pytest.raises(ValueError, match="H x W"):
        preprocess_drawing(np.ones(28))
    with pytest.raises(ValueError, match="NaN"):
        preprocess_drawing(np.full((28, 28), np.nan))
    with pytest.raises(ValueError, match=r"\[0, 1\].*divide by 255"):
        preprocess_drawing(np.full((28, 28), 200.0))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        preprocess_drawing(-np.ones((28, 28)))
    with pytest.raises(ValueError, match="numbers"):
        preprocess_drawing(np.array([["a", "b"], ["c", "d"]]))


def test_boolean_and_integer_drawings_are_accepted():
    canvas = np.zeros((50, 40), dtype=bool)
    canvas[10:40, 18:22] = True
    assert np.allclose(preprocess_drawing(canvas), preprocess_drawing(canvas.astype(np.uint8)))


@pytest.fixture(scope="module")
def small_lenet():
    """LeNet-5 trained for one epoch on 2,000 training digits: enough to read most digits."""
    from cnnlib.nn import lenet5
    from cnnlib.optim import Adam
    from cnnlib.train import fit
    model = lenet5(rng=0)
    fit(model, np.pad(X_TRAIN[:2000], ((0, 0), (0, 0), (2, 2), (2, 2))), Y_TRAIN[:2000], epochs=1, batch_size=64,
        optimizer=Adam(3e-3), progress=False)
    return model


@pytest.mark.slow
def test_a_moved_and_enlarged_digit_gets_the_same_prediction(small_lenet):
    from cnnlib.train import predict

    def guesses(drawings):
        batch = np.stack([np.pad(preprocess_drawing(d), 2) for d in drawings])[:, None]
        return predict(small_lenet, batch).argmax(axis=1)

    original = guesses(DIGITS)
    assert np.mean(original == Y_TEST[::100]) >= 0.8                           # the model reads digits
    assert np.array_equal(guesses([on_canvas(d, 3, (30, 40), order=None) for d in DIGITS]), original)
    smooth = guesses([on_canvas(d, 2.5, (50, 20)) for d in DIGITS])
    assert np.sum(smooth != original) <= 1                 # a one-epoch model may waver on a borderline digit
