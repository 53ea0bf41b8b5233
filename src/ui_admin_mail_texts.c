/* ui_admin_mail_texts.c — staff screens for the automatic mails' texts
 * (REQUIREMENTS C8, /admin/mail-texts/): the list of every mail with when
 * it is sent, the edit form with its placeholders, a preview rendered with
 * sample data, the change history with 「この版に戻す」 and 「初期の文面に
 * 戻す」. The catalog and validation live in mail_texts.c; each change
 * writes a history row (the text before it) and an audit entry in one
 * transaction. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "db.h"
#include "mail_texts.h"
#include "request.h"
#include "session.h"
#include "ui.h"

static const char *BASE = "/admin/mail-texts/";

static const mt_mail *mail_of(request *r) {
  return mt_find(r->params[0]);
}

/* The text in force: the override, else the shipped file. *is_default
 * tells which. -1 when neither can be read. */
static int current_text(request *r, sqlite3 *db, const mt_mail *m, const char **subject,
                        const char **body, bool *is_default, const char **by, const char **at) {
  int rc = mt_override(db, &r->a, m->name, subject, body, by, at);
  if (rc < 0) return -1;
  *is_default = rc == 0;
  if (rc == 0) {
    if (by) *by = "";
    if (at) *at = "";
    return mt_default(&r->a, r->app->cfg.root_dir, m->name, subject, body);
  }
  return 0;
}

/* "2026-04-20T01:15:00Z" → "2026年4月20日 10:15" (Japan time). */
static const char *jst(request *r, const char *iso) {
  int y, mo, d, h, mi;
  if (!iso || sscanf(iso, "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi) != 5) return iso ? iso : "";
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h + 9, .tm_min = mi};
  time_t t = timegm(&tm);
  gmtime_r(&t, &tm);
  return arena_printf(&r->a, "%d年%d月%d日 %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min);
}

/* The placeholder table of m: {code, label, sample}. */
static tval *vars_ctx(request *r, const mt_mail *m) {
  arena *a = &r->a;
  tval *l = tv_list(a);
  for (const char *p = m->vars; *p;) {
    while (*p == ' ') p++;
    size_t k = strcspn(p, " ");
    if (!k) break;
    const char *name = arena_strndup(a, p, k);
    p += k;
    const mt_var *v = mt_var_find(name);
    tval *e = tv_map(a);
    bool list = !strchr(name, '.') && !strstr(name, "[]") && v && !*v->sample &&
                strstr(m->vars, arena_printf(a, "%s[]", name));
    const char *code;
    if (list)
      code = arena_printf(a, "{%% for x in %s %%}…{%% endfor %%}", name);
    else if (strstr(name, "[]")) {
      /* items[].label → x.label inside the loop; labels[] → x */
      const char *rest = strstr(name, "[]") + 2;
      code = arena_printf(a, "{{ x%s }}", rest);
    } else
      code = arena_printf(a, "{{ %s }}", name);
    tv_set_str(a, e, "code", code);
    tv_set_str(a, e, "label", v ? v->label : "");
    /* list samples "a|b" are shown as 「a／b」 */
    buf sb;
    buf_init(&sb);
    for (const char *q = v ? v->sample : ""; *q; q++) {
      if (*q == '|') buf_puts(&sb, "／");
      else buf_putc(&sb, *q);
    }
    tv_set_str(a, e, "sample", buf_cstr(&sb));
    buf_free(&sb);
    tv_set_bool(a, e, "in_loop", strstr(name, "[]") != NULL);
    tv_push(a, l, e);
  }
  return l;
}

/* Subject and body rendered with the sample data into c.preview. */
static void preview_ctx(request *r, tval *c, const mt_mail *m, const char *subject,
                        const char *body) {
  arena *a = &r->a;
  const char *s = NULL, *b = NULL;
  char err[256];
  tval *p = tv_set(a, c, "preview", tv_map(a));
  if (mt_render_text(a, m->name, subject, body, mt_sample_ctx(a, m), &s, &b, err, sizeof err) == 0) {
    tv_set_str(a, p, "subject", s);
    tv_set_str(a, p, "body", b);
  } else {
    tv_set_str(a, p, "error", "この文面は表示できません（書き方に誤りがあります）。");
  }
}

int admin_mail_texts_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *title = "自動送信メールの文面";
  tval *c = page_ctx(r, title);
  tval *l = tv_list(a);
  for (const mt_mail *m = MT_MAILS; m->name; m++) {
    const char *s, *b, *by = NULL, *at = NULL;
    int rc = mt_override(db, a, m->name, &s, &b, &by, &at);
    if (rc < 0) return 500;
    tval *e = tv_map(a);
    tv_set_str(a, e, "name", m->name);
    tv_set_str(a, e, "title", m->title);
    tv_set_str(a, e, "when", m->when);
    tv_set_str(a, e, "href", arena_printf(a, "%s%s", BASE, m->name));
    tv_set_bool(a, e, "edited", rc == 1);
    if (rc == 1) {
      tv_set_str(a, e, "updated_at", jst(r, at));
      tv_set_str(a, e, "updated_by", by);
    }
    tv_push(a, l, e);
  }
  tv_set(a, c, "mails", l);
  page_crumb(r, c, title, NULL);
  r->no_store = true;
  return render(r, "admin/mailtext_list.html", c);
}

/* The edit page; errors (subject_err/body_err) and the posted values are
 * shown when given; preview_posted adds the preview of the posted text. */
static int edit_page(request *r, sqlite3 *db, const mt_mail *m, const char *subject,
                     const char *body, const char *subject_err, const char *body_err,
                     bool preview_posted) {
  arena *a = &r->a;
  const char *cs, *cb, *by, *at;
  bool is_default;
  if (current_text(r, db, m, &cs, &cb, &is_default, &by, &at)) return 500;
  bool errs = subject_err || body_err;
  const char *title = arena_printf(a, "%s%sの文面を編集", errs ? "エラー：" : "", m->title);
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "heading", arena_printf(a, "「%s」の文面", m->title));
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "name", m->name);
  tv_set_str(a, c, "when", m->when);
  tv_set_str(a, c, "href", arena_printf(a, "%s%s", BASE, m->name));
  tv_set_str(a, c, "subject", subject ? subject : cs);
  tv_set_str(a, c, "body", body ? body : cb);
  tv_set_bool(a, c, "is_default", is_default);
  if (!is_default) {
    tv_set_str(a, c, "updated_at", jst(r, at));
    tv_set_str(a, c, "updated_by", by);
  }
  tv_set(a, c, "vars", vars_ctx(r, m));
  if (subject_err) tv_set_str(a, c, "subject_error", subject_err);
  if (body_err) tv_set_str(a, c, "body_error", body_err);
  if (errs) {
    tval *el = tv_list(a);
    if (subject_err) {
      tval *e = tv_map(a);
      tv_set_str(a, e, "href", "#f-subject");
      tv_set_str(a, e, "message", arena_printf(a, "件名：%s", subject_err));
      tv_push(a, el, e);
    }
    if (body_err) {
      tval *e = tv_map(a);
      tv_set_str(a, e, "href", "#f-body");
      tv_set_str(a, e, "message", arena_printf(a, "本文：%s", body_err));
      tv_push(a, el, e);
    }
    tv_set(a, c, "errors", el);
    tv_set_int(a, c, "error_count", (long long)tv_len(el));
    r->status = 422;
  } else if (preview_posted) {
    preview_ctx(r, c, m, subject, body);
  }
  const char *done = req_query(r, "done");
  if (done && !strcmp(done, "saved"))
    tv_set_str(a, c, "notice", "保存しました。これから送るメールはこの文面になります。");
  else if (done && !strcmp(done, "reset"))
    tv_set_str(a, c, "notice", "初期の文面に戻しました。");
  else if (done && !strcmp(done, "restored"))
    tv_set_str(a, c, "notice", "選んだ版の文面に戻しました。");
  page_crumb(r, c, "自動送信メールの文面", BASE);
  page_crumb(r, c, m->title, NULL);
  r->no_store = true;
  return render(r, "admin/mailtext_edit.html", c);
}

int admin_mail_texts_edit(request *r) {
  const mt_mail *m = mail_of(r);
  if (!m) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  return edit_page(r, db, m, NULL, NULL, NULL, NULL, false);
}

/* Records the text in force (before a change) in the history. */
static int history_add(request *r, sqlite3 *db, const mt_mail *m, const char *action) {
  const char *s, *b;
  bool is_default;
  if (current_text(r, db, m, &s, &b, &is_default, NULL, NULL)) return -1;
  sqlite3_stmt *st = db_prep(db, "INSERT INTO mail_text_history(name, action, prev_subject, prev_body,"
                                 " was_default, changed_by) VALUES (?1,?2,?3,?4,?5,?6)");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, s, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, b, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 5, is_default);
  sqlite3_bind_text(st, 6, r->user->login, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

static int store(request *r, sqlite3 *db, const mt_mail *m, const char *subject, const char *body) {
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO mail_texts(name, subject, body, updated_by) VALUES (?1,?2,?3,?4)"
      " ON CONFLICT(name) DO UPDATE SET subject=excluded.subject, body=excluded.body,"
      " updated_by=excluded.updated_by, updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, r->user->login, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

static int drop_override(sqlite3 *db, const mt_mail *m) {
  sqlite3_stmt *st = db_prep(db, "DELETE FROM mail_texts WHERE name=?1");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

/* Runs a change: history row, then apply (store or drop), then the audit
 * entry — all or nothing. */
static int change(request *r, sqlite3 *db, const mt_mail *m, const char *action,
                  const char *subject, const char *body, const char *audit_action,
                  const char *detail) {
  if (db_exec(db, "BEGIN IMMEDIATE")) return -1;
  int rc = history_add(r, db, m, action);
  if (!rc) rc = subject ? store(r, db, m, subject, body) : drop_override(db, m);
  if (!rc)
    rc = audit_append(db, r->user->login, audit_action, arena_printf(&r->a, "mail_text:%s", m->name),
                      detail, r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return -1;
  }
  return 0;
}

/* Browsers send CRLF in textareas; templates use LF. */
static const char *lf(request *r, const char *s) {
  buf b;
  buf_init(&b);
  for (; *s; s++)
    if (*s != '\r') buf_putc(&b, *s);
  const char *out = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

int admin_mail_texts_post(request *r) {
  const mt_mail *m = mail_of(r);
  if (!m) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *subject = req_form(r, "subject"), *body = req_form(r, "body");
  const char *action = req_form(r, "action");
  subject = subject ? lf(r, subject) : "";
  body = body ? lf(r, body) : "";
  const char *se, *be;
  if (mt_validate(&r->a, m, subject, body, &se, &be)) return edit_page(r, db, m, subject, body, se, be, false);
  if (action && !strcmp(action, "preview")) return edit_page(r, db, m, subject, body, NULL, NULL, true);
  if (change(r, db, m, "edit", subject, body, "mail_text_update", "")) return 500;
  return resp_redirect(r, arena_printf(&r->a, "%s%s?done=saved", BASE, m->name));
}

int admin_mail_texts_preview(request *r) {
  const mt_mail *m = mail_of(r);
  if (!m) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *s, *b;
  bool is_default;
  if (current_text(r, db, m, &s, &b, &is_default, NULL, NULL)) return 500;
  const char *title = arena_printf(a, "%sのプレビュー", m->title);
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "heading", arena_printf(a, "「%s」のプレビュー", m->title));
  tv_set_str(a, c, "href", arena_printf(a, "%s%s", BASE, m->name));
  tv_set_bool(a, c, "is_default", is_default);
  preview_ctx(r, c, m, s, b);
  tv_set(a, c, "vars", vars_ctx(r, m));
  page_crumb(r, c, "自動送信メールの文面", BASE);
  page_crumb(r, c, m->title, arena_printf(a, "%s%s", BASE, m->name));
  page_crumb(r, c, "プレビュー", NULL);
  r->no_store = true;
  return render(r, "admin/mailtext_preview.html", c);
}

int admin_mail_texts_history(request *r) {
  const mt_mail *m = mail_of(r);
  if (!m) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *title = arena_printf(a, "%sの変更履歴", m->title);
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "heading", arena_printf(a, "「%s」の変更履歴", m->title));
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "href", arena_printf(a, "%s%s", BASE, m->name));
  sqlite3_stmt *st = db_prep(db, "SELECT id, action, prev_subject, prev_body, was_default, changed_by,"
                                 " changed_at FROM mail_text_history WHERE name=?1 ORDER BY id DESC LIMIT 200");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
  tval *l = tv_list(a);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tval *e = tv_map(a);
    const char *act = db_text(st, 1);
    tv_set_int(a, e, "id", sqlite3_column_int64(st, 0));
    tv_set_str(a, e, "action", !strcmp(act, "edit") ? "編集" : !strcmp(act, "restore") ? "以前の版に戻す" : "初期の文面に戻す");
    tv_set_str(a, e, "subject", db_text(st, 2));
    tv_set_str(a, e, "body", db_text(st, 3));
    tv_set_bool(a, e, "was_default", sqlite3_column_int(st, 4));
    tv_set_str(a, e, "by", db_text(st, 5));
    tv_set_str(a, e, "at", jst(r, db_text(st, 6)));
    tv_push(a, l, e);
  }
  sqlite3_finalize(st);
  tv_set(a, c, "history", l);
  const char *cs, *cb, *by, *at;
  bool is_default;
  if (current_text(r, db, m, &cs, &cb, &is_default, &by, &at)) return 500;
  tv_set_str(a, c, "cur_subject", cs);
  tv_set_str(a, c, "cur_body", cb);
  tv_set_bool(a, c, "is_default", is_default);
  if (!is_default) {
    tv_set_str(a, c, "updated_at", jst(r, at));
    tv_set_str(a, c, "updated_by", by);
  }
  page_crumb(r, c, "自動送信メールの文面", BASE);
  page_crumb(r, c, m->title, arena_printf(a, "%s%s", BASE, m->name));
  page_crumb(r, c, "変更履歴", NULL);
  r->no_store = true;
  return render(r, "admin/mailtext_history.html", c);
}

int admin_mail_texts_restore_post(request *r) {
  const mt_mail *m = mail_of(r);
  if (!m) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *v = req_form(r, "version");
  long long id = v ? atoll(v) : 0;
  sqlite3_stmt *st = db_prep(db, "SELECT prev_subject, prev_body, was_default FROM mail_text_history"
                                 " WHERE id=?1 AND name=?2");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
  const char *s = NULL, *b = NULL;
  bool was_default = false;
  if (sqlite3_step(st) == SQLITE_ROW) {
    s = arena_strdup(&r->a, db_text(st, 0));
    b = arena_strdup(&r->a, db_text(st, 1));
    was_default = sqlite3_column_int(st, 2);
  }
  sqlite3_finalize(st);
  if (!s) return error_page(r, 404, "指定された版が見つかりません。");
  if (change(r, db, m, "restore", was_default ? NULL : s, b, "mail_text_restore",
             arena_printf(&r->a, "version=%lld", id)))
    return 500;
  return resp_redirect(r, arena_printf(&r->a, "%s%s?done=restored", BASE, m->name));
}

int admin_mail_texts_reset_post(request *r) {
  const mt_mail *m = mail_of(r);
  if (!m) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *s, *b;
  int rc = mt_override(db, &r->a, m->name, &s, &b, NULL, NULL);
  if (rc < 0) return 500;
  if (rc == 1 && change(r, db, m, "reset", NULL, NULL, "mail_text_reset", "")) return 500;
  return resp_redirect(r, arena_printf(&r->a, "%s%s?done=reset", BASE, m->name));
}
