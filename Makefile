# Debate: build, run and test.  `make run` starts the local stack, `make check` runs every test.
# Every C program is built from fcgi/ (web tier, admin command and the domain library),
# queue/ and builder/.  fcgi/main_*.c are program entry points; every other fcgi/*.c and
# queue/*.c goes into one static library that all programs and tests link.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKGS    := fcgi libpq jansson libsodium libsolv libsolvext
CC      ?= cc
WARN    := -std=c17 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -Werror
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  += $(WARN) $(OPT) $(SAN) -D_GNU_SOURCE -DDEBATE_VERSION='"$(VERSION)"' \
           -DDEBATE_SHAREDIR='"$(PREFIX)/share/debate"' \
           -Ifcgi -Iqueue $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
LDFLAGS += $(SAN)

LIB_SRC  := $(filter-out fcgi/main_%.c fcgi/solve_%.c fcgi/ctl_resolve.c,$(wildcard fcgi/*.c)) $(wildcard queue/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB      := $(BUILD)/libdebate.a
PROGS    := $(BUILD)/bin/debate-fcgi $(BUILD)/bin/debatectl
TEST_SRC := $(filter-out tests/unit/test_solve.c,$(wildcard tests/unit/test_*.c))
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all install run stop check unit integration oracle bench clean bootstrap
all: $(PROGS)

$(BUILD)/obj/%.o: %.c $(wildcard fcgi/*.h queue/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bin/debate-fcgi: $(BUILD)/obj/fcgi/main_fcgi.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bin/debatectl: $(BUILD)/obj/fcgi/main_ctl.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags check) $< $(LIB) $(LDFLAGS) \
	    $(LDLIBS) $(shell pkg-config --libs check) -o $@

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
	$(MAKE) all
	tests/bench/run

clean:
	rm -rf build

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
