/* log.h — the access log: one line per request with time (UTC), client
 * address, method, path (query values are never logged — they may hold
 * search words or tokens — only the parameter names), status, bytes and
 * duration. Written to DIR/access.log, buffered and flushed every second
 * (and at shutdown) so that logging costs no system call per request.
 *
 * Rotation (Y7, issue 8): at the first flush after midnight (Japan time),
 * or when the file passes LOG_ROTATE_BYTES, access.log is renamed to
 * DIR/logs/access-YYYYMMDD[-N].log, compressed to .log.zst and a fresh
 * access.log opened; compressed logs older than the retention period
 * (ACCESS_LOG_KEEP_DAYS, over a year as Y7 requires) are removed. Every
 * log file is created 0600. */
#ifndef CIVICNET_LOG_H
#define CIVICNET_LOG_H
#include <stdbool.h>
#include "app.h"
int access_log_open(app *a);
void access_log_write(app *a, request *r, bool completed);
void access_log_flush(app *a);
void access_log_close(app *a);
#define LOG_ROTATE_BYTES (256L * 1024 * 1024)
#define ACCESS_LOG_KEEP_DAYS 400
/* Rotate when due (called by jobs.c after flushing); compresses and
 * prunes outside the log lock. Returns 1 when it rotated. */
int access_log_rotate(app *a, bool force);
#endif
