/*
 * One framed connection to one license server: connect (TCP, optionally TLS), hello/welcome, then
 * requests whose replies are matched by id. Not thread-safe: one thread uses a connection at a
 * time (the checkout call, then the license's heartbeat thread, then triad_checkin).
 */
#ifndef TRIAD_CONNECTION_H
#define TRIAD_CONNECTION_H

#include "frame.h"
#include "message.h"
#include "tls.h"
#include "triad/triad.h"

typedef struct triad_connect_settings {
    int connect_timeout_ms;
    int request_timeout_ms;
    char agent[TRIAD_NAME_MAX + 1];
    triad_tls_settings tls;
} triad_connect_settings;

typedef struct triad_connection {
    triad_sock sock;
    triad_tls_session *tls;
    triad_frame_decoder decoder;
    triad_address address; /* where it was dialled */
    long long next_id;
    int broken;
    /* added to a failure before the welcome: the likely cause (a TLS server, for a plain client) */
    const char *hint;
    /* unsolicited notices seen while waiting for replies */
    int revoked;             /* a `revoked` named the lease the caller asked about */
    char revoked_reason[TRIAD_TEXT_MAX + 1];
} triad_connection;

/* Connects and completes the hello. On failure err says what and where, and *out is NULL. */
int triad_connection_open(triad_connection **out, const triad_address *address, const triad_connect_settings *settings, triad_error *err);

/*
 * Sends a request (JSON text without its id, built by make(id)) and waits up to timeout_ms for the
 * reply with that id. Unsolicited `revoked` naming lease_of_interest sets connection->revoked.
 * Any failure marks the connection broken (close it). Returns TRIAD_OK or the failure's code.
 */
typedef char *(*triad_request_maker)(long long id, const void *argument);
int triad_connection_request(triad_connection *connection, triad_request_maker make, const void *argument, const char *lease_of_interest, int timeout_ms, triad_message *reply, triad_error *err);

void triad_connection_close(triad_connection *connection);

#endif
