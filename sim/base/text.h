/* Small text helpers shared by every parser that suggests a correction ("did you mean ...?"). */
#ifndef TP_BASE_TEXT_H
#define TP_BASE_TEXT_H
#include <stdbool.h>
#include <stddef.h>

/* Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
 * adjacent characters each cost 1 ("rwos" is 1 from "rows"). fold_case compares ASCII letters
 * without case. Strings longer than TEXT_EDIT_MAX characters are "far": TEXT_EDIT_FAR. */
#define TEXT_EDIT_MAX 62
#define TEXT_EDIT_FAR 99
int text_edit_distance(const char *a, const char *b, bool fold_case);

/* The candidate closest to s, if it is within max_dist edits and the edits are at most half of
 * s's length (so a two-letter word is not "corrected" into an unrelated one); NULL otherwise.
 * Ties go to the earlier candidate. */
const char *text_closest(const char *s, const char *const *cands, size_t n, int max_dist,
                         bool fold_case);

/* The index of s in names[0, n) (exact match), -1 if absent: the parse half of every
 * "name table + _name() + _parse()" enum. NULL entries are skipped. */
int text_lookup(const char *s, const char *const *names, size_t n);

/* 1-based line and column of byte offset `off` in text[0, len) (columns count bytes), for
 * parser errors that carry only an offset (libyaml's reader errors). */
void text_line_col(const char *text, size_t len, size_t off, int *line, int *col);
/* Text from a user's files shown on a terminal (layer and file names, echoed program lines,
 * error messages): control characters and terminal escapes are written as C escapes, so a name
 * cannot move the cursor, clear the screen or fake a line. \n \r \t as such, other C0 bytes and
 * DEL as \xNN (ESC is \x1b), C1 controls (U+0080..U+009F) as \u0080.., and bytes that are not
 * UTF-8 as \xNN; everything else, including valid UTF-8, is kept. The result is cut (at a whole
 * escape) to fit cap bytes with its NUL; returns out. */
char *text_escape(const char *s, char *out, size_t cap);
/* s itself when it needs no escape, else text_escape(s, buf, cap). */
const char *text_shown(const char *s, char *buf, size_t cap);
#endif
