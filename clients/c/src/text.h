/* Small string helpers in portable C (no strdup, strcasecmp or strndup: MSVC lacks or renames them). */
#ifndef TRIAD_TEXT_H
#define TRIAD_TEXT_H

#include <stddef.h>

/* Copies with truncation; always NUL-terminates when size > 0. */
void triad_copy(char *target, size_t size, const char *source);
/* malloc'd copies; NULL when out of memory. */
char *triad_strdup(const char *text);
char *triad_strndup(const char *text, size_t length);
char *triad_join(const char *first, const char *second);
int triad_equal_ci(const char *a, const char *b);
int triad_ends_with_ci(const char *text, const char *suffix);
/* A whole file as a NUL-terminated malloc'd string; NULL when unreadable or larger than max_bytes. */
char *triad_read_file(const char *path, size_t max_bytes);
/* The value of the first `NAME=value` line of an rc text (~/.flexlmrc), trimmed and malloc'd, or NULL. */
char *triad_rc_variable(const char *text, const char *name);

typedef struct triad_string_list {
    char **items;
    size_t count;
    size_t capacity;
} triad_string_list;

/* Takes ownership of item on success (0); -1 when out of memory (item not taken). */
int triad_string_list_push(triad_string_list *list, char *item);
void triad_string_list_sort(triad_string_list *list);
void triad_string_list_free(triad_string_list *list);

/* A growing text (problem lists, error summaries). On out of memory it stops growing silently. */
typedef struct triad_text_builder {
    char *text;
    size_t length;
    size_t capacity;
} triad_text_builder;

void triad_text_append(triad_text_builder *builder, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The text so far ("" when empty); owned by the builder. */
const char *triad_text_get(const triad_text_builder *builder);
void triad_text_free(triad_text_builder *builder);

#endif
