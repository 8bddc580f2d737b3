"""Answer tables for the notebooks' number-answer exercises, one module per notebook (``nbXX.py``).

Kept out of the notebooks so that a check cell does not show the answer it checks against; read
by :func:`cnnlib.exercises.check_answer`. Each module defines ``ANSWERS``: exercise key ->
``(expected, hint)``, ``expected`` a function of no arguments.
"""
