/* html.h — output escapers, one per context (cgit-style). Each appends to a
 * buf. Invalid UTF-8 in the input is replaced by U+FFFD so no escaper can
 * ever emit bytes a browser might re-interpret. */
#ifndef CIVICNET_HTML_H
#define CIVICNET_HTML_H
#include <stdbool.h>
#include <stddef.h>
#include "util.h"

/* Text content and quoted attribute values: & < > " ' escaped. */
void html_escape(buf *out, const char *s, size_t n);
/* Attribute values, strict: every byte outside [A-Za-z0-9,.-_] and not part
 * of a multibyte character becomes &#xHH; (safe even unquoted). */
void html_escape_attr(buf *out, const char *s, size_t n);
/* URL component (query value, path segment): RFC 3986 percent-encoding of
 * everything except unreserved characters. */
void url_encode(buf *out, const char *s, size_t n);
/* A URL for href/src: only relative URLs ("/…", "./", "?…", "#…", or
 * without a scheme) and http:, https:, mailto:, tel: are allowed; anything
 * else (javascript:, data:, vbscript:, protocol-relative "//host") becomes
 * "#". The result is then HTML-escaped. */
void html_escape_href(buf *out, const char *s, size_t n);
/* True if s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool utf8_valid(const char *s, size_t n);

#endif
