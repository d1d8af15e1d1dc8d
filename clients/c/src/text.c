#include "text.h"

#include "platform.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void triad_copy(char *target, size_t size, const char *source) {
    if (size == 0) return;
    size_t length = strlen(source);
    if (length >= size) length = size - 1;
    memcpy(target, source, length);
    target[length] = '\0';
}

char *triad_strndup(const char *text, size_t length) {
    char *copy = malloc(length + 1);
    if (copy == NULL) return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

char *triad_strdup(const char *text) {
    return triad_strndup(text, strlen(text));
}

char *triad_join(const char *first, const char *second) {
    size_t a = strlen(first);
    size_t b = strlen(second);
    char *joined = malloc(a + b + 1);
    if (joined == NULL) return NULL;
    memcpy(joined, first, a);
    memcpy(joined + a, second, b + 1);
    return joined;
}

int triad_equal_ci(const char *a, const char *b) {
    while (*a != '\0' && *b != '\0') {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
        a++;
        b++;
    }
    return *a == *b;
}

int triad_ends_with_ci(const char *text, const char *suffix) {
    size_t length = strlen(text);
    size_t tail = strlen(suffix);
    return length >= tail && triad_equal_ci(text + length - tail, suffix);
}

char *triad_read_file(const char *path, size_t max_bytes) {
    FILE *file = triad_open_for_reading(path);
    if (file == NULL) return NULL;
    size_t capacity = 4096;
    size_t length = 0;
    char *text = malloc(capacity + 1);
    while (text != NULL) {
        size_t got = fread(text + length, 1, capacity - length, file);
        length += got;
        if (length > max_bytes) {
            free(text);
            text = NULL;
            break;
        }
        if (got == 0) break;
        if (length == capacity) {
            char *grown = realloc(text, capacity * 2 + 1);
            if (grown == NULL) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
            capacity *= 2;
        }
    }
    fclose(file);
    if (text != NULL) text[length] = '\0';
    return text;
}

static int is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

char *triad_rc_variable(const char *text, const char *name) {
    size_t name_length = strlen(name);
    const char *line = text;
    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        if (end == NULL) end = line + strlen(line);
        const char *equals = memchr(line, '=', (size_t)(end - line));
        if (equals != NULL && equals > line) {
            const char *key = line;
            const char *key_end = equals;
            while (key < key_end && is_blank(*key)) key++;
            while (key_end > key && is_blank(key_end[-1])) key_end--;
            if ((size_t)(key_end - key) == name_length && memcmp(key, name, name_length) == 0) {
                const char *value = equals + 1;
                const char *value_end = end;
                while (value < value_end && is_blank(*value)) value++;
                while (value_end > value && is_blank(value_end[-1])) value_end--;
                return triad_strndup(value, (size_t)(value_end - value));
            }
        }
        line = *end == '\n' ? end + 1 : end;
    }
    return NULL;
}

int triad_string_list_push(triad_string_list *list, char *item) {
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 8 : list->capacity * 2;
        char **grown = realloc(list->items, capacity * sizeof *grown);
        if (grown == NULL) return -1;
        list->items = grown;
        list->capacity = capacity;
    }
    list->items[list->count++] = item;
    return 0;
}

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void triad_string_list_sort(triad_string_list *list) {
    if (list->count > 1) qsort(list->items, list->count, sizeof *list->items, compare_strings);
}

void triad_string_list_free(triad_string_list *list) {
    for (size_t i = 0; i < list->count; i++) free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
    list->capacity = 0;
}

void triad_text_append(triad_text_builder *builder, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    va_list again;
    va_copy(again, arguments);
    int needed = vsnprintf(NULL, 0, format, arguments);
    va_end(arguments);
    if (needed > 0 && builder->length + (size_t)needed + 1 > builder->capacity) {
        size_t capacity = builder->capacity == 0 ? 256 : builder->capacity;
        while (capacity < builder->length + (size_t)needed + 1) capacity *= 2;
        char *grown = realloc(builder->text, capacity);
        if (grown == NULL) {
            va_end(again);
            return;
        }
        builder->text = grown;
        builder->capacity = capacity;
    }
    if (needed > 0) {
        vsnprintf(builder->text + builder->length, builder->capacity - builder->length, format, again);
        builder->length += (size_t)needed;
    }
    va_end(again);
}

const char *triad_text_get(const triad_text_builder *builder) {
    return builder->text != NULL ? builder->text : "";
}

void triad_text_free(triad_text_builder *builder) {
    free(builder->text);
    builder->text = NULL;
    builder->length = 0;
    builder->capacity = 0;
}
