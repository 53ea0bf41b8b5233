/* metrics.h — operational state for monitoring (issue 8, O2): request
 * counters and a latency histogram updated by every completed request,
 * the daily backup's status, the readiness probe /readyz, and a
 * Prometheus-format /metrics served on a separate loopback listener
 * (config metrics_listen) so it is never reachable from the public side.
 * Counters are atomics: no lock on the request path. */
#ifndef CIVICNET_METRICS_H
#define CIVICNET_METRICS_H
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "app.h"

#define METRICS_NBUCKETS 11

typedef struct metrics {
  atomic_ullong requests[6];            /* by status class: [1]=1xx … [5]=5xx, [0] other */
  atomic_ullong buckets[METRICS_NBUCKETS]; /* cumulative on scrape; here per bucket */
  atomic_ullong duration_us_sum;
  atomic_ullong count;
  atomic_llong started_at;              /* Unix seconds */
  atomic_llong last_backup_at;          /* newest good backup, 0 = none */
  atomic_ullong backups_ok, backups_failed;
  pthread_mutex_t lock;                 /* guards last_backup_error */
  char last_backup_error[512];
  void *daemon;                         /* struct MHD_Daemon * of /metrics */
} metrics;

/* Allocate a->metrics and, when metrics_listen is set, start its
 * listener. 0, or -1 (cannot listen: message on stderr). */
int metrics_start(app *a);
void metrics_stop(app *a);
/* Count one completed request (status, milliseconds). */
void metrics_observe(app *a, int status, double ms);
/* The Prometheus text for a (database figures included) into out. */
void metrics_render(app *a, buf *out);
/* GET /readyz: 200 "ready" when the database is writable, mail is not
 * stuck, the disk has space and the last backup is < 26 h old; else 503
 * naming what failed. */
int readyz(request *r);

#endif
