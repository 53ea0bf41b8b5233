/* content.c — records of the schema's content types (see content.h). The
 * SQL is assembled from schema column names only; every value is bound. */
#include "content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "html.h"
#include "master.h"
#include "request.h"
#include "upload.h"

/* Does table have column? (pragma table-valued function, bound names) */
static bool table_has(sqlite3 *db, const char *table, const char *col) {
  sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name=?2");
  if (!st) return false;
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
  bool ok = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return ok;
}

/* The first field of the list with this column (per-kind duplicates such
 * as org_class share one column). */
static bool first_of_column(const field *list, const field *f) {
  return field_by_column(list, f->column) == f;
}

static const char *sql_column(arena *a, const field *f) {
  return f->pii ? arena_printf(a, "%s_enc", f->column) : f->column;
}

kv *content_load(request *r, const content_type *t, long long id, bool staff) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return NULL;
  arena *a = &r->a;
  buf q = {0};
  buf_printf(&q, "SELECT id");
  static const char *const META[] = {"status", "published_at", "created_at", "updated_at"};
  bool meta[4];
  for (int i = 0; i < 4; i++) {
    meta[i] = table_has(db, t->table, META[i]);
    if (meta[i]) buf_printf(&q, ", %s", META[i]);
  }
  for (const field *f = t->fields; f->column; f++) {
    if (!first_of_column(t->fields, f)) continue;
    if (!staff && (f->staff_only || f->pii)) continue;
    buf_printf(&q, ", %s", sql_column(a, f));
  }
  buf_printf(&q, " FROM %s WHERE id=?1%s", t->table,
             staff || !meta[0] ? "" : " AND status='published'");
  sqlite3_stmt *st = db_prep(db, buf_cstr(&q));
  buf_free(&q);
  if (!st) return NULL;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return NULL;
  }
  kv *out = NULL;
  int c = 0;
  const char *idtxt = db_text(st, c++);
  kv_add(a, &out, "id", idtxt, strlen(idtxt));
  for (int i = 0; i < 4; i++)
    if (meta[i]) {
      const char *v = db_text(st, c++);
      kv_add(a, &out, META[i], v, strlen(v));
    }
  for (const field *f = t->fields; f->column; f++) {
    if (!first_of_column(t->fields, f)) continue;
    if (!staff && (f->staff_only || f->pii)) continue;
    const char *v = db_text(st, c++);
    if (f->pii && *v) {
      char *plain = pii_decrypt(a, &r->app->pii, f->column, v);
      if (!plain) fprintf(stderr, "civicnet: %s %lld: %s cannot be decrypted\n", t->table, id, f->column);
      v = plain ? plain : "";
    }
    if (strcmp(f->column, "status") == 0 || strcmp(f->column, "published_at") == 0) continue;
    kv_add(a, &out, f->column, v, strlen(v));
  }
  sqlite3_finalize(st);
  return out;
}

/* ふりがな are stored in hiragana (katakana folded, U+30A1–U+30F6 →
 * U+3041–U+3096) so that ORDER BY gives 五十音 order whichever script the
 * submitter typed; ー and spaces stay. */
static char *kana_fold(arena *a, const char *v) {
  char *out = arena_strdup(a, v);
  for (unsigned char *p = (unsigned char *)out; p[0]; p++) {
    if (p[0] != 0xE3 || !p[1] || !p[2]) continue;
    unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    if (cp >= 0x30A1 && cp <= 0x30F6) {
      cp -= 0x60;
      p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
      p[2] = (unsigned char)(0x80 | (cp & 0x3F));
    }
    p += 2;
  }
  return out;
}

/* Bind the value of f (from values) to parameter i. */
static int bind_field(request *r, sqlite3_stmt *st, int i, const field *f, const char *v) {
  if (!v) v = "";
  switch (f->kind) {
    case F_BOOL:
      return sqlite3_bind_int(st, i, strcmp(v, "1") == 0);
    case F_INT:
    case F_FILE:
      if (!*v) return sqlite3_bind_null(st, i);
      return sqlite3_bind_int64(st, i, strtoll(v, NULL, 10));
    default:
      break;
  }
  if (f->pii) {
    char *enc = pii_encrypt(&r->a, &r->app->pii, f->column, v);
    if (!enc) return SQLITE_ERROR;
    return sqlite3_bind_text(st, i, enc, -1, SQLITE_TRANSIENT);
  }
  if ((strcmp(f->column, "published_at") == 0) && !*v) return sqlite3_bind_null(st, i);
  if (f->kind == F_KANA) v = kana_fold(&r->a, v);
  return sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* The fields to write: present in values, first of their column, and
 * applying to the record's kind. */
static bool writes(const content_type *t, const field *fields, const field *f, const kv *values,
                   const char *kind) {
  (void)t;
  return first_of_column(fields, f) && kv_get(values, f->column) && field_applies(f, kind);
}

long long content_insert(request *r, sqlite3 *db, const content_type *t, const field *fields,
                         const kv *values) {
  const char *kind = t->kind_col ? kv_get(values, t->kind_col) : NULL;
  buf cols = {0}, qs = {0};
  int n = 0;
  for (const field *f = fields; f->column; f++) {
    if (!writes(t, fields, f, values, kind)) continue;
    buf_printf(&cols, "%s%s", n ? ", " : "", sql_column(&r->a, f));
    buf_printf(&qs, "%s?%d", n ? ", " : "", n + 1);
    n++;
  }
  char *sql = arena_printf(&r->a, "INSERT INTO %s(%s) VALUES (%s)", t->table, buf_cstr(&cols),
                           buf_cstr(&qs));
  buf_free(&cols);
  buf_free(&qs);
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return -1;
  int i = 0;
  for (const field *f = fields; f->column; f++) {
    if (!writes(t, fields, f, values, kind)) continue;
    if (bind_field(r, st, ++i, f, kv_get(values, f->column)) != SQLITE_OK) {
      sqlite3_finalize(st);
      return -1;
    }
  }
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    fprintf(stderr, "civicnet: insert %s: %s\n", t->table, sqlite3_errmsg(db));
    return -1;
  }
  return sqlite3_last_insert_rowid(db);
}

int content_update(request *r, sqlite3 *db, const content_type *t, const field *fields,
                   long long id, const kv *values) {
  const char *kind = t->kind_col ? kv_get(values, t->kind_col) : NULL;
  if (t->kind_col && !kind) { /* the stored kind decides which fields apply */
    sqlite3_stmt *k = db_prep(db, arena_printf(&r->a, "SELECT %s FROM %s WHERE id=?1", t->kind_col, t->table));
    if (!k) return -1;
    sqlite3_bind_int64(k, 1, id);
    if (sqlite3_step(k) == SQLITE_ROW) kind = arena_strdup(&r->a, db_text(k, 0));
    sqlite3_finalize(k);
  }
  buf set = {0};
  int n = 0;
  for (const field *f = fields; f->column; f++) {
    if (!writes(t, fields, f, values, kind)) continue;
    buf_printf(&set, "%s%s=?%d", n ? ", " : "", sql_column(&r->a, f), n + 2);
    n++;
  }
  if (table_has(db, t->table, "updated_at"))
    buf_printf(&set, "%supdated_at=strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ','now')", n ? ", " : "");
  if (!set.len) return 0;
  char *sql = arena_printf(&r->a, "UPDATE %s SET %s WHERE id=?1", t->table, buf_cstr(&set));
  buf_free(&set);
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  int i = 1;
  for (const field *f = fields; f->column; f++) {
    if (!writes(t, fields, f, values, kind)) continue;
    if (bind_field(r, st, ++i, f, kv_get(values, f->column)) != SQLITE_OK) {
      sqlite3_finalize(st);
      return -1;
    }
  }
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    fprintf(stderr, "civicnet: update %s: %s\n", t->table, sqlite3_errmsg(db));
    return -1;
  }
  return sqlite3_changes(db) ? 0 : 1;
}

int content_set_status(sqlite3 *db, const content_type *t, long long id, const char *status) {
  if (strcmp(status, "draft") && strcmp(status, "review") && strcmp(status, "published")) return -1;
  char sql[256];
  snprintf(sql, sizeof sql,
           "UPDATE %s SET status=?2, published_at=CASE WHEN ?2='published' AND published_at IS NULL"
           " THEN strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ','now') ELSE published_at END WHERE id=?1",
           t->table);
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return -1;
  return sqlite3_changes(db) ? 0 : 1;
}

int content_delete(request *r, sqlite3 *db, const content_type *t, long long id) {
  /* the record's files first (uploads rows + bytes), then the row */
  for (const field *f = t->fields; f->column; f++) {
    if (f->kind != F_FILE || !first_of_column(t->fields, f)) continue;
    sqlite3_stmt *st = db_prep(db, arena_printf(&r->a, "SELECT %s FROM %s WHERE id=?1", f->column, t->table));
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, id);
    long long up = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
      up = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (up && upload_delete(r->app, db, up) != 0) return -1;
  }
  sqlite3_stmt *st = db_prep(db, arena_printf(&r->a, "DELETE FROM %s WHERE id=?1", t->table));
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return -1;
  return sqlite3_changes(db) ? 0 : 1;
}

const char *content_title(const content_type *t, const kv *values) {
  const char *v = t->title_col ? kv_get(values, t->title_col) : NULL;
  return v ? v : "";
}

const char *content_status_label(const char *status) {
  if (!status) return "";
  if (!strcmp(status, "draft")) return "下書";
  if (!strcmp(status, "review")) return "仮登録";
  if (!strcmp(status, "published")) return "公開";
  return status;
}

/* Label of a select/multi value: fixed choices first, then the master list. */
static const char *value_label(request *r, sqlite3 *db, const field *f, const char *v) {
  char tmp[256];
  const char *l = schema_choice_label(f, v, tmp, sizeof tmp);
  if (l != v && strcmp(l, v) != 0) return arena_strdup(&r->a, l);
  if (f->master && db) return master_label(&r->a, db, f->master, v);
  return v;
}

/* A file's display name and link, or NULL when the upload is gone. */
static tval *file_entry(request *r, sqlite3 *db, const field *f, const char *v, tval *m) {
  sqlite3_stmt *st = db_prep(db, "SELECT original_name, mime FROM uploads WHERE id=?1");
  if (!st) return NULL;
  sqlite3_bind_int64(st, 1, strtoll(v, NULL, 10));
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return NULL;
  }
  arena *a = &r->a;
  const char *name = arena_strdup(a, db_text(st, 0));
  bool image = strncmp(db_text(st, 1), "image/", 6) == 0;
  sqlite3_finalize(st);
  buf u = {0};
  buf_printf(&u, "/files/%lld/", strtoll(v, NULL, 10));
  url_encode(&u, name, strlen(name));
  tv_set_str(a, m, "kind", "file");
  tv_set_str(a, m, "value", name);
  tv_set_str(a, m, "href", buf_cstr(&u));
  tv_set_bool(a, m, "image", image);
  tv_set_str(a, m, "alt", f->label);
  buf_free(&u);
  return m;
}

tval *content_display(request *r, const content_type *t, const kv *values, bool staff) {
  arena *a = &r->a;
  sqlite3 *db = db_thread(r->app);
  const char *kind = t->kind_col ? kv_get(values, t->kind_col) : NULL;
  tval *list = tv_list(a);
  for (const field *f = t->fields; f->column; f++) {
    if (!field_applies(f, kind)) continue;
    if (!staff && (f->staff_only || f->pii || f->public_hidden)) continue;
    const char *col = f->column;
    size_t cl = strlen(col);
    if (cl > 5 && strcmp(col + cl - 5, "_desc") == 0 && strncmp(col, "url_", 4) == 0) continue;
    const char *v = kv_get(values, col);
    if (!v || !*v || (f->kind == F_BOOL && strcmp(v, "1") != 0)) continue;
    tval *m = tv_map(a);
    tv_set_str(a, m, "column", col);
    tv_set_str(a, m, "label", f->label);
    tv_set_str(a, m, "value", v);
    switch (f->kind) {
      case F_TEXTAREA:
        tv_set_str(a, m, "kind", "paragraphs");
        tv_set(a, m, "paragraphs", text_paragraphs(r, v));
        break;
      case F_URL: {
        tv_set_str(a, m, "kind", "link");
        /* raw: templates print hrefs through the href escaper, which
         * turns any non-http(s) scheme into "#" */
        tv_set_str(a, m, "href", v);
        const char *desc = kv_get(values, arena_printf(a, "%s_desc", col));
        if (desc && *desc) tv_set_str(a, m, "value", desc), tv_set_str(a, m, "url", v);
        break;
      }
      case F_EMAIL:
        tv_set_str(a, m, "kind", "email");
        tv_set_str(a, m, "href", arena_printf(a, "mailto:%s", v));
        break;
      case F_MULTI: {
        tv_set_str(a, m, "kind", "list");
        tval *items = tv_list(a);
        for (const char *p = v; *p;) {
          const char *e = strchr(p, '\n');
          size_t n = e ? (size_t)(e - p) : strlen(p);
          if (n) tv_push(a, items, tv_str(a, value_label(r, db, f, arena_strndup(a, p, n))));
          if (!e) break;
          p = e + 1;
        }
        tv_set(a, m, "items", items);
        break;
      }
      case F_SELECT:
        tv_set_str(a, m, "kind", "text");
        tv_set_str(a, m, "value", value_label(r, db, f, v));
        break;
      case F_BOOL:
        tv_set_str(a, m, "kind", "bool");
        tv_set_str(a, m, "value", "はい");
        break;
      case F_FILE:
        if (!db || !file_entry(r, db, f, v, m)) continue;
        break;
      default:
        tv_set_str(a, m, "kind", "text");
        break;
    }
    tv_push(a, list, m);
  }
  return list;
}
