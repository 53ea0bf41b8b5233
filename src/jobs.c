/* jobs.c — the background thread (see jobs.h). It sleeps on a condition
 * variable so that shutdown does not wait for the next tick. */
#include "jobs.h"
#include "backup_schedule.h" /* issue 8: ops */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "db.h"
/* issue 6: analytics */
#include "analytics.h"
/* end issue 6: analytics */
#include "log.h"
#include "search.h"
#include "outbox.h"
#include "session.h"
#include "newsletter_send.h" /* issue 6: newsletters */
#include "audit_archive.h" /* issue 6: audit archive */

struct jobs {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stop;
};

/* Pages that depend on today's date (calendars' today mark and default
 * month, "open now" filters, upcoming-first lists) must not outlive the
 * day in the page cache, which otherwise only expires on content writes:
 * at the first tick of each new day in Japan time the content generation
 * is bumped, which empties the cache of every server on this database. */
static void day_rollover(app *a, long *day) {
  long today = (long)((time(NULL) + 9 * 3600) / 86400);
  if (*day == today) return;
  bool first = *day == 0;
  *day = today;
  sqlite3 *db = first ? NULL : db_thread(a);
  if (db && db_exec(db, "UPDATE content_generation SET gen = gen + 1") != 0)
    fprintf(stderr, "civicnet: could not expire the page cache at the day change\n");
}

static void *jobs_main(void *p) {
  app *a = p;
  struct jobs *J = a->jobs;
  unsigned tick = 0;
  long day = 0;
  long audit_day = 0; /* issue 6: audit archive — last day it ran */
  pthread_mutex_lock(&J->lock);
  while (!J->stop) {
    pthread_mutex_unlock(&J->lock);
    access_log_flush(a);
    access_log_rotate(a, false); /* issue 8: ops — daily, Japan time */
    if (tick % 10 == 1) backup_tick(a, time(NULL)); /* issue 8: ops — daily backup (checked every 10 s) */
    /* keep the search index current between searches (a large import
     * would otherwise be indexed by the first search after it) */
    sqlite3 *db = tick % 5 == 0 ? db_thread(a) : NULL;
    if (db && search_sync(db)) fprintf(stderr, "civicnet: search index sync failed\n");
    if (tick++ % 60 == 0) session_expire_all(a);
    /* issue 6: newsletters — feed sends in progress into the outbox */
    sqlite3 *nldb = db_thread(a);
    if (nldb && newsletter_send_tick(a, nldb) < 0) fprintf(stderr, "civicnet: newsletter send failed\n");
    /* end issue 6: newsletters */
    day_rollover(a, &day);
    /* issue 6: audit archive — once a day, rows past the retention */
    audit_archive_daily(a, &audit_day);
    /* end issue 6: audit archive */
    /* issue 6: analytics — pending access counts into the database */
    analytics_tick(a, false);
    /* end issue 6: analytics */
    pthread_mutex_lock(&J->lock);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    if (!J->stop) pthread_cond_timedwait(&J->wake, &J->lock, &ts);
  }
  pthread_mutex_unlock(&J->lock);
  /* issue 6: analytics — keep the last counts at shutdown */
  analytics_tick(a, true);
  /* end issue 6: analytics */
  db_thread_close();
  return NULL;
}

void jobs_start(app *a) {
  struct jobs *J = calloc(1, sizeof *J);
  if (!J) return;
  pthread_mutex_init(&J->lock, NULL);
  pthread_cond_init(&J->wake, NULL);
  a->jobs = J;
  if (pthread_create(&J->thread, NULL, jobs_main, a) != 0) {
    free(J);
    a->jobs = NULL;
  }
  outbox_start(a); /* mail delivery has its own thread (it blocks on SMTP) */
}

void jobs_stop(app *a) {
  outbox_stop(a);
  struct jobs *J = a->jobs;
  if (!J) return;
  pthread_mutex_lock(&J->lock);
  J->stop = true;
  pthread_cond_signal(&J->wake);
  pthread_mutex_unlock(&J->lock);
  pthread_join(J->thread, NULL);
  pthread_mutex_destroy(&J->lock);
  pthread_cond_destroy(&J->wake);
  free(J);
  a->jobs = NULL;
}
