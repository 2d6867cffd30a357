# wgo: GNU make. `make` builds bin/, `make check` installs what is missing and tests.
VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/wgo
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions

CC ?= cc
CFLAGS ?= -O2 -g
# Kept whatever CFLAGS the user sets.
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wformat=2 -Wno-format-nonliteral -Wpointer-arith -Wvla -Wundef -Wcast-align \
       -Wno-unused-parameter
CPPFLAGS_ALL = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DWGO_VERSION='"$(VERSION)"' -Isrc/lib \
               -I$(BUILD)/gen
ALL_CFLAGS = -std=c11 -pthread $(WARN) $(CPPFLAGS_ALL) $(CPPFLAGS) $(CFLAGS) -MMD -MP

# VARIANT=san builds into build/san with its own bin/; BUILD and OUT may be given
# too (the install test builds in its own scratch directory, never in bin/).
VARIANT ?=
BUILD ?= build/$(if $(VARIANT),$(VARIANT),default)
OUT ?= $(if $(VARIANT),$(BUILD)/bin,bin)

PROGS = wgo-date wgo-check wgo-issue wgo-keygen wgo-verify ddp-sandbox wgo-push wgo-pull lifeverify reconcile complaint-log wgo-export wgo-scan wgo-report wgo-init wgo-track wgo-apply

# pkg-config packages each program links; nothing more.
PKGS_wgo-date =
PKGS_wgo-check = jansson
PKGS_wgo-issue = jansson libsodium
PKGS_wgo-keygen = jansson libsodium
PKGS_wgo-verify = jansson libsodium
PKGS_ddp-sandbox = jansson libsodium libmicrohttpd gnutls libcurl
PKGS_wgo-push = jansson libsodium libcurl
PKGS_wgo-pull = jansson libsodium libcurl
PKGS_lifeverify = jansson
PKGS_reconcile = jansson
PKGS_complaint-log = jansson libsodium readline
PKGS_wgo-export = jansson libsodium sqlite3
PKGS_wgo-scan = jansson libsodium
PKGS_wgo-report = jansson libsodium
PKGS_wgo-init = jansson libsodium
PKGS_wgo-track = jansson libsodium sqlite3
PKGS_wgo-apply = jansson libsodium readline
PKGS_tests = jansson libsodium libcurl

pkglibs = $(if $(strip $(1)),$(shell pkg-config --libs $(1)))
pkgcflags = $(shell pkg-config --cflags jansson libsodium libcurl libmicrohttpd gnutls 2>/dev/null)

LIB_SRC = $(wildcard src/lib/*.c)
LIB_OBJ = $(LIB_SRC:src/lib/%.c=$(BUILD)/lib/%.o)
LIB = $(BUILD)/libwgo.a
UNIT_SRC = $(wildcard tests/unit/t-*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRC = $(wildcard tests/helpers/*.c)
HELPER_BIN = $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/helpers/%)

DEB_PKGS = gcc make pkg-config libjansson-dev libcurl4-openssl-dev libsodium-dev \
           libreadline-dev libmicrohttpd-dev mandoc zsh bash-completion perl openssl curl tmux \
           valgrind util-linux procps libsqlite3-dev sqlite3 jq python3 fonts-beng python3-nacl
BENCH_PKGS = jq miller wrk hyperfine time sqlite-utils
FUZZ_PKGS = clang libclang-rt-14-dev
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PROVE = prove -j2 --exec ''

.PHONY: all deps check test sanitize install uninstall clean unit bench demo lint-docs fuzz fuzz-bins robustness
.DELETE_ON_ERROR:

all: $(PROGS:%=$(OUT)/%)

# Objects are rebuilt when the compiler or its flags change.
FLAGS_STAMP = $(BUILD)/flags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' > $@
FORCE:

$(BUILD)/lib/%.o: src/lib/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(pkgcflags) -c -o $@ $<

$(BUILD)/%.o: src/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(pkgcflags) -c -o $@ $<

# wgo-init carries the files of src/etc a new office starts from (etc.inc: one
# byte array a file, named after it).
ETC_EMBED = src/etc/wgo.conf.example src/etc/holidays-bd-2026.txt src/etc/branches-sonali.tsv
$(BUILD)/gen/etc.inc: $(ETC_EMBED)
	@mkdir -p $(@D)
	@for f in $(ETC_EMBED); do \
		echo "static const unsigned char etc_$$(basename $$f | tr -c 'a-zA-Z0-9\n' _)[] = {"; \
		od -An -v -tx1 $$f | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
		echo "0 };"; \
	done >$@.tmp && mv $@.tmp $@
$(BUILD)/wgo-init.o: $(BUILD)/gen/etc.inc

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(OUT)/%: $(BUILD)/%.o $(LIB) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -pthread -o $@ $< $(LIB) $(call pkglibs,$(PKGS_$*)) -lm

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIB) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(pkgcflags) -Itests/unit -o $@ $< $(LIB) $(call pkglibs,$(PKGS_tests)) -lm

$(BUILD)/helpers/%: tests/helpers/%.c $(LIB) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(pkgcflags) -o $@ $< $(LIB) $(call pkglibs,$(PKGS_tests)) -lm

# Fuzz targets (tests/fuzz/fuzz-*.c): libFuzzer binaries with clang (make fuzz),
# and replayers built like everything else, which make check runs over the seeds
# and the regressions.
FUZZ_TARGETS = record money date ident config journal sandbox complaint
PKGS_fuzz_record = jansson libsodium
PKGS_fuzz_money = jansson libsodium
PKGS_fuzz_date = jansson libsodium
PKGS_fuzz_ident = jansson libsodium
PKGS_fuzz_config = jansson libsodium
PKGS_fuzz_journal = jansson libsodium
PKGS_fuzz_sandbox = jansson libsodium libcurl
PKGS_fuzz_complaint = jansson libsodium
FUZZ_DEFS = -DFUZZ_KEYS='"$(abspath tests/data/keys)"'
REPLAY_BIN = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay-%)

$(BUILD)/fuzz/replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(wildcard src/*.c) $(LIB) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(pkgcflags) $(FUZZ_DEFS) -Itests/fuzz -o $@ $< tests/fuzz/replay.c $(LIB) \
		$(call pkglibs,$(PKGS_fuzz_$*)) -lm

$(BUILD)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(wildcard src/*.c) $(LIB) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(pkgcflags) $(FUZZ_DEFS) -Itests/fuzz -fsanitize=fuzzer -o $@ $< $(LIB) \
		$(call pkglibs,$(PKGS_fuzz_$*)) -lm

# The full-disk shim, preloaded by the tests; plain flags, whatever the variant.
$(BUILD)/helpers/enospc.so: tests/shim/enospc.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O2 -Wall -Wextra -o $@ $< -ldl

unit: $(UNIT_BIN) $(HELPER_BIN) $(REPLAY_BIN) $(BUILD)/helpers/enospc.so

fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz-%)

# make fuzz: each target for FUZZ_SECONDS (60) under ASan and UBSan, two at a
# time, from seeds made from the golden tests; a crash fails it, and its input is
# kept under build/fuzz/ to become a regression in tests/fuzz/regress/TARGET/.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
fuzz: all
	$(MAKE) deps EXTRA_PKGS="$(FUZZ_PKGS)"
	$(MAKE) VARIANT=fuzz CC=clang CFLAGS="$(FUZZ_FLAGS)" LDFLAGS="-fsanitize=address,undefined" fuzz-bins
	tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# make robustness: the fuzzers, the robustness tests, the suite under the
# sanitizers and under valgrind, summed up in tests/ROBUSTNESS.md.
# The test scripts whose passing tests tests/ROBUSTNESS.md names, each claim beside
# the tests that prove it; their TAP is kept for the report.
ROBUSTNESS_TAP = t1200-hostile-input t2150-key-rotation t2200-wgo-issue-register t3050-sandbox-ledger \
	t3100-wgo-push-pull t3200-bank-amount t6000-complaint-log t6100-complaint-log-store \
	t6200-complaint-hostile t9000-robustness t9100-secrets
robustness: all unit
	$(MAKE) fuzz
	rm -rf build/robustness.tsv build/robustness-tap
	mkdir -p build/robustness-tap
	for t in $(ROBUSTNESS_TAP); do \
		ROBUSTNESS_OUT=$(abspath build/robustness.tsv) WGO_BIN=$(abspath $(OUT)) \
		WGO_HELPERS=$(abspath $(BUILD)/helpers) sh tests/$$t.t >build/robustness-tap/$$t.tap 2>/dev/null; \
	done
	$(BUILD)/tests/t-term >build/robustness-tap/t-term.tap
	$(BUILD)/tests/t-store >build/robustness-tap/t-store.tap
	{ echo "make sanitize:"; $(MAKE) -s sanitize 2>&1 | tail -2; \
	  echo "VALGRIND=1 make test:"; VALGRIND=1 $(MAKE) -s test 2>&1 | tail -2; } >build/robustness-suites.txt
	tests/robustness-report

# Installs the Debian packages the build and the tests need, when they are missing.
deps:
	@command -v dpkg-query >/dev/null || { echo "deps: not a Debian system; install: $(DEB_PKGS)"; exit 0; }; \
	missing=$$(for p in $(DEB_PKGS) $(EXTRA_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

check: deps
	$(MAKE) all unit
	$(MAKE) test

# The scripts that take longest (most of it waiting on a terminal or a bank, and
# under valgrind minutes) start first, so that two run at once to the end.
SLOW_TESTS = tests/t7300-wgo-apply.t tests/t6000-complaint-log.t tests/t0001-docs.t \
             tests/t3100-wgo-push-pull.t tests/t3400-sandbox-trust.t tests/t3300-bank-contract.t
test:
	WGO_BIN=$(abspath $(OUT)) WGO_HELPERS=$(abspath $(BUILD)/helpers) $(PROVE) $(SLOW_TESTS) \
		$(UNIT_BIN) $(filter-out $(SLOW_TESTS),$(sort $(wildcard tests/t*.t)))

SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize: deps
	$(MAKE) VARIANT=san CFLAGS="$(CFLAGS) $(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" all unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	$(MAKE) VARIANT=san test

demo: deps
	$(MAKE) all
	tests/demo/run

bench: all
	$(MAKE) deps EXTRA_PKGS="$(BENCH_PKGS)"
	tests/bench/run

MANPAGES = $(wildcard man/man1/*.1 man/man5/*.5 man/man7/*.7)
lint-docs:
	mandoc -Tlint -Wwarning $(MANPAGES)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(DATADIR)
	install -m 755 $(PROGS:%=$(OUT)/%) $(DESTDIR)$(BINDIR)
	install -m 644 $(wildcard man/man1/*.1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(wildcard man/man5/*.5) $(DESTDIR)$(MANDIR)/man5
	install -m 644 $(wildcard man/man7/*.7) $(DESTDIR)$(MANDIR)/man7
	install -m 644 $(wildcard completions/bash/*) $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 completions/zsh/_wgo $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 $(wildcard src/etc/*) $(DESTDIR)$(DATADIR)

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/%,$(MANPAGES))
	rm -f $(patsubst completions/bash/%,$(DESTDIR)$(BASHCOMPDIR)/%,$(wildcard completions/bash/*))
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_wgo
	rm -f $(patsubst src/etc/%,$(DESTDIR)$(DATADIR)/%,$(wildcard src/etc/*))
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null

clean:
	rm -rf build $(PROGS:%=bin/%)

-include $(LIB_OBJ:.o=.d) $(PROGS:%=$(BUILD)/%.d)
