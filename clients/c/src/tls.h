/*
 * TLS on the license port (docs/PROTOCOL.md, "TLS and pinning"): pin the server certificate's
 * SHA-256 fingerprint, or verify its chain against a CA file and its name against the host.
 * tls_openssl.c implements it with OpenSSL; tls_none.c, built when OpenSSL is not found, refuses
 * with a message that says how to get it.
 */
#ifndef TRIAD_TLS_H
#define TRIAD_TLS_H

#include "platform.h"

#include <stddef.h>

typedef struct triad_tls_settings {
    int enabled;
    char fingerprint[65]; /* 64 upper-case hex digits, or "" */
    char *ca_file;        /* malloc'd, or NULL */
} triad_tls_settings;

typedef struct triad_tls_session triad_tls_session;

/* "AB:CD:..." (any case, colons or spaces, an optional "SHA256 Fingerprint=") -> 64 hex digits. 0 ok, -1 not a fingerprint. */
int triad_tls_normalise_fingerprint(const char *text, char out[65]);

/* Handshake on a connected socket and check the certificate; why says what failed. 0 ok. */
int triad_tls_start(triad_tls_session **out, triad_sock sock, const char *host, const triad_tls_settings *settings, int timeout_ms, char *why, size_t why_size);
/* Bytes already decrypted and waiting (read them before waiting on the socket). */
int triad_tls_pending(triad_tls_session *session);
/* >0 bytes, 0 end of stream, -1 error, -2 nothing yet (wait for the socket and call again). */
long triad_tls_read(triad_tls_session *session, unsigned char *buffer, size_t size);
int triad_tls_write_all(triad_tls_session *session, const unsigned char *data, size_t size, int timeout_ms);
void triad_tls_close(triad_tls_session *session);

#endif
