/* Result codes, their FlexLM sentences, and filling a triad_error (docs/PROTOCOL.md, "Errors"). */
#ifndef TRIAD_ERRORS_H
#define TRIAD_ERRORS_H

#include "triad/triad.h"

/* Minor numbers of the failures the client finds itself (Triad's own; the server uses 900-949). */
#define TRIAD_MINOR_NO_SEARCH_PATH 950
#define TRIAD_MINOR_BAD_SEARCH_PATH 951
#define TRIAD_MINOR_BAD_REPLY 952
#define TRIAD_MINOR_CANT_CONNECT 953
#define TRIAD_MINOR_TLS 954
#define TRIAD_MINOR_CONNECTION_LOST 955
#define TRIAD_MINOR_NO_MEMORY 956
#define TRIAD_MINOR_BAD_PARAM 957
#define TRIAD_MINOR_LOST_CONTACT 958
#define TRIAD_MINOR_REVOKED 959
#define TRIAD_MINOR_NOT_SERVING 960

/*
 * Fills err (when not NULL) with code, minor and "<FlexLM sentence> <detail> (code,minor)",
 * and returns code.
 */
int triad_fail(triad_error *err, int code, int minor, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* A denial from a server: its code, and its reason as the server worded it (it carries its numbers). */
int triad_denial(triad_error *err, int code, const char *reason);

void triad_clear_error(triad_error *err);

#endif
