# Debate: build, run and test.  `make run` starts the local stack, `make check` runs every test.
# Every C program is built from fcgi/ (web tier, admin command and the domain library),
# queue/ and builder/.  fcgi/main_*.c are program entry points; every other fcgi/*.c and
# queue/*.c goes into one static library that all programs and tests link.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKGS    := fcgi libpq jansson libsodium libsolv libsolvext libzstd liblzma zlib
CC      ?= cc
WARN    := -std=c17 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -Werror
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  += $(WARN) $(OPT) $(SAN) -D_GNU_SOURCE -DDEBATE_VERSION='"$(VERSION)"' \
           -DDEBATE_SHAREDIR='"$(PREFIX)/share/debate"' \
           -Ifcgi -Iqueue -Ibuilder $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lbz2 -lpthread -lm
LDFLAGS += $(SAN)

LIB_SRC  := $(filter-out fcgi/main_%.c,$(wildcard fcgi/*.c)) $(wildcard queue/*.c) \
            $(filter-out builder/main_%.c,$(wildcard builder/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB      := $(BUILD)/libdebate.a
PROGS    := $(BUILD)/bin/debate-fcgi $(BUILD)/bin/debatectl $(BUILD)/bin/debate-builder
TEST_SRC := $(wildcard tests/unit/test_*.c)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Benchmark programs: tests/bench/NAME/prog.c -> $(BUILD)/bench/prog, except
# tests/bench/NAME/bench.c -> $(BUILD)/bench/NAME (rule at the end).
BENCH_SRC := $(filter-out %/bench.c,$(wildcard tests/bench/*/*.c))
BENCHES  := $(foreach f,$(BENCH_SRC),$(BUILD)/bench/$(basename $(notdir $(f)))) \
            $(patsubst tests/bench/%/bench.c,$(BUILD)/bench/%,$(wildcard tests/bench/*/bench.c))

.PHONY: all install run stop check unit integration oracle bench benches clean bootstrap
all: $(PROGS)

$(BUILD)/obj/%.o: %.c $(wildcard fcgi/*.h queue/*.h builder/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bin/debate-fcgi: $(BUILD)/obj/fcgi/main_fcgi.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bin/debate-builder: $(BUILD)/obj/builder/main_builder.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bin/debatectl: $(BUILD)/obj/fcgi/main_ctl.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags check) $< $(LIB) $(LDFLAGS) \
	    $(LDLIBS) $(shell pkg-config --libs check) -o $@

define bench_rule
$(BUILD)/bench/$(basename $(notdir $(1))): $(1) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$< $$(LIB) $$(LDFLAGS) $$(LDLIBS) -o $$@
endef
$(foreach f,$(BENCH_SRC),$(eval $(call bench_rule,$(f))))

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/debate/sql/migrations \
	    $(DESTDIR)$(PREFIX)/share/debate/static $(DESTDIR)$(PREFIX)/share/debate/nginx \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 sql/migrations/*.sql $(DESTDIR)$(PREFIX)/share/debate/sql/migrations/
	cp -R static/. $(DESTDIR)$(PREFIX)/share/debate/static/
	install -m 0644 nginx/*.conf $(DESTDIR)$(PREFIX)/share/debate/nginx/
	for u in systemd/*.service systemd/*.socket systemd/*.timer; do [ -e "$$u" ] || continue; \
	    sed 's|@PREFIX@|$(PREFIX)|g' "$$u" > $(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename $$u); done

bootstrap:
	scripts/bootstrap

# The local stack: private PostgreSQL under var/, the FastCGI pool, nginx on :8080.
run: bootstrap
	$(MAKE) all
	scripts/stack run var

stop:
	scripts/stack stop var

# The test build: sanitizers on, its own build directory.
CHECK_BUILD := build/check
check: bootstrap
	$(MAKE) BUILD=$(CHECK_BUILD) OPT="-O1 -g" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" all tests
	tests/run-all $(CHECK_BUILD)

tests: $(TESTS)

oracle: bootstrap
	$(MAKE) all
	tests/oracle/run sweep

bench: bootstrap
	$(MAKE) all benches
	tests/bench/run

benches: $(BENCHES)

clean:
	rm -rf build

# ---------------------------------------------------------------------------
# Fuzz targets (overlay/profile module).  Every tests/fuzz/fuzz_*.c becomes a
# libFuzzer binary in $(BUILD)/fuzz/, linked with the library sources rebuilt
# by clang with the fuzzer instrumentation (FUZZ_SKIP leaves some out).
# `make check` runs each target briefly through tests/fuzz/suite.
FUZZ_CC    ?= clang-14
# clang's -Wformat=2 also flags vprintf-style wrappers that gcc accepts.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
              -Wno-format-nonliteral
FUZZ_SKIP  ?=
FUZZ_SRC   := $(filter-out $(FUZZ_SKIP),$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/fuzz/obj/%.o)

.PHONY: fuzz
fuzz: $(FUZZ_BINS)

$(BUILD)/fuzz/obj/%.o: %.c $(wildcard fcgi/*.h queue/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) $(FUZZ_FLAGS) -D_GNU_SOURCE -DDEBATE_VERSION='"$(VERSION)"' \
	    -DDEBATE_SHAREDIR='"$(PREFIX)/share/debate"' -Ifcgi -Iqueue -Ibuilder \
	    $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -c $< -o $@

$(BUILD)/fuzz/libdebate-fuzz.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/fuzz/libdebate-fuzz.a
	$(FUZZ_CC) $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer -D_GNU_SOURCE -Ifcgi -Iqueue -Ibuilder \
	    $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $< $(BUILD)/fuzz/libdebate-fuzz.a \
	    $(LDLIBS) -o $@

# The overlay engine's own benchmark (tests/bench/overlay/run prints it).
$(BUILD)/bench/%: tests/bench/%/bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

# ---------------------------------------------------------------------------
# queue/ tests and benchmarks (issue 5).  The queue's suite (tests/queue/suite)
# runs these against a throwaway PostgreSQL; `make tests` builds them, so
# `make check` builds them with the sanitizers.  The benchmark program is
# built by tests/bench/queue/run (optimised build); `make bench` runs it
# through tests/bench/run.
QTEST_UTIL  := $(BUILD)/obj/tests/queue/qtest_util.o
QTEST_PROGS := $(BUILD)/tests/queue/qtest $(BUILD)/tests/queue/qworker \
               $(BUILD)/tests/queue/qenqueue
QBENCH      := $(BUILD)/bench/qbench

$(BUILD)/obj/tests/queue/%.o: tests/queue/%.c tests/queue/qtest_util.h queue/q.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/queue -c $< -o $@

$(BUILD)/tests/queue/%: $(BUILD)/obj/tests/queue/%.o $(QTEST_UTIL) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# main's generic rule for tests/bench/*/*.c (BENCHES) builds it when present.
ifeq ($(filter $(QBENCH),$(BENCHES)),)
$(QBENCH): tests/bench/queue/qbench.c queue/q.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(LIB) $(LDFLAGS) $(LDLIBS) -o $@
endif

.PHONY: queue-tests queue-bench
queue-tests: $(QTEST_PROGS)
queue-bench: $(QBENCH)
tests: queue-tests
