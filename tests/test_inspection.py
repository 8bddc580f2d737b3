"""cnnlib.inspection: what a trained network computes, measured (notebook 10's last sections)."""
import numpy as np
import pytest

from cnnlib import inspection
from cnnlib.data import load_mnist
from cnnlib.nn import Flatten, ReLU, Sequential, lenet5
from cnnlib.train import confusion_matrix, predict

LENET_SHAPES = [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5)]


@pytest.fixture(scope="module")
def data():
    (x, y), (x_test, y_test) = load_mnist(pad_to=32)
    return x[:512], y[:512], x_test[::10], y_test[::10]


def test_layer_stages_name_each_map_worth_drawing():
    assert inspection.layer_stages(lenet5()) == [("conv1 + ReLU", 1), ("pool1", 2), ("conv2 + ReLU", 4),
                                                 ("pool2", 5)]
    assert inspection.layer_stages(lenet5("tanh", "avg"))[0] == ("conv1 + tanh", 1)
    assert inspection.layer_stages(Sequential(ReLU(), Flatten())) == []


def test_feature_map_stages_follow_the_forward_pass(data):
    _, _, x_test, _ = data
    model = lenet5()
    stages = inspection.feature_map_stages(model, x_test[0])
    assert [maps.shape for _, maps in stages] == [(1, 32, 32)] + LENET_SHAPES
    np.testing.assert_allclose(inspection.predicted_probabilities(model, x_test[0]), predict(model, x_test[:1])[0],
                               rtol=1e-6)
    with pytest.raises(ValueError, match="image"):
        inspection.feature_map_stages(model, np.zeros((28, 28)))


def test_most_confused_pairs_counts_both_directions():
    counts = confusion_matrix(np.array([4, 4, 9, 9, 9, 3, 5, 1]), np.array([9, 4, 4, 4, 9, 5, 3, 7]), 10)
    assert inspection.most_confused_pairs(counts, top=3) == [(3, 4, 9), (2, 3, 5), (1, 1, 7)]
    with pytest.raises(ValueError, match="counts"):
        inspection.most_confused_pairs(np.zeros((2, 3)))


def test_strongest_patches_are_the_windows_with_the_largest_response(data):
    _, _, x_test, _ = data
    model = lenet5(rng=5)
    images = x_test[:20]
    means, correlations = inspection.strongest_patches(model, images, top=1)
    response = model.layers[0].forward(images)
    assert means.shape == (6, 5, 5) and correlations.shape == (6,)
    for k in range(6):
        n, i, j = np.unravel_index(np.argmax(response[:, k]), response[:, k].shape)
        np.testing.assert_array_equal(means[k], images[n, 0, i:i + 5, j:j + 5])
    assert np.all(np.abs(correlations) <= 1)
    with pytest.raises(ValueError, match="top"):
        inspection.strongest_patches(model, images, top=20 * 28 * 28 + 1)


def test_weight_changes_measure_how_far_training_moved_each_layer():
    before, after = lenet5(rng=0), lenet5(rng=0)
    unchanged = inspection.weight_changes(before, after)
    assert [name for name, _, _ in unchanged] == ["0.weight", "3.weight", "7.weight", "9.weight", "11.weight"]
    assert all(change == 0 and correlation == pytest.approx(1) for _, change, correlation in unchanged)
    after.layers[0].params["weight"] *= 3                      # triple conv1: moved by twice its size
    name, change, correlation = inspection.weight_changes(before, after)[0]
    assert change == pytest.approx(2) and correlation == pytest.approx(1)
    with pytest.raises(ValueError, match="same architecture"):
        inspection.weight_changes(before, lenet5(num_classes=5))
