/* upload.c — storing uploaded files safely (see upload.h). The order of
 * checks: size cap, type by content against the allow-list, images
 * re-encoded (which also proves they decode), then a random name with the
 * extension of the detected type, a temporary file renamed into place, and
 * the uploads row. The client's file name is only ever kept, cleaned, as
 * text for display; it never reaches the file system. */
#include "upload.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>

#include "crypto.h"
#include "db.h"
#include "html.h"

#define MAX_SIDE 2400               /* images: longest side after resizing */
#define MAX_PIXELS (50LL * 1000 * 1000) /* refuse decompression bombs */

typedef struct type_info {
  const char *mime, *ext;
  int image;                        /* 0 document, 1 JPEG out, 2 PNG out */
} type_info;

static const type_info TYPES[] = {
    {"application/pdf", "pdf", 0},
    {"application/msword", "doc", 0},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", 0},
    {"application/vnd.ms-excel", "xls", 0},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", 0},
    {"image/jpeg", "jpg", 1},
    {"image/png", "png", 2},
    {"image/gif", "gif", 2}, /* re-encoded as PNG */
    {NULL, NULL, 0}};

static const char *const REFERENCE_MIMES[] = {
    "application/pdf", "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/jpeg", "image/png", NULL};

const upload_policy UPLOAD_POLICY_REFERENCE = {
    .mimes = REFERENCE_MIMES,
    .max_bytes = 5 * 1024 * 1024,
    .accept = ".pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
    .type_message = "ファイルの種類が対応していません（PDF、Word、Excel、JPEG、PNG）",
    .size_message = "ファイルが大きすぎます（5MBまで）",
    .owner_kind = "member",
};

/* Supernet records (issue 4): the same types for groups' 参考ファイル and
 * events' attachments; photos of activity reports are images only. */
#define REFERENCE_POLICY(owner)                                                        \
  {.mimes = REFERENCE_MIMES, .max_bytes = 5 * 1024 * 1024,                             \
   .accept = ".pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png", \
   .type_message = "ファイルの種類が対応していません（PDF、Word、Excel、JPEG、PNG）",           \
   .size_message = "ファイルが大きすぎます（5MBまで）", .owner_kind = owner}
const upload_policy UPLOAD_POLICY_GROUP = REFERENCE_POLICY("group");
const upload_policy UPLOAD_POLICY_EVENT = REFERENCE_POLICY("event");
const upload_policy UPLOAD_POLICY_RECRUITMENT = REFERENCE_POLICY("recruitment");
const upload_policy UPLOAD_POLICY_DOWNLOAD = REFERENCE_POLICY("download");

static const char *const IMAGE_MIMES[] = {"image/jpeg", "image/png", "image/gif", NULL};
const upload_policy UPLOAD_POLICY_REPORT_PHOTO = {
    .mimes = IMAGE_MIMES,
    .max_bytes = 5 * 1024 * 1024,
    .accept = ".jpg,.jpeg,.png,.gif,image/jpeg,image/png,image/gif",
    .type_message = "写真は JPEG、PNG、GIF のファイルにしてください",
    .size_message = "ファイルが大きすぎます（5MBまで）",
    .owner_kind = "report",
};
const upload_policy UPLOAD_POLICY_INTERVIEW_PHOTO = {
    .mimes = IMAGE_MIMES,
    .max_bytes = 5 * 1024 * 1024,
    .accept = ".jpg,.jpeg,.png,.gif,image/jpeg,image/png,image/gif",
    .type_message = "写真は JPEG、PNG、GIF のファイルにしてください",
    .size_message = "ファイルが大きすぎます（5MBまで）",
    .owner_kind = "interview",
};

int upload_init(const char *argv0) {
  if (VIPS_INIT(argv0 ? argv0 : "civicnet")) return -1;
  vips_cache_set_max(0);     /* no operation cache: every upload is new */
  vips_concurrency_set(1);   /* one worker per request thread is enough */
  return 0;
}

void upload_shutdown(void) { vips_shutdown(); }

void upload_detect(const void *data, size_t len, char *out, size_t outlen) {
  out[0] = 0;
  magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
  if (!m) return;
  if (magic_load(m, NULL) == 0) {
    const char *t = magic_buffer(m, data, len);
    if (t) snprintf(out, outlen, "%s", t);
  }
  magic_close(m);
}

/* Decode, apply the orientation, shrink to MAX_SIDE and save without any
 * metadata (EXIF, GPS, XMP, IPTC, ICC). *out is g_free'd by the caller. */
static int reencode(const void *in, size_t n, int as, void **out, size_t *outlen) {
  VipsImage *hdr = vips_image_new_from_buffer(in, n, "", NULL);
  if (!hdr) {
    vips_error_clear();
    return -1;
  }
  long long px = (long long)vips_image_get_width(hdr) * vips_image_get_height(hdr);
  g_object_unref(hdr);
  if (px <= 0 || px > MAX_PIXELS) return -1;
  VipsImage *img = NULL;
  int rc = vips_thumbnail_buffer((void *)in, n, &img, MAX_SIDE, "height", MAX_SIDE,
                                 "size", VIPS_SIZE_DOWN, NULL);
  if (!rc)
    rc = as == 1 ? vips_jpegsave_buffer(img, out, outlen, "strip", TRUE, "Q", 85, NULL)
                 : vips_pngsave_buffer(img, out, outlen, "strip", TRUE, NULL);
  if (img) g_object_unref(img);
  if (rc) vips_error_clear();
  vips_thread_shutdown(); /* per-thread buffers: the worker thread lives on */
  return rc ? -1 : 0;
}

static int mkdir_0700(const char *p) {
  return mkdir(p, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* Write data to dir/name through a temporary file (0600, renamed). */
static int write_file(const char *dir, const char *name, const void *data, size_t n) {
  char tmp[1200], final[1200];
  snprintf(tmp, sizeof tmp, "%s/.tmp-%s", dir, name);
  snprintf(final, sizeof final, "%s/%s", dir, name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return -1;
  const char *p = data;
  size_t left = n;
  while (left) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    p += w, left -= (size_t)w;
  }
  int rc = left == 0 && fsync(fd) == 0 ? 0 : -1;
  if (close(fd)) rc = -1;
  if (!rc && rename(tmp, final)) rc = -1;
  if (rc) unlink(tmp);
  return rc;
}

static bool allowed(const upload_policy *p, const char *mime) {
  for (const char *const *m = p->mimes; *m; m++)
    if (!strcmp(*m, mime)) return true;
  return false;
}

int upload_store(app *a, sqlite3 *db, const kv *file, const upload_policy *p,
                 long long *id, const char **err_message) {
  *id = 0;
  *err_message = NULL;
  if (!file || file->len == 0) {
    *err_message = "ファイルが空です。内容のあるファイルを選択してください";
    return 1;
  }
  if (file->len > p->max_bytes) {
    *err_message = p->size_message;
    return 1;
  }
  char mime[128];
  upload_detect(file->value, file->len, mime, sizeof mime);
  const type_info *t = TYPES;
  while (t->mime && strcmp(t->mime, mime)) t++;
  if (!t->mime || !allowed(p, mime)) {
    *err_message = p->type_message;
    return 1;
  }
  const void *data = file->value;
  size_t n = file->len;
  void *img = NULL;
  const char *ext = t->ext, *stored_mime = t->mime;
  if (t->image) {
    if (reencode(file->value, file->len, t->image, &img, &n)) {
      *err_message = "画像ファイルを読み込めませんでした。別のファイルを選択してください";
      return 1;
    }
    data = img;
    if (t->image == 2) ext = "png", stored_mime = "image/png";
  }
  /* DIR/uploads/YYYY/MM (Japan time), each level 0700 */
  time_t now = time(NULL) + 9 * 3600;
  struct tm tm;
  gmtime_r(&now, &tm);
  char dir[1100], rel[200], hex[33], sum[65];
  unsigned char rnd[16];
  int rc = -1;
  snprintf(dir, sizeof dir, "%s/uploads", a->cfg.data_dir);
  if (mkdir_0700(dir)) goto out;
  snprintf(dir, sizeof dir, "%s/uploads/%04d", a->cfg.data_dir, tm.tm_year + 1900);
  if (mkdir_0700(dir)) goto out;
  snprintf(dir, sizeof dir, "%s/uploads/%04d/%02d", a->cfg.data_dir, tm.tm_year + 1900, tm.tm_mon + 1);
  if (mkdir_0700(dir) || crypto_random(rnd, sizeof rnd)) goto out;
  hex_encode(rnd, sizeof rnd, hex);
  char name[64];
  snprintf(name, sizeof name, "%s.%s", hex, ext);
  snprintf(rel, sizeof rel, "uploads/%04d/%02d/%s", tm.tm_year + 1900, tm.tm_mon + 1, name);
  if (write_file(dir, name, data, n)) goto out;
  sha256_hex(data, n, sum);
  arena tmp;
  arena_init(&tmp);
  sqlite3_stmt *st = db_prep(db, "INSERT INTO uploads(stored_path, original_name, mime, size, sha256, owner_kind, field)"
                                 " VALUES (?1,?2,?3,?4,?5,?6,?7) RETURNING id");
  if (st) {
    sqlite3_bind_text(st, 1, rel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, upload_clean_name(&tmp, file->filename), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, stored_mime, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (long long)n);
    sqlite3_bind_text(st, 5, sum, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, p->owner_kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, file->name ? file->name : "", -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) *id = sqlite3_column_int64(st, 0), rc = 0;
    sqlite3_finalize(st);
  }
  arena_free(&tmp);
  if (rc) {
    char full[1300];
    snprintf(full, sizeof full, "%s/%s", dir, name);
    unlink(full);
  }
out:
  if (img) g_free(img);
  return rc;
}

int upload_set_owner(sqlite3 *db, long long id, long long owner_id) {
  sqlite3_stmt *st = db_prep(db, "UPDATE uploads SET owner_id=?2 WHERE id=?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, owner_id);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

/* Remove the stored file of a stored_path taken from the database. */
static void unlink_stored(app *a, const char *rel) {
  if (strncmp(rel, "uploads/", 8) != 0 || strstr(rel, "..")) return;
  char full[1300];
  snprintf(full, sizeof full, "%s/%s", a->cfg.data_dir, rel);
  unlink(full);
}

int upload_delete(app *a, sqlite3 *db, long long id) {
  sqlite3_stmt *st = db_prep(db, "DELETE FROM uploads WHERE id=?1 RETURNING stored_path");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  int rc = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) unlink_stored(a, db_text(st, 0));
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

int upload_purge_orphans(app *a, sqlite3 *db, long long max_age_s) {
  char mod[48];
  snprintf(mod, sizeof mod, "-%lld seconds", max_age_s);
  sqlite3_stmt *st = db_prep(db,
      "DELETE FROM uploads WHERE owner_id IS NULL"
      " AND created_at < strftime('%Y-%m-%dT%H:%M:%SZ','now',?1)"
      " AND id NOT IN (SELECT upload_id FROM signup_draft_uploads) RETURNING stored_path");
  if (!st) return 0;
  sqlite3_bind_text(st, 1, mod, -1, SQLITE_STATIC);
  int n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) unlink_stored(a, db_text(st, 0)), n++;
  sqlite3_finalize(st);
  return n;
}

/* Code points that hide or reorder text (bidi controls, zero-width): a
 * name like "invoice\u202Efdp.exe" must not pretend to be something else. */
static bool invisible(unsigned cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

const char *upload_clean_name(arena *a, const char *name) {
  if (!name) return "file";
  const char *base = name;
  for (const char *s = name; *s; s++)
    if (*s == '/' || *s == '\\') base = s + 1;
  if (!utf8_valid(base, strlen(base))) return "file";
  buf b;
  buf_init(&b);
  int chars = 0;
  for (const unsigned char *p = (const unsigned char *)base; *p && chars < 100;) {
    size_t l = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
    unsigned cp = l == 1 ? *p : l == 2 ? (*p & 0x1Fu) : l == 3 ? (*p & 0x0Fu) : (*p & 0x07u);
    for (size_t i = 1; i < l; i++) cp = (cp << 6) | (p[i] & 0x3Fu);
    bool reserved = cp < 0x80 && strchr("\\/:*?\"<>|", (int)cp) != NULL;
    bool skip = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || reserved || invisible(cp) ||
                (b.len == 0 && (cp == '.' || cp == ' ' || cp == 0x3000));
    if (!skip) buf_append(&b, p, l), chars++;
    p += l;
  }
  while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '.')) b.len--;
  const char *out = b.len ? arena_strndup(a, b.data, b.len) : "file";
  buf_free(&b);
  return out;
}
