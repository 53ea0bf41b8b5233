/* text.h — Japanese-aware text folding for search (DESIGN "Japanese text"):
 * NFKC (full/half width → one form), Unicode case folding, katakana →
 * hiragana (カタカナ, ｶﾀｶﾅ and かたかな compare equal; the long vowel mark
 * ー is kept), default-ignorable characters dropped. Invalid UTF-8 bytes
 * become U+FFFD, so folding never fails.
 *
 * Folding works on "clusters" — a character plus the combining marks that
 * follow it (including the half-width sound marks ﾞ ﾟ) — so every folded
 * code point can be traced back to the bytes of the original text it came
 * from. The search tokenizer reports those byte ranges to FTS5 and the
 * highlighter uses them to put <mark> around the original characters. */
#ifndef CIVICNET_TEXT_H
#define CIVICNET_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

/* Longest cluster folded as a unit (longer runs of combining marks are
 * split) and room for its folded form (NFKC can expand one code point to
 * 18). */
#define TEXT_CLUSTER_MAX 32
#define TEXT_FOLD_MAX (TEXT_CLUSTER_MAX * 20)

/* Iterator over the folded code points of s[0..len). */
typedef struct text_iter {
  const unsigned char *s;
  size_t len, pos;
  int32_t out[TEXT_FOLD_MAX]; /* folded code points of the current cluster */
  size_t n, i;
  size_t start, end;          /* the current cluster's bytes in s */
} text_iter;

void text_iter_init(text_iter *it, const char *s, size_t len);
/* Next folded code point and the source byte range [*start, *end) of the
 * cluster it came from; false at the end of the text. */
bool text_iter_next(text_iter *it, int32_t *cp, size_t *start, size_t *end);

/* How the search tokenizer treats a folded code point. */
typedef enum {
  TC_SPACE, /* white space and control characters: separates */
  TC_PUNCT, /* punctuation and symbols (・「」、。 etc.): separates */
  TC_WORD,  /* letters/digits outside CJK (ASCII, Latin …): whole words */
  TC_CJK    /* kana, kanji, ー, 々 and other letters from U+2E80 up: bigrams */
} text_class;

text_class text_class_of(int32_t cp);

/* Fold in (UTF-8, any bytes) into a new arena string: NFKC, case fold,
 * katakana → hiragana, runs of white space → one ASCII space, trimmed.
 * NULL → "". */
char *text_fold(arena *a, const char *in);

/* Number of code points in s (each invalid byte counts as one). */
size_t text_length(const char *s);

#endif
