/* log.c — access log (see log.h). */
#include "log.h"

#include <string.h>
#include <time.h>

int access_log_open(app *a) {
  char path[600];
  snprintf(path, sizeof path, "%s/access.log", a->cfg.data_dir);
  a->access_log = fopen(path, "a");
  if (!a->access_log) return -1;
  setvbuf(a->access_log, NULL, _IOFBF, 64 * 1024); /* flushed each second by jobs.c */
  pthread_mutex_init(&a->log_lock, NULL);
  return 0;
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
