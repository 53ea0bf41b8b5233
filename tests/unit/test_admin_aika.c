/* test_admin_aika.c — consistency of Aika's staff screens (issue 5) with
 * the field schema: every editable column of the recruitment, interview
 * and download types is declared on their admin create and edit routes
 * (and <file>_remove on edit), and every member column staff edit (all but
 * the kind and the state) is declared on the member edit route — so a form
 * field can never be refused with 400 because the route table lagged
 * behind src/schema.c. Also: the member edit route does not accept the
 * login, password or e-mail, which only the member's own flows change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "route.h"
#include "schema.h"

/* The route with exactly this method bit and pattern, or NULL. */
static const route *find_route(unsigned method, const char *pattern) {
  for (const route *r = ROUTES; r->pattern; r++)
    if ((r->methods & method) && strcmp(r->pattern, pattern) == 0) return r;
  return NULL;
}

static bool state_col(const char *col) { return !strcmp(col, "status") || !strcmp(col, "published_at"); }

static void test_content_routes_declare_columns(void **state) {
  (void)state;
  static const char *const TYPES[] = {"recruitment", "interview", "download"};
  for (size_t i = 0; i < sizeof TYPES / sizeof *TYPES; i++) {
    const content_type *t = schema_find(TYPES[i]);
    assert_non_null(t);
    assert_non_null(t->admin_base);
    char edit[128], create[128], list[128];
    snprintf(edit, sizeof edit, "%s{id:int}", t->admin_base);
    snprintf(create, sizeof create, "%snew", t->admin_base);
    snprintf(list, sizeof list, "%s", t->admin_base);
    const route *re = find_route(M_POST, edit), *rc = find_route(M_POST, create);
    if (!re || !rc) fail_msg("%s: POST %s and %s must be routed", t->name, edit, create);
    if (!find_route(M_GET, list)) fail_msg("%s: GET %s must be routed", t->name, list);
    for (const field *f = t->fields; f->column; f++) {
      if (state_col(f->column)) continue;
      if (!route_declares(re, f->column) || !route_declares(rc, f->column))
        fail_msg("%s: column %s is not declared on %s / %s", t->name, f->column, edit, create);
      if (f->kind == F_FILE) {
        char rm[96];
        snprintf(rm, sizeof rm, "%s_remove", f->column);
        if (!route_declares(re, rm)) fail_msg("%s: %s not declared on %s", t->name, rm, edit);
      }
    }
    assert_false(route_declares(re, "status"));
  }
  /* the recruitment list's own filters */
  const route *rl = find_route(M_GET, "/admin/recruitments/");
  assert_true(route_declares(rl, "member"));
  assert_true(route_declares(rl, "period"));
}

static void test_member_edit_declares_columns(void **state) {
  (void)state;
  const content_type *t = schema_find("member");
  assert_non_null(t);
  const route *re = find_route(M_POST, "/admin/members/{id:int}/edit");
  assert_non_null(re);
  for (const field *f = t->fields; f->column; f++) {
    if (state_col(f->column) || !strcmp(f->column, "kind")) continue;
    if (!route_declares(re, f->column)) fail_msg("member: column %s is not declared on the edit route", f->column);
  }
  static const char *const NEVER[] = {"kind", "status", "published_at", "login", "password", "email"};
  for (size_t i = 0; i < sizeof NEVER / sizeof *NEVER; i++)
    if (route_declares(re, NEVER[i])) fail_msg("member edit must not accept %s", NEVER[i]);
  /* the applications export is for administrators only */
  const route *ap = find_route(M_GET, "/admin/applications.csv");
  assert_non_null(ap);
  assert_int_equal(ap->min_role, ROLE_ADMIN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_content_routes_declare_columns),
      cmocka_unit_test(test_member_edit_declares_columns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
