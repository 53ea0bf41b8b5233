/* backup.c — encrypted, compressed backups of a data directory and their
 * verified restore (see backup.h for the file format and guarantees). */
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "crypto.h"
#include "util.h"

#define MAGIC "CNBACKUP"
#define HDR_LEN (8 + 1 + 8 + 12)
#define TAG_LEN 16
#define CHUNK (64 * 1024)
#define NAME_MAX_LEN 1024

#ifndef CIVICNET_VERSION
#define CIVICNET_VERSION "0.1"
#endif

/* ---------- shared helpers ---------- */

/* First 8 bytes of SHA-256 over a label and the key: tells "wrong key"
 * apart from "damaged file" without revealing anything about the key. */
static void key_id(const unsigned char *key, unsigned char out[8]) {
  unsigned char m[19 + BACKUP_KEY_LEN], h[32];
  memcpy(m, "civicnet-backup-key", 19);
  memcpy(m + 19, key, BACKUP_KEY_LEN);
  unsigned int n = 0;
  EVP_Digest(m, sizeof m, h, &n, EVP_sha256(), NULL);
  memcpy(out, h, 8);
}

static void put_be(unsigned char *p, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; i--, v >>= 8) p[i] = (unsigned char)v;
}
static uint64_t get_be(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v = v << 8 | p[i];
  return v;
}

/* A name is safe to unpack: relative, no "." or ".." component, no
 * backslash or control characters. */
static bool name_safe(const char *n) {
  if (!*n || *n == '/' || strlen(n) > NAME_MAX_LEN) return false;
  for (const char *p = n; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f) return false;
  const char *s = n;
  while (*s) {
    size_t l = strcspn(s, "/");
    if (l == 0 || (l == 1 && s[0] == '.') || (l == 2 && s[0] == '.' && s[1] == '.')) return false;
    s += l;
    if (*s == '/') s++;
  }
  return true;
}

/* mkdir -p of the parent directories of path (mode 0700). */
static int mkdirs_for(const char *path) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(tmp, 0700) && errno != EEXIST) return -1;
    *p = '/';
  }
  return 0;
}

/* rm -rf of a directory we created ourselves (the restore's temporary). */
static void remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    unlink(path);
    return;
  }
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", path, e->d_name);
    struct stat st;
    if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(p);
    else unlink(p);
  }
  closedir(d);
  rmdir(path);
}

int backup_key_load(const char *data_dir, const char *key_path, bool create,
                    unsigned char key[BACKUP_KEY_LEN], char *err, size_t errlen) {
  char path[1024];
  if (key_path) snprintf(path, sizeof path, "%s", key_path);
  else snprintf(path, sizeof path, "%s/keys/backup.key", data_dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create && !key_path) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/keys", data_dir);
    if (mkdir(dir, 0700) && errno != EEXIST) {
      snprintf(err, errlen, "%s を作れません: %s", dir, strerror(errno));
      return -1;
    }
    if (crypto_random(key, BACKUP_KEY_LEN)) {
      snprintf(err, errlen, "乱数を取得できません");
      return -1;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, key, BACKUP_KEY_LEN) != BACKUP_KEY_LEN || fsync(fd)) {
      snprintf(err, errlen, "%s を書けません: %s", path, strerror(errno));
      if (fd >= 0) close(fd);
      return -1;
    }
    close(fd);
    return 0;
  }
  if (fd < 0) {
    snprintf(err, errlen, "バックアップ鍵 %s を開けません: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) || (st.st_mode & 077)) {
    close(fd);
    snprintf(err, errlen, "バックアップ鍵 %s は所有者以外も読めます（chmod 600 にしてください）", path);
    return -1;
  }
  ssize_t n = read(fd, key, BACKUP_KEY_LEN);
  close(fd);
  if (n != BACKUP_KEY_LEN || st.st_size != BACKUP_KEY_LEN) {
    snprintf(err, errlen, "バックアップ鍵 %s の長さが正しくありません（32 バイト）", path);
    return -1;
  }
  return 0;
}

/* ---------- writing ---------- */

typedef struct writer {
  FILE *f;
  EVP_CIPHER_CTX *c;
  ZSTD_CCtx *z;
  buf manifest;
  long files;
  uint64_t bytes;
  bool failed;
} writer;

/* Encrypt n bytes of compressed output and write them. */
static void w_emit(writer *w, const void *p, size_t n) {
  unsigned char out[CHUNK + 32];
  while (n && !w->failed) {
    int chunk = n > CHUNK ? CHUNK : (int)n, ol = 0;
    if (!EVP_EncryptUpdate(w->c, out, &ol, p, chunk) || fwrite(out, 1, (size_t)ol, w->f) != (size_t)ol)
      w->failed = true;
    p = (const char *)p + chunk;
    n -= (size_t)chunk;
  }
}

/* Feed plaintext to zstd (mode ZSTD_e_continue or ZSTD_e_end). */
static void w_put(writer *w, const void *p, size_t n, ZSTD_EndDirective mode) {
  unsigned char out[CHUNK];
  ZSTD_inBuffer in = {p, n, 0};
  for (;;) {
    ZSTD_outBuffer ob = {out, sizeof out, 0};
    size_t rem = ZSTD_compressStream2(w->z, &ob, &in, mode);
    if (ZSTD_isError(rem)) {
      w->failed = true;
      return;
    }
    w_emit(w, out, ob.pos);
    if (mode == ZSTD_e_end ? rem == 0 : in.pos == in.size) return;
  }
}

static void w_entry_header(writer *w, const char *name, uint64_t size, unsigned mode) {
  unsigned char h[1 + 2];
  size_t nl = strlen(name);
  h[0] = 'F';
  put_be(h + 1, nl, 2);
  w_put(w, h, 3, ZSTD_e_continue);
  w_put(w, name, nl, ZSTD_e_continue);
  unsigned char t[12];
  put_be(t, size, 8);
  put_be(t + 8, mode & 0777, 4);
  w_put(w, t, 12, ZSTD_e_continue);
}

/* Add file path as entry name. A file that changes size while it is
 * read (an upload being written) is an error: the backup is retried by
 * the caller rather than silently inconsistent. */
static int w_file(writer *w, const char *path, const char *name, char *err, size_t errlen) {
  if (!name_safe(name) || strchr(name, '\n')) {
    snprintf(err, errlen, "%s: バックアップできない名前です", name);
    return -1;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st)) {
    snprintf(err, errlen, "%s を読めません: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  w_entry_header(w, name, (uint64_t)st.st_size, st.st_mode);
  EVP_MD_CTX *h = EVP_MD_CTX_new();
  EVP_DigestInit_ex(h, EVP_sha256(), NULL);
  unsigned char b[CHUNK];
  uint64_t total = 0;
  ssize_t n;
  while ((n = read(fd, b, sizeof b)) > 0 && total + (uint64_t)n <= (uint64_t)st.st_size) {
    EVP_DigestUpdate(h, b, (size_t)n);
    w_put(w, b, (size_t)n, ZSTD_e_continue);
    total += (uint64_t)n;
  }
  close(fd);
  unsigned char d[32];
  char hex[65];
  EVP_DigestFinal_ex(h, d, NULL);
  EVP_MD_CTX_free(h);
  hex_encode(d, 32, hex);
  if (n < 0 || total != (uint64_t)st.st_size) {
    snprintf(err, errlen, "%s が読み取り中に変わりました。もう一度実行してください", path);
    return -1;
  }
  buf_printf(&w->manifest, "file %llu %s %s\n", (unsigned long long)total, hex, name);
  w->files++;
  w->bytes += total;
  return 0;
}

/* Add every regular file under dir/rel (recursively) with names rel/…,
 * skipping skip (a name relative to dir) — used for keys/backup.key. */
static int w_tree(writer *w, const char *dir, const char *rel, const char *skip, char *err,
                  size_t errlen) {
  char path[2048];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  DIR *d = opendir(path);
  if (!d) return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s を読めません", path), -1);
  struct dirent *e;
  int rc = 0;
  while (!rc && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char sub[2048], full[4096];
    snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
    snprintf(full, sizeof full, "%s/%s", dir, sub);
    struct stat st;
    if (lstat(full, &st)) continue;
    if (S_ISDIR(st.st_mode)) rc = w_tree(w, dir, sub, skip, err, errlen);
    else if (S_ISREG(st.st_mode) && !(skip && !strcmp(sub, skip)))
      rc = w_file(w, full, sub, err, errlen);
  }
  closedir(d);
  return rc;
}

/* A consistent copy of the live database with the online backup API. */
static int db_snapshot(const char *data_dir, const char *dst_path, char *err, size_t errlen) {
  char src_path[1024];
  snprintf(src_path, sizeof src_path, "%s/civicnet.db", data_dir);
  sqlite3 *src = NULL, *dst = NULL;
  int rc = -1;
  if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "データベースを開けません: %s", src ? sqlite3_errmsg(src) : "?");
    goto out;
  }
  sqlite3_busy_timeout(src, 5000);
  sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
  if (!b) {
    snprintf(err, errlen, "バックアップを開始できません: %s", sqlite3_errmsg(dst));
    goto out;
  }
  int s;
  /* Copy in steps so writers are held up for milliseconds, not the whole
   * copy; a write in between restarts the copy from SQLite's side. */
  while ((s = sqlite3_backup_step(b, 256)) == SQLITE_OK || s == SQLITE_BUSY || s == SQLITE_LOCKED)
    if (s != SQLITE_OK) sqlite3_sleep(20);
  sqlite3_backup_finish(b);
  if (s != SQLITE_DONE) {
    snprintf(err, errlen, "データベースを複製できません: %s", sqlite3_errstr(s));
    goto out;
  }
  rc = 0;
out:
  sqlite3_close(src);
  sqlite3_close(dst);
  return rc;
}

int backup_create(const char *data_dir, const char *config_path, const char *out_path,
                  const unsigned char *key, FILE *log, char *err, size_t errlen) {
  char snap[1100], tmp_out[1100];
  snprintf(snap, sizeof snap, "%s/.backup-%ld.db", data_dir, (long)getpid());
  snprintf(tmp_out, sizeof tmp_out, "%s.part", out_path);
  unlink(snap);
  if (db_snapshot(data_dir, snap, err, errlen)) {
    unlink(snap);
    return -1;
  }
  writer w = {0};
  buf_init(&w.manifest);
  int rc = -1, fd = open(tmp_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || !(w.f = fdopen(fd, "wb"))) {
    snprintf(err, errlen, "%s を作れません: %s", tmp_out, strerror(errno));
    if (fd >= 0) close(fd);
    goto out;
  }
  unsigned char hdr[HDR_LEN];
  memcpy(hdr, MAGIC, 8);
  hdr[8] = 1;
  key_id(key, hdr + 9);
  if (crypto_random(hdr + 17, 12)) {
    snprintf(err, errlen, "乱数を取得できません");
    goto out;
  }
  fwrite(hdr, 1, HDR_LEN, w.f);
  w.c = EVP_CIPHER_CTX_new();
  w.z = ZSTD_createCCtx();
  int ol = 0;
  if (!w.c || !w.z || !EVP_EncryptInit_ex(w.c, EVP_aes_256_gcm(), NULL, NULL, NULL) ||
      !EVP_CIPHER_CTX_ctrl(w.c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) ||
      !EVP_EncryptInit_ex(w.c, NULL, NULL, key, hdr + 17) ||
      !EVP_EncryptUpdate(w.c, NULL, &ol, hdr, HDR_LEN)) {
    snprintf(err, errlen, "暗号化を開始できません");
    goto out;
  }
  ZSTD_CCtx_setParameter(w.z, ZSTD_c_compressionLevel, 6);
  ZSTD_CCtx_setParameter(w.z, ZSTD_c_checksumFlag, 1);
  char path[1200];
  if (w_file(&w, snap, "civicnet.db", err, errlen)) goto out;
  snprintf(path, sizeof path, "%s/secret.key", data_dir);
  if (access(path, F_OK) == 0 && w_file(&w, path, "secret.key", err, errlen)) goto out;
  if (w_tree(&w, data_dir, "keys", "keys/backup.key", err, errlen) ||
      w_tree(&w, data_dir, "uploads", NULL, err, errlen) ||
      w_tree(&w, data_dir, "audit-archive", NULL, err, errlen))
    goto out;
  if (config_path && w_file(&w, config_path, "config/civicnet.conf", err, errlen)) goto out;
  char when[32];
  time_t now = time(NULL);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  buf man;
  buf_init(&man);
  buf_printf(&man, "civicnet-backup 1\ncreated %s\nsoftware %s\nsqlite %s\n", when,
             CIVICNET_VERSION, sqlite3_libversion());
  buf_append(&man, w.manifest.data, w.manifest.len);
  w_entry_header(&w, "MANIFEST", man.len, 0600);
  w_put(&w, man.data, man.len, ZSTD_e_continue);
  buf_free(&man);
  w_put(&w, "E", 1, ZSTD_e_end);
  unsigned char tail[32], tag[TAG_LEN];
  if (w.failed || !EVP_EncryptFinal_ex(w.c, tail, &ol) ||
      !EVP_CIPHER_CTX_ctrl(w.c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) ||
      fwrite(tag, 1, TAG_LEN, w.f) != TAG_LEN || fflush(w.f) || fsync(fileno(w.f))) {
    snprintf(err, errlen, "%s に書き込めません（ディスクの空きを確認してください）", tmp_out);
    goto out;
  }
  if (fclose(w.f)) {
    w.f = NULL;
    snprintf(err, errlen, "%s に書き込めません", tmp_out);
    goto out;
  }
  w.f = NULL;
  if (rename(tmp_out, out_path)) {
    snprintf(err, errlen, "%s に置けません: %s", out_path, strerror(errno));
    goto out;
  }
  struct stat st;
  stat(out_path, &st);
  if (log)
    fprintf(log, "バックアップを作成しました: %s（%ld ファイル、元 %.1f MB → %.1f MB）\n", out_path,
            w.files, w.bytes / 1e6, st.st_size / 1e6);
  rc = 0;
out:
  if (w.f) fclose(w.f);
  if (rc) unlink(tmp_out);
  unlink(snap);
  EVP_CIPHER_CTX_free(w.c);
  ZSTD_freeCCtx(w.z);
  buf_free(&w.manifest);
  return rc;
}

/* ---------- reading ---------- */

typedef struct reader {
  FILE *f;
  EVP_CIPHER_CTX *c;
  ZSTD_DCtx *z;
  uint64_t cipher_left;        /* ciphertext bytes not yet read */
  unsigned char cin[CHUNK], zin[CHUNK + 32];
  ZSTD_inBuffer in;            /* decrypted, compressed bytes */
  unsigned char out[CHUNK];
  size_t out_pos, out_len;     /* decompressed bytes not yet consumed */
  bool bad;                    /* zstd error: the file is damaged */
} reader;

/* Produce more decompressed bytes. false at the end of the data or on
 * damage (r->bad). */
static bool r_fill(reader *r) {
  for (;;) {
    if (r->in.pos == r->in.size) {
      if (!r->cipher_left) return false;
      size_t want = r->cipher_left < CHUNK ? (size_t)r->cipher_left : CHUNK;
      if (fread(r->cin, 1, want, r->f) != want) {
        r->bad = true;
        return false;
      }
      r->cipher_left -= want;
      int ol = 0;
      EVP_DecryptUpdate(r->c, r->zin, &ol, r->cin, (int)want);
      r->in = (ZSTD_inBuffer){r->zin, (size_t)ol, 0};
    }
    ZSTD_outBuffer ob = {r->out, sizeof r->out, 0};
    size_t z = ZSTD_decompressStream(r->z, &ob, &r->in);
    if (ZSTD_isError(z)) {
      r->bad = true;
      return false;
    }
    if (ob.pos) {
      r->out_pos = 0;
      r->out_len = ob.pos;
      return true;
    }
  }
}

/* Exactly n plaintext bytes into p (p may be NULL to skip). */
static bool r_read(reader *r, void *p, size_t n) {
  while (n) {
    if (r->out_pos == r->out_len && !r_fill(r)) return false;
    size_t k = r->out_len - r->out_pos < n ? r->out_len - r->out_pos : n;
    if (p) {
      memcpy(p, r->out + r->out_pos, k);
      p = (char *)p + k;
    }
    r->out_pos += k;
    n -= k;
  }
  return true;
}

/* One unpacked entry as seen while reading. */
typedef struct seen {
  char *name, sha[65];
  uint64_t size;
  struct seen *next;
} seen;

static void seen_free(seen *s) {
  while (s) {
    seen *n = s->next;
    free(s->name);
    free(s);
    s = n;
  }
}

/* Does the manifest list exactly the entries seen, with their sizes and
 * checksums? */
static bool manifest_matches(const char *man, const seen *list, FILE *log) {
  long listed = 0, found = 0;
  for (const char *p = man; *p;) {
    const char *nl = strchr(p, '\n');
    size_t l = nl ? (size_t)(nl - p) : strlen(p);
    if (l > 5 && !strncmp(p, "file ", 5)) {
      char line[2200];
      snprintf(line, sizeof line, "%.*s", (int)l, p);
      unsigned long long size;
      char sha[65];
      int off = 0;
      if (sscanf(line, "file %llu %64s %n", &size, sha, &off) != 2 || !off) return false;
      listed++;
      for (const seen *s = list; s; s = s->next)
        if (!strcmp(s->name, line + off)) {
          if (s->size != size || strcmp(s->sha, sha)) return false;
          found++;
          break;
        }
    } else if (log && l && strncmp(p, "civicnet-backup", 15)) {
      fprintf(log, "  %.*s\n", (int)l, p);
    }
    p += l + (nl ? 1 : 0);
  }
  long n = 0;
  for (const seen *s = list; s; s = s->next) n++;
  return listed == found && found == n;
}

/* Read the whole backup; with dest != NULL unpack it there. */
static int backup_read(const char *path, const unsigned char *key, const char *dest, FILE *log,
                       char *err, size_t errlen) {
  reader *r = calloc(1, sizeof *r);
  seen *list = NULL;
  char *man = NULL;
  int rc = -1;
  long files = 0;
  if (!r) return -1;
  r->f = fopen(path, "rb");
  struct stat st;
  if (!r->f || fstat(fileno(r->f), &st)) {
    snprintf(err, errlen, "%s を開けません: %s", path, strerror(errno));
    goto out;
  }
  unsigned char hdr[HDR_LEN], tag[TAG_LEN], kid[8];
  if (st.st_size < HDR_LEN + TAG_LEN + 1 || fread(hdr, 1, HDR_LEN, r->f) != HDR_LEN ||
      memcmp(hdr, MAGIC, 8)) {
    snprintf(err, errlen, "%s は civicnet のバックアップではないか、途中で切れています", path);
    goto out;
  }
  if (hdr[8] != 1) {
    snprintf(err, errlen, "このバックアップの形式（版 %d）には対応していません", hdr[8]);
    goto out;
  }
  key_id(key, kid);
  if (memcmp(kid, hdr + 9, 8)) {
    snprintf(err, errlen, "鍵が違います。このバックアップを作ったときのバックアップ鍵を --key で指定してください");
    goto out;
  }
  if (fseeko(r->f, st.st_size - TAG_LEN, SEEK_SET) || fread(tag, 1, TAG_LEN, r->f) != TAG_LEN ||
      fseeko(r->f, HDR_LEN, SEEK_SET)) {
    snprintf(err, errlen, "%s を読めません", path);
    goto out;
  }
  r->cipher_left = (uint64_t)st.st_size - HDR_LEN - TAG_LEN;
  r->c = EVP_CIPHER_CTX_new();
  r->z = ZSTD_createDCtx();
  int ol = 0;
  if (!r->c || !r->z || !EVP_DecryptInit_ex(r->c, EVP_aes_256_gcm(), NULL, NULL, NULL) ||
      !EVP_CIPHER_CTX_ctrl(r->c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) ||
      !EVP_DecryptInit_ex(r->c, NULL, NULL, key, hdr + 17) ||
      !EVP_DecryptUpdate(r->c, NULL, &ol, hdr, HDR_LEN)) {
    snprintf(err, errlen, "復号を開始できません");
    goto out;
  }
  const char *damaged = "バックアップファイルが壊れているか、改ざんされています（途中で切れている可能性があります）";
  for (;;) {
    unsigned char t;
    if (!r_read(r, &t, 1)) {
      snprintf(err, errlen, "%s", damaged);
      goto out;
    }
    if (t == 'E') break;
    unsigned char h[2], s[12];
    char name[NAME_MAX_LEN + 1];
    if (t != 'F' || !r_read(r, h, 2) || get_be(h, 2) > NAME_MAX_LEN ||
        !r_read(r, name, get_be(h, 2))) {
      snprintf(err, errlen, "%s", damaged);
      goto out;
    }
    name[get_be(h, 2)] = 0;
    if (!r_read(r, s, 12) || !name_safe(name)) {
      snprintf(err, errlen, "%s", damaged);
      goto out;
    }
    uint64_t size = get_be(s, 8), left = size;
    bool is_man = !strcmp(name, "MANIFEST");
    if (is_man && size > 64 * 1024 * 1024) {
      snprintf(err, errlen, "%s", damaged);
      goto out;
    }
    FILE *o = NULL;
    if (dest && !is_man) {
      char p[2200];
      snprintf(p, sizeof p, "%s/%s", dest, name);
      int fd = mkdirs_for(p) ? -1 : open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 || !(o = fdopen(fd, "wb"))) {
        snprintf(err, errlen, "%s を書けません: %s", p, strerror(errno));
        if (fd >= 0) close(fd);
        goto out;
      }
    }
    if (is_man) man = calloc(1, size + 1);
    EVP_MD_CTX *hc = EVP_MD_CTX_new();
    EVP_DigestInit_ex(hc, EVP_sha256(), NULL);
    unsigned char b[CHUNK];
    bool ok = true, write_failed = false;
    while (left && ok) {
      size_t k = left < sizeof b ? (size_t)left : sizeof b;
      ok = r_read(r, b, k);
      if (!ok) break;
      EVP_DigestUpdate(hc, b, k);
      if (o && fwrite(b, 1, k, o) != k) ok = !(write_failed = true);
      if (man && is_man) memcpy(man + (size - left), b, k);
      left -= k;
    }
    unsigned char d[32];
    EVP_DigestFinal_ex(hc, d, NULL);
    EVP_MD_CTX_free(hc);
    if (o && (fflush(o) || fsync(fileno(o)))) ok = !(write_failed = true);
    if (o) fclose(o);
    if (!ok) {
      snprintf(err, errlen, "%s", write_failed ? "書き込みに失敗しました（ディスクの空きを確認してください）" : damaged);
      goto out;
    }
    if (!is_man) {
      seen *e = calloc(1, sizeof *e);
      e->name = strdup(name);
      e->size = size;
      hex_encode(d, 32, e->sha);
      e->next = list;
      list = e;
      files++;
    }
  }
  unsigned char tail[32];
  if (!EVP_CIPHER_CTX_ctrl(r->c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) ||
      r_read(r, NULL, 1) || r->cipher_left || !EVP_DecryptFinal_ex(r->c, tail, &ol)) {
    snprintf(err, errlen, "バックアップファイルが改ざんされているか壊れています（認証タグが一致しません）");
    goto out;
  }
  if (!man) {
    snprintf(err, errlen, "バックアップに目録（MANIFEST）がありません");
    goto out;
  }
  if (log) fprintf(log, "バックアップ %s:\n", path);
  if (!manifest_matches(man, list, log)) {
    snprintf(err, errlen, "目録とファイルの内容が一致しません");
    goto out;
  }
  if (log) fprintf(log, "  %ld ファイル、認証タグとチェックサムはすべて一致しました\n", files);
  rc = 0;
out:
  if (r->f) fclose(r->f);
  EVP_CIPHER_CTX_free(r->c);
  ZSTD_freeDCtx(r->z);
  free(r);
  free(man);
  seen_free(list);
  return rc;
}

int backup_verify(const char *backup_path, const unsigned char *key, FILE *log, char *err,
                  size_t errlen) {
  return backup_read(backup_path, key, NULL, log, err, errlen);
}

static bool dir_empty(const char *path, bool *exists) {
  DIR *d = opendir(path);
  *exists = d != NULL;
  if (!d) return true;
  struct dirent *e;
  bool empty = true;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = false;
  closedir(d);
  return empty;
}

int backup_restore(const char *backup_path, const char *data_dir, const unsigned char *key,
                   bool force, FILE *log, char *err, size_t errlen) {
  bool exists;
  bool empty = dir_empty(data_dir, &exists);
  if (!empty && !force) {
    snprintf(err, errlen, "%s は空ではありません。上書きするには --force を付けてください（元のデータは別名で残ります）",
             data_dir);
    return -1;
  }
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.restoring-%ld", data_dir, (long)getpid());
  remove_tree(tmp);
  if (mkdir(tmp, 0700)) {
    snprintf(err, errlen, "%s を作れません: %s", tmp, strerror(errno));
    return -1;
  }
  if (backup_read(backup_path, key, tmp, log, err, errlen)) {
    remove_tree(tmp);
    return -1;
  }
  char old[1200] = "";
  if (exists && !empty) {
    char ts[32];
    time_t now = time(NULL);
    strftime(ts, sizeof ts, "%Y%m%d%H%M%S", localtime(&now));
    snprintf(old, sizeof old, "%s.before-restore-%s", data_dir, ts);
    if (rename(data_dir, old)) {
      snprintf(err, errlen, "%s を %s に移せません: %s", data_dir, old, strerror(errno));
      remove_tree(tmp);
      return -1;
    }
  } else if (exists) {
    rmdir(data_dir);
  }
  if (rename(tmp, data_dir)) {
    snprintf(err, errlen, "%s に置けません: %s", data_dir, strerror(errno));
    if (*old) rename(old, data_dir);
    remove_tree(tmp);
    return -1;
  }
  if (log) {
    fprintf(log, "%s に復元しました。\n", data_dir);
    if (*old) fprintf(log, "元のデータは %s に残してあります。\n", old);
  }
  return 0;
}

/* ---------- commands ---------- */

static int usage_backup(FILE *o) {
  fputs("civicnet backup --data DIR --out FILE [--key KEYFILE] [--config FILE]\n"
        "civicnet backup verify FILE (--key KEYFILE | --data DIR)\n"
        "  データディレクトリ（データベース、鍵、アップロード、設定）を暗号化して1ファイルに保存します。\n"
        "  サーバーを止めずに実行できます。鍵は既定で DIR/keys/backup.key（初回に作成）。\n", o);
  return o == stdout ? 0 : 2;
}

int cmd_backup(int argc, char **argv) {
  const char *data = NULL, *out = NULL, *keyf = NULL, *conf = NULL, *file = NULL;
  bool verify = argc >= 2 && !strcmp(argv[1], "verify");
  for (int i = verify ? 2 : 1; i < argc; i++) {
    const char **slot = !strcmp(argv[i], "--data") ? &data : !strcmp(argv[i], "--out") ? &out
                      : !strcmp(argv[i], "--key") ? &keyf : !strcmp(argv[i], "--config") ? &conf : NULL;
    if (!strcmp(argv[i], "--help")) return usage_backup(stdout);
    if (slot && i + 1 < argc) *slot = argv[++i];
    else if (verify && !file && argv[i][0] != '-') file = argv[i];
    else return usage_backup(stderr);
  }
  unsigned char key[BACKUP_KEY_LEN];
  char err[1024];
  if (verify) {
    if (!file || (!keyf && !data)) return usage_backup(stderr);
    if (backup_key_load(data, keyf, false, key, err, sizeof err) ||
        backup_verify(file, key, stdout, err, sizeof err)) {
      fprintf(stderr, "civicnet: %s\n", err);
      return 1;
    }
    return 0;
  }
  if (!data || !out) return usage_backup(stderr);
  struct stat st;
  if (stat(data, &st) || !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "civicnet: %s はデータディレクトリではありません\n", data);
    return 1;
  }
  if (backup_key_load(data, keyf, true, key, err, sizeof err) ||
      backup_create(data, conf, out, key, stdout, err, sizeof err)) {
    fprintf(stderr, "civicnet: %s\n", err);
    return 1;
  }
  return 0;
}

int cmd_restore(int argc, char **argv) {
  const char *data = NULL, *keyf = NULL, *file = NULL;
  bool force = false;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help")) {
      puts("civicnet restore --data DIR --key KEYFILE [--force] FILE\n"
           "  バックアップを検証してから DIR に復元します。DIR が空でなければ --force が必要です\n"
           "  （元のデータは DIR.before-restore-日時 に残ります）。");
      return 0;
    }
    if (!strcmp(argv[i], "--force")) force = true;
    else if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
    else if (!strcmp(argv[i], "--key") && i + 1 < argc) keyf = argv[++i];
    else if (argv[i][0] != '-' && !file) file = argv[i];
    else {
      fprintf(stderr, "civicnet restore --data DIR --key KEYFILE [--force] FILE\n");
      return 2;
    }
  }
  if (!data || !file) {
    fprintf(stderr, "civicnet restore --data DIR --key KEYFILE [--force] FILE\n");
    return 2;
  }
  unsigned char key[BACKUP_KEY_LEN];
  char err[1024];
  if (backup_key_load(data, keyf, false, key, err, sizeof err) ||
      backup_restore(file, data, key, force, stdout, err, sizeof err)) {
    fprintf(stderr, "civicnet: %s\n", err);
    return 1;
  }
  return 0;
}
