# netlab — build, test, install.
#   make              build lib/libnetlab.a and netlab/netlab
#   make test         unit + bad-input tests; integration tests too as root
#                     (against the test build build/test, hooks compiled in)
#   make check-asan   the same tests against an ASan+UBSan test build
#   make fuzz         build the libFuzzer target for the loader (clang)
#   make fuzz-smoke   run it for 30 s over the seed corpus
#   make bench        up/down timings against `ip -batch` (root)
#   make install      PREFIX=/usr/local DESTDIR=

CC      ?= gcc
PREFIX  ?= /usr/local
DESTDIR ?=
# B is the build directory; the default keeps netlab/netlab in the tree.
B       ?= .

PKGS     := libnl-route-3.0 libmnl libpcap
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -liniparser -lm

# snprintf into fixed buffers is bounded on purpose (names are validated
# short); gcc's truncation guesses would only add noise.
WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	    -Wno-format-truncation
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) -D_GNU_SOURCE \
	     -Ilib $(PKG_CFLAGS)
LDLIBS   = $(PKG_LIBS) $(EXTRA_LDFLAGS)

LIB_SRC  := $(sort $(wildcard lib/*.c))
CLI_SRC  := $(sort $(wildcard netlab/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)

LIB      := $(B)/lib/libnetlab.a
BIN      := $(B)/netlab/netlab
UNIT     := $(B)/tests/unit/unit-tests

.PHONY: all test run-tests check-asan fuzz fuzz-smoke bench install clean \
	format
all: $(BIN)

$(B)/%.o: %.c $(wildcard lib/*.h netlab/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Inetlab -c -o $@ $<

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(UNIT): $(UNIT_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $(UNIT_OBJ) $(LIB) $(LDLIBS) -lcmocka

# The test hooks (lib/testhook.h: NETLAB_TEST_FAIL, NETLAB_TEST_PAUSE,
# NETLAB_TEST_ASAN) exist only in the test builds below; `make` and
# `make install` build the release binary, which has none.  The suite
# runs against a test build and checks the release binary ($(BIN)) for
# ignoring them.
HOOKS := -DNLAB_TEST_HOOKS

# The one test command (README, .ci/run): ends with
# "N passed, N failed, N skipped".
test: $(BIN)
	@$(MAKE) --no-print-directory B=build/test EXTRA_CFLAGS="$(HOOKS)" \
		RELEASE=$(abspath $(BIN)) run-tests

# The suite against the build in $(B); RELEASE: the release binary.
run-tests: $(BIN) $(UNIT)
	@NETLAB=$(abspath $(BIN)) UNIT=$(abspath $(UNIT)) \
		NETLAB_RELEASE=$(RELEASE) tests/run

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all
check-asan: $(BIN)
	$(MAKE) B=build/asan CFLAGS="-O1 -g" \
		EXTRA_CFLAGS="$(ASAN_FLAGS) $(HOOKS)" \
		EXTRA_LDFLAGS="$(ASAN_FLAGS)" RELEASE=$(abspath $(BIN)) run-tests

FUZZ := build/fuzz/fuzz-loader
fuzz: $(FUZZ)
$(FUZZ): tests/fuzz/fuzz_loader.c $(LIB_SRC) $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	clang -std=gnu11 -g -O1 -D_GNU_SOURCE -Ilib $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ \
		tests/fuzz/fuzz_loader.c $(LIB_SRC) $(LDLIBS)

# A short run over the seed corpus, for CI: the loader must keep surviving
# what the long runs found.  (A real session: build/fuzz/fuzz-loader
# -max_total_time=300 -dict=tests/fuzz/loader.dict NEW_DIR tests/fuzz/corpus)
fuzz-smoke: $(FUZZ)
	@mkdir -p build/fuzz/work
	$(FUZZ) -max_total_time=30 -rss_limit_mb=2048 -max_len=4096 \
		-dict=tests/fuzz/loader.dict build/fuzz/work tests/fuzz/corpus

bench: $(BIN)
	tests/bench/run $(abspath $(BIN))

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/netlab

format:
	clang-format -i lib/*.[ch] netlab/*.[ch] tests/unit/*.c tests/fuzz/*.c

clean:
	rm -rf build lib/*.o lib/*.a netlab/*.o netlab/netlab tests/unit/*.o \
		tests/unit/unit-tests
