"""Looking inside a trained network (notebook 10): its feature maps, its mistakes, its filters.

Plain numpy on top of ``cnnlib.nn``; ``cnnlib.plots.training`` and the training dashboard draw
what these functions compute (feature maps tiled into one picture by :func:`tile_maps`).
"""
import math

import numpy as np

from . import nn
from ._checks import as_positive_int
from .activations import ACTIVATIONS
from .losses import softmax
from .nn import AvgPool2D, Conv2D, Dropout, MaxPool2D, Sequential

__all__ = ["as_single_image", "layer_stages", "feature_map_stages", "predicted_probabilities",
           "most_confused_pairs", "first_layer", "weight_changes", "strongest_patches", "grid_shape",
           "tile_maps", "tile_gaps"]

# Every activation layer cnnlib.nn has, with its label, read from the one record in cnnlib.activations.
ACTIVATION_NAMES = {getattr(nn, a.layer): a.label for a in ACTIVATIONS.values() if a.layer is not None}
POOL_NAMES = {MaxPool2D: "max pool", AvgPool2D: "avg pool"}


def _check_model(model):
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a cnnlib.nn.Sequential such as cnnlib.nn.lenet5(), got {type(model).__name__}")
    return model


def as_single_image(image, model):
    """One input as C x H x W (an H x W array gets a channel axis), checked against the model's input shape.

    Inputs:   image  H x W or C x H x W array of numbers
              model  a cnnlib.nn.Sequential (its ``input_shape``, if set, is checked)
    Returns:  the image as a C x H x W array (same dtype)

    >>> from cnnlib.nn import lenet5
    >>> as_single_image(np.zeros((32, 32)), lenet5(rng=0)).shape
    (1, 32, 32)
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[np.newaxis]
    if image.ndim != 3 or not np.issubdtype(image.dtype, np.number):
        raise ValueError(f"image must be one image, H x W or C x H x W numbers, got shape {image.shape}")
    expected = getattr(model, "input_shape", None)
    if expected is not None and image.shape != tuple(expected):
        raise ValueError(f"image must have the model's input shape {tuple(expected)}, got {image.shape}")
    return image


def layer_stages(model):
    """[(name, layer index)] of the outputs worth drawing as feature maps, in order.

    Each convolution is shown after its activation ("conv1 + ReLU": what the next layer sees),
    each pooling layer as is ("pool1"). Drawing stops at the first output that is not a stack of
    maps (Flatten). For LeNet-5: conv1 + ReLU (layer 1), pool1 (2), conv2 + ReLU (4), pool2 (5).

    Inputs:   model  a cnnlib.nn.Sequential
    Returns:  a list of (name, layer index) pairs, (str, int)

    >>> from cnnlib.nn import lenet5
    >>> layer_stages(lenet5(rng=0))
    [('conv1 + ReLU', 1), ('pool1', 2), ('conv2 + ReLU', 4), ('pool2', 5)]
    """
    layers = _check_model(model).layers
    stages, convs, pools = [], 0, 0
    for i, layer in enumerate(layers):
        if isinstance(layer, Conv2D):
            convs += 1
            after = layers[i + 1] if i + 1 < len(layers) else None
            if type(after) in ACTIVATION_NAMES:
                stages.append((f"conv{convs} + {ACTIVATION_NAMES[type(after)]}", i + 1))
            else:
                stages.append((f"conv{convs}", i))
        elif type(layer) in POOL_NAMES:
            pools += 1
            stages.append((f"pool{pools}", i))
        elif not isinstance(layer, (*ACTIVATION_NAMES, Dropout)):
            break                   # Flatten or Dense: the maps have ended
    return stages


def feature_map_stages(model, image):
    """The image and its feature maps: [("input", C x H x W), ("conv1 + ReLU", 6 x 28 x 28), ...].

    One forward pass (``model.layer_outputs``, evaluation mode) of a single image; see :func:`layer_stages`.

    Inputs:   model  a cnnlib.nn.Sequential, e.g. LeNet-5
              image  one input, H x W or C x H x W (1 x 32 x 32 for LeNet-5)
    Returns:  a list of (name, C x H x W array) pairs, the input first

    >>> from cnnlib.nn import lenet5
    >>> [(name, maps.shape) for name, maps in feature_map_stages(lenet5(rng=0), np.zeros((32, 32)))]
    [('input', (1, 32, 32)), ('conv1 + ReLU', (6, 28, 28)), ('pool1', (6, 14, 14)),
     ('conv2 + ReLU', (16, 10, 10)), ('pool2', (16, 5, 5))]
    """
    image = as_single_image(image, _check_model(model))
    outputs = model.layer_outputs(image[np.newaxis])
    return [("input", image)] + [(name, outputs[i][0]) for name, i in layer_stages(model)]


def grid_shape(count):
    """(rows, columns) to tile ``count`` feature maps in a near-square block, taller than wide.

    Inputs:   count  int >= 1, the number of maps
    Returns:  (rows, columns), ints with rows * columns >= count

    >>> grid_shape(6), grid_shape(16)                    # LeNet-5's conv1 and conv2 maps
    ((3, 2), (4, 4))
    """
    count = as_positive_int(count, "count")
    rows = math.ceil(math.sqrt(count))
    return rows, math.ceil(count / rows)


def tile_maps(maps, rows, cols, gap=1):
    """C maps laid out row by row in one array, to draw a layer's feature maps as one picture;
    the gaps between them and the unused cells are NaN (:func:`tile_gaps` says where, so a NaN
    inside a map stays told apart from a blank).

    Inputs:   maps       C x H x W array, C <= rows * cols
              rows, cols the grid, e.g. from :func:`grid_shape`;  gap  pixels between maps
    Returns:  (rows*H + (rows-1)*gap) x (cols*W + (cols-1)*gap) float array

    >>> tile_maps(np.ones((3, 1, 1)), 2, 2)              # three 1 x 1 maps in a 2 x 2 grid
    array([[ 1., nan,  1.],
           [nan, nan, nan],
           [ 1., nan, nan]])
    """
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3:
        raise ValueError(f"maps must be C x H x W, got shape {maps.shape}")
    count, height, width = maps.shape
    if count > rows * cols:
        raise ValueError(f"{count} maps do not fit a {rows} x {cols} grid")
    tiled = np.full((rows * height + (rows - 1) * gap, cols * width + (cols - 1) * gap), np.nan)
    for k in range(count):
        r, c = divmod(k, cols)
        tiled[r * (height + gap):r * (height + gap) + height, c * (width + gap):c * (width + gap) + width] = maps[k]
    return tiled


def tile_gaps(maps_shape, rows, cols, gap=1):
    """The cells of :func:`tile_maps`'s layout that hold no map (gaps and unused cells), True there:
    the ``gaps`` of :func:`cnnlib.render.colour`, so a NaN inside a map is told from a blank.

    Inputs:   maps_shape  (C, H, W), the shape of the maps tiled
              rows, cols, gap  as for :func:`tile_maps`
    Returns:  boolean array of the tiled shape, (rows*H + gaps) x (cols*W + gaps)

    >>> tile_gaps((3, 1, 1), 2, 2).astype(int)            # three 1 x 1 maps in a 2 x 2 grid
    array([[0, 1, 0],
           [1, 1, 1],
           [0, 1, 1]])
    """
    return np.isnan(tile_maps(np.zeros(maps_shape), rows, cols, gap))


def most_confused_pairs(counts, top=5):
    """The ``top`` unordered pairs of classes mixed up most often, as (mistakes, a, b) with a < b,
    counting both directions (a taken for b and b taken for a); largest first, ties by digit.

    Inputs:   counts  C x C confusion matrix (integers; [true, predicted])
              top     positive int
    Returns:  a list of at most ``top`` (mistakes, a, b) int triples

    >>> counts = np.array([[5, 2, 0],
    ...                    [3, 5, 1],
    ...                    [0, 0, 9]])
    >>> most_confused_pairs(counts, top=2)          # 0 and 1: 2 + 3 mistakes; 1 and 2: 1 + 0
    [(5, 0, 1), (1, 1, 2)]
    """
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"counts must be a square C x C confusion matrix, got shape {counts.shape}")
    both_ways = counts + counts.T
    pairs = [(int(both_ways[a, b]), a, b) for a in range(len(counts)) for b in range(a + 1, len(counts))]
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    return pairs[:as_positive_int(top, "top")]


def first_layer(model):
    """The model's first layer, checked to be a Conv2D on one input channel (LeNet-5's conv1).

    Inputs:   model  a cnnlib.nn.Sequential
    Returns:  its first layer, a cnnlib.nn.Conv2D (weights K x 1 x kh x kw)

    >>> from cnnlib.nn import lenet5
    >>> first_layer(lenet5(rng=0)).params["weight"].shape
    (6, 1, 5, 5)
    """
    first = _check_model(model).layers[0]
    if not isinstance(first, Conv2D) or first.in_channels != 1:
        raise ValueError("the model's first layer must be a Conv2D on one input channel (like LeNet-5's conv1)")
    return first


def weight_changes(before, after):
    """How far training moved each weight array: [(name, relative change, correlation)] with

        relative change = ||W_after - W_before|| / ||W_before||,   correlation = corr(W_before, W_after)

    over the entries of every weight array (biases start at 0, so they are left out).

    Inputs:   before, after  two cnnlib.nn.Sequential models of the same architecture
    Returns:  a list of (parameter name, float, float), one per weight array

    >>> from cnnlib.nn import lenet5
    >>> before, after = lenet5(rng=0), lenet5(rng=0)
    >>> for _, w in after.named_parameters():
    ...     w *= 2                                  # every weight doubled: moved by its own length
    >>> [(name, round(change, 6), round(corr, 6)) for name, change, corr in weight_changes(before, after)][:2]
    [('0.weight', 1.0, 1.0), ('3.weight', 1.0, 1.0)]
    """
    rows = []
    for (name, w0), (other, w1) in zip(_check_model(before).named_parameters(), _check_model(after).named_parameters()):
        if name != other or w0.shape != w1.shape:
            raise ValueError(f"before and after must be the same architecture; {name} {w0.shape} vs {other} {w1.shape}")
        if name.endswith("weight"):
            w0, w1 = w0.astype(np.float64).ravel(), w1.astype(np.float64).ravel()
            rows.append((name, float(np.linalg.norm(w1 - w0) / np.linalg.norm(w0)), float(np.corrcoef(w0, w1)[0, 1])))
    return rows


def strongest_patches(model, images, top=50):
    """What each conv1 filter responds to, measured on data.

    For filter k: the ``top`` input windows (over all ``images``, N x 1 x H x W) where its response
    (weighted sum plus bias) is largest, averaged into one kh x kw patch. Returns (mean patches
    K x kh x kw, correlation of each mean patch with its filter after subtracting both means).

    Inputs:   model   a cnnlib.nn.Sequential whose first layer is an unpadded Conv2D on one channel
              images  N x 1 x H x W array
              top     positive int, at most the N x H_O x W_O windows
    Returns:  (patches K x kh x kw float array, correlations (K,) float64 array)

    >>> from cnnlib.nn import lenet5
    >>> images = np.random.default_rng(0).random((2, 1, 32, 32))
    >>> patches, correlations = strongest_patches(lenet5(rng=0), images, top=3)
    >>> patches.shape, correlations.shape           # conv1: 6 filters of 5 x 5
    ((6, 5, 5), (6,))
    """
    layer = first_layer(model)
    if layer.padding != (0, 0):
        raise ValueError("strongest_patches needs a first layer without padding (windows must lie inside the image)")
    images = np.asarray(images)
    response = layer.forward(images)                                  # N x K x H_O x W_O
    top = as_positive_int(top, "top")
    if top > response[:, 0].size:
        raise ValueError(f"top must be at most the {response[:, 0].size} windows in the images, got {top}")
    (kh, kw), (sh, sw) = layer.kernel_size, layer.stride
    means, correlations = [], []
    for k, weights in enumerate(layer.params["weight"][:, 0]):
        best = np.argpartition(response[:, k].ravel(), -top)[-top:]
        n, i, j = np.unravel_index(best, response[:, k].shape)
        rows = (i * sh)[:, None, None] + np.arange(kh)[None, :, None]
        cols = (j * sw)[:, None, None] + np.arange(kw)[None, None, :]
        mean = images[n[:, None, None], 0, rows, cols].mean(axis=0)
        a, b = (mean - mean.mean()).ravel(), (weights - weights.mean()).ravel()
        means.append(mean)
        correlations.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) or 1.0)))
    return np.stack(means), np.array(correlations)


def predicted_probabilities(model, image):
    """softmax of the model's scores for one image (the same numbers as ``cnnlib.train.predict``).

    Inputs:   model  a cnnlib.nn.Sequential giving C scores
              image  one input, H x W or C x H x W
    Returns:  (C,) array of probabilities, summing to 1

    >>> from cnnlib.nn import lenet5
    >>> predicted_probabilities(lenet5(rng=0), np.zeros((32, 32))).round(2)   # blank image, zero biases: all 1/10
    array([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    """
    image = as_single_image(image, _check_model(model))
    return softmax(model.forward(image[np.newaxis])[0])
