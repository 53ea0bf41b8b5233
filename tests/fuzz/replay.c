/* replay.c — runs a fuzz target over files without libFuzzer (issue 9):
 * `make test` builds every target with gcc + ASan/UBSan and this main, and
 * replays the committed seed corpus (tests/fuzz/corpus/<target>/) and every
 * past crash (tests/fuzz/regressions/<target>/), so a fixed crash stays
 * fixed on machines without clang. Without arguments it reads those two
 * directories (FUZZ_TARGET and CIVICNET_ROOT are compiled in). Prints
 * cmocka-style "[  PASSED  ] 1 test(s)." (one test per target) so
 * tests/run.sh counts it; a crash is a sanitizer report and exit status. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long run_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  long n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    FILE *f = fopen(p, "rb");
    if (!f) continue;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(len > 0 ? (size_t)len : 1);
    if (len > 0 && fread(b, 1, (size_t)len, f) != (size_t)len) len = 0;
    fclose(f);
    printf("[ RUN      ] %s\n", p);
    fflush(stdout);
    LLVMFuzzerTestOneInput(b, len > 0 ? (size_t)len : 0);
    free(b);
    n++;
  }
  closedir(d);
  return n;
}

int main(int argc, char **argv) {
  long n = 0;
  for (int i = 1; i < argc; i++) n += run_dir(argv[i]);
#if defined(FUZZ_TARGET) && defined(CIVICNET_ROOT)
  if (argc == 1) {
    char d[4096];
    snprintf(d, sizeof d, "%s/tests/fuzz/corpus/%s", CIVICNET_ROOT, FUZZ_TARGET);
    n += run_dir(d);
    snprintf(d, sizeof d, "%s/tests/fuzz/regressions/%s", CIVICNET_ROOT, FUZZ_TARGET);
    n += run_dir(d);
  }
#endif
  if (!n) {
    printf("[  FAILED  ] 1 test(s): no input found\n");
    return 1;
  }
  printf("[==========] %ld input(s) replayed.\n[  PASSED  ] 1 test(s).\n", n);
  return 0;
}
