# vigil — front door. See README.md.
#   make run     build, `vigil init` ./var on first use, run vigild on
#                https://127.0.0.1:8443 in the foreground
#   make tour    the five-minute CLI tour on ./var/demo
#   make check   all tests under AddressSanitizer + UBSan; last line "N passed, N failed"
#   make bench   benchmarks (release build), ratios against named peers
#   make fuzz    each libFuzzer target for FUZZ_SECONDS (default 20)
#   make install install libvigil, headers, the CLI and man pages (PREFIX=/usr/local)

PREFIX ?= /usr/local
FUZZ_SECONDS ?= 20
MESON ?= meson
NINJA ?= ninja

BUILD := build
BUILD_CHECK := build-check
BUILD_FUZZ := build-fuzz

export ASAN_OPTIONS := detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS := halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp

.PHONY: all build run tour check bench fuzz install clean bootstrap distclean lint

all: build

bootstrap:
	@scripts/bootstrap --check >/dev/null 2>&1 || scripts/bootstrap

$(BUILD)/build.ninja: | bootstrap
	$(MESON) setup $(BUILD) --buildtype=release --prefix=$(PREFIX)

build: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

run: build
	@scripts/run $(BUILD)

tour: build
	@scripts/tour $(BUILD)/src/vigil/vigil

$(BUILD_CHECK)/build.ninja: | bootstrap
	$(MESON) setup $(BUILD_CHECK) --buildtype=debug -Dwerror=true \
	    -Db_sanitize=address,undefined -Db_lundef=false \
	    -Dc_args=-fno-sanitize-recover=all

# The release build is compiled too (not tested twice): `make run` uses
# it, and -O2 finds warnings (-Werror) that -O0 does not.
check: $(BUILD_CHECK)/build.ninja $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)
	$(NINJA) -C $(BUILD_CHECK)
	@rc=0; $(MESON) test -C $(BUILD_CHECK) --print-errorlogs \
	    --num-processes 2 || rc=$$?; \
	    scripts/test-summary $(BUILD_CHECK)/meson-logs/testlog.json; \
	    exit $$rc

bench: build
	@scripts/bench $(BUILD)

$(BUILD_FUZZ)/build.ninja: | bootstrap
	CC=clang $(MESON) setup $(BUILD_FUZZ) --buildtype=debugoptimized \
	    -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
	    -Ddefault_library=static

fuzz: $(BUILD_FUZZ)/build.ninja
	$(NINJA) -C $(BUILD_FUZZ)
	@scripts/fuzz $(BUILD_FUZZ) $(FUZZ_SECONDS)

install: build
	$(MESON) install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_CHECK) $(BUILD_FUZZ)

distclean: clean
	rm -rf var

lint: build
	@scripts/lint $(BUILD)
