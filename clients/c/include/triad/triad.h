/*
 * Triad license client for C and C++ (docs/PROTOCOL.md is the wire protocol it speaks).
 *
 *   triad_context *ctx;
 *   triad_license *lic;
 *   triad_error err;
 *   if (triad_open(&ctx, NULL, NULL, &err) != TRIAD_OK) { fprintf(stderr, "%s\n", err.message); ... }
 *   if (triad_checkout(ctx, "cad", "1.0", 1, &lic, &err) != TRIAD_OK) { ... err.code, err.message ... }
 *   ... work; a background thread heartbeats, follows a triad through failover and resumes the seat ...
 *   triad_checkin(lic);
 *   triad_close(ctx);
 *
 * Thread safety:
 * - A context may be used by several threads at once (triad_checkout calls may overlap).
 * - A license handle belongs to whoever checked it out: triad_checkin must be called exactly once
 *   and not while another call on the same handle is running. triad_license_state and
 *   triad_license_info may be called from any thread at any time before triad_checkin.
 * - Each held license has its own heartbeat thread. Event callbacks run on that thread: keep them
 *   short, and do not call triad_checkin for the same license inside its callback (it returns
 *   TRIAD_ERR_BAD_PARAM there, because it would wait for the thread that is calling it).
 * - A license does not need its context: triad_close may come before or after triad_checkin.
 * - Errors are written into a triad_error the caller passes in; there is no global error state.
 */
#ifndef TRIAD_H
#define TRIAD_H

#ifdef __cplusplus
extern "C" {
#endif

#define TRIAD_CLIENT_VERSION "1.0.0"
/* The wire protocol version this library speaks (docs/PROTOCOL.md, "Hello and versions"). */
#define TRIAD_PROTOCOL_VERSION 1

/*
 * Result codes. 0 is success. Negative codes use FlexLM's public error numbers; a denial from a
 * server passes its own major code through (-4 "Licensed number of users already reached.",
 * -5 "No such feature exists.", -96 ...), so every FlexLM code can appear in triad_error.code.
 * The ones the client itself produces:
 */
#define TRIAD_OK 0
#define TRIAD_ERR_NO_SEARCH_PATH (-1)  /* nothing to search: no path given, no variable set */
#define TRIAD_ERR_BAD_SEARCH_PATH (-2) /* the search path has no usable entry (each problem is named) */
#define TRIAD_ERR_BAD_REPLY (-12)      /* a server sent something that is not the protocol */
#define TRIAD_ERR_CANT_CONNECT (-15)   /* no server could be reached (refused, timeout, TLS, pin) */
#define TRIAD_ERR_CANT_READ (-16)      /* the connection broke or a reply did not come in time */
#define TRIAD_ERR_NO_MEMORY (-40)
#define TRIAD_ERR_BAD_PARAM (-42)      /* an argument is out of range (the message names it) */
#define TRIAD_ERR_SERVER_DOWN (-96)    /* seat lost: no server answered within its timeout */
#define TRIAD_ERR_REVOKED (-900)       /* seat lost: the server reclaimed or removed it (Triad's own) */

typedef struct triad_error {
    int code;           /* TRIAD_OK or a negative code */
    int minor;          /* FlexLM-style minor number (where the failure was found), 0 when none */
    int denied;         /* 1: a server denied the request (code and message are the server's) */
    char message[1024]; /* one line for a person: what failed, where, how to fix it */
} triad_error;

/* The FlexLM sentence for a code ("Cannot connect to license server system."). Never NULL. */
const char *triad_error_text(int code);

typedef struct triad_context triad_context;
typedef struct triad_license triad_license;

typedef struct triad_options {
    /* Vendor daemon name: <VENDOR>_LICENSE_FILE is searched before LM_LICENSE_FILE. NULL: none. */
    const char *vendor;
    /* Who asks; NULL: the login name, the host name, and $DISPLAY (else "console"). */
    const char *user;
    const char *host;
    const char *display;
    /* TLS: pin the server certificate's SHA-256 fingerprint ("AB:CD:..." as openssl prints it),
     * or trust a CA file (PEM). NULL: the TRIAD_TLS_FINGERPRINT / TRIAD_TLS_CA variables, else
     * plain TCP. */
    const char *tls_fingerprint;
    const char *tls_ca_file;
    int connect_timeout_ms; /* 0: 3000 per address */
    int request_timeout_ms; /* 0: 30000 per reply (heartbeats wait at most one interval) */
    const char *agent;      /* program name for the server's logs; NULL: "triad-c" */
} triad_options;

/*
 * Opens a context. search_path is an LM_LICENSE_FILE-style list ("27000@a,27000@b,27000@c",
 * "27000@lic1:@lic2", a license file); NULL searches as FlexLM does: <VENDOR>_LICENSE_FILE, then
 * LM_LICENSE_FILE, each from the environment or else from ~/.flexlmrc (UNIX) or the registry
 * key HKEY_CURRENT_USER / HKEY_LOCAL_MACHINE "Software\FLEXlm License Manager" (Windows).
 * Entries that cannot be read are skipped and listed by triad_context_problems; an error is
 * returned only when no entry is usable. options may be NULL.
 */
int triad_open(triad_context **out, const char *search_path, const triad_options *options, triad_error *err);

/* Problems found in the search path (one per line), or "" when there were none. */
const char *triad_context_problems(const triad_context *ctx);

/* Frees the context. Licenses checked out through it stay valid. */
void triad_close(triad_context *ctx);

typedef enum triad_event_kind {
    TRIAD_EVENT_RESUMED = 1, /* reconnected (maybe to another triad member) and kept the seat */
    TRIAD_EVENT_REGRANTED,   /* reconnected, but the old seat was gone: this is a new seat */
    TRIAD_EVENT_LOST         /* the seat is gone (detail says why); stop using the feature */
} triad_event_kind;

typedef struct triad_event {
    triad_event_kind kind;
    const char *server; /* host of the server now holding the seat (RESUMED, REGRANTED) */
    int port;
    const triad_error *detail; /* LOST: code and reason; NULL otherwise */
} triad_event;

typedef void (*triad_event_fn)(void *user_data, triad_license *license, const triad_event *event);

typedef struct triad_checkout_args {
    const char *feature;
    const char *version; /* lowest version accepted, "1.0" when NULL */
    int count;           /* seats, at least 1 */
    triad_event_fn on_event; /* optional; called on the license's heartbeat thread */
    void *user_data;
} triad_checkout_args;

/*
 * Checks out count seats of feature at version or newer, trying the search path in order (a
 * server that is down or denies moves on to the next entry; a triad member that is not the
 * master sends the client to the one that is). On success *out holds the seat and a heartbeat
 * thread keeps it until triad_checkin. On a denial err holds the server's code and reason.
 */
int triad_checkout(triad_context *ctx, const char *feature, const char *version, int count, triad_license **out, triad_error *err);
int triad_checkout_ex(triad_context *ctx, const triad_checkout_args *args, triad_license **out, triad_error *err);

/*
 * Returns the seat and frees the handle (also when the seat was lost). Waits for the server's
 * answer, at most about one connect timeout per triad member when the server is gone (the
 * server then reclaims the seat itself after its timeout).
 */
int triad_checkin(triad_license *license);

/* TRIAD_OK while the seat is held; after a loss, the loss's code, with the reason in *why. */
int triad_license_state(triad_license *license, triad_error *why);

typedef struct triad_license_info {
    char feature[257];
    char version[33]; /* version of the line that granted the seat */
    int count;
    char lease_id[129];
    char expiry[65];  /* "permanent" or "31-dec-2026" */
    char server[257]; /* SERVER-line host of the server holding the seat */
    int port;
    int handle;
    int heartbeat_interval_ms;
    int timeout_ms;
} triad_license_info;

void triad_license_info_get(triad_license *license, triad_license_info *out);

#ifdef __cplusplus
}
#endif

#endif
