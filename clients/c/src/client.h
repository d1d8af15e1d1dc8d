/* What the context, the search and the held license share (internal). */
#ifndef TRIAD_CLIENT_H
#define TRIAD_CLIENT_H

#include "connection.h"
#include "platform.h"
#include "search_path.h"
#include "triad/triad.h"

/* What a checkout asks for; copied into the license so that it can resume without its context. */
typedef struct triad_seat_request {
    char feature[TRIAD_NAME_MAX + 1];
    char version[TRIAD_VERSION_MAX + 1];
    int count;
    char user[TRIAD_NAME_MAX + 1];
    char host[TRIAD_NAME_MAX + 1];
    char display[TRIAD_NAME_MAX + 1];
} triad_seat_request;

typedef enum triad_attempt_kind { TRIAD_ATTEMPT_GRANTED, TRIAD_ATTEMPT_DENIED, TRIAD_ATTEMPT_UNREACHABLE } triad_attempt_kind;

/* What one checkout at one address came to (redirects followed). */
typedef struct triad_attempt {
    triad_attempt_kind kind;
    triad_connection *connection; /* GRANTED: the connection that holds the seat */
    triad_message grant;          /* GRANTED */
    triad_error error;            /* DENIED: the server's code and reason; UNREACHABLE: why */
} triad_attempt;

/*
 * Checkout at one address, following a standby's redirect to the master (at most two hops).
 * resume_token: present the seat held before a lost connection (NULL for a new seat).
 */
void triad_checkout_at(const triad_address *address, const triad_seat_request *request, const char *resume_token, const triad_connect_settings *settings, triad_attempt *out);

/* Takes over a granted attempt's connection and starts the heartbeat thread. */
int triad_license_start(triad_license **out, const triad_seat_request *request, const triad_connect_settings *settings, triad_attempt *granted, triad_event_fn on_event, void *user_data, triad_error *err);

#endif
