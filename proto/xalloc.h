/* Allocation that never returns NULL.
 *
 * Out of memory is not an input error a caller can do anything useful
 * about, so like Redis' zmalloc these abort the process with a message
 * instead of spreading NULL checks through every caller (style.md, habit 5).
 * Error codes are kept for bad input, I/O and database failures. */
#ifndef CN_XALLOC_H
#define CN_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
/* Grows or shrinks; the old pointer is invalid after a successful call. */
void *xrealloc(void *ptr, size_t size);
/* Copies s; caller frees with free(). xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
/* Copies at most n bytes of s and terminates; caller frees with free(). */
char *xstrndup(const char *s, size_t n);

#define CN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
