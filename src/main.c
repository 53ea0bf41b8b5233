/* main.c — the civicnet command line, the IT contractor's interface:
 *   civicnet serve|migrate|demo|user|audit|mail|routes|backup|restore|check|keys|
 *            import-wp|import-csv|health-export|bench-match
 * Every command takes --help; unknown options or commands exit 2. */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "audit.h"
#include "audit_archive.h" /* issue 6: audit archive */
#include "cache.h"
#include "config.h"
#include "crypto.h"
#include "backup.h" /* issue 8: backup */
#include "check.h"  /* issue 8: check */
#include "privdrop.h" /* issue 8: ops */
#include "keys.h"     /* issue 8: ops */
#include "db.h"
#include "log.h"
#include "mail.h"
#include "outbox.h"
#include "pii.h"
#include "route.h"
#include "schema.h"
#include "server.h"
#include "upload.h"
/* issue 6: health export */
#include "health_export.h"
/* end issue 6: health export */
/* issue 5: matching */
#include <time.h>
#include "match.h"
/* end issue 5: matching */

static const char USAGE[] =
    "使い方: civicnet COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  serve --data DIR [--listen HOST:PORT] [--config FILE]\n"
    "                      run the web server (creates and migrates DIR/civicnet.db)\n"
    "  migrate --data DIR  create or upgrade the database\n"
    "  demo --data DIR     load Japanese demo content (only into an empty database)\n"
    "  user add --data DIR --login ID --role admin|editor [--name NAME]\n"
    "                      add a staff account; the password is read from stdin\n"
    "  user reset-2fa|unlock --data DIR --login ID\n"
    "                      recover a staff account (lost authenticator / sign-in lock)\n"
    "  audit verify --data DIR\n"
    "                      check the audit log's hash chain (exit 1 if broken)\n"
    /* issue 6: audit archive */
    "  audit archive --data DIR\n"
    "                      move audit rows past the retention into DIR/audit-archive/\n"
    "  audit verify --archive --data DIR\n"
    "                      check the archive files and their link to the database\n"
    /* end issue 6: audit archive */
    "  mail status --data DIR\n"
    "                      outgoing mail: count per state, oldest queued, failures\n"
    "  mail test --data DIR --to ADDR [--config FILE]\n"
    "                      queue a test mail to ADDR (the running server sends it)\n"
    "  routes [--matrix]   print the route table (tab-separated) or the role matrix\n"
    /* issue 7: csv import */
    "  import-csv --data DIR --type TYPE FILE [--encoding utf-8|cp932|auto] [--dry-run]\n"
    "                      import a CSV file (content type or newsletter subscribers)\n"
    /* end issue 7: csv import */
    /* issue 7: WordPress import */
    "  import-wp --data DIR DUMP.sql [--map FILE] [--uploads DIR] [--dry-run] [--allow-rejects]\n"
    "                      import the WordPress site from a mysqldump file (docs/移行/)\n"
    /* end issue 7: WordPress import */
    "\n"
    "Run 'civicnet COMMAND --help' for a command's options.\n";

typedef struct opts {
  const char *data, *listen, *config, *login, *role, *name, *to;
  bool help, matrix;
} opts;

/* Parse options common to all commands; allowed is a string of the
 * short letters this command accepts. Returns 0, or 2 on a usage error. */
static int parse_opts(int argc, char **argv, const char *cmd, const char *allowed,
                      opts *o) {
  static const struct option longs[] = {
      {"data", required_argument, NULL, 'd'},   {"listen", required_argument, NULL, 'l'},
      {"config", required_argument, NULL, 'c'}, {"login", required_argument, NULL, 'u'},
      {"role", required_argument, NULL, 'r'},   {"name", required_argument, NULL, 'n'},
      {"to", required_argument, NULL, 't'},     {"help", no_argument, NULL, 'h'},
      {"matrix", no_argument, NULL, 'm'},
      {NULL, 0, NULL, 0}};
  memset(o, 0, sizeof *o);
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
    if (ch == '?' || (ch != 'h' && !strchr(allowed, ch))) {
      fprintf(stderr, "civicnet %s: unknown or misused option '%s'\n", cmd,
              argv[optind - 1]);
      fprintf(stderr, "Run 'civicnet %s --help' for its options.\n", cmd);
      return 2;
    }
    switch (ch) {
      case 'd': o->data = optarg; break;
      case 'l': o->listen = optarg; break;
      case 'c': o->config = optarg; break;
      case 'u': o->login = optarg; break;
      case 'r': o->role = optarg; break;
      case 'n': o->name = optarg; break;
      case 't': o->to = optarg; break;
      case 'h': o->help = true; break;
      case 'm': o->matrix = true; break;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "civicnet %s: unexpected argument '%s'\n", cmd, argv[optind]);
    return 2;
  }
  if (!o->help && strchr(allowed, 'd') && !o->data) {
    fprintf(stderr, "civicnet %s: --data DIR is required\n", cmd);
    return 2;
  }
  return 0;
}

/* Create the data dir (0700) and secret key, open + migrate the database,
 * check the field schema. Returns an open handle or NULL. */
static sqlite3 *open_data(app *a, bool quiet) {
  if (mkdir(a->cfg.data_dir, 0700) && errno != EEXIST) {
    fprintf(stderr, "civicnet: %s: %s\n", a->cfg.data_dir, strerror(errno));
    return NULL;
  }
  char path[600], err[1024], dir[600];
  db_path(a->cfg.data_dir, path, sizeof path);
  sqlite3 *db = db_open_path(path, err, sizeof err);
  if (!db) {
    fprintf(stderr, "civicnet: %s\n", err);
    return NULL;
  }
  snprintf(dir, sizeof dir, "%s/db/migrations", a->cfg.root_dir);
  if (db_migrate(db, dir, quiet ? NULL : stderr, err, sizeof err) < 0) {
    fprintf(stderr, "civicnet: migration failed: %s\n", err);
    sqlite3_close(db);
    return NULL;
  }
  if (schema_check(db, err, sizeof err)) {
    fprintf(stderr, "civicnet: the database lacks declared columns: %s\n", err);
    sqlite3_close(db);
    return NULL;
  }
  return db;
}

/* DIR/secret.key: 32 random bytes, created once with mode 0600. */
static int load_secret(app *a) {
  char path[600];
  snprintf(path, sizeof path, "%s/secret.key", a->cfg.data_dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (crypto_random(a->secret, sizeof a->secret)) return -1;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, a->secret, sizeof a->secret) != (ssize_t)sizeof a->secret) {
      if (fd >= 0) close(fd);
      return -1;
    }
    return close(fd);
  }
  ssize_t n = read(fd, a->secret, sizeof a->secret);
  close(fd);
  return n == (ssize_t)sizeof a->secret ? 0 : -1;
}

/* DIR/keys/: the personal-data keys (pii.c). Every command that reads or
 * writes encrypted columns calls this; a key file with the wrong size or
 * a mode readable by others stops the command with a clear message. */
static int load_pii(app *a) {
  char err[1024];
  if (pii_keys_load(a->cfg.data_dir, &a->pii, err, sizeof err) == 0) return 0;
  fprintf(stderr, "civicnet: personal-data keys: %s\n", err);
  return -1;
}

static int setup_app(app *a, const opts *o) {
  config_defaults(&a->cfg);
  char err[1024];
  if (o->config && config_load(&a->cfg, o->config, err, sizeof err)) {
    fprintf(stderr, "civicnet: %s\n", err);
    return 2;
  }
  if (o->config) /* issue 8: ops — the scheduled backup keeps a copy of it */
    snprintf(a->cfg.config_path, sizeof a->cfg.config_path, "%s", o->config);
  if (o->listen && config_set_listen(&a->cfg, o->listen)) {
    fprintf(stderr, "civicnet: --listen: expected HOST:PORT, got '%s'\n", o->listen);
    return 2;
  }
  if (o->data) snprintf(a->cfg.data_dir, sizeof a->cfg.data_dir, "%s", o->data);
  return 0;
}

/* The start every data command shares: options, --help, configuration,
 * the opened and migrated database. Returns the handle, or NULL with *rc
 * set to the exit status (0 after --help). */
static sqlite3 *cli_begin(int argc, char **argv, const char *cmd,
                          const char *allowed, const char *help, app *a,
                          opts *o, int *rc) {
  memset(a, 0, sizeof *a);
  if ((*rc = parse_opts(argc, argv, cmd, allowed, o))) return NULL;
  if (o->help) {
    puts(help);
    return NULL;
  }
  if ((*rc = setup_app(a, o))) return NULL;
  sqlite3 *db = open_data(a, strcmp(cmd, "migrate") != 0);
  if (!db) *rc = 1;
  return db;
}

static int cmd_serve(int argc, char **argv) {
  opts o;
  int rc = parse_opts(argc, argv, "serve", "dlc", &o);
  if (rc) return rc;
  if (o.help) {
    puts("civicnet serve --data DIR [--listen HOST:PORT] [--config FILE]\n"
         "  --data DIR          data directory (database, uploads, keys, logs)\n"
         "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8080)\n"
         "  --config FILE       configuration file (key = value; see docs/設定ファイル.md)");
    return 0;
  }
  app a;
  memset(&a, 0, sizeof a);
  if ((rc = setup_app(&a, &o))) return rc;
  if (serve_prepare_privileges(&a)) return 1; /* issue 8: ops — before anything is opened */
  if (mkdir(a.cfg.data_dir, 0700) && errno != EEXIST) { /* issue 8: ops — one server per data dir */
    fprintf(stderr, "civicnet: %s: %s\n", a.cfg.data_dir, strerror(errno));
    return 1;
  }
  if (serve_lock(a.cfg.data_dir) == -2) {
    fprintf(stderr, "civicnet: another civicnet server is using %s\n", a.cfg.data_dir);
    return 1;
  }
  sqlite3 *db = open_data(&a, false);
  if (!db) return 1;
  sqlite3_close(db);
  if (load_pii(&a)) return 1;
  char err[1024], dir[600];
  snprintf(dir, sizeof dir, "%s/templates", a.cfg.root_dir);
  a.tmpl = tmpl_load_dir(dir, err, sizeof err);
  if (!a.tmpl) {
    fprintf(stderr, "civicnet: template error: %s\n", err);
    return 1;
  }
  if (load_secret(&a) || access_log_open(&a)) {
    fprintf(stderr, "civicnet: cannot write to %s\n", a.cfg.data_dir);
    return 1;
  }
  a.cache = cache_new(a.cfg.lim.cache_max_bytes, server_release_response);
  if (upload_init(argv[0])) { /* libvips, before any thread (upload.c) */
    fprintf(stderr, "civicnet: cannot initialise libvips (uploads)\n");
    rc = 1;
  } else if (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) { /* before any thread */
    rc = server_run(&a);
    curl_global_cleanup();
    upload_shutdown();
  } else {
    fprintf(stderr, "civicnet: cannot initialise libcurl (mail)\n");
    upload_shutdown();
    rc = 1;
  }
  cache_free(a.cache);
  tmpl_free(a.tmpl);
  serve_release_tls(&a); /* issue 8: ops */
  access_log_close(&a);
  db_thread_close();
  return rc;
}

static int cmd_migrate(int argc, char **argv) {
  app a;
  opts o;
  int rc;
  sqlite3 *db = cli_begin(argc, argv, "migrate", "d",
                          "civicnet migrate --data DIR\n"
                          "  create the database or apply new migrations",
                          &a, &o, &rc);
  if (!db) return rc;
  sqlite3_close(db);
  puts("civicnet: database is up to date");
  return 0;
}

static int cmd_demo(int argc, char **argv) {
  app a;
  opts o;
  int rc;
  sqlite3 *db = cli_begin(argc, argv, "demo", "d",
                          "civicnet demo --data DIR\n  load the Japanese demo content "
                          "(db/demo.sql) into an\n  empty database; does nothing when "
                          "content already exists",
                          &a, &o, &rc);
  if (!db) return rc;
  sqlite3_stmt *st = db_prep(db, "SELECT (SELECT count(*) FROM news) + (SELECT count(*) FROM groups)");
  long long have = st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (have) {
    puts("civicnet: content exists; demo data not loaded");
    sqlite3_close(db);
    return 0;
  }
  char path[600];
  snprintf(path, sizeof path, "%s/db/demo.sql", a.cfg.root_dir);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "civicnet: %s: %s\n", path, strerror(errno));
    sqlite3_close(db);
    return 1;
  }
  buf sql;
  buf_init(&sql);
  char tmp[8192];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&sql, tmp, n);
  fclose(f);
  rc = db_exec(db, "BEGIN") || db_exec(db, buf_cstr(&sql)) || db_exec(db, "COMMIT");
  if (rc) db_exec(db, "ROLLBACK");
  else audit_append(db, "cli", "demo_loaded", "", "", "");
  buf_free(&sql);
  sqlite3_close(db);
  puts(rc ? "civicnet: demo data failed" : "civicnet: demo data loaded");
  return rc ? 1 : 0;
}

/* Read one line from stdin (the password), without the newline. */
static int read_password(char *out, size_t n) {
  if (!fgets(out, (int)n, stdin)) return -1;
  out[strcspn(out, "\r\n")] = 0;
  return 0;
}

/* `civicnet user reset-2fa|unlock --login ID`: the way back in for a
 * staff member who lost the authenticator or is locked out (for example
 * the only administrator). Run by the IT contractor on the server;
 * audited; ends the account's sessions. */
static int cmd_user_recover(int argc, char **argv, bool reset_2fa) {
  const char *cmd = reset_2fa ? "user reset-2fa" : "user unlock";
  app a;
  opts o;
  int rc;
  sqlite3 *db = cli_begin(argc, argv, cmd, "du",
                          reset_2fa ? "civicnet user reset-2fa --data DIR --login ID\n"
                                      "  turn off two-factor sign-in for a staff account (lost device);\n"
                                      "  an administrator must set it up again at the next sign-in"
                                    : "civicnet user unlock --data DIR --login ID\n"
                                      "  lift the sign-in lock after repeated failures",
                          &a, &o, &rc);
  if (!db) return rc;
  if (!o.login) {
    fprintf(stderr, "civicnet %s: --login ID is required\n", cmd);
    sqlite3_close(db);
    return 2;
  }
  sqlite3_stmt *st = db_prep(db, reset_2fa
      ? "UPDATE users SET totp_enabled=0, totp_secret=NULL WHERE login=?1 AND role IN ('editor','admin')"
      : "DELETE FROM login_throttle WHERE login=?1");
  if (st) {
    sqlite3_bind_text(st, 1, o.login, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
  }
  int changed = sqlite3_changes(db);
  if (reset_2fa && changed) {
    st = db_prep(db, "DELETE FROM sessions WHERE user_id=(SELECT id FROM users WHERE login=?1)");
    if (st) sqlite3_bind_text(st, 1, o.login, -1, SQLITE_STATIC), sqlite3_step(st), sqlite3_finalize(st);
  }
  if (changed) audit_append(db, "cli", reset_2fa ? "totp_reset" : "account_unlock", o.login, "", "");
  sqlite3_close(db);
  if (!changed) {
    fprintf(stderr, "civicnet %s: %s\n", cmd,
            reset_2fa ? "no staff account with that login ID" : "that login ID is not locked");
    return 1;
  }
  printf("civicnet: %s: done for %s\n", cmd, o.login);
  return 0;
}

static int cmd_user(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "reset-2fa") == 0) return cmd_user_recover(argc - 1, argv + 1, true);
  if (argc >= 2 && strcmp(argv[1], "unlock") == 0) return cmd_user_recover(argc - 1, argv + 1, false);
  if (argc < 2 || strcmp(argv[1], "add") != 0) {
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
      puts("civicnet user add --data DIR --login ID --role admin|editor [--name NAME]\n"
           "  the password (8–128 characters) is read from standard input\n"
           "civicnet user reset-2fa --data DIR --login ID\n"
           "  turn off two-factor sign-in of a staff account (lost device)\n"
           "civicnet user unlock --data DIR --login ID\n"
           "  lift the sign-in lock after repeated failures");
      return 0;
    }
    fprintf(stderr, "civicnet user: expected 'user add', 'user reset-2fa' or 'user unlock'"
                    " (see 'civicnet user --help')\n");
    return 2;
  }
  opts o;
  int rc = parse_opts(argc - 1, argv + 1, "user add", "durn", &o);
  if (rc) return rc;
  if (o.help) {
    puts("civicnet user add --data DIR --login ID --role admin|editor [--name NAME]\n"
         "  --login ID    login ID (letters, digits, . _ -; 3–64 characters)\n"
         "  --role ROLE   admin or editor\n"
         "  --name NAME   display name\n"
         "  the password (8–128 characters) is read from standard input, never argv");
    return 0;
  }
  if (!o.login || strlen(o.login) < 3 || strlen(o.login) > 64 ||
      strspn(o.login, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
          strlen(o.login)) {
    fprintf(stderr, "civicnet user add: --login: 3–64 letters, digits, '.', '_' or '-'\n");
    return 2;
  }
  if (!o.role || (strcmp(o.role, "admin") && strcmp(o.role, "editor"))) {
    fprintf(stderr, "civicnet user add: --role must be admin or editor\n");
    return 2;
  }
  char pw[256];
  if (read_password(pw, sizeof pw) || strlen(pw) < 8 || strlen(pw) > 128) {
    fprintf(stderr, "civicnet user add: the password on stdin must be 8–128 characters\n");
    return 2;
  }
  app a;
  memset(&a, 0, sizeof a);
  if ((rc = setup_app(&a, &o))) return rc;
  sqlite3 *db = open_data(&a, true);
  if (!db) return 1;
  char hash[160];
  if (password_hash(pw, hash, sizeof hash)) return 1;
  memset(pw, 0, sizeof pw);
  sqlite3_stmt *st = db_prep(db, "INSERT INTO users(login, display_name, role, pw_hash)"
                                 " VALUES (?1, ?2, ?3, ?4)");
  sqlite3_bind_text(st, 1, o.login, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, o.name ? o.name : o.login, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, o.role, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    fprintf(stderr, "civicnet user add: %s\n",
            rc == SQLITE_CONSTRAINT_UNIQUE ? "that login ID already exists" : sqlite3_errmsg(db));
    sqlite3_close(db);
    return 1;
  }
  audit_append(db, "cli", "user_add", o.login, o.role, "");
  sqlite3_close(db);
  printf("civicnet: user %s (%s) added\n", o.login, o.role);
  return 0;
}

/* issue 6: audit archive */
static const char AUDIT_ARCHIVE_HELP[] =
    "civicnet audit archive --data DIR\n"
    "  move audit rows older than the retention (setting audit_retention_days,\n"
    "  default 400, at least 365) into DIR/audit-archive/ (zstd, hash-linked)\n"
    "civicnet audit verify --archive --data DIR\n"
    "  check the archive files, their link to the database, then the database";

static int cmd_audit_archive(int argc, char **argv) {
  app a;
  opts o;
  int rc;
  sqlite3 *db = cli_begin(argc, argv, "audit archive", "d", AUDIT_ARCHIVE_HELP, &a, &o, &rc);
  if (!db) return rc;
  long long moved = 0;
  rc = audit_archive_run(db, a.cfg.data_dir, "cli", stdout, &moved) ? 1 : 0;
  sqlite3_close(db);
  return rc;
}

static int cmd_audit_verify_archive(int argc, char **argv) {
  app a;
  opts o;
  int rc;
  sqlite3 *db = cli_begin(argc, argv, "audit verify", "d", AUDIT_ARCHIVE_HELP, &a, &o, &rc);
  if (!db) return rc;
  rc = audit_archive_verify(db, a.cfg.data_dir, stdout);
  sqlite3_close(db);
  return rc;
}
/* end issue 6: audit archive */

static int cmd_audit(int argc, char **argv) {
  /* issue 6: audit archive — "audit archive", "audit verify --archive" */
  if (argc >= 2 && !strcmp(argv[1], "archive")) return cmd_audit_archive(argc - 1, argv + 1);
  if (argc >= 2 && !strcmp(argv[1], "verify")) {
    for (int i = 2; i < argc; i++) {
      if (strcmp(argv[i], "--archive")) continue;
      for (int k = i; k + 1 < argc; k++) argv[k] = argv[k + 1];
      return cmd_audit_verify_archive(argc - 2, argv + 1);
    }
  }
  /* end issue 6: audit archive */
  if (argc < 2 || strcmp(argv[1], "verify") != 0) {
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
      puts("civicnet audit verify --data DIR\n  exit 0 when the audit log is intact, 1 when not");
      return 0;
    }
    fprintf(stderr, "civicnet audit: expected 'audit verify' (see 'civicnet audit --help')\n");
    return 2;
  }
  app a;
  opts o;
  int rc;
  sqlite3 *db = cli_begin(argc - 1, argv + 1, "audit verify", "d",
                          "civicnet audit verify --data DIR\n"
                          "  exit 0 when the audit log is intact, 1 when not",
                          &a, &o, &rc);
  if (!db) return rc;
  rc = audit_verify(db, stdout);
  sqlite3_close(db);
  return rc;
}

static const char MAIL_STATUS_HELP[] =
    "civicnet mail status --data DIR [--config FILE]\n"
    "  print the number of mails per state (queued, sending, sent, failed),\n"
    "  the oldest queued mail (age, attempts, last error) and recent failures";
static const char MAIL_TEST_HELP[] =
    "civicnet mail test --data DIR --to ADDR [--config FILE]\n"
    "  --to ADDR      recipient of the test mail (templates/mail/test.txt)\n"
    "  --config FILE  the server's configuration (sender mail_from, mail_from_name)\n"
    "  the mail is queued; the running server delivers it. Prints its id and\n"
    "  Message-ID; follow it with 'civicnet mail status'";

/* civicnet mail test: render templates/mail/test.txt and enqueue it. */
static int mail_test(app *a, sqlite3 *db, const char *to) {
  char err[1024], dir[600];
  snprintf(dir, sizeof dir, "%s/templates", a->cfg.root_dir);
  tmpl_set *ts = tmpl_load_dir(dir, err, sizeof err);
  if (!ts) {
    fprintf(stderr, "civicnet: template error: %s\n", err);
    return 1;
  }
  arena ar;
  arena_init(&ar);
  char date[40];
  time_t now = time(NULL) + 9 * 3600;
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
  tval *ctx = tv_map(&ar);
  tv_set_str(&ar, ctx, "centre", a->cfg.mail_from_name);
  tv_set_str(&ar, ctx, "from", a->cfg.mail_from);
  tv_set_str(&ar, ctx, "to", to);
  tv_set_str(&ar, ctx, "date", date);
  const char *subject = NULL, *body = NULL;
  int rc = 1;
  unsigned char rnd[12];
  char hex[25], key[40];
  long long id = 0;
  if (mail_render(ts, "mail/test.txt", ctx, &ar, &subject, &body, err, sizeof err)) {
    fprintf(stderr, "civicnet: %s\n", err);
  } else if (crypto_random(rnd, sizeof rnd)) {
    fprintf(stderr, "civicnet: no random bytes\n");
  } else {
    hex_encode(rnd, sizeof rnd, hex);
    snprintf(key, sizeof key, "test:%s", hex); /* every test is its own event */
    mail_msg m = {.to = to, .from = a->cfg.mail_from, .from_name = a->cfg.mail_from_name,
                  .subject = subject, .body = body};
    int e = outbox_enqueue(db, &m, key, &id);
    if (e == OUTBOX_ERR_INVALID)
      fprintf(stderr, "civicnet mail test: the message fails the header checks "
                      "(mail_from, mail_from_name or templates/mail/test.txt)\n");
    else if (e)
      fprintf(stderr, "civicnet mail test: %s\n", sqlite3_errmsg(db));
    else
      rc = 0;
  }
  if (rc == 0) {
    sqlite3_stmt *st = db_prep(db, "SELECT message_id FROM outbox WHERE id=?1");
    sqlite3_bind_int64(st, 1, id);
    printf("queued: id %lld\nMessage-ID: %s\nfrom: %s\n", id,
           st && sqlite3_step(st) == SQLITE_ROW ? db_text(st, 0) : "?", a->cfg.mail_from);
    sqlite3_finalize(st);
    char target[32];
    snprintf(target, sizeof target, "outbox:%lld", id);
    audit_append(db, "cli", "mail_test", target, "", "");
  }
  arena_free(&ar);
  tmpl_free(ts);
  return rc;
}

static int cmd_mail(int argc, char **argv) {
  bool status = argc >= 2 && !strcmp(argv[1], "status");
  if (!status && (argc < 2 || strcmp(argv[1], "test") != 0)) {
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
      printf("%s\n\n%s\n", MAIL_STATUS_HELP, MAIL_TEST_HELP);
      return 0;
    }
    fprintf(stderr, "civicnet mail: expected 'mail status' or 'mail test' "
                    "(see 'civicnet mail --help')\n");
    return 2;
  }
  app a;
  opts o;
  int rc;
  if (!status) { /* check --to before anything touches the data directory */
    if ((rc = parse_opts(argc - 1, argv + 1, "mail test", "dct", &o))) return rc;
    if (!o.help && !o.to) {
      fprintf(stderr, "civicnet mail test: --to ADDR is required\n");
      return 2;
    }
    if (!o.help && !mail_addr_ok(o.to)) { /* never echoed: it may hold CR/LF */
      fprintf(stderr, "civicnet mail test: --to: not a valid e-mail address "
                      "(one address, ASCII, no spaces or line breaks, at most 254 characters)\n");
      return 2;
    }
  }
  sqlite3 *db = cli_begin(argc - 1, argv + 1, status ? "mail status" : "mail test",
                          status ? "dc" : "dct", status ? MAIL_STATUS_HELP : MAIL_TEST_HELP,
                          &a, &o, &rc);
  if (!db) return rc;
  rc = status ? outbox_status(db, stdout) : mail_test(&a, db, o.to);
  sqlite3_close(db);
  return rc;
}

/* issue 5: matching — a bench tool (bench/match_bench.sh), not for
 * production use: run the M2 hook for one already published recruitment
 * in its own transaction and print how long matching + enqueueing took. */
static const char BENCH_MATCH_HELP[] =
    "civicnet bench-match --data DIR --recruitment ID [--config FILE]\n"
    "  benchmark tool: run the matching of a published recruitment (M2) as\n"
    "  publishing does, enqueue its mails in one transaction and print the\n"
    "  time taken and the number of mails (bench/match_bench.sh)";

static int cmd_bench_match(int argc, char **argv) {
  const char *data = NULL, *conf = NULL, *rec = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      puts(BENCH_MATCH_HELP);
      return 0;
    }
    const char **slot = !strcmp(argv[i], "--data") ? &data : !strcmp(argv[i], "--config") ? &conf
                        : !strcmp(argv[i], "--recruitment") ? &rec : NULL;
    if (!slot || i + 1 >= argc) {
      fprintf(stderr, "civicnet bench-match: unknown or misused option '%s'\n", argv[i]);
      return 2;
    }
    *slot = argv[++i];
  }
  char *end = NULL;
  long long id = rec ? strtoll(rec, &end, 10) : 0;
  if (!data || !rec || !end || *end || id <= 0) {
    fprintf(stderr, "civicnet bench-match: --data DIR and --recruitment ID are required\n");
    return 2;
  }
  static app a;
  memset(&a, 0, sizeof a);
  opts o = {.data = data, .config = conf};
  int rc = setup_app(&a, &o);
  if (rc) return rc;
  sqlite3 *db = open_data(&a, true);
  if (!db) return 1;
  char err[1024], dir[600];
  snprintf(dir, sizeof dir, "%s/templates", a.cfg.root_dir);
  if (load_secret(&a) || load_pii(&a) || !(a.tmpl = tmpl_load_dir(dir, err, sizeof err))) {
    fprintf(stderr, "civicnet bench-match: cannot load the secret, keys or templates\n");
    sqlite3_close(db);
    return 1;
  }
  request r;
  memset(&r, 0, sizeof r);
  r.app = &a;
  r.client_ip = "";
  arena_init(&r.a);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int n = -1;
  if (!db_exec(db, "BEGIN IMMEDIATE")) {
    n = match_on_recruitment_published(&r, db, id);
    if (n < 0 || db_exec(db, "COMMIT")) {
      db_exec(db, "ROLLBACK");
      n = -1;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
  if (n >= 0) printf("recruitment %lld: %d mails enqueued in %.1f ms (matching, rendering, signing, enqueue, commit)\n",
                     id, n, ms);
  else fprintf(stderr, "civicnet bench-match: matching failed\n");
  arena_free(&r.a);
  tmpl_free(a.tmpl);
  sqlite3_close(db);
  return n >= 0 ? 0 : 1;
}
/* end issue 5: matching */

/* issue 7: csv import — `civicnet import-csv` (src/import_csv.c). */
#include "import_csv.h"
static const char IMPORT_CSV_HELP[] =
    "civicnet import-csv --data DIR --type TYPE FILE [options]\n"
    "  import the rows of a CSV file (Excel: UTF-8 with or without BOM, or Shift_JIS/CP932)\n"
    "  TYPE: news group event grant report book page member recruitment interview download subscriber\n"
    "  --encoding ENC     utf-8, cp932 or auto (default: auto)\n"
    "  --status STATE     state of new records without a 状態 column: draft (default), review, published\n"
    "  --list LIST        subscriber: list when the file has no 配信先 column (supernet or aika)\n"
    "  --dry-run          validate and report without writing\n"
    "  --allow-rejects    import the good rows even when some rows are rejected (exit 0)\n"
    "  --ignore-unknown   skip columns whose header matches no field (default: refuse the file)\n"
    "  --config FILE      the server's configuration\n"
    "civicnet import-csv --columns TYPE\n"
    "  print the headers accepted for TYPE (Markdown)\n"
    "exit status: 0 done, 1 rejected rows or refused file (nothing written), 2 usage\n"
    "guide: docs/移行/CSV取り込み.md";

static int cmd_import_csv(int argc, char **argv) {
  import_csv_opts io = {0};
  const char *data = NULL, *conf = NULL, *columns = NULL;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
      puts(IMPORT_CSV_HELP);
      return 0;
    }
    if (!strcmp(s, "--dry-run")) { io.dry_run = true; continue; }
    if (!strcmp(s, "--allow-rejects")) { io.allow_rejects = true; continue; }
    if (!strcmp(s, "--ignore-unknown")) { io.ignore_unknown = true; continue; }
    const char **slot = !strcmp(s, "--data") ? &data : !strcmp(s, "--config") ? &conf
                        : !strcmp(s, "--type") ? &io.type : !strcmp(s, "--encoding") ? &io.encoding
                        : !strcmp(s, "--status") ? &io.status : !strcmp(s, "--list") ? &io.list
                        : !strcmp(s, "--columns") ? &columns : NULL;
    if (slot && i + 1 < argc) {
      *slot = argv[++i];
      continue;
    }
    if (s[0] == '-' || io.file) {
      fprintf(stderr, "civicnet import-csv: unknown or misused option '%s'\n"
                      "Run 'civicnet import-csv --help' for its options.\n", s);
      return 2;
    }
    io.file = s;
  }
  if (columns) return import_csv_columns(columns, stdout);
  if (!data || !io.type || !io.file) {
    fprintf(stderr, "civicnet import-csv: --data DIR, --type TYPE and FILE are required\n");
    return 2;
  }
  static app a;
  memset(&a, 0, sizeof a);
  opts o = {.data = data, .config = conf};
  int rc = setup_app(&a, &o);
  if (rc) return rc;
  sqlite3 *db0 = open_data(&a, true);
  if (!db0) return 1;
  sqlite3_close(db0);
  if (load_pii(&a)) return 1;
  sqlite3 *db = db_thread(&a);
  if (!db) return 1;
  request r;
  memset(&r, 0, sizeof r);
  r.app = &a;
  r.client_ip = "";
  arena_init(&r.a);
  rc = import_csv_run(&r, db, &io, stdout, stderr);
  arena_free(&r.a);
  db_thread_close();
  return rc;
}
/* end issue 7: csv import */

/* issue 7: WordPress import — `civicnet import-wp` (src/import_wp.c).
 * The database connection is the thread's (db_thread), the one
 * content_load uses too, so the whole run is one transaction. */
#include "import_wp.h"
static int cmd_import_wp(int argc, char **argv) {
  import_wp_opts io;
  int rc = import_wp_parse(argc, argv, &io);
  if (rc) return rc;
  if (io.help) {
    puts(IMPORT_WP_HELP);
    return 0;
  }
  static app a;
  memset(&a, 0, sizeof a);
  opts o = {.data = io.data, .config = io.config};
  if ((rc = setup_app(&a, &o))) return rc;
  sqlite3 *db0 = open_data(&a, true);
  if (!db0) return 1;
  sqlite3_close(db0);
  if (load_pii(&a)) return 1;
  if (upload_init(argv[0])) { /* libvips: image attachments are re-encoded */
    fprintf(stderr, "civicnet import-wp: cannot initialise libvips\n");
    return 1;
  }
  sqlite3 *db = db_thread(&a);
  rc = db ? import_wp_run(&a, db, &io) : 1;
  db_thread_close();
  upload_shutdown();
  return rc;
}
/* end issue 7: WordPress import */

/* issue 6: health export — the yearly health-app file for cron use
 * (health_export.h): write it to a file and/or upload it with the
 * destination staff configured in /admin/health-export/. */
static const char HEALTH_EXPORT_HELP[] =
    "civicnet health-export --data DIR [--year YYYY] [--out FILE] [--upload] [--config FILE]\n"
    "  make the health-app linkage file (やまぐち健幸アプリ) of fiscal year YYYY\n"
    "  (April YYYY to March YYYY+1; default: the current one) with the columns\n"
    "  and encoding set in /admin/health-export/\n"
    "  --out FILE   write the file (mode 0600: it may hold personal data)\n"
    "  --upload     upload it to the configured destination (recorded in the history)\n"
    "exit status: 0 done, 1 failed, 2 usage";

static int cmd_health_export(int argc, char **argv) {
  const char *data = NULL, *conf = NULL, *year_s = NULL, *out = NULL;
  bool do_upload = false;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
      puts(HEALTH_EXPORT_HELP);
      return 0;
    }
    if (!strcmp(s, "--upload")) { do_upload = true; continue; }
    const char **slot = !strcmp(s, "--data") ? &data : !strcmp(s, "--config") ? &conf
                        : !strcmp(s, "--year") ? &year_s : !strcmp(s, "--out") ? &out : NULL;
    if (slot && i + 1 < argc) {
      *slot = argv[++i];
      continue;
    }
    fprintf(stderr, "civicnet health-export: unknown or misused option '%s'\n"
                    "Run 'civicnet health-export --help' for its options.\n", s);
    return 2;
  }
  int year = health_current_year();
  if (year_s) {
    char *end;
    long y = strtol(year_s, &end, 10);
    if (*end || y < 2000 || y > 2100) {
      fprintf(stderr, "civicnet health-export: --year: expected a year like 2026\n");
      return 2;
    }
    year = (int)y;
  }
  if (!data) {
    fprintf(stderr, "civicnet health-export: --data DIR is required\n");
    return 2;
  }
  if (!out && !do_upload) {
    fprintf(stderr, "civicnet health-export: give --out FILE, --upload or both\n");
    return 2;
  }
  static app a;
  memset(&a, 0, sizeof a);
  opts o = {.data = data, .config = conf};
  int rc = setup_app(&a, &o);
  if (rc) return rc;
  sqlite3 *db = open_data(&a, true);
  if (!db) return 1;
  if (load_pii(&a)) {
    sqlite3_close(db);
    return 1;
  }
  arena ar;
  arena_init(&ar);
  char msg[1024];
  rc = 0;
  if (out) {
    health_settings hs;
    buf file = {0};
    long rows = -1;
    if (health_settings_load(&ar, db, &a.pii, &hs))
      snprintf(msg, sizeof msg, "設定を読み出せませんでした（パスワードを復号できません）");
    else
      rows = health_build(&ar, db, &a.pii, health_base_url(&ar, &a.cfg), &hs, year, &file, msg, sizeof msg);
    int fd = rows < 0 ? -1 : open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (rows < 0 || fd < 0 || write(fd, file.data, file.len) != (ssize_t)file.len) {
      fprintf(stderr, "civicnet health-export: %s\n", rows < 0 ? msg : strerror(errno));
      rc = 1;
    } else {
      printf("%s: %ld件 → %s\n", health_file_name(&ar, year), rows, out);
      if (db_exec(db, "BEGIN IMMEDIATE") ||
          audit_append(db, "cli", "health_export_download", "health_export",
                       arena_printf(&ar, "year=%d rows=%ld file=%s", year, rows, out), "") ||
          db_exec(db, "COMMIT")) {
        db_exec(db, "ROLLBACK");
        rc = 1;
      }
    }
    if (fd >= 0) close(fd);
    buf_free(&file);
  }
  if (!rc && do_upload) {
    long rows = 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      fprintf(stderr, "civicnet health-export: libcurl could not start\n");
      rc = 1;
    } else {
      if (health_export_upload(&ar, db, &a.cfg, &a.pii, "cli", "", year, &rows, msg, sizeof msg)) {
        fprintf(stderr, "civicnet health-export: %s\n", msg);
        rc = 1;
      } else {
        printf("%s\n", msg);
      }
      curl_global_cleanup();
    }
  }
  arena_free(&ar);
  sqlite3_close(db);
  return rc;
}
/* end issue 6: health export */

static int cmd_routes(int argc, char **argv) {
  opts o;
  int rc = parse_opts(argc, argv, "routes", "m", &o);
  if (rc) return rc;
  if (o.help) {
    puts("civicnet routes [--matrix]\n  print name, methods, pattern, role, csrf, cacheable, params\n"
         "  --matrix  print the role × screen matrix (権限マトリックス) as Markdown");
    return 0;
  }
  if (o.matrix) {
    route_matrix_markdown(stdout);
    return 0;
  }
  for (const route *r = ROUTES; r->pattern; r++)
    printf("%s\t%s%s\t%s\t%s\t%d\t%d\t%s\n", r->name, (r->methods & M_GET) ? "GET" : "",
           (r->methods & M_POST) ? ((r->methods & M_GET) ? ",POST" : "POST") : "",
           r->pattern, role_name(r->min_role), r->csrf, r->cacheable, r->params);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
      !strcmp(argv[1], "help")) {
    fputs(USAGE, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "serve")) return cmd_serve(argc - 1, argv + 1);
  if (!strcmp(cmd, "migrate")) return cmd_migrate(argc - 1, argv + 1);
  if (!strcmp(cmd, "demo")) return cmd_demo(argc - 1, argv + 1);
  if (!strcmp(cmd, "user")) return cmd_user(argc - 1, argv + 1);
  if (!strcmp(cmd, "audit")) return cmd_audit(argc - 1, argv + 1);
  if (!strcmp(cmd, "mail")) return cmd_mail(argc - 1, argv + 1);
  if (!strcmp(cmd, "routes")) return cmd_routes(argc - 1, argv + 1);
  if (!strcmp(cmd, "bench-match")) return cmd_bench_match(argc - 1, argv + 1); /* issue 5: matching */
  if (!strcmp(cmd, "import-csv")) return cmd_import_csv(argc - 1, argv + 1); /* issue 7: csv import */
  if (!strcmp(cmd, "import-wp")) return cmd_import_wp(argc - 1, argv + 1); /* issue 7: WordPress import */
  if (!strcmp(cmd, "health-export")) return cmd_health_export(argc - 1, argv + 1); /* issue 6: health export */
  /* issue 8: backup */
  if (!strcmp(cmd, "backup")) return cmd_backup(argc - 1, argv + 1);
  if (!strcmp(cmd, "restore")) return cmd_restore(argc - 1, argv + 1);
  if (!strcmp(cmd, "check")) return cmd_check(argc - 1, argv + 1);
  if (!strcmp(cmd, "keys")) return cmd_keys(argc - 1, argv + 1);
  /* end issue 8: backup */
  fprintf(stderr, "civicnet: unknown command '%s'\n\n%s", cmd, USAGE);
  return 2;
}
