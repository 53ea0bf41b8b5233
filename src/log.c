/* log.c — access log (see log.h). */
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

/* yyyymmdd of t in Japan time (UTC+9, no daylight saving). */
static int jst_day(time_t t) {
  t += 9 * 3600;
  struct tm tm;
  gmtime_r(&t, &tm);
  return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Open (append) a log file with mode 0600 whatever the umask. */
static FILE *open_private(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return NULL;
  fchmod(fd, 0600);
  FILE *f = fdopen(fd, "a");
  if (!f) {
    close(fd);
    return NULL;
  }
  setvbuf(f, NULL, _IOFBF, 64 * 1024); /* flushed each second by jobs.c */
  return f;
}

int access_log_open(app *a) {
  char path[600];
  snprintf(path, sizeof path, "%s/access.log", a->cfg.data_dir);
  struct stat st;
  /* a log left from an earlier day is rotated at the first flush */
  a->access_log_day = stat(path, &st) == 0 && st.st_size ? jst_day(st.st_mtime) : jst_day(time(NULL));
  a->access_log = open_private(path);
  if (!a->access_log) return -1;
  pthread_mutex_init(&a->log_lock, NULL);
  return 0;
}

/* path → path.zst (0600), then remove path. 0 or -1 (path is kept). */
static int compress_file(const char *path) {
  char out[800];
  snprintf(out, sizeof out, "%s.zst", path);
  FILE *in = fopen(path, "rb");
  int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  FILE *o = fd >= 0 ? fdopen(fd, "wb") : NULL;
  ZSTD_CCtx *z = ZSTD_createCCtx();
  int rc = -1;
  if (!in || !o || !z) goto done;
  ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 6);
  ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 1);
  static const size_t CH = 64 * 1024;
  char *ib = malloc(CH), *ob = malloc(CH);
  bool ok = ib && ob;
  for (bool last = false; ok && !last;) {
    size_t n = fread(ib, 1, CH, in);
    last = n < CH;
    ZSTD_inBuffer zi = {ib, n, 0};
    for (bool fin = false; ok && !fin;) {
      ZSTD_outBuffer zo = {ob, CH, 0};
      size_t rem = ZSTD_compressStream2(z, &zo, &zi, last ? ZSTD_e_end : ZSTD_e_continue);
      ok = !ZSTD_isError(rem) && fwrite(ob, 1, zo.pos, o) == zo.pos;
      fin = last ? rem == 0 : zi.pos == zi.size;
    }
  }
  free(ib);
  free(ob);
  if (ok && !ferror(in) && fflush(o) == 0 && fsync(fileno(o)) == 0) rc = 0;
done:
  if (in) fclose(in);
  if (o) fclose(o);
  else if (fd >= 0) close(fd);
  ZSTD_freeCCtx(z);
  if (rc == 0) unlink(path);
  else unlink(out);
  return rc;
}

/* Remove DIR/logs/access-YYYYMMDD….log.zst older than the retention. */
static void prune_logs(const char *dir, time_t now) {
  DIR *d = opendir(dir);
  if (!d) return;
  int oldest = jst_day(now - (time_t)ACCESS_LOG_KEEP_DAYS * 86400);
  struct dirent *e;
  while ((e = readdir(d))) {
    int day = 0;
    if (sscanf(e->d_name, "access-%8d", &day) != 1 || day >= oldest) continue;
    if (!strstr(e->d_name, ".log")) continue;
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  closedir(d);
}

int access_log_rotate(app *a, bool force) {
  if (!a->access_log) return 0;
  time_t now = time(NULL);
  int today = jst_day(now);
  char path[600], dir[600], moved[700] = "";
  snprintf(path, sizeof path, "%s/access.log", a->cfg.data_dir);
  snprintf(dir, sizeof dir, "%s/logs", a->cfg.data_dir);
  pthread_mutex_lock(&a->log_lock);
  fflush(a->access_log);
  struct stat st;
  bool have = fstat(fileno(a->access_log), &st) == 0;
  bool due = force || today != a->access_log_day || (have && st.st_size > LOG_ROTATE_BYTES);
  if (due && have && st.st_size == 0) {
    a->access_log_day = today; /* nothing logged that day: nothing to keep */
    due = false;
  }
  if (due && (mkdir(dir, 0700) == 0 || errno == EEXIST)) {
    for (int n = 0; n < 1000; n++) {
      char zst[720];
      if (n) snprintf(moved, sizeof moved, "%s/access-%08d-%d.log", dir, a->access_log_day, n);
      else snprintf(moved, sizeof moved, "%s/access-%08d.log", dir, a->access_log_day);
      snprintf(zst, sizeof zst, "%s.zst", moved);
      if (access(moved, F_OK) != 0 && access(zst, F_OK) != 0) break;
    }
    FILE *fresh = NULL;
    if (rename(path, moved) == 0 && (fresh = open_private(path))) {
      fclose(a->access_log);
      a->access_log = fresh;
      a->access_log_day = today;
    } else {
      moved[0] = 0;
    }
  } else {
    due = false;
  }
  pthread_mutex_unlock(&a->log_lock);
  if (!due || !moved[0]) return 0;
  if (compress_file(moved)) fprintf(stderr, "civicnet: cannot compress %s (kept uncompressed)\n", moved);
  prune_logs(dir, now);
  return 1;
}

void access_log_flush(app *a) {
  if (!a->access_log) return;
  pthread_mutex_lock(&a->log_lock);
  fflush(a->access_log);
  pthread_mutex_unlock(&a->log_lock);
}

void access_log_close(app *a) {
  if (a->access_log) fclose(a->access_log);
  a->access_log = NULL;
}

/* "/search?q&page" — names of the raw query's parameters only. */
static void query_names(buf *out, const char *raw) {
  const char *q = strchr(raw, '?');
  if (!q) return;
  buf_putc(out, '?');
  for (const char *p = q + 1; *p;) {
    size_t n = strcspn(p, "=&");
    for (size_t i = 0; i < n && i < 64; i++) {
      unsigned char c = (unsigned char)p[i];
      buf_putc(out, c > 0x20 && c < 0x7f && c != '"' ? (char)c : '_');
    }
    p += n;
    if (*p == '=') p += strcspn(p, "&");
    if (*p == '&') buf_putc(out, '&'), p++;
  }
}

void access_log_write(app *a, request *r, bool completed) {
  if (!a->access_log) return;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  struct timespec mono;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  double ms = mono.tv_sec * 1e3 + mono.tv_nsec / 1e6 - r->t_start;
  buf line;
  buf_init(&line);
  /* the path is escaped the same way: no spaces, quotes or controls */
  const char *raw = r->raw_uri ? r->raw_uri : "";
  size_t pl = strcspn(raw, "?");
  for (size_t i = 0; i < pl && i < 2048; i++) {
    unsigned char c = (unsigned char)raw[i];
    buf_putc(&line, c > 0x20 && c < 0x7f && c != '"' ? (char)c : '_');
  }
  query_names(&line, raw);
  pthread_mutex_lock(&a->log_lock);
  fprintf(a->access_log, "%s %s %s %s %d %zu %.1fms%s\n", when,
          r->client_ip ? r->client_ip : "-", r->method, buf_cstr(&line),
          r->status, r->resp_bytes, ms, completed ? "" : " aborted");
  pthread_mutex_unlock(&a->log_lock);
  buf_free(&line);
}
