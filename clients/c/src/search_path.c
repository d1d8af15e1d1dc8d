#include "search_path.h"

#include "platform.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- entries */

typedef enum entry_kind { ENTRY_SERVER, ENTRY_TRIAD, ENTRY_PATH } entry_kind;

typedef struct entry {
    entry_kind kind;
    triad_address members[3]; /* SERVER: members[0], port -1 = probe 27000-27009 */
    int member_count;         /* TRIAD: 2 or 3 */
    char *path;               /* PATH: as written */
} entry;

static int is_host_char(char c, int edge) {
    if (isalnum((unsigned char)c) || c == '_') return 1;
    return !edge && (c == '.' || c == '-');
}

static int is_host_name(const char *host, size_t length) {
    if (length == 0 || length > TRIAD_HOST_MAX) return 0;
    for (size_t i = 0; i < length; i++) {
        if (!is_host_char(host[i], i == 0 || i == length - 1)) return 0;
    }
    return 1;
}

/* A loose IPv6 check: hex digits, colons and dots, at least two colons. */
static int is_ipv6(const char *text, size_t length) {
    size_t colons = 0;
    if (length < 2 || length > 45) return 0;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (c == ':') colons++;
        else if (!isxdigit((unsigned char)c) && c != '.') return 0;
    }
    return colons >= 2;
}

static int path_like(const char *item) {
    if (strchr(item, '/') != NULL || strchr(item, '\\') != NULL || item[0] == '.' || item[0] == '~') return 1;
    return (triad_ends_with_ci(item, ".lic") || triad_ends_with_ci(item, ".dat")) && strchr(item, '@') == NULL;
}

typedef struct parse_failure {
    char message[1400];
    char hint[700];
} parse_failure;

static const char *windows_hint(const char *item, int windows) {
    return windows && strchr(item, ':') != NULL ? "on Windows, separate entries with \";\" (\":\" only separates them on UNIX)" : NULL;
}

/* "port@host", "@host" (port -1), "port@[v6]". */
static int parse_server(const char *text, int windows, triad_address *out, parse_failure *failure) {
    const char *at = strchr(text, '@');
    if (at == NULL) {
        snprintf(failure->message, sizeof failure->message, "\"%.200s\" is not port@host", text);
        triad_copy(failure->hint, sizeof failure->hint, "write a server as 27000@host");
        return -1;
    }
    const char *host = at + 1;
    size_t host_length = strlen(host);
    if (host_length >= 2 && host[0] == '[' && host[host_length - 1] == ']' && is_ipv6(host + 1, host_length - 2)) {
        host++;
        host_length -= 2;
    } else if (!is_host_name(host, host_length)) {
        if (host_length == 0) snprintf(failure->message, sizeof failure->message, "\"%.200s\" names no host after @", text);
        else snprintf(failure->message, sizeof failure->message, "\"%.200s\" in \"%.200s\" is not a valid host name", host, text);
        const char *hint = windows_hint(text, windows);
        triad_copy(failure->hint, sizeof failure->hint,
                   hint != NULL ? hint : "a host name has letters, digits, dots, hyphens and underscores, e.g. 27000@licsrv.example.com; an IPv6 address goes in brackets, 27000@[2001:db8::1]");
        return -1;
    }
    memcpy(out->host, host, host_length);
    out->host[host_length] = '\0';
    size_t port_length = (size_t)(at - text);
    if (port_length == 0) {
        out->port = -1;
        return 0;
    }
    int port = 0;
    int valid = port_length <= 5;
    for (size_t i = 0; valid && i < port_length; i++) {
        if (!isdigit((unsigned char)text[i])) valid = 0;
        else port = port * 10 + (text[i] - '0');
    }
    if (!valid || port < 1 || port > 65535) {
        snprintf(failure->message, sizeof failure->message, "port \"%.*s\" in \"%.200s\" is not a number from 1 to 65535", (int)(port_length > 20 ? 20 : port_length), text, text);
        snprintf(failure->hint, sizeof failure->hint, "write it as 27000@%s, or @%s to probe ports 27000-27009", out->host, out->host);
        return -1;
    }
    out->port = port;
    return 0;
}

static char *trimmed(const char *text, size_t length) {
    while (length > 0 && isspace((unsigned char)*text)) {
        text++;
        length--;
    }
    while (length > 0 && isspace((unsigned char)text[length - 1])) length--;
    return triad_strndup(text, length);
}

static int parse_triad(const char *item, int windows, entry *out, parse_failure *failure) {
    size_t parts = 1;
    for (const char *c = item; *c != '\0'; c++) parts += *c == ',';
    /* a comma joins the members of one redundant server: two or three, tried in order (as lmutil) */
    if (parts > 3) {
        snprintf(failure->message, sizeof failure->message,
                 "\"%.200s\" lists %u servers joined by commas; a comma joins the members of one redundant server, which has at most three", item,
                 (unsigned)parts);
        snprintf(failure->hint, sizeof failure->hint,
                 "write the three members in license-file order (27000@primary,27000@secondary,27000@tertiary), and separate independent servers with %s",
                 windows ? "\";\"" : "\":\"");
        return -1;
    }
    const char *start = item;
    for (int i = 0; i < (int)parts; i++) {
        const char *end = strchr(start, ',');
        if (end == NULL) end = start + strlen(start);
        char *part = trimmed(start, (size_t)(end - start));
        if (part == NULL) return -2;
        parse_failure inner;
        if (parse_server(part, windows, &out->members[i], &inner) != 0) {
            snprintf(failure->message, sizeof failure->message, "in triad \"%.200s\": %.900s", item, inner.message);
            triad_copy(failure->hint, sizeof failure->hint, inner.hint);
            free(part);
            return -1;
        }
        if (out->members[i].port < 0) {
            snprintf(failure->message, sizeof failure->message, "redundant server member \"%.200s\" has no port; every member needs port@host", part);
            snprintf(failure->hint, sizeof failure->hint, "write it as 27000%.200s", part);
            free(part);
            return -1;
        }
        for (int j = 0; j < i; j++) {
            if (out->members[j].port == out->members[i].port && triad_equal_ci(out->members[j].host, out->members[i].host)) {
                snprintf(failure->message, sizeof failure->message, "\"%.200s\" names %.200s twice; the members of a redundant server are different machines", item,
                         part);
                triad_copy(failure->hint, sizeof failure->hint, "list each member once, in license-file order");
                free(part);
                return -1;
            }
        }
        free(part);
        start = *end == ',' ? end + 1 : end;
    }
    out->kind = ENTRY_TRIAD;
    out->member_count = (int)parts;
    return 0;
}

static int parse_entry(const char *item, int windows, entry *out, parse_failure *failure) {
    memset(out, 0, sizeof *out);
    if (path_like(item)) {
        out->kind = ENTRY_PATH;
        out->path = triad_strdup(item);
        return out->path != NULL ? 0 : -2;
    }
    if (strchr(item, ',') != NULL) return parse_triad(item, windows, out, failure);
    if (strchr(item, '@') != NULL) {
        out->kind = ENTRY_SERVER;
        return parse_server(item, windows, &out->members[0], failure);
    }
    if (is_host_name(item, strlen(item))) {
        out->kind = ENTRY_SERVER;
        triad_copy(out->members[0].host, sizeof out->members[0].host, item);
        out->members[0].port = TRIAD_DEFAULT_PORT;
        return 0;
    }
    snprintf(failure->message, sizeof failure->message, "\"%.200s\" is neither port@host, @host, a host name nor a license file path", item);
    const char *hint = windows_hint(item, windows);
    triad_copy(failure->hint, sizeof failure->hint, hint != NULL ? hint : "write a server as 27000@host, or a file as /path/to/license.lic");
    return -1;
}

static void format_address(char *out, size_t size, const triad_address *address) {
    int v6 = strchr(address->host, ':') != NULL;
    if (address->port < 0) snprintf(out, size, v6 ? "@[%s]" : "@%s", address->host);
    else snprintf(out, size, v6 ? "%d@[%s]" : "%d@%s", address->port, address->host);
}

/* The entry as LM_LICENSE_FILE writes it: the label, and what duplicates are recognised by. */
static char *format_entry(const entry *e) {
    if (e->kind == ENTRY_PATH) return triad_strdup(e->path);
    char text[3 * (TRIAD_HOST_MAX + 12)];
    format_address(text, sizeof text, &e->members[0]);
    if (e->kind == ENTRY_TRIAD) {
        for (int i = 1; i < e->member_count; i++) {
            size_t used = strlen(text);
            text[used++] = ',';
            format_address(text + used, sizeof text - used, &e->members[i]);
        }
    }
    return triad_strdup(text);
}

/* ---------------------------------------------------------------- targets */

static int add_target(triad_target_list *list, const char *label, const char *source, int redundant, const triad_address *addresses, size_t count) {
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(list->items[i].label, label) == 0) return 0;
    }
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 4 : list->capacity * 2;
        triad_target *grown = realloc(list->items, capacity * sizeof *grown);
        if (grown == NULL) return -1;
        list->items = grown;
        list->capacity = capacity;
    }
    triad_target *target = &list->items[list->count];
    target->label = triad_strdup(label);
    target->source = triad_strdup(source);
    target->addresses = malloc(count * sizeof *addresses);
    if (target->label == NULL || target->source == NULL || target->addresses == NULL) {
        free(target->label);
        free(target->source);
        free(target->addresses);
        return -1;
    }
    memcpy(target->addresses, addresses, count * sizeof *addresses);
    target->count = count;
    target->redundant = redundant;
    list->count++;
    return 0;
}

/* A server's addresses: its port, or `@host`'s ten default ports. Returns how many. */
static size_t host_ports(const triad_address *server, triad_address *out) {
    if (server->port >= 0) {
        out[0] = *server;
        return 1;
    }
    for (int i = 0; i < TRIAD_PROBE_PORTS; i++) {
        out[i] = *server;
        out[i].port = TRIAD_DEFAULT_PORT + i;
    }
    return TRIAD_PROBE_PORTS;
}

static int is_keyword(const char *word, size_t length) {
    static const char *const keywords[] = {"SERVER", "VENDOR", "DAEMON", "USE_SERVER", "FEATURE", "INCREMENT", "PACKAGE"};
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
        if (strlen(keywords[i]) == length) {
            size_t j = 0;
            while (j < length && toupper((unsigned char)word[j]) == keywords[i][j]) j++;
            if (j == length) return 1;
        }
    }
    return 0;
}

/* Appends a physical line (without its trailing backslash) to a logical line, space-separated. */
static void append_physical(char *logical, size_t size, size_t *used, const char *line, size_t length) {
    if (length > 0 && line[length - 1] == '\\') length--;
    if (*used + length + 2 >= size) return;
    if (*used > 0) logical[(*used)++] = ' ';
    memcpy(logical + *used, line, length);
    *used += length;
    logical[*used] = '\0';
}

/*
 * The next logical line of a license file into `logical`: a line continues after a trailing
 * backslash, or when the next line is indented and does not start with a keyword (as the server's
 * lexer reads it). Blank lines and # comments are skipped. Returns 0 at the end of the text.
 */
static int next_logical_line(const char **cursor, char *logical, size_t size) {
    size_t used = 0;
    int started = 0;
    int continued = 0;
    logical[0] = '\0';
    while (*cursor != NULL) {
        const char *line = *cursor;
        const char *end = strchr(line, '\n');
        const char *next = end != NULL ? end + 1 : NULL;
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        while (length > 0 && line[length - 1] == '\r') length--;
        const char *first = line;
        while (first < line + length && isspace((unsigned char)*first)) first++;
        const char *word_end = first;
        while (word_end < line + length && !isspace((unsigned char)*word_end)) word_end++;
        int blank_or_comment = first == line + length || *first == '#';
        if (!started) {
            *cursor = next;
            if (blank_or_comment) continue;
            started = 1;
        } else if (continued || (!blank_or_comment && first > line && !is_keyword(first, (size_t)(word_end - first)))) {
            *cursor = next;
        } else {
            break;
        }
        continued = length > 0 && line[length - 1] == '\\';
        append_physical(logical, size, &used, line, length);
    }
    return started;
}

/* The SERVER lines of a license file: `SERVER host hostid [port] [PORT=n] ...`; up to max are kept. */
static size_t read_server_lines(const char *text, triad_address *servers, size_t max) {
    size_t found = 0;
    char logical[4096];
    const char *cursor = text;
    while (found < max && next_logical_line(&cursor, logical, sizeof logical)) {
        char keyword[16], host[TRIAD_HOST_MAX + 1], hostid[128];
        int consumed = 0;
        if (sscanf(logical, "%15s %256s %127s%n", keyword, host, hostid, &consumed) != 3 || !triad_equal_ci(keyword, "SERVER")) continue;
        triad_address *server = &servers[found++];
        triad_copy(server->host, sizeof server->host, host);
        server->port = -1;
        char option[256];
        int step = 0;
        const char *rest = logical + consumed;
        while (sscanf(rest, "%255s%n", option, &step) == 1) {
            rest += step;
            const char *digits;
            if (strncmp(option, "PORT=", 5) == 0 || strncmp(option, "port=", 5) == 0) digits = option + 5;
            else if (isdigit((unsigned char)option[0]) && server->port < 0) digits = option;
            else continue;
            char *stop = NULL;
            long port = strtol(digits, &stop, 10);
            if (stop != digits && *stop == '\0' && port >= 1 && port <= 65535) server->port = (int)port;
        }
    }
    return found;
}

static int add_license_file(triad_target_list *list, const char *file, const char *source, triad_text_builder *problems) {
    char *text = triad_read_file(file, 16u << 20);
    if (text == NULL) {
        triad_text_append(problems, "%s: cannot read the license file\n", file);
        return 0;
    }
    triad_address servers[8];
    size_t count = read_server_lines(text, servers, 8);
    free(text);
    if (count == 0) {
        triad_text_append(problems, "%s: has no SERVER line, so it names no license server to contact\n", file);
        return 0;
    }
    if (count == 3) {
        for (size_t i = 0; i < 3; i++) {
            if (servers[i].port < 0) {
                triad_text_append(problems, "%s: three SERVER lines make a redundant triad, whose SERVER lines need a port; add one to %s\n", file, servers[i].host);
                return 0;
            }
        }
        return add_target(list, file, source, 1, servers, 3);
    }
    triad_address addresses[8 * TRIAD_PROBE_PORTS];
    size_t total = 0;
    for (size_t i = 0; i < count; i++) total += host_ports(&servers[i], addresses + total);
    return add_target(list, file, source, 0, addresses, total);
}

static int add_path(triad_target_list *list, const char *written, const char *source, triad_text_builder *problems) {
    char *path = triad_expand_home(written);
    if (path == NULL) return -1;
    int result = 0;
    int kind = triad_path_kind(path);
    if (kind == TRIAD_PATH_FILE) {
        result = add_license_file(list, path, source, problems);
    } else if (kind == TRIAD_PATH_DIRECTORY) {
        char **files = NULL;
        int count = triad_list_license_files(path, &files);
        for (int i = 0; i < count; i++) {
            if (result == 0) result = add_license_file(list, files[i], source, problems);
            free(files[i]);
        }
        free(files);
    } else {
        triad_text_append(problems, "%s: no such license file or folder; check the search path or LM_LICENSE_FILE\n", path);
    }
    free(path);
    return result;
}

static int add_entry(triad_target_list *list, const entry *e, const char *source, triad_text_builder *problems) {
    if (e->kind == ENTRY_PATH) return add_path(list, e->path, source, problems);
    char *label = format_entry(e);
    if (label == NULL) return -1;
    int result;
    if (e->kind == ENTRY_TRIAD) {
        result = add_target(list, label, source, 1, e->members, (size_t)e->member_count);
    } else {
        triad_address addresses[TRIAD_PROBE_PORTS];
        size_t count = host_ports(&e->members[0], addresses);
        result = add_target(list, label, source, 0, addresses, count);
    }
    free(label);
    return result;
}

int triad_search_add_text(triad_target_list *list, const char *text, const char *source, int windows, triad_text_builder *problems) {
    size_t position = 0;
    const char *start = text;
    for (;;) {
        /* find the end of this item: a separator outside "@[...]" */
        const char *end = start;
        while (*end != '\0') {
            if (end[0] == '@' && end[1] == '[') {
                const char *close = strchr(end, ']');
                if (close != NULL) {
                    end = close + 1;
                    continue;
                }
            }
            if (*end == ';' || (!windows && *end == ':')) break;
            end++;
        }
        position++;
        char *item = trimmed(start, (size_t)(end - start));
        if (item == NULL) return -1;
        if (item[0] != '\0') {
            entry parsed;
            parse_failure failure;
            int result = parse_entry(item, windows, &parsed, &failure);
            if (result == -2) {
                free(item);
                return -1;
            }
            if (result == 0) {
                int added = add_entry(list, &parsed, source, problems);
                free(parsed.path);
                if (added != 0) {
                    free(item);
                    return -1;
                }
            } else {
                triad_text_append(problems, "%s: entry %u (\"%s\"): %s\n  hint: %s\n", source, (unsigned)position, item, failure.message, failure.hint);
            }
        }
        free(item);
        if (*end == '\0') break;
        start = end + 1;
    }
    return 0;
}

static int add_variable(triad_target_list *list, const char *name, triad_text_builder *problems) {
    char *value = triad_env_copy(name);
    const char *where = "environment";
    if (value == NULL) {
        value = triad_stored_variable(name);
        where = TRIAD_PLATFORM_WINDOWS ? "registry" : "~/.flexlmrc";
    }
    if (value == NULL) return 0;
    char source[300];
    snprintf(source, sizeof source, "%s (%s)", name, where);
    int result = triad_search_add_text(list, value, source, TRIAD_PLATFORM_WINDOWS, problems);
    free(value);
    return result;
}

int triad_search_from_environment(triad_target_list *list, const char *vendor, triad_text_builder *problems) {
    if (vendor != NULL && vendor[0] != '\0') {
        char name[200];
        size_t length = strlen(vendor);
        if (length > 150) length = 150;
        for (size_t i = 0; i < length; i++) name[i] = (char)toupper((unsigned char)vendor[i]);
        memcpy(name + length, "_LICENSE_FILE", sizeof "_LICENSE_FILE");
        if (add_variable(list, name, problems) != 0) return -1;
    }
    return add_variable(list, "LM_LICENSE_FILE", problems);
}

void triad_target_list_free(triad_target_list *list) {
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].label);
        free(list->items[i].source);
        free(list->items[i].addresses);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}
