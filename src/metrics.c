/* metrics.c — request counters, /metrics and /readyz (see metrics.h). */
#include "metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "db.h"

static const double BOUNDS_MS[METRICS_NBUCKETS - 1] = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};
#define BACKUP_MAX_AGE_S (26 * 3600)

void metrics_observe(app *a, int status, double ms) {
  metrics *m = a->metrics;
  if (!m) return;
  int cls = status >= 100 && status < 600 ? status / 100 : 0;
  atomic_fetch_add(&m->requests[cls], 1);
  int b = 0;
  while (b < METRICS_NBUCKETS - 1 && ms > BOUNDS_MS[b]) b++;
  atomic_fetch_add(&m->buckets[b], 1);
  atomic_fetch_add(&m->duration_us_sum, (unsigned long long)(ms > 0 ? ms * 1000 : 0));
  atomic_fetch_add(&m->count, 1);
}

static long long q_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = db ? db_prep(db, sql) : NULL;
  long long v = -1;
  if (st && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* Free percentage of the data directory's file system, -1 if unknown. */
static double disk_free_pct(const char *dir) {
  struct statvfs vs;
  if (statvfs(dir, &vs) || !vs.f_blocks) return -1;
  return (double)vs.f_bavail * 100.0 / (double)vs.f_blocks;
}

/* Seconds since the newest backup, counting from the server's start when
 * there has been none (a new installation gets 26 h to make its first). */
static long long backup_age(const metrics *m, time_t now) {
  long long last = atomic_load(&m->last_backup_at);
  if (!last) last = atomic_load(&m->started_at);
  return (long long)now - last;
}

void metrics_render(app *a, buf *out) {
  metrics *m = a->metrics;
  time_t now = time(NULL);
  buf_puts(out, "# HELP civicnet_requests_total HTTP requests completed, by status class.\n"
                "# TYPE civicnet_requests_total counter\n");
  static const char *const cls[6] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
  for (int i = 0; i < 6; i++)
    buf_printf(out, "civicnet_requests_total{class=\"%s\"} %llu\n", cls[i], atomic_load(&m->requests[i]));
  buf_puts(out, "# HELP civicnet_request_duration_seconds Time from the request line to the response.\n"
                "# TYPE civicnet_request_duration_seconds histogram\n");
  unsigned long long cum = 0;
  for (int b = 0; b < METRICS_NBUCKETS; b++) {
    cum += atomic_load(&m->buckets[b]);
    if (b < METRICS_NBUCKETS - 1)
      buf_printf(out, "civicnet_request_duration_seconds_bucket{le=\"%g\"} %llu\n", BOUNDS_MS[b] / 1000, cum);
    else
      buf_printf(out, "civicnet_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
  }
  buf_printf(out, "civicnet_request_duration_seconds_sum %.6f\ncivicnet_request_duration_seconds_count %llu\n",
             atomic_load(&m->duration_us_sum) / 1e6, atomic_load(&m->count));
  buf_printf(out, "# HELP civicnet_requests_in_flight Requests being handled now.\n"
                  "# TYPE civicnet_requests_in_flight gauge\ncivicnet_requests_in_flight %d\n",
             (int)atomic_load(&a->inflight));
  sqlite3 *db = db_thread(a);
  buf_puts(out, "# HELP civicnet_outbox_messages Mails in the outbox, by state.\n"
                "# TYPE civicnet_outbox_messages gauge\n");
  static const char *const states[] = {"queued", "sending", "sent", "failed"};
  for (int i = 0; i < 4; i++) {
    char q[120];
    snprintf(q, sizeof q, "SELECT count(*) FROM outbox WHERE state = '%s'", states[i]);
    buf_printf(out, "civicnet_outbox_messages{state=\"%s\"} %lld\n", states[i], q_int(db, q));
  }
  buf_printf(out, "# HELP civicnet_outbox_oldest_due_seconds Age of the oldest mail due but not sent.\n"
                  "# TYPE civicnet_outbox_oldest_due_seconds gauge\ncivicnet_outbox_oldest_due_seconds %lld\n",
             q_int(db, "SELECT coalesce(unixepoch() - min(next_attempt_at), 0) FROM outbox "
                       "WHERE state = 'queued' AND next_attempt_at <= unixepoch()"));
  buf_printf(out, "# HELP civicnet_backup_age_seconds Seconds since the last good backup (since start if none).\n"
                  "# TYPE civicnet_backup_age_seconds gauge\ncivicnet_backup_age_seconds %lld\n",
             backup_age(m, now));
  buf_printf(out, "# HELP civicnet_backups_total Scheduled backups, by result.\n"
                  "# TYPE civicnet_backups_total counter\ncivicnet_backups_total{result=\"ok\"} %llu\n"
                  "civicnet_backups_total{result=\"failed\"} %llu\n",
             atomic_load(&m->backups_ok), atomic_load(&m->backups_failed));
  buf_printf(out, "# HELP civicnet_disk_free_ratio Free share of the data directory's file system.\n"
                  "# TYPE civicnet_disk_free_ratio gauge\ncivicnet_disk_free_ratio %.4f\n",
             disk_free_pct(a->cfg.data_dir) / 100.0);
  buf_printf(out, "# HELP civicnet_uptime_seconds Seconds since the server started.\n"
                  "# TYPE civicnet_uptime_seconds gauge\ncivicnet_uptime_seconds %lld\n",
             (long long)now - atomic_load(&m->started_at));
}

/* The /metrics listener: GET /metrics only. */
static enum MHD_Result on_metrics(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **ctx) {
  (void)version, (void)upload, (void)upload_size, (void)ctx;
  app *a = cls;
  buf b;
  buf_init(&b);
  unsigned status = MHD_HTTP_OK;
  if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
    status = MHD_HTTP_METHOD_NOT_ALLOWED;
    buf_puts(&b, "GET only\n");
  } else if (strcmp(url, "/metrics")) {
    status = MHD_HTTP_NOT_FOUND;
    buf_puts(&b, "not found\n");
  } else {
    metrics_render(a, &b);
  }
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(b.len, b.data ? b.data : (void *)"", MHD_RESPMEM_MUST_COPY);
  buf_free(&b);
  MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  MHD_add_response_header(resp, "Cache-Control", "no-store");
  enum MHD_Result rc = MHD_queue_response(c, status, resp);
  MHD_destroy_response(resp);
  return rc;
}

int metrics_start(app *a) {
  metrics *m = calloc(1, sizeof *m);
  if (!m) return -1;
  pthread_mutex_init(&m->lock, NULL);
  atomic_store(&m->started_at, (long long)time(NULL));
  a->metrics = m;
  if (!a->cfg.metrics_port) return 0;
  const char *host = a->cfg.metrics_host;
  bool v6 = strchr(host, ':') != NULL;
  struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)a->cfg.metrics_port)};
  struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)a->cfg.metrics_port)};
  if (v6) inet_pton(AF_INET6, "::1", &s6.sin6_addr);
  else inet_pton(AF_INET, host, &s4.sin_addr);
  m->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | (v6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL,
                               on_metrics, a, MHD_OPTION_SOCK_ADDR,
                               v6 ? (struct sockaddr *)&s6 : (struct sockaddr *)&s4,
                               MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                               MHD_OPTION_END);
  if (!m->daemon) {
    fprintf(stderr, "civicnet: cannot listen for metrics on %s:%u\n", host, a->cfg.metrics_port);
    return -1;
  }
  return 0;
}

void metrics_stop(app *a) {
  metrics *m = a->metrics;
  if (!m) return;
  if (m->daemon) MHD_stop_daemon(m->daemon);
  pthread_mutex_destroy(&m->lock);
  free(m);
  a->metrics = NULL;
}

int readyz(request *r) {
  app *a = r->app;
  sqlite3 *db = db_thread(a);
  buf_reset(&r->body);
  r->content_type = "text/plain; charset=utf-8";
  r->no_store = true;
  bool ok = true;
  /* the database takes a write lock and is not read-only */
  bool db_ok = db && !sqlite3_db_readonly(db, "main") && db_exec(db, "BEGIN IMMEDIATE") == 0;
  if (db_ok) db_exec(db, "ROLLBACK");
  buf_printf(&r->body, "%s database\n", db_ok ? "ok  " : "FAIL");
  ok &= db_ok;
  /* mail: something due for over 30 minutes while nothing was sent for 10 */
  long long stuck = q_int(db, "SELECT count(*) FROM outbox WHERE state = 'queued' AND next_attempt_at < unixepoch() - 1800 "
                              "AND NOT EXISTS (SELECT 1 FROM outbox WHERE state = 'sent' AND sent_at > unixepoch() - 600)");
  buf_printf(&r->body, "%s outbox%s\n", stuck == 0 ? "ok  " : "FAIL", stuck > 0 ? " (mail due for over 30 minutes is not being sent)" : "");
  ok &= stuck == 0;
  double free_pct = disk_free_pct(a->cfg.data_dir);
  bool disk_ok = free_pct >= a->cfg.disk_min_free_percent;
  buf_printf(&r->body, "%s disk %.1f%% free (minimum %u%%)\n", disk_ok ? "ok  " : "FAIL", free_pct,
             a->cfg.disk_min_free_percent);
  ok &= disk_ok;
  long long age = a->metrics ? backup_age(a->metrics, time(NULL)) : 0;
  bool backup_ok = age < BACKUP_MAX_AGE_S;
  buf_printf(&r->body, "%s backup %lld s ago (maximum %d)\n", backup_ok ? "ok  " : "FAIL", age, BACKUP_MAX_AGE_S);
  ok &= backup_ok;
  buf_puts(&r->body, ok ? "ready\n" : "not ready\n");
  return ok ? 200 : 503;
}
