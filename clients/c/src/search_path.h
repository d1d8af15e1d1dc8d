/*
 * The search path (docs/PROTOCOL.md, "Finding the servers"): LM_LICENSE_FILE-style lists, where
 * FlexLM keeps them, and what each entry dials. Mirrors src/core/client/licensePath.ts,
 * licensePathSources.ts and searchTargets.ts of the reference client.
 */
#ifndef TRIAD_SEARCH_PATH_H
#define TRIAD_SEARCH_PATH_H

#include "text.h"

#include <stddef.h>

#define TRIAD_HOST_MAX 256
#define TRIAD_DEFAULT_PORT 27000
#define TRIAD_PROBE_PORTS 10

typedef struct triad_address {
    char host[TRIAD_HOST_MAX + 1];
    int port;
} triad_address;

/* One entry of the list: what to dial, in order. */
typedef struct triad_target {
    char *label;  /* as written: "27000@a,27000@b,27000@c", "@host", a license file path */
    char *source; /* "LM_LICENSE_FILE", "~/.flexlmrc LM_LICENSE_FILE", "search path"... */
    int redundant; /* a triad: a member that is not serving sends the search to the next member */
    triad_address *addresses;
    size_t count;
} triad_target;

typedef struct triad_target_list {
    triad_target *items;
    size_t count;
    size_t capacity;
} triad_target_list;

/*
 * Parses text (entries separated by ':' or ';' on UNIX, ';' on Windows) and appends a target per
 * usable entry; an entry already in the list is not added twice; license files are read for their
 * SERVER lines. Each unusable entry adds a line to problems. Returns 0, or -1 when out of memory.
 */
int triad_search_add_text(triad_target_list *list, const char *text, const char *source, int windows, triad_text_builder *problems);

/*
 * The list FlexLM would search when the program names none: <VENDOR>_LICENSE_FILE (when vendor
 * is not NULL), then LM_LICENSE_FILE, each from the environment, else from where FlexLM stores it
 * (~/.flexlmrc, the registry). Returns 0, or -1 when out of memory.
 */
int triad_search_from_environment(triad_target_list *list, const char *vendor, triad_text_builder *problems);

void triad_target_list_free(triad_target_list *list);

#endif
