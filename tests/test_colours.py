"""The series' colours: one colour-blind-safe categorical palette, and figures that use only it.

1. The palette (``cnnlib.plots.PALETTE``, Okabe and Ito's) stays apart under simulated colour-vision
   deficiency: for deuteranopia, protanopia and tritanopia (colorspacious's ``sRGB1+CVD`` space,
   severity 100, the full dichromacy) every pair of its colours is at least ``MIN_DISTANCE`` apart
   in CAM02-UCS, and so is every pair under normal vision. Measured: 14.8 (deuteranopia), 14.0
   (protanopia), 11.0 (tritanopia), 20.8 (normal). matplotlib's default tab10 fails: 4.3, 1.6 (its
   orange and green), 9.4.

   Why 10: a CAM02-UCS distance of 1 is about one just-noticeable difference between two large
   patches side by side; lines, markers and the legend's short samples are small and far apart,
   where the difference needed is several times larger (Stone, Szafir and Setlur, "An engineering
   model for color difference as a function of size", 2014). 10 leaves that margin: every pair the
   palette's authors meant to be told apart clears it, and the confusions that make tab10 unusable
   (1.6 to 9.4) fall below it.

2. Every figure function of ``cnnlib.plots`` is drawn with small inputs, and every colour its lines,
   markers, patches and collections use (not those that come through a colour map: images, filled
   contours, colour bars) is a palette colour, a pastel of one (mixed with white, possibly shaded
   on the darker faces of a box drawn in 3D), a grey, black or white, or a sample of the series'
   sequential maps (viridis, cividis). The same for the matplotlib figures the explorers draw.
"""
import gc
import importlib
import inspect
import itertools
import pkgutil
from types import SimpleNamespace

import colorspacious
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import Collection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

import cnnlib.plots as plots  # noqa: E402

MIN_DISTANCE = 10.0
CVD_TYPES = {"deuteranopia": "deuteranomaly", "protanopia": "protanomaly", "tritanopia": "tritanomaly"}
TAB10 = [matplotlib.colors.to_hex(c) for c in matplotlib.colormaps["tab10"].colors]
TOLERANCE = 0.02                   # per RGB channel (0..1): what PNG rounding and alpha blending leave
SEQUENTIAL_MAPS = ("viridis", "cividis")


# --- 1. the palette -------------------------------------------------------------------------------

def min_distance(colours, cvd=None):
    """The smallest CAM02-UCS distance between two of ``colours`` as a viewer with ``cvd`` (a key of
    CVD_TYPES, or None for normal vision) sees them, and that pair."""
    rgb = np.array([matplotlib.colors.to_rgb(c) for c in colours])
    if cvd is not None:
        space = {"name": "sRGB1+CVD", "cvd_type": CVD_TYPES[cvd], "severity": 100}
        rgb = np.clip(colorspacious.cspace_convert(rgb, space, "sRGB1"), 0, 1)
    jab = colorspacious.cspace_convert(rgb, "sRGB1", "CAM02-UCS")
    return min((float(np.linalg.norm(jab[i] - jab[j])), (colours[i], colours[j]))
               for i, j in itertools.combinations(range(len(colours)), 2))


def palette_problems(colours):
    """Every vision (normal and the three dichromacies) under which two colours come closer than
    MIN_DISTANCE, with the distance and the pair; [] for a colour-blind-safe palette."""
    problems = []
    for cvd in (None, *CVD_TYPES):
        distance, pair = min_distance(list(colours), cvd)
        if distance < MIN_DISTANCE:
            problems.append((cvd or "normal vision", round(distance, 1), pair))
    return problems


def test_the_palette_stays_apart_for_colour_blind_readers():
    colours = list(plots.PALETTE.values())
    assert len(colours) == len(set(colours)) == 7
    assert palette_problems(colours) == []
    measured = {cvd: round(min_distance(colours, cvd)[0], 1) for cvd in CVD_TYPES}
    assert measured == {"deuteranopia": 14.8, "protanopia": 14.0, "tritanopia": 11.0}


def test_the_check_rejects_matplotlibs_default_tab10():
    problems = {vision: (distance, pair) for vision, distance, pair in palette_problems(TAB10)}
    assert problems["protanopia"] == (1.6, ("#ff7f0e", "#2ca02c"))      # tab:orange and tab:green
    assert set(problems) == {"deuteranopia", "protanopia", "tritanopia"}
    # ... and the four colours the series used most (blue, orange, green, red) fail as well.
    assert palette_problems(TAB10[:4])


def test_the_projector_style_cycles_the_palette_with_line_styles():
    cycle = plots.PROJECTOR_RC["axes.prop_cycle"].by_key()
    assert cycle["color"] == list(plots.PALETTE.values())
    assert len(set(map(str, cycle["linestyle"]))) == len(cycle["color"])     # each colour its own dashes
    with matplotlib.rc_context(plots.PROJECTOR_RC):
        fig = Figure()
        ax = fig.subplots()
        first, second = ax.plot([0, 1])[0], ax.plot([1, 0])[0]
    assert first.get_linestyle() != second.get_linestyle()
    assert plots.PROJECTOR_RC["figure.facecolor"] == plots.PROJECTOR_RC["savefig.facecolor"] == "white"


# --- 2. the colours every figure draws ------------------------------------------------------------

def _allowed_reason(rgb):
    """Why a colour is allowed ('' when it is not)."""
    rgb = np.asarray(rgb, dtype=float)
    if np.ptp(rgb) <= TOLERANCE:
        return "grey"
    for name, colour in plots.PALETTE.items():
        base = np.array(matplotlib.colors.to_rgb(colour))
        # A pastel: base mixed with white, t of the base (t = 1 is the colour itself), possibly
        # shaded: scaled by k towards black (the darker faces of a box drawn in 3D).
        for k in np.linspace(1.0, 0.5, 51):
            lit = rgb / k
            t = np.clip(np.dot(lit - 1, base - 1) / max(np.dot(base - 1, base - 1), 1e-12), 0, 1)
            if np.abs(k * (t * base + (1 - t)) - rgb).max() <= TOLERANCE:
                return name if k == 1.0 else f"shade of {name}"
    for cmap in SEQUENTIAL_MAPS:
        samples = matplotlib.colormaps[cmap](np.linspace(0, 1, 256))[:, :3]
        if np.abs(samples - rgb).max(axis=1).min() <= TOLERANCE:
            return cmap
    return ""


def _visible(alpha):
    return alpha is None or alpha > 0


def categorical_colours(fig):
    """{(r, g, b): where it was drawn} for every colour the figure's lines, markers, patches and
    collections use, leaving out what goes through a colour map (images, contours, colour bars)."""
    found = {}

    def add(colour, where):
        rgba = matplotlib.colors.to_rgba(colour)
        if rgba[3] == 0:
            return
        found.setdefault(tuple(round(v, 3) for v in rgba[:3]), where)

    for artist in fig.findobj():
        if not artist.get_visible() or artist is fig.patch:
            continue
        where = f"{type(artist).__name__} {artist.get_label() or ''}".strip()
        if isinstance(artist, Line2D):
            if artist.get_linestyle() not in ("None", "", " ") and artist.get_linewidth() > 0:
                add(artist.get_color(), where)
            if artist.get_marker() not in (None, "None", "", " "):
                for colour in (artist.get_markerfacecolor(), artist.get_markeredgecolor()):
                    if not (isinstance(colour, str) and colour == "none"):
                        add(colour, where)
        elif isinstance(artist, Patch):
            if artist.get_fill():
                add(artist.get_facecolor(), where)
            if artist.get_linewidth() > 0:
                add(artist.get_edgecolor(), where)
        elif isinstance(artist, Collection) and not isinstance(artist, AxesImage):
            if artist.get_array() is not None:          # coloured through a colour map
                continue
            for colour in (*artist.get_facecolor(), *artist.get_edgecolor()):
                add(colour, where)
    return found


def off_palette(fig):
    """The colours of ``fig`` that are neither the palette's (pastels, shades) nor grey nor a
    sequential map's, as {hex: where}."""
    return {matplotlib.colors.to_hex(rgb): where for rgb, where in categorical_colours(fig).items()
            if not _allowed_reason(rgb)}


def test_the_check_sees_tab10_in_a_figure():
    fig = Figure()
    ax = fig.subplots()
    ax.plot([0, 1], color="tab:orange")
    ax.bar([0, 1], [1, 2], color="tab:green")
    ax.scatter([0], [1], color="tab:red")
    assert set(off_palette(fig)) == {"#ff7f0e", "#2ca02c", "#d62728"}
    fig = Figure()
    fig.subplots().plot([0, 1], color=plots.ORANGE)
    assert off_palette(fig) == {}


# Small inputs for every figure function (each run under the projector style, as a notebook does).

def _data():
    from cnnlib.data import load_mnist, sample_image
    from cnnlib.nn import lenet5
    from cnnlib.optim import Adam
    from cnnlib.train import fit, predict
    (x_train, y_train), (x_test, y_test) = load_mnist(pad_to=32)
    model = lenet5(rng=0)
    history = fit(model, x_train[:64], y_train[:64], epochs=2, batch_size=32, optimizer=Adam(3e-3),
                  progress=False, validation_data=(x_test[:40], y_test[:40]))
    probabilities = predict(model, x_test[:40])
    digit = x_test[0, 0]
    photo = sample_image("hopper", size=24, gray=False)
    return dict(x=x_test[:40], y=y_test[:40], digit=digit, digit28=digit[2:30, 2:30], model=model,
                history=history, probabilities=probabilities, photo=photo, volume=photo.transpose(2, 0, 1))


@pytest.fixture(scope="module")
def data():
    return _data()


def _signed_paths():
    return [np.array([[1.2, 0.1 * k + 0.05], [0.6, 0.1 * k + 0.1], [0.1, 0.1 * k + 0.3]]) for k in range(4)]


def _figures(d):
    """name -> a function drawing that figure from the data ``d``; names as module.function."""
    from cnnlib import kernels
    from cnnlib.architectures import alexnet, lenet5_table
    from cnnlib.augment import elastic_field, warp
    from cnnlib.train import confusion_matrix
    from cnnlib.features import gradient_histogram, sobel_gradients
    from cnnlib.optim import OPTIMISERS, SURFACES, run_optimiser
    from cnnlib.plots import (activations, augment, backprop, beyond_lenet, connectivity, conv1d, conv2d,
                              equivariance, layer_stats, losses, optimisers, pointwise, pooling, regularisation,
                              shapes, training, volumes)
    from cnnlib.pooling import example_feature_map
    from cnnlib.widgets.conv1d import FLIGHT_READINGS, RECENCY_WEIGHTS
    from cnnlib.widgets.stepper import NOTES_IMAGE
    from cnnlib.widgets.volume import FILTER_PRESETS, preset_filter

    digit, digit28, x, y = d["digit"], d["digit28"], d["x"], d["y"]
    readings, weights = np.array(FLIGHT_READINGS), np.array(RECENCY_WEIGHTS)
    norms = {name: np.geomspace(1, 10.0 ** -k, 6) for k, name in enumerate(
        ("sigmoid", "tanh", "relu", "softplus", "relu (He)"))}
    maps = np.abs(np.random.default_rng(0).normal(size=(6, 6)))
    gx, gy = sobel_gradients(digit28)
    saddle = SURFACES["saddle"]
    runs = [(o, o, run_optimiser(saddle, o, (1.5, 0.01), 15, lr=0.05)) for o in OPTIMISERS]
    curves = {f"B = {b}": (np.arange(1, n + 1) * b, np.geomspace(1, 0.1, n)) for b, n in
              ((1, 600), (10, 60), (100, 20), (1000, 4))}
    wrong = np.flatnonzero(d["probabilities"].argmax(axis=1) != y)
    true_label = (int(d["probabilities"][0].argmax()) + 1) % 10          # a mistake: both bar colours show
    volume = d["volume"]
    bank = np.stack([preset_filter(name, size=3) for name in FILTER_PRESETS])
    layers = ["conv1", "conv2", "fc1", "fc2", "fc3", "fc4", "fc5", "fc6"]       # more layers than colours
    stats = SimpleNamespace(steps=[10, 20, 30], names=layers,
                            **{key: {name: [0.1, 0.2, 0.3] for name in layers} for key in
                               ("activation_mean", "activation_std", "gradient_std", "update_ratio")})

    def paths_on(ax, signed):
        losses.contour_with_paths(ax, lambda a, b: a ** 2 - b ** 2, _signed_paths(), list("abcd"),
                                  xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), signed=signed)
        return ax.figure

    def on_axes(draw):
        fig, ax = plt.subplots()
        draw(ax)
        return fig

    return {
        "activations.activation_figure": lambda: activations.activation_figure(),
        "activations.gradient_norm_figure": lambda: activations.gradient_norm_figure(norms),
        "activations.dropout_figure": lambda: activations.dropout_figure(maps, [maps, maps * 2], maps, 0.5),
        "augment.gallery_figure": lambda: augment.gallery_figure([digit28, digit28], ["a", "b"]),
        "augment.overlap_figure": lambda: augment.overlap_figure(
            digit28, warp(digit28[None, None], shift=(0, 2))[0, 0]),
        "augment.distortions_figure": lambda: augment.distortions_figure(digit28, rng=3, rows=2, columns=2),
        "augment.displacement_figure": lambda: augment.displacement_figure(
            digit28, elastic_field(2, digit28.shape, alpha=4, sigma=2, rng=0), ["a", "b"]),
        "backprop.chain_rule_figure": lambda: backprop.chain_rule_figure(),
        "backprop.pool_backward_figure": lambda: backprop.pool_backward_figure(
            np.arange(16.0).reshape(4, 4), np.array([[1.0, 2.0], [3.0, 4.0]])),
        "backprop.conv_backward_figure": lambda: backprop.conv_backward_figure(
            np.arange(16.0).reshape(4, 4), np.ones((2, 2)), np.ones((3, 3))),
        "backprop.gradient_flow_figure": lambda: backprop.gradient_flow_figure(
            backprop.FLOW_EXAMPLE, kernels.sobel_x(), (1, 2)),
        "backprop.kernel_learning_figure": lambda: backprop.kernel_learning_figure(
            np.geomspace(1, 1e-4, 20), {0: np.zeros((3, 3)), 19: kernels.sobel_x()}, kernels.sobel_x()),
        "beyond_lenet.training_comparison_figure": lambda: beyond_lenet.training_comparison_figure(
            {"plain": d["history"], "batch norm": d["history"]}, {"plain": 0.5, "batch norm": 0.6}, window=2),
        "beyond_lenet.growth_figure": lambda: beyond_lenet.growth_figure(
            {"LeNet-5": lenet5_table(), "AlexNet": alexnet()}, {"LeNet-5": 1998, "AlexNet": 2012}),
        "beyond_lenet.gradient_norms_figure": lambda: beyond_lenet.gradient_norms_figure(
            [1, 2, 4], [1.0, 0.3, 0.05], [1.0, 1.2, 1.5], 1.0),
        "connectivity.neuron_windows_figure": lambda: connectivity.neuron_windows_figure(),
        "connectivity.sparse_vs_dense_figure": lambda: connectivity.sparse_vs_dense_figure(),
        "connectivity.conv_matrix_figure": lambda: connectivity.conv_matrix_figure(),
        "connectivity.parameter_count_figure": lambda: connectivity.parameter_count_figure(),
        "connectivity.receptive_field_figure": lambda: connectivity.receptive_field_figure(),
        "connectivity.gradient_histogram_figure": lambda: connectivity.gradient_histogram_figure(
            digit28, gx, gy, gradient_histogram(digit28, 7, 9)),
        "conv1d.flight_table_figure": lambda: conv1d.flight_table_figure(readings, weights, 6),
        "conv1d.sliding_window_figure": lambda: conv1d.sliding_window_figure(readings, weights, 8, "full"),
        "conv1d.padding_modes_figure": lambda: conv1d.padding_modes_figure(readings, weights),
        "conv1d.impulse_response_figure": lambda: conv1d.impulse_response_figure([1.0, 2.0, 3.0]),
        "conv1d.smoothing_figure": lambda: conv1d.smoothing_figure(
            readings, {k: readings * (1 + 0.01 * i) for i, k in enumerate("abcd")}, truth=readings, warmup=2),
        "conv2d.conv2d_step_figure": lambda: conv2d.conv2d_step_figure(
            NOTES_IMAGE, kernels.sharpen(), padding=1, stride=2, position=(1, 2)),
        "conv2d.kernels_figure": lambda: conv2d.kernels_figure({n: kernels.by_name(n) for n in kernels.PRESETS}),
        "conv2d.kernel_effects_figure": lambda: conv2d.kernel_effects_figure(
            {"digit": digit28}, {"sharpen": kernels.sharpen(), "sobel x": kernels.sobel_x()}),
        "conv2d.profiles_figure": lambda: conv2d.profiles_figure(
            {k: np.arange(6.0) * (i + 1) for i, k in enumerate("abcd")}, title="profiles"),
        "equivariance.equivariance_figure": lambda: equivariance.equivariance_figure(
            np.pad(np.eye(4), 4), np.array([[1.0]]), 1, 2),
        "layer_stats.layer_stats_figure": lambda: layer_stats.layer_stats_figure(stats, steps_per_epoch=10),
        "losses.entropy_figure": lambda: losses.entropy_figure(),
        "losses.cross_entropy_figure": lambda: losses.cross_entropy_figure(
            np.array([0.7, 0.3]), np.array([0.4, 0.6]), ["heads", "tails"]),
        "losses.softmax_temperature_figure": lambda: losses.softmax_temperature_figure(np.array([1.3, 5.1, 2.2])),
        "losses.saturation_figure": lambda: losses.saturation_figure(),
        "losses.saddle_figure": lambda: losses.saddle_figure(_signed_paths(), list("abcd")),
        "losses.contour_with_paths (unsigned)": lambda: paths_on(plt.subplots()[1], signed=False),
        "losses.contour_with_paths (signed)": lambda: paths_on(plt.subplots()[1], signed=True),
        "losses.distribution_bars": lambda: on_axes(lambda ax: losses.distribution_bars(
            ax, np.array([0.5, 0.5]), np.array([0.2, 0.8]), ["a", "b"])),
        "optimisers.trajectories_figure": lambda: optimisers.trajectories_figure(saddle, runs),
        "optimisers.minibatch_figure": lambda: optimisers.minibatch_figure(
            [1, 10, 100, 1000], [1.0, 0.3, 0.1, 0.0], [1.0, 0.3, 0.1, 0.0], curves),
        "optimisers.schedule_figure": lambda: optimisers.schedule_figure(
            np.arange(4), {"constant": np.full(4, 0.05), "decayed": 0.05 * 0.5 ** np.arange(4)},
            {"constant": np.geomspace(1, 0.2, 8), "decayed": np.geomspace(1, 0.1, 8)}, 2),
        "pointwise.one_by_one_figure": lambda: pointwise.one_by_one_figure(
            volume[:, :2, :2], np.array([[1.0, 1, 1], [1, 0, -1]]), np.array([0.0, 0.5])),
        "pooling.pooling_figure": lambda: pooling.pooling_figure(example_feature_map()[:6, :6], size=2, stride=2),
        "pooling.shift_comparison_figure": lambda: pooling.shift_comparison_figure(example_feature_map(), cols=1),
        "pooling.pipeline_figure": lambda: pooling.pipeline_figure(digit28, kernels.sobel_x()),
        "regularisation.accuracy_curves_figure": lambda: regularisation.accuracy_curves_figure(
            {name: d["history"] for name in ("plain", "augmented", "dropout", "both")}),
        "shapes.grid_legend_figure": lambda: shapes.grid_legend_figure(),
        "shapes.output_grid_figure": lambda: shapes.output_grid_figure(
            [(7, 3), (5, 9, 1), {"n": 8, "kernel": 3, "stride": 2}, {"n": 7, "kernel": 3, "dilation": 2}]),
        "shapes.shape_flow_figure": lambda: shapes.shape_flow_figure([(32, 32, 1), (28, 28, 6), 10], ["conv", "FC"]),
        "training.digits_figure": lambda: training.digits_figure(x[:10], y[:10]),
        "training.padding_figure": lambda: training.padding_figure(digit28, digit),
        "training.training_curves_figure": lambda: training.training_curves_figure(d["history"]),
        "training.feature_maps_figure": lambda: training.feature_maps_figure(d["model"], x[0], label=y[0]),
        "training.prediction_figure": lambda: training.prediction_figure(x[0], d["probabilities"][0], true_label),
        "training.confusion_matrix_figure": lambda: training.confusion_matrix_figure(
            confusion_matrix(y, d["probabilities"].argmax(axis=1), 10)),
        "training.mistakes_figure": lambda: training.mistakes_figure(x, y, d["probabilities"], wrong[:4]),
        "training.filters_figure": lambda: training.filters_figure(d["model"]),
        "training.filter_responses_figure": lambda: training.filter_responses_figure(d["model"], x[0]),
        "training.strongest_patches_figure": lambda: training.strongest_patches_figure(d["model"], x[:20], top=5),
        "volumes.channels_figure": lambda: volumes.channels_figure(d["photo"]),
        "volumes.contributions_figure": lambda: volumes.contributions_figure(volume, preset_filter("red edges", 3)),
        "volumes.filter_bank_figure": lambda: volumes.filter_bank_figure(volume, bank, names=list(FILTER_PRESETS)),
        "volumes.volume_diagram": lambda: on_axes(lambda ax: volumes.volume_diagram(ax, filters=4)),
    }


def _figure_functions():
    """Every public function of cnnlib.plots's modules whose name ends in _figure (what a notebook shows)."""
    found = set()
    for module_info in pkgutil.iter_modules(plots.__path__):
        module = importlib.import_module(f"cnnlib.plots.{module_info.name}")
        for name, value in vars(module).items():
            if (name.endswith("_figure") and inspect.isfunction(value) and value.__module__ == module.__name__
                    and not name.startswith("_")):
                found.add(f"{module_info.name}.{name}")
    return found


@pytest.mark.slow
def test_every_figure_function_is_drawn_here(data):
    listed = {name.split(" ")[0] for name in _figures(data)}
    missing = _figure_functions() - listed
    assert not missing, f"draw these in tests/test_colours.py too: {sorted(missing)}"


@pytest.mark.slow
def test_every_figure_uses_only_the_palette_greys_and_sequential_maps(data):
    problems = {}
    for name, draw in _figures(data).items():
        with matplotlib.rc_context(plots.PROJECTOR_RC):
            fig = draw()
        try:
            wrong = off_palette(fig)           # the artists and their colours exist before any drawing
            if wrong:
                problems[name] = wrong
        finally:
            plt.close(fig)
    assert not problems, f"colours outside the palette: {problems}"


def test_figures_sit_on_opaque_white_whatever_the_theme():
    from cnnlib.render import figure_to_png, read_picture
    with matplotlib.rc_context({"figure.facecolor": "none", "savefig.transparent": True}):
        fig = Figure(figsize=(1, 1))
    picture = read_picture(figure_to_png(fig, dpi=20))
    assert picture.min() == 1.0                       # every pixel white, none transparent-black


def _explorers():
    import cnnlib.widgets as cw
    from cnnlib.nn import lenet5
    rng = np.random.default_rng(0)
    return {
        "conv1d_explorer": lambda: cw.conv1d_explorer(),
        "output_size_explorer": lambda: cw.output_size_explorer(stride=2, n=8),
        "activation_explorer": lambda: cw.activation_explorer(),
        "entropy_explorer": lambda: cw.entropy_explorer(),
        "softmax_explorer": lambda: cw.softmax_explorer(),
        "training_dashboard": lambda: cw.training_dashboard(lenet5(rng=0), rng.random((6, 1, 32, 32)),
                                                            np.arange(6) % 10),
        "optimiser_explorer": lambda: cw.optimiser_explorer(steps=10, compare=True),
        "digit_drawing_explorer": lambda: cw.digit_drawing_explorer(),
        "batchnorm_explorer": lambda: cw.batchnorm_explorer(),
    }


@pytest.mark.slow
@pytest.mark.parametrize("builder", sorted(_explorers()))
def test_the_explorers_figures_use_only_the_palette(builder):
    before = {id(obj) for obj in gc.get_objects() if isinstance(obj, Figure)}
    explorer = _explorers()[builder]()
    if builder == "digit_drawing_explorer":
        explorer.controls["example"].value = 3               # draws the bars with the guess highlighted
    figures = [obj for obj in gc.get_objects() if isinstance(obj, Figure) and id(obj) not in before]
    assert figures, f"{builder} drew no matplotlib figure"
    problems = {}
    for fig in figures:
        problems.update(off_palette(fig))
    assert not problems, f"{builder}: colours outside the palette: {problems}"
