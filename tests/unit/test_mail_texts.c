/* test_mail_texts.c — the mail-text catalog stays in sync with
 * templates/mail (every file, every placeholder the shipped texts use),
 * validation refuses unknown placeholders and syntax errors, overrides
 * are used when sending; the audit archive (issue 6, Y7): rows past the
 * retention move to a verifiable file, tampering is detected, and a plain
 * DELETE on audit_log still fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "audit_archive.h"
#include "db.h"
#include "mail.h"
#include "mail_texts.h"
#include "tmpl.h"

static tmpl_set *load_all(void) {
  char err[512];
  tmpl_set *ts = tmpl_load_dir(CIVICNET_ROOT "/templates", err, sizeof err);
  if (!ts) fprintf(stderr, "%s\n", err);
  assert_non_null(ts);
  return ts;
}

typedef struct {
  const mt_mail *m;
  int missing;
  char file[300];
} sync_ctx;

static void check_var(void *p, const char *var, int line) {
  sync_ctx *c = p;
  if (!mt_allows(c->m, var) || !mt_var_find(var)) {
    fprintf(stderr, "%s:%d: placeholder '%s' is not in the catalog\n", c->file, line, var);
    c->missing++;
  }
}

/* Every templates/mail/NAME.txt (but test.txt) is in the catalog, and every
 * placeholder its shipped text uses is listed for it and described. */
static void test_catalog_covers_templates(void **st) {
  (void)st;
  tmpl_set *ts = load_all();
  DIR *d = opendir(CIVICNET_ROOT "/templates/mail");
  assert_non_null(d);
  struct dirent *e;
  int files = 0, missing = 0;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".txt") || !strcmp(e->d_name, "test.txt")) continue;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
    const mt_mail *m = mt_find(name);
    if (!m) {
      fprintf(stderr, "templates/mail/%s is not in the mail-text catalog\n", e->d_name);
      missing++;
      continue;
    }
    sync_ctx c = {.m = m};
    snprintf(c.file, sizeof c.file, "mail/%s", e->d_name);
    assert_int_equal(tmpl_vars(ts, c.file, check_var, &c), 0);
    missing += c.missing;
    files++;
  }
  closedir(d);
  assert_int_equal(missing, 0);
  assert_true(files >= 30);
  /* and the other way round: every catalog entry has its file, every
   * listed placeholder a description */
  for (const mt_mail *m = MT_MAILS; m->name; m++) {
    char f[160];
    snprintf(f, sizeof f, "mail/%s.txt", m->name);
    assert_true(tmpl_exists(ts, f));
    for (const char *p = m->vars; *p;) {
      while (*p == ' ') p++;
      size_t k = strcspn(p, " ");
      if (!k) break;
      char var[128];
      snprintf(var, sizeof var, "%.*s", (int)k, p);
      if (!mt_var_find(var)) fprintf(stderr, "%s: '%s' has no description\n", m->name, var);
      assert_non_null(mt_var_find(var));
      p += k;
    }
  }
  tmpl_free(ts);
}

/* The shipped texts pass validation and render with the sample data. */
static void test_defaults_validate_and_preview(void **st) {
  (void)st;
  arena a;
  arena_init(&a);
  for (const mt_mail *m = MT_MAILS; m->name; m++) {
    const char *s, *b, *se, *be, *rs, *rb;
    assert_int_equal(mt_default(&a, CIVICNET_ROOT, m->name, &s, &b), 0);
    if (mt_validate(&a, m, s, b, &se, &be))
      fprintf(stderr, "%s: %s / %s\n", m->name, se ? se : "", be ? be : "");
    assert_int_equal(mt_validate(&a, m, s, b, &se, &be), 0);
    char err[256];
    assert_int_equal(mt_render_text(&a, m->name, s, b, mt_sample_ctx(&a, m), &rs, &rb, err, sizeof err), 0);
    assert_true(strlen(rs) > 0);
    assert_null(strstr(rb, "{{"));
  }
  arena_free(&a);
}

static void test_validation_rejects(void **st) {
  (void)st;
  arena a;
  arena_init(&a);
  const mt_mail *m = mt_find("contact_received");
  assert_non_null(m);
  const char *se, *be;
  /* unknown placeholder in the body: named, with its line */
  assert_int_equal(mt_validate(&a, m, "受付 {{ id }}", "一行目\n{{ password }}\n", &se, &be), -1);
  assert_null(se);
  assert_non_null(strstr(be, "「password」"));
  assert_non_null(strstr(be, "2行目"));
  /* unknown in the subject */
  assert_int_equal(mt_validate(&a, m, "{{ secret }}", "本文", &se, &be), -1);
  assert_non_null(strstr(se, "「secret」"));
  /* a placeholder of another mail is unknown here */
  assert_int_equal(mt_validate(&a, m, "件名", "{{ link }}", &se, &be), -1);
  /* loop items are known only inside their loop */
  assert_int_equal(mt_validate(&a, m, "件名", "{% for v in values %}{{ v.label }}{% endfor %}", &se, &be), 0);
  assert_int_equal(mt_validate(&a, m, "件名", "{% for v in values %}{{ v.secret }}{% endfor %}", &se, &be), -1);
  /* syntax error with the body line */
  assert_int_equal(mt_validate(&a, m, "件名", "a\nb\n{% if id %}x\n", &se, &be), -1);
  assert_non_null(be);
  assert_non_null(strstr(be, "閉じられていません"));
  /* include / extends are refused */
  assert_int_equal(mt_validate(&a, m, "件名", "{% include \"mail/test.txt\" %}", &se, &be), -1);
  /* a tag opened in the subject must close there */
  assert_int_equal(mt_validate(&a, m, "{% if id %}受付", "本文{% endif %}", &se, &be), -1);
  assert_non_null(se);
  assert_int_equal(mt_validate(&a, m, "件名", "", &se, &be), -1);
  assert_int_equal(mt_validate(&a, m, "一\n二", "x", &se, &be), -1);
  assert_non_null(se);
  arena_free(&a);
}

static sqlite3 *mem_db(void) {
  char err[512];
  sqlite3 *db = db_open_path(":memory:", err, sizeof err);
  assert_non_null(db);
  assert_true(db_migrate(db, CIVICNET_ROOT "/db/migrations", NULL, err, sizeof err) >= 1);
  return db;
}

/* mail_render_db uses the stored text; without one, the file. */
static void test_render_uses_override(void **st) {
  (void)st;
  sqlite3 *db = mem_db();
  tmpl_set *ts = load_all();
  arena a;
  arena_init(&a);
  tval *ctx = tv_map(&a);
  tv_set_str(&a, ctx, "link", "https://x.example/v?t=1");
  tv_set_str(&a, ctx, "centre", "センター");
  const char *s, *b;
  char err[256];
  assert_int_equal(mail_render_db(db, ts, "mail/member_verify.txt", ctx, &a, &s, &b, err, sizeof err), 0);
  assert_non_null(strstr(s, "会員登録の確認"));
  assert_int_equal(db_exec(db, "INSERT INTO mail_texts(name, subject, body, updated_by) VALUES"
                               " ('member_verify', '新しい件名 & 確認', '本文 {{ link }} <終>', 'clerk')"),
                   0);
  assert_int_equal(mail_render_db(db, ts, "mail/member_verify.txt", ctx, &a, &s, &b, err, sizeof err), 0);
  assert_string_equal(s, "新しい件名 & 確認");
  assert_string_equal(b, "本文 https://x.example/v?t=1 <終>");
  arena_free(&a);
  tmpl_free(ts);
  sqlite3_close(db);
}

/* Inserts an audit row directly (backdated), keeping the chain valid. */
static void insert_row(sqlite3 *db, long long id, const char *at, const char *prev, char out[65]) {
  audit_row_hash(prev, id, at, "clerk", "member_view", "member:1", "detail\twith tab\nand newline", "127.0.0.1", out);
  sqlite3_stmt *st = db_prep(db, "INSERT INTO audit_log(id, at, actor, action, target, detail, ip, prev_hash, hash)"
                                 " VALUES (?1,?2,'clerk','member_view','member:1',?3,'127.0.0.1',?4,?5)");
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, "detail\twith tab\nand newline", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, prev, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, out, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  st = db_prep(db, "UPDATE audit_head SET hash=?1, count=?2 WHERE one=1");
  sqlite3_bind_text(st, 1, out, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, id);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
}

static void test_audit_archive(void **st) {
  (void)st;
  char dir[] = "/tmp/civicnet-audit-unit-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[600];
  snprintf(path, sizeof path, "%s/civicnet.db", dir);
  char err[512];
  sqlite3 *db = db_open_path(path, err, sizeof err);
  assert_non_null(db);
  assert_true(db_migrate(db, CIVICNET_ROOT "/db/migrations", NULL, err, sizeof err) >= 1);
  char prev[65] = "", h[65];
  for (int i = 1; i <= 5; i++) {
    char at[32];
    snprintf(at, sizeof at, "2020-01-0%dT00:00:00Z", i);
    insert_row(db, i, at, prev, h);
    snprintf(prev, sizeof prev, "%s", h);
  }
  assert_int_equal(audit_append(db, "clerk", "login", "admin", "", ""), 0); /* today */
  FILE *devnull = fopen("/dev/null", "w");
  assert_int_equal(audit_verify(db, devnull), 0);
  /* a plain DELETE still fails (trigger), also of old rows */
  assert_int_not_equal(db_exec(db, "DELETE FROM audit_log WHERE id=1"), 0);
  assert_int_not_equal(db_exec(db, "UPDATE audit_archive_state SET last_id=5"), 0);
  long long moved = 0;
  assert_int_equal(audit_archive_run(db, dir, "cli", devnull, &moved), 0);
  assert_int_equal(moved, 5);
  /* the marker is gone: still no deleting, not even archived-range ids */
  assert_int_not_equal(db_exec(db, "DELETE FROM audit_log"), 0);
  assert_int_equal(audit_verify(db, devnull), 0);
  assert_int_equal(audit_archive_verify(db, dir, devnull), 0);
  /* nothing more to archive; appends continue the chain */
  assert_int_equal(audit_archive_run(db, dir, "cli", devnull, &moved), 0);
  assert_int_equal(moved, 0);
  assert_int_equal(audit_append(db, "clerk", "logout", "admin", "", ""), 0);
  assert_int_equal(audit_archive_verify(db, dir, devnull), 0);
  /* with the marker, a row newer than the archived head stays */
  assert_int_equal(db_exec(db, "INSERT INTO audit_archiving(one) VALUES (1)"), 0);
  assert_int_not_equal(db_exec(db, "DELETE FROM audit_log WHERE id=7"), 0);
  assert_int_equal(db_exec(db, "DELETE FROM audit_archiving"), 0);
  /* tampering with the archive file is detected */
  char file[800];
  snprintf(file, sizeof file, "%s/audit-archive/audit-0000000001-0000000005.log.zst", dir);
  FILE *f = fopen(file, "r+b");
  assert_non_null(f);
  fseek(f, -3, SEEK_END);
  fputc('x', f);
  fclose(f);
  assert_int_equal(audit_archive_verify(db, dir, devnull), 1);
  fclose(devnull);
  sqlite3_close(db);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_catalog_covers_templates),
      cmocka_unit_test(test_defaults_validate_and_preview),
      cmocka_unit_test(test_validation_rejects),
      cmocka_unit_test(test_render_uses_override),
      cmocka_unit_test(test_audit_archive),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
