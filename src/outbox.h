/* outbox.h — the mail outbox (DESIGN principle 6 "Nothing lost").
 *
 * A mail is a row of the outbox table, inserted by outbox_enqueue() inside
 * the caller's transaction, so it exists exactly when the change that
 * caused it was committed. The delivery worker (a thread of `civicnet
 * serve`) takes due rows in id order, marks them 'sending', hands them to
 * the SMTP server with libcurl and records the outcome: 'sent', back to
 * 'queued' with exponential back-off (transient failure), or 'failed'
 * (permanent 5xx rejection, or MAX_ATTEMPTS transient failures).
 *
 * At-least-once: a row is marked 'sent' in its own commit right after the
 * server accepted the DATA. Only a crash between that acceptance and that
 * commit (milliseconds) re-sends a mail; the copy carries the same
 * Message-ID, fixed at enqueue, so mail software can recognise it. */
#ifndef CIVICNET_OUTBOX_H
#define CIVICNET_OUTBOX_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "app.h"
#include "mail.h"

#define OUTBOX_MAX_ATTEMPTS 10
#define OUTBOX_BACKOFF_CAP 3600 /* seconds */

enum {
  OUTBOX_OK = 0,
  OUTBOX_ERR_DB = -1,      /* SQLite error (the caller's transaction should roll back) */
  OUTBOX_ERR_INVALID = -2, /* a header value, address or key failed validation */
};

/* Enqueue m under idem_key (event + recipient, e.g.
 * "verify:member:42:<addr-hash>"; 1–200 characters, mail_header_ok). A
 * plain INSERT … ON CONFLICT(idem_key) DO NOTHING on db, so it joins the
 * caller's open transaction; a second call with the same key is a no-op
 * and returns the existing row's id. Every field is validated before
 * anything is written. Returns OUTBOX_OK (and *id_out when non-NULL) or
 * an OUTBOX_ERR_* code. */
int outbox_enqueue(sqlite3 *db, const mail_msg *m, const char *idem_key,
                   long long *id_out);
/* issue 6: newsletters — as outbox_enqueue, with a priority (0 first:
 * transactional mail; OUTBOX_PRIO_BULK for newsletters, sent only when no
 * due priority-0 mail waits) and the newsletter subscriber the mail goes
 * to (0 none), whose permanent rejections newsletter_send.c counts. The
 * message's html (if any) is stored as its HTML alternative. */
#define OUTBOX_PRIO_BULK 1
int outbox_enqueue_ex(sqlite3 *db, const mail_msg *m, const char *idem_key,
                      int priority, long long subscriber_id, long long *id_out);
/* end issue 6: newsletters */
/* Wake this process's worker now rather than at its next one-second poll.
 * May be called inside the enqueueing transaction: the worker claims rows
 * with BEGIN IMMEDIATE, which waits for that transaction to end. */
void outbox_wake(app *a);

/* Start/stop the delivery worker thread (jobs.c calls these). Start-up
 * first returns rows left in 'sending' by a crash to 'queued'. Stop aborts
 * a transfer in progress (the row goes back to 'queued'). */
void outbox_start(app *a);
void outbox_stop(app *a);

/* `civicnet mail status`: counts per state, the oldest queued message
 * and the most recent failures. Returns 0, or 1 on a database error. */
int outbox_status(sqlite3 *db, FILE *out);

/* What a delivery attempt's result means (exposed for unit tests). */
typedef enum { OUTBOX_SENT, OUTBOX_RETRY, OUTBOX_FAIL } outbox_outcome;
/* curl_code: the CURLcode of curl_easy_perform; smtp_code: the last SMTP
 * reply (CURLINFO_RESPONSE_CODE); data_sent: the whole message went out.
 * 5xx to MAIL/RCPT/DATA or after the data → FAIL; everything else that is
 * not success (connect failure, timeout, 4xx, TLS or login problems) →
 * RETRY. */
outbox_outcome outbox_classify(int curl_code, long smtp_code, bool data_sent);
/* Delay before the next attempt after `attempts` failed ones:
 * base × 2^(attempts-1), capped at OUTBOX_BACKOFF_CAP (jitter is added by
 * the worker). */
long outbox_backoff(unsigned base, int attempts);

#endif
