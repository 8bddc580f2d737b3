import numpy as np
import pytest

from cnnlib import losses
from cnnlib.widgets import entropy_explorer, softmax_explorer
from cnnlib.widgets.entropy import parse_scores


def h_bits(p):
    p = np.asarray(p, float)
    nz = p > 0
    return float(-(p[nz] * np.log2(p[nz])).sum())


def ce_bits(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    nz = p > 0
    return float(-(p[nz] * np.log2(q[nz])).sum())


def test_default_one_hot_truth():
    w = entropy_explorer()
    np.testing.assert_allclose(w.shown["p"], [0, 1, 0])
    np.testing.assert_allclose(w.shown["q"], [0.2, 0.7, 0.1])
    assert w.shown["entropy"] == 0.0 and not np.signbit(w.shown["entropy"])
    assert w.shown["cross_entropy"] == pytest.approx(-np.log2(0.7), rel=1e-12)
    assert w.shown["kl"] == pytest.approx(-np.log2(0.7), rel=1e-12)
    assert "0.515" in w.shown["text"]
    assert w.shown["warning"] == ""


def test_sliders_are_normalised_and_numbers_agree_with_losses():
    w = entropy_explorer()
    w.controls["p0"].value = 0.5
    w.controls["p1"].value = 0.5
    w.controls["q2"].value = 0.3          # Q weights 0.2, 0.7, 0.3 -> divided by 1.2
    p, q = np.array([0.5, 0.5, 0]), np.array([0.2, 0.7, 0.3]) / 1.2
    np.testing.assert_allclose(w.shown["p"], p)
    np.testing.assert_allclose(w.shown["q"], q)
    assert w.shown["entropy"] == pytest.approx(1.0)
    assert w.shown["cross_entropy"] == pytest.approx(ce_bits(p, q), rel=1e-12)
    assert w.shown["kl"] == pytest.approx(ce_bits(p, q) - h_bits(p), rel=1e-12)
    assert w.shown["kl"] == pytest.approx(float(losses.kl_divergence(p, q)), rel=1e-12)
    assert w.shown["kl_reverse"] == pytest.approx(float(losses.kl_divergence(q, p)), rel=1e-12)
    assert w.shown["kl_reverse"] != pytest.approx(w.shown["kl"])


def test_q_equal_to_p_gives_zero_kl():
    w = entropy_explorer(true=(0.2, 0.3, 0.5), predicted=(0.2, 0.3, 0.5))
    assert w.shown["kl"] == pytest.approx(0.0, abs=1e-12)
    assert w.shown["cross_entropy"] == pytest.approx(h_bits([0.2, 0.3, 0.5]))


def test_units_switch_to_nats():
    w = entropy_explorer(true=(0.5, 0.5, 0.0))
    bits = w.shown["cross_entropy"]
    w.controls["units"].value = "nats"
    assert w.shown["units"] == "nats"
    assert w.shown["cross_entropy"] == pytest.approx(bits * np.log(2), rel=1e-12)
    assert w.shown["entropy"] == pytest.approx(np.log(2))


def test_all_zero_weights_warn_and_keep_the_last_numbers():
    w = entropy_explorer()
    w.controls["q0"].value = 0
    w.controls["q2"].value = 0            # Q = (0, 1, 0) = P
    assert w.shown["cross_entropy"] == pytest.approx(0.0, abs=1e-12)
    w.controls["q1"].value = 0            # nothing left to normalise
    assert "predicted Q" in w.shown["warning"]
    np.testing.assert_allclose(w.shown["q"], [0, 1, 0])
    assert w.shown["cross_entropy"] == pytest.approx(0.0, abs=1e-12)
    w.controls["q0"].value = 0.5
    assert w.shown["warning"] == ""
    np.testing.assert_allclose(w.shown["q"], [1, 0, 0])
    # Q now gives the true class probability 0: the floor 1e-12 caps the cost at -log2(1e-12).
    assert w.shown["cross_entropy"] == pytest.approx(-np.log2(losses.PROB_FLOOR))
    assert "infinite" in w.shown["text"]


def test_four_classes_and_bad_arguments():
    w = entropy_explorer(true=(0.25,) * 4, predicted=(0.25,) * 4, labels="abcd")
    assert w.shown["entropy"] == pytest.approx(2.0)
    assert set(w.controls) == {"p0", "p1", "p2", "p3", "q0", "q1", "q2", "q3", "units"}
    with pytest.raises(ValueError, match="true"):
        entropy_explorer(true=(0, 0, 0))
    with pytest.raises(ValueError, match="predicted"):
        entropy_explorer(predicted=(0.5, 0.5))
    with pytest.raises(ValueError, match="units"):
        entropy_explorer(units="dits")


def test_softmax_default_is_the_notes_example():
    w = softmax_explorer()
    e = np.exp([1.3, 5.1, 2.2])
    np.testing.assert_allclose(w.shown["probabilities"], e / e.sum(), rtol=1e-12)
    np.testing.assert_allclose(np.round(w.shown["probabilities"], 3), [0.021, 0.928, 0.051])
    assert "0.928" in w.shown["text"]
    assert w.shown["warning"] == ""


def test_temperature_flattens_and_sharpens():
    w = softmax_explorer()
    w.controls["temperature"].value = 2.0
    e = np.exp(np.array([1.3, 5.1, 2.2]) / 2.0)
    np.testing.assert_allclose(w.shown["probabilities"], e / e.sum(), rtol=1e-9)
    w.controls["temperature"].value = 20
    assert np.ptp(w.shown["probabilities"]) < 0.1
    assert w.shown["entropy"] > 1.5
    w.controls["temperature"].value = 0.05
    assert w.shown["probabilities"][1] > 1 - 1e-9


def test_edited_scores_and_bad_text():
    w = softmax_explorer()
    w.controls["scores"].value = "0 0 0 0"
    np.testing.assert_allclose(w.shown["probabilities"], [0.25] * 4)
    w.controls["scores"].value = "1000, 0"
    assert np.all(np.isfinite(w.shown["probabilities"]))
    np.testing.assert_allclose(w.shown["probabilities"], [1.0, 0.0], atol=1e-300)
    w.controls["scores"].value = "1, two, 3"
    assert "'two'" in w.shown["warning"]
    np.testing.assert_allclose(w.shown["probabilities"], [1.0, 0.0], atol=1e-300)
    w.controls["scores"].value = "5"
    assert "between 2" in w.shown["warning"]
    w.controls["scores"].value = "1, 2"
    assert w.shown["warning"] == ""
    np.testing.assert_allclose(w.shown["probabilities"], [1 / (1 + np.e), np.e / (1 + np.e)])


def test_parse_scores():
    np.testing.assert_array_equal(parse_scores("1.3, 5.1 2.2;-1"), [1.3, 5.1, 2.2, -1])
    for text in ("", "1", "1, nan", "a, b", ",".join(["1"] * 11)):
        with pytest.raises(ValueError):
            parse_scores(text)


@pytest.mark.parametrize("kwargs", [dict(scores=[1.0]), dict(scores=[1, np.inf]), dict(temperature=0),
                                    dict(temperature=100), dict(temperature=True)])
def test_softmax_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="scores|temperature"):
        softmax_explorer(**kwargs)


def test_softmax_of_scores_whose_z_over_t_overflows_is_shown_with_a_note():
    w = softmax_explorer()
    w.controls["temperature"].value = 0.05
    w.controls["scores"].value = "1e307, 0"                 # z / T = 2e308 > the largest float64
    np.testing.assert_array_equal(w.shown["probabilities"], [1.0, 0.0])
    assert w.shown["entropy"] == 0.0
    assert "exceeds the largest float64" in w.shown["warning"]
    w.controls["scores"].value = "-1.7e308, 1.7e308"        # even max z - min z overflows
    np.testing.assert_array_equal(w.shown["probabilities"], [0.0, 1.0])
    w.controls["temperature"].value = 1.0
    w.controls["scores"].value = "1, 2"                      # sane again: the note goes
    assert w.shown["warning"] == ""
    np.testing.assert_allclose(w.shown["probabilities"], [1 / (1 + np.e), np.e / (1 + np.e)])
