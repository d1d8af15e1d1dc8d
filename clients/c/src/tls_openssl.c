/* TLS with OpenSSL (1.1 or 3.x). The socket runs non-blocking; every wait has a deadline. */
#include "tls.h"

#include "text.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct triad_tls_session {
    SSL_CTX *context;
    SSL *ssl;
    triad_sock sock;
};

static void openssl_reason(char *why, size_t why_size, const char *what) {
    unsigned long code = ERR_get_error();
    char reason[256] = "no detail";
    if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    snprintf(why, why_size, "%s (%s)", what, reason);
}

/* Waits for what OpenSSL asked for; 0 when it came before the deadline. */
static int wait_for(triad_tls_session *session, int ssl_error, long long deadline) {
    long long left = deadline - triad_now_ms();
    if (left <= 0) return -1;
    int ready = ssl_error == SSL_ERROR_WANT_WRITE ? triad_net_wait_writable(session->sock, (int)left) : triad_net_wait_readable(session->sock, (int)left);
    return ready == 1 ? 0 : -1;
}

static int is_ip_address(const char *host) {
    ASN1_OCTET_STRING *ip = a2i_IPADDRESS(host);
    if (ip == NULL) return 0;
    ASN1_OCTET_STRING_free(ip);
    return 1;
}

/* The certificate's SHA-256 against the pin. 0 when it matches. */
static int check_pin(SSL *ssl, const char *pin, char *why, size_t why_size) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    X509 *certificate = SSL_get1_peer_certificate(ssl);
#else
    X509 *certificate = SSL_get_peer_certificate(ssl);
#endif
    if (certificate == NULL) {
        triad_copy(why, why_size, "the server sent no certificate; refusing to talk to it");
        return -1;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    int ok = X509_digest(certificate, EVP_sha256(), digest, &length);
    X509_free(certificate);
    char actual[65];
    for (unsigned int i = 0; ok && i < length && i < 32; i++) snprintf(actual + 2 * i, 3, "%02X", digest[i]);
    if (!ok || length != 32) {
        triad_copy(why, why_size, "cannot compute the server certificate's SHA-256 fingerprint");
        return -1;
    }
    if (strcmp(actual, pin) != 0) {
        snprintf(why, why_size, "the server's certificate (SHA-256 %s) is not the pinned one; refusing to talk to it", actual);
        return -1;
    }
    return 0;
}

static int configure(triad_tls_session *session, const char *host, const triad_tls_settings *settings, char *why, size_t why_size) {
    session->context = SSL_CTX_new(TLS_client_method());
    if (session->context == NULL) {
        openssl_reason(why, why_size, "cannot create a TLS context");
        return -1;
    }
    SSL_CTX_set_min_proto_version(session->context, TLS1_2_VERSION);
    int pinned = settings->fingerprint[0] != '\0';
    if (pinned) {
        /* a pinned certificate is usually self-signed: the fingerprint decides after the handshake */
        SSL_CTX_set_verify(session->context, SSL_VERIFY_NONE, NULL);
    } else {
        if (settings->ca_file == NULL || SSL_CTX_load_verify_locations(session->context, settings->ca_file, NULL) != 1) {
            openssl_reason(why, why_size, "cannot read the TLS CA file");
            return -1;
        }
        SSL_CTX_set_verify(session->context, SSL_VERIFY_PEER, NULL);
    }
    session->ssl = SSL_new(session->context);
    if (session->ssl == NULL || SSL_set_fd(session->ssl, triad_net_fd(session->sock)) != 1) {
        openssl_reason(why, why_size, "cannot start TLS");
        return -1;
    }
    int ip = is_ip_address(host);
    if (!ip) SSL_set_tlsext_host_name(session->ssl, host);
    if (!pinned) {
        /* the certificate must name the host (or IP address) dialled */
        X509_VERIFY_PARAM *check = SSL_get0_param(session->ssl);
        int named = ip ? X509_VERIFY_PARAM_set1_ip_asc(check, host) : X509_VERIFY_PARAM_set1_host(check, host, 0);
        if (named != 1) {
            openssl_reason(why, why_size, "cannot set the name to verify");
            return -1;
        }
    }
    return 0;
}

int triad_tls_start(triad_tls_session **out, triad_sock sock, const char *host, const triad_tls_settings *settings, int timeout_ms, char *why, size_t why_size) {
    *out = NULL;
    triad_tls_session *session = calloc(1, sizeof *session);
    if (session == NULL) {
        triad_copy(why, why_size, "out of memory");
        return -1;
    }
    session->sock = sock;
    triad_net_set_nonblocking(sock, 1);
    if (configure(session, host, settings, why, why_size) != 0) {
        triad_tls_close(session);
        return -1;
    }
    long long deadline = triad_now_ms() + timeout_ms;
    for (;;) {
        triad_sigpipe_guard guard;
        triad_sigpipe_hold(&guard);
        int result = SSL_connect(session->ssl);
        triad_sigpipe_release(&guard);
        if (result == 1) break;
        int error = SSL_get_error(session->ssl, result);
        if ((error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) && wait_for(session, error, deadline) == 0) continue;
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            snprintf(why, why_size, "no TLS handshake within %d ms", timeout_ms);
        } else {
            long verify = SSL_get_verify_result(session->ssl);
            if (verify != X509_V_OK) snprintf(why, why_size, "TLS: the server's certificate is not trusted (%s)", X509_verify_cert_error_string(verify));
            else openssl_reason(why, why_size, "TLS handshake failed (is the server speaking TLS?)");
        }
        ERR_clear_error();
        triad_tls_close(session);
        return -1;
    }
    if (settings->fingerprint[0] != '\0' && check_pin(session->ssl, settings->fingerprint, why, why_size) != 0) {
        triad_tls_close(session);
        return -1;
    }
    *out = session;
    return 0;
}

int triad_tls_pending(triad_tls_session *session) {
    return SSL_pending(session->ssl);
}

long triad_tls_read(triad_tls_session *session, unsigned char *buffer, size_t size) {
    int want = size > 0x40000000u ? 0x40000000 : (int)size;
    triad_sigpipe_guard guard;
    triad_sigpipe_hold(&guard);
    int result = SSL_read(session->ssl, buffer, want);
    triad_sigpipe_release(&guard);
    if (result > 0) return result;
    int error = SSL_get_error(session->ssl, result);
    ERR_clear_error();
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return -2;
    if (error == SSL_ERROR_ZERO_RETURN) return 0;
    return -1;
}

int triad_tls_write_all(triad_tls_session *session, const unsigned char *data, size_t size, int timeout_ms) {
    long long deadline = triad_now_ms() + timeout_ms;
    size_t written = 0;
    while (written < size) {
        size_t left = size - written;
        triad_sigpipe_guard guard;
        triad_sigpipe_hold(&guard);
        int result = SSL_write(session->ssl, data + written, left > 0x40000000u ? 0x40000000 : (int)left);
        triad_sigpipe_release(&guard);
        if (result > 0) {
            written += (size_t)result;
            continue;
        }
        int error = SSL_get_error(session->ssl, result);
        ERR_clear_error();
        if ((error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) && wait_for(session, error, deadline) == 0) continue;
        return -1;
    }
    return 0;
}

void triad_tls_close(triad_tls_session *session) {
    if (session == NULL) return;
    if (session->ssl != NULL) {
        triad_sigpipe_guard guard;
        triad_sigpipe_hold(&guard);
        SSL_shutdown(session->ssl);
        triad_sigpipe_release(&guard);
        SSL_free(session->ssl);
    }
    if (session->context != NULL) SSL_CTX_free(session->context);
    ERR_clear_error();
    free(session);
}
