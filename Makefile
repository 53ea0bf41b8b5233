# civicnet — build, run, test, bench. Every library comes from Debian and is
# found with pkg-config. `make run` and `make test` install what they need.
CC      ?= cc
PKGS    := libmicrohttpd sqlite3 libcrypto libcurl libqrencode libxcrypt libmagic vips libutf8proc libical libcmark gumbo libzstd
CFLAGS  ?= -O2 -g
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1)
WARN    := -std=c17 -Wall -Wextra -Werror -Wformat=2 -D_GNU_SOURCE \
           -DCIVICNET_ROOT='"$(CURDIR)"' -DCIVICNET_VERSION='"$(VERSION)"'
PKGCFLAGS = $(shell pkg-config --cflags $(PKGS))
PKGLIBS   = $(shell pkg-config --libs $(PKGS)) -lcsv -lpthread
SAN     := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC      := $(sort $(wildcard src/*.c))
LIBSRC   := $(filter-out src/main.c,$(SRC))
HDR      := $(wildcard src/*.h)
UNITSRC  := $(sort $(wildcard tests/unit/test_*.c))
UNITBIN  := $(patsubst tests/unit/%.c,build/unit/%,$(UNITSRC))
DATA     ?= data
LISTEN   ?= 127.0.0.1:8080

.PHONY: all run test test-only unit bench deps deps-test clean asan docs install audit fuzz
all: build/civicnet

build/civicnet: $(SRC) $(HDR) Makefile
	@mkdir -p build
	$(CC) $(WARN) $(CFLAGS) $(PKGCFLAGS) -o $@ $(SRC) $(PKGLIBS)

# The sanitizer build is compiled once into objects that the server and
# every unit-test binary link (make -j builds them in parallel).
ASANOBJ  := $(patsubst src/%.c,build/asan/obj/%.o,$(LIBSRC))
build/asan/obj/%.o: src/%.c $(HDR) Makefile
	@mkdir -p build/asan/obj
	@echo "  CC (asan) $<"
	@$(CC) $(WARN) $(SAN) $(PKGCFLAGS) -c -o $@ $<

build/asan/civicnet: src/main.c $(ASANOBJ) $(HDR) Makefile
	@mkdir -p build/asan
	$(CC) $(WARN) $(SAN) $(PKGCFLAGS) -o $@ src/main.c $(ASANOBJ) $(PKGLIBS)

build/unit/%: tests/unit/%.c $(ASANOBJ) $(HDR) Makefile
	@mkdir -p build/unit
	@echo "  LINK $@"
	@$(CC) $(WARN) $(SAN) -Isrc $(PKGCFLAGS) -o $@ $< $(ASANOBJ) $(PKGLIBS) -lcmocka

# Fuzz targets (issue 9). `make test` replays each one's corpus and past
# crashes with gcc + ASan/UBSan (build/unit/test_fuzz_*); `make audit`
# fuzzes them with clang's libFuzzer for FUZZ_SECONDS each.
FUZZ_TARGETS := tmpl sanitize mysqldump csv route
FUZZ_REPLAY  := $(patsubst %,build/unit/test_fuzz_%,$(FUZZ_TARGETS))
FUZZ_SECONDS ?= 60
build/unit/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(ASANOBJ) $(HDR) Makefile
	@mkdir -p build/unit
	@echo "  LINK $@"
	@$(CC) $(WARN) $(SAN) -Isrc $(PKGCFLAGS) -DFUZZ_TARGET='"$*"' -o $@ $< tests/fuzz/replay.c $(ASANOBJ) $(PKGLIBS)

FUZZOBJ := $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIBSRC))
build/fuzz/obj/%.o: src/%.c $(HDR) Makefile
	@mkdir -p build/fuzz/obj
	@echo "  CC (fuzz) $<"
	@clang -std=c17 -D_GNU_SOURCE -DCIVICNET_ROOT='"$(CURDIR)"' -g -O1 -fsanitize=fuzzer-no-link,address,undefined $(PKGCFLAGS) -c -o $@ $<
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZOBJ) $(HDR) Makefile
	clang -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Isrc $(PKGCFLAGS) -o $@ $< $(FUZZOBJ) $(PKGLIBS)

asan: build/asan/civicnet
unit: $(UNITBIN) $(FUZZ_REPLAY)

deps:
	@scripts/install-deps.sh
deps-test:
	@scripts/install-deps.sh --test

# Quick start 1: build, load demo data, create an admin, serve.
run: deps build/civicnet
	@scripts/run.sh build/civicnet $(DATA) $(LISTEN)

# Quick start 2: the whole suite (unit + HTTP + browser, under ASan/UBSan).
test: deps-test
	@$(MAKE) --no-print-directory -j$$(nproc) build/civicnet build/asan/civicnet unit
	@tests/run.sh

# The suite without reinstalling or rebuilding.
test-only:
	@tests/run.sh

bench:
	@scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory build/civicnet
	@bench/run.sh

# Documents generated from the code (the role matrix from the route table,
# the data model from the migrations; the screen list and the manual's
# screenshots from the last e2e run's build/test-output/screens/).
docs: build/civicnet
	build/civicnet routes --matrix > docs/権限マトリックス.md
	node scripts/gen-datamodel.mjs build/civicnet > docs/基本設計書/データモデル.md
	scripts/docs-screens.sh

# Long-running checks (issue 9): every fuzz target for FUZZ_SECONDS with
# its committed corpus; a crash is saved under build/fuzz/crashes/ and
# fails the run (copy it to tests/fuzz/regressions/TARGET/ once fixed).
fuzz: $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_TARGETS))
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
audit:
	@scripts/install-deps.sh --test --audit
	@$(MAKE) --no-print-directory -j$$(nproc) fuzz

# Install for production (docs/インストール手順.md): the binary reads its
# templates, static files and migrations from $(PREFIX)/share/civicnet.
PREFIX ?= /usr/local
SHARE  := $(PREFIX)/share/civicnet
build/install/civicnet: $(SRC) $(HDR) Makefile
	@mkdir -p build/install
	$(CC) $(WARN) -DCIVICNET_SHARE='"$(SHARE)"' $(CFLAGS) $(PKGCFLAGS) -o $@ $(SRC) $(PKGLIBS)

install: deps build/install/civicnet
	install -d -m 0755 $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SHARE)
	install -m 0755 build/install/civicnet $(DESTDIR)$(PREFIX)/bin/civicnet
	cp -R templates static db docs deploy $(DESTDIR)$(SHARE)/
	chmod -R u=rwX,go=rX $(DESTDIR)$(SHARE)
	@echo "civicnet: installed $(PREFIX)/bin/civicnet and $(SHARE)"

clean:
	rm -rf build
