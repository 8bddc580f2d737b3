"""Answer tables for the notebooks' number-answer exercises, one module per notebook, named by the
notebook's slug in the manifest (:mod:`cnnlib.series`): ``cnnlib/answers/nonlinearities_and_pooling.py``.

Kept out of the notebooks so that a check cell does not show the answer it checks against; read
by :func:`cnnlib.exercises.check_answer`. Each module defines ``ANSWERS``: exercise key ->
``(expected, hint)``, ``expected`` a function of no arguments.
"""
