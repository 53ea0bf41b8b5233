/* login_throttle.h — account lock after repeated sign-in failures (別記2
 * 3.1.6, REQUIREMENTS Y2), shared by the staff and the member sign-in.
 * Keyed by the login text as typed, so unknown IDs lock the same way as
 * real ones and nothing reveals which IDs exist. */
#ifndef CIVICNET_LOGIN_THROTTLE_H
#define CIVICNET_LOGIN_THROTTLE_H
#include <sqlite3.h>
#include <stdbool.h>

#define LOCK_FAILURES 5
#define LOCK_WINDOW_S (15 * 60)
#define LOCK_DURATION_S (30 * 60)

/* Seconds left on a lock of this login text (0 when not locked). */
long long throttle_lock_left(sqlite3 *db, const char *login);
/* Count a failure; lock after LOCK_FAILURES within LOCK_WINDOW_S. Returns
 * true when this failure locked the login. */
bool throttle_failure(sqlite3 *db, const char *login);
/* Forget the failures of a login (after a successful sign-in). */
void throttle_clear(sqlite3 *db, const char *login);

#endif
