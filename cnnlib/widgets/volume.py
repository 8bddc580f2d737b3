"""The volume view (notebook 03): a 3D filter on an RGB image, one channel at a time.

A filter that spans the full depth of an RGB volume makes one 2D map, and that map is the sum of
three ordinary 2D convolutions (each channel with its own slice of the filter) plus the bias.
The widget shows all of it: the three channels, the three slices, the three contributions
(:func:`cnnlib.conv.channel_contributions`) and the map that :func:`cnnlib.conv2d`
makes from the whole volume, with the largest difference between the two ways of computing it.

Images are H x W x 3 for display, as ``cnnlib.data.sample_image(..., gray=False)`` returns them;
the widget hands cnnlib the C x H x W volume ``image.transpose(2, 0, 1)``.
"""
import ipywidgets as widgets
import numpy as np

from .._checks import as_float_array, as_nonnegative_int
from ..conv import channel_contributions, conv2d
from ..data import SAMPLE_IMAGES, sample_image
from ..plots import IMAGE_CMAP, SIGNED_CMAP
from ..plots.volumes import CHANNEL_NAMES
from ..render import array_to_png
from ._base import Explorer
from ._board import PictureView, TextView
from ._html import ERROR_RED, number_table
from ._html import warning as warning_html

IMAGE_SIDE = 128
FILTER_SIDE = 5
PANEL_PX = 150
MAX_FILTER_SIDE = 9
LUMINANCE = np.array([0.299, 0.587, 0.114])
CUSTOM = "custom"
YOUR_IMAGE = "your image"


def _red_edges(size, seed):
    # Every neighbour minus the centre, on the red channel only: zero where red is flat.
    red = np.ones((size, size))
    red[size // 2, size // 2] = -(size * size - 1)
    red /= size * size - 1
    return np.stack([red, np.zeros((size, size)), np.zeros((size, size))])


def _green_minus_blue(size, seed):
    box = np.full((size, size), 1.0 / size**2)
    return np.stack([np.zeros((size, size)), box, -box])


def _luminance_blur(size, seed):
    box = np.full((size, size), 1.0 / size**2)
    return LUMINANCE[:, None, None] * box


def _vertical_edges(size, seed):
    # Right half minus left half of the brightness: positive where it grows to the right.
    columns = np.sign(np.arange(size) - size // 2) / (size * (size // 2))
    return LUMINANCE[:, None, None] * np.tile(columns, (size, 1))


def _random(size, seed):
    # The scale of a freshly initialised layer: weights of spread 1/sqrt(number of inputs).
    return np.random.default_rng(seed).normal(0.0, 1.0 / np.sqrt(3 * size * size), (3, size, size))


FILTER_PRESETS = {
    "red edges": _red_edges,
    "green minus blue": _green_minus_blue,
    "luminance blur": _luminance_blur,
    "vertical edges": _vertical_edges,
    "random": _random,
}


def preset_filter(name, size=FILTER_SIDE, seed=0):
    """The 3 x size x size filter called ``name`` (one of ``FILTER_PRESETS``); ``seed`` is for "random"."""
    if name not in FILTER_PRESETS:
        raise ValueError(f"name must be one of {', '.join(FILTER_PRESETS)}, got {name!r}")
    return FILTER_PRESETS[name](size, as_nonnegative_int(seed, "seed"))


def _check_image(image):
    arr = as_float_array(image, "image")
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(f"image must be an RGB picture of shape H x W x 3 (the display layout), "
                         f"got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1:
        raise ValueError("image values must lie in [0, 1] like cnnlib.data.sample_image's; "
                         "divide an 8-bit image by 255 first")
    return arr


def _check_filter(filter_):
    arr = as_float_array(filter_, "filter")
    if arr.ndim != 3 or arr.shape[0] != 3:
        raise ValueError(f"filter must be 3 x kh x kw, one slice per colour channel (a filter spans "
                         f"the full depth of the RGB volume), got shape {arr.shape}")
    if max(arr.shape[1:]) > MAX_FILTER_SIDE:
        raise ValueError(f"filter slices must be at most {MAX_FILTER_SIDE}x{MAX_FILTER_SIDE} so their "
                         f"numbers fit on screen, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("filter must hold finite numbers only")
    return arr


def _choice_or_array(value, name, names, default, custom_label, check, array_rule):
    """Resolve an argument that is a name from ``names``, None (``default``) or the user's own array.

    Returns (the drop-down's options, the option selected, the checked array or None); a user's
    array gets its own option, ``custom_label``, at the top of the list.
    """
    options = list(names)
    if value is None:
        return options, default, None
    if isinstance(value, str):
        if value not in names:
            raise ValueError(f"{name} must be one of {', '.join(names)} or {array_rule}, got {value!r}")
        return options, value, None
    return [custom_label, *options], custom_label, check(value)


def _signed_limit(values):
    limit = float(np.max(np.abs(values))) if values.size else 0.0
    return limit if limit > 0 else 1.0


def _slice_table_html(values, limit):
    """One filter slice as a small table of shaded cells with its weights written in (two decimals)."""
    return number_table(values, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit, cell_px=34 if values.shape[1] <= 5 else 26,
                        font_px=12, texts=[[f"{v:.2f}" for v in row] for row in values])


def _colour_bar_png():
    ramp = np.tile(np.linspace(-1.0, 1.0, 200), (12, 1))
    return array_to_png(ramp, cmap=SIGNED_CMAP, vmin=-1, vmax=1)


def volume_view(image=None, filter=None, bias=0.0, *, size=IMAGE_SIDE):
    """See a 3D filter act on an RGB image channel by channel, and the one map it makes.

    ``image``: None (the photograph "hopper"), a name from ``cnnlib.data.SAMPLE_IMAGES`` (loaded at
    ``size`` x ``size``) or an H x W x 3 array in [0, 1]. ``filter``: None ("red edges"), a name
    from ``FILTER_PRESETS`` or a 3 x kh x kw array (cnnlib's C x kh x kw layout). ``bias``: the
    filter's bias, the starting value of its slider.

    Controls: ``image`` and ``preset`` (dropdowns), ``seed`` (for the "random" preset), ``bias``.
    ``.shown`` holds ``image_name``, ``preset``, ``image`` (H x W x 3), ``volume`` (3 x H x W),
    ``filter`` (3 x kh x kw), ``bias``, ``contributions`` (3 x H_O x W_O), ``sum`` (the three
    contributions + bias), ``output`` (conv2d of the volume), ``max_difference`` (largest
    |sum - output|), ``shape_text`` and ``warning`` ("" when fine).
    """
    images, image_name, custom_image = _choice_or_array(image, "image", SAMPLE_IMAGES, "hopper", YOUR_IMAGE,
                                                        _check_image, "an H x W x 3 array")
    presets, preset, custom_filter = _choice_or_array(filter, "filter", FILTER_PRESETS, "red edges", CUSTOM,
                                                      _check_filter, "a 3 x kh x kw array")
    if isinstance(bias, bool) or not isinstance(bias, (int, float, np.integer, np.floating)):
        raise TypeError(f"bias must be a finite number, got {type(bias).__name__} {bias!r}")
    if not np.isfinite(bias) or not -1.0 <= bias <= 1.0:
        raise ValueError(f"bias must be a finite number from -1 to 1 (the slider's range), got {bias!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 8 <= size <= 512:
        raise ValueError(f"size must be an integer from 8 to 512, got {size!r}")
    return VolumeView(images, image_name, custom_image, presets, preset, custom_filter, float(bias), int(size))


class VolumeView(Explorer):
    """What :func:`volume_view` returns (see there). Views: "title", "rgb", "channel_R/G/B",
    "slice_R/G/B" (HTML tables), "part_R/G/B", "sum" (Images), "part_scale", "sum_text", "warning"."""

    def __init__(self, images, image_name, custom_image, presets, preset, custom_filter, bias, size):
        self.custom_image, self.custom_filter, self.size = custom_image, custom_filter, size
        self.image_control = widgets.Dropdown(options=images, value=image_name, description="image")
        self.preset_control = widgets.Dropdown(options=presets, value=preset, description="filter")
        self.seed_control = widgets.IntSlider(value=0, min=0, max=99, description="seed")
        self.bias_control = widgets.FloatSlider(value=bias, min=-1.0, max=1.0, step=0.05,
                                                description="bias b", readout_format=".2f")
        self.last_filter = self.contributions = None

        def panel():
            return PictureView(width=str(PANEL_PX), height=str(PANEL_PX))

        def label(text=""):
            return widgets.HTML(f"<b style='font-size:14px'>{text}</b>")

        def symbol(text):
            return widgets.HTML(f"<div style='font-size:28px; padding-top:60px'>{text}</div>")

        self.title = TextView()
        self.rgb_panel = panel()
        self.channel_panels = [panel() for _ in range(3)]
        self.slice_tables = [TextView() for _ in range(3)]
        self.part_panels = [panel() for _ in range(3)]
        self.sum_panel = panel()
        self.part_scale = TextView()
        self.sum_text = TextView()
        self.warning_html = TextView()
        bar = widgets.Image(value=_colour_bar_png(), format="png",
                            tooltip="Colour scale: blue for negative values, white for 0, red for positive.",
                            layout=widgets.Layout(width="200px", height="14px"))
        legend = widgets.HBox([widgets.HTML("<span style='font-size:13px'>negative&nbsp;</span>"), bar,
                               widgets.HTML("<span style='font-size:13px'>&nbsp;positive "
                                            "(white = 0)</span>")])

        rows = []
        for c in range(3):
            rows.append(widgets.HBox([
                widgets.VBox([label(f"channel {CHANNEL_NAMES[c]}"), self.channel_panels[c]]),
                symbol("&lowast;"),
                widgets.VBox([label(f"filter slice {CHANNEL_NAMES[c]}"), self.slice_tables[c]]),
                symbol("="),
                widgets.VBox([label(f"contribution of {CHANNEL_NAMES[c]}"), self.part_panels[c]]),
            ], layout=widgets.Layout(align_items="flex-start", grid_gap="10px")))
        left = widgets.VBox(rows)
        right = widgets.VBox([label("the RGB image"), self.rgb_panel,
                              label("R + G + B + bias = conv2d of the volume"), self.sum_panel,
                              self.sum_text])
        body = widgets.HBox([left, right], layout=widgets.Layout(grid_gap="24px"))
        controls = {"image": self.image_control, "preset": self.preset_control,
                    "seed": self.seed_control, "bias": self.bias_control}
        views = {"title": self.title, "rgb": self.rgb_panel, "sum": self.sum_panel, "part_scale": self.part_scale,
                 "sum_text": self.sum_text, "warning": self.warning_html}
        for c, name in enumerate(CHANNEL_NAMES):
            views.update({f"channel_{name}": self.channel_panels[c], f"slice_{name}": self.slice_tables[c],
                          f"part_{name}": self.part_panels[c]})
        super().__init__([
            self.title,
            widgets.HBox([self.image_control, self.preset_control]),
            widgets.HBox([self.seed_control, self.bias_control]),
            body, widgets.HBox([self.part_scale, legend]), self.warning_html], controls, views)
        self.observe_controls()
        self.first_update()

    def update(self, change=None):
        if self.changed(change, "image"):
            self._load_image()
        # The bias does not change what each channel contributes: only the summed map is redrawn.
        self._update(bias_only=not self.changed(change, "image", "preset", "seed"))

    def _load_image(self):
        name = self.image_control.value
        if name == YOUR_IMAGE:
            self.image = self.custom_image
        else:
            self.image = sample_image(name, size=self.size, gray=False)
        self.volume = self.image.transpose(2, 0, 1)       # H x W x 3 for display -> C x H x W for cnnlib
        self.rgb_panel.value = array_to_png(self.image)
        for c in range(3):
            self.channel_panels[c].value = array_to_png(self.volume[c], cmap=IMAGE_CMAP, vmin=0, vmax=1)

    def _filter(self):
        preset = self.preset_control.value
        self.seed_control.disabled = preset != "random"
        if preset == CUSTOM:
            return self.custom_filter
        return preset_filter(preset, FILTER_SIDE, self.seed_control.value)

    def _update(self, bias_only=False):
        shown = self.shown
        bias = float(self.bias_control.value)
        bias_only = bias_only and self.contributions is not None
        filter_ = self.last_filter if bias_only else self._filter()
        self.last_filter = filter_
        if not bias_only:
            weight_limit = _signed_limit(filter_)
            for c in range(3):
                self.slice_tables[c].value = _slice_table_html(filter_[c], weight_limit)
        c_in, height, width = self.volume.shape
        kh, kw = filter_.shape[1:]
        shown.update(image_name=self.image_control.value, preset=self.preset_control.value,
                     image=self.image, volume=self.volume, filter=filter_, bias=bias)
        try:
            output = conv2d(self.volume, filter_, np.array([bias]))
        except ValueError as error:
            warning = f"No output: {error}"
            self.warning_html.value = warning_html(warning)
            self.title.value = f"<b style='font-size:17px;color:{ERROR_RED}'>No output: see the message below</b>"
            for target in (*self.part_panels, self.sum_panel):
                target.value = b""
            self.sum_text.value = self.part_scale.value = ""
            self.contributions = None
            shown.update(contributions=None, sum=None, output=None, max_difference=None,
                         shape_text="", warning=warning)
            return
        if bias_only:
            contributions = self.contributions
        else:
            contributions = self.contributions = channel_contributions(self.volume, filter_)
        summed = contributions.sum(axis=0) + bias
        difference = float(np.max(np.abs(summed - output)))
        part_limit, output_limit = _signed_limit(contributions), _signed_limit(output)
        if not bias_only:
            for c in range(3):
                self.part_panels[c].value = array_to_png(contributions[c], cmap=SIGNED_CMAP,
                                                         vmin=-part_limit, vmax=part_limit)
        self.sum_panel.value = array_to_png(output, cmap=SIGNED_CMAP, vmin=-output_limit, vmax=output_limit)
        out_h, out_w = output.shape
        shape_text = (f"{height}x{width}x{c_in} image * {kh}x{kw}x{c_in} filter "
                      f"-> {out_h}x{out_w}x1 map")
        self.title.value = (f"<b style='font-size:17px'>{shape_text}: every output number is "
                            f"{kh * kw * c_in} products plus the bias</b>")
        self.part_scale.value = (f"<span style='font-size:13px'>contributions: one scale, "
                                 f"&plusmn;{part_limit:.3g}; map: &plusmn;{output_limit:.3g}&nbsp;&nbsp;</span>")
        self.sum_text.value = (f"<div style='font-size:13px; width:{PANEL_PX + 40}px'>bias b = {bias:g}<br>"
                               f"largest |(R + G + B + b) &minus; conv2d| = {difference:.1e}</div>")
        self.warning_html.value = ""
        shown.update(contributions=contributions, sum=summed, output=output,
                     max_difference=difference, shape_text=shape_text, warning="")

    def _range_words(self, values):
        return f"values from {values.min():.3g} to {values.max():.3g}"

    def describe(self):
        shown = self.shown
        setting = (f"image {shown['image_name']}, filter {shown['preset']}"
                   + (f" (seed {self.seed_control.value})" if shown["preset"] == "random" else "")
                   + f", bias {shown['bias']:g}")
        if shown["output"] is None:
            return f"{setting}: {shown['warning']}"
        parts = ", ".join(f"{name} {np.abs(part).mean():.3g}"
                          for name, part in zip(CHANNEL_NAMES, shown["contributions"]))
        return (f"{setting}: {shown['shape_text']}, {self._range_words(shown['output'])}. Average size of each "
                f"channel's contribution: {parts}. The three contributions plus the bias equal conv2d of the "
                f"volume (largest difference {shown['max_difference']:.1e}).")

    def alt_texts(self):
        shown = self.shown
        name = shown["image_name"]
        alts = {"rgb": f"The colour picture {name}, {self.image.shape[0]}x{self.image.shape[1]} pixels."}
        colours = dict(zip(CHANNEL_NAMES, ("red", "green", "blue")))
        for c, channel in enumerate(CHANNEL_NAMES):
            alts[f"channel_{channel}"] = f"The {colours[channel]} channel of {name} in grey: bright where it is strong."
            alts[f"part_{channel}"] = (
                f"Contribution of the {colours[channel]} channel (its filter slice applied to it): "
                + (self._range_words(shown["contributions"][c]) + ", blue negative, red positive."
                   if shown["contributions"] is not None else "none, see the message."))
        alts["sum"] = (f"The output map, R + G + B + bias: {self._range_words(shown['output'])}, blue negative, "
                       "red positive." if shown["output"] is not None else "No output map: see the message.")
        return alts
