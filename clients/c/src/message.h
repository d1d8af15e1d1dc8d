/*
 * Messages (docs/PROTOCOL.md, "Messages"): requests built as JSON with cJSON, server messages
 * decoded and checked field by field into a triad_message. Socket-free, so the fuzzer drives it.
 */
#ifndef TRIAD_MESSAGE_H
#define TRIAD_MESSAGE_H

#include <stddef.h>

#include "search_path.h"

#define TRIAD_NAME_MAX 256
#define TRIAD_LEASE_ID_MAX 128
#define TRIAD_TOKEN_MAX 128
#define TRIAD_VERSION_MAX 32
#define TRIAD_TEXT_MAX 1023

typedef enum triad_message_type {
    TRIAD_MSG_WELCOME = 1,
    TRIAD_MSG_GRANTED,
    TRIAD_MSG_DENIED,
    TRIAD_MSG_REDIRECT,
    TRIAD_MSG_HEARTBEAT_ACK,
    TRIAD_MSG_CHECKED_IN,
    TRIAD_MSG_STATUS_REPLY,
    TRIAD_MSG_DONE,
    TRIAD_MSG_REFUSED,
    TRIAD_MSG_ERROR,
    TRIAD_MSG_SHUTDOWN,
    TRIAD_MSG_REVOKED
} triad_message_type;

/* The fields of every message type; which are set depends on the type. */
typedef struct triad_message {
    triad_message_type type;
    int has_id;
    long long id;
    /* welcome */
    int protocol_version;
    char server_version[65];
    /* welcome, granted: the answering member's SERVER-line host and port; redirect: the master */
    char host[TRIAD_HOST_MAX + 1];
    int port;
    /* granted */
    char lease_id[TRIAD_LEASE_ID_MAX + 1];
    char resume_token[TRIAD_TOKEN_MAX + 1];
    char feature[TRIAD_NAME_MAX + 1];
    char version[TRIAD_VERSION_MAX + 1];
    char expiry[65];
    int count;
    int heartbeat_interval_ms;
    int timeout_ms;
    int handle;
    int resumed;
    triad_address members[3];
    int member_count;
    int failover_ms;
    /* denied */
    int code;
    /* denied reason, refused reason, error message, done message, shutdown/revoked reason */
    char text[TRIAD_TEXT_MAX + 1];
    /* error: the server's error code ("BAD_MESSAGE", ...) */
    char error_code[64];
    /* heartbeatAck.unknown, revoked.leaseIds: does the list name the lease the caller asked about? */
    int mentions_lease;
} triad_message;

/*
 * Decodes one payload. lease_of_interest (may be NULL) sets mentions_lease. Returns 0, or -1 with
 * `why` saying what is wrong ("frame is not UTF-8 JSON", "granted.leaseId: expected a string of
 * 1-128 characters"...). Fields a newer server adds are ignored (docs/PROTOCOL.md, "Compatibility").
 */
int triad_message_decode(const unsigned char *payload, size_t size, const char *lease_of_interest, triad_message *out, char *why, size_t why_size);

/* The name of a message type, for messages to people. */
const char *triad_message_type_name(triad_message_type type);

/* Requests, as compact JSON text (malloc'd; NULL when out of memory). */
char *triad_request_hello(const char *agent);
typedef struct triad_checkout_fields {
    const char *feature;
    const char *version;
    int count;
    const char *user;
    const char *host;
    const char *display;
    const char *resume_token; /* NULL: a new seat */
} triad_checkout_fields;
char *triad_request_checkout(long long id, const triad_checkout_fields *fields);
char *triad_request_heartbeat(long long id, const char *lease_id);
char *triad_request_checkin(long long id, const char *lease_id);

/*
 * Is text within the protocol's limits: at least min_units and at most max_units UTF-16 code
 * units (what the server counts), valid UTF-8? 1 yes, 0 no.
 */
int triad_text_fits(const char *text, size_t min_units, size_t max_units);
/* A version as the protocol writes it: digits, optionally a dot and digits, at most 32 characters. */
int triad_version_valid(const char *version);

#endif
