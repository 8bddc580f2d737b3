"""The kernel playground, driven from plain Python: set a control, check what it shows.

References: scipy.signal.correlate2d / convolve2d with zero padding (boundary="fill") or on an
image whose border pixels numpy repeated (np.pad mode="edge"), and kernels written out by hand.
"""
import numpy as np
import pytest
from scipy.signal import convolve2d, correlate2d

from cnnlib import kernels
from cnnlib.data import SAMPLE_IMAGES, sample_image
from cnnlib.widgets.kernel_playground import kernel_playground

SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float)
EDGE = np.array([[1, 1, 1], [1, -8, 1], [1, 1, 1]], dtype=float)
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)


def repeat_border_reference(image, kernel):
    """'Same'-size correlation with border pixels repeated, by scipy on an edge-padded image."""
    r, c = kernel.shape[0] // 2, kernel.shape[1] // 2
    return correlate2d(np.pad(image, ((r, r), (c, c)), mode="edge"), kernel, mode="valid")


def box(w, name):
    return w.controls[name]


def test_default_is_the_photo_sharpened():
    w = kernel_playground()
    s = w.shown
    assert s["image_name"] == "hopper" and s["image"].shape == (256, 256) and s["preset"] == "sharpen"
    np.testing.assert_array_equal(s["kernel"], SHARPEN)
    assert [[box(w, f"k{i}{j}").value for j in range(3)] for i in range(3)] == SHARPEN.tolist()
    np.testing.assert_allclose(s["result"], repeat_border_reference(s["image"], SHARPEN), atol=1e-5)
    assert s["kernel_sum"] == 1 and s["warning"] == "" and s["border"] == "repeat"


def test_choosing_a_preset_fills_the_boxes_and_keeps_its_name():
    w = kernel_playground()
    w.controls["preset"].value = "edge"
    assert w.shown["preset"] == "edge" and w.controls["preset"].value == "edge"
    assert box(w, "k11").value == -8 and box(w, "k00").value == 1
    np.testing.assert_allclose(w.shown["result"], repeat_border_reference(w.shown["image"], EDGE), atol=1e-5)
    assert w.shown["kernel_sum"] == 0


def test_editing_a_box_switches_to_custom_and_uses_the_boxes():
    w = kernel_playground(image="step_edge")
    box(w, "k11").value = 4.0
    assert w.controls["preset"].value == "custom" and w.shown["preset"] == "custom"
    custom = SHARPEN.copy()
    custom[1, 1] = 4.0
    np.testing.assert_array_equal(w.shown["kernel"], custom)
    np.testing.assert_allclose(w.shown["result"], repeat_border_reference(w.shown["image"], custom), atol=1e-6)
    assert w.shown["kernel_sum"] == 0   # 4 - 4 neighbours: flat regions become 0
    np.testing.assert_allclose(w.shown["result"][:, :60], 0, atol=1e-6)


def test_every_preset_runs_and_matches_scipy_with_zero_padding():
    w = kernel_playground(image="shapes")
    w.controls["border"].value = "zeros"
    image = w.shown["image"]
    for name in kernels.PRESETS:
        w.controls["preset"].value = name
        expected = correlate2d(image, kernels.by_name(name), mode="same", boundary="fill")
        np.testing.assert_allclose(w.shown["result"], expected, atol=1e-5, err_msg=name)
        assert w.shown["warning"] == ""


def test_gaussian_is_shown_as_5x5_and_the_boxes_are_disabled():
    w = kernel_playground()
    w.controls["preset"].value = "gaussian"
    r = np.arange(5) - 2
    g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / 2.0)
    np.testing.assert_allclose(w.shown["kernel"], g / g.sum())
    assert all(box(w, f"k{i}{j}").disabled for i in range(3) for j in range(3))
    w.controls["preset"].value = "sobel x"
    assert not box(w, "k00").disabled and box(w, "k02").value == 1


def test_display_clip_versus_rescale():
    w = kernel_playground(image="step_edge", kernel="sobel x")
    result = w.shown["result"]
    lo, hi = result.min(), result.max()
    assert w.shown["range"] == (pytest.approx(lo), pytest.approx(hi)) and hi == pytest.approx(2.0)
    np.testing.assert_array_equal(w.shown["display"], np.clip(result, 0, 1))
    assert "Clipped" in w.shown["explanation"] and "values above 1 (up to 2)" in w.shown["explanation"]
    w.controls["display"].value = "rescale min..max"
    np.testing.assert_allclose(w.shown["display"], (result - lo) / (hi - lo))
    assert "smallest value" in w.shown["explanation"]


def test_rescale_explains_where_zero_lands_for_signed_results():
    w = kernel_playground(image="checkerboard", kernel="edge")
    w.controls["display"].value = "rescale min..max"
    lo, hi = w.shown["range"]
    assert lo < 0 < hi
    assert f"grey level {(0 - lo) / (hi - lo):.2f}" in w.shown["explanation"]


def test_flip_gives_true_convolution():
    w = kernel_playground(image="step_edge", kernel="sobel x")
    w.controls["border"].value = "zeros"
    image = w.shown["image"]
    unflipped = w.shown["result"].copy()
    w.controls["flip"].value = True
    expected = convolve2d(image, SOBEL_X, mode="same", boundary="fill")
    np.testing.assert_allclose(w.shown["result"], expected, atol=1e-6)
    np.testing.assert_allclose(w.shown["result"], -unflipped, atol=1e-6)   # Sobel is antisymmetric


def test_image_choice_loads_each_sample_at_256():
    w = kernel_playground(kernel="identity")
    for name in SAMPLE_IMAGES:
        w.controls["image"].value = name
        expected = sample_image(name, size=256)
        np.testing.assert_array_equal(w.shown["image"], expected)
        np.testing.assert_allclose(w.shown["result"], expected, atol=1e-6)


def test_your_own_image_and_kernel():
    image = np.tile(np.linspace(0, 1, 20), (12, 1))
    kernel = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    w = kernel_playground(image=image, kernel=kernel)
    assert w.shown["image_name"] == "your image" and w.shown["preset"] == "custom"
    np.testing.assert_allclose(w.shown["result"], repeat_border_reference(image, kernel))
    assert box(w, "k12").value == -1


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(image="lena"), ValueError, "image must be one of"),
    (dict(image=np.full((8, 8), 2.0)), ValueError, r"image values must lie in \[0, 1\]"),
    (dict(image=np.zeros((8, 8, 3))), ValueError, "image must be a 2D grey-scale array"),
    (dict(kernel="blurry"), ValueError, "name must be one of"),
    (dict(kernel=np.ones((2, 2))), ValueError, "odd number of rows and columns"),
    (dict(kernel=[[np.inf]]), ValueError, "finite"),
])
def test_bad_arguments_name_the_argument(kwargs, error, words):
    with pytest.raises(error, match=words):
        kernel_playground(**kwargs)


def _upload(name, data):
    """What ipywidgets.FileUpload holds after the student picks one file."""
    import datetime
    return ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
             "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


def _png_bytes(picture):
    from cnnlib.render import rgb_to_png
    return rgb_to_png(picture)


def test_an_uploaded_png_is_read_in_grey_and_filtered():
    w = kernel_playground(kernel="identity")
    rgb = np.zeros((20, 30, 3))
    rgb[:, 15:] = 1.0                                   # white on the right
    w.controls["upload"].value = _upload("halves.png", _png_bytes(rgb))
    assert w.controls["image"].value == "upload: halves.png" == w.shown["image_name"]
    assert w.shown["image"].shape == (20, 30) and w.shown["warning"] == "" and w.shown["upload_note"] == ""
    np.testing.assert_allclose(w.shown["image"][:, 15:], 1.0, atol=1e-6)
    np.testing.assert_allclose(w.shown["result"], w.shown["image"], atol=1e-6)
    w.controls["image"].value = "hopper"                # the upload stays in the menu
    assert "upload: halves.png" in w.controls["image"].options


def test_a_large_upload_is_scaled_down_with_a_note_and_a_bad_file_is_a_message():
    w = kernel_playground()
    big = np.random.default_rng(0).random((1100, 700))
    w.controls["upload"].value = _upload("big.png", _png_bytes(big))
    assert w.shown["image"].shape == (366, 233)          # 3 x 3 blocks averaged
    assert "scaled down 3 times" in w.shown["upload_note"] and "1100x700" in w.shown["explanation"]
    before = w.shown["image_name"]
    w.controls["upload"].value = _upload("notes.txt", b"not an image")
    assert "notes.txt: This is not a PNG or JPEG file" in w.shown["warning"]
    assert w.shown["image_name"] == before


def test_an_uploaded_jpeg_is_read_too():
    import io
    from PIL import Image
    from cnnlib.widgets.kernel_playground import read_image_bytes
    buffer = io.BytesIO()
    Image.fromarray(np.full((40, 60, 3), 200, dtype=np.uint8)).save(buffer, format="jpeg")
    picture, note = read_image_bytes(buffer.getvalue())
    assert picture.shape == (40, 60) and note == ""
    np.testing.assert_allclose(picture, 200 / 255, atol=0.02)
    with pytest.raises(ValueError, match="PNG or JPEG"):
        read_image_bytes(b"\x89PNG broken")
