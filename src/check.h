/* check.h — `civicnet check`: the monthly maintenance report (issue 8, O2). */
#ifndef CIVICNET_CHECK_H
#define CIVICNET_CHECK_H
#include <stdio.h>

#ifndef CIVICNET_VERSION
#define CIVICNET_VERSION "0.1"
#endif

/* Write the report for data_dir to out. backup_dir NULL = data_dir/backups;
 * key_path NULL = data_dir/keys/backup.key. 0 all fine, 1 something needs
 * attention, 2 the database cannot be opened. */
int check_run(const char *data_dir, const char *backup_dir, const char *key_path, FILE *out);
int cmd_check(int argc, char **argv);

#endif
