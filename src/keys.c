/* keys.c — `civicnet keys rotate --data DIR` (issue 8, Y8): replace the
 * personal-data keys (DIR/keys/pii.key, index.key) by new random ones and
 * re-encrypt every stored value in place.
 *
 * Every column named *_enc of every table is read, decrypted with the old
 * key and written back encrypted with the new one; blind indexes
 * (email_index beside email_enc) are recomputed. Values are bound to an
 * associated-data label chosen by the code that wrote them (usually the
 * column name without _enc); GCM authentication tells the right label
 * from a wrong one, so each value is tried with the known labels. One
 * transaction: if any value cannot be decrypted, nothing changes.
 *
 * Order of the key files: the new keys are written as *.key.new (0600),
 * the transaction commits, then the new files replace the old ones and
 * the old ones are overwritten and removed. A crash after the commit is
 * finished by the next run (it finds *.key.new and the data readable
 * with it). The server must be stopped: it holds DIR/.serve.lock, and
 * rotation refuses to run while that lock is taken. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "keys.h"
#include "pii.h"
#include "util.h"

/* Labels values are encrypted under besides their column name. */
static const char *const EXTRA_AAD[] = {"email", "message", "handoff", "draft", "totp_secret",
                                        "payload", "health_upload_password", NULL};

int serve_lock(const char *data_dir) {
  char path[700];
  snprintf(path, sizeof path, "%s/.serve.lock", data_dir);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  if (flock(fd, LOCK_EX | LOCK_NB)) {
    close(fd);
    return -2;
  }
  return fd; /* held until the process exits */
}

static int write_key(const char *path, const unsigned char key[32]) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  int rc = write(fd, key, 32) == 32 && fsync(fd) == 0 ? 0 : -1;
  close(fd);
  return rc;
}

static int read_key(const char *path, unsigned char key[32]) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = read(fd, key, 32) == 32 ? 0 : -1;
  close(fd);
  return rc;
}

/* Overwrite and remove a retired key file. */
static void destroy_key(const char *path) {
  unsigned char zero[32] = {0};
  write_key(path, zero);
  unlink(path);
}

/* Decrypt stored (column col) under k, trying the column's own label and
 * the known extra labels; the label that worked into *aad. */
static char *decrypt_any(arena *a, const pii_keys *k, const char *col, const char *stored,
                         const char **aad) {
  char base[128];
  snprintf(base, sizeof base, "%.*s", (int)(strlen(col) - 4), col);
  char *p = pii_decrypt(a, k, base, stored);
  if (p) {
    *aad = arena_strdup(a, base);
    return p;
  }
  for (int i = 0; EXTRA_AAD[i]; i++)
    if ((p = pii_decrypt(a, k, EXTRA_AAD[i], stored))) {
      *aad = EXTRA_AAD[i];
      return p;
    }
  return NULL;
}

typedef struct rot {
  sqlite3 *db;
  const pii_keys *from, *to;
  long values, indexes;
  char err[512];
} rot;

/* Re-encrypt column col of table t; recompute email_index from email_enc. */
static int rotate_column(rot *R, const char *t, const char *col, bool has_index) {
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT rowid, \"%.100s\" FROM \"%.100s\" WHERE \"%.100s\" IS NOT NULL AND \"%.100s\" <> ''", col, t, col, col);
  sqlite3_stmt *sel = NULL, *upd = NULL;
  if (sqlite3_prepare_v2(R->db, sql, -1, &sel, NULL) != SQLITE_OK) return -1;
  bool email = has_index && !strcmp(col, "email_enc");
  if (email)
    snprintf(sql, sizeof sql, "UPDATE \"%.100s\" SET \"%.100s\" = ?1, email_index = ?3 WHERE rowid = ?2", t, col);
  else
    snprintf(sql, sizeof sql, "UPDATE \"%.100s\" SET \"%.100s\" = ?1 WHERE rowid = ?2", t, col);
  int rc = sqlite3_prepare_v2(R->db, sql, -1, &upd, NULL) == SQLITE_OK ? 0 : -1;
  while (!rc && sqlite3_step(sel) == SQLITE_ROW) {
    arena a;
    arena_init(&a);
    const char *stored = (const char *)sqlite3_column_text(sel, 1), *aad = NULL;
    long long id = sqlite3_column_int64(sel, 0);
    char *plain = decrypt_any(&a, R->from, col, stored, &aad);
    char *fresh = plain ? pii_encrypt(&a, R->to, aad, plain) : NULL;
    if (!fresh) {
      snprintf(R->err, sizeof R->err, "%.100s.%.100s（行 %lld）を復号できません。鍵がこのデータのものか確認してください", t, col, id);
      rc = -1;
    } else {
      sqlite3_bind_text(upd, 1, fresh, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(upd, 2, id);
      if (email) {
        char low[320], idx[65];
        size_t n = 0;
        for (; plain[n] && n < sizeof low - 1; n++)
          low[n] = (plain[n] >= 'A' && plain[n] <= 'Z') ? (char)(plain[n] + 32) : plain[n];
        low[n] = 0;
        pii_blind_index(R->to, "email", low, idx);
        sqlite3_bind_text(upd, 3, idx, -1, SQLITE_TRANSIENT);
        R->indexes++;
      }
      if (sqlite3_step(upd) != SQLITE_DONE) {
        snprintf(R->err, sizeof R->err, "%.100s.%.100s を書き込めません: %.100s", t, col, sqlite3_errmsg(R->db));
        rc = -1;
      }
      sqlite3_reset(upd);
      R->values++;
    }
    arena_free(&a);
  }
  sqlite3_finalize(sel);
  sqlite3_finalize(upd);
  return rc;
}

/* Every *_enc column of every table. */
static int rotate_all(rot *R) {
  sqlite3_stmt *tables = NULL;
  if (sqlite3_prepare_v2(R->db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                "AND name NOT LIKE 'search_%'", -1, &tables, NULL) != SQLITE_OK)
    return -1;
  int rc = 0;
  while (!rc && sqlite3_step(tables) == SQLITE_ROW) {
    char t[128];
    snprintf(t, sizeof t, "%s", (const char *)sqlite3_column_text(tables, 0));
    char sql[200];
    snprintf(sql, sizeof sql, "PRAGMA table_info(\"%s\")", t);
    sqlite3_stmt *cols = NULL;
    char names[64][64];
    int n = 0;
    bool has_index = false;
    if (sqlite3_prepare_v2(R->db, sql, -1, &cols, NULL) == SQLITE_OK)
      while (sqlite3_step(cols) == SQLITE_ROW && n < 64) {
        const char *c = (const char *)sqlite3_column_text(cols, 1);
        size_t l = strlen(c);
        if (!strcmp(c, "email_index")) has_index = true;
        if (l > 4 && l < 64 && !strcmp(c + l - 4, "_enc")) snprintf(names[n++], 64, "%s", c);
      }
    sqlite3_finalize(cols);
    for (int i = 0; i < n && !rc; i++) rc = rotate_column(R, t, names[i], has_index);
  }
  sqlite3_finalize(tables);
  return rc;
}

/* Does the first encrypted value found in db decrypt under k? 1 yes,
 * 0 no, -1 there is no encrypted value at all. */
static int data_under(sqlite3 *db, const pii_keys *k) {
  sqlite3_stmt *tables = NULL;
  int found = -1;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", -1, &tables, NULL);
  while (found < 0 && tables && sqlite3_step(tables) == SQLITE_ROW) {
    char sql[300];
    const char *t = (const char *)sqlite3_column_text(tables, 0);
    snprintf(sql, sizeof sql, "PRAGMA table_info(\"%s\")", t);
    sqlite3_stmt *cols = NULL;
    sqlite3_prepare_v2(db, sql, -1, &cols, NULL);
    while (found < 0 && cols && sqlite3_step(cols) == SQLITE_ROW) {
      const char *c = (const char *)sqlite3_column_text(cols, 1);
      size_t l = strlen(c);
      if (l <= 4 || l >= 64 || strcmp(c + l - 4, "_enc")) continue;
      snprintf(sql, sizeof sql, "SELECT \"%s\" FROM \"%s\" WHERE \"%s\" <> '' LIMIT 1", c, t, c);
      sqlite3_stmt *v = NULL;
      if (sqlite3_prepare_v2(db, sql, -1, &v, NULL) == SQLITE_OK && sqlite3_step(v) == SQLITE_ROW) {
        arena a;
        arena_init(&a);
        const char *aad;
        found = decrypt_any(&a, k, c, (const char *)sqlite3_column_text(v, 0), &aad) != NULL;
        arena_free(&a);
      }
      sqlite3_finalize(v);
    }
    sqlite3_finalize(cols);
  }
  sqlite3_finalize(tables);
  return found;
}

/* A crash after the commit left *.key.new: finish when the data is under
 * the new keys (or there is no data), else drop the new keys. */
static int finish_pending(const char *dir, FILE *out) {
  char newp[700], newi[700], oldp[700], oldi[700];
  snprintf(newp, sizeof newp, "%s/keys/pii.key.new", dir);
  snprintf(newi, sizeof newi, "%s/keys/index.key.new", dir);
  snprintf(oldp, sizeof oldp, "%s/keys/pii.key", dir);
  snprintf(oldi, sizeof oldi, "%s/keys/index.key", dir);
  if (access(newp, F_OK) != 0) return 0;
  pii_keys k;
  if (read_key(newp, k.enc) || read_key(newi, k.index)) return -1;
  char dbp[700];
  snprintf(dbp, sizeof dbp, "%s/civicnet.db", dir);
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(dbp, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  int under_new = data_under(db, &k);
  sqlite3_close(db);
  explicit_bzero(&k, sizeof k);
  if (under_new != 0) {
    destroy_key(oldp);
    destroy_key(oldi);
    if (rename(newp, oldp) || rename(newi, oldi)) return -1;
    fprintf(out, "前回の鍵の入れ替えを完了しました。\n");
  } else {
    destroy_key(newp);
    destroy_key(newi);
  }
  return 0;
}

int keys_rotate(const char *dir, FILE *out, char *err, size_t errlen) {
  if (serve_lock(dir) == -2) {
    snprintf(err, errlen, "サーバーが %s を使用中です。先に止めてください（systemctl stop civicnet）", dir);
    return -1;
  }
  if (finish_pending(dir, out)) {
    snprintf(err, errlen, "前回の入れ替えの後始末ができません（%s/keys を確認してください）", dir);
    return -1;
  }
  pii_keys from, to;
  if (pii_keys_load(dir, &from, err, errlen)) return -1;
  if (crypto_random(to.enc, 32) || crypto_random(to.index, 32)) {
    snprintf(err, errlen, "乱数を取得できません");
    return -1;
  }
  char dbp[700];
  snprintf(dbp, sizeof dbp, "%s/civicnet.db", dir);
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(dbp, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "%s を開けません", dbp);
    sqlite3_close(db);
    return -1;
  }
  sqlite3_busy_timeout(db, 10000);
  rot R = {.db = db, .from = &from, .to = &to};
  char newp[700], newi[700], curp[700], curi[700];
  snprintf(newp, sizeof newp, "%s/keys/pii.key.new", dir);
  snprintf(newi, sizeof newi, "%s/keys/index.key.new", dir);
  snprintf(curp, sizeof curp, "%s/keys/pii.key", dir);
  snprintf(curi, sizeof curi, "%s/keys/index.key", dir);
  int rc = -1;
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "データベースを書き込み用に開けません");
  } else if (rotate_all(&R)) {
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    snprintf(err, errlen, "%s（何も変更していません）", R.err[0] ? R.err : "再暗号化に失敗しました");
  } else if (write_key(newp, to.enc) || write_key(newi, to.index)) {
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    unlink(newp), unlink(newi);
    snprintf(err, errlen, "新しい鍵を書けません（何も変更していません）");
  } else if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    unlink(newp), unlink(newi);
    snprintf(err, errlen, "データベースに書き込めません（何も変更していません）");
  } else {
    destroy_key(curp);
    destroy_key(curi);
    if (rename(newp, curp) || rename(newi, curi)) {
      snprintf(err, errlen, "鍵ファイルを置き換えられません。もう一度 civicnet keys rotate を実行してください");
    } else {
      fprintf(out, "鍵を入れ替えました: %ld 件の値を再暗号化、%ld 件の索引を作り直しました。\n"
                   "古い鍵は消去しました。新しい鍵（%s/keys/）とバックアップ鍵の控えを取り直してください。\n"
                   "入れ替え前のバックアップは、その時点の鍵を含むため、そのまま復元できます。\n",
              R.values, R.indexes, dir);
      rc = 0;
    }
  }
  sqlite3_close(db);
  explicit_bzero(&from, sizeof from);
  explicit_bzero(&to, sizeof to);
  return rc;
}

int cmd_keys(int argc, char **argv) {
  const char *data = NULL;
  bool rotate = argc >= 2 && !strcmp(argv[1], "rotate");
  for (int i = rotate ? 2 : 1; i < argc; i++) {
    if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
    else if (!strcmp(argv[i], "--help")) rotate = false, data = NULL, i = argc;
    else data = NULL, i = argc, rotate = false;
  }
  if (!rotate || !data) {
    fputs("civicnet keys rotate --data DIR\n"
          "  個人情報の暗号化鍵と索引鍵を新しくし、保存済みの値をすべて新しい鍵で暗号化し直します。\n"
          "  サーバーを止めてから実行してください。途中で失敗したときは何も変わりません。\n",
          argc >= 2 && !strcmp(argv[argc - 1], "--help") ? stdout : stderr);
    return argc >= 2 && !strcmp(argv[argc - 1], "--help") ? 0 : 2;
  }
  char err[1024];
  if (keys_rotate(data, stdout, err, sizeof err)) {
    fprintf(stderr, "civicnet: %s\n", err);
    return 1;
  }
  return 0;
}
