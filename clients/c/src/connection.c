#include "connection.h"

#include "errors.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK 16384

static void where(const triad_address *address, char *out, size_t size) {
    snprintf(out, size, strchr(address->host, ':') != NULL ? "%d@[%s]" : "%d@%s", address->port, address->host);
}

/* Marks the connection broken and fills err; returns code. */
static int broken(triad_connection *connection, triad_error *err, int code, int minor, const char *detail) {
    char at[300];
    where(&connection->address, at, sizeof at);
    connection->broken = 1;
    if (connection->hint != NULL && code == TRIAD_ERR_CANT_READ) return triad_fail(err, code, minor, "%s: %s (%s)", at, detail, connection->hint);
    return triad_fail(err, code, minor, "%s: %s", at, detail);
}

/* Reads more bytes into the decoder before the deadline. TRIAD_OK, or a failure (connection broken). */
static int read_more(triad_connection *connection, long long deadline, int timeout_ms, const char *waiting_for, triad_error *err) {
    unsigned char chunk[READ_CHUNK];
    for (;;) {
        long got;
        if (connection->tls != NULL && triad_tls_pending(connection->tls) > 0) {
            got = triad_tls_read(connection->tls, chunk, sizeof chunk);
        } else {
            long long left = deadline - triad_now_ms();
            int ready = left > 0 ? triad_net_wait_readable(connection->sock, (int)left) : 0;
            if (ready <= 0) {
                char detail[200];
                snprintf(detail, sizeof detail, "no %s within %d ms", waiting_for, timeout_ms);
                return broken(connection, err, TRIAD_ERR_CANT_READ, TRIAD_MINOR_CONNECTION_LOST, ready < 0 ? "the connection failed" : detail);
            }
            got = connection->tls != NULL ? triad_tls_read(connection->tls, chunk, sizeof chunk) : triad_net_recv(connection->sock, chunk, sizeof chunk);
        }
        if (got == -2) continue; /* a TLS record is incomplete: wait again */
        if (got == 0) return broken(connection, err, TRIAD_ERR_CANT_READ, TRIAD_MINOR_CONNECTION_LOST, "connection closed by the server");
        if (got < 0) return broken(connection, err, TRIAD_ERR_CANT_READ, TRIAD_MINOR_CONNECTION_LOST, "the connection failed");
        if (triad_frame_decoder_push(&connection->decoder, chunk, (size_t)got) != 0) return broken(connection, err, TRIAD_ERR_NO_MEMORY, TRIAD_MINOR_NO_MEMORY, "no memory for the reply");
        return TRIAD_OK;
    }
}

/* The next whole message from the server, decoded and checked. */
static int read_message(triad_connection *connection, int timeout_ms, long long deadline, const char *waiting_for, const char *lease, triad_message *message, triad_error *err) {
    for (;;) {
        const unsigned char *payload = NULL;
        size_t size = 0;
        int frame = triad_frame_decoder_next(&connection->decoder, &payload, &size);
        if (frame == TRIAD_FRAME_TOO_LARGE) {
            char detail[200];
            snprintf(detail, sizeof detail, "the server sent an oversize frame (%lu bytes announced; the limit is %lu)", (unsigned long)connection->decoder.announced,
                     (unsigned long)TRIAD_MAX_REPLY_BYTES);
            return broken(connection, err, TRIAD_ERR_BAD_REPLY, TRIAD_MINOR_BAD_REPLY, detail);
        }
        if (frame == TRIAD_FRAME_READY) {
            char why[300];
            if (triad_message_decode(payload, size, lease, message, why, sizeof why) == 0) return TRIAD_OK;
            char detail[400];
            snprintf(detail, sizeof detail, "the server sent an %s", why);
            return broken(connection, err, TRIAD_ERR_BAD_REPLY, TRIAD_MINOR_BAD_REPLY, detail);
        }
        int result = read_more(connection, deadline, timeout_ms, waiting_for, err);
        if (result != TRIAD_OK) return result;
    }
}

static int send_text(triad_connection *connection, char *json, int timeout_ms, triad_error *err) {
    if (json == NULL) return broken(connection, err, TRIAD_ERR_NO_MEMORY, TRIAD_MINOR_NO_MEMORY, "no memory for the request");
    size_t frame_size = 0;
    unsigned char *frame = triad_frame_encode(json, strlen(json), TRIAD_MAX_REQUEST_BYTES, &frame_size);
    free(json);
    if (frame == NULL) return broken(connection, err, TRIAD_ERR_BAD_PARAM, TRIAD_MINOR_BAD_PARAM, "the request is larger than 64 KiB");
    int sent = connection->tls != NULL ? triad_tls_write_all(connection->tls, frame, frame_size, timeout_ms) : triad_net_send_all(connection->sock, frame, frame_size, timeout_ms);
    free(frame);
    return sent == 0 ? TRIAD_OK : broken(connection, err, TRIAD_ERR_CANT_READ, TRIAD_MINOR_CONNECTION_LOST, "cannot send to the server (connection lost)");
}

int triad_connection_open(triad_connection **out, const triad_address *address, const triad_connect_settings *settings, triad_error *err) {
    *out = NULL;
    char at[300];
    where(address, at, sizeof at);
    triad_sock sock = TRIAD_NO_SOCKET;
    char why[600];
    if (triad_net_connect(address->host, address->port, settings->connect_timeout_ms, &sock, why, sizeof why) != TRIAD_NET_OK) {
        return triad_fail(err, TRIAD_ERR_CANT_CONNECT, TRIAD_MINOR_CANT_CONNECT, "%s: %s", at, why);
    }
    triad_tls_session *tls = NULL;
    if (settings->tls.enabled && triad_tls_start(&tls, sock, address->host, &settings->tls, settings->connect_timeout_ms, why, sizeof why) != 0) {
        triad_net_close(sock);
        return triad_fail(err, TRIAD_ERR_CANT_CONNECT, TRIAD_MINOR_TLS, "%s: %s", at, why);
    }
    triad_connection *connection = calloc(1, sizeof *connection);
    if (connection == NULL) {
        triad_tls_close(tls);
        triad_net_close(sock);
        return triad_fail(err, TRIAD_ERR_NO_MEMORY, TRIAD_MINOR_NO_MEMORY, "%s: no memory for a connection", at);
    }
    connection->sock = sock;
    connection->tls = tls;
    connection->address = *address;
    connection->next_id = 1;
    triad_frame_decoder_init(&connection->decoder, TRIAD_MAX_REPLY_BYTES);
    /* the usual cause of a plain client's hello going unanswered: a TLS server, which waits for a
     * handshake and then drops the connection */
    if (!settings->tls.enabled) connection->hint = "if the server uses TLS, set its certificate fingerprint or CA";

    long long deadline = triad_now_ms() + settings->connect_timeout_ms;
    triad_message welcome;
    int result = send_text(connection, triad_request_hello(settings->agent), settings->connect_timeout_ms, err);
    if (result == TRIAD_OK) result = read_message(connection, settings->connect_timeout_ms, deadline, "answer to the hello", NULL, &welcome, err);
    connection->hint = NULL;
    if (result == TRIAD_OK && welcome.type == TRIAD_MSG_ERROR) {
        result = triad_fail(err, TRIAD_ERR_CANT_CONNECT, TRIAD_MINOR_CANT_CONNECT, "%s: the server refused the connection: %s (%s)", at, welcome.text, welcome.error_code);
    } else if (result == TRIAD_OK && welcome.type != TRIAD_MSG_WELCOME) {
        result = triad_fail(err, TRIAD_ERR_BAD_REPLY, TRIAD_MINOR_BAD_REPLY, "%s: not a Triad license server (it sent %s before welcome)", at, triad_message_type_name(welcome.type));
    }
    if (result != TRIAD_OK) {
        triad_connection_close(connection);
        return result;
    }
    *out = connection;
    return TRIAD_OK;
}

int triad_connection_request(triad_connection *connection, triad_request_maker make, const void *argument, const char *lease_of_interest, int timeout_ms, triad_message *reply, triad_error *err) {
    if (connection->broken) return broken(connection, err, TRIAD_ERR_CANT_READ, TRIAD_MINOR_CONNECTION_LOST, "the connection is closed");
    long long id = connection->next_id++;
    int result = send_text(connection, make(id, argument), timeout_ms, err);
    if (result != TRIAD_OK) return result;
    long long deadline = triad_now_ms() + timeout_ms;
    for (;;) {
        result = read_message(connection, timeout_ms, deadline, "reply", lease_of_interest, reply, err);
        if (result != TRIAD_OK) return result;
        if (reply->has_id && reply->id == id) return TRIAD_OK;
        if (reply->has_id) continue; /* a late reply to an earlier request that timed out */
        switch (reply->type) {
        case TRIAD_MSG_REVOKED:
            if (reply->mentions_lease) {
                connection->revoked = 1;
                triad_copy(connection->revoked_reason, sizeof connection->revoked_reason, reply->text);
            }
            break;
        case TRIAD_MSG_ERROR: {
            char detail[TRIAD_TEXT_MAX + 100];
            snprintf(detail, sizeof detail, "the server closed the connection: %.900s (%.60s)", reply->text, reply->error_code);
            return broken(connection, err, TRIAD_ERR_CANT_READ, TRIAD_MINOR_CONNECTION_LOST, detail);
        }
        case TRIAD_MSG_SHUTDOWN:
            break; /* the close follows; the heartbeat thread then resumes elsewhere */
        default:
            return broken(connection, err, TRIAD_ERR_BAD_REPLY, TRIAD_MINOR_BAD_REPLY, "the server sent a reply without an id");
        }
    }
}

void triad_connection_close(triad_connection *connection) {
    if (connection == NULL) return;
    triad_tls_close(connection->tls);
    triad_net_close(connection->sock);
    triad_frame_decoder_free(&connection->decoder);
    free(connection);
}
