/* check.c — `civicnet check --data DIR`: the monthly maintenance report
 * (REQUIREMENTS O2, issue 8) in Japanese, ready to paste into the monthly
 * report to the prefecture. Each item is 正常 (fine), 注意 (needs a look)
 * or 異常 (act now); the command exits 0 only when every item is 正常, so
 * it can also run from cron or a monitoring system.
 *
 * Items: database integrity, the audit log's hash chain, backup freshness
 * (and, with the key at hand, a full verification of the newest backup),
 * mail delivery (failures in the last 30 days, mail stuck in the queue),
 * locked sign-ins, access-log retention, disk space and sizes, and the
 * versions of the software in use. Read-only: safe while the server runs. */
#include <curl/curl.h>
#include <dirent.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <zstd.h>

#include "audit.h"
#include "backup.h"
#include "check.h"
#include "util.h"

#define BACKUP_MAX_AGE_H 26

typedef enum { OK = 0, NOTE = 1, BAD = 2 } level;
static const char *const LEVEL[] = {"正常", "注意", "異常"};

typedef struct report {
  FILE *out;
  int worst, notes, bads;
} report;

static void item(report *R, level l, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void item(report *R, level l, const char *name, const char *fmt, ...) {
  char detail[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  fprintf(R->out, "| %s | %s | %s |\n", name, LEVEL[l], detail);
  if ((int)l > R->worst) R->worst = (int)l;
  if (l == NOTE) R->notes++;
  if (l == BAD) R->bads++;
}

static long long q_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* Total size of regular files under path (recursive). */
static long long tree_size(const char *path) {
  DIR *d = opendir(path);
  if (!d) return 0;
  long long n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", path, e->d_name);
    struct stat st;
    if (lstat(p, &st)) continue;
    if (S_ISDIR(st.st_mode)) n += tree_size(p);
    else if (S_ISREG(st.st_mode)) n += st.st_size;
  }
  closedir(d);
  return n;
}

static void check_db(report *R, sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  const char *res = "?";
  char first[256] = "";
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    res = (const char *)sqlite3_column_text(st, 0);
    snprintf(first, sizeof first, "%s", res ? res : "");
  }
  sqlite3_finalize(st);
  if (!strcmp(first, "ok")) item(R, OK, "データベースの整合性", "PRAGMA integrity_check: ok");
  else item(R, BAD, "データベースの整合性", "問題があります: %s（緊急時対応マニュアル「バックアップからの復元」）", first);
}

static void check_audit(report *R, sqlite3 *db) {
  char *txt = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&txt, &len);
  int rc = audit_verify(db, m);
  fclose(m);
  long long n = q_int(db, "SELECT count(*) FROM audit_log");
  if (rc == 0) item(R, OK, "監査ログ", "%lld 件、ハッシュの連鎖は完全です", n);
  else item(R, BAD, "監査ログ", "連鎖が途切れています: %.300s", txt ? txt : "");
  free(txt);
}

/* The newest *.cnb in dir: name into newest, mtime returned (0 if none). */
static time_t newest_backup(const char *dir, char *newest, size_t n, int *count) {
  DIR *d = opendir(dir);
  time_t best = 0;
  *count = 0;
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 4, ".cnb")) continue;
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(p, &st) || !S_ISREG(st.st_mode)) continue;
    (*count)++;
    if (st.st_mtime > best) {
      best = st.st_mtime;
      snprintf(newest, n, "%s", p);
    }
  }
  closedir(d);
  return best;
}

static void check_backup(report *R, const char *data_dir, const char *backup_dir, const char *key_path) {
  char dflt[1024], newest[2048] = "";
  if (!backup_dir) {
    snprintf(dflt, sizeof dflt, "%s/backups", data_dir);
    backup_dir = dflt;
  }
  int count = 0;
  time_t t = newest_backup(backup_dir, newest, sizeof newest, &count);
  if (!t) {
    item(R, BAD, "バックアップ", "%s にバックアップがありません", backup_dir);
    return;
  }
  double age_h = difftime(time(NULL), t) / 3600.0;
  unsigned char key[BACKUP_KEY_LEN];
  char err[1024] = "";
  bool have_key = backup_key_load(data_dir, key_path, false, key, err, sizeof err) == 0;
  bool verified = have_key && backup_verify(newest, key, NULL, err, sizeof err) == 0;
  if (age_h > BACKUP_MAX_AGE_H)
    item(R, BAD, "バックアップ", "最新のバックアップが %.0f 時間前です（%d 世代、%s）", age_h, count, newest);
  else if (have_key && !verified)
    item(R, BAD, "バックアップ", "最新のバックアップ %s を検証できません: %s", newest, err);
  else if (!have_key)
    item(R, NOTE, "バックアップ", "%.1f 時間前（%d 世代）。鍵がないため内容は検証していません", age_h, count);
  else
    item(R, OK, "バックアップ", "%.1f 時間前（%d 世代）、最新分の復号とチェックサムを検証しました", age_h, count);
}

static void check_mail(report *R, sqlite3 *db) {
  long long failed = q_int(db, "SELECT count(*) FROM outbox WHERE state='failed' AND created_at > unixepoch() - 30*86400");
  long long stuck = q_int(db, "SELECT count(*) FROM outbox WHERE state IN ('queued','sending') AND created_at < unixepoch() - 3600");
  long long sent = q_int(db, "SELECT count(*) FROM outbox WHERE state='sent' AND created_at > unixepoch() - 30*86400");
  level l = stuck > 0 ? BAD : failed > 0 ? NOTE : OK;
  item(R, l, "メール送信（30日）", "送信 %lld 通、失敗 %lld 通、1時間以上未送信 %lld 通%s", sent, failed, stuck,
       l == OK ? "" : "（civicnet mail status で内容を確認）");
}

static void check_locks(report *R, sqlite3 *db) {
  long long locked = q_int(db, "SELECT count(*) FROM login_throttle WHERE locked_until > unixepoch()");
  long long staff = q_int(db, "SELECT count(*) FROM login_throttle t JOIN users u ON u.login = t.login "
                              "WHERE t.locked_until > unixepoch()");
  if (locked <= 0) item(R, OK, "ロック中のログイン", "なし");
  else item(R, NOTE, "ロック中のログイン", "%lld 件（うち職員 %lld 件）。心当たりがなければ不正ログインの試みです", locked, staff);
}

static void check_logs(report *R, const char *data_dir) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/logs", data_dir);
  DIR *d = opendir(dir);
  int oldest = 0, n = 0;
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      int day;
      if (sscanf(e->d_name, "access-%8d", &day) == 1) {
        n++;
        if (!oldest || day < oldest) oldest = day;
      }
    }
    closedir(d);
  }
  if (!n) item(R, OK, "アクセスログの保存", "まだ切り替え済みのログはありません（毎日 0 時に切り替え、%d 日保存）", 400);
  else item(R, OK, "アクセスログの保存", "%d ファイル、最古 %04d-%02d-%02d（%d 日保存）", n, oldest / 10000,
            oldest / 100 % 100, oldest % 100, 400);
}

static void check_disk(report *R, const char *data_dir) {
  struct statvfs vs;
  char p[1024];
  snprintf(p, sizeof p, "%s/civicnet.db", data_dir);
  struct stat st;
  long long dbsz = stat(p, &st) == 0 ? st.st_size : 0;
  snprintf(p, sizeof p, "%s/civicnet.db-wal", data_dir);
  if (stat(p, &st) == 0) dbsz += st.st_size;
  snprintf(p, sizeof p, "%s/uploads", data_dir);
  long long up = tree_size(p);
  snprintf(p, sizeof p, "%s/logs", data_dir);
  long long logs = tree_size(p);
  if (statvfs(data_dir, &vs)) {
    item(R, BAD, "ディスク", "空き容量を調べられません");
    return;
  }
  double total = (double)vs.f_blocks * vs.f_frsize, avail = (double)vs.f_bavail * vs.f_frsize;
  double pct = total > 0 ? avail * 100 / total : 0;
  level l = pct < 5 ? BAD : pct < 15 ? NOTE : OK;
  item(R, l, "ディスク", "空き %.1f GB（%.0f%%）、データベース %.1f MB、アップロード %.1f MB、ログ %.1f MB",
       avail / 1e9, pct, dbsz / 1e6, up / 1e6, logs / 1e6);
}

static void versions(report *R) {
  struct utsname u;
  uname(&u);
  fprintf(R->out, "\n## ソフトウェアの版\n\n");
  fprintf(R->out, "- civicnet %s\n- SQLite %s\n- libmicrohttpd %s\n- %s\n- libcurl %s\n- zstd %s\n- %s %s\n",
          CIVICNET_VERSION, sqlite3_libversion(), MHD_get_version(), OpenSSL_version(OPENSSL_VERSION),
          curl_version_info(CURLVERSION_NOW)->version, ZSTD_versionString(), u.sysname, u.release);
}

int check_run(const char *data_dir, const char *backup_dir, const char *key_path, FILE *out) {
  report R = {.out = out};
  char path[1024];
  snprintf(path, sizeof path, "%s/civicnet.db", data_dir);
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    fprintf(out, "データベース %s を開けません\n", path);
    sqlite3_close(db);
    return 2;
  }
  sqlite3_busy_timeout(db, 5000);
  time_t now = time(NULL) + 9 * 3600;
  struct tm tm;
  gmtime_r(&now, &tm);
  char when[64];
  strftime(when, sizeof when, "%Y年%m月%d日 %H:%M", &tm);
  fprintf(out, "# 月次保守点検報告\n\n点検日時: %s（日本時間）  \nデータディレクトリ: %s\n\n", when, data_dir);
  fprintf(out, "| 点検項目 | 結果 | 内容 |\n|---|---|---|\n");
  check_db(&R, db);
  check_audit(&R, db);
  check_backup(&R, data_dir, backup_dir, key_path);
  check_mail(&R, db);
  check_locks(&R, db);
  check_logs(&R, data_dir);
  check_disk(&R, data_dir);
  sqlite3_close(db);
  versions(&R);
  if (R.worst == OK) fprintf(out, "\n総合判定: すべて正常\n");
  else fprintf(out, "\n総合判定: 要対応（異常 %d 件、注意 %d 件）\n", R.bads, R.notes);
  return R.worst == OK ? 0 : 1;
}

int cmd_check(int argc, char **argv) {
  const char *data = NULL, *backups = NULL, *key = NULL;
  for (int i = 1; i < argc; i++) {
    const char **slot = !strcmp(argv[i], "--data") ? &data : !strcmp(argv[i], "--backups") ? &backups
                      : !strcmp(argv[i], "--key") ? &key : NULL;
    if (!strcmp(argv[i], "--help")) {
      puts("civicnet check --data DIR [--backups DIR] [--key KEYFILE]\n"
           "  月次保守点検報告（データベース、監査ログ、バックアップ、メール、ロック、ログ、ディスク、版）を\n"
           "  日本語で出力します。すべて正常なら終了コード 0、要対応があれば 1。\n"
           "  --backups  バックアップの置き場所（既定 DIR/backups）\n"
           "  --key      バックアップ鍵（既定 DIR/keys/backup.key）。あれば最新のバックアップを検証します");
      return 0;
    }
    if (slot && i + 1 < argc) *slot = argv[++i];
    else {
      fprintf(stderr, "civicnet check --data DIR [--backups DIR] [--key KEYFILE]\n");
      return 2;
    }
  }
  if (!data) {
    fprintf(stderr, "civicnet check --data DIR [--backups DIR] [--key KEYFILE]\n");
    return 2;
  }
  return check_run(data, backups, key, stdout);
}
