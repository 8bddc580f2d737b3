"""BlittedFigure's pasted labels: a moving text drawn once, kept as a picture and pasted at its place
afterwards must look like the text matplotlib would have drawn there, and must follow the text when
it moves or changes."""
import matplotlib
import numpy as np
import pytest

from cnnlib.render import BlittedFigure, read_picture


def figure_with(texts):
    """A BlittedFigure with one axes and the given moving texts: (x, y, string, keyword arguments)."""
    blit = BlittedFigure.create(4, 2, left=0.1, right=0.95, bottom=0.15, top=0.8)
    ax = blit.figure.subplots()
    ax.set(xlim=(0, 10), ylim=(0, 1))
    ax.set_axis_off()                 # no frame or ticks: the only ink is the texts'
    artists = [blit.animate(ax.text(x, y, string, **options)) for x, y, string, options in texts]
    title = blit.animate(ax.set_title("Reference point t = 3, padding 'valid': s3 = 0.125"))
    return blit, artists, title


def drawn_and_pasted(blit):
    """(grey picture as matplotlib draws every text, grey picture with the cached texts pasted)."""
    original = BlittedFigure._stamp_key
    try:
        BlittedFigure._stamp_key = lambda self, text: None
        drawn = read_picture(blit.png())
    finally:
        BlittedFigure._stamp_key = original
    blit.png()                        # the first call draws each text once into the cache
    return drawn, read_picture(blit.png())


def ink_centre(picture):
    rows, cols = np.nonzero(picture < 0.5)
    return rows.mean(), cols.mean(), rows.size


@pytest.mark.parametrize("options", [{}, {"ha": "center", "va": "bottom"}, {"ha": "right", "fontsize": 16,
                                                                          "color": "tab:red"}])
def test_a_pasted_label_lies_where_matplotlib_draws_it_and_looks_the_same(options):
    blit, _, title = figure_with([(3.3, 0.4, "0.42", options)])
    title.set_visible(False)
    drawn, pasted = drawn_and_pasted(blit)
    (r1, c1, ink1), (r2, c2, ink2) = ink_centre(drawn), ink_centre(pasted)
    assert ink1 > 20 and abs(ink1 - ink2) <= 0.2 * ink1          # the same amount of ink...
    assert abs(r1 - r2) <= 1.0 and abs(c1 - c2) <= 1.0              # ...within a pixel of its place
    assert np.mean(np.abs(drawn - pasted)) < 0.01                   # and the rest of the picture unchanged


def test_a_long_title_is_pasted_only_when_asked_and_then_matches():
    blit, _, title = figure_with([])
    assert blit._stamp_key(title) is None                          # long texts are drawn as usual...
    assert blit.cache_text(title) is title and blit._stamp_key(title) is not None   # ...unless asked
    drawn, pasted = drawn_and_pasted(blit)
    (r1, c1, ink1), (r2, c2, ink2) = ink_centre(drawn), ink_centre(pasted)
    assert abs(ink1 - ink2) <= 0.2 * ink1 and abs(r1 - r2) <= 1.0 and abs(c1 - c2) <= 1.0


def test_a_pasted_label_follows_its_text_when_it_moves_or_changes():
    blit, (label,), title = figure_with([(2.0, 0.5, "0.42", {})])
    title.set_visible(False)
    label.set_visible(False)
    background = read_picture(blit.png())
    label.set_visible(True)

    def label_ink():                   # where the label darkens the picture
        return ink_centre(1 - (background - read_picture(blit.png())))

    blit.png()
    before = label_ink()
    label.set_position((7.0, 0.5))
    moved = label_ink()
    assert moved[1] - before[1] > 50 and abs(moved[0] - before[0]) <= 1.0    # 5 data units to the right
    label.set_text("0.9")
    assert 0 < label_ink()[2] < moved[2]                              # fewer characters, less ink


def test_texts_the_cache_cannot_reproduce_are_drawn():
    blit, (boxed, turned, maths), _ = figure_with([(1, 0.5, "0.1", {"bbox": {"facecolor": "yellow"}}),
                                                    (4, 0.5, "0.2", {"rotation": 90}),
                                                    (7, 0.5, "$x$", {})])
    assert [blit._stamp_key(t) for t in (boxed, turned, maths)] == [None, None, None]
    clipped = blit.figure.axes[0].text(5, 0.5, "0.3", clip_on=True)
    assert clipped.get_clip_box() is not None and blit._stamp_key(clipped) is None
    assert matplotlib.get_backend()           # drawing them still works
    blit.png()
