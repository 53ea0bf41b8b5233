/* keys.h — personal-data key rotation (keys.c) and the data directory's
 * server lock. */
#ifndef CIVICNET_KEYS_H
#define CIVICNET_KEYS_H
#include <stdio.h>

/* Take DIR/.serve.lock exclusively (held until the process exits): the fd,
 * -2 when another process holds it, -1 on error. `civicnet serve` takes it
 * so that two servers never share a data directory and key rotation can
 * tell that the server is stopped. */
int serve_lock(const char *data_dir);
/* Rotate the keys of DIR (see keys.c). 0, or -1 with a Japanese message. */
int keys_rotate(const char *data_dir, FILE *out, char *err, size_t errlen);
int cmd_keys(int argc, char **argv);

#endif
