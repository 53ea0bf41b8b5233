/* jobs.h — background work inside `civicnet serve`: a thread that wakes
 * every second to flush the access log, every five seconds to bring the
 * search index up to date, and every minute to expire sessions; the mail
 * outbox worker (outbox.c) starts and stops with it. */
#ifndef CIVICNET_JOBS_H
#define CIVICNET_JOBS_H
#include "app.h"
void jobs_start(app *a);
void jobs_stop(app *a);
#endif
