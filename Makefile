# netlab — build, test, install.
#   make deps         install the build and test dependencies (deps.sh)
#   make              build lib/libnetlab.a, netlab/netlab and the man pages
#   make test         unit, bad-input, cli and docs tests; integration too as root
#                     (against the test build build/test, hooks compiled in)
#   make check-asan   the same tests against an ASan+UBSan test build
#   make fuzz         build the libFuzzer targets: loader, Kathará labs (clang)
#   make fuzz-smoke   run each for 20 s over its seed corpus
#   make bench        up/down timings against floor and `ip -batch`,
#                     `apply` of a one-link change on a 1000-node chain, and
#                     a 3000-node chain on 1 against 3 simulated hosts (root)
#   make bench-big    netlab and floor on a chain of 5000 (root; minutes)
#   make graphs       the README's pictures, docs/*.svg (netlab graph | dot)
#   make install      PREFIX=/usr/local DESTDIR=  (and make uninstall)

CC      ?= gcc
PREFIX  ?= /usr/local
DESTDIR ?=
# B is the build directory; the default keeps netlab/netlab in the tree.
B       ?= .

PKGS     := libnl-route-3.0 libmnl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libpcap)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -liniparser -lm
# libpcap is not linked: `capture` loads it (lib/run/pcapdl.h), first by
# the SONAME of the one built against.
PCAP_SONAME := $(shell objdump -p $$(pkg-config --variable=libdir libpcap)/libpcap.so 2>/dev/null | \
		 awk '$$1 == "SONAME" { print $$2 }')

# snprintf into fixed buffers is bounded on purpose (names are validated
# short); gcc's truncation guesses would only add noise.
WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	    -Wno-format-truncation
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) -D_GNU_SOURCE \
	     -ffunction-sections -fdata-sections \
	     -Ilib $(PKG_CFLAGS) \
	     $(if $(PCAP_SONAME),-DNLAB_PCAP_SONAME='"$(PCAP_SONAME)"')
# Every symbol bound at start (and the GOT then read-only): a supervisor,
# cloned from the launcher, finds its calls bound already instead of
# binding them lazily into pages of its own.
LDLIBS   = $(PKG_LIBS) -Wl,-z,relro,-z,now $(EXTRA_LDFLAGS)

VERSION  := $(shell sed -n 's/^\#define NETLAB_VERSION "\(.*\)"/\1/p' \
		netlab/main.c)

LIB_SRC  := $(sort $(wildcard lib/*/*.c))
CLI_SRC  := $(filter-out netlab/launch.c,$(sort $(wildcard netlab/*.c)))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)

LIB      := $(B)/lib/libnetlab.a
BIN      := $(B)/netlab/netlab
# `up`'s launcher, a program of its own (netlab/launch.c): static, and
# only what a supervisor runs (--gc-sections drops the rest of the
# library).  The ASan build links it as the rest (ASan wants it dynamic).
LAUNCH   := $(B)/netlab/netlab-launch
LAUNCH_LINK ?= -static
UNIT     := $(B)/tests/unit/unit-tests

# Man pages: scdoc sources in man/, rendered at build time (nothing
# rendered is committed; scdoc and groff are build dependencies).
# netlab.ini(5) is also embedded, as plain text, for `netlab help topology`.
MAN      := $(B)/man/netlab.8 $(B)/man/netlab.ini.5
HELP_C   := $(B)/man/topology-help.c
HELP_OBJ := $(B)/man/topology-help.o

.PHONY: all deps test run-tests check-asan fuzz fuzz-smoke bench bench-big install uninstall \
	clean format graphs
all: $(BIN) $(LAUNCH) $(MAN)

# Not a build step: installs packages (as root), see deps.sh.
deps:
	sh deps.sh $(DEPS_FLAGS)

$(B)/%.o: %.c $(wildcard lib/*.h lib/*/*.h netlab/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Inetlab -c -o $@ $<

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(HELP_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(HELP_OBJ) $(LIB) $(LDLIBS)

$(LAUNCH): $(B)/netlab/launch.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(LAUNCH_LINK) -Wl,--gc-sections -o $@ $< $(LIB) \
		$(EXTRA_LDFLAGS)

$(B)/man/%: man/%.scd
	@mkdir -p $(dir $@)
	sed 's|@VERSION@|$(VERSION)|g' $< | scdoc >$@.tmp
	mv $@.tmp $@

$(HELP_C): $(B)/man/netlab.ini.5 man/text2c.sh
	groff -man -Tascii -P-cbou -rHY=0 $< | \
		sh man/text2c.sh nlab_topology_help >$@.tmp
	mv $@.tmp $@

$(HELP_OBJ): $(HELP_C)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(UNIT): $(UNIT_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $(UNIT_OBJ) $(LIB) $(LDLIBS) -lcmocka

# The test hooks (lib/base/testhook.h: NETLAB_TEST_FAIL, NETLAB_TEST_PAUSE,
# NETLAB_TEST_STALL, NETLAB_TEST_ASAN) exist only in the test builds below; `make` and
# `make install` build the release binary, which has none.  The suite
# runs against a test build and checks the release binary ($(BIN)) for
# ignoring them.
HOOKS := -DNLAB_TEST_HOOKS

# The one test command (README, .ci/run): ends with
# "N passed, N failed, N skipped".
test: $(BIN) $(LAUNCH) $(MAN)
	@$(MAKE) --no-print-directory B=build/test EXTRA_CFLAGS="$(HOOKS)" \
		RELEASE=$(abspath $(BIN)) run-tests

# The suite against the build in $(B); RELEASE: the release binary.
run-tests: $(BIN) $(LAUNCH) $(UNIT) $(MAN)
	@NETLAB=$(abspath $(BIN)) UNIT=$(abspath $(UNIT)) \
		MANDIR=$(abspath $(B)/man) NETLAB_RELEASE=$(RELEASE) tests/run

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all
check-asan: $(BIN) $(LAUNCH)
	$(MAKE) B=build/asan CFLAGS="-O1 -g" LAUNCH_LINK= \
		EXTRA_CFLAGS="$(ASAN_FLAGS) $(HOOKS)" \
		EXTRA_LDFLAGS="$(ASAN_FLAGS)" RELEASE=$(abspath $(BIN)) run-tests

# The libFuzzer targets (clang): the topology loader (INI) and Kathará
# labs.  The library is built once for both, instrumented.
FUZZ_DIR   := build/fuzz
FUZZ_FLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -Ilib $(PKG_CFLAGS) \
	      -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ   := $(LIB_SRC:%.c=$(FUZZ_DIR)/%.o) \
	      $(FUZZ_DIR)/tests/fuzz/exercise.o \
	      $(FUZZ_DIR)/tests/fuzz/exercise_plan.o
FUZZ       := $(FUZZ_DIR)/fuzz-loader $(FUZZ_DIR)/fuzz-kathara
fuzz: $(FUZZ)
$(FUZZ_DIR)/%.o: %.c $(wildcard lib/*/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(FUZZ_DIR)/fuzz-%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

# A short run of each over its seed corpus, for CI: the loader must keep
# surviving what the long runs found.  (A real session: FUZZER
# -max_total_time=300 -rss_limit_mb=2048 -max_len=4096 -dict=DICT NEW_DIR
# CORPUS, see the top of tests/fuzz/fuzz_*.c.)
FUZZ_RUN := -max_total_time=20 -rss_limit_mb=2048 -max_len=4096
fuzz-smoke: $(FUZZ)
	@mkdir -p $(FUZZ_DIR)/work-loader $(FUZZ_DIR)/work-kathara
	$(FUZZ_DIR)/fuzz-loader $(FUZZ_RUN) -dict=tests/fuzz/loader.dict \
		$(FUZZ_DIR)/work-loader tests/fuzz/corpus
	$(FUZZ_DIR)/fuzz-kathara $(FUZZ_RUN) -dict=tests/fuzz/kathara.dict \
		$(FUZZ_DIR)/work-kathara tests/fuzz/kathara-corpus

# FLOOR=PATH: the reference program (default: `floor` on PATH);
# SIZES, REPS, ... choose the labs (see tests/bench/run); MH_NODES,
# MH_HOSTS, MH_BLOCKS the lab over hosts (tests/bench/multihost.sh; MH=0
# skips it).
bench: $(BIN) $(LAUNCH)
	tests/bench/run $(abspath $(BIN))
	tests/bench/apply.sh $(abspath $(BIN))
	tests/bench/multihost.sh $(abspath $(BIN))

bench-big: $(BIN) $(LAUNCH)
	tests/bench/run --big $(abspath $(BIN))

# The pictures of the example topologies that the README shows, committed
# so that they show on a web page: docs/NAME.svg from topologies/NAME.ini
# (graphviz's dot; tests/docs.sh checks that they say what `graph` says).
GRAPHS := docs/router.svg
graphs: $(GRAPHS)
docs/%.svg: topologies/%.ini $(BIN)
	$(BIN) graph $< >$@.dot && dot -Tsvg $@.dot >$@.tmp || \
		{ rm -f $@.dot $@.tmp; exit 1; }
	rm -f $@.dot
	mv $@.tmp $@

# The binary, the man pages, bash completion and the example topologies.
# uninstall removes exactly those files (and share/netlab), no directory
# that may hold anyone else's.
SHARE    := $(DESTDIR)$(PREFIX)/share
EXAMPLES := $(shell cd topologies && find . -type f | sort)
install: $(BIN) $(LAUNCH) $(MAN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/netlab
	install -D -m 0755 $(LAUNCH) \
		$(DESTDIR)$(PREFIX)/libexec/netlab/netlab-launch
	install -D -m 0644 $(B)/man/netlab.8 $(SHARE)/man/man8/netlab.8
	install -D -m 0644 $(B)/man/netlab.ini.5 $(SHARE)/man/man5/netlab.ini.5
	install -D -m 0644 completion/netlab.bash \
		$(SHARE)/bash-completion/completions/netlab
	for f in $(EXAMPLES); do \
		install -D -m 0644 topologies/$$f \
			$(SHARE)/netlab/topologies/$$f || exit 1; \
	done

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/libexec/netlab
	rm -f $(DESTDIR)$(PREFIX)/bin/netlab $(SHARE)/man/man8/netlab.8 \
		$(SHARE)/man/man5/netlab.ini.5 \
		$(SHARE)/bash-completion/completions/netlab
	rm -rf $(SHARE)/netlab

format:
	clang-format -i lib/*/*.[ch] netlab/*.[ch] tests/unit/*.c tests/fuzz/*.c

clean:
	rm -rf build lib/*.o lib/*/*.o lib/*.a netlab/*.o netlab/netlab netlab/netlab-launch tests/unit/*.o \
		tests/unit/unit-tests man/netlab.8 man/netlab.ini.5 \
		man/topology-help.[co] man/*.tmp
