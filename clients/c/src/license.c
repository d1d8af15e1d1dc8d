/*
 * A held seat (docs/PROTOCOL.md, "Holding a seat" and "Following a triad through failover"): a
 * heartbeat thread beats on the connection that was granted the seat; when that connection breaks
 * or a standby redirects, resume() presents the resume token at the members until one keeps the
 * seat, or the seat's timeout (plus the triad's failover time) has passed. Mirrors HeldLicense in
 * src/core/client/checkout.ts.
 */
#include "client.h"
#include "errors.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 6
#define SERVER_NOT_SERVING (-96)

struct triad_license {
    triad_mutex lock;
    triad_cond wake;
    /* fixed at checkout */
    triad_seat_request request;
    triad_connect_settings settings;
    triad_event_fn on_event;
    void *user_data;
    /* the heartbeat thread's own; triad_checkin's once that thread has ended */
    triad_connection *connection;
    triad_address last_address; /* where the seat's connection went last */
    triad_message grant;
    int has_redirect;
    triad_address redirect_to;
    long long last_confirmed_ms;
    triad_thread worker;
    int worker_started;
    /* under lock */
    int stopping;
    int lost;
    triad_error lost_error;
    triad_license_info info;
};

static int stopping(triad_license *license) {
    triad_mutex_lock(&license->lock);
    int result = license->stopping;
    triad_mutex_unlock(&license->lock);
    return result;
}

/* Waits up to ms, or until triad_checkin asks the thread to stop. */
static void pause_unless_stopping(triad_license *license, long long ms) {
    long long until = triad_now_ms() + ms;
    triad_mutex_lock(&license->lock);
    while (!license->stopping) {
        long long left = until - triad_now_ms();
        if (left <= 0) break;
        triad_cond_wait_ms(&license->wake, &license->lock, (int)left);
    }
    triad_mutex_unlock(&license->lock);
}

static void emit(triad_license *license, triad_event_kind kind, const triad_error *detail) {
    if (license->on_event == NULL) return;
    triad_event event;
    event.kind = kind;
    event.server = license->grant.host;
    event.port = license->grant.port;
    event.detail = detail;
    license->on_event(license->user_data, license, &event);
}

static void publish_info(triad_license *license) {
    triad_license_info info;
    memset(&info, 0, sizeof info);
    triad_copy(info.feature, sizeof info.feature, license->grant.feature);
    triad_copy(info.version, sizeof info.version, license->grant.version);
    info.count = license->grant.count;
    triad_copy(info.lease_id, sizeof info.lease_id, license->grant.lease_id);
    triad_copy(info.expiry, sizeof info.expiry, license->grant.expiry);
    triad_copy(info.server, sizeof info.server, license->grant.host);
    info.port = license->grant.port;
    info.handle = license->grant.handle;
    info.heartbeat_interval_ms = license->grant.heartbeat_interval_ms;
    info.timeout_ms = license->grant.timeout_ms;
    triad_mutex_lock(&license->lock);
    license->info = info;
    triad_mutex_unlock(&license->lock);
}

static void drop_connection(triad_license *license) {
    if (license->connection == NULL) return;
    license->last_address = license->connection->address;
    triad_connection_close(license->connection);
    license->connection = NULL;
}

/* The seat is gone: record why, stop, tell the application. */
static void lose_with(triad_license *license, const triad_error *error) {
    drop_connection(license);
    triad_mutex_lock(&license->lock);
    license->lost = 1;
    license->lost_error = *error;
    triad_mutex_unlock(&license->lock);
    emit(license, TRIAD_EVENT_LOST, error);
}

static void lose(triad_license *license, int code, int minor, const char *reason) {
    triad_error error;
    triad_fail(&error, code, minor, "%s", reason);
    lose_with(license, &error);
}

/* A connection that now holds the seat (a resume, or a new seat when the old one was gone). */
static void adopt(triad_license *license, triad_attempt *granted) {
    drop_connection(license);
    license->connection = granted->connection;
    license->last_address = granted->connection->address;
    license->grant = granted->grant;
    license->last_confirmed_ms = triad_now_ms();
    publish_info(license);
    emit(license, granted->grant.resumed ? TRIAD_EVENT_RESUMED : TRIAD_EVENT_REGRANTED, NULL);
}

static size_t add_candidate(triad_address *list, size_t count, const char *host, int port) {
    if (count == MAX_CANDIDATES || port < 1 || port > 65535 || host[0] == '\0') return count;
    for (size_t i = 0; i < count; i++) {
        if (list[i].port == port && strcmp(list[i].host, host) == 0) return count;
    }
    triad_copy(list[count].host, sizeof list[count].host, host);
    list[count].port = port;
    return count + 1;
}

/* Where the seat may live now: a master a standby named, the last server, the granting one, a triad's members. */
static size_t resume_candidates(triad_license *license, triad_address *list) {
    size_t count = 0;
    if (license->has_redirect) count = add_candidate(list, count, license->redirect_to.host, license->redirect_to.port);
    count = add_candidate(list, count, license->last_address.host, license->last_address.port);
    count = add_candidate(list, count, license->grant.host, license->grant.port);
    for (int i = 0; i < license->grant.member_count; i++) count = add_candidate(list, count, license->grant.members[i].host, license->grant.members[i].port);
    return count;
}

/*
 * The resume rule, in one place: present the resume token at each candidate (following
 * redirects) until one grants, a denial other than -96 ends the seat, or the deadline passes: the
 * last confirmed heartbeat + the seat's timeout + the triad's failover time (a new master gives
 * every seat a fresh timeout, so the seat is still there after a failover that long).
 */
static void resume(triad_license *license) {
    drop_connection(license);
    long long deadline = license->last_confirmed_ms + license->grant.timeout_ms + license->grant.failover_ms;
    triad_address candidates[MAX_CANDIDATES];
    size_t count = resume_candidates(license, candidates);
    license->has_redirect = 0;
    char token[TRIAD_TOKEN_MAX + 1];
    triad_copy(token, sizeof token, license->grant.resume_token);
    long long pause = license->grant.heartbeat_interval_ms < 1000 ? license->grant.heartbeat_interval_ms : 1000;
    while (!stopping(license) && triad_now_ms() < deadline) {
        for (size_t i = 0; i < count; i++) {
            triad_attempt attempt;
            triad_checkout_at(&candidates[i], &license->request, token, &license->settings, &attempt);
            if (attempt.kind == TRIAD_ATTEMPT_GRANTED) {
                adopt(license, &attempt); /* also when stopping: triad_checkin returns it on this connection */
                return;
            }
            /* a member without a master (-96) may have one in a moment; any other denial is final */
            if (attempt.kind == TRIAD_ATTEMPT_DENIED && attempt.error.code != SERVER_NOT_SERVING) {
                triad_error error = attempt.error;
                snprintf(error.message, sizeof error.message, "could not resume the seat: %.980s", attempt.error.message);
                lose_with(license, &error);
                return;
            }
            if (stopping(license)) return;
        }
        pause_unless_stopping(license, pause);
    }
    if (!stopping(license)) {
        char reason[200];
        snprintf(reason, sizeof reason, "lost contact with the license server: no member kept the seat within %d ms", license->grant.timeout_ms + license->grant.failover_ms);
        lose(license, TRIAD_ERR_SERVER_DOWN, TRIAD_MINOR_LOST_CONTACT, reason);
    }
}

static char *make_heartbeat(long long id, const void *lease_id) {
    return triad_request_heartbeat(id, lease_id);
}

static char *make_checkin(long long id, const void *lease_id) {
    return triad_request_checkin(id, lease_id);
}

/* A heartbeat waits for its reply at most one interval (at least a second): a silent server is a dead one. */
static int heartbeat_reply_timeout(const triad_license *license) {
    int interval = license->grant.heartbeat_interval_ms < 1000 ? 1000 : license->grant.heartbeat_interval_ms;
    return interval < license->settings.request_timeout_ms ? interval : license->settings.request_timeout_ms;
}

static void beat(triad_license *license) {
    if (license->connection == NULL) {
        resume(license);
        return;
    }
    triad_message reply;
    triad_error error;
    int result = triad_connection_request(license->connection, make_heartbeat, license->grant.lease_id, license->grant.lease_id, heartbeat_reply_timeout(license), &reply, &error);
    if (license->connection->revoked) {
        char reason[TRIAD_TEXT_MAX + 40];
        snprintf(reason, sizeof reason, "the server took the seat away: %s", license->connection->revoked_reason);
        lose(license, TRIAD_ERR_REVOKED, TRIAD_MINOR_REVOKED, reason);
        return;
    }
    if (result == TRIAD_OK && reply.type == TRIAD_MSG_HEARTBEAT_ACK) {
        if (reply.mentions_lease) lose(license, TRIAD_ERR_REVOKED, TRIAD_MINOR_REVOKED, "the server no longer holds the seat (reclaimed after missed heartbeats, or removed)");
        else license->last_confirmed_ms = triad_now_ms();
        return;
    }
    if (result == TRIAD_OK && reply.type == TRIAD_MSG_REDIRECT) {
        /* this member stopped being the master: take the seat to the one it names */
        license->has_redirect = 1;
        triad_copy(license->redirect_to.host, sizeof license->redirect_to.host, reply.host);
        license->redirect_to.port = reply.port;
    }
    /* broken, refused (this member is not serving) or not the protocol: find the seat elsewhere */
    resume(license);
}

static void heartbeat_thread(void *raw) {
    triad_license *license = raw;
    for (;;) {
        pause_unless_stopping(license, license->grant.heartbeat_interval_ms);
        triad_mutex_lock(&license->lock);
        int done = license->stopping || license->lost;
        triad_mutex_unlock(&license->lock);
        if (done) return;
        beat(license);
    }
}

int triad_license_start(triad_license **out, const triad_seat_request *request, const triad_connect_settings *settings, triad_attempt *granted, triad_event_fn on_event, void *user_data, triad_error *err) {
    triad_license *license = calloc(1, sizeof *license);
    char *ca_file = settings->tls.ca_file != NULL ? triad_strdup(settings->tls.ca_file) : NULL;
    if (license == NULL || (settings->tls.ca_file != NULL && ca_file == NULL)) {
        free(license);
        free(ca_file);
        triad_connection_close(granted->connection);
        return triad_fail(err, TRIAD_ERR_NO_MEMORY, TRIAD_MINOR_NO_MEMORY, "no memory for the license (the server reclaims the seat after its timeout)");
    }
    triad_mutex_init(&license->lock);
    triad_cond_init(&license->wake);
    license->request = *request;
    license->settings = *settings;
    license->settings.tls.ca_file = ca_file;
    license->on_event = on_event;
    license->user_data = user_data;
    license->connection = granted->connection;
    license->last_address = granted->connection->address;
    license->grant = granted->grant;
    license->last_confirmed_ms = triad_now_ms();
    publish_info(license);
    if (triad_thread_start(&license->worker, heartbeat_thread, license) != 0) {
        triad_checkin(license); /* a seat nobody would keep alive: give it back now */
        return triad_fail(err, TRIAD_ERR_NO_MEMORY, TRIAD_MINOR_NO_MEMORY, "cannot start the heartbeat thread");
    }
    license->worker_started = 1;
    *out = license;
    return TRIAD_OK;
}

/* Returns the seat on its connection; after a failover, on the member that holds it now. */
static void return_seat(triad_license *license) {
    triad_address elsewhere[MAX_CANDIDATES];
    size_t count = 0;
    if (license->connection != NULL) {
        triad_message reply;
        triad_error error;
        int result = triad_connection_request(license->connection, make_checkin, license->grant.lease_id, NULL, license->settings.request_timeout_ms, &reply, &error);
        if (result == TRIAD_OK && (reply.type == TRIAD_MSG_CHECKED_IN || reply.type == TRIAD_MSG_REFUSED)) {
            drop_connection(license);
            return;
        }
        if (result == TRIAD_OK && reply.type == TRIAD_MSG_REDIRECT) {
            count = add_candidate(elsewhere, 0, reply.host, reply.port);
        }
        drop_connection(license);
    }
    if (count == 0) count = resume_candidates(license, elsewhere);
    for (size_t i = 0; i < count; i++) {
        triad_attempt attempt;
        triad_checkout_at(&elsewhere[i], &license->request, license->grant.resume_token, &license->settings, &attempt);
        if (attempt.kind != TRIAD_ATTEMPT_GRANTED) continue;
        license->connection = attempt.connection;
        license->grant = attempt.grant;
        triad_message reply;
        triad_error error;
        triad_connection_request(license->connection, make_checkin, license->grant.lease_id, NULL, license->settings.request_timeout_ms, &reply, &error);
        drop_connection(license);
        return;
    }
    /* nobody answers: the server reclaims the seat after its timeout */
}

int triad_checkin(triad_license *license) {
    if (license == NULL) return TRIAD_ERR_BAD_PARAM;
    /* from its own event callback it would wait for itself */
    if (license->worker_started && triad_thread_is_current(&license->worker)) return TRIAD_ERR_BAD_PARAM;
    triad_mutex_lock(&license->lock);
    license->stopping = 1;
    triad_cond_broadcast(&license->wake);
    triad_mutex_unlock(&license->lock);
    if (license->worker_started) triad_thread_join(&license->worker);
    int result = license->lost ? license->lost_error.code : TRIAD_OK;
    if (!license->lost) return_seat(license);
    drop_connection(license);
    free(license->settings.tls.ca_file);
    triad_cond_destroy(&license->wake);
    triad_mutex_destroy(&license->lock);
    free(license);
    return result;
}

int triad_license_state(triad_license *license, triad_error *why) {
    triad_mutex_lock(&license->lock);
    int code = license->lost ? license->lost_error.code : TRIAD_OK;
    if (why != NULL) {
        if (license->lost) *why = license->lost_error;
        else triad_clear_error(why);
    }
    triad_mutex_unlock(&license->lock);
    return code;
}

void triad_license_info_get(triad_license *license, triad_license_info *out) {
    triad_mutex_lock(&license->lock);
    *out = license->info;
    triad_mutex_unlock(&license->lock);
}
