/* backup_schedule.c — the daily backup inside `civicnet serve` (issue 8,
 * D3). Every ten seconds the jobs thread calls backup_tick(): when the
 * configured time (Japan time) comes while the server runs, or a minute
 * after a start when there is no backup younger than a day, it writes BACKUP_DIR/daily-YYYYMMDD.cnb with
 * backup_create() (online: requests go on), keeps the first backup of
 * each month also as monthly-YYYYMM.cnb, removes generations beyond
 * backup_keep_daily / backup_keep_monthly, and copies new files to
 * backup_copy_dir when configured (a mounted remote store). Results go to
 * stderr (the journal) and to the metrics (/readyz, /metrics). */
#include "backup_schedule.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "metrics.h"

void backup_dir_of(const app *a, char *out, size_t n) {
  if (a->cfg.backup_dir[0]) snprintf(out, n, "%s", a->cfg.backup_dir);
  else snprintf(out, n, "%s/backups", a->cfg.data_dir);
}

/* Newest mtime of a *.cnb in dir (0 when none). */
static time_t newest(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  time_t best = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 4, ".cnb")) continue;
    char p[1400];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(p, &st) == 0 && st.st_mtime > best) best = st.st_mtime;
  }
  closedir(d);
  return best;
}

static int cmp_str(const void *x, const void *y) {
  return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Keep the `keep` newest files named prefix*.cnb in dir (names sort by
 * date), remove the rest. */
static void prune(const char *dir, const char *prefix, unsigned keep) {
  DIR *d = opendir(dir);
  if (!d) return;
  char *names[4096];
  size_t n = 0, pl = strlen(prefix);
  struct dirent *e;
  while ((e = readdir(d)) && n < 4096) {
    size_t l = strlen(e->d_name);
    if (!strncmp(e->d_name, prefix, pl) && l > 4 && !strcmp(e->d_name + l - 4, ".cnb"))
      names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    if (i + keep < n) {
      char p[1400];
      snprintf(p, sizeof p, "%s/%s", dir, names[i]);
      unlink(p);
    }
    free(names[i]);
  }
}

/* Copy src to dst through dst.part + rename (0600). 0 or -1. */
static int copy_file(const char *src, const char *dst) {
  char part[1500];
  snprintf(part, sizeof part, "%s.part", dst);
  int in = open(src, O_RDONLY | O_CLOEXEC);
  int out = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int rc = in >= 0 && out >= 0 ? 0 : -1;
  char b[65536];
  ssize_t r;
  while (!rc && (r = read(in, b, sizeof b)) > 0)
    if (write(out, b, (size_t)r) != r) rc = -1;
  if (!rc && fsync(out)) rc = -1;
  if (in >= 0) close(in);
  if (out >= 0 && close(out)) rc = -1;
  if (!rc && rename(part, dst)) rc = -1;
  if (rc) unlink(part);
  return rc;
}

static void record_failure(app *a, const char *msg) {
  fprintf(stderr, "civicnet: scheduled backup failed: %s\n", msg);
  metrics *m = a->metrics;
  if (!m) return;
  atomic_fetch_add(&m->backups_failed, 1);
  pthread_mutex_lock(&m->lock);
  snprintf(m->last_backup_error, sizeof m->last_backup_error, "%s", msg);
  pthread_mutex_unlock(&m->lock);
}

int backup_run_now(app *a, time_t now) {
  char dir[600], err[1024];
  backup_dir_of(a, dir, sizeof dir);
  if (mkdir(dir, 0700) && errno != EEXIST) {
    snprintf(err, sizeof err, "%s: %s", dir, strerror(errno));
    record_failure(a, err);
    return -1;
  }
  unsigned char key[BACKUP_KEY_LEN];
  if (backup_key_load(a->cfg.data_dir, a->cfg.backup_key_file[0] ? a->cfg.backup_key_file : NULL, true,
                      key, err, sizeof err)) {
    record_failure(a, err);
    return -1;
  }
  time_t j = now + 9 * 3600;
  struct tm tm;
  gmtime_r(&j, &tm);
  char daily[700], monthly[700];
  snprintf(daily, sizeof daily, "%s/daily-%04d%02d%02d.cnb", dir, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  snprintf(monthly, sizeof monthly, "%s/monthly-%04d%02d.cnb", dir, tm.tm_year + 1900, tm.tm_mon + 1);
  if (backup_create(a->cfg.data_dir, a->cfg.config_path[0] ? a->cfg.config_path : NULL, daily, key, NULL,
                    err, sizeof err)) {
    record_failure(a, err);
    return -1;
  }
  bool new_month = access(monthly, F_OK) != 0;
  if (new_month && link(daily, monthly) && copy_file(daily, monthly))
    fprintf(stderr, "civicnet: cannot keep %s\n", monthly);
  prune(dir, "daily-", a->cfg.backup_keep_daily ? a->cfg.backup_keep_daily : 1);
  prune(dir, "monthly-", a->cfg.backup_keep_monthly);
  if (a->cfg.backup_copy_dir[0]) {
    const char *files[2] = {daily, new_month ? monthly : NULL};
    for (int i = 0; i < 2 && files[i]; i++) {
      char dst[1400];
      snprintf(dst, sizeof dst, "%s/%s", a->cfg.backup_copy_dir, strrchr(files[i], '/') + 1);
      if (copy_file(files[i], dst)) {
        snprintf(err, sizeof err, "cannot copy to %s: %s", a->cfg.backup_copy_dir, strerror(errno));
        record_failure(a, err);
      }
    }
    prune(a->cfg.backup_copy_dir, "daily-", a->cfg.backup_keep_daily ? a->cfg.backup_keep_daily : 1);
    prune(a->cfg.backup_copy_dir, "monthly-", a->cfg.backup_keep_monthly);
  }
  if (a->metrics) {
    atomic_store(&a->metrics->last_backup_at, (long long)now);
    atomic_fetch_add(&a->metrics->backups_ok, 1);
  }
  fprintf(stderr, "civicnet: backup written: %s\n", daily);
  return 0;
}

void backup_tick(app *a, time_t now) {
  metrics *m = a->metrics;
  char dir[600];
  backup_dir_of(a, dir, sizeof dir);
  time_t last = newest(dir);
  if (m && last > atomic_load(&m->last_backup_at)) atomic_store(&m->last_backup_at, (long long)last);
  time_t j = now + 9 * 3600;
  struct tm tm;
  gmtime_r(&j, &tm);
  /* today's scheduled time, in Unix seconds */
  time_t due = now - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) +
               (time_t)(a->cfg.backup_hour * 3600 + a->cfg.backup_minute * 60);
  /* the time came while running; a server started later (or a new data
   * directory) is "overdue" instead and waits a little after the start,
   * so short-lived servers (tests, `civicnet serve` tried by hand) do not
   * each write a backup */
  long long started = m ? atomic_load(&m->started_at) : (long long)now;
  bool scheduled = now >= due && last < due && started <= (long long)due;
  bool overdue = !last || now - last > 24 * 3600;
  const char *env = getenv("CIVICNET_BACKUP_START_DELAY"); /* tests shorten it */
  long delay = env && *env ? strtol(env, NULL, 10) : BACKUP_START_DELAY_S;
  bool settled = now - started >= delay;
  if (scheduled || (overdue && settled)) backup_run_now(a, now);
}
