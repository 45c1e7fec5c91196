# Điểm Cầu station. `make run` and `make test` set up everything they need on a
# fresh Debian 12 machine (as root): system packages, .venv, translations.

PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
STAMPS   := .stamps
DATA_DIR ?=
# Test processes for `make test` (pytest-xdist; each test file stays in one process with its fixtures).
TEST_WORKERS ?= 2

# Qt's xcb platform, fonts that draw Vietnamese, and a virtual display.
RUN_PACKAGES := python3 python3-venv python3-pip xvfb xauth fonts-noto-core fonts-dejavu-core \
	libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0 \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
	libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xfixes0 libxcb-sync1 libxcb-xkb1 \
	libxcb-util1 libxcb-shm0 libxcb-render0 libx11-xcb1 libfreetype6 \
	libportaudio2 libsndfile1 libasound2-plugins pulseaudio pulseaudio-utils openssl \
	orthanc orthanc-dicomweb nodejs janus janus-tools gcc libc6-dev
# What the tests drive the station with: real X keyboard events, a private sound
# server fed with speech and tones, generated video as cameras, PostgreSQL under the hub
# (Orthanc, the PACS, comes with the run packages: the local hub has one).
TEST_PACKAGES := xdotool espeak-ng sox ffmpeg postgresql strace chromium

# Janus on a machine whose only link is 127.0.0.1 (station alone, tests): see server/live/loopback_ifaddrs.c
LOOPBACK_SHIM := .build/libloopback_ifaddrs.so

TS_FILES := $(wildcard resources/translations/*.ts)
QM_FILES := $(TS_FILES:.ts=.qm)
CONSOLE_MO := $(patsubst %.po,%.mo,$(wildcard server/console/locales/*/LC_MESSAGES/console.po))

.PHONY: run test soak screenshots bench lint clean setup setup-test translations

run: setup
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(PY) -m app $(if $(DATA_DIR),--data-dir $(DATA_DIR)); \
	else \
		echo "No display found: starting the station on a virtual display (Xvfb)."; \
		xvfb-run -a -s "-screen 0 1280x800x24" $(PY) -m app $(if $(DATA_DIR),--data-dir $(DATA_DIR)); \
	fi

test: setup-test
	$(VENV)/bin/ruff check --quiet app server tests bench tools
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The long fault campaign (tests/integration/sync/test_campaign.py): DIEMCAU_SOAK_SECONDS of kills and link
# faults (20 minutes unless set), then the invariants; prints its figures. DIEMCAU_CAMPAIGN_SEED replays a seed,
# DIEMCAU_CAMPAIGN_HUB=postgresql puts the hub on PostgreSQL. `make test` runs the short one.
soak: setup-test
	DIEMCAU_SOAK_SECONDS=$${DIEMCAU_SOAK_SECONDS:-1200} QT_QPA_PLATFORM=offscreen \
		$(PY) -m pytest -m soak tests/integration/sync/test_campaign.py tests/e2e/test_live_page_faults.py -s \
		-p no:cacheprovider

screenshots: setup
	xvfb-run -a -s "-screen 0 1280x800x24" $(PY) tools/screenshots.py docs/screenshots
	xvfb-run -a -s "-screen 0 1700x800x24" $(PY) tools/screenshot_live_viewer.py docs/screenshots
	xvfb-run -a -s "-screen 0 1366x768x24" $(PY) tools/screenshot_live_invite.py docs/screenshots

bench: setup-test
	$(PY) bench/startup.py
	$(PY) bench/search.py
	$(PY) bench/autosave.py
	$(PY) bench/camera.py
	$(PY) bench/import.py
	$(PY) bench/dicom.py
	$(PY) bench/upload.py
	$(PY) bench/loop.py
	$(PY) bench/inbox_page.py
	$(PY) bench/hub_load.py
	$(PY) bench/live.py
	$(PY) bench/live_scale.py
	$(PY) bench/audio.py

setup: $(STAMPS)/system-run $(STAMPS)/venv $(STAMPS)/npm translations $(LOOPBACK_SHIM)
setup-test: setup $(STAMPS)/system-test $(STAMPS)/venv-test

translations: $(QM_FILES) $(CONSOLE_MO)

# The hub console's gettext catalogues (.po in git; .mo are build products).
server/console/locales/%/LC_MESSAGES/console.mo: server/console/locales/%/LC_MESSAGES/console.po $(STAMPS)/venv
	$(VENV)/bin/pybabel compile -i $< -o $@ -D console

# Written aside and renamed over: a station or test run reading the catalogue meanwhile sees the old file
# or the new one, never one being written (lrelease rewrites its output in place).
resources/translations/%.qm: resources/translations/%.ts $(STAMPS)/venv
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@.tmp && mv -f $@.tmp $@

# Installs Debian packages unless all are there already; tells a non-root user what to run.
define apt_install
	@mkdir -p $(STAMPS)
	@if dpkg -s $(1) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(1); \
	else echo "Please install (as root): apt-get install $(1)"; exit 1; fi
	@touch $@
endef

$(STAMPS)/system-run: Makefile
	$(call apt_install,$(RUN_PACKAGES))

$(STAMPS)/system-test: Makefile
	$(call apt_install,$(TEST_PACKAGES))

$(STAMPS)/venv: pyproject.toml | $(STAMPS)/system-run
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

# The console's browser parts, from npm with the lock file (never a CDN). Debian's nodejs has no npm; some
# repositories' nodejs brings its own.
$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)/system-run
	@command -v npm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(LOOPBACK_SHIM): server/live/loopback_ifaddrs.c | $(STAMPS)/system-run
	@mkdir -p $(dir $@)
	gcc -shared -fPIC -O2 -o $@ $< -ldl

$(STAMPS)/venv-test: pyproject.toml $(STAMPS)/venv
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

lint: setup-test
	$(VENV)/bin/ruff check app server tests bench tools
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) $(STAMPS) .build $(QM_FILES) $(CONSOLE_MO) .pytest_cache node_modules
