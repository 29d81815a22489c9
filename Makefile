# irk: plain, pkg-config driven Makefile.
#   make            build ./irk and build/libirk.a
#   make run        install missing packages, build, open irk on a demo DB
#   make check      install missing packages, build, run every test
#   make bench      run the benchmarks (figures printed as ratios)
#   make soak       the jump-box soak test for SOAK_SECS (300) seconds
#   make install    PREFIX=/usr/local DESTDIR=
#   make install-jumpbox   a shared jump box: system group and user irk,
#                   the database under IRK_STATEDIR, a setgid-irk binary
#                   (contrib/jumpbox-install.sh; see README "A jump box")
#   make SANITIZE=address,undefined   build into build/san/ with sanitizers
#   make V=1        show the commands
#   CPPFLAGS, CFLAGS, LDFLAGS are honoured; changing any of them (or CC,
#   SANITIZE) rebuilds everything: they are kept in $(B)/flags, which every
#   object depends on (as redis's src/Makefile does).

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share/irk
# Where the setgid irk of a jump box finds its configuration and database
# (compiled into that binary only: src/app/app.c; see jumpbox-irk below).
IRK_SYSCONFDIR ?= /etc/irk
IRK_STATEDIR   ?= /var/lib/irk
JB_OUT         ?= $(B)/jumpbox
CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS      = ncursesw formw menuw panelw sqlite3 libcurl libcrypto libstrophe
# jansson is only for the tests (a differential check of irk's own JSON
# reader, and decoding what fixture servers received); irk itself does not
# link it.
TEST_PKGS = jansson
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.1.0)

SANITIZE ?=
ifeq ($(SANITIZE),)
B := build
else
B := build/san
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl is loaded when an http step first runs (src/engine/run_http.c),
# not linked: its headers only.
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)) 2>/dev/null) -ldl
TEST_LIBS  := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null) -lcriterion
IRK_CFLAGS  = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Wshadow \
	-Wno-unused-parameter -Iinclude -I$(B)/gen $(PKG_CFLAGS) $(SANFLAGS) \
	-DIRK_VERSION='"$(VERSION)"' -DIRK_DATADIR='"$(DATADIR)"' $(CPPFLAGS)
LDLIBS_ALL  = $(LDFLAGS) $(PKG_LIBS) -lpthread -lm

# The flags in effect, kept in a file that every object depends on: the
# file is rewritten (and everything rebuilt) only when they change.
FLAGS_FILE := $(B)/flags
FLAGS_NOW  := $(strip $(CC) $(CFLAGS) $(IRK_CFLAGS) $(LDLIBS_ALL))
ifneq ($(FLAGS_NOW),$(strip $(file <$(FLAGS_FILE))))
$(shell mkdir -p $(B))
$(file >$(FLAGS_FILE),$(FLAGS_NOW))
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC := $(sort $(wildcard src/app/*.c src/core/*.c src/store/*.c src/ingest/*.c \
	src/incident/*.c src/play/*.c src/engine/*.c src/demo/*.c src/kpi/*.c src/query/*.c src/context/*.c src/xmpp/*.c))
APP_SRC := $(sort src/main.c $(wildcard src/cli/*.c src/tui/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
APP_OBJ := $(APP_SRC:%.c=$(B)/%.o)

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TESTLIB_SRC := $(wildcard tests/unit/helpers/*.c)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(B)/%.o)
BENCH_SRC := $(sort $(wildcard tests/bench/*.c))
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(B)/bench/%)
TUI_LIB_OBJ := $(filter-out $(B)/src/main.o,$(APP_OBJ))

ifeq ($(SANITIZE),)
all: irk
# cp then rename: a running ./irk (a board open in another pane) keeps its
# file, and the new binary replaces the name without "Text file busy".
irk: $(B)/irk
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@
else
all: $(B)/irk
endif

$(B)/irk: $(APP_OBJ) $(B)/libirk.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(APP_OBJ) $(B)/libirk.a $(LDLIBS_ALL)

$(B)/libirk.a: $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# The front ends (cli, tui) without main.c, for tests of screen layouts.
$(B)/libirkui.a: $(TUI_LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# The built-in themes (theme_default(), theme_mono()) are themes/*.theme
# without their comments, compiled in, as tig does with its tigrc.
$(B)/gen/themes.h: themes/default.theme themes/mono.theme $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)for t in default mono; do \
		printf 'static const char %s_text[] =\n' "$$t"; \
		sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$$/d' -e 's/[\\"]/\\&/g' \
			-e 's/^/\t"/' -e 's/$$/\\n"/' "themes/$$t.theme"; \
		printf '\t;\n'; \
	done >$@.tmp && mv -f $@.tmp $@
$(B)/src/tui/theme.o: $(B)/gen/themes.h

$(B)/%.o: %.c $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(IRK_CFLAGS) -MMD -MP -c -o $@ $<

# Unit tests link libirk.a; tests of the front ends (test_tui_*, test_cli_*)
# also link the cli/tui objects.
$(B)/tests/test_tui_%: tests/unit/test_tui_%.c $(B)/libirkui.a $(B)/libirk.a $(TESTLIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(IRK_CFLAGS) -Itests/unit -MMD -MP -o $@ $< $(TESTLIB_OBJ) \
		$(B)/libirkui.a $(B)/libirk.a $(LDLIBS_ALL) $(TEST_LIBS)

$(B)/tests/test_cli_%: tests/unit/test_cli_%.c $(B)/libirkui.a $(B)/libirk.a $(TESTLIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(IRK_CFLAGS) -Itests/unit -MMD -MP -o $@ $< $(TESTLIB_OBJ) \
		$(B)/libirkui.a $(B)/libirk.a $(LDLIBS_ALL) $(TEST_LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libirk.a $(TESTLIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(IRK_CFLAGS) -Itests/unit -MMD -MP -o $@ $< $(TESTLIB_OBJ) \
		$(B)/libirk.a $(LDLIBS_ALL) $(TEST_LIBS)

$(B)/bench/%: tests/bench/%.c $(B)/libirkui.a $(B)/libirk.a
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	$(Q)$(CC) $(CFLAGS) $(IRK_CFLAGS) -MMD -MP -o $@ $< $(B)/libirkui.a $(B)/libirk.a $(LDLIBS_ALL)

unit: $(UNIT_BIN)
benches: $(BENCH_BIN)

# Small programs the end-to-end tests use to set state up through the API
# (tests/e2e/helpers/NAME.c -> build/e2e/NAME), built with the unit tests.
E2E_HELPER_SRC := $(wildcard tests/e2e/helpers/*.c)
E2E_HELPER_BIN := $(E2E_HELPER_SRC:tests/e2e/helpers/%.c=$(B)/e2e/%)
$(B)/e2e/%: tests/e2e/helpers/%.c $(B)/libirk.a
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(IRK_CFLAGS) -MMD -MP -o $@ $< $(B)/libirk.a $(LDLIBS_ALL)
unit: $(E2E_HELPER_BIN)
# Programs the end-to-end tests use to make their input: built with the
# tests, so `make unit` then `TESTS=x tests/run.sh` never runs a stale one.
E2E_TOOLS := $(B)/bench/gen_eve
unit: $(E2E_TOOLS)

deps:
	$(Q)contrib/deps.sh

DEMO_DB ?= $(HOME)/.local/share/irk/demo.db
# The demo is built aside and renamed, so an interrupted run leaves no
# half-filled database behind.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)if [ ! -f "$(DEMO_DB)" ]; then ./irk --db "$(DEMO_DB)" demo; fi
	$(Q)./irk --db "$(DEMO_DB)"

check: deps
	$(Q)$(MAKE) --no-print-directory all unit $(E2E_TOOLS)
	$(Q)tests/run.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all benches
	$(Q)tests/bench/run.sh

# The jump-box soak (tests/e2e/soak.sh) for SOAK_SECS seconds (default 300;
# 60 in make check).
SOAK_SECS ?= 300
soak: deps
	$(Q)$(MAKE) --no-print-directory all unit $(E2E_TOOLS)
	$(Q)SOAK_SECS=$(SOAK_SECS) TESTS=soak NO_SAN=1 tests/run.sh

fuzz:
	$(Q)tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)/plays $(DESTDIR)$(DATADIR)/themes
	install -m 755 irk $(DESTDIR)$(BINDIR)/irk
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 644 plays/*.json $(DESTDIR)$(DATADIR)/plays/
	install -d $(DESTDIR)$(DATADIR)/plays/bin $(DESTDIR)$(DATADIR)/plays/ansible
	install -m 755 plays/bin/* $(DESTDIR)$(DATADIR)/plays/bin/
	install -m 644 plays/ansible/*.yml $(DESTDIR)$(DATADIR)/plays/ansible/
	install -m 644 themes/*.theme $(DESTDIR)$(DATADIR)/themes/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 contrib/irk.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/irk

# The jump box's binary: irk with IRK_SYSCONFDIR and IRK_STATEDIR compiled
# into its app.o (linked before libirk.a, so the archive's app.o is not
# used). Kept apart from ./irk: these paths never change the normal build.
jumpbox-irk: $(APP_OBJ) $(B)/libirk.a
	@mkdir -p $(JB_OUT)
	@echo "  CC      $(JB_OUT)/app.o"
	$(Q)$(CC) $(CFLAGS) $(IRK_CFLAGS) -DIRK_SYSCONFDIR='"$(IRK_SYSCONFDIR)"' \
		-DIRK_STATEDIR='"$(IRK_STATEDIR)"' -c -o $(JB_OUT)/app.o src/app/app.c
	@echo "  LD      $(JB_OUT)/irk"
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $(JB_OUT)/irk $(APP_OBJ) $(JB_OUT)/app.o \
		$(B)/libirk.a $(LDLIBS_ALL)

# Run as root. Installs everything, then the jump-box binary over bin/irk
# (root:irk, mode 2755), the group and user, the directories and the
# database. JB_ADMIN=login makes that analyst the first admin.
install-jumpbox: install jumpbox-irk
	IRK_BIN_NEW=$(JB_OUT)/irk BINDIR=$(DESTDIR)$(BINDIR) DATADIR=$(DATADIR) \
		SYSCONFDIR=$(DESTDIR)$(IRK_SYSCONFDIR) STATEDIR=$(DESTDIR)$(IRK_STATEDIR) \
		JB_ADMIN=$(JB_ADMIN) sh contrib/jumpbox-install.sh

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/irk $(DESTDIR)$(MANDIR)/man1/irk.1 \
		$(DESTDIR)$(MANDIR)/man5/irk.conf.5 $(DESTDIR)$(MANDIR)/man5/irk-play.5 \
		$(DESTDIR)$(MANDIR)/man5/irk-theme.5 $(DESTDIR)$(MANDIR)/man7/irk-kpi.7
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/irk

clean:
	rm -rf build irk

.PHONY: all unit benches deps run check bench soak fuzz install install-jumpbox jumpbox-irk uninstall clean
.SECONDARY:

-include $(LIB_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(UNIT_BIN:=.d) $(BENCH_BIN:=.d) $(E2E_HELPER_BIN:=.d) $(TESTLIB_OBJ:.o=.d)
