/* test_core.c — unit tests of the pieces under the HTTP core: route
 * matching with typed parameters, URL decoding and path checks, query
 * parsing, configuration, password hashing, the field-schema check, the
 * audit chain and the page cache. */
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
#include "audit.h"
#include "cache.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "request.h"
#include "route.h"
#include "schema.h"

static int h_dummy(request *r) { (void)r; return 200; }

static const route T[] = {
    {"home", M_GET, "/", h_dummy, ROLE_ANON, false, true, ""},
    {"item", M_GET, "/news/{id:int}", h_dummy, ROLE_ANON, false, true, "page q"},
    {"slug", M_GET | M_POST, "/p/{s:slug}/edit", h_dummy, ROLE_EDITOR, true, false, ""},
    {"file", M_GET, "/static/{p:path}", h_dummy, ROLE_ANON, false, false, ""},
    {"post", M_POST, "/login", h_dummy, ROLE_ANON, true, false, "login"},
    {0}};

static void test_route_literal_and_int(void **st) {
  (void)st;
  arena a;
  arena_init(&a);
  const route *r = NULL;
  const char *p[4] = {0};
  unsigned allow = 0;
  assert_int_equal(route_match(T, "GET", "/", &a, &r, p, &allow), RM_FOUND);
  assert_string_equal(r->name, "home");
  assert_int_equal(route_match(T, "GET", "/news/42", &a, &r, p, &allow), RM_FOUND);
  assert_string_equal(p[0], "42");
  assert_int_equal(route_match(T, "HEAD", "/news/42", &a, &r, p, &allow), RM_FOUND);
  const char *bad[] = {"/news/", "/news/abc", "/news/042", "/news/1x", "/news/-1",
                       "/news/1234567890123456789", "/news/42/", "/news//42"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(route_match(T, "GET", bad[i], &a, &r, p, &allow), RM_NOT_FOUND);
  arena_free(&a);
}

static void test_route_slug_path_and_methods(void **st) {
  (void)st;
  arena a;
  arena_init(&a);
  const route *r = NULL;
  const char *p[4] = {0};
  unsigned allow = 0;
  assert_int_equal(route_match(T, "POST", "/p/about-us/edit", &a, &r, p, &allow), RM_FOUND);
  assert_string_equal(p[0], "about-us");
  assert_int_equal(route_match(T, "GET", "/p/About/edit", &a, &r, p, &allow), RM_NOT_FOUND);
  assert_int_equal(route_match(T, "GET", "/static/css/site.css", &a, &r, p, &allow), RM_FOUND);
  assert_string_equal(p[0], "css/site.css");
  const char *bad[] = {"/static/../x", "/static/css/../../x", "/static/.env", "/static/css/.x",
                       "/static/a//b", "/static/a b", "/static/", "/static/a/"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(route_match(T, "GET", bad[i], &a, &r, p, &allow), RM_NOT_FOUND);
  assert_int_equal(route_match(T, "GET", "/login", &a, &r, p, &allow), RM_BAD_METHOD);
  assert_int_equal(allow, M_POST);
  assert_int_equal(route_match(T, "DELETE", "/", &a, &r, p, &allow), RM_BAD_METHOD);
  assert_int_equal(allow, M_GET | M_HEAD);
  arena_free(&a);
}

static void test_route_declares(void **st) {
  (void)st;
  assert_true(route_declares(&T[1], "page"));
  assert_true(route_declares(&T[1], "q"));
  assert_false(route_declares(&T[1], "pag"));
  assert_false(route_declares(&T[1], "page q"));
  assert_false(route_declares(&T[0], "page"));
  assert_false(route_declares(&T[1], ""));
}

static void test_url_decode(void **st) {
  (void)st;
  arena a;
  arena_init(&a);
  assert_string_equal(url_decode(&a, "a%20b+c", 7, true, false), "a b c");
  assert_string_equal(url_decode(&a, "a+b", 3, false, false), "a+b");
  assert_string_equal(url_decode(&a, "%E7%A6%8F%E7%A5%89", 18, true, false), "福祉");
  assert_null(url_decode(&a, "%ff", 3, true, false));       /* invalid UTF-8 */
  assert_null(url_decode(&a, "%C0%AF", 6, true, false));    /* overlong '/' */
  assert_null(url_decode(&a, "a%00b", 5, true, false));     /* NUL */
  assert_null(url_decode(&a, "%0d%0a", 6, true, false));    /* CR LF */
  assert_non_null(url_decode(&a, "%0d%0a", 6, true, true)); /* allowed in forms */
  assert_null(url_decode(&a, "%zz", 3, true, false));
  assert_null(url_decode(&a, "%4", 2, true, false));
  assert_null(url_decode(&a, "%", 1, true, false));
  arena_free(&a);
}

static void test_path_checks(void **st) {
  (void)st;
  assert_true(path_is_safe("/"));
  assert_true(path_is_safe("/news/1"));
  assert_true(path_is_safe("/a.b/c..d"));
  assert_false(path_is_safe("/.."));
  assert_false(path_is_safe("/a/../b"));
  assert_false(path_is_safe("/a/./b"));
  assert_false(path_is_safe("//evil"));
  assert_false(path_is_safe("/a\\b"));
  assert_false(path_is_safe("relative"));
  assert_true(path_is_local("/admin/"));
  assert_false(path_is_local("//evil.example/"));
  assert_false(path_is_local("/\\evil.example/"));
  assert_false(path_is_local("https://evil.example/"));
  assert_false(path_is_local("/x\r\nSet-Cookie: a=b"));
  assert_false(path_is_local(NULL));
}

static void test_query_parse(void **st) {
  (void)st;
  arena a;
  arena_init(&a);
  kv *q = NULL;
  assert_int_equal(query_parse(&a, "q=%E7%A6%8F%E7%A5%89&page=2&flag&&x=", &q), 0);
  assert_string_equal(kv_get(q, "q"), "福祉");
  assert_string_equal(kv_get(q, "page"), "2");
  assert_string_equal(kv_get(q, "flag"), "");
  assert_string_equal(kv_get(q, "x"), "");
  assert_null(kv_get(q, "missing"));
  assert_int_equal(query_parse(&a, "q=%ff", &q), -1);
  arena_free(&a);
}

static void test_config(void **st) {
  (void)st;
  config c;
  config_defaults(&c);
  assert_int_equal(c.listen_port, 8080);
  assert_int_equal(config_set_listen(&c, "0.0.0.0:9090"), 0);
  assert_string_equal(c.listen_host, "0.0.0.0");
  assert_int_equal(c.listen_port, 9090);
  assert_int_equal(config_set_listen(&c, "nohost"), -1);
  assert_int_equal(config_set_listen(&c, "h:70000"), -1);
  assert_int_equal(config_set_listen(&c, ":80"), -1);
  char path[] = "/tmp/civicnet-test-config-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("# comment\nmax_body = 2m\nthreads=8\n\ntls_behind_proxy = yes\n", f);
  fclose(f);
  char err[256];
  assert_int_equal(config_load(&c, path, err, sizeof err), 0);
  assert_int_equal(c.lim.body_max, 2 * 1024 * 1024);
  assert_int_equal(c.lim.threads, 8);
  assert_true(c.tls_behind_proxy);
  f = fopen(path, "w");
  fputs("threads = 2\nbogus = 1\n", f);
  fclose(f);
  assert_int_equal(config_load(&c, path, err, sizeof err), -1);
  assert_non_null(strstr(err, ":2: unknown setting 'bogus'"));
  f = fopen(path, "w");
  fputs("max_body = lots\n", f);
  fclose(f);
  assert_int_equal(config_load(&c, path, err, sizeof err), -1);
  assert_non_null(strstr(err, ":1: bad value for 'max_body'"));
  remove(path);
}

static void test_password_hash(void **st) {
  (void)st;
  char h1[160], h2[160];
  assert_int_equal(password_hash("correct horse", h1, sizeof h1), 0);
  assert_int_equal(password_hash("correct horse", h2, sizeof h2), 0);
  assert_string_not_equal(h1, h2); /* per-user salt */
  assert_non_null(strstr(h1, "pbkdf2-sha256$"));
  assert_true(password_verify("correct horse", h1));
  assert_false(password_verify("correct horsE", h1));
  assert_false(password_verify("", h1));
  assert_false(password_verify("correct horse", "pbkdf2-sha256$1$x$y"));
  assert_false(password_verify("correct horse", "$2y$10$abc"));
  assert_false(password_verify("x", ""));
}

static void test_b64url_and_hex(void **st) {
  (void)st;
  char out[80];
  b64url_encode((const unsigned char *)"\xfb\xff", 2, out);
  assert_string_equal(out, "-_8");
  b64url_encode((const unsigned char *)"abc", 3, out);
  assert_string_equal(out, "YWJj");
  sha256_hex("abc", 3, out);
  assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static sqlite3 *mem_db_with_migrations(void) {
  char err[512];
  sqlite3 *db = db_open_path(":memory:", err, sizeof err);
  assert_non_null(db);
  assert_true(db_migrate(db, CIVICNET_ROOT "/db/migrations", NULL, err, sizeof err) >= 1);
  return db;
}

static void test_schema_check(void **st) {
  (void)st;
  sqlite3 *db = mem_db_with_migrations();
  char err[512];
  assert_int_equal(schema_check(db, err, sizeof err), 0);
  assert_int_equal(db_exec(db, "ALTER TABLE grants DROP COLUMN amount"), 0);
  assert_int_equal(schema_check(db, err, sizeof err), -1);
  assert_string_equal(err, "grants.amount");
  assert_int_equal(db_exec(db, "DROP TRIGGER cgen_news_upd"), 0);
  assert_int_equal(schema_check(db, err, sizeof err), -1);
  assert_string_equal(err, "trigger cgen_news_upd, grants.amount");
  const content_type *t = schema_find("group");
  assert_non_null(t);
  char lab[64];
  assert_string_equal(schema_choice_label(&t->fields[0], "npo", lab, sizeof lab), "NPO法人");
  assert_string_equal(schema_choice_label(&t->fields[0], "zzz", lab, sizeof lab), "zzz");
  sqlite3_close(db);
}

static void test_migrations_are_idempotent(void **st) {
  (void)st;
  sqlite3 *db = mem_db_with_migrations();
  char err[512];
  assert_int_equal(db_migrate(db, CIVICNET_ROOT "/db/migrations", NULL, err, sizeof err), 0);
  assert_int_equal(db_migrate(db, "/nonexistent", NULL, err, sizeof err), -1);
  sqlite3_close(db);
}

static void test_audit_chain(void **st) {
  (void)st;
  sqlite3 *db = mem_db_with_migrations();
  for (int i = 0; i < 5; i++)
    assert_int_equal(audit_append(db, "staff", "publish", "news:1", "", "127.0.0.1"), 0);
  FILE *devnull = fopen("/dev/null", "w");
  assert_int_equal(audit_verify(db, devnull), 0);
  assert_int_not_equal(db_exec(db, "DELETE FROM audit_log WHERE id=3"), 0); /* trigger */
  db_exec(db, "DROP TRIGGER audit_log_no_delete");
  assert_int_equal(db_exec(db, "DELETE FROM audit_log WHERE id=3"), 0);
  assert_int_equal(audit_verify(db, devnull), 1);
  fclose(devnull);
  sqlite3_close(db);
}

static void test_audit_detects_reorder(void **st) {
  (void)st;
  sqlite3 *db = mem_db_with_migrations();
  assert_int_equal(audit_append(db, "a", "x", "", "", ""), 0);
  assert_int_equal(audit_append(db, "b", "y", "", "", ""), 0);
  db_exec(db, "DROP TRIGGER audit_log_no_update");
  /* swap actors with the hashes left as they were */
  db_exec(db, "UPDATE audit_log SET actor = CASE id WHEN 1 THEN 'b' ELSE 'a' END");
  FILE *devnull = fopen("/dev/null", "w");
  assert_int_equal(audit_verify(db, devnull), 1);
  fclose(devnull);
  sqlite3_close(db);
}

static int released;
static void release_str(void *p) {
  released++;
  free(p);
}
static void copy_str(void *obj, void *ctx) { strcpy(ctx, obj); }

static void test_cache_generations(void **st) {
  (void)st;
  released = 0;
  page_cache *c = cache_new(1024, release_str);
  char got[64] = "";
  assert_false(cache_use(c, "/", 1, copy_str, got));
  cache_put(c, "/", 1, strdup("hello"), 5);
  assert_true(cache_use(c, "/", 1, copy_str, got));
  assert_string_equal(got, "hello");
  assert_false(cache_use(c, "/", 2, copy_str, got)); /* a write happened */
  cache_put(c, "/x", 2, strdup("new"), 3);
  assert_int_equal(released, 1);                      /* old generation dropped */
  assert_false(cache_use(c, "/", 1, copy_str, got));
  cache_put(c, "/late", 1, strdup("stale"), 5);       /* rendered before the write */
  assert_int_equal(released, 2);                      /* refused and released */
  assert_false(cache_use(c, "/late", 1, copy_str, got));
  cache_put(c, "/x", 2, strdup("dup"), 3);            /* a second thread's copy */
  assert_int_equal(released, 3);
  assert_true(cache_use(c, "/x", 2, copy_str, got));
  assert_string_equal(got, "new");
  cache_put(c, "/big", 2, strdup("big"), 2000);       /* over budget: not kept */
  assert_false(cache_use(c, "/big", 2, copy_str, got));
  assert_true(cache_use(c, "/x", 2, copy_str, got));  /* the rest is kept */
  cache_free(c);
  assert_int_equal(released, 5);
}

static void test_text_paragraphs(void **st) {
  (void)st;
  request r;
  memset(&r, 0, sizeof r);
  arena_init(&r.a);
  tval *p = text_paragraphs(&r, "一行目\r\n二行目\n\n\u3000\n三段落目\n");
  assert_int_equal(tv_len(p), 2);
  arena_free(&r.a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_route_literal_and_int),
      cmocka_unit_test(test_route_slug_path_and_methods),
      cmocka_unit_test(test_route_declares),
      cmocka_unit_test(test_url_decode),
      cmocka_unit_test(test_path_checks),
      cmocka_unit_test(test_query_parse),
      cmocka_unit_test(test_config),
      cmocka_unit_test(test_password_hash),
      cmocka_unit_test(test_b64url_and_hex),
      cmocka_unit_test(test_schema_check),
      cmocka_unit_test(test_migrations_are_idempotent),
      cmocka_unit_test(test_audit_chain),
      cmocka_unit_test(test_audit_detects_reorder),
      cmocka_unit_test(test_cache_generations),
      cmocka_unit_test(test_text_paragraphs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
