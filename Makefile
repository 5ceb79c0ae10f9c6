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

SD_ENGINE := .cache/sd-engine
SD_SOURCES := tools/sd-engine/package.json tools/sd-engine/package-lock.json \
              tools/sd-engine/compute.mjs

.PHONY: setup report test chromium sd-engine notebooks lock schema clean lab

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "dealtree needs Python 3.11 or newer: $(PYTHON) is $$($(PYTHON) --version)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "could not create $(VENV): on Debian, apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,discovery]'
	$(BIN)/python -m ipykernel install --sys-prefix --name dealtree --display-name "Python (dealtree)"
	$(BIN)/python -m analysis.delivery.jupyter
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/dealtree report
	@echo "open reports/index.html"

# The browser tests need Chromium: installed from Debian's packages when missing.
# The SilverDecisions tests need node and SilverDecisions's engine (make sd-engine);
# the browser tests include a JupyterLab server on localhost (tests/test_lab.py), from the venv.
test: $(STAMP) chromium sd-engine
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DEALTREE_REQUIRE_BROWSER=1 DEALTREE_REQUIRE_NODE=1 DEALTREE_PROGRESS=0 \
	  $(BIN)/python -m pytest $(NBVAL)

# SilverDecisions's own engine (npm sd-computations 0.6.1, LGPL-3.0) bundled for node with
# esbuild, in a git-ignored folder: the versions are pinned by tools/sd-engine's lock file.
sd-engine: $(SD_ENGINE)/compute.bundle.mjs

$(SD_ENGINE)/compute.bundle.mjs: $(SD_SOURCES)
	@command -v node >/dev/null && command -v npm >/dev/null || \
	  { echo "the SilverDecisions tests need node and npm: apt-get install nodejs npm"; exit 1; }
	mkdir -p $(SD_ENGINE)
	cp $(SD_SOURCES) $(SD_ENGINE)/
	cd $(SD_ENGINE) && npm ci --no-audit --no-fund --loglevel=error
	cd $(SD_ENGINE) && ./node_modules/.bin/esbuild compute.mjs --bundle --platform=node \
	  --format=esm --log-level=warning --outfile=compute.bundle.mjs

chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif command -v sudo >/dev/null; then sudo apt-get update -qq && \
	    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "the browser tests need Chromium: apt-get install chromium"; exit 1; fi

# Open the notebooks in JupyterLab, on the project's kernel ("Python (dealtree)").
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# Re-execute the notebooks and store their outputs (after changing them or the package).
notebooks: $(STAMP)
	DEALTREE_PROGRESS=0 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.kernel_name=dealtree \
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
	rm -rf $(VENV) reports .cache
