/* test_content.c — unit tests of the content records module (content.c)
 * and of the schema features it relies on: per-kind fields (別紙3 「―」),
 * F_MULTI check-box values, encrypted .pii columns, the publish stamp,
 * and the public display list that must never carry staff-only data.
 * A real SQLite file in a temporary data directory, migrated from
 * db/migrations, with real keys (pii.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "content.h"
#include "db.h"
#include "fields.h"
#include "request.h"
#include "schema.h"

static app A;
static char dir[64];

static int setup(void **state) {
  (void)state;
  strcpy(dir, "/tmp/cn-content-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  snprintf(A.cfg.data_dir, sizeof A.cfg.data_dir, "%s", dir);
  char err[512], path[600];
  if (pii_keys_load(dir, &A.pii, err, sizeof err) != 0) return -1;
  db_path(dir, path, sizeof path);
  sqlite3 *db = db_open_path(path, err, sizeof err);
  if (!db || db_migrate(db, CIVICNET_ROOT "/db/migrations", NULL, err, sizeof err) < 1) return -1;
  sqlite3_close(db);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  db_thread_close();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static kv *group_values(request *r, const char *kind) {
  kv *v = NULL;
  const char *pairs[][2] = {
      {"kind", kind}, {"org_class", "任意団体"}, {"name", "ひまわり子ども食堂"},
      {"kana", "ひまわりこどもしょくどう"}, {"representative", "山田花子"},
      {"contact_name", "山田花子"}, {"fields", "保健・医療・福祉\n子どもの健全育成"},
      {"target_area", "山口県内市町"}, {"target_municipalities", "山口市\n宇部市"},
      {"purpose", "子どもの居場所づくり"}, {"activities", "毎週土曜日の食堂"},
      {"csr", "企業だけの項目"}, {"prefecture", "山口県"}, {"municipality", "山口市"},
      {"address", "中央1-1"}, {"url_1", "https://example.jp/"}, {"url_1_desc", "公式サイト"},
      {"registrant_name", "登録太郎"}, {"registrant_phone", "083-000-0000"},
      {"registrant_email", "taro@example.jp"}, {"activity", "active"}, {"status", "review"}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    kv_add(&r->a, &v, pairs[i][0], pairs[i][1], strlen(pairs[i][1]));
  return v;
}

static const char *display_value(const tval *list, const char *column) {
  for (size_t i = 0; i < tv_len(list); i++) {
    tval *m = tv_at(list, i);
    if (strcmp(tv_cstr(tv_get(m, "column")), column) == 0) return tv_cstr(tv_get(m, "value"));
  }
  return NULL;
}

static void test_group_roundtrip(void **state) {
  (void)state;
  request r = {0};
  r.app = &A;
  sqlite3 *db = db_thread(&A);
  assert_non_null(db);
  const content_type *t = schema_find("group");
  assert_non_null(t);
  kv *v = group_values(&r, "citizen");
  field_error *errs = NULL;
  const field *fs = fields_for_kind(&r.a, t->fields, "citizen");
  int n = fields_validate_db(db, &r.a, fs, v, NULL, &errs);
  for (field_error *e = errs; e; e = e->next) fprintf(stderr, "unexpected: %s\n", e->message);
  assert_int_equal(n, 0);
  long long id = content_insert(&r, db, t, t->fields, v);
  assert_true(id > 0);

  /* personal data is ciphertext at rest, under its own column */
  sqlite3_stmt *st = db_prep(db, "SELECT registrant_email_enc, csr, fields FROM groups WHERE id=?1");
  sqlite3_bind_int64(st, 1, id);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_true(strncmp(db_text(st, 0), "v1:", 3) == 0);
  assert_null(strstr(db_text(st, 0), "taro"));
  assert_string_equal(db_text(st, 1), ""); /* 「―」 for citizen groups: not stored */
  assert_string_equal(db_text(st, 2), "保健・医療・福祉\n子どもの健全育成");
  sqlite3_finalize(st);

  /* not published: invisible publicly, complete for staff */
  assert_null(content_load(&r, t, id, false));
  kv *staff = content_load(&r, t, id, true);
  assert_non_null(staff);
  assert_string_equal(kv_get(staff, "registrant_email"), "taro@example.jp");
  assert_string_equal(kv_get(staff, "status"), "review");

  /* publishing stamps published_at once */
  assert_int_equal(content_set_status(db, t, id, "published"), 0);
  kv *pub = content_load(&r, t, id, false);
  assert_non_null(pub);
  const char *stamp = arena_strdup(&r.a, kv_get(pub, "published_at"));
  assert_true(strlen(stamp) == 20);
  assert_null(kv_get(pub, "registrant_email"));
  assert_int_equal(db_exec(db, "UPDATE groups SET published_at='2020-01-01T00:00:00Z'"), 0);
  assert_int_equal(content_set_status(db, t, id, "published"), 0);
  assert_string_equal(kv_get(content_load(&r, t, id, false), "published_at"), "2020-01-01T00:00:00Z");
  assert_int_equal(content_set_status(db, t, id, "deleted"), -1);

  /* public display: labels, list items, URL with its description; never
   * the registrant nor the workflow state */
  tval *d = content_display(&r, t, pub, false);
  assert_string_equal(display_value(d, "org_class"), "任意団体");
  assert_string_equal(display_value(d, "url_1"), "公式サイト");
  assert_null(display_value(d, "url_1_desc"));
  assert_null(display_value(d, "registrant_email"));
  assert_null(display_value(d, "registrant_name"));
  assert_null(display_value(d, "status"));
  assert_null(display_value(d, "csr"));
  assert_non_null(display_value(d, "fields"));
  tval *staff_d = content_display(&r, t, staff, true);
  assert_string_equal(display_value(staff_d, "registrant_email"), "taro@example.jp");

  /* update writes only what is given; the stored kind decides the fields */
  kv *change = NULL;
  kv_add(&r.a, &change, "name", "ひまわり食堂", strlen("ひまわり食堂"));
  kv_add(&r.a, &change, "csr", "x", 1);
  kv_add(&r.a, &change, "kana", "ヒマワリ ショクドウー", strlen("ヒマワリ ショクドウー"));
  assert_int_equal(content_update(&r, db, t, t->fields, id, change), 0);
  kv *after = content_load(&r, t, id, true);
  assert_string_equal(kv_get(after, "name"), "ひまわり食堂");
  assert_string_equal(kv_get(after, "csr"), "");
  assert_string_equal(kv_get(after, "kana"), "ひまわり しょくどうー"); /* 五十音 order needs one script */
  assert_string_equal(kv_get(after, "registrant_email"), "taro@example.jp");
  assert_int_equal(content_update(&r, db, t, t->fields, id + 1000, change), 1);

  assert_int_equal(content_delete(&r, db, t, id), 0);
  assert_null(content_load(&r, t, id, true));
  arena_free(&r.a);
}

static void test_multi_validation(void **state) {
  (void)state;
  request r = {0};
  r.app = &A;
  sqlite3 *db = db_thread(&A);
  const content_type *t = schema_find("group");
  const field *fs = fields_for_kind(&r.a, t->fields, "npo");
  const field *f = field_by_column(fs, "fields");
  assert_non_null(f);
  field one[2] = {*f, {0}};
  struct { const char *v; bool ok; } cases[] = {
      {"保健・医療・福祉", true},
      {"保健・医療・福祉\n災害救援", true},
      {"保健・医療・福祉\n存在しない分野", false},
      {"保健・医療・福祉' OR '1'='1", false},
      {"", false}, /* required */
      {"\n", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    kv *v = NULL;
    kv_add(&r.a, &v, "fields", cases[i].v, strlen(cases[i].v));
    field_error *errs = NULL;
    int n = fields_validate_db(db, &r.a, one, v, NULL, &errs);
    if ((n == 0) != cases[i].ok) fail_msg("case %zu (%s): %d errors", i, cases[i].v, n);
  }
  /* a value staff stopped stays valid for the record holding it */
  assert_int_equal(db_exec(db, "UPDATE master_items SET active=0 WHERE list='field' AND value='災害救援'"), 0);
  kv *v = NULL, *old = NULL;
  kv_add(&r.a, &v, "fields", "災害救援", strlen("災害救援"));
  field_error *errs = NULL;
  assert_int_equal(fields_validate_db(db, &r.a, one, v, NULL, &errs), 1);
  kv_add(&r.a, &old, "fields", "国際協力\n災害救援", strlen("国際協力\n災害救援"));
  errs = NULL;
  assert_int_equal(fields_validate_db(db, &r.a, one, v, old, &errs), 0);
  assert_int_equal(db_exec(db, "UPDATE master_items SET active=1 WHERE list='field'"), 0);

  /* a required master choice whose list is still empty (活動可能時間帯,
   * 「別途提示」) does not block the form; once staff add entries it is
   * required again, and an unknown value is refused either way */
  const field *tb = field_by_column(schema_find("member")->fields, "time_band");
  assert_non_null(tb);
  field tbl[2] = {*tb, {0}};
  kv *none = NULL, *bad = NULL;
  kv_add(&r.a, &bad, "time_band", "深夜", strlen("深夜"));
  errs = NULL;
  assert_int_equal(fields_validate_db(db, &r.a, tbl, none, NULL, &errs), 0);
  errs = NULL;
  assert_int_equal(fields_validate_db(db, &r.a, tbl, bad, NULL, &errs), 1);
  assert_int_equal(db_exec(db, "INSERT INTO master_items(list, value, label) VALUES ('time_band', '午前', '午前')"), 0);
  errs = NULL;
  assert_int_equal(fields_validate_db(db, &r.a, tbl, none, NULL, &errs), 1);
  assert_int_equal(db_exec(db, "DELETE FROM master_items WHERE list='time_band'"), 0);
  arena_free(&r.a);
}

static void test_fields_values_and_kinds(void **state) {
  (void)state;
  request r = {0};
  r.app = &A;
  const content_type *t = schema_find("group");
  kv *form = NULL;
  const char *posted[][2] = {{"fields", "国際協力"}, {"name", "A"}, {"fields", "災害救援"},
                             {"fields", "国際協力"}, {"fields", "x\ny"}, {"name", "B"}};
  for (size_t i = 0; i < 6; i++) kv_add(&r.a, &form, posted[i][0], posted[i][1], strlen(posted[i][1]));
  kv *v = fields_values(&r, t->fields, form);
  assert_string_equal(kv_get(v, "fields"), "国際協力\n災害救援"); /* dedup, no smuggled newline */
  assert_string_equal(kv_get(v, "name"), "A");
  assert_string_equal(kv_get(v, "features"), ""); /* unticked group is seen as empty */
  assert_null(kv_get(v, "file_1"));
  /* 別紙3: CSR only for companies, 活動目的 only for groups/NPOs */
  const field *company = fields_for_kind(&r.a, t->fields, "company");
  const field *npo = fields_for_kind(&r.a, t->fields, "npo");
  assert_non_null(field_by_column(company, "csr"));
  assert_null(field_by_column(npo, "csr"));
  assert_null(field_by_column(company, "purpose"));
  assert_string_equal(field_by_column(company, "org_class")->master, "company_class");
  assert_string_equal(field_by_column(npo, "org_class")->master, "group_class");
  assert_true(multi_contains("a\nbb\nc", "bb"));
  assert_false(multi_contains("a\nbb\nc", "b"));
  assert_false(multi_contains("", ""));
  arena_free(&r.a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_group_roundtrip),
      cmocka_unit_test(test_multi_validation),
      cmocka_unit_test(test_fields_values_and_kinds),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
