/* privdrop.c — bind as root, then run as an ordinary user (see privdrop.h). */
#include "privdrop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The whole of a small file (a PEM), NUL-terminated; NULL on error. */
static char *slurp(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) || st.st_size <= 0 || st.st_size > 1024 * 1024) {
    if (fd >= 0) close(fd);
    return NULL;
  }
  char *p = malloc((size_t)st.st_size + 1);
  ssize_t n = p ? read(fd, p, (size_t)st.st_size) : -1;
  close(fd);
  if (n != st.st_size) {
    free(p);
    return NULL;
  }
  p[n] = 0;
  return p;
}

static int read_tls(app *a) {
  if (!a->cfg.tls_cert_file[0] && !a->cfg.tls_key_file[0]) return 0;
  if (!a->cfg.tls_cert_file[0] || !a->cfg.tls_key_file[0]) {
    fprintf(stderr, "civicnet: TLS needs both tls_cert_file and tls_key_file\n");
    return -1;
  }
  struct stat st;
  if (stat(a->cfg.tls_key_file, &st) == 0 && (st.st_mode & 077)) {
    fprintf(stderr, "civicnet: %s: the TLS key must be readable by its owner only (chmod 600)\n",
            a->cfg.tls_key_file);
    return -1;
  }
  a->tls_cert_pem = slurp(a->cfg.tls_cert_file);
  a->tls_key_pem = slurp(a->cfg.tls_key_file);
  if (!a->tls_cert_pem || !a->tls_key_pem) {
    fprintf(stderr, "civicnet: cannot read %s\n", !a->tls_cert_pem ? a->cfg.tls_cert_file : a->cfg.tls_key_file);
    return -1;
  }
  a->cfg.tls_behind_proxy = true; /* Secure cookies, HSTS */
  return 0;
}

static int bind_listener(app *a) {
  struct sockaddr_storage ss = {0};
  socklen_t len;
  struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, a->cfg.listen_host, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)a->cfg.listen_port);
    len = sizeof *s4;
  } else if (inet_pton(AF_INET6, a->cfg.listen_host, &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)a->cfg.listen_port);
    len = sizeof *s6;
  } else {
    fprintf(stderr, "civicnet: listen: %s is not an IP address\n", a->cfg.listen_host);
    return -1;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
      bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 511)) {
    fprintf(stderr, "civicnet: cannot listen on %s:%u: %s\n", a->cfg.listen_host, a->cfg.listen_port,
            strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  a->listen_fd = fd;
  return 0;
}

int serve_prepare_privileges(app *a) {
  a->listen_fd = -1;
  if (read_tls(a)) return -1;
  if (geteuid() != 0) return 0;
  if (!a->cfg.run_as_user[0]) { /* `make run` on a fresh machine: allowed, but said */
    fprintf(stderr, "civicnet: warning: serving as root; in production set `user = NAME` in the config "
                    "or start it as that user (deploy/civicnet.service)\n");
    return 0;
  }
  struct passwd *pw = getpwnam(a->cfg.run_as_user);
  if (!pw || pw->pw_uid == 0) {
    fprintf(stderr, "civicnet: user %s: no such unprivileged user\n", a->cfg.run_as_user);
    return -1;
  }
  if (bind_listener(a)) return -1;
  /* the data directory must be the user's own (created here if new) */
  struct stat st;
  if (mkdir(a->cfg.data_dir, 0700) == 0) {
    if (chown(a->cfg.data_dir, pw->pw_uid, pw->pw_gid)) return -1;
  } else if (stat(a->cfg.data_dir, &st) || st.st_uid != pw->pw_uid) {
    fprintf(stderr, "civicnet: %s must belong to %s (chown -R %s %s)\n", a->cfg.data_dir,
            a->cfg.run_as_user, a->cfg.run_as_user, a->cfg.data_dir);
    return -1;
  }
  if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
    fprintf(stderr, "civicnet: cannot become %s: %s\n", a->cfg.run_as_user, strerror(errno));
    return -1;
  }
  if (setuid(0) == 0 || geteuid() == 0) { /* must be irrevocable */
    fprintf(stderr, "civicnet: could not drop root privileges\n");
    return -1;
  }
  fprintf(stderr, "civicnet: listening on %s:%u as %s\n", a->cfg.listen_host, a->cfg.listen_port,
          a->cfg.run_as_user);
  return 0;
}

void serve_release_tls(app *a) {
  if (a->tls_key_pem) explicit_bzero(a->tls_key_pem, strlen(a->tls_key_pem));
  free(a->tls_key_pem);
  free(a->tls_cert_pem);
  a->tls_key_pem = a->tls_cert_pem = NULL;
}
