/* audit_archive.c — moving old audit rows into hash-linked, compressed
 * archive files and checking them (see audit_archive.h). */
#include "audit_archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"

#define ARCHIVE_MAGIC "civicnet-audit-archive 1"
#define ARCHIVE_MAX (256u * 1024 * 1024) /* decompressed size cap */

int audit_retention_days(sqlite3 *db) {
  sqlite3_stmt *st = db_prep(db, "SELECT value FROM settings WHERE site='global' AND key='audit_retention_days'");
  int days = AUDIT_RETENTION_DEFAULT;
  if (st && sqlite3_step(st) == SQLITE_ROW) {
    int v = atoi(db_text(st, 0));
    if (v >= AUDIT_RETENTION_MIN) days = v;
  }
  sqlite3_finalize(st);
  return days;
}

static void put_field(buf *b, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '\\': buf_puts(b, "\\\\"); break;
      case '\t': buf_puts(b, "\\t"); break;
      case '\n': buf_puts(b, "\\n"); break;
      case '\r': buf_puts(b, "\\r"); break;
      default: buf_putc(b, *s);
    }
  }
}

/* Unescapes s[0..n) in place; returns the new length. */
static size_t unescape(char *s, size_t n) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n) {
      char c = s[++i];
      s[o++] = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
    } else {
      s[o++] = s[i];
    }
  }
  s[o] = 0;
  return o;
}

static int read_file(const char *path, buf *out) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  char tmp[8192];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(out, tmp, n);
  int rc = ferror(f) ? -1 : 0;
  fclose(f);
  return rc;
}

static int write_file_sync(const char *path, const void *p, size_t n) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  const char *c = p;
  while (n) {
    ssize_t w = write(fd, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return -1;
    }
    c += w, n -= (size_t)w;
  }
  int rc = fsync(fd);
  return close(fd) || rc ? -1 : 0;
}

typedef struct state {
  long long last_id, count;
  char last_hash[65], file[256], file_hash[65];
} state;

static int state_load(sqlite3 *db, state *s) {
  memset(s, 0, sizeof *s);
  sqlite3_stmt *st = db_prep(db, "SELECT last_id, last_hash, count, file, file_hash FROM audit_archive_state WHERE one=1");
  if (!st) return -1;
  int rc = -1;
  if (sqlite3_step(st) == SQLITE_ROW) {
    s->last_id = sqlite3_column_int64(st, 0);
    snprintf(s->last_hash, sizeof s->last_hash, "%s", db_text(st, 1));
    s->count = sqlite3_column_int64(st, 2);
    snprintf(s->file, sizeof s->file, "%s", db_text(st, 3));
    snprintf(s->file_hash, sizeof s->file_hash, "%s", db_text(st, 4));
    rc = 0;
  }
  sqlite3_finalize(st);
  return rc;
}

static bool is_archive_name(const char *n) {
  size_t len = strlen(n);
  return !strncmp(n, "audit-", 6) && len > 14 && !strcmp(n + len - 8, ".log.zst");
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted archive file names in dir (caller frees each and the array). */
static char **list_archives(const char *dir, size_t *n) {
  *n = 0;
  DIR *d = opendir(dir);
  if (!d) return NULL;
  char **v = NULL;
  size_t cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!is_archive_name(e->d_name)) continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 16;
      char **nv = realloc(v, cap * sizeof *v);
      if (!nv) break;
      v = nv;
    }
    v[(*n)++] = strdup(e->d_name);
  }
  closedir(d);
  if (*n) qsort(v, *n, sizeof *v, cmp_str);
  return v;
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* Files left by a run that did not commit (first id beyond the archived
 * head) are renamed *.orphan so they never look like part of the chain. */
static void set_aside_orphans(const char *dir, long long last_id, FILE *out) {
  size_t n;
  char **v = list_archives(dir, &n);
  for (size_t i = 0; i < n; i++) {
    long long first = atoll(v[i] + 6);
    if (first <= last_id) continue;
    char from[1024], to[1100];
    snprintf(from, sizeof from, "%s/%s", dir, v[i]);
    snprintf(to, sizeof to, "%s.orphan", from);
    if (rename(from, to) == 0 && out) fprintf(out, "audit archive: set aside %s (not committed)\n", v[i]);
  }
  free_list(v, n);
}

static void iso_now(char out[32], time_t t) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int audit_archive_run(sqlite3 *db, const char *data_dir, const char *actor, FILE *out,
                      long long *moved) {
  *moved = 0;
  char dir[700];
  snprintf(dir, sizeof dir, "%s/audit-archive", data_dir);
  int days = audit_retention_days(db);
  char cutoff[32], now[32];
  time_t t = time(NULL);
  iso_now(cutoff, t - (time_t)days * 86400);
  iso_now(now, t);
  if (db_exec(db, "BEGIN IMMEDIATE")) return -1;
  state s;
  if (state_load(db, &s)) {
    db_exec(db, "ROLLBACK");
    return -1;
  }
  set_aside_orphans(dir, s.last_id, out);
  /* the oldest rows up to the newest one older than the cutoff */
  sqlite3_stmt *st = db_prep(db, "SELECT coalesce(max(id),0) FROM audit_log WHERE at < ?1");
  if (st) sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
  long long upto = st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (upto <= s.last_id) {
    db_exec(db, "ROLLBACK");
    if (out) fprintf(out, "audit archive: nothing older than %d days\n", days);
    return 0;
  }
  if (mkdir(dir, 0700) && errno != EEXIST) {
    if (out) fprintf(out, "audit archive: %s: %s\n", dir, strerror(errno));
    db_exec(db, "ROLLBACK");
    return -1;
  }
  st = db_prep(db, "SELECT id, at, actor, action, target, detail, ip, prev_hash, hash"
                   " FROM audit_log WHERE id <= ?1 ORDER BY id");
  if (!st) {
    db_exec(db, "ROLLBACK");
    return -1;
  }
  sqlite3_bind_int64(st, 1, upto);
  buf rows, text;
  buf_init(&rows);
  buf_init(&text);
  long long n = 0, first = 0, last = 0;
  char first_prev[65] = "", last_hash[65] = "";
  while (sqlite3_step(st) == SQLITE_ROW) {
    long long id = sqlite3_column_int64(st, 0);
    if (!n) {
      first = id;
      snprintf(first_prev, sizeof first_prev, "%s", db_text(st, 7));
    }
    last = id;
    snprintf(last_hash, sizeof last_hash, "%s", db_text(st, 8));
    buf_printf(&rows, "%lld", id);
    for (int i = 1; i < 9; i++) {
      buf_putc(&rows, '\t');
      put_field(&rows, db_text(st, i));
    }
    buf_putc(&rows, '\n');
    n++;
  }
  sqlite3_finalize(st);
  buf_printf(&text, "%s\nprev_file %s\nprev_file_sha256 %s\nfirst_id %lld\nlast_id %lld\ncount %lld\n"
                    "first_prev_hash %s\nlast_hash %s\ncreated_at %s\nrows\n",
             ARCHIVE_MAGIC, *s.file ? s.file : "-", *s.file_hash ? s.file_hash : "-", first, last, n,
             *first_prev ? first_prev : "-", last_hash, now);
  buf_append(&text, rows.data ? rows.data : "", rows.len);
  buf_puts(&text, "end\n");
  buf_free(&rows);
  size_t cap = ZSTD_compressBound(text.len);
  void *z = malloc(cap);
  size_t zn = z ? ZSTD_compress(z, cap, text.data, text.len, 9) : 0;
  buf_free(&text);
  char name[256], path[1000], tmp[1010], fhash[65];
  snprintf(name, sizeof name, "audit-%010lld-%010lld.log.zst", first, last);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int rc = -1;
  if (z && !ZSTD_isError(zn)) {
    sha256_hex(z, zn, fhash);
    if (write_file_sync(tmp, z, zn) == 0 && rename(tmp, path) == 0) {
      int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
      }
      rc = 0;
    }
  }
  free(z);
  if (rc) {
    unlink(tmp);
    db_exec(db, "ROLLBACK");
    if (out) fprintf(out, "audit archive: could not write %s\n", path);
    return -1;
  }
  /* the database side: marker, new head, delete, marker gone, audit */
  rc = db_exec(db, "INSERT INTO audit_archiving(one) VALUES (1)");
  if (!rc) {
    st = db_prep(db, "UPDATE audit_archive_state SET last_id=?1, last_hash=?2, count=count+?3,"
                     " file=?4, file_hash=?5 WHERE one=1");
    rc = -1;
    if (st) {
      sqlite3_bind_int64(st, 1, last);
      sqlite3_bind_text(st, 2, last_hash, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 3, n);
      sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 5, fhash, -1, SQLITE_STATIC);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
      sqlite3_finalize(st);
    }
  }
  if (!rc) {
    st = db_prep(db, "DELETE FROM audit_log WHERE id <= ?1");
    rc = -1;
    if (st) {
      sqlite3_bind_int64(st, 1, last);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
      sqlite3_finalize(st);
    }
  }
  if (!rc) rc = db_exec(db, "DELETE FROM audit_archiving");
  if (!rc) {
    char detail[200];
    snprintf(detail, sizeof detail, "rows=%lld ids=%lld-%lld retention_days=%d", n, first, last, days);
    rc = audit_append(db, actor, "audit_archive", name, detail, "");
  }
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    unlink(path);
    if (out) fprintf(out, "audit archive: database update failed: %s\n", sqlite3_errmsg(db));
    return -1;
  }
  *moved = n;
  if (out) fprintf(out, "audit archive: %lld rows (%lld-%lld) moved to %s\n", n, first, last, path);
  return 0;
}

/* Header value of key in text (a line "key value"); copies into out. */
static bool header(const char *text, const char *key, char *out, size_t n) {
  size_t kl = strlen(key);
  for (const char *p = text; p && *p;) {
    if (!strncmp(p, key, kl) && p[kl] == ' ') {
      const char *v = p + kl + 1;
      size_t vl = strcspn(v, "\n");
      snprintf(out, n, "%.*s", (int)vl, v);
      if (!strcmp(out, "-")) out[0] = 0;
      return true;
    }
    if (!strncmp(p, "rows\n", 5)) break;
    p = strchr(p, '\n');
    if (p) p++;
  }
  return false;
}

/* Checks one decompressed archive; fills the header values it needs. */
static int check_archive(const char *name, char *text, FILE *out, long long *first,
                         long long *last, char first_prev[65], char last_hash[65],
                         char prev_file[256], char prev_sha[65]) {
  char v[256];
  if (strncmp(text, ARCHIVE_MAGIC "\n", strlen(ARCHIVE_MAGIC) + 1)) {
    fprintf(out, "audit archive %s: not an audit archive\n", name);
    return 1;
  }
  long long count = 0;
  if (!header(text, "first_id", v, sizeof v)) goto bad_header;
  *first = atoll(v);
  if (!header(text, "last_id", v, sizeof v)) goto bad_header;
  *last = atoll(v);
  if (!header(text, "count", v, sizeof v)) goto bad_header;
  count = atoll(v);
  if (!header(text, "first_prev_hash", first_prev, 65) || !header(text, "last_hash", last_hash, 65) ||
      !header(text, "prev_file", prev_file, 256) || !header(text, "prev_file_sha256", prev_sha, 65))
    goto bad_header;
  char *p = strstr(text, "\nrows\n");
  if (!p) goto bad_header;
  p += 6;
  char prev[65];
  snprintf(prev, sizeof prev, "%s", first_prev);
  long long n = 0, expect = *first;
  while (*p && strncmp(p, "end\n", 4)) {
    char *nl = strchr(p, '\n');
    if (!nl) break;
    *nl = 0;
    char *f[9];
    int k = 0;
    for (char *c = p; k < 9;) {
      f[k++] = c;
      char *tab = strchr(c, '\t');
      if (!tab) break;
      *tab = 0;
      c = tab + 1;
    }
    if (k != 9) {
      fprintf(out, "audit archive %s: row %lld is malformed\n", name, expect);
      return 1;
    }
    for (int i = 1; i < 9; i++) unescape(f[i], strlen(f[i]));
    long long id = atoll(f[0]);
    char h[65];
    audit_row_hash(prev, id, f[1], f[2], f[3], f[4], f[5], f[6], h);
    if (id != expect) {
      fprintf(out, "audit archive %s: row %lld missing (found %lld next)\n", name, expect, id);
      return 1;
    }
    if (strcmp(f[7], prev)) {
      fprintf(out, "audit archive %s: row %lld: previous hash does not match\n", name, id);
      return 1;
    }
    if (strcmp(f[8], h)) {
      fprintf(out, "audit archive %s: row %lld: content was changed\n", name, id);
      return 1;
    }
    snprintf(prev, sizeof prev, "%s", h);
    n++, expect++;
    p = nl + 1;
  }
  if (strncmp(p, "end\n", 4) || n != count || expect - 1 != *last || strcmp(prev, last_hash)) {
    fprintf(out, "audit archive %s: rows do not match the header (count, last id or last hash)\n", name);
    return 1;
  }
  return 0;
bad_header:
  fprintf(out, "audit archive %s: header is incomplete\n", name);
  return 1;
}

/* Whole zstd input (one or more frames, content size stated or not) to a
 * NUL-terminated malloc'd string; NULL when damaged or too large. */
static char *decompress(const void *src, size_t n) {
  ZSTD_DCtx *dc = ZSTD_createDCtx();
  if (!dc) return NULL;
  buf out;
  buf_init(&out);
  char tmp[65536];
  ZSTD_inBuffer in = {src, n, 0};
  size_t rc = 1;
  bool ok = true;
  while (in.pos < in.size || rc != 0) {
    ZSTD_outBuffer o = {tmp, sizeof tmp, 0};
    rc = ZSTD_decompressStream(dc, &o, &in);
    if (ZSTD_isError(rc) || out.len + o.pos > ARCHIVE_MAX) {
      ok = false;
      break;
    }
    buf_append(&out, tmp, o.pos);
    if (in.pos == in.size && o.pos == 0 && rc != 0) { /* truncated input */
      ok = false;
      break;
    }
  }
  ZSTD_freeDCtx(dc);
  char *text = NULL;
  if (ok && n > 0) {
    text = malloc(out.len + 1);
    if (text) {
      memcpy(text, out.data ? out.data : "", out.len);
      text[out.len] = 0;
    }
  }
  buf_free(&out);
  return text;
}

int audit_archive_verify(sqlite3 *db, const char *data_dir, FILE *out) {
  char dir[700];
  snprintf(dir, sizeof dir, "%s/audit-archive", data_dir);
  state s;
  if (state_load(db, &s)) {
    fprintf(out, "audit archive: no archive state in the database\n");
    return 1;
  }
  size_t nf;
  char **files = list_archives(dir, &nf);
  int bad = 0;
  char prev_name[256] = "", prev_sha[65] = "", prev_last_hash[65] = "";
  long long prev_last = 0, total = 0;
  for (size_t i = 0; i < nf && !bad; i++) {
    char path[1000];
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    buf z;
    buf_init(&z);
    if (read_file(path, &z)) {
      fprintf(out, "audit archive %s: cannot read\n", files[i]);
      bad = 1;
      buf_free(&z);
      break;
    }
    char sha[65];
    sha256_hex(z.data ? z.data : "", z.len, sha);
    char *text = decompress(z.data ? z.data : "", z.len);
    buf_free(&z);
    if (!text) {
      fprintf(out, "audit archive %s: damaged (cannot decompress)\n", files[i]);
      bad = 1;
      break;
    }
    long long first, last;
    char fprev[65], lhash[65], pfile[256], psha[65];
    bad = check_archive(files[i], text, out, &first, &last, fprev, lhash, pfile, psha);
    free(text);
    if (bad) break;
    if (first != prev_last + 1 || strcmp(fprev, prev_last_hash)) {
      fprintf(out, "audit archive %s: does not continue the previous archive (rows %lld…)\n", files[i], first);
      bad = 1;
    } else if (strcmp(pfile, prev_name) || strcmp(psha, prev_sha)) {
      fprintf(out, "audit archive %s: the previous archive file was replaced or changed\n", files[i]);
      bad = 1;
    }
    snprintf(prev_name, sizeof prev_name, "%s", files[i]);
    snprintf(prev_sha, sizeof prev_sha, "%s", sha);
    snprintf(prev_last_hash, sizeof prev_last_hash, "%s", lhash);
    prev_last = last;
    total += last - first + 1;
  }
  free_list(files, nf);
  if (!bad) {
    if (strcmp(prev_name, s.file) || strcmp(prev_sha, s.file_hash) || prev_last != s.last_id ||
        strcmp(prev_last_hash, s.last_hash) || total != s.count) {
      fprintf(out, "audit archive: the archive files do not match the database (newest file %s, expected %s)\n",
              *prev_name ? prev_name : "(none)", *s.file ? s.file : "(none)");
      bad = 1;
    } else {
      fprintf(out, "audit archive: %zu files, %lld rows, intact\n", nf, total);
    }
  }
  if (bad) return 1;
  return audit_verify(db, out);
}

void audit_archive_daily(app *a, long *day) {
  long today = (long)((time(NULL) + 9 * 3600) / 86400);
  if (*day == today) return;
  *day = today;
  sqlite3 *db = db_thread(a);
  long long moved = 0;
  if (!db || audit_archive_run(db, a->cfg.data_dir, "system", NULL, &moved))
    fprintf(stderr, "civicnet: audit archive failed\n");
  else if (moved)
    fprintf(stderr, "civicnet: audit archive: %lld rows archived\n", moved);
}
