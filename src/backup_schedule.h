/* backup_schedule.h — daily backups inside the server (backup_schedule.c). */
#ifndef CIVICNET_BACKUP_SCHEDULE_H
#define CIVICNET_BACKUP_SCHEDULE_H
#include <time.h>
#include "app.h"

/* A server without a backup younger than a day makes one this long after
 * it starts (so short-lived test servers never do); the environment
 * variable CIVICNET_BACKUP_START_DELAY (seconds) overrides it for tests. */
#define BACKUP_START_DELAY_S 60

/* Called every ten seconds by the jobs thread: backs up when due. */
void backup_tick(app *a, time_t now);
/* Make today's backup now (also used by tests through the CLI-less path).
 * 0 or -1 (logged, counted in the metrics). */
int backup_run_now(app *a, time_t now);
/* The directory daily backups go to. */
void backup_dir_of(const app *a, char *out, size_t n);

#endif
