/* config.c — configuration file and defaults (see config.h). Every limit
 * of struct limits can be set here; the defaults are stated in one place,
 * config_defaults(), and documented key by key in docs/設定ファイル.md (a test keeps the two in step). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h> /* issue 8: ops */
#include <fcntl.h>
#include <sys/stat.h>

#include "mail.h"

#ifndef CIVICNET_ROOT
#define CIVICNET_ROOT "/usr/share/civicnet"
#endif

/* smtp:// or smtps:// followed by a host, printable ASCII only. */
static bool smtp_url_ok(const char *v) {
  size_t skip = !strncmp(v, "smtp://", 7) ? 7 : !strncmp(v, "smtps://", 8) ? 8 : 0;
  if (!skip || !v[skip] || strlen(v) >= sizeof ((config *)0)->smtp_url) return false;
  for (const char *p = v; *p; p++)
    if (*p <= ' ' || *p > '~') return false;
  return true;
}

/* Copies a mail setting after the header check (no CR/LF; IPA item 7). */
static int set_mail_str(char *dst, size_t n, const char *v, bool addr) {
  if (strlen(v) >= n || (addr ? !mail_addr_ok(v) : !mail_header_ok(v, strlen(v)))) return -1;
  snprintf(dst, n, "%s", v);
  return 0;
}

void config_defaults(config *c) {
  memset(c, 0, sizeof *c);
#ifdef CIVICNET_SHARE /* issue 8: ops — an installed binary (make install) */
  snprintf(c->root_dir, sizeof c->root_dir, "%s",
           getenv("CIVICNET_ROOT") ? getenv("CIVICNET_ROOT") : CIVICNET_SHARE);
#else
  snprintf(c->root_dir, sizeof c->root_dir, "%s",
           getenv("CIVICNET_ROOT") ? getenv("CIVICNET_ROOT") : CIVICNET_ROOT);
#endif
  snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
  c->listen_port = 8080;
  snprintf(c->site_name_supernet, sizeof c->site_name_supernet, "山口県県民活動スーパーネット");
  snprintf(c->site_name_aika, sizeof c->site_name_aika, "あいかさねっと");
  c->lim.connections = 512;
  c->lim.per_ip = 64;
  c->lim.timeout_s = 30;
  c->lim.conn_memory = 32 * 1024; /* MHD zeroes it per request: keep it small */
  c->lim.body_max = 10 * 1024 * 1024;
  c->lim.url_max = 4096;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  c->lim.threads = cpus < 2 ? 2 : cpus > 16 ? 16 : (unsigned)cpus;
  c->lim.cache_max_bytes = 64 * 1024 * 1024;
  snprintf(c->smtp_url, sizeof c->smtp_url, "smtp://127.0.0.1:25");
  const char *env_smtp = getenv("CIVICNET_SMTP");
  if (env_smtp && smtp_url_ok(env_smtp))
    snprintf(c->smtp_url, sizeof c->smtp_url, "%s", env_smtp);
  else if (env_smtp)
    fprintf(stderr, "civicnet: CIVICNET_SMTP ignored: expected smtp://HOST:PORT or smtps://…\n");
  snprintf(c->mail_from, sizeof c->mail_from, "noreply@localhost");
  snprintf(c->mail_from_name, sizeof c->mail_from_name, "やまぐち県民活動支援センター");
  c->mail_rate_per_minute = 120;
  c->mail_retry_base_seconds = 30;
  /* issue 8: ops */
  c->backup_hour = 3;
  c->backup_keep_daily = 14;
  c->backup_keep_monthly = 6;
  c->disk_min_free_percent = 5;
  /* end issue 8: ops */
}

int config_set_listen(config *c, const char *v) {
  const char *colon = strrchr(v, ':');
  if (!colon || colon == v || (size_t)(colon - v) >= sizeof c->listen_host) return -1;
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (*end || port < 1 || port > 65535) return -1;
  snprintf(c->listen_host, sizeof c->listen_host, "%.*s", (int)(colon - v), v);
  c->listen_port = (unsigned)port;
  return 0;
}

static int set_size(size_t *dst, const char *v) {
  char *end;
  unsigned long long n = strtoull(v, &end, 10);
  if (end == v) return -1;
  if (*end == 'k' || *end == 'K') n *= 1024, end++;
  else if (*end == 'm' || *end == 'M') n *= 1024 * 1024, end++;
  if (*end || n == 0) return -1;
  *dst = (size_t)n;
  return 0;
}

static int set_uint(unsigned *dst, const char *v) {
  size_t n;
  if (set_size(&n, v) || n > 1000000) return -1;
  *dst = (unsigned)n;
  return 0;
}

/* issue 8: ops — an absolute path without control characters. */
static int set_path(char *dst, size_t n, const char *v) {
  if (!*v) return dst[0] = 0, 0;
  if (v[0] != '/' || strlen(v) >= n || strpbrk(v, "\r\n\t")) return -1;
  snprintf(dst, n, "%s", v);
  return 0;
}

/* A secret kept in its own file, which must be readable by its owner
 * only (0600/0400): its first line, without the line end. */
static int read_secret_file(char *dst, size_t n, const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) || (st.st_mode & 077) || !S_ISREG(st.st_mode)) {
    if (fd >= 0) close(fd);
    return -1;
  }
  char b[256];
  ssize_t r = read(fd, b, sizeof b - 1);
  close(fd);
  if (r <= 0) return -1;
  b[r] = 0;
  b[strcspn(b, "\r\n")] = 0;
  size_t len = strlen(b);
  if (len >= n || !mail_header_ok(b, len)) return -1;
  memcpy(dst, b, len + 1);
  return 0;
}
/* end issue 8: ops */

/* Apply one key = value; returns 0, -1 bad value, -2 unknown key. */
static int config_apply(config *c, const char *k, const char *v) {
  if (!strcmp(k, "listen")) return config_set_listen(c, v);
  if (!strcmp(k, "root")) return snprintf(c->root_dir, sizeof c->root_dir, "%s", v) > 0 ? 0 : -1;
  if (!strcmp(k, "tls_behind_proxy")) {
    c->tls_behind_proxy = !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1");
    return 0;
  }
  if (!strcmp(k, "max_connections")) return set_uint(&c->lim.connections, v);
  if (!strcmp(k, "max_connections_per_ip")) return set_uint(&c->lim.per_ip, v);
  if (!strcmp(k, "connection_timeout")) return set_uint(&c->lim.timeout_s, v);
  if (!strcmp(k, "connection_memory")) return set_size(&c->lim.conn_memory, v);
  if (!strcmp(k, "max_body")) return set_size(&c->lim.body_max, v);
  if (!strcmp(k, "max_url")) return set_size(&c->lim.url_max, v);
  if (!strcmp(k, "threads")) return set_uint(&c->lim.threads, v);
  if (!strcmp(k, "cache_size")) return set_size(&c->lim.cache_max_bytes, v);
  if (!strcmp(k, "smtp_url")) {
    if (!smtp_url_ok(v)) return -1;
    const char *env = getenv("CIVICNET_SMTP");
    if (!env || !smtp_url_ok(env)) snprintf(c->smtp_url, sizeof c->smtp_url, "%s", v);
    return 0; /* the environment variable wins (see config_defaults) */
  }
  if (!strcmp(k, "smtp_starttls")) {
    if (strcmp(v, "yes") && strcmp(v, "no")) return -1;
    c->smtp_starttls = !strcmp(v, "yes");
    return 0;
  }
  if (!strcmp(k, "smtp_user")) return set_mail_str(c->smtp_user, sizeof c->smtp_user, v, false);
  if (!strcmp(k, "smtp_password"))
    return set_mail_str(c->smtp_password, sizeof c->smtp_password, v, false);
  if (!strcmp(k, "mail_from")) return set_mail_str(c->mail_from, sizeof c->mail_from, v, true);
  if (!strcmp(k, "mail_from_name"))
    return set_mail_str(c->mail_from_name, sizeof c->mail_from_name, v, false);
  if (!strcmp(k, "centre_address")) {
    if (!*v) return c->centre_address[0] = 0, 0;
    return set_mail_str(c->centre_address, sizeof c->centre_address, v, true);
  }
  if (!strcmp(k, "public_url")) { /* links in mail never come from the Host header */
    size_t n = strlen(v);
    if (n >= sizeof c->public_url || (strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) ||
        strpbrk(v, " \"<>\\'") || (n && v[n - 1] == '/'))
      return -1;
    snprintf(c->public_url, sizeof c->public_url, "%s", v);
    return 0;
  }
  if (!strcmp(k, "mail_rate_per_minute")) return set_uint(&c->mail_rate_per_minute, v);
  if (!strcmp(k, "mail_retry_base_seconds"))
    return set_uint(&c->mail_retry_base_seconds, v);
  /* issue 8: ops */
  if (!strcmp(k, "trusted_proxy")) {
    struct in6_addr a6;
    struct in_addr a4;
    if (*v && inet_pton(AF_INET, v, &a4) != 1 && inet_pton(AF_INET6, v, &a6) != 1) return -1;
    return snprintf(c->trusted_proxy, sizeof c->trusted_proxy, "%s", v) < (int)sizeof c->trusted_proxy ? 0 : -1;
  }
  if (!strcmp(k, "backup_dir")) return set_path(c->backup_dir, sizeof c->backup_dir, v);
  if (!strcmp(k, "backup_copy_dir")) return set_path(c->backup_copy_dir, sizeof c->backup_copy_dir, v);
  if (!strcmp(k, "backup_key_file")) return set_path(c->backup_key_file, sizeof c->backup_key_file, v);
  if (!strcmp(k, "backup_time")) {
    unsigned h, m;
    char extra;
    if (sscanf(v, "%2u:%2u%c", &h, &m, &extra) != 2 || h > 23 || m > 59) return -1;
    c->backup_hour = h, c->backup_minute = m;
    return 0;
  }
  if (!strcmp(k, "backup_keep_daily")) return set_uint(&c->backup_keep_daily, v);
  if (!strcmp(k, "backup_keep_monthly")) return set_uint(&c->backup_keep_monthly, v);
  if (!strcmp(k, "disk_min_free_percent")) {
    if (set_uint(&c->disk_min_free_percent, v) || c->disk_min_free_percent > 90) return -1;
    return 0;
  }
  if (!strcmp(k, "metrics_listen")) {
    if (!*v) return c->metrics_port = 0, 0;
    const char *colon = strrchr(v, ':');
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || *end || port < 1 || port > 65535 || (size_t)(colon - v) >= sizeof c->metrics_host) return -1;
    snprintf(c->metrics_host, sizeof c->metrics_host, "%.*s", (int)(colon - v), v);
    /* metrics are for the monitoring host only: loopback addresses */
    if (strcmp(c->metrics_host, "127.0.0.1") && strcmp(c->metrics_host, "::1") &&
        strcmp(c->metrics_host, "[::1]"))
      return -1;
    c->metrics_port = (unsigned)port;
    return 0;
  }
  if (!strcmp(k, "smtp_password_file")) return read_secret_file(c->smtp_password, sizeof c->smtp_password, v);
  if (!strcmp(k, "user")) {
    if (!*v || strlen(v) >= sizeof c->run_as_user || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(v))
      return -1;
    return snprintf(c->run_as_user, sizeof c->run_as_user, "%s", v) > 0 ? 0 : -1;
  }
  if (!strcmp(k, "tls_cert_file")) return set_path(c->tls_cert_file, sizeof c->tls_cert_file, v);
  if (!strcmp(k, "tls_key_file")) return set_path(c->tls_key_file, sizeof c->tls_key_file, v);
  if (!strcmp(k, "site_name_supernet") || !strcmp(k, "site_name_aika")) {
    char *dst = k[10] == 's' ? c->site_name_supernet : c->site_name_aika;
    if (!*v || strlen(v) >= sizeof c->site_name_aika || !mail_header_ok(v, strlen(v))) return -1;
    snprintf(dst, sizeof c->site_name_aika, "%s", v);
    return 0;
  }
  /* end issue 8: ops */
  return -2;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
  return s;
}

int config_load(config *c, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open", path);
    return -1;
  }
  char line[1024];
  int ln = 0, rc = 0;
  while (!rc && fgets(line, sizeof line, f)) {
    ln++;
    char *s = trim(line);
    if (!*s || *s == '#') continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      snprintf(err, errlen, "%s:%d: expected key = value", path, ln);
      rc = -1;
      break;
    }
    *eq = 0;
    char *k = trim(s), *v = trim(eq + 1);
    int r = config_apply(c, k, v);
    if (r == -2) snprintf(err, errlen, "%s:%d: unknown setting '%s'", path, ln, k);
    if (r == -1) snprintf(err, errlen, "%s:%d: bad value for '%s'", path, ln, k);
    if (r) rc = -1;
    /* issue 8: ops — a password written in the file needs a private file */
    struct stat st;
    if (!rc && !strcmp(k, "smtp_password") && *v && fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
      snprintf(err, errlen, "%s:%d: smtp_password in a file others can read: chmod 600 %s, or use smtp_password_file",
               path, ln, path);
      rc = -1;
    }
  }
  fclose(f);
  return rc;
}
