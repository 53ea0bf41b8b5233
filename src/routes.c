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
    /* Shared */
    {"display", M_GET, "/settings/display", display_prefs, ROLE_ANON, false, false, "fs bg return"},
    {"static", M_GET, "/static/{path:path}", static_file, ROLE_ANON, false, false, ""},
    {"healthz", M_GET, "/healthz", healthz, ROLE_ANON, false, false, ""},
    {0}};
