/* signup_files.c — keeping a sign-up's files across form errors (see
 * signup_files.h). */
#include "signup_files.h"

#include <string.h>

#include "db.h"
#include "request.h"
#include "upload.h"

/* The upload kept for (draft, column), 0 if none. */
static long long kept_id(sqlite3 *db, const char *hash, const char *col) {
  sqlite3_stmt *st = db_prep(db, "SELECT upload_id FROM signup_draft_uploads WHERE draft_hash=?1 AND field=?2");
  if (!st) return 0;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
  return row_int(st);
}

/* The file part posted for column (NULL when none was chosen). */
static const kv *posted_file(const request *r, const char *col) {
  for (const kv *e = r->form; e; e = e->next)
    if (!strcmp(e->name, col) && e->filename && (e->filename[0] || e->len)) return e;
  return NULL;
}

int signup_files_take(request *r, sqlite3 *db, const char *hash, const field *fields,
                      field_error **errs) {
  for (const field *f = fields; f->column; f++) {
    if (f->kind != F_FILE || !f->upload) continue;
    long long old = kept_id(db, hash, f->column);
    if (old && req_form(r, arena_printf(&r->a, "%s_remove", f->column))) {
      if (upload_delete(r->app, db, old)) return -1;
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
    sqlite3_stmt *st = db_prep(db, "INSERT OR REPLACE INTO signup_draft_uploads(draft_hash, field, upload_id)"
                                   " VALUES (?1,?2,?3)");
    if (!st) return -1;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->column, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
      upload_delete(r->app, db, id);
      return -1;
    }
  }
  return 0;
}

const kv *signup_files_values(request *r, sqlite3 *db, const char *hash, const kv *values) {
  sqlite3_stmt *st = db_prep(db, "SELECT d.field, u.original_name FROM signup_draft_uploads d"
                                 " JOIN uploads u ON u.id=d.upload_id WHERE d.draft_hash=?1");
  if (!st) return values;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  kv *head = (kv *)values;
  while (sqlite3_step(st) == SQLITE_ROW) {
    kv *e = arena_alloc(&r->a, sizeof *e);
    e->name = arena_printf(&r->a, "%s:attached", db_text(st, 0));
    e->value = arena_strdup(&r->a, db_text(st, 1));
    e->len = strlen(e->value);
    e->next = head;
    head = e;
  }
  sqlite3_finalize(st);
  return head;
}

int signup_files_adopt(sqlite3 *db, const char *hash, long long uid) {
  sqlite3_stmt *st = db_prep(db, "UPDATE uploads SET owner_id=(SELECT id FROM members WHERE user_id=?2)"
                                 " WHERE id IN (SELECT upload_id FROM signup_draft_uploads WHERE draft_hash=?1)");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, uid);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  if (rc) return rc;
  st = db_prep(db, "DELETE FROM signup_draft_uploads WHERE draft_hash=?1");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

void signup_files_discard(request *r, sqlite3 *db, const char *hash) {
  sqlite3_stmt *st = db_prep(db, "SELECT upload_id FROM signup_draft_uploads WHERE draft_hash=?1");
  if (!st) return;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  long long ids[16];
  int n = 0;
  while (n < 16 && sqlite3_step(st) == SQLITE_ROW) ids[n++] = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  for (int i = 0; i < n; i++) upload_delete(r->app, db, ids[i]);
}
