/* handoff.c — short-lived server-side drafts in table handoff_drafts (see
 * handoff.h), the files a draft keeps, the confirmation list of a form's
 * values and queuing the mails of a submission. */
#include "handoff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "db.h"
#include "html.h"
#include "mail.h"
#include "master.h"
#include "member.h"
#include "outbox.h"
#include "pii.h"
#include "request.h"
#include "upload.h"
#include "mail_texts.h" /* issue 6: mail texts */

/* Associated data of the payload encryption: a draft cannot be moved from
 * one target to the other unnoticed. */
static const char *aad_of(const char *target) {
  return strcmp(target, "aika") == 0 ? "handoff" : "draft";
}

/* What the draft is bound to: the session when signed in, else the CSRF
 * cookie (the same binding the CSRF token uses; session.c). */
static const char *binding_of(request *r) {
  if (r->sid) return r->sid;
  if (r->csrf_seed) return r->csrf_seed;
  return req_cookie(r, "cn_csrf");
}

static void binding_hash(request *r, char out[65]) {
  const char *b = binding_of(r);
  char *m = arena_printf(&r->a, "handoff-binding:%s", b ? b : "");
  sha256_hex(m, strlen(m), out);
}

bool handoff_token_ok(const char *t) {
  if (!t || strlen(t) != 43) return false;
  for (const char *p = t; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
          *p == '-' || *p == '_'))
      return false;
  return true;
}

/* "name=value&…" (both percent-encoded) of the list, with the binding. */
static char *encode_payload(request *r, const kv *payload) {
  buf b = {0};
  char bh[65];
  binding_hash(r, bh);
  buf_printf(&b, "_b=%s", bh);
  for (const kv *e = payload; e; e = e->next) {
    if (!strcmp(e->name, "_b")) continue;
    buf_putc(&b, '&');
    url_encode(&b, e->name, strlen(e->name));
    buf_putc(&b, '=');
    url_encode(&b, e->value, e->len);
  }
  char *out = arena_strndup(&r->a, buf_cstr(&b), b.len);
  buf_free(&b);
  return out;
}

/* Decrypt and parse a stored payload; NULL unless it is bound to this
 * browser. The binding entry itself is left out of the result. */
static kv *decode_payload(request *r, const char *target, const char *stored) {
  char *plain = pii_decrypt(&r->a, &r->app->pii, aad_of(target), stored);
  kv *all = NULL;
  if (!plain || query_parse(&r->a, plain, &all)) return NULL;
  char bh[65];
  binding_hash(r, bh);
  const char *have = kv_get(all, "_b");
  if (!have || strlen(have) != 64 || !ct_equal(have, bh, 64)) return NULL;
  return kv_without(&r->a, all, "_b");
}

const char *handoff_put(request *r, sqlite3 *db, const char *target, const kv *payload, int ttl_s) {
  unsigned char raw[32];
  char tok[48], hash[65];
  if (crypto_random(raw, sizeof raw)) return NULL;
  b64url_encode(raw, sizeof raw, tok);
  sha256_hex(tok, strlen(tok), hash);
  long long now = (long long)time(NULL);
  sqlite3_stmt *st = db_prep(db, "DELETE FROM handoff_drafts WHERE expires_at <= ?1");
  if (st) sqlite3_bind_int64(st, 1, now), sqlite3_step(st), sqlite3_finalize(st);
  char *enc = pii_encrypt(&r->a, &r->app->pii, aad_of(target), encode_payload(r, payload));
  if (!enc) return NULL;
  st = db_prep(db, "INSERT INTO handoff_drafts(id_hash, target, payload_enc, expires_at) VALUES (?1,?2,?3,?4)");
  if (!st) return NULL;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, enc, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, now + ttl_s);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? arena_strdup(&r->a, tok) : NULL;
}

kv *handoff_get(request *r, sqlite3 *db, const char *target, const char *token, bool take) {
  if (!handoff_token_ok(token)) return NULL;
  char hash[65];
  sha256_hex(token, strlen(token), hash);
  /* with take, DELETE … RETURNING makes the read and the use one step:
   * of two concurrent takes only one gets the row */
  sqlite3_stmt *st = db_prep(db, take ? "DELETE FROM handoff_drafts WHERE id_hash=?1 AND target=?2"
                                        " AND expires_at > ?3 RETURNING payload_enc"
                                      : "SELECT payload_enc FROM handoff_drafts WHERE id_hash=?1"
                                        " AND target=?2 AND expires_at > ?3");
  if (!st) return NULL;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, (long long)time(NULL));
  char *stored = NULL;
  if (sqlite3_step(st) == SQLITE_ROW) stored = arena_strdup(&r->a, db_text(st, 0));
  sqlite3_finalize(st);
  return stored ? decode_payload(r, target, stored) : NULL;
}

int handoff_set(request *r, sqlite3 *db, const char *target, const char *token, const kv *payload) {
  if (!handoff_token_ok(token)) return 1;
  char hash[65];
  sha256_hex(token, strlen(token), hash);
  char *enc = pii_encrypt(&r->a, &r->app->pii, aad_of(target), encode_payload(r, payload));
  if (!enc) return -1;
  sqlite3_stmt *st = db_prep(db, "UPDATE handoff_drafts SET payload_enc=?3"
                                 " WHERE id_hash=?1 AND target=?2 AND expires_at > ?4");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, enc, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, (long long)time(NULL));
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return -1;
  return sqlite3_changes(db) ? 0 : 1;
}

void kv_put(arena *a, kv **list, const char *name, const char *value) {
  for (kv *e = *list; e; e = e->next)
    if (!strcmp(e->name, name)) {
      e->value = arena_strdup(a, value ? value : "");
      e->len = strlen(e->value);
      return;
    }
  kv_add(a, list, name, value ? value : "", value ? strlen(value) : 0);
}

/* Is name one of the space-separated names? */
static bool name_in(const char *name, const char *names) {
  size_t n = strlen(name);
  for (const char *p = names; *p;) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ' ') e++;
    if ((size_t)(e - p) == n && n && !memcmp(p, name, n)) return true;
    p = e;
  }
  return false;
}

kv *kv_without(arena *a, const kv *list, const char *names) {
  kv *out = NULL;
  for (const kv *e = list; e; e = e->next)
    if (!name_in(e->name, names)) kv_add(a, &out, e->name, e->value, e->len);
  return out;
}

/* The file part posted for column (NULL when none was chosen). */
static const kv *posted_file(const request *r, const char *col) {
  for (const kv *e = r->form; e; e = e->next)
    if (!strcmp(e->name, col) && e->filename && (e->filename[0] || e->len)) return e;
  return NULL;
}

int draft_files_take(request *r, sqlite3 *db, const field *fields, kv **draft, field_error **errs) {
  for (const field *f = fields; f->column; f++) {
    if (f->kind != F_FILE || !f->upload) continue;
    const char *kept = kv_get(*draft, f->column);
    long long old = kept && *kept ? strtoll(kept, NULL, 10) : 0;
    if (old && req_form(r, arena_printf(&r->a, "%s_remove", f->column))) {
      if (upload_delete(r->app, db, old)) return -1;
      kv_put(&r->a, draft, f->column, "");
      old = 0;
    }
    const kv *file = posted_file(r, f->column);
    if (!file) continue;
    long long id;
    const char *why;
    int rc = upload_store(r->app, db, file, f->upload, &id, &why);
    if (rc < 0) return -1;
    if (rc > 0) {
      fields_add_error(&r->a, errs, fields, f->column, arena_printf(&r->a, "%s：%s。", f->label, why));
      continue;
    }
    if (old && upload_delete(r->app, db, old)) return -1;
    kv_put(&r->a, draft, f->column, arena_printf(&r->a, "%lld", id));
  }
  return 0;
}

/* Original name of upload id, NULL when it is gone. */
static const char *upload_name(request *r, sqlite3 *db, const char *id) {
  if (!id || !*id) return NULL;
  sqlite3_stmt *st = db_prep(db, "SELECT original_name FROM uploads WHERE id=?1");
  if (!st) return NULL;
  sqlite3_bind_int64(st, 1, strtoll(id, NULL, 10));
  const char *name = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : NULL;
  sqlite3_finalize(st);
  return name;
}

kv *draft_files_attached(request *r, sqlite3 *db, const field *fields, const kv *draft,
                         const kv *values) {
  kv *out = kv_without(&r->a, values, "");
  for (const field *f = fields; f->column; f++) {
    if (f->kind != F_FILE) continue;
    const char *name = upload_name(r, db, kv_get(draft, f->column));
    if (name) kv_put(&r->a, &out, arena_printf(&r->a, "%s:attached", f->column), name);
  }
  return out;
}

/* Label of a choice value: the field's fixed choices, then its master list. */
static const char *choice_label(request *r, sqlite3 *db, const field *f, const char *v) {
  char tmp[256];
  const char *l = schema_choice_label(f, v, tmp, sizeof tmp);
  if (strcmp(l, v) != 0) return arena_strdup(&r->a, l);
  if (f->master && db) return master_label(&r->a, db, f->master, v);
  return v;
}

tval *values_display(request *r, sqlite3 *db, const field *fields, const kv *values) {
  arena *a = &r->a;
  tval *list = tv_list(a);
  for (const field *f = fields; f->column; f++) {
    if (field_by_column(fields, f->column) != f) continue;
    const char *v = kv_get(values, f->column);
    if (!v || !*v) continue;
    tval *m = tv_map(a);
    tv_set_str(a, m, "column", f->column);
    tv_set_str(a, m, "label", f->label);
    const char *text = v;
    switch (f->kind) {
      case F_TEXTAREA:
        tv_set_str(a, m, "kind", "paragraphs");
        tv_set(a, m, "paragraphs", text_paragraphs(r, v));
        break;
      case F_MULTI: {
        tv_set_str(a, m, "kind", "list");
        tval *items = tv_list(a);
        buf t = {0};
        for (const char *p = v; *p;) {
          const char *e = strchr(p, '\n');
          size_t n = e ? (size_t)(e - p) : strlen(p);
          if (n) {
            const char *l = choice_label(r, db, f, arena_strndup(a, p, n));
            tv_push(a, items, tv_str(a, l));
            buf_printf(&t, "%s%s", t.len ? "、" : "", l);
          }
          if (!e) break;
          p = e + 1;
        }
        tv_set(a, m, "items", items);
        text = arena_strdup(a, buf_cstr(&t));
        buf_free(&t);
        break;
      }
      case F_SELECT:
        text = choice_label(r, db, f, v);
        tv_set_str(a, m, "kind", "text");
        break;
      case F_BOOL:
        if (strcmp(v, "1") != 0) continue;
        text = "はい";
        tv_set_str(a, m, "kind", "text");
        break;
      case F_FILE:
        text = upload_name(r, db, v);
        if (!text) continue;
        tv_set_str(a, m, "kind", "text");
        break;
      default:
        tv_set_str(a, m, "kind", "text");
        break;
    }
    tv_set_str(a, m, "value", text);
    tv_set_str(a, m, "text", text);
    tv_push(a, list, m);
  }
  return list;
}

int submit_mail(request *r, sqlite3 *db, const char *name, tval *ctx, const char *to,
                const char *reply_to, const char *idem_key) {
  const config *cfg = &r->app->cfg;
  const char *subject = NULL, *body = NULL;
  char err[256];
  tv_set_str(&r->a, ctx, "centre", cfg->mail_from_name);
  tv_set_str(&r->a, ctx, "base", public_base(r));
  /* issue 6: mail texts — staff-edited text when there is one */
  int render_rc = mail_render_db(db, r->app->tmpl, name, ctx, &r->a, &subject, &body, err, sizeof err);
  /* end issue 6: mail texts */
  if (render_rc) {
    fprintf(stderr, "civicnet: mail %s: %s\n", name, err);
    return -1;
  }
  mail_msg m = {.to = to, .from = cfg->mail_from, .from_name = cfg->mail_from_name,
                .subject = subject, .body = body};
  if (reply_to && *reply_to && mail_addr_ok(reply_to)) m.extra[0] = (mail_hdr){"Reply-To", reply_to};
  return outbox_enqueue(db, &m, idem_key, NULL) == OUTBOX_OK ? 0 : -1;
}

/* issue 5: member side — cross-registration Aika → Supernet (handoff.h) */
const char *handoff_member_to_supernet(request *r, sqlite3 *db, long long member_id, const char **kind) {
  sqlite3_stmt *st = db_prep(db, "SELECT kind, org_type, org_name, org_kana, representative, rep_title, prefecture,"
                                 " municipality, phone_enc, email_enc, contact_name_enc FROM members WHERE id=?1");
  if (!st) return NULL;
  sqlite3_bind_int64(st, 1, member_id);
  if (sqlite3_step(st) != SQLITE_ROW || !strcmp(db_text(st, 0), "individual")) {
    sqlite3_finalize(st);
    return NULL;
  }
  arena *a = &r->a;
  kv *p = NULL;
  const char *k = !strcmp(db_text(st, 0), "company") ? "company" : "citizen";
  kv_put(a, &p, "_from", "aika");
  kv_put(a, &p, "kind", k);
  static const char *const PLAIN[] = {"org_class", "name", "kana", "representative", "rep_title", "prefecture",
                                      "municipality"};
  for (int i = 0; i < 7; i++) {
    const char *v = db_text(st, 1 + i);
    if (*v) kv_put(a, &p, PLAIN[i], v);
  }
  static const char *const ENC[][2] = {{"phone", "phone"}, {"email", "registrant_email"},
                                       {"contact_name", "contact_name"}};
  for (int i = 0; i < 3; i++) {
    const char *v = pii_decrypt(a, &r->app->pii, ENC[i][0], db_text(st, 8 + i));
    if (v && *v) kv_put(a, &p, ENC[i][1], v);
  }
  sqlite3_finalize(st);
  /* Aika's 団体・企業 name the 市町 outside Yamaguchi 「―」, Supernet 「山口県外」 */
  const char *pref = kv_get(p, "prefecture"), *city = kv_get(p, "municipality");
  if (city && !strcmp(city, "―") && pref && strcmp(pref, "山口県") != 0) kv_put(a, &p, "municipality", "山口県外");
  const char *tok = handoff_put(r, db, "supernet", p, HANDOFF_TTL_S);
  if (tok && kind) *kind = k;
  return tok;
}

kv *handoff_from_aika(request *r, sqlite3 *db, const char *token, bool take) {
  kv *p = handoff_get(r, db, "supernet", token, false);
  const char *from = kv_get(p, "_from");
  if (!p || !from || strcmp(from, "aika") != 0) return NULL;
  return take ? handoff_get(r, db, "supernet", token, true) : p;
}
/* end issue 5: member side */
