"""AlexNet, VGG-16 and ResNet-18 tables: totals equal the published counts, shapes the papers'."""
import pytest

from cnnlib.architectures import ARCHITECTURES, alexnet, lenet5_table, resnet18, vgg16
from cnnlib.nn import lenet5, summary


def test_totals_equal_torchvision_counts():
    assert alexnet().total_params == 61_100_840
    assert vgg16().total_params == 138_357_544
    assert resnet18().total_params == 11_689_512
    assert lenet5_table().total_params == summary(lenet5()).total_params == 61_706


def test_multiply_adds_match_the_published_figures():
    # torchvision lists 0.71, 15.47 and 1.81 GFLOPS (multiply-adds) at 224 x 224.
    assert round(alexnet().total_macs / 1e9, 2) == 0.71
    assert round(vgg16().total_macs / 1e9, 2) == 15.47
    assert round(resnet18().total_macs / 1e9, 2) == 1.81
    assert lenet5_table().total_macs == 416_520


def test_alexnet_shapes_both_variants():
    tv = alexnet()
    assert tv.row("conv1 11x11/4")["output_shape"] == (64, 55, 55)
    assert [r["output_shape"] for r in tv.rows if r["layer"].startswith("maxpool")] == [(64, 27, 27), (192, 13, 13),
                                                                                        (256, 6, 6)]
    paper = alexnet("paper")
    assert paper.input_shape == (3, 227, 227) and paper.row("conv1 11x11/4")["output_shape"] == (96, 55, 55)
    assert paper.total_params == 60_965_224
    assert paper.row("conv2 5x5")["params"] == 256 * 48 * 25 + 256                  # two groups of 48 channels
    assert tv.depth == paper.depth == 8
    with pytest.raises(ValueError, match="variant"):
        alexnet("caffe")


def test_vgg_and_resnet_shapes():
    vgg = vgg16()
    assert vgg.rows[-4]["output_shape"] == (512, 7, 7) and vgg.row("fc6")["params"] == 512 * 7 * 7 * 4096 + 4096
    assert vgg.depth == 16
    res = resnet18()
    assert res.row("layer4.1 block")["output_shape"] == (512, 7, 7) and res.row("conv1 7x7/2 + BN")["params"] == 9_536
    assert res.depth == 18 and res.rows[-1]["output_shape"] == (1000,)


def test_receptive_fields():
    assert vgg16().row("conv5_3 3x3")["receptive_field"] == 196
    assert alexnet().rows[7]["receptive_field"] == 195
    assert resnet18().row("layer4.1 block")["receptive_field"] == 435


def test_printed_table_holds_integers_and_the_total():
    text = str(resnet18())
    assert "11,689,512" in text and "512 x 7 x 7" in text
    assert "." not in text.replace("layer1.0", "").split("\n", 1)[1] \
        .replace("layer1.1", "").replace("layer2.0", "").replace("layer2.1", "").replace("layer3.0", "") \
        .replace("layer3.1", "").replace("layer4.0", "").replace("layer4.1", "")
    assert list(ARCHITECTURES) == ["LeNet-5", "AlexNet", "VGG-16", "ResNet-18"]


def test_multiply_adds_of_cnnlib_models():
    from cnnlib.architectures import multiply_adds
    from cnnlib.nn import small_resnet
    assert multiply_adds(lenet5()) == 416_520
    # stem 16*9*14*14; block 1: 32*16*9*49 + 32*32*9*49 + 32*16*49; block 2 on 4 x 4; the dense layer.
    expected = (16 * 9 * 196 + (32 * 16 * 9 + 32 * 32 * 9 + 32 * 16) * 49
                + (64 * 32 * 9 + 64 * 64 * 9 + 64 * 32) * 16 + 640)
    assert multiply_adds(small_resnet()) == expected == 1_648_832
