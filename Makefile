# CareNet build. `make` builds build/carenetd and build/carenet-sim;
# `make test` runs the unit and end-to-end tests on a sanitizer build;
# `make run` starts a broker, the daemon and demo data on loopback.

CC      ?= gcc
PKGS    := libmosquitto jansson libmicrohttpd sqlite3 libsodium libpq libcurl
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wno-missing-field-initializers
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
# pkg-config failing would otherwise surface as "mosquitto.h: No such file".
# Goals that run `deps` first (test, run, lint, fuzz, bench) install the
# packages before they compile, so only the plain build goals check here.
PKG_MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) 2>/dev/null && echo ok),,$(p))))
ifneq ($(filter-out deps clean help test run lint fuzz bench,$(or $(MAKECMDGOALS),all)),)
ifneq ($(PKG_MISSING),)
$(error pkg-config does not find: $(PKG_MISSING). Run `make deps` (deploy/deps.sh) to install the Debian -dev packages)
endif
endif

# The layers (docs/architecture.md). Each folder sees only the include
# directories of the layers it may use, so a wrong include fails to
# compile; tests/lint/layers.sh checks the same matrix in `make lint`.
L_PROTO    := proto
L_DB       := db $(L_PROTO)
L_CARE     := services/care $(L_PROTO)
L_BASE     := services services/care $(L_PROTO)
L_NET      := services/net services db services/care $(L_PROTO)
L_ALERTING := services/alerting $(L_NET)
L_INGEST   := services/ingest $(L_ALERTING)
L_API      := services/api services/ingest $(L_ALERTING)
# The notifier thread (issue 14): above alerting, which it escalates.
L_NOTIFY   := services/notify $(L_ALERTING)
L_SIM      := services/sim services services/alerting services/care $(L_PROTO)
L_ALL      := $(sort $(L_API) $(L_NOTIFY))
INC_proto             := $(addprefix -I,$(L_PROTO))
INC_build_gen         := $(addprefix -I,$(L_PROTO))
INC_FILE_build/gen/console_files.c := -Iservices/net
INC_db                := $(addprefix -I,$(L_DB))
INC_services_care     := $(addprefix -I,$(L_CARE))
INC_services          := $(addprefix -I,$(L_BASE))
INC_services_net      := $(addprefix -I,$(L_NET))
INC_services_alerting := $(addprefix -I,$(L_ALERTING))
INC_services_ingest   := $(addprefix -I,$(L_INGEST))
INC_services_api      := $(addprefix -I,$(L_API))
INC_services_sim      := $(addprefix -I,$(L_SIM))
INC_services_notify   := $(addprefix -I,$(L_NOTIFY))
INC                   := $(addprefix -I,$(L_ALL))
# main.c wires every layer together; tests and benches see everything.
INC_FILE_services/main.c := $(INC)
srcinc = $(or $(INC_FILE_$<),$(INC_$(subst /,_,$(patsubst %/,%,$(dir $<)))),$(INC))
CFLAGS  ?= -O2 -g
SAN     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

# build/gen/openapi.c is proto's: the spec text and the query-parameter
# allow-list generated from it (proto/query_params.c looks it up).
PROTO_SRC    := $(sort $(wildcard proto/*.c)) build/gen/openapi.c
DB_SRC       := $(sort $(wildcard db/*.c)) build/gen/migrations.c build/gen/migrations_pg.c
CARE_SRC     := $(sort $(wildcard services/care/*.c))
BASE_SRC     := $(sort $(filter-out services/main.c,$(wildcard services/*.c)))
NET_SRC      := $(sort $(wildcard services/net/*.c)) build/gen/console_files.c
ALERTING_SRC := $(sort $(wildcard services/alerting/*.c))
INGEST_SRC   := $(sort $(wildcard services/ingest/*.c))
API_SRC      := $(sort $(wildcard services/api/*.c))
NOTIFY_SRC   := $(sort $(wildcard services/notify/*.c))
SIM_SRC      := $(sort $(wildcard services/sim/*.c))
MIGRATIONS   := $(sort $(wildcard db/migrations/*.sql))
PG_MIGRATIONS := $(sort $(wildcard db/migrations/pg/*.sql))
CONSOLE      := $(sort $(shell find services/console -type f 2>/dev/null))
GEN_SRC      := build/gen/migrations.c build/gen/migrations_pg.c build/gen/openapi.c build/gen/console_files.c
# Each layer with everything below it: what a unit test of it links.
UPTO_PROTO    := $(PROTO_SRC)
UPTO_DB       := $(DB_SRC) $(UPTO_PROTO)
UPTO_CARE     := $(CARE_SRC) $(UPTO_PROTO)
UPTO_BASE     := $(BASE_SRC) $(UPTO_CARE)
UPTO_NET      := $(NET_SRC) $(BASE_SRC) $(CARE_SRC) $(UPTO_DB)
UPTO_ALERTING := $(ALERTING_SRC) $(UPTO_NET)
UPTO_INGEST   := $(INGEST_SRC) $(UPTO_ALERTING)
UPTO_API      := $(API_SRC) $(INGEST_SRC) $(UPTO_ALERTING)
UPTO_NOTIFY   := $(NOTIFY_SRC) $(UPTO_ALERTING)
LIB_SRC       := $(UPTO_API) $(NOTIFY_SRC)
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))

obj = $(patsubst %.c,build/$(1)/%.o,$(2))
LIB_OBJ     := $(call obj,rel,$(LIB_SRC))
LIB_OBJ_SAN := $(call obj,san,$(LIB_SRC))
UNIT_BIN    := $(patsubst tests/unit/%.c,build/san/unit/%,$(UNIT_SRC))
FUZZ_BIN    := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60

.PHONY: all test unit e2e e2e-sqlite e2e-pg browser screenshots run lint format format-check fuzz bench bench-hostile clean deps help
all: build/carenetd $(if $(SIM_SRC),build/carenet-sim)

deps:
	@bash deploy/deps.sh

build/gen/migrations.c: db/embed_migrations.sh $(MIGRATIONS)
	@mkdir -p $(dir $@)
	sh db/embed_migrations.sh $@ db_migrations $(MIGRATIONS)

# The PostgreSQL schema: the same numbers as db/migrations/, one each.
build/gen/migrations_pg.c: db/embed_migrations.sh $(PG_MIGRATIONS) $(MIGRATIONS)
	@mkdir -p $(dir $@)
	@test "$(notdir $(MIGRATIONS))" = "$(notdir $(PG_MIGRATIONS))" \
	  || { echo "db/migrations/pg/ must hold the same files as db/migrations/"; exit 1; }
	sh db/embed_migrations.sh $@ db_pg_migrations $(PG_MIGRATIONS)

build/gen/openapi.c: proto/openapi.yaml proto/embed_openapi.py
	@mkdir -p $(dir $@)
	/usr/bin/python3 proto/embed_openapi.py proto/openapi.yaml $@

build/gen/console_files.c: proto/embed_console.py $(CONSOLE)
	@mkdir -p $(dir $@)
	/usr/bin/python3 proto/embed_console.py services/console $@

build/rel/%.o: %.c | $(GEN_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(srcinc) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

build/san/%.o: %.c | $(GEN_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(SAN) $(srcinc) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

build/carenetd: build/rel/services/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $^ $(PKG_LIBS) -o $@

build/carenet-sim: $(call obj,rel,$(SIM_SRC)) $(LIB_OBJ)
	$(CC) $(CFLAGS) $^ $(PKG_LIBS) -o $@

build/san/carenetd: build/san/services/main.o $(LIB_OBJ_SAN)
	$(CC) $(SAN) $^ $(PKG_LIBS) -o $@

build/san/carenet-sim: $(call obj,san,$(SIM_SRC)) $(LIB_OBJ_SAN)
	$(CC) $(SAN) $^ $(PKG_LIBS) -o $@

# A unit test links only the layer it tests and those below it, so the
# care test proves the decisions need no db, network or app state.
UNIT_LAYER_test_topic       := PROTO
UNIT_LAYER_test_payload     := PROTO
UNIT_LAYER_test_csv         := PROTO
UNIT_LAYER_test_z2m_corpus  := PROTO
UNIT_LAYER_test_console_files := NET
UNIT_LAYER_test_encode      := PROTO
UNIT_LAYER_test_rules       := CARE
UNIT_LAYER_test_health      := CARE
UNIT_LAYER_test_wellbeing   := CARE
UNIT_LAYER_test_escalation  := CARE
UNIT_LAYER_test_rota        := CARE
UNIT_LAYER_test_settlement  := CARE
UNIT_LAYER_test_config      := BASE
UNIT_LAYER_test_migrations  := DB
UNIT_LAYER_test_window_math := CARE
UNIT_LAYER_test_channel_msg := PROTO
UNIT_LAYER_test_delivery    := NOTIFY
unit_src = $(UPTO_$(or $(UNIT_LAYER_$(1)),API))
.SECONDEXPANSION:
build/san/unit/%: build/san/tests/unit/%.o $$(call obj,san,$$(call unit_src,$$*))
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $^ $(PKG_LIBS) -lcmocka -o $@

test: deps
	$(MAKE) --no-print-directory build/san/carenetd $(if $(SIM_SRC),build/san/carenet-sim) $(UNIT_BIN)
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory -j2 --output-sync=target e2e-sqlite e2e-pg
	$(MAKE) --no-print-directory browser

unit: $(UNIT_BIN)
	@bash tests/run_unit.sh $(UNIT_BIN)

# The same end-to-end suite on both engines: SQLite and PostgreSQL (a
# postgresql-15 server the harness starts itself on a free loopback port).
# `make test` runs the two at once (each on its own free ports; most of a
# test's time is spent waiting for the daemon), each suite's output
# printed whole when it ends.
e2e: e2e-sqlite e2e-pg

E2E_RUN = cd tests/e2e && CN_TEST_DAEMON=$(CURDIR)/build/san/carenetd CN_TEST_SIM=$(CURDIR)/build/san/carenet-sim

e2e-sqlite: build/san/carenetd
	$(E2E_RUN) CN_TEST_ENGINE=sqlite /usr/bin/python3 -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

e2e-pg: build/san/carenetd
	$(E2E_RUN) CN_TEST_ENGINE=pg /usr/bin/python3 -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# The web console in headless chromium (tests/browser): one broker and
# daemon for the module; screenshots land in build/browser-screenshots/.
browser: build/san/carenetd
	cd tests/browser && CN_TEST_DAEMON=$(CURDIR)/build/san/carenetd \
	  /usr/bin/python3 -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# Rewrites the committed screenshots in docs/console/ (a plain browser run
# writes them into build/browser-screenshots/).
screenshots: build/san/carenetd
	cd tests/browser && CN_SCREENSHOTS=docs CN_TEST_DAEMON=$(CURDIR)/build/san/carenetd \
	  /usr/bin/python3 -m pytest -q -p no:cacheprovider .

# Broker and daemon on loopback with demo data; Ctrl-C stops both. Ports
# 1883 and 8080 unless taken (then the next free ones, and it says so);
# MQTT_PORT=... HTTP_PORT=... choose others.
run: deps all
	@bash deploy/run-dev.sh

# cppcheck reads jansson.h so that its foreach macros parse; everything
# else from the system is left out. Then the banned-function grep (curl's
# list): atoi, sprintf, strcpy, strtok, gets.
LINT_SRC := proto db services tests/unit tests/fuzz
lint: deps
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem --library=posix \
	  --include=/usr/include/jansson.h $(INC) $(LINT_SRC)
	@! grep -nE '\b(atoi|sprintf|strcpy|strtok|gets)[[:space:]]*\(' \
	  $$(find $(LINT_SRC) -name '*.[ch]' | sort) \
	  || (echo "lint: banned function (use strtol, snprintf, memcpy with bounds)"; exit 1)
	@sh tests/lint/layers_test.sh
	@sh tests/lint/layers.sh
	@sh tests/lint/wire.sh
	@/usr/bin/python3 tests/lint/cycles.py
	@$(MAKE) --no-print-directory format-check
	@echo "lint: clean"

# The tree as .clang-format writes it (docs/style.md). format-check fails
# on any diff in the tracked C files; format rewrites them in place.
FORMAT_SRC = $$(git ls-files '*.c' '*.h')
format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRC) 2>&1 | head -20; \
	  clang-format --dry-run --Werror $(FORMAT_SRC) >/dev/null 2>&1 \
	  || { echo "lint: the tree is not formatted (make format)"; exit 1; }

format:
	clang-format -i $(FORMAT_SRC)

build/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p $(dir $@)
	clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined $(INC) $(PKG_CFLAGS) \
	  $< $(LIB_SRC) $(PKG_LIBS) -o $@

fuzz: deps $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	  name=$$(basename $$f); corpus=tests/fuzz/corpus/$${name#fuzz_}; work=build/fuzz/corpus-$$name; \
	  mkdir -p $$work; echo "fuzz: $$name for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$work $$corpus 2>build/fuzz/$$name.log \
	    || { tail -50 build/fuzz/$$name.log; exit 1; }; \
	  grep -E 'stat::number_of_executed_units' build/fuzz/$$name.log; \
	done

build/bench/bare_sqlite: tests/bench/bare_sqlite.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(INC) $(PKG_CFLAGS) $^ $(PKG_LIBS) -o $@

build/bench/bare_http: tests/bench/bare_http.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -D_DEFAULT_SOURCE $(PKG_CFLAGS) $< $(PKG_LIBS) -o $@

build/bench/bare_pg: tests/bench/bare_pg.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) $< $(PKG_LIBS) -o $@

# SQLite (bench.py), then PostgreSQL (bench_pg.py: its own postgresql-15).
bench: deps all build/bench/bare_sqlite build/bench/bare_http build/bench/bare_pg
	/usr/bin/python3 tests/bench/bench.py
	/usr/bin/python3 tests/bench/bench_pg.py

# Figures for docs/reliability.md under attack (issue 12); loopback, bounded.
bench-hostile: deps all
	/usr/bin/python3 tests/bench/hostile.py

# Keeps var/ (the `make run` database, its token and broker state):
# rm -rf var for a fresh demo.
clean:
	rm -rf build
	find tests -name __pycache__ -type d -prune -exec rm -rf {} +

help:
	@echo "CareNet make targets:"
	@echo "  make          build build/carenetd (and build/carenet-sim)"
	@echo "  make run      broker + carenetd + demo data on 127.0.0.1; Ctrl-C stops both"
	@echo "  make test     install missing Debian packages, sanitizer build, unit and e2e tests"
	@echo "  make unit     only the cmocka unit tests (build/san/unit/test_*)"
	@echo "  make e2e      only the end-to-end tests, on SQLite and on PostgreSQL (PYTEST_ARGS='test_x.py -k name': files narrow the run)"
	@echo "  make e2e-sqlite / e2e-pg   the end-to-end tests on one engine"
	@echo "  make browser  only the console's browser tests (headless chromium)"
	@echo "  make screenshots  rewrite the console screenshots in docs/console/"
	@echo "  make lint     cppcheck, banned functions, layering, wire formats, then format-check"
	@echo "  make format   clang-format the tracked C files (format-check: fail on a diff)"
	@echo "  make fuzz     libFuzzer targets, FUZZ_SECONDS=$(FUZZ_SECONDS) each"
	@echo "  make bench    throughput benchmark"
	@echo "  make bench-hostile  API and alarm figures under attack (docs/reliability.md)"
	@echo "  make clean    remove build/ (var/ with the demo database stays)"

-include $(shell find build -name '*.d' 2>/dev/null)
