/* ui_files.c — GET /files/{id}[/{name}]: an uploaded file (upload.c) sent
 * back only to those allowed to see its owner record — staff always; for a
 * member's file (別紙4 item 17) everyone once the member's profile is
 * published, otherwise only that member. Anyone else gets 404, the same
 * answer as for an id that does not exist. The bytes go out with the type
 * detected at upload, as an attachment (inline only for the re-encoded
 * images), nosniff (server.c, every response) and a sandboxing CSP. The
 * {name} part of the URL is decoration for the browser and is ignored. */
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "request.h"
#include "ui.h"

#define FILE_MAX_BYTES (16 * 1024 * 1024)

/* May the requester see the file of owner (kind, id)? */
static bool may_see(request *r, sqlite3 *db, const char *kind, sqlite3_int64 owner, bool has_owner) {
  if (r->role >= ROLE_EDITOR) return true;
  if (!has_owner) return false;
  /* Supernet records: public once published (the file must also still be
   * one of the record's file columns — a replaced file is not public) */
  static const struct { const char *kind, *sql; } SUPERNET[] = {
      {"group", "SELECT 1 FROM groups g JOIN uploads u ON u.owner_id=g.id WHERE g.id=?1 AND u.id=?2"
                " AND g.status='published' AND u.id IN (g.file_1, g.file_2, g.file_3)"},
      {"event", "SELECT 1 FROM events e JOIN uploads u ON u.owner_id=e.id WHERE e.id=?1 AND u.id=?2"
                " AND e.status='published' AND u.id IN (e.file_1, e.file_2)"},
      {"report", "SELECT 1 FROM reports p JOIN uploads u ON u.owner_id=p.id WHERE p.id=?1 AND u.id=?2"
                 " AND p.status='published' AND u.id IN (p.photo_1, p.photo_2, p.photo_3)"},
      /* Aika: a recruitment's files while the group is public too (A2) */
      {"recruitment", "SELECT 1 FROM recruitments p JOIN uploads u ON u.owner_id=p.id"
                      " LEFT JOIN members m ON m.id=p.member_id WHERE p.id=?1 AND u.id=?2"
                      " AND p.status='published' AND (p.member_id IS NULL OR m.status='published')"
                      " AND u.id IN (p.file_1, p.file_2)"},
      {"interview", "SELECT 1 FROM interviews p JOIN uploads u ON u.owner_id=p.id WHERE p.id=?1 AND u.id=?2"
                    " AND p.status='published' AND u.id IN (p.photo_1, p.photo_2, p.photo_3)"},
      {"download", "SELECT 1 FROM downloads p JOIN uploads u ON u.owner_id=p.id WHERE p.id=?1 AND u.id=?2"
                   " AND p.status='published' AND u.id = p.file_1"},
      /* issue 7: files attached to imported WordPress news and pages (the
       * bodies and the old /wp-content/uploads/ URLs link them) */
      {"news", "SELECT 1 FROM news n JOIN uploads u ON u.owner_id=n.id WHERE n.id=?1 AND u.id=?2"
               " AND u.owner_kind='news' AND n.status='published'"},
      {"page", "SELECT 1 FROM pages p JOIN uploads u ON u.owner_id=p.id WHERE p.id=?1 AND u.id=?2"
               " AND u.owner_kind='page' AND p.status='published'"}};
  for (size_t i = 0; i < sizeof SUPERNET / sizeof SUPERNET[0]; i++) {
    if (strcmp(kind, SUPERNET[i].kind) != 0) continue;
    sqlite3_stmt *q = db_prep(db, SUPERNET[i].sql);
    if (!q) return false;
    sqlite3_bind_int64(q, 1, owner);
    sqlite3_bind_int64(q, 2, req_param_int(r, 0));
    bool pub = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return pub;
  }
  if (strcmp(kind, "member") != 0) return false;
  sqlite3_stmt *st = db_prep(db, "SELECT status='published', user_id FROM members WHERE id=?1");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, owner);
  bool ok = false;
  if (sqlite3_step(st) == SQLITE_ROW)
    ok = sqlite3_column_int(st, 0) ||
         (r->user && sqlite3_column_type(st, 1) != SQLITE_NULL && sqlite3_column_int64(st, 1) == r->user->id);
  sqlite3_finalize(st);
  return ok;
}

/* attr-char of RFC 8187 (filename*=UTF-8''…); everything else %XX. */
static void rfc8187(buf *b, const char *s) {
  static const char ok[] = "!#$&+-.^_`|~";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr(ok, *p))
      buf_putc(b, (char)*p);
    else
      buf_printf(b, "%%%02X", *p);
  }
}

/* Download name: the cleaned original name with the extension of the
 * detected type (a PDF uploaded as x.jpg is offered as x.pdf). */
static const char *download_name(request *r, const char *original, const char *stored) {
  const char *ext = strrchr(stored, '.');
  const char *dot = strrchr(original, '.');
  size_t stem = dot && dot != original ? (size_t)(dot - original) : strlen(original);
  return arena_printf(&r->a, "%.*s%s", (int)stem, original, ext ? ext : "");
}

int file_download(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  sqlite3_stmt *st = db_prep(db, "SELECT stored_path, original_name, mime, owner_kind, owner_id"
                                 " FROM uploads WHERE id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, req_param_int(r, 0));
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return 404;
  }
  const char *stored = arena_strdup(&r->a, db_text(st, 0));
  const char *original = arena_strdup(&r->a, db_text(st, 1));
  const char *mime = arena_strdup(&r->a, db_text(st, 2));
  const char *kind = arena_strdup(&r->a, db_text(st, 3));
  bool has_owner = sqlite3_column_type(st, 4) != SQLITE_NULL;
  sqlite3_int64 owner = sqlite3_column_int64(st, 4);
  sqlite3_finalize(st);
  r->no_store = true; /* visibility can change (unpublish): never cached */
  if (!may_see(r, db, kind, owner, has_owner)) return 404;
  if (strncmp(stored, "uploads/", 8) != 0 || strstr(stored, "..")) return 404;
  char path[1300];
  snprintf(path, sizeof path, "%s/%s", r->app->cfg.data_dir, stored);
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 404;
  struct stat sb;
  if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > FILE_MAX_BYTES) {
    close(fd);
    return 404;
  }
  buf_reset(&r->body);
  char tmp[65536];
  ssize_t n;
  while ((n = read(fd, tmp, sizeof tmp)) > 0) buf_append(&r->body, tmp, (size_t)n);
  close(fd);
  if (n < 0) return 500;
  bool image = !strcmp(mime, "image/jpeg") || !strcmp(mime, "image/png");
  const char *name = download_name(r, original, stored);
  buf cd;
  buf_init(&cd);
  buf_printf(&cd, "%s; filename=\"file%s\"; filename*=UTF-8''", image ? "inline" : "attachment",
             strrchr(stored, '.') ? strrchr(stored, '.') : "");
  rfc8187(&cd, name);
  resp_header(r, "Content-Disposition", arena_strdup(&r->a, buf_cstr(&cd)));
  buf_free(&cd);
  /* a second policy: even if a browser renders it, nothing runs */
  resp_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
  r->content_type = mime;
  return 200;
}
