/* ui_misc.c — small routes: static files, the display-preference switcher
 * (文字サイズ・背景色, S12; works without JavaScript, remembered in
 * cookies), the health check and trailing-slash redirects. */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "request.h"
#include "ui.h"

typedef struct mime {
  const char *ext, *type;
} mime;

static const mime MIMES[] = {
    {".css", "text/css; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
    {".png", "image/png"},               {".jpg", "image/jpeg"},
    {".svg", "image/svg+xml"},           {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},            {".txt", "text/plain; charset=utf-8"},
    {".pdf", "application/pdf"},         {NULL, NULL}};

/* The route's {path:path} type already refused "..", dotfiles and any
 * character outside [A-Za-z0-9._-/]; only known extensions are served. */
int static_file(request *r) {
  const char *rel = r->params[0];
  const char *dot = strrchr(rel, '.');
  const mime *m = MIMES;
  while (m->ext && (!dot || strcmp(dot, m->ext) != 0)) m++;
  if (!m->ext) return 404;
  char path[1200];
  snprintf(path, sizeof path, "%s/static/%s", r->app->cfg.root_dir, rel);
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 404;
  struct stat sb;
  if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > 16 * 1024 * 1024) {
    close(fd);
    return 404;
  }
  buf_reset(&r->body);
  char tmp[16384];
  ssize_t n;
  while ((n = read(fd, tmp, sizeof tmp)) > 0) buf_append(&r->body, tmp, (size_t)n);
  close(fd);
  r->content_type = m->type;
  resp_header(r, "Cache-Control", "public, max-age=3600");
  return 200;
}

/* GET /settings/display?fs=l|…&bg=k|…&return=/path — sets a cookie and
 * goes back. Only a display preference changes, nothing on the server. */
int display_prefs(request *r) {
  static const char *const fs[] = {"m", "l", "xl", NULL}, *const bg[] = {"w", "k", "b", NULL};
  const char *v;
  if ((v = req_query(r, "fs")))
    for (int i = 0; fs[i]; i++)
      if (strcmp(v, fs[i]) == 0) resp_cookie(r, "cn_fs", fs[i], 365L * 86400);
  if ((v = req_query(r, "bg")))
    for (int i = 0; bg[i]; i++)
      if (strcmp(v, bg[i]) == 0) resp_cookie(r, "cn_bg", bg[i], 365L * 86400);
  r->set_cookie = true;
  const char *back = req_query(r, "return");
  return resp_redirect(r, path_is_local(back) ? back : "/");
}

int healthz(request *r) {
  sqlite3 *db = db_thread(r->app);
  sqlite3_stmt *st = db ? db_prep(db, "SELECT count(*) FROM schema_migrations") : NULL;
  long long n = row_int(st);
  r->content_type = "text/plain; charset=utf-8";
  r->no_store = true;
  buf_reset(&r->body);
  if (n <= 0) {
    buf_puts(&r->body, "database unavailable\n");
    return 503;
  }
  buf_printf(&r->body, "ok\nmigrations %lld\n", n);
  return 200;
}

/* "/aikasanet" → "/aikasanet/", "/admin" → "/admin/". */
int redirect_slash(request *r) {
  return resp_redirect(r, arena_printf(&r->a, "%s/", r->path));
}
