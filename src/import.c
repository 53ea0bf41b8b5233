/* import.c — the importers' shared run report, record identity and old
 * URLs (see import.h). */
#include "import.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <string.h>

#include <utf8proc.h>

#include "crypto.h"
#include "db.h"

void import_report_init(import_report *r) {
  memset(r, 0, sizeof *r);
  buf_init(&r->notes);
}

void import_report_free(import_report *r) { buf_free(&r->notes); }

import_count *import_count_of(import_report *r, const char *type) {
  for (int i = 0; i < r->ntypes; i++)
    if (!strcmp(r->counts[i].type, type)) return &r->counts[i];
  int i = r->ntypes < IMPORT_MAX_TYPES ? r->ntypes++ : IMPORT_MAX_TYPES - 1;
  import_count *c = &r->counts[i];
  memset(c, 0, sizeof *c);
  snprintf(c->type, sizeof c->type, "%s", type);
  return c;
}

void import_note(import_report *r, const char *what, const char *type, long line,
                 const char *fmt, ...) {
  buf_printf(&r->notes, "%s\t%ld\t%s\t", type, line, what);
  va_list ap;
  va_start(ap, fmt);
  char tmp[1024];
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  /* one note per line: tabs and line breaks in a reason become spaces */
  for (char *p = tmp; *p; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
  buf_puts(&r->notes, tmp);
  buf_putc(&r->notes, '\n');
  r->nnotes++;
}

long import_total_rejected(const import_report *r) {
  long n = 0;
  for (int i = 0; i < r->ntypes; i++) n += r->counts[i].rejected;
  return n;
}

long import_total_changed(const import_report *r) {
  long n = 0;
  for (int i = 0; i < r->ntypes; i++) n += r->counts[i].created + r->counts[i].updated;
  return n;
}

/* s left-aligned in a column `width` terminal cells wide (CJK characters
 * take two cells, so printf's byte-counting %-14s would misalign). */
static void cell(FILE *out, const char *s, int width, bool right) {
  int w = 0;
  utf8proc_int32_t c;
  for (const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s; *p;) {
    utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
    if (n <= 0) break;
    w += c < 0 ? 1 : utf8proc_charwidth(c);
    p += n;
  }
  if (right) fprintf(out, "%*s%s", w < width ? width - w : 0, "", s);
  else fprintf(out, "%s%*s", s, w < width ? width - w : 0, "");
}

void import_report_print(const import_report *r, FILE *out, bool dry_run) {
  static const char *const head[] = {"読込", "新規", "更新", "変更なし", "対象外", "却下"};
  cell(out, "種別", 14, false);
  for (int i = 0; i < 6; i++) cell(out, head[i], 10, true);
  fputc('\n', out);
  for (int i = 0; i < r->ntypes; i++) {
    const import_count *c = &r->counts[i];
    long v[6] = {c->read, c->created, c->updated, c->unchanged, c->skipped, c->rejected};
    cell(out, c->type, 14, false);
    for (int k = 0; k < 6; k++) {
      char n[24];
      snprintf(n, sizeof n, "%ld", v[k]);
      cell(out, n, 10, true);
    }
    fputc('\n', out);
  }
  if (r->nnotes) {
    fprintf(out, "\n種別\t行\t区分\t内容\n");
    fwrite(r->notes.data ? r->notes.data : "", 1, r->notes.len, out);
  }
  long changed = import_total_changed(r);
  fputc('\n', out);
  if (changed) fprintf(out, "新規・更新 %ld 件、却下 %ld 件", changed, import_total_rejected(r));
  else fprintf(out, "変更はありません。");
  fprintf(out, "%s\n", dry_run ? "（試行: データベースには書き込んでいません）" : "");
}

int import_find(sqlite3 *db, const char *source, const char *key, const char *type,
                long long *record_id, char checksum[65]) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT record_id, checksum FROM import_records WHERE source=?1 AND source_key=?2 AND type=?3");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st), found = 0;
  if (rc == SQLITE_ROW) {
    found = 1;
    if (record_id) *record_id = sqlite3_column_int64(st, 0);
    if (checksum) snprintf(checksum, 65, "%s", (const char *)sqlite3_column_text(st, 1));
  } else if (rc != SQLITE_DONE) {
    found = -1;
  }
  sqlite3_finalize(st);
  return found;
}

int import_remember(sqlite3 *db, const char *source, const char *key, const char *type,
                    long long record_id, const char *checksum) {
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO import_records(source, source_key, type, record_id, checksum) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(source, source_key, type) DO UPDATE SET "
      "record_id=excluded.record_id, checksum=excluded.checksum, "
      "imported_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, record_id);
  sqlite3_bind_text(st, 5, checksum, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

void import_checksum(const char *const *vals, size_t n, char out[65]) {
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  EVP_DigestInit_ex(c, EVP_sha256(), NULL);
  for (size_t i = 0; i < n; i++) {
    char len[24];
    int l = vals[i] ? snprintf(len, sizeof len, "%zu:", strlen(vals[i]))
                    : snprintf(len, sizeof len, "N:");
    EVP_DigestUpdate(c, len, (size_t)l);
    if (vals[i]) EVP_DigestUpdate(c, vals[i], strlen(vals[i]));
  }
  unsigned char h[32];
  EVP_DigestFinal_ex(c, h, NULL);
  EVP_MD_CTX_free(c);
  hex_encode(h, 32, out);
}

int import_old_url(sqlite3 *db, const char *old_path, const char *new_path,
                   const char *type, long long record_id) {
  if (!old_path || old_path[0] != '/' || !new_path || new_path[0] != '/' ||
      new_path[1] == '/' || new_path[1] == '\\' || strpbrk(new_path, "\r\n"))
    return -1;
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO old_urls(old_path, new_path, type, record_id) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT(old_path) DO UPDATE SET new_path=excluded.new_path, type=excluded.type, "
      "record_id=excluded.record_id");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, old_path, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, new_path, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, type ? type : "", -1, SQLITE_STATIC);
  if (record_id > 0) sqlite3_bind_int64(st, 4, record_id);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}
