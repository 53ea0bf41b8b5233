/* newsletter_send.c — composing newsletter mails and feeding a send into
 * the outbox in throttled, resumable batches; progress, retry and the
 * auto-stop hook of the outbox worker. See newsletter_send.h. */
#include "newsletter_send.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "db.h"
#include "html.h"
#include "markdown.h"
#include "outbox.h"
#include "pii.h"

const char *newsletter_list_label(const char *list) {
  if (!list) return NULL;
  if (!strcmp(list, "supernet")) return "さぽ～とメール";
  if (!strcmp(list, "aika")) return "メルマガ";
  return NULL;
}

const char *newsletter_archive_path(const char *list) {
  return list && !strcmp(list, "aika") ? "/aikasanet/mailmag/" : "/mailmag/";
}

const char *newsletter_subscribe_path(const char *list) {
  return list && !strcmp(list, "aika") ? "/aikasanet/newsletter" : "/mailmag/subscribe";
}

const char *newsletter_base(arena *ar, const config *cfg) {
  if (cfg->public_url[0]) return cfg->public_url;
  return arena_printf(ar, "http://%s:%u", cfg->listen_host, cfg->listen_port);
}

/* The domain part of the sender address, for List-Id ("localhost"). */
static const char *from_domain(const config *cfg) {
  const char *at = strrchr(cfg->mail_from, '@');
  return at && at[1] ? at + 1 : "localhost";
}

void newsletter_compose(arena *ar, const config *cfg, const char *base, const char *list, long long id,
                        const char *subject, const char *body, bool html, const char *to,
                        const char *unsub_key, mail_msg *out) {
  bool sn = !strcmp(list, "supernet");
  const char *label = newsletter_list_label(list);
  buf u;
  buf_init(&u);
  buf_printf(&u, "%s%s?k=", base, sn ? "/mailmag/unsubscribe" : "/aikasanet/newsletter/unsubscribe");
  url_encode(&u, unsub_key, strlen(unsub_key));
  const char *unsub = arena_strdup(ar, buf_cstr(&u));
  buf_free(&u);
  const char *archive = arena_printf(ar, "%s%s%lld", base, newsletter_archive_path(list), id);
  const char *site = sn ? cfg->site_name_supernet : cfg->site_name_aika;

  buf t;
  buf_init(&t);
  buf_puts(&t, body);
  size_t n = strlen(body);
  if (n && body[n - 1] != '\n') buf_puts(&t, "\n");
  buf_printf(&t, "\n――――――――――――――――――――\n"
                 "このメールは、%s の「%s」の配信を希望された方にお送りしています。\n"
                 "ウェブページで読む：\n%s\n"
                 "配信の停止はこちら：\n%s\n"
                 "--\n%s\n%s%s\n",
             site, label, archive, unsub, cfg->mail_from_name, base, sn ? "/" : "/aikasanet/");
  memset(out, 0, sizeof *out);
  out->to = to;
  out->from = cfg->mail_from;
  out->from_name = cfg->mail_from_name;
  out->subject = subject;
  out->body = arena_strdup(ar, buf_cstr(&t));
  buf_free(&t);
  if (html) {
    buf h;
    buf_init(&h);
    buf_puts(&h, "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>");
    html_escape(&h, subject, strlen(subject));
    buf_puts(&h, "</title></head>\n<body style=\"font-family:sans-serif;line-height:1.7;max-width:40em\">\n");
    buf_puts(&h, markdown_to_html(ar, body));
    buf_puts(&h, "\n<hr>\n<p style=\"font-size:90%\">このメールは、");
    html_escape(&h, site, strlen(site));
    buf_printf(&h, " の「%s」の配信を希望された方にお送りしています。<br>\n<a href=\"", label);
    html_escape(&h, archive, strlen(archive));
    buf_puts(&h, "\">ウェブページで読む</a>　<a href=\"");
    html_escape(&h, unsub, strlen(unsub));
    buf_puts(&h, "\">配信の停止</a></p>\n</body></html>\n");
    out->html = arena_strdup(ar, buf_cstr(&h));
    buf_free(&h);
  }
  out->extra[0] = (mail_hdr){"List-Unsubscribe", arena_printf(ar, "<%s>", unsub)};
  out->extra[1] = (mail_hdr){"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"};
  out->extra[2] = (mail_hdr){"List-Id", arena_printf(ar, "%s newsletter <%s.newsletter.%s>",
                                                     sn ? "Supernet" : "Aikasanet", list, from_domain(cfg))};
}

unsigned newsletter_rate(sqlite3 *db) {
  sqlite3_stmt *st = db_prep(db, "SELECT value FROM settings WHERE site='global' AND key='newsletter_rate_per_minute'");
  unsigned rate = NEWSLETTER_RATE_DEFAULT;
  if (st && sqlite3_step(st) == SQLITE_ROW) {
    long v = strtol(db_text(st, 0), NULL, 10);
    if (v >= 1 && v <= NEWSLETTER_RATE_MAX) rate = (unsigned)v;
  }
  sqlite3_finalize(st);
  return rate;
}

long long newsletter_active_count(sqlite3 *db, const char *list) {
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM newsletter_subscribers WHERE list=?1 AND status='active'");
  if (!st) return 0;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return n;
}

/* One batch of up to max recipients of send id; 0 when none is left (the
 * send is then marked done), else how many, -1 on error. */
static int feed_batch(app *a, sqlite3 *db, long long id, int max) {
  if (db_exec(db, "BEGIN IMMEDIATE")) return -1;
  arena ar;
  arena_init(&ar);
  int done = 0, rc = 0;
  sqlite3_stmt *st = db_prep(db, "SELECT list, subject, body, send_html FROM newsletters"
                                 " WHERE id=?1 AND send_state='sending'");
  const char *list = NULL, *subject = NULL, *body = NULL;
  bool html = false;
  if (!st) goto fail;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    list = arena_strdup(&ar, db_text(st, 0));
    subject = arena_strdup(&ar, db_text(st, 1));
    body = arena_strdup(&ar, db_text(st, 2));
    html = sqlite3_column_int(st, 3) != 0;
  }
  sqlite3_finalize(st);
  if (!list) goto out; /* no longer sending */
  const char *base = newsletter_base(&ar, &a->cfg);
  st = db_prep(db, "SELECT s.id, s.email_enc, s.unsub_key FROM newsletter_subscribers s"
                   " WHERE s.list=?1 AND s.status='active' AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries d"
                   " WHERE d.newsletter_id=?2 AND d.subscriber_id=s.id) ORDER BY s.id LIMIT ?3");
  sqlite3_stmt *ins = db_prep(db, "INSERT OR IGNORE INTO newsletter_deliveries(newsletter_id, subscriber_id,"
                                  " outbox_id, created_at) VALUES (?1, ?2, ?3, ?4)");
  if (!st || !ins) {
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    goto fail;
  }
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, id);
  sqlite3_bind_int(st, 3, max);
  int s;
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    long long sid = sqlite3_column_int64(st, 0);
    const char *to = pii_decrypt(&ar, &a->pii, "email", db_text(st, 1));
    const char *key = arena_strdup(&ar, db_text(st, 2));
    long long oid = 0;
    if (to) {
      mail_msg m;
      newsletter_compose(&ar, &a->cfg, base, list, id, subject, body, html, to, key, &m);
      const char *idem = arena_printf(&ar, "newsletter:%lld:%lld", id, sid);
      int e = outbox_enqueue_ex(db, &m, idem, OUTBOX_PRIO_BULK, sid, &oid);
      if (e == OUTBOX_ERR_DB) {
        rc = -1;
        break;
      }
      if (e != OUTBOX_OK) oid = 0;
    }
    if (!oid) fprintf(stderr, "civicnet: newsletter %lld: subscriber %lld has no usable address\n", id, sid);
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, id);
    sqlite3_bind_int64(ins, 2, sid);
    sqlite3_bind_int64(ins, 3, oid);
    sqlite3_bind_int64(ins, 4, (long long)time(NULL));
    if (sqlite3_step(ins) != SQLITE_DONE) {
      rc = -1;
      break;
    }
    done++;
  }
  if (s != SQLITE_DONE && s != SQLITE_ROW) rc = -1;
  sqlite3_finalize(st);
  sqlite3_finalize(ins);
  if (rc) goto fail;
  if (!done) {
    st = db_prep(db, "UPDATE newsletters SET send_state='done', send_done_at=?2 WHERE id=?1");
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, (long long)time(NULL));
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    if (rc || audit_append(db, "system", "newsletter_send_done", arena_printf(&ar, "newsletter:%lld", id), "",
                           "")) goto fail;
  }
out:
  if (db_exec(db, "COMMIT")) goto fail;
  arena_free(&ar);
  return done;
fail:
  db_exec(db, "ROLLBACK");
  arena_free(&ar);
  return -1;
}

/* Newsletter mails waiting in the outbox (not yet sent or failed). */
static long long backlog(sqlite3 *db) {
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM outbox WHERE state IN ('queued','sending') AND priority=?1");
  if (!st) return 0;
  sqlite3_bind_int(st, 1, OUTBOX_PRIO_BULK);
  long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return n;
}

int newsletter_send_tick(app *a, sqlite3 *db) {
  /* token bucket of the feed; only the jobs thread calls this function */
  static double tokens = 0;
  static struct timespec last;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double rate = newsletter_rate(db);
  double cap = rate / 6 > NEWSLETTER_BATCH ? rate / 6 : NEWSLETTER_BATCH; /* ≤ 10 s worth */
  if (last.tv_sec) {
    double dt = (double)(now.tv_sec - last.tv_sec) + (double)(now.tv_nsec - last.tv_nsec) / 1e9;
    tokens += dt * rate / 60.0;
  } else {
    tokens = rate / 60.0 < 1 ? 1 : rate / 60.0;
  }
  if (tokens > cap) tokens = cap;
  last = now;
  sqlite3_stmt *st = db_prep(db, "SELECT id FROM newsletters WHERE send_state='sending' ORDER BY id LIMIT 1");
  if (!st) return -1;
  long long id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (!id) return 0;
  int total = 0;
  while (tokens >= 1 && backlog(db) < NEWSLETTER_BACKLOG) {
    int want = (int)tokens < NEWSLETTER_BATCH ? (int)tokens : NEWSLETTER_BATCH;
    int n = feed_batch(a, db, id, want);
    if (n < 0) return -1;
    tokens -= n;
    total += n;
    outbox_wake(a);
    if (n < want) break; /* the send is done (or was stopped) */
  }
  return total;
}

int newsletter_progress(sqlite3 *db, arena *ar, long long id, nl_progress *p) {
  memset(p, 0, sizeof *p);
  p->send_state = "";
  sqlite3_stmt *st = db_prep(db, "SELECT recipients, send_state, list FROM newsletters WHERE id=?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  const char *list = "";
  if (sqlite3_step(st) == SQLITE_ROW) {
    p->recipients = sqlite3_column_int64(st, 0);
    p->send_state = arena_strdup(ar, db_text(st, 1));
    list = arena_strdup(ar, db_text(st, 2));
  }
  sqlite3_finalize(st);
  st = db_prep(db, "SELECT coalesce(o.state, 'invalid'), count(*) FROM newsletter_deliveries d"
                   " LEFT JOIN outbox o ON o.id = d.outbox_id WHERE d.newsletter_id=?1 GROUP BY 1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *s = db_text(st, 0);
    long long n = sqlite3_column_int64(st, 1);
    if (!strcmp(s, "sent")) p->sent += n;
    else if (!strcmp(s, "failed")) p->failed += n;
    else if (!strcmp(s, "invalid")) p->invalid += n;
    else p->queued += n;
  }
  sqlite3_finalize(st);
  if (!strcmp(p->send_state, "sending")) {
    st = db_prep(db, "SELECT count(*) FROM newsletter_subscribers s WHERE s.list=?1 AND s.status='active'"
                     " AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries d WHERE d.newsletter_id=?2"
                     " AND d.subscriber_id=s.id)");
    if (!st) return -1;
    sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    p->waiting = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
  }
  return 0;
}

int newsletter_retry_failed(sqlite3 *db, long long id) {
  sqlite3_stmt *st = db_prep(db, "UPDATE outbox SET state='queued', attempts=0, next_attempt_at=?2, last_error=''"
                                 " WHERE state='failed' AND id IN (SELECT d.outbox_id FROM newsletter_deliveries d"
                                 " JOIN newsletter_subscribers s ON s.id = d.subscriber_id"
                                 " WHERE d.newsletter_id=?1 AND s.status='active')");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, (long long)time(NULL));
  int rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(db) : -1;
  sqlite3_finalize(st);
  return rc;
}

/* Run stmt bound to (?1 a, ?2 b); changes or -1. */
static int run2(sqlite3 *db, const char *sql, long long a, long long b) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, a);
  sqlite3_bind_int64(st, 2, b);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? sqlite3_changes(db) : -1;
}

void newsletter_delivery_outcome(sqlite3 *db, long long outbox_id, long long subscriber_id, bool rejected) {
  if (!rejected) {
    if (run2(db, "UPDATE newsletter_subscribers SET bounce_count=0 WHERE id=?1 AND bounce_count>0 AND ?2=?2",
             subscriber_id, 0) < 0)
      fprintf(stderr, "civicnet: newsletter: cannot reset the rejection count of subscriber %lld\n", subscriber_id);
    return;
  }
  if (db_exec(db, "BEGIN IMMEDIATE")) return;
  int rc = run2(db, "UPDATE newsletter_deliveries SET rejected=1 WHERE outbox_id=?1 AND rejected=0 AND ?2=?2",
                outbox_id, 0);
  if (rc > 0)
    rc = run2(db, "UPDATE newsletter_subscribers SET bounce_count=bounce_count+1 WHERE id=?1 AND ?2=?2",
              subscriber_id, 0);
  int stopped = 0;
  if (rc > 0) {
    sqlite3_stmt *st = db_prep(db, "UPDATE newsletter_subscribers SET status='stopped', stop_reason=?2,"
                                   " stopped_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')"
                                   " WHERE id=?1 AND status='active' AND bounce_count>=?3");
    if (st) {
      sqlite3_bind_int64(st, 1, subscriber_id);
      sqlite3_bind_text(st, 2, NEWSLETTER_BOUNCE_REASON, -1, SQLITE_STATIC);
      sqlite3_bind_int(st, 3, NEWSLETTER_BOUNCE_LIMIT);
      if (sqlite3_step(st) == SQLITE_DONE) stopped = sqlite3_changes(db);
      else rc = -1;
      sqlite3_finalize(st);
    } else {
      rc = -1;
    }
  }
  if (rc >= 0 && stopped) {
    char target[64];
    snprintf(target, sizeof target, "newsletter_subscriber:%lld", subscriber_id);
    if (audit_append(db, "system", "newsletter_autostop", target, NEWSLETTER_BOUNCE_REASON, "")) rc = -1;
  }
  if (rc < 0 || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    fprintf(stderr, "civicnet: newsletter: cannot record the rejection of mail %lld\n", outbox_id);
  }
}
