/* config.h — configuration: defaults, then the config file (key = value,
 * '#' comments), then command-line options. Immutable once serving. */
#ifndef CIVICNET_CONFIG_H
#define CIVICNET_CONFIG_H
#include "app.h"

void config_defaults(config *c);
/* Returns 0, or -1 with "FILE:LINE: message" in err. */
int config_load(config *c, const char *path, char *err, size_t errlen);
/* "127.0.0.1:8080" → host/port. Returns 0 or -1. */
int config_set_listen(config *c, const char *v);

#endif
