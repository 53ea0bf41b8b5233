/* log.h — the access log: one line per request with time (UTC), client
 * address, method, path (query values are never logged — they may hold
 * search words or tokens — only the parameter names), status, bytes and
 * duration. Written to DIR/access.log, buffered and flushed every second
 * (and at shutdown) so that logging costs no system call per request. */
#ifndef CIVICNET_LOG_H
#define CIVICNET_LOG_H
#include <stdbool.h>
#include "app.h"
int access_log_open(app *a);
void access_log_write(app *a, request *r, bool completed);
void access_log_flush(app *a);
void access_log_close(app *a);
#endif
