/* test_master.c — unit tests of the master lists (master.c) and of
 * fields that take their choices from them (fields.c, .master): the seed
 * of 0008_master_lists.sql, active / stopped / unknown values, the
 * "a stopped value stays valid for the record that holds it" rule, fixed
 * extras, failing closed without a database, labels after a rename, and
 * the content-generation triggers. In-memory DB migrated from
 * db/migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "fields.h"
#include "master.h"
#include "request.h"

static sqlite3 *mem_db_with_migrations(void) {
  char err[512];
  sqlite3 *db = db_open_path(":memory:", err, sizeof err);
  assert_non_null(db);
  assert_true(db_migrate(db, CIVICNET_ROOT "/db/migrations", NULL, err, sizeof err) >= 1);
  return db;
}

static long long scalar(sqlite3 *db, const char *q) {
  sqlite3_stmt *st = db_prep(db, q);
  assert_non_null(st);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  long long v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static void test_seed_counts(void **state) {
  (void)state;
  sqlite3 *db = mem_db_with_migrations();
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='municipality'"), 19);
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='prefecture'"), 47);
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='target_area'"), 5);
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='group_class'"), 11);
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='company_class'"), 5);
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='budget'"), 7);
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='feature'"), 6);
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='weekday'"), 7);
  /* 0010: 特定非営利活動促進法 別表 — 19 for Supernet, all 20 for Aika */
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='field'"), 19);
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='aika_field'"), 20);
  /* every seeded list matches the count the spec names */
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_lists l WHERE expected IS NOT NULL AND"
                              " (SELECT count(*) FROM master_items i WHERE i.list=l.name) NOT IN (0, expected)"), 0);
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE list='municipality' AND kana=''"), 0);
  assert_int_equal(scalar(db, "SELECT count(*) FROM master_items WHERE value<>label OR active<>1"), 0);
  assert_true(master_list_exists(db, "field"));
  assert_false(master_list_exists(db, "no_such"));
  assert_false(master_list_exists(db, "x' OR '1'='1"));
  sqlite3_close(db);
}

static void test_lookup_and_accepts(void **state) {
  (void)state;
  sqlite3 *db = mem_db_with_migrations();
  assert_int_equal(master_lookup(db, "municipality", "下関市"), MASTER_ACTIVE);
  assert_int_equal(master_lookup(db, "municipality", "東京市"), MASTER_UNKNOWN);
  assert_int_equal(master_lookup(db, "prefecture", "下関市"), MASTER_UNKNOWN); /* other list */
  assert_int_equal(master_lookup(db, "no_such", "下関市"), MASTER_UNKNOWN);
  assert_int_equal(master_lookup(db, "municipality", "下関市' OR '1'='1"), MASTER_UNKNOWN);
  assert_int_equal(master_lookup(NULL, "municipality", "下関市"), MASTER_UNKNOWN);
  assert_int_equal(db_exec(db, "UPDATE master_items SET active=0 WHERE list='municipality' AND value='阿武町'"), 0);
  assert_int_equal(master_lookup(db, "municipality", "阿武町"), MASTER_INACTIVE);
  assert_false(master_accepts(db, "municipality", "阿武町", NULL));      /* new record */
  assert_true(master_accepts(db, "municipality", "阿武町", "阿武町"));   /* kept by its record */
  assert_false(master_accepts(db, "municipality", "阿武町", "萩市"));    /* a change to it */
  assert_true(master_accepts(db, "municipality", "萩市", NULL));
  assert_false(master_accepts(db, "municipality", "東京市", "東京市"));  /* never listed */
  /* one value per list; entries belong to a catalogued list */
  assert_int_not_equal(sqlite3_exec(db, "INSERT INTO master_items(list, value, label) VALUES ('municipality','萩市','萩')",
                                    NULL, NULL, NULL), SQLITE_OK);
  assert_int_not_equal(sqlite3_exec(db, "INSERT INTO master_items(list, value, label) VALUES ('no_such','a','a')",
                                    NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

static const field F[] = {
    {.column = "municipality", .label = "市町", .kind = F_SELECT, .required = true,
     .master = "municipality", .choices = "山口県外=山口県外"},
    {.column = "org_type", .label = "団体の分類", .kind = F_SELECT, .master = "group_class"},
    {0}};

static int validate(sqlite3 *db, arena *a, const char *city, const char *org, const char *old_city) {
  kv *v = NULL, *old = NULL;
  if (city) kv_add(a, &v, "municipality", city, strlen(city));
  if (org) kv_add(a, &v, "org_type", org, strlen(org));
  if (old_city) kv_add(a, &old, "municipality", old_city, strlen(old_city));
  field_error *errs = NULL;
  return fields_validate_db(db, a, F, v, old, &errs);
}

static void test_fields_with_master(void **state) {
  (void)state;
  sqlite3 *db = mem_db_with_migrations();
  arena a;
  arena_init(&a);
  assert_int_equal(validate(db, &a, "下関市", "NPO法人", NULL), 0);
  assert_int_equal(validate(db, &a, "山口県外", NULL, NULL), 0);   /* fixed extra */
  assert_int_equal(validate(db, &a, "東京市", "株式会社", NULL), 2); /* 株式会社 is a company class */
  assert_int_equal(validate(db, &a, NULL, NULL, NULL), 1);           /* required */
  assert_int_equal(validate(db, &a, "", "", NULL), 1);               /* optional may be empty */
  assert_int_equal(db_exec(db, "UPDATE master_items SET active=0 WHERE list='municipality' AND value='阿武町'"), 0);
  assert_int_equal(validate(db, &a, "阿武町", NULL, NULL), 1);
  assert_int_equal(validate(db, &a, "阿武町", NULL, "阿武町"), 0);
  field_error *errs = NULL;
  kv *v = NULL;
  kv_add(&a, &v, "municipality", "阿武町", strlen("阿武町"));
  fields_validate_db(db, &a, F, v, NULL, &errs);
  assert_non_null(errs);
  assert_string_equal(errs->message, "市町を一覧から選択してください。");
  /* without a database: fail closed, but the fixed extras still work */
  assert_non_null(field_check(&a, &F[0], "下関市"));
  assert_null(field_check(&a, &F[0], "山口県外"));
  arena_free(&a);
  sqlite3_close(db);
}

static void test_labels_and_generation(void **state) {
  (void)state;
  sqlite3 *db = mem_db_with_migrations();
  arena a;
  arena_init(&a);
  long long gen = scalar(db, "SELECT gen FROM content_generation");
  assert_int_equal(db_exec(db, "UPDATE master_items SET label='下関' WHERE list='municipality' AND value='下関市'"), 0);
  assert_true(scalar(db, "SELECT gen FROM content_generation") > gen);
  assert_string_equal(master_label(&a, db, "municipality", "下関市"), "下関");
  assert_string_equal(master_label(&a, db, "municipality", "東京市"), "東京市");
  assert_string_equal(master_label(&a, db, "municipality", NULL), "");
  gen = scalar(db, "SELECT gen FROM content_generation");
  assert_int_equal(db_exec(db, "INSERT INTO master_items(list, value, label, sort) VALUES ('field','環境','環境',10)"), 0);
  assert_true(scalar(db, "SELECT gen FROM content_generation") > gen);
  assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name GLOB 'cgen_master_items_*'"), 3);
  arena_free(&a);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_seed_counts),
      cmocka_unit_test(test_lookup_and_accepts),
      cmocka_unit_test(test_fields_with_master),
      cmocka_unit_test(test_labels_and_generation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
