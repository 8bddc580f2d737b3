"""Hostile and broken pictures: NaN and infinite values in a colour map, picture files whose header
declares a huge size (a 379 KB PNG of 20000 x 20000 pixels), and drawings whose ink is tiny on a
large canvas. Each must end in a picture or a clear message, never in an exception or gigabytes."""
import base64
import datetime
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from cnnlib import preprocess_drawing
from cnnlib.nn import lenet5
from cnnlib.pooling import example_feature_map
from cnnlib.render import MAX_PICTURE_PIXELS, NONFINITE_RGB, array_to_png, colour, read_picture
from cnnlib.widgets import digit_drawing_explorer, kernel_playground, pooling_explorer
from cnnlib.widgets.drawing import array_to_data_url, data_url_to_array
from cnnlib.widgets.kernel_playground import read_image_bytes
from memory import Measured

MiB = 2**20
BOMB_SIDE = 20000




def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.fixture(scope="module")
def png_bomb():
    """A valid grey PNG of 20000 x 20000 black pixels: 400 MB of pixels in about 380 KB, made
    1 MiB of zeros at a time so the test itself never holds the pixels."""
    raw = BOMB_SIDE * (BOMB_SIDE + 1)                 # a filter byte (0) and 20000 zero pixels per row
    packer = zlib.compressobj(9)
    zeros = bytes(MiB)
    body = b"".join(packer.compress(zeros[:min(MiB, raw - start)]) for start in range(0, raw, MiB))
    body += packer.flush()
    header = struct.pack(">IIBBBBB", BOMB_SIDE, BOMB_SIDE, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def jpeg_declaring(height, width):
    """A real 8 x 8 JPEG whose frame header (SOF0) is edited to declare height x width pixels."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, format="jpeg")
    data = bytearray(buffer.getvalue())
    sof = data.find(b"\xff\xc0")                      # marker, length (2), precision (1), height, width
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def upload(name, data):
    """What ipywidgets.FileUpload holds after the student picks one file."""
    return ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
             "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


@pytest.fixture
def no_decoding(monkeypatch):
    """Any decoding of pixels by Pillow fails the test: the size must be refused from the header.
    (tracemalloc does not see Pillow's own pixel buffers, so this guard stands in for it.)"""
    def refuse(self, *args, **kwargs):
        raise AssertionError("Pillow started decoding the pixels")
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


# --- one finite-safe colour map ------------------------------------------------------------------

def test_nan_and_infinite_values_are_drawn_in_magenta_whatever_the_limits():
    values = np.array([[0.0, np.nan, np.inf, -np.inf, 1.0]])
    for limits in [(None, None), (0.0, 1.0), (np.nan, np.inf), (-np.inf, None)]:
        rgb = colour(values, "gray", *limits)
        np.testing.assert_array_equal(rgb[0, 1:4], [NONFINITE_RGB] * 3)
        np.testing.assert_allclose(rgb[0, [0, 4], 0], [0.0, 1.0])          # finite values keep their grey
    assert NONFINITE_RGB == (1.0, 0.0, 1.0)
    assert colour(np.full((2, 2), np.nan)).shape == (2, 2, 3)               # nothing finite at all
    png = array_to_png(np.array([[np.inf, 1e308], [-1e308, np.nan]]), scale=2)
    assert struct.unpack(">II", png[16:24]) == (4, 4)


def test_gaps_are_white_and_only_gaps():
    values = np.array([[0.0, np.nan, np.nan, 1.0]])
    gaps = np.array([[False, True, False, False]])
    rgb = colour(values, "gray", 0, 1, gaps=gaps)
    np.testing.assert_array_equal(rgb[0, 1], [1.0, 1.0, 1.0])               # a gap between tiled maps
    np.testing.assert_array_equal(rgb[0, 2], NONFINITE_RGB)                 # a NaN that is data


def test_a_feature_map_with_a_nan_builds_the_pooling_explorer_and_says_so():
    fmap = example_feature_map()
    fmap[1, 1] = np.nan
    fmap[5, 6] = np.inf
    explorer = pooling_explorer(feature_map=fmap)
    assert "2 values are NaN or infinite, drawn in magenta" in explorer.shown["note"]
    assert "drawn in magenta" in explorer.views["readout"].value
    explorer.controls["size"].value = 3                                      # and it keeps answering
    assert explorer.shown["output_shape"] == (3, 3) and explorer.shown["warning"] == ""


def test_a_model_with_nan_weights_gives_the_drawing_explorer_a_message_not_an_exception():
    model = lenet5(rng=0)
    model.named_parameters()[0][1][...] = np.nan                             # conv1's weights
    explorer = digit_drawing_explorer(model)
    drawing = np.zeros((280, 280))
    drawing[50:230, 130:150] = 1.0
    explorer.controls["canvas"].value = array_to_data_url(drawing)          # must not raise
    assert explorer.shown["guess"] is None
    assert "NaN or infinite" in explorer.shown["message"] and "magenta" in explorer.shown["message"]
    assert explorer.shown.get("error", "") == ""


# --- picture files: the size is read from the header before any pixel is decoded ------------------

@pytest.mark.slow
def test_the_bomb_is_a_small_file(png_bomb):
    assert len(png_bomb) < 400_000 and struct.unpack(">II", png_bomb[16:24]) == (BOMB_SIDE, BOMB_SIDE)


@pytest.mark.slow
def test_a_20000_by_20000_png_is_refused_from_its_header(png_bomb, no_decoding):
    with Measured() as measured, pytest.raises(ValueError) as err:
        read_picture(png_bomb)
    message = str(err.value)
    assert "20000 x 20000 pixels" in message and f"{MAX_PICTURE_PIXELS:,}" in message
    assert measured.peak < 4 * len(png_bomb)


def test_the_kernel_playground_refuses_the_bomb_with_a_message(png_bomb, no_decoding):
    explorer = kernel_playground(image="shapes")
    before = explorer.shown["image_name"]
    with Measured() as measured:
        explorer.controls["upload"].value = upload("bomb.png", png_bomb)
    assert "bomb.png" in explorer.shown["warning"] and "20000 x 20000 pixels" in explorer.shown["warning"]
    assert explorer.shown["image_name"] == before
    assert measured.peak < 16 * MiB
    with pytest.raises(ValueError, match="20000 x 20000 pixels"):
        read_image_bytes(png_bomb)


def test_the_drawing_pad_refuses_the_bomb_with_a_message(png_bomb, no_decoding):
    explorer = digit_drawing_explorer()
    url = "data:image/png;base64," + base64.b64encode(png_bomb).decode("ascii")
    with Measured() as measured:
        explorer.controls["canvas"].value = url                              # must not raise
    assert "20000 x 20000 pixels" in explorer.shown["message"] and explorer.shown["guess"] is None
    assert measured.peak < 16 * MiB
    with pytest.raises(ValueError, match="20000 x 20000 pixels"):
        data_url_to_array(url)


@pytest.mark.parametrize("height, width", [(20000, 20000), (12000, 12000), (60000, 300)])
def test_a_jpeg_declaring_too_many_pixels_is_refused_from_its_header(height, width, no_decoding):
    # 12000 x 12000 is under Pillow's own bomb error (about 179 million pixels): only our limit stops it.
    with pytest.raises(ValueError, match=f"{height} x {width} pixels \\(height x width\\)"):
        read_picture(jpeg_declaring(height, width))


def test_pictures_within_the_limit_are_read_in_grey():
    rgb = np.zeros((4, 6, 3))
    rgb[:, 3:] = 1.0
    from cnnlib.render import rgb_to_png
    grey = read_picture(rgb_to_png(rgb))
    assert grey.shape == (4, 6) and grey.dtype == np.float64
    np.testing.assert_allclose(grey[:, 3:], 1.0)
    np.testing.assert_allclose(grey[:, :3], 0.0)
    sixteen_bit = io.BytesIO()
    Image.fromarray(np.full((3, 5), 65535 // 2, dtype=np.uint16)).save(sixteen_bit, format="png")
    np.testing.assert_allclose(read_picture(sixteen_bit.getvalue()), 0.5, atol=1e-4)
    side = int(np.sqrt(MAX_PICTURE_PIXELS))
    assert read_picture(jpeg_declaring(8, 8)).shape == (8, 8)
    for data in (b"", b"GIF89a", b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))):
        with pytest.raises(ValueError, match="PNG or JPEG"):
            read_picture(data)
    with pytest.raises(TypeError, match="data"):
        read_picture("picture.png")


# --- preprocess_drawing: bounded memory whatever the canvas and the ink ---------------------------

def test_one_ink_pixel_on_a_1000_by_1000_canvas_stays_small():
    canvas = np.zeros((1000, 1000))
    canvas[700, 300] = 1.0
    with Measured() as measured:
        digit = preprocess_drawing(canvas)
    assert measured.peak < 50 * MiB, f"{measured.peak / MiB:.0f} MiB"
    assert digit.sum() == 400 and digit.max() == 1.0                     # one pixel becomes a 20 x 20 block
    # Rows and columns 5..24: centre of mass (14.5, 14.5), the tie broken as for any symmetric digit.
    np.testing.assert_array_equal(np.argwhere(digit == 1)[[0, -1]], [[5, 5], [24, 24]])


@pytest.mark.parametrize("dtype", [np.float64, bool])
def test_a_4000_by_4000_canvas_stays_small(dtype):
    canvas = np.zeros((4000, 4000), dtype=dtype)
    canvas[100:3900, 1800:2200] = 1                                        # a tall bar across the canvas
    canvas[3990, 5] = 0.05 if dtype is np.float64 else 0                   # a faint speck far away
    with Measured() as measured:
        digit = preprocess_drawing(canvas)
    assert measured.peak < 50 * MiB, f"{measured.peak / MiB:.0f} MiB"
    assert digit.shape == (28, 28) and abs(digit.sum() - 20 * 20 * 400 / 3800) < 1


def test_complex_drawings_are_refused_not_cut_to_their_real_part():
    with pytest.raises(TypeError, match="complex"):
        preprocess_drawing(np.ones((28, 28)) * (0.5 + 0.5j))
