# make report  - set everything up and build reports/ for the baseline scenario
# make test    - set everything up and run every test, notebooks included
#
# Both create (or reuse, while pyproject.toml and constraints.txt are
# unchanged) a virtual environment in .venv/ with the exact versions pinned in
# constraints.txt, so stored notebook outputs reproduce, and enable dealtree's
# Jupyter integration in it (analysis.delivery.jupyter: JupyterLab saves no
# chart snapshots; `jupyter nbconvert --to html` keeps the charts).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NBVAL := --nbval --nbval-current-env --nbval-cell-timeout=300

.PHONY: setup report test chromium notebooks lock schema clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "dealtree needs Python 3.11 or newer: $(PYTHON) is $$($(PYTHON) --version)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "could not create $(VENV): on Debian, apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(BIN)/python -m analysis.delivery.jupyter
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/dealtree report
	@echo "open reports/index.html"

# The browser tests need Chromium: installed from Debian's packages when missing.
# They include a JupyterLab server on localhost (tests/test_lab.py), from the venv.
test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DEALTREE_REQUIRE_BROWSER=1 DEALTREE_PROGRESS=0 $(BIN)/python -m pytest $(NBVAL)

chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif command -v sudo >/dev/null; then sudo apt-get update -qq && \
	    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "the browser tests need Chromium: apt-get install chromium"; exit 1; fi

# Re-execute the notebooks and store their outputs (after changing them or the package).
notebooks: $(STAMP)
	DEALTREE_PROGRESS=0 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.kernel_name=python3 \
	  notebooks/*.ipynb

# Re-pin constraints.txt to what is installed now (after changing dependencies).
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check \
	  | grep -v '^-e ' > constraints.txt

schema: $(STAMP)
	$(BIN)/dealtree schema --output scenarios/scenario.schema.json
	$(BIN)/dealtree schema evidence --output scenarios/evidence/evidence.schema.json
	$(BIN)/dealtree schema resolutions --output scenarios/resolutions/resolutions.schema.json

clean:
	rm -rf $(VENV) reports
