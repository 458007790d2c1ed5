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
#endif
