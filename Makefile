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
CPPFLAGS_ALL = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DWGO_VERSION='"$(VERSION)"' \
       -DWGO_DATADIR='"$(DATADIR)"' -Isrc/lib
ALL_CFLAGS = -std=c11 -pthread $(WARN) $(CPPFLAGS_ALL) $(CPPFLAGS) $(CFLAGS) -MMD -MP

# VARIANT=san builds into build/san with its own bin/.
VARIANT ?=
BUILD = build/$(if $(VARIANT),$(VARIANT),default)
OUT = $(if $(VARIANT),$(BUILD)/bin,bin)

PROGS = wgo-date wgo-check wgo-issue wgo-keygen wgo-verify ddp-sandbox wgo-push wgo-pull lifeverify reconcile complaint-log

# pkg-config packages each program links; nothing more.
PKGS_wgo-date =
PKGS_wgo-check = jansson
PKGS_wgo-issue = jansson libsodium
PKGS_wgo-keygen = jansson libsodium
PKGS_wgo-verify = jansson libsodium
PKGS_ddp-sandbox = jansson libsodium libmicrohttpd gnutls
PKGS_wgo-push = jansson libsodium libcurl
PKGS_wgo-pull = jansson libsodium libcurl
PKGS_lifeverify = jansson
PKGS_reconcile = jansson
PKGS_complaint-log = jansson libsodium readline
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
           libreadline-dev libmicrohttpd-dev mandoc zsh bash-completion perl openssl curl tmux
BENCH_PKGS = jq miller wrk hyperfine time
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PROVE = prove -j2 --exec ''

.PHONY: all deps check test sanitize install uninstall clean unit bench demo lint-docs
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

unit: $(UNIT_BIN) $(HELPER_BIN)

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

test:
	WGO_BIN=$(abspath $(OUT)) WGO_HELPERS=$(abspath $(BUILD)/helpers) $(PROVE) $(UNIT_BIN) tests/t*.t

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
	install -m 755 $(PROGS:%=bin/%) $(DESTDIR)$(BINDIR)
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
