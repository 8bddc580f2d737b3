"""The volume view: drive its controls and check what it shows against independent computations."""
import numpy as np
import pytest
from scipy import signal

from cnnlib.data import sample_image
from cnnlib.widgets import volume_view
from cnnlib.widgets.volume import FILTER_PRESETS, preset_filter


def correlate_volume(volume, filter_, bias):
    """A 3D filter on a C x H x W volume, from scipy: valid 2D cross-correlation per channel, summed."""
    return sum(signal.correlate2d(volume[c], filter_[c], mode="valid") for c in range(3)) + bias


def test_default_view_shows_hopper_and_the_red_edges_filter():
    view = volume_view(size=32)
    shown = view.shown
    assert shown["image_name"] == "hopper" and shown["preset"] == "red edges"
    image = sample_image("hopper", size=32, gray=False)
    np.testing.assert_allclose(shown["image"], image)
    np.testing.assert_allclose(shown["volume"], image.transpose(2, 0, 1))
    assert shown["filter"].shape == (3, 5, 5)
    assert shown["output"].shape == (28, 28)
    assert shown["shape_text"] == "32x32x3 image * 5x5x3 filter -> 28x28x1 map"
    assert shown["warning"] == ""


def test_each_contribution_is_one_channel_with_its_own_slice():
    view = volume_view(size=24)
    view.controls["preset"].value = "random"
    shown = view.shown
    for c in range(3):
        expected = signal.correlate2d(shown["volume"][c], shown["filter"][c], mode="valid")
        np.testing.assert_allclose(shown["contributions"][c], expected, rtol=1e-5, atol=1e-6)


def test_sum_of_contributions_plus_bias_equals_the_volume_convolution():
    view = volume_view(size=24)
    view.controls["bias"].value = 0.35
    shown = view.shown
    expected = correlate_volume(shown["volume"], shown["filter"], 0.35)
    np.testing.assert_allclose(shown["output"], expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(shown["sum"], expected, rtol=1e-5, atol=1e-5)
    assert shown["bias"] == 0.35
    assert shown["max_difference"] < 1e-5


def test_changing_the_bias_shifts_the_map_and_keeps_the_contributions():
    view = volume_view(size=24)
    before = view.shown["output"].copy()
    contributions = view.shown["contributions"].copy()
    view.controls["bias"].value = -0.5
    np.testing.assert_allclose(view.shown["output"], before - 0.5, atol=1e-6)
    np.testing.assert_allclose(view.shown["contributions"], contributions)


def test_changing_the_preset_changes_the_filter_and_the_map():
    view = volume_view(size=24)
    for name in FILTER_PRESETS:
        view.controls["preset"].value = name
        shown = view.shown
        np.testing.assert_allclose(shown["filter"], preset_filter(name))
        np.testing.assert_allclose(shown["output"], correlate_volume(shown["volume"], shown["filter"], 0.0),
                                   rtol=1e-5, atol=1e-5)


def test_presets_do_what_their_names_say():
    assert np.all(preset_filter("red edges")[1:] == 0)
    assert np.isclose(preset_filter("red edges")[0].sum(), 0)          # flat red gives zero
    blur = preset_filter("luminance blur")
    np.testing.assert_allclose(blur.sum(axis=(1, 2)), [0.299, 0.587, 0.114])
    difference = preset_filter("green minus blue")
    np.testing.assert_allclose(difference[1], -difference[2])
    edges = preset_filter("vertical edges")
    assert np.allclose(edges.sum(axis=(1, 2)), 0) and np.all(edges[:, :, -1] > 0)


def test_green_minus_blue_is_positive_on_green_and_negative_on_blue():
    image = np.zeros((12, 12, 3))
    image[:, :6, 1] = 1.0           # left half green, right half blue
    image[:, 6:, 2] = 1.0
    shown = volume_view(image, "green minus blue").shown
    assert np.allclose(shown["output"][:, :2], 1.0) and np.allclose(shown["output"][:, -2:], -1.0)


def test_the_seed_only_matters_for_the_random_filter():
    view = volume_view(size=16)
    assert view.controls["seed"].disabled
    view.controls["preset"].value = "random"
    assert not view.controls["seed"].disabled
    first = view.shown["filter"].copy()
    view.controls["seed"].value = 7
    assert not np.allclose(view.shown["filter"], first)
    np.testing.assert_allclose(view.shown["filter"], preset_filter("random", seed=7))


def test_changing_the_image_reloads_every_panel():
    view = volume_view(size=20)
    view.controls["image"].value = "checkerboard"
    shown = view.shown
    assert shown["image_name"] == "checkerboard"
    np.testing.assert_allclose(shown["image"], sample_image("checkerboard", size=20, gray=False))
    np.testing.assert_allclose(shown["output"], correlate_volume(shown["volume"], shown["filter"], 0.0),
                               rtol=1e-5, atol=1e-5)


def test_custom_image_and_filter_are_offered_as_choices():
    rng = np.random.default_rng(0)
    image, filter_ = rng.random((10, 9, 3)), rng.normal(size=(3, 3, 3))
    view = volume_view(image, filter_, bias=0.2)
    assert view.controls["image"].value == "your image"
    assert view.controls["preset"].value == "custom"
    assert view.shown["output"].shape == (8, 7)
    np.testing.assert_allclose(view.shown["output"],
                               correlate_volume(image.transpose(2, 0, 1), filter_, 0.2), atol=1e-9)


def test_a_filter_larger_than_the_image_shows_a_warning_not_a_traceback():
    view = volume_view(np.random.default_rng(1).random((4, 4, 3)))
    assert view.shown["output"] is None
    assert "larger than the padded input" in view.shown["warning"]
    view.controls["bias"].value = 0.5            # still no traceback on the bias-only path
    assert view.shown["output"] is None and view.shown["warning"]


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(image="moon"), ValueError, "image must be one of"),
    (dict(image=np.zeros((8, 8))), ValueError, "H x W x 3"),
    (dict(image=np.full((8, 8, 3), 2.0)), ValueError, r"lie in \[0, 1\]"),
    (dict(filter=np.zeros((2, 5, 5))), ValueError, "spans the full depth"),
    (dict(filter="sharpen"), ValueError, "filter must be one of"),
    (dict(bias="big"), TypeError, "bias must be a finite number"),
    (dict(bias=3.0), ValueError, "bias must be a finite number from -1 to 1"),
    (dict(size=4), ValueError, "size must be an integer from 8"),
])
def test_bad_arguments_name_the_argument(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        volume_view(**kwargs)


def test_preset_filter_rejects_unknown_names():
    with pytest.raises(ValueError, match="name must be one of"):
        preset_filter("sepia")


def test_static_figures_of_notebook_03_draw_the_maps_conv2d_computes():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from cnnlib.conv import channel_contributions
    from cnnlib.plots import volumes as vplots

    photo = sample_image("shapes", size=24, gray=False)
    volume = photo.transpose(2, 0, 1)
    filter_ = preset_filter("green minus blue", size=3)
    parts = channel_contributions(volume, filter_)
    for c in range(3):
        np.testing.assert_allclose(parts[c], signal.correlate2d(volume[c], filter_[c], mode="valid"),
                                   rtol=1e-5, atol=1e-6)
    fig = vplots.contributions_figure(volume, filter_, bias=0.1)
    summed = [im.get_array() for ax in fig.axes for im in ax.get_images() if "conv2d" in ax.get_title()]
    np.testing.assert_allclose(summed[0], correlate_volume(volume, filter_, 0.1), rtol=1e-5, atol=1e-5)
    bank = np.stack([preset_filter(name, size=3) for name in FILTER_PRESETS])
    fig_bank = vplots.filter_bank_figure(volume, bank, names=list(FILTER_PRESETS))
    assert [ax.get_title() for ax in fig_bank.axes[:len(FILTER_PRESETS)]] == list(FILTER_PRESETS)
    fig_diagram, ax = plt.subplots()
    vplots.volume_diagram(ax, size=32, kernel=5, filters=6)
    texts = [t.get_text() for t in ax.texts]
    assert "output 28x28x6" in texts and "75 products + bias = 1 number" in texts
    with pytest.raises(ValueError, match="same C"):
        channel_contributions(volume, filter_[:2])
    plt.close("all")
