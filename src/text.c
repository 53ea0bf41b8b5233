/* text.c — folding for search with utf8proc (see text.h). */
#include "text.h"

#include <string.h>
#include <utf8proc.h>

/* NFKC + case fold + drop default-ignorables, as utf8proc_map() does it
 * (decompose with reordering, then compose), but into a fixed buffer. */
#define FOLD_OPTS                                                               \
  (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
   UTF8PROC_IGNORE)

/* Decode one code point at s[pos]; invalid bytes become U+FFFD (one byte
 * each). Returns the number of bytes consumed (≥ 1). */
static size_t decode(const unsigned char *s, size_t len, size_t pos, int32_t *cp) {
  utf8proc_int32_t c = -1;
  utf8proc_ssize_t n = utf8proc_iterate(s + pos, (utf8proc_ssize_t)(len - pos), &c);
  if (n < 1 || c < 0) {
    *cp = 0xFFFD;
    return 1;
  }
  *cp = c;
  return (size_t)n;
}

/* Combining marks and the half-width sound marks ﾞ ﾟ belong to the
 * character before them: NFKC composes ｶﾞ into ガ. */
static bool extends(int32_t cp) {
  if (cp == 0xFF9E || cp == 0xFF9F) return true;
  utf8proc_category_t c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

/* Katakana → hiragana: ァ..ヶ and the iteration marks ヽヾ move down by
 * 0x60. ー, ・ and ヷ..ヺ (no hiragana form) stay. */
static int32_t kana_fold(int32_t cp) {
  if ((cp >= 0x30A1 && cp <= 0x30F6) || cp == 0x30FD || cp == 0x30FE) return cp - 0x60;
  return cp;
}

void text_iter_init(text_iter *it, const char *s, size_t len) {
  memset(it, 0, offsetof(text_iter, out));
  it->s = (const unsigned char *)(s ? s : "");
  it->len = s ? len : 0;
  it->n = it->i = 0;
}

/* Read the next cluster and fold it into it->out. False at the end. */
static bool next_cluster(text_iter *it) {
  if (it->pos >= it->len) return false;
  unsigned char tmp[TEXT_CLUSTER_MAX * 4];
  size_t tl = 0, count = 0;
  it->start = it->pos;
  int32_t cp;
  size_t n = decode(it->s, it->len, it->pos, &cp);
  for (;;) {
    tl += (size_t)utf8proc_encode_char(cp, tmp + tl);
    it->pos += n;
    count++;
    if (it->pos >= it->len || count >= TEXT_CLUSTER_MAX) break;
    n = decode(it->s, it->len, it->pos, &cp);
    if (!extends(cp)) break;
  }
  it->end = it->pos;
  it->i = 0;
  utf8proc_ssize_t m = utf8proc_decompose(tmp, (utf8proc_ssize_t)tl, it->out,
                                          TEXT_FOLD_MAX, FOLD_OPTS);
  if (m >= 0 && m <= TEXT_FOLD_MAX) m = utf8proc_normalize_utf32(it->out, m, FOLD_OPTS);
  if (m < 0 || m > TEXT_FOLD_MAX) { /* cannot happen with these limits */
    it->out[0] = 0xFFFD;
    m = 1;
  }
  it->n = (size_t)m;
  for (size_t k = 0; k < it->n; k++) it->out[k] = kana_fold(it->out[k]);
  return true;
}

bool text_iter_next(text_iter *it, int32_t *cp, size_t *start, size_t *end) {
  while (it->i >= it->n)
    if (!next_cluster(it)) return false;
  *cp = it->out[it->i++];
  *start = it->start;
  *end = it->end;
  return true;
}

text_class text_class_of(int32_t cp) {
  if (cp < 0x80) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))
      return TC_WORD;
    return cp <= 0x20 || cp == 0x7F ? TC_SPACE : TC_PUNCT;
  }
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
  case UTF8PROC_CATEGORY_CC:
    return TC_SPACE;
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
  case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
    return cp >= 0x2E80 ? TC_CJK : TC_WORD;
  default:
    return TC_PUNCT;
  }
}

char *text_fold(arena *a, const char *in) {
  if (!in) return arena_strdup(a, "");
  buf b;
  buf_init(&b);
  text_iter *it = arena_alloc(a, sizeof *it);
  text_iter_init(it, in, strlen(in));
  int32_t cp;
  size_t s, e;
  bool space = false;
  while (text_iter_next(it, &cp, &s, &e)) {
    if (text_class_of(cp) == TC_SPACE) {
      space = b.len > 0;
      continue;
    }
    if (space) buf_putc(&b, ' ');
    space = false;
    unsigned char u[4];
    buf_append(&b, u, (size_t)utf8proc_encode_char(cp, u));
  }
  char *out = arena_strndup(a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return out;
}

size_t text_length(const char *s) {
  size_t n = 0, len = s ? strlen(s) : 0;
  int32_t cp;
  for (size_t pos = 0; pos < len; n++) pos += decode((const unsigned char *)s, len, pos, &cp);
  return n;
}
