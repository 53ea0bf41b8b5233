/* backup.h — backups of a data directory and their restore (REQUIREMENTS
 * D3, issue 8).
 *
 * A backup is one file:
 *   "CNBACKUP" | version (1 byte) | key id (8 bytes) | nonce (12 bytes)
 *   | AES-256-GCM ciphertext | GCM tag (16 bytes)
 * The first 29 bytes are the GCM associated data, so a changed header is
 * detected like a changed body. The plaintext is one zstd stream of
 * entries ("F" name-length name size mode bytes), the last entry being
 * MANIFEST: creation time, software version and "file NAME SIZE SHA256"
 * for every entry. Restore decrypts and unpacks into a temporary sibling
 * directory, and only when the tag and every checksum match does it move
 * the result into place — a truncated or tampered file touches nothing.
 *
 * Content: a consistent copy of the database taken with SQLite's online
 * backup API while the server runs, secret.key, keys/ (the personal-data
 * keys; keys/backup.key itself is never inside a backup), uploads/,
 * audit-archive/, and the configuration file when one is given.
 *
 * The backup key (32 random bytes) is DIR/keys/backup.key, created 0600
 * on first use, or the file given with --key. Keep a copy of it away from
 * the backups (docs/鍵管理.md): without it a backup cannot be read. */
#ifndef CIVICNET_BACKUP_H
#define CIVICNET_BACKUP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define BACKUP_KEY_LEN 32

/* Write a backup of data_dir to out_path (created 0600, written to a
 * temporary name and renamed, so a half-written backup never carries the
 * final name). config_path may be NULL. key: BACKUP_KEY_LEN bytes. Prints
 * a summary to log (may be NULL). 0, or -1 with a Japanese message in err. */
int backup_create(const char *data_dir, const char *config_path, const char *out_path,
                  const unsigned char *key, FILE *log, char *err, size_t errlen);

/* Check backup_path completely (tag and every checksum) without writing
 * anything lasting. Prints the manifest summary to log. 0, or -1 with a
 * Japanese message in err. */
int backup_verify(const char *backup_path, const unsigned char *key, FILE *log,
                  char *err, size_t errlen);

/* Restore backup_path into data_dir. data_dir must be missing or empty,
 * unless force: then the old directory is kept as data_dir.before-restore-
 * YYYYMMDDHHMMSS (never deleted by us). 0, or -1 with a Japanese message
 * in err (nothing changed). */
int backup_restore(const char *backup_path, const char *data_dir, const unsigned char *key,
                   bool force, FILE *log, char *err, size_t errlen);

/* Load the key from key_path, or when NULL from data_dir/keys/backup.key,
 * creating that one (0600) when create is set and it does not exist.
 * 0, or -1 with a Japanese message in err. */
int backup_key_load(const char *data_dir, const char *key_path, bool create,
                    unsigned char key[BACKUP_KEY_LEN], char *err, size_t errlen);

/* The `civicnet backup` / `civicnet restore` commands (main.c). */
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif
