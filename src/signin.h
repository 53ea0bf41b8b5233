/* signin.h — the staff sign-in steps shared by ui_admin.c (password) and
 * ui_totp.c (second factor): the lock message (both steps count towards
 * the same lock, login_throttle.h), the sign-in page, and finishing a
 * sign-in (new session). */
#ifndef CIVICNET_SIGNIN_H
#define CIVICNET_SIGNIN_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"

extern const char SIGNIN_MSG_LOCKED[];

/* The sign-in form again, with a message (error may be NULL). */
int signin_page(request *r, const char *login, const char *error);
/* Both factors passed: new session, audit, last_login_at, redirect. */
int signin_finish(request *r, long long uid, const char *login, const char *next);
/* Password passed and TOTP is on: remember the half-done sign-in
 * (ui_totp.c) and send the browser to /admin/login/totp. */
int totp_begin_pending(request *r, long long uid, const char *next);
/* After a successful password check (staff or member): replace a legacy
 * or weaker stored hash by a current PBKDF2 one, audited. */
void rehash_if_needed(request *r, sqlite3 *db, long long uid, const char *login,
                      const char *stored, const char *pw);

#endif
