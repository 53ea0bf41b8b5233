/* session.h — server-side sessions and CSRF tokens.
 * Session cookie cn_sid: 256 random bits; the database keeps only its
 * SHA-256. Idle timeout 30 min, absolute 12 h; a new ID at every login.
 * CSRF token: HMAC-SHA256(app secret, binding) where the binding is the
 * session ID when signed in and the random cookie cn_csrf otherwise, so an
 * attacker who cannot read the victim's cookies cannot forge it. POSTs to
 * CSRF routes also need an Origin (or Referer) of this very host. */
#ifndef CIVICNET_SESSION_H
#define CIVICNET_SESSION_H
#include <stdbool.h>
#include "app.h"

#define SESSION_IDLE_S (30 * 60)
#define SESSION_ABSOLUTE_S (12 * 60 * 60)

void session_load(request *r);
int session_create(request *r, long long user_id);  /* 0 ok */
void session_destroy(request *r);
/* Delete expired session rows; returns how many. */
int session_expire_all(app *a);

const char *csrf_token(request *r);
bool csrf_valid(request *r, const char *token);
bool origin_ok(request *r);

#endif
