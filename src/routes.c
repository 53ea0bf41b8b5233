/* routes.c — THE route table: every URL civicnet answers, declared once.
 * Columns: name, methods, pattern, handler, minimum role, CSRF on POST,
 * cacheable for anonymous visitors, declared parameters. Order matters:
 * the first matching pattern wins. tests/http walks this table (via
 * `civicnet routes`) to check authorisation for every role. */
#include "route.h"
#include "ui.h"

const route ROUTES[] = {
    /* Supernet (S) */
    {"supernet.home", M_GET, "/", supernet_home, ROLE_ANON, false, true, ""},
    {"supernet.news", M_GET, "/news/", news_list, ROLE_ANON, false, true, "page"},
    {"supernet.news.item", M_GET, "/news/{id:int}", news_detail, ROLE_ANON, false, true, ""},
    {"supernet.centre_news", M_GET, "/center-news/", news_list, ROLE_ANON, false, true, "page"},
    {"supernet.centre_news.item", M_GET, "/center-news/{id:int}", news_detail, ROLE_ANON, false, true, ""},
    /* Aika (A) */
    {"aika.root", M_GET, "/aikasanet", redirect_slash, ROLE_ANON, false, false, ""},
    {"aika.home", M_GET, "/aikasanet/", aika_home, ROLE_ANON, false, true, ""},
    {"aika.news", M_GET, "/aikasanet/news/", news_list, ROLE_ANON, false, true, "page"},
    {"aika.news.item", M_GET, "/aikasanet/news/{id:int}", news_detail, ROLE_ANON, false, true, ""},
    /* Staff (C) */
    {"admin.root", M_GET, "/admin", redirect_slash, ROLE_ANON, false, false, ""},
    {"admin.login", M_GET, "/admin/login", admin_login_form, ROLE_ANON, false, false, "next"},
    {"admin.login.post", M_POST, "/admin/login", admin_login_post, ROLE_ANON, true, false, "login password next"},
    {"admin.logout", M_POST, "/admin/logout", admin_logout, ROLE_EDITOR, true, false, ""},
    {"admin.home", M_GET, "/admin/", admin_home, ROLE_EDITOR, false, false, ""},
    {"admin.password", M_GET, "/admin/password", password_form, ROLE_EDITOR, false, false, "done"},
    {"admin.password.post", M_POST, "/admin/password", password_post, ROLE_EDITOR, true, false, "current password confirm"},
    {"admin.staff", M_GET, "/admin/staff/", staff_list, ROLE_ADMIN, false, false, "done"},
    {"admin.staff.new", M_GET, "/admin/staff/new", staff_new_form, ROLE_ADMIN, false, false, ""},
    {"admin.staff.new.post", M_POST, "/admin/staff/new", staff_new_post, ROLE_ADMIN, true, false, "login display_name role password"},
    {"admin.staff.edit", M_GET, "/admin/staff/{id:int}/edit", staff_edit_form, ROLE_ADMIN, false, false, ""},
    {"admin.staff.edit.post", M_POST, "/admin/staff/{id:int}/edit", staff_edit_post, ROLE_ADMIN, true, false, "display_name role disabled"},
    {"admin.staff.delete", M_GET, "/admin/staff/{id:int}/delete", staff_delete_form, ROLE_ADMIN, false, false, ""},
    {"admin.staff.delete.post", M_POST, "/admin/staff/{id:int}/delete", staff_delete_post, ROLE_ADMIN, true, false, ""},
    {"admin.staff.unlock", M_POST, "/admin/staff/{id:int}/unlock", staff_unlock_post, ROLE_ADMIN, true, false, ""},
    /* Shared */
    {"display", M_GET, "/settings/display", display_prefs, ROLE_ANON, false, false, "fs bg return"},
    {"static", M_GET, "/static/{path:path}", static_file, ROLE_ANON, false, false, ""},
    {"healthz", M_GET, "/healthz", healthz, ROLE_ANON, false, false, ""},
    {0}};
