"""cnnlib.augment: the fast warp agrees with its loop twin, identities give the input back, values
stay in range, whole-pixel shifts are exact, bad arguments are refused; fit(augment=) distorts the
training batches only."""
import numpy as np
import pytest

from cnnlib import augment
from cnnlib.augment import (affine_matrix, augmenter, bilinear, bilinear_sample, elastic_field,
                            gaussian_smoothing_matrix, random_affine, random_affine_parameters, random_distortion,
                            random_elastic, rotation_matrix, source_coordinates, warp, warp_naive)


@pytest.fixture
def images():
    return np.random.default_rng(0).random((4, 1, 11, 9)).astype(np.float32)


def test_fast_warp_matches_naive_for_the_same_random_parameters(images):
    rng = np.random.default_rng(1)
    params = random_affine_parameters(4, rotation=30, scale=0.3, shear=0.4, shift=3, rng=rng)
    field = elastic_field(4, (11, 9), alpha=8, sigma=2, rng=rng)
    fast = warp(images, field=field, **params)
    for k in range(4):
        one = {name: value[k] for name, value in params.items()}
        assert np.allclose(fast[k, 0], warp_naive(images[k, 0], field=field[k], **one), atol=1e-6)
    # several channels share one distortion
    two = np.concatenate([images, 1 - images], axis=1)
    both = warp(two, field=field, **params)
    second = warp_naive(two[1, 1], field=field[1], **{k: v[1] for k, v in params.items()})
    assert np.allclose(both[:, :1], fast) and np.allclose(both[1, 1], second, atol=1e-6)


def test_bilinear_sample_matches_bilinear_everywhere_including_outside(images):
    rng = np.random.default_rng(2)
    rows, cols = rng.uniform(-4, 14, (4, 11, 9)), rng.uniform(-4, 12, (4, 11, 9))
    fast = bilinear_sample(images, rows, cols)
    picked = [(0, 0, 0), (1, 5, 4), (3, 10, 8), (2, 3, 7)] + [tuple(t) for t in rng.integers(0, (4, 11, 9), (20, 3))]
    for n, i, j in picked:
        assert np.isclose(fast[n, 0, i, j], bilinear(images[n, 0], rows[n, i, j], cols[n, i, j]))


def test_bilinear_by_hand():
    image = np.array([[0.0, 1.0], [2.0, 3.0]])
    assert bilinear(image, 0.5, 0.5) == 1.5 and bilinear(image, 0.25, 1.0) == 1.5
    assert bilinear(image, 1, 1) == 3.0 and bilinear(image, 1.5, 1.0) == 1.5    # half of it outside
    assert bilinear(image, -5.0, 0.0) == 0.0 and bilinear(image, 0.0, 7.5) == 0.0


def test_identity_parameters_give_the_input_back(images):
    assert np.array_equal(warp(images), images)
    assert np.array_equal(warp(images, field=np.zeros((4, 2, 11, 9))), images)
    assert np.array_equal(random_affine(images, 0, rotation=0, scale=0, shear=0, shift=0), images)
    assert np.array_equal(random_elastic(images, 0, alpha=0), images)
    assert np.array_equal(warp_naive(images[0, 0]), images[0, 0])
    assert np.allclose(warp(images, rotation=360.0), images, atol=1e-6)


def test_whole_pixel_shift_is_exact(images):
    moved = warp(images, shift=(2, -3))              # 2 down, 3 left
    assert np.array_equal(moved[:, :, 2:, :-3], images[:, :, :-2, 3:])
    assert np.all(moved[:, :, :2] == 0) and np.all(moved[:, :, :, -3:] == 0)
    assert np.array_equal(warp_naive(images[0, 0], shift=(2, -3)), moved[0, 0])


def test_rotation_direction_and_quarter_turn():
    assert np.allclose(rotation_matrix(90) @ [0, 1], [-1, 0])     # right of centre -> above: counterclockwise
    image = np.zeros((5, 5))
    image[2, 4] = 1.0                                              # right of the centre pixel
    turned = warp(image[None, None], rotation=90.0)[0, 0]
    assert np.isclose(turned[0, 2], 1.0) and np.isclose(turned.sum(), 1.0)
    rows, cols = source_coordinates((5, 5), rotation=90.0)
    assert np.allclose([rows[0, 2], cols[0, 2]], [2, 4])


def test_affine_matrix_is_rotation_shear_scale():
    a = affine_matrix(30, (1.2, 0.8), 0.1)
    assert np.allclose(a, rotation_matrix(30) @ [[1, 0], [0.1, 1]] @ np.diag([1.2, 0.8]))
    assert np.isclose(np.linalg.det(rotation_matrix(17)), 1.0)


def test_values_stay_in_range_and_dtype_is_kept(images):
    out = random_distortion(images, 3, rotation=45, scale=0.5, shear=1.0, shift=5, alpha=30, sigma=2)
    assert out.dtype == np.float32 and out.shape == images.shape
    assert out.min() >= 0 and out.max() <= 1
    ones = np.ones((2, 1, 6, 6))
    assert random_distortion(ones, 0, alpha=40, sigma=1).max() <= 1.0


def test_seeding_none_int_generator(images):
    assert np.array_equal(random_distortion(images, 5), random_distortion(images, 5))
    assert np.array_equal(random_distortion(images, np.random.default_rng(5)), random_distortion(images, 5))
    assert not np.array_equal(random_distortion(images, 5), random_distortion(images, 6))
    assert random_distortion(images, None).shape == images.shape
    with pytest.raises(TypeError, match="rng"):
        random_distortion(images, "seed")


def test_smoothing_matrix_and_field():
    g = gaussian_smoothing_matrix(40, 3.0)
    assert np.isclose(g[20].sum(), 1.0) and g[0].sum() < 0.6      # a full row sums to 1; the edge loses weight
    field = elastic_field(3, (12, 10), alpha=5, sigma=2, rng=0)
    noise = np.random.default_rng(0).uniform(-1, 1, (3, 2, 12, 10))
    assert np.allclose(field, 5 * (gaussian_smoothing_matrix(12, 2) @ noise @ gaussian_smoothing_matrix(10, 2).T))


@pytest.mark.parametrize("call, message", [
    (lambda x: warp(x[0]), "N x C x H x W"),
    (lambda x: warp(x, scale=0), "scale must be positive"),
    (lambda x: warp(x, rotation=[1, 2]), "one per image"),
    (lambda x: warp(x, field=np.zeros((4, 2, 3, 3))), "field must be"),
    (lambda x: warp(np.full_like(x, np.nan)), "finite"),
    (lambda x: random_affine(x, rotation=200), "rotation must be"),
    (lambda x: random_affine(x, scale=1.0), "scale must be"),
    (lambda x: random_affine(x, shift=-1), "shift must be"),
    (lambda x: random_elastic(x, sigma=0), "sigma must be"),
    (lambda x: random_elastic(x, alpha=float("nan")), "alpha must be"),
    (lambda x: random_distortion(x, twist=3), "unknown distortion"),
    (lambda x: augmenter(rotaton=3), "unknown distortion"),
    (lambda x: warp_naive(x), "one H x W image"),
    (lambda x: warp_naive(x[0, 0], field=np.zeros((2, 3, 3))), "field must be"),
])
def test_bad_arguments_raise_clear_value_errors(images, call, message):
    with pytest.raises(ValueError, match=message):
        call(images)


@pytest.mark.slow
def test_fit_augments_training_batches_only_and_repeats():
    from cnnlib.nn import lenet5
    from cnnlib.optim import Adam
    from cnnlib.train import fit

    rng = np.random.default_rng(0)
    x, y = rng.random((40, 1, 32, 32)).astype(np.float32), rng.integers(0, 10, 40)
    seen = []

    def recording(batch, batch_rng):
        seen.append(batch.shape)
        return augment.random_distortion(batch, batch_rng)

    def run(fn):
        model = lenet5(rng=0)
        history = fit(model, x, y, epochs=2, batch_size=16, optimizer=Adam(1e-3), progress=False,
                      validation_data=(x[:8], y[:8]), augment=fn)
        return history, model

    (h1, _), (h2, _) = run(augmenter()), run(augmenter())
    (h0, _) = run(None)
    assert h1.batch_loss == h2.batch_loss and h1.batch_loss != h0.batch_loss
    run(recording)
    assert seen == [(16, 1, 32, 32), (16, 1, 32, 32), (8, 1, 32, 32)] * 2     # training batches only
    with pytest.raises(TypeError, match="augment"):
        run("rotate")
    with pytest.raises(ValueError, match="shape"):
        run(lambda batch, r: batch[:, :, :30, :30])


def test_figures_draw_what_augment_computes():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from cnnlib.plots import augment as augment_plots

    digit = np.zeros((1, 16, 16))
    digit[0, 4:12, 7:9] = 1.0
    fig = augment_plots.distortions_figure(digit, rng=3)
    assert len(fig.axes) == 16 and fig.distorted.shape == (15, 16, 16)
    assert np.array_equal(fig.distorted, random_distortion_grid(digit, 3))
    fields = elastic_field(2, (16, 16), alpha=4, sigma=2, rng=0)
    assert len(augment_plots.displacement_figure(digit, fields, ["a", "b"]).axes) == 4
    assert len(augment_plots.overlap_figure(digit, warp(digit[None], shift=(0, 1))[0]).axes) == 1
    with pytest.raises(ValueError, match="fields must be"):
        augment_plots.displacement_figure(digit, fields[0], ["a"])
    with pytest.raises(ValueError, match="unknown distortion"):
        augment_plots.distortions_figure(digit, twist=1)
    plt.close("all")


def random_distortion_grid(digit, seed):
    # What distortions_figure draws: 15 draws from one generator, affine parameters first, then the fields.
    rng = np.random.default_rng(seed)
    params = random_affine_parameters(15, rng=rng)
    field = elastic_field(15, (16, 16), alpha=augment.DEFAULTS["alpha"], sigma=augment.DEFAULTS["sigma"], rng=rng)
    return warp(np.broadcast_to(digit, (15, 1, 16, 16)), field=field, **params)[:, 0]
