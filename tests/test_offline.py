"""Nothing reaches the network at import or at run time: a class with no internet must not notice.

A fresh interpreter has every socket connection refused; it then imports everything, loads the
shipped data and builds every widget. Only ``download_mnist`` may connect, and only when asked.
"""
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import socket

    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted: " + repr(args))

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    import matplotlib
    matplotlib.use("Agg")
    import cnnlib, cnnlib.plots, cnnlib.widgets
    from cnnlib.data import SAMPLE_IMAGES, load_mnist, sample_image
    from cnnlib.nn import lenet5

    (x, y), (x_test, y_test) = load_mnist(pad_to=32)
    for name in SAMPLE_IMAGES:
        sample_image(name, size=64)
    for builder in cnnlib.widgets.__all__:
        if builder == "Explorer":
            continue
        make = getattr(cnnlib.widgets, builder)
        arguments = {"training_dashboard": (lenet5(), x_test[:20], y_test[:20]),
                     "concept_check": ("convolution_2d",), "prediction": ("Up or down?", ["up", "down"])}
        make(*arguments.get(builder, ()))
    assert not attempts, attempts
    print("offline ok")
""")


@pytest.mark.slow
def test_imports_data_and_widgets_never_open_a_connection():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "offline ok" in result.stdout


def test_the_guard_really_refuses_connections():
    # The check above is only worth something if a connection attempt would fail it.
    probe = SCRIPT.split("import matplotlib")[0] + "socket.create_connection(('127.0.0.1', 9))\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "network access attempted" in result.stderr
