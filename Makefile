# Two commands for a fresh machine with Python 3.11:
#   make lab    installs everything into .venv and opens the series in JupyterLab
#   make test   installs everything into .venv and runs every test (unit, widget, notebook)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# cnnlib's matrices are small: one BLAS thread is as fast as two and never oversubscribes a
# busy 2-core machine (threaded BLAS there ran LeNet training up to 10x slower).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
# JupyterLab refuses to start as root (containers, CI) without this flag.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test outputs student install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/00_index.ipynb

# Unit, widget and notebook tests (nbval) in one pytest run, the browser tests in a second one
# beside it: see scripts/run_tests.py.
test: $(STAMP)
	$(BIN)/python scripts/run_tests.py

# Re-run notebooks top to bottom in a fresh kernel and store their outputs (after editing one),
# then rewrite the navigation links and contents. All of them, or some: make outputs NB=07_*.ipynb
NB ?= [0-9][0-9]_*.ipynb
outputs: $(STAMP)
	$(BIN)/python scripts/build_navigation.py
	cd notebooks && for nb in $(NB); do \
		echo "executing $$nb"; \
		../$(BIN)/jupyter nbconvert --log-level=WARN --to notebook --execute --inplace "$$nb" || exit 1; \
	done

# The student edition: every notebook without its worked solutions, in student/ (not committed).
student: $(STAMP)
	$(BIN)/python scripts/build_student_edition.py --out student

clean:
	rm -rf $(VENV) artifacts student
