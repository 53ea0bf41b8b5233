/* health_export.c — generation and upload of the health-app linkage file
 * (C10; see health_export.h for the file, the settings and the catalog). */
#include "health_export.h"

#include <curl/curl.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "audit.h"
#include "csvfile.h"
#include "db.h"
#include "pii.h"

/* Order = column order in the file. The SQL below selects every column
 * in this order (index i ↔ column i). */
const health_col HEALTH_COLS[] = {
    {"activity_id", "募集ID", "あいかさねっとの募集情報の番号（二次元コードと対応）", false},
    {"activity_title", "活動名", "ボランティア募集のタイトル", false},
    {"activity_start", "活動開始日", "YYYY-MM-DD", false},
    {"activity_end", "活動終了日", "YYYY-MM-DD（1日だけの活動は開始日と同じ）", false},
    {"activity_anytime", "随時募集", "随時募集なら「随時」", false},
    {"activity_time", "活動時間", "募集情報の「時間」", false},
    {"activity_place", "活動場所", "募集情報の「場所」", false},
    {"activity_areas", "活動地域", "市町（複数は「、」区切り）", false},
    {"activity_fields", "活動分野", "分野（複数は「、」区切り）", false},
    {"activity_url", "募集ページURL", "あいかさねっとの募集ページのアドレス", false},
    {"organiser_name", "主催者名", "募集情報の「主催者」", false},
    {"member_id", "会員番号", "募集した会員（団体・企業）の番号", false},
    {"member_kind", "会員種別", "個人・団体・企業", false},
    {"member_name", "団体名・企業名", "募集した会員の名前", false},
    {"member_municipality", "所在市町", "会員の市町", false},
    {"member_representative", "代表者名", "会員の代表者名", false},
    {"member_contact_name", "担当者名", "会員の担当者名（個人情報）", true},
    {"member_email", "連絡先Eメール", "会員のEメールアドレス（個人情報）", true},
    {"member_phone", "連絡先電話番号", "会員の電話番号（個人情報）", true},
    {0}};

/* Encrypted column names for the pii columns above (pii_decrypt AD). */
static const char *pii_column(const char *key) {
  if (!strcmp(key, "member_contact_name")) return "contact_name";
  if (!strcmp(key, "member_email")) return "email";
  if (!strcmp(key, "member_phone")) return "phone";
  return NULL;
}

#define HEALTH_SELECT                                                                              \
  "SELECT r.id, r.title, coalesce(r.starts_on, ''),"                                               \
  " coalesce(nullif(r.ends_on, ''), r.starts_on, ''),"                                             \
  " CASE WHEN r.anytime THEN '随時' ELSE '' END, r.time_text, r.place,"                             \
  " replace(CASE WHEN r.areas <> '' THEN r.areas ELSE r.area END, char(10), '、'),"                \
  " replace(r.fields, char(10), '、'), '', r.organiser, coalesce(m.id, ''),"                        \
  " CASE m.kind WHEN 'individual' THEN '個人' WHEN 'group' THEN '団体' WHEN 'company' THEN '企業'" \
  " ELSE '' END,"                                                                                  \
  " coalesce(CASE WHEN m.org_name <> '' THEN m.org_name ELSE m.display_name END, ''),"             \
  " coalesce(m.municipality, ''), coalesce(m.representative, ''),"                                 \
  " coalesce(m.contact_name_enc, ''), coalesce(m.email_enc, ''), coalesce(m.phone_enc, '')"        \
  " FROM recruitments r LEFT JOIN members m ON m.id = r.member_id"
/* Published recruitments whose activity period overlaps the fiscal year
 * [?1, ?2]; an undated 随時募集 counts from its publication. */
#define HEALTH_WHERE                                                                     \
  " WHERE r.status = 'published'"                                                        \
  " AND coalesce(nullif(r.starts_on, ''), date(r.published_at), date(r.created_at)) <= ?2" \
  " AND coalesce(nullif(r.ends_on, ''), nullif(r.starts_on, ''), '9999-12-31') >= ?1"

static const char *setting(arena *a, sqlite3 *db, const char *key) {
  sqlite3_stmt *st = db_prep(db, "SELECT value FROM settings WHERE site='global' AND key=?1");
  if (!st) return "";
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  const char *v = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(a, db_text(st, 0)) : "";
  sqlite3_finalize(st);
  return v;
}

int health_settings_load(arena *a, sqlite3 *db, const pii_keys *k, health_settings *out) {
  memset(out, 0, sizeof *out);
  out->columns = setting(a, db, "health_columns");
  if (!*out->columns) out->columns = HEALTH_DEFAULT_COLUMNS;
  out->encoding = setting(a, db, "health_encoding");
  if (strcmp(out->encoding, "cp932")) out->encoding = "utf-8";
  out->url = setting(a, db, "health_upload_url");
  out->user = setting(a, db, "health_upload_user");
  const char *enc = setting(a, db, "health_upload_password");
  out->has_password = *enc != 0;
  out->password = "";
  if (*enc) {
    const char *p = pii_decrypt(a, k, "health_upload_password", enc);
    if (!p) return -1;
    out->password = p;
  }
  return 0;
}

int health_current_year(void) {
  time_t t = time(NULL) + 9 * 3600;
  struct tm tm;
  gmtime_r(&t, &tm);
  return tm.tm_year + 1900 - (tm.tm_mon < 3 ? 1 : 0);
}

static void fy_bounds(int year, char lo[16], char hi[16]) {
  snprintf(lo, 16, "%04d-04-01", year % 10000);
  snprintf(hi, 16, "%04d-03-31", (year + 1) % 10000);
}

long health_count(sqlite3 *db, int year) {
  char lo[16], hi[16];
  fy_bounds(year, lo, hi);
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM recruitments r" HEALTH_WHERE);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
  long n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  return n;
}

const char *health_file_name(arena *a, int year) { return arena_printf(a, "kenko-app-%d.csv", year); }

const char *health_base_url(arena *a, const config *cfg) {
  if (cfg->public_url[0]) return arena_strdup(a, cfg->public_url);
  return arena_printf(a, "http://%s:%u", cfg->listen_host, cfg->listen_port);
}

/* Is key among the space-separated list? */
static bool has_key(const char *list, const char *key) {
  size_t n = strlen(key);
  for (const char *p = list; *p;) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ' ') e++;
    if ((size_t)(e - p) == n && !memcmp(p, key, n)) return true;
    p = e;
  }
  return false;
}

/* UTF-8 → CP932; characters CP932 lacks become 〓 (geta), as staff would
 * type by hand. NULL on failure. */
static char *to_cp932(arena *a, const char *in, size_t len, size_t *out_len) {
  iconv_t cd = iconv_open("CP932", "UTF-8");
  if (cd == (iconv_t)-1) return NULL;
  size_t cap = len * 2 + 16, ol = cap;
  char *out = arena_alloc(a, cap), *op = out;
  char *ip = (char *)in;
  size_t il = len;
  while (il) {
    if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1) break;
    /* skip one UTF-8 character that CP932 cannot hold */
    size_t skip = 1;
    unsigned char c = (unsigned char)*ip;
    if (c >= 0xF0) skip = 4;
    else if (c >= 0xE0) skip = 3;
    else if (c >= 0xC0) skip = 2;
    if (skip > il || ol < 2) {
      iconv_close(cd);
      return NULL;
    }
    ip += skip, il -= skip;
    *op++ = (char)0x81, *op++ = (char)0xAC, ol -= 2; /* 〓 */
  }
  iconv_close(cd);
  *out_len = cap - ol;
  return out;
}

long health_build(arena *a, sqlite3 *db, const pii_keys *k, const char *base_url,
                  const health_settings *s, int year, buf *out, char *err, size_t errlen) {
  char lo[16], hi[16];
  fy_bounds(year, lo, hi);
  buf b = {0};
  bool utf8 = strcmp(s->encoding, "cp932") != 0;
  if (utf8) csv_bom(&b);
  bool first = true;
  for (int i = 0; HEALTH_COLS[i].key; i++)
    if (has_key(s->columns, HEALTH_COLS[i].key)) csv_cell(&b, HEALTH_COLS[i].label, first), first = false;
  csv_row_end(&b);
  sqlite3_stmt *st = db_prep(db, HEALTH_SELECT HEALTH_WHERE " ORDER BY coalesce(nullif(r.starts_on, ''), r.published_at), r.id");
  if (!st) {
    buf_free(&b);
    snprintf(err, errlen, "ファイルを作れませんでした（データベースの読み出しに失敗しました）。");
    return -1;
  }
  sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
  long rows = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    first = true;
    for (int i = 0; HEALTH_COLS[i].key; i++) {
      const char *key = HEALTH_COLS[i].key;
      if (!has_key(s->columns, key)) continue;
      const char *v = db_text(st, i);
      if (!strcmp(key, "activity_url"))
        v = arena_printf(a, "%s/aikasanet/recruitments/%lld", base_url, (long long)sqlite3_column_int64(st, 0));
      else if (HEALTH_COLS[i].pii && *v) {
        const char *p = pii_decrypt(a, k, pii_column(key), v);
        v = p ? p : "";
      }
      csv_cell(&b, v, first);
      first = false;
    }
    csv_row_end(&b);
    rows++;
  }
  sqlite3_finalize(st);
  if (utf8) {
    buf_append(out, b.data, b.len);
  } else {
    size_t n = 0;
    char *x = to_cp932(a, buf_cstr(&b), b.len, &n);
    if (!x) {
      buf_free(&b);
      snprintf(err, errlen, "ファイルを Shift_JIS（CP932）に変換できませんでした。");
      return -1;
    }
    buf_append(out, x, n);
  }
  buf_free(&b);
  return rows;
}

bool health_url_ok(const char *u) {
  size_t skip = !strncmp(u, "ftp://", 6) ? 6 : !strncmp(u, "ftps://", 7) ? 7 : !strncmp(u, "sftp://", 7) ? 7 : 0;
  size_t n = strlen(u);
  if (!skip || n >= 400 || n <= skip + 1 || u[n - 1] != '/') return false;
  const char *host = u + skip, *slash = strchr(host, '/');
  if (!slash || slash == host) return false;
  for (const char *p = u; *p; p++) {
    if (*p <= ' ' || *p > '~' || strchr("\\\"<>?#", *p)) return false;
    /* no encoded control characters (%00–%1F, %7F): FTP command injection */
    if (*p == '%' && (p[1] == '0' || p[1] == '1' || (p[1] == '7' && (p[2] == 'f' || p[2] == 'F'))))
      return false;
  }
  for (const char *p = host; p < slash; p++)
    if (*p == '@') return false; /* user and password belong in their own settings */
  return true;
}

typedef struct reader {
  const char *data;
  size_t len, off;
} reader;

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ud) {
  reader *rd = ud;
  size_t n = size * nmemb, left = rd->len - rd->off;
  if (n > left) n = left;
  memcpy(dst, rd->data + rd->off, n);
  rd->off += n;
  return n;
}

static const char *curl_japanese(CURLcode c, bool sftp) {
  switch (c) {
  case CURLE_COULDNT_RESOLVE_HOST:
    return "アップロード先のホスト名が見つかりませんでした。アドレスを確認してください。";
  case CURLE_COULDNT_CONNECT:
    return "アップロード先のサーバーに接続できませんでした。サーバーが停止しているか、アドレス・ポート番号が違います。";
  case CURLE_LOGIN_DENIED:
    return "アップロード先にログインできませんでした。ユーザー名またはパスワードが違います。";
  case CURLE_REMOTE_ACCESS_DENIED:
    return "アップロード先のフォルダーに書き込めませんでした。フォルダーがないか、書き込みの権限がありません。";
  case CURLE_UPLOAD_FAILED:
    return "アップロード先のサーバーがファイルの受け取りを拒否しました。";
  case CURLE_OPERATION_TIMEDOUT:
    return "アップロード先のサーバーから時間内に応答がありませんでした。";
  case CURLE_USE_SSL_FAILED:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
    return sftp ? "SFTP サーバーを確認できませんでした（known_hosts に登録されたサーバーではありません）。"
                : "暗号化（TLS）の接続に失敗しました。サーバーが TLS に対応していないか、証明書を確認できません。";
  case CURLE_SSH:
    return "SFTP の接続に失敗しました。サーバーの確認（known_hosts）またはログインに失敗しました。";
  default:
    return "アップロードに失敗しました。";
  }
}

int health_upload(const char *url, const char *user, const char *password, const char *known_hosts,
                  const char *file_name, const void *data, size_t len, char *err, size_t errlen) {
  if (!url || !*url || !health_url_ok(url)) {
    snprintf(err, errlen, "アップロード先が設定されていないか、正しくありません。設定を確認してください。");
    return -1;
  }
  bool sftp = !strncmp(url, "sftp://", 7);
  struct stat sb;
  if (sftp && (!known_hosts || stat(known_hosts, &sb))) {
    snprintf(err, errlen,
             "SFTP サーバーの公開鍵が登録されていません。データディレクトリの ssh_known_hosts に登録してください。");
    return -1;
  }
  CURL *c = curl_easy_init();
  if (!c) {
    snprintf(err, errlen, "アップロードの準備に失敗しました。");
    return -1;
  }
  char full[600], ebuf[CURL_ERROR_SIZE] = "";
  snprintf(full, sizeof full, "%s%s", url, file_name);
  reader rd = {data, len, 0};
  curl_easy_setopt(c, CURLOPT_URL, full);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "ftp,ftps,sftp");
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(c, CURLOPT_READDATA, &rd);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
  curl_easy_setopt(c, CURLOPT_FTP_RESPONSE_TIMEOUT, 60L);
  if (user && *user) curl_easy_setopt(c, CURLOPT_USERNAME, user);
  if (password && *password) curl_easy_setopt(c, CURLOPT_PASSWORD, password);
  /* ftp://: switch to TLS (AUTH TLS) whenever the server offers it */
  if (!strncmp(url, "ftp://", 6)) curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
  if (sftp) curl_easy_setopt(c, CURLOPT_SSH_KNOWNHOSTS, known_hosts);
  CURLcode rc = curl_easy_perform(c);
  long resp = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp);
  curl_easy_cleanup(c);
  if (rc == CURLE_OK) return 0;
  /* keep the technical detail for the centre's maintainer, without secrets */
  for (char *p = ebuf; *p; p++)
    if ((unsigned char)*p < ' ') *p = ' ';
  snprintf(err, errlen, "%s（詳細：%s）", curl_japanese(rc, sftp), *ebuf ? ebuf : curl_easy_strerror(rc));
  return -1;
}

/* The destination as recorded: the URL (no user info is allowed in it). */
int health_export_upload(arena *a, sqlite3 *db, const config *cfg, const pii_keys *k,
                         const char *actor, const char *ip, int year, long *rows_out,
                         char *msg, size_t msglen) {
  health_settings s;
  *rows_out = 0;
  const char *name = health_file_name(a, year);
  buf file = {0};
  long rows = -1;
  int rc = -1;
  if (health_settings_load(a, db, k, &s)) {
    snprintf(msg, msglen, "アップロード先のパスワードを復号できませんでした。設定でパスワードを入力し直してください。");
  } else if ((rows = health_build(a, db, k, health_base_url(a, cfg), &s, year, &file, msg, msglen)) >= 0) {
    char known[600];
    snprintf(known, sizeof known, "%s/ssh_known_hosts", cfg->data_dir);
    rc = health_upload(s.url, s.user, s.password, known, name, file.data, file.len, msg, msglen);
    if (!rc) snprintf(msg, msglen, "%s（%ld件）をアップロードしました。", name, rows);
  }
  *rows_out = rows < 0 ? 0 : rows;
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO health_uploads(actor, year, file_name, rows, bytes, destination, ok, message)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  int dbrc = -1;
  if (!db_exec(db, "BEGIN IMMEDIATE")) {
    if (st) {
      sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
      sqlite3_bind_int(st, 2, year);
      sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 4, rows < 0 ? 0 : rows);
      sqlite3_bind_int64(st, 5, (sqlite3_int64)file.len);
      sqlite3_bind_text(st, 6, s.url ? s.url : "", -1, SQLITE_STATIC);
      sqlite3_bind_int(st, 7, rc == 0);
      sqlite3_bind_text(st, 8, msg, -1, SQLITE_STATIC);
      dbrc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    }
    if (!dbrc)
      dbrc = audit_append(db, actor, rc ? "health_upload_failed" : "health_upload", "health_export",
                          arena_printf(a, "year=%d rows=%ld file=%s", year, rows < 0 ? 0 : rows, name), ip);
    if (dbrc || db_exec(db, "COMMIT")) db_exec(db, "ROLLBACK");
  }
  if (st) sqlite3_finalize(st);
  buf_free(&file);
  return rc;
}
