/* Built when CMake found no OpenSSL: TLS settings are refused with a message that says why. */
#include "tls.h"

#include "text.h"

int triad_tls_start(triad_tls_session **out, triad_sock sock, const char *host, const triad_tls_settings *settings, int timeout_ms, char *why, size_t why_size) {
    (void)sock;
    (void)host;
    (void)settings;
    (void)timeout_ms;
    *out = NULL;
    triad_copy(why, why_size, "this build of the Triad C client has no TLS; rebuild it with OpenSSL (CMake finds it through OPENSSL_ROOT_DIR or vcpkg)");
    return -1;
}

int triad_tls_pending(triad_tls_session *session) {
    (void)session;
    return 0;
}

long triad_tls_read(triad_tls_session *session, unsigned char *buffer, size_t size) {
    (void)session;
    (void)buffer;
    (void)size;
    return -1;
}

int triad_tls_write_all(triad_tls_session *session, const unsigned char *data, size_t size, int timeout_ms) {
    (void)session;
    (void)data;
    (void)size;
    (void)timeout_ms;
    return -1;
}

void triad_tls_close(triad_tls_session *session) {
    (void)session;
}
