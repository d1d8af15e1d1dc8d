/*
 * The context and the search (docs/PROTOCOL.md, "Checking out"): entries in order; an entry that
 * does not answer or denies moves the search on; a triad member that is not serving (-96) moves it
 * to the next member; after the first grant the granting server is tried first (FlexLM's rule
 * that a job's licenses come from one server). Mirrors src/core/client/search.ts.
 */
#include "client.h"
#include "errors.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct triad_context {
    triad_mutex lock; /* guards the sticky server */
    triad_target_list targets;
    triad_text_builder problems;
    triad_seat_request identity; /* user, host, display */
    triad_connect_settings settings;
    int has_sticky;
    triad_address sticky;
};

#define MAX_REDIRECTS 2
#define SERVER_NOT_SERVING (-96)

typedef struct checkout_argument {
    const triad_seat_request *request;
    const char *resume_token;
} checkout_argument;

static char *make_checkout(long long id, const void *raw) {
    const checkout_argument *argument = raw;
    triad_checkout_fields fields = {argument->request->feature, argument->request->version, argument->request->count, argument->request->user,
                                    argument->request->host,    argument->request->display, argument->resume_token};
    return triad_request_checkout(id, &fields);
}

void triad_checkout_at(const triad_address *first, const triad_seat_request *request, const char *resume_token, const triad_connect_settings *settings, triad_attempt *out) {
    memset(out, 0, sizeof *out);
    out->kind = TRIAD_ATTEMPT_UNREACHABLE;
    triad_address address = *first;
    checkout_argument argument = {request, resume_token};
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
        triad_connection *connection = NULL;
        if (triad_connection_open(&connection, &address, settings, &out->error) != TRIAD_OK) return;
        triad_message *reply = &out->grant;
        if (triad_connection_request(connection, make_checkout, &argument, NULL, settings->request_timeout_ms, reply, &out->error) != TRIAD_OK) {
            triad_connection_close(connection);
            return;
        }
        char at[300];
        snprintf(at, sizeof at, "%d@%s", address.port, address.host);
        switch (reply->type) {
        case TRIAD_MSG_GRANTED:
            out->kind = TRIAD_ATTEMPT_GRANTED;
            out->connection = connection;
            return;
        case TRIAD_MSG_DENIED:
            triad_connection_close(connection);
            out->kind = TRIAD_ATTEMPT_DENIED;
            triad_denial(&out->error, reply->code, reply->text);
            return;
        case TRIAD_MSG_REDIRECT:
            triad_connection_close(connection);
            triad_copy(address.host, sizeof address.host, reply->host);
            address.port = reply->port;
            continue;
        case TRIAD_MSG_REFUSED:
            /* a server that cannot serve this moment (no master yet, grant not durable): try elsewhere */
            triad_connection_close(connection);
            triad_fail(&out->error, SERVER_NOT_SERVING, TRIAD_MINOR_NOT_SERVING, "%s refused: %s", at, reply->text);
            return;
        default:
            triad_connection_close(connection);
            triad_fail(&out->error, TRIAD_ERR_BAD_REPLY, TRIAD_MINOR_BAD_REPLY, "%s: unexpected %s in reply to a checkout", at, triad_message_type_name(reply->type));
            return;
        }
    }
    triad_fail(&out->error, TRIAD_ERR_CANT_CONNECT, TRIAD_MINOR_CANT_CONNECT, "%d@%s: too many redirects (more than %d)", first->port, first->host, MAX_REDIRECTS);
}

/* ---------------------------------------------------------------- context */

static int identity_field(char *target, const char *given, void (*from_system)(char *, size_t), const char *what, int allow_empty, triad_error *err) {
    if (given != NULL) triad_copy(target, TRIAD_NAME_MAX + 1, given);
    else from_system(target, TRIAD_NAME_MAX + 1);
    if (given != NULL && strlen(given) > TRIAD_NAME_MAX) return triad_fail(err, TRIAD_ERR_BAD_PARAM, TRIAD_MINOR_BAD_PARAM, "the %s is longer than %d bytes", what, TRIAD_NAME_MAX);
    if (!triad_text_fits(target, allow_empty ? 0 : 1, TRIAD_NAME_MAX)) {
        return triad_fail(err, TRIAD_ERR_BAD_PARAM, TRIAD_MINOR_BAD_PARAM, "the %s \"%s\" must be UTF-8 text of %s%d characters", what, target, allow_empty ? "up to " : "1 to ", TRIAD_NAME_MAX);
    }
    return TRIAD_OK;
}

/* TLS from the options, else TRIAD_TLS_FINGERPRINT / TRIAD_TLS_CA (as the triad command reads them). */
static int tls_settings(triad_tls_settings *tls, const triad_options *options, triad_error *err) {
    char *fingerprint = options->tls_fingerprint != NULL ? triad_strdup(options->tls_fingerprint) : triad_env_copy("TRIAD_TLS_FINGERPRINT");
    char *ca = options->tls_ca_file != NULL ? triad_strdup(options->tls_ca_file) : triad_env_copy("TRIAD_TLS_CA");
    int result = TRIAD_OK;
    if (fingerprint != NULL && triad_tls_normalise_fingerprint(fingerprint, tls->fingerprint) != 0) {
        result = triad_fail(err, TRIAD_ERR_BAD_PARAM, TRIAD_MINOR_BAD_PARAM,
                            "TLS fingerprint \"%.200s\" is not a SHA-256 fingerprint: 64 hex digits, as `openssl x509 -noout -fingerprint -sha256 -in server.crt` prints", fingerprint);
    }
    tls->enabled = fingerprint != NULL || ca != NULL;
    tls->ca_file = ca;
    free(fingerprint);
    return result;
}

static int positive_or(int value, int fallback) {
    return value > 0 ? value : fallback;
}

int triad_open(triad_context **out, const char *search_path, const triad_options *given, triad_error *err) {
    triad_options none;
    memset(&none, 0, sizeof none);
    const triad_options *options = given != NULL ? given : &none;
    triad_clear_error(err);
    *out = NULL;
    triad_context *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) return triad_fail(err, TRIAD_ERR_NO_MEMORY, TRIAD_MINOR_NO_MEMORY, "no memory for a context");
    triad_mutex_init(&ctx->lock);
    ctx->settings.connect_timeout_ms = positive_or(options->connect_timeout_ms, 3000);
    ctx->settings.request_timeout_ms = positive_or(options->request_timeout_ms, 30000);
    triad_copy(ctx->settings.agent, sizeof ctx->settings.agent, options->agent != NULL ? options->agent : "triad-c " TRIAD_CLIENT_VERSION);
    int result = tls_settings(&ctx->settings.tls, options, err);
    if (result == TRIAD_OK) result = identity_field(ctx->identity.user, options->user, triad_login_name, "user name", 0, err);
    if (result == TRIAD_OK) result = identity_field(ctx->identity.host, options->host, triad_host_name, "host name", 0, err);
    if (result == TRIAD_OK) result = identity_field(ctx->identity.display, options->display, triad_display_name, "display", 1, err);
    if (result == TRIAD_OK && !triad_text_fits(ctx->settings.agent, 0, TRIAD_NAME_MAX)) result = triad_fail(err, TRIAD_ERR_BAD_PARAM, TRIAD_MINOR_BAD_PARAM, "the agent name is not UTF-8 text of up to 256 characters");
    if (result == TRIAD_OK) {
        int listed = search_path != NULL ? triad_search_add_text(&ctx->targets, search_path, "search path", TRIAD_PLATFORM_WINDOWS, &ctx->problems)
                                         : triad_search_from_environment(&ctx->targets, options->vendor, &ctx->problems);
        if (listed != 0) result = triad_fail(err, TRIAD_ERR_NO_MEMORY, TRIAD_MINOR_NO_MEMORY, "no memory for the search path");
    }
    if (result == TRIAD_OK && ctx->targets.count == 0) {
        if (ctx->problems.length > 0) {
            result = triad_fail(err, TRIAD_ERR_BAD_SEARCH_PATH, TRIAD_MINOR_BAD_SEARCH_PATH, "no usable entry in the search path: %s", triad_text_get(&ctx->problems));
        } else {
            result = triad_fail(err, TRIAD_ERR_NO_SEARCH_PATH, TRIAD_MINOR_NO_SEARCH_PATH, "no license server to contact: pass a search path such as 27000@host, or set %s%sLM_LICENSE_FILE",
                                options->vendor != NULL ? options->vendor : "", options->vendor != NULL ? "_LICENSE_FILE or " : "");
        }
    }
    if (result != TRIAD_OK) {
        triad_close(ctx);
        return result;
    }
    *out = ctx;
    return TRIAD_OK;
}

const char *triad_context_problems(const triad_context *ctx) {
    return triad_text_get(&ctx->problems);
}

void triad_close(triad_context *ctx) {
    if (ctx == NULL) return;
    triad_target_list_free(&ctx->targets);
    triad_text_free(&ctx->problems);
    free(ctx->settings.tls.ca_file);
    triad_mutex_destroy(&ctx->lock);
    free(ctx);
}

/* ---------------------------------------------------------------- the search */

/* Failures to reach servers, summed up: their common code (or -15), every address's reason. */
typedef struct unreachable_summary {
    int code;
    int minor;
    int count;
    triad_text_builder reasons;
} unreachable_summary;

static void note_unreachable(unreachable_summary *summary, const triad_error *error) {
    if (summary->count == 0) {
        summary->code = error->code;
        summary->minor = error->minor;
    } else if (summary->code != error->code) {
        summary->code = TRIAD_ERR_CANT_CONNECT;
        summary->minor = TRIAD_MINOR_CANT_CONNECT;
    }
    summary->count++;
    /* the reason without the leading sentence and trailing numbers triad_fail added */
    const char *text = error->message;
    const char *sentence = triad_error_text(error->code);
    if (strncmp(text, sentence, strlen(sentence)) == 0) text += strlen(sentence) + 1;
    size_t length = strlen(text);
    const char *numbers = strrchr(text, '(');
    if (numbers != NULL && numbers > text && numbers[-1] == ' ') length = (size_t)(numbers - text - 1);
    triad_text_append(&summary->reasons, "%s%.*s", summary->count > 1 ? "; " : "", (int)length, text);
}

static int search(triad_context *ctx, const triad_seat_request *request, triad_attempt *granted, triad_error *err) {
    triad_mutex_lock(&ctx->lock);
    int has_sticky = ctx->has_sticky;
    triad_address sticky = ctx->sticky;
    triad_mutex_unlock(&ctx->lock);

    unreachable_summary unreachable;
    memset(&unreachable, 0, sizeof unreachable);
    triad_error denial;
    int denied = 0;
    triad_attempt attempt;
    for (size_t t = has_sticky ? 0 : 1; t <= ctx->targets.count; t++) {
        /* target 0 is the sticky server, when there is one */
        const triad_address *addresses = t == 0 ? &sticky : ctx->targets.items[t - 1].addresses;
        size_t count = t == 0 ? 1 : ctx->targets.items[t - 1].count;
        int redundant = t == 0 ? 0 : ctx->targets.items[t - 1].redundant;
        for (size_t a = 0; a < count; a++) {
            triad_checkout_at(&addresses[a], request, NULL, &ctx->settings, &attempt);
            if (attempt.kind == TRIAD_ATTEMPT_GRANTED) {
                triad_mutex_lock(&ctx->lock);
                if (!ctx->has_sticky) {
                    ctx->has_sticky = 1;
                    ctx->sticky = attempt.connection->address;
                }
                triad_mutex_unlock(&ctx->lock);
                triad_text_free(&unreachable.reasons);
                *granted = attempt;
                return TRIAD_OK;
            }
            if (attempt.kind == TRIAD_ATTEMPT_UNREACHABLE) {
                note_unreachable(&unreachable, &attempt.error);
                continue;
            }
            denial = attempt.error;
            denied = 1;
            if (!(redundant && attempt.error.code == SERVER_NOT_SERVING)) break;
        }
    }
    int result;
    if (denied) {
        result = triad_denial(err, denial.code, denial.message);
    } else if (unreachable.count == 1) {
        result = triad_fail(err, unreachable.code, unreachable.minor, "%s", triad_text_get(&unreachable.reasons));
    } else {
        result = triad_fail(err, unreachable.code, unreachable.minor, "no license server could be reached: %s", triad_text_get(&unreachable.reasons));
    }
    triad_text_free(&unreachable.reasons);
    return result;
}

int triad_checkout_ex(triad_context *ctx, const triad_checkout_args *args, triad_license **out, triad_error *err) {
    triad_clear_error(err);
    if (out == NULL) return triad_fail(err, TRIAD_ERR_BAD_PARAM, TRIAD_MINOR_BAD_PARAM, "no place for the license handle given");
    *out = NULL;
    if (ctx == NULL || args == NULL || args->feature == NULL) return triad_fail(err, TRIAD_ERR_BAD_PARAM, TRIAD_MINOR_BAD_PARAM, "no context or no feature name given");
    triad_seat_request request = ctx->identity;
    const char *version = args->version != NULL ? args->version : "1.0";
    if (!triad_text_fits(args->feature, 1, TRIAD_NAME_MAX)) {
        return triad_fail(err, TRIAD_ERR_BAD_PARAM, TRIAD_MINOR_BAD_PARAM, "the feature name must be UTF-8 text of 1 to %d characters", TRIAD_NAME_MAX);
    }
    if (!triad_version_valid(version)) {
        return triad_fail(err, TRIAD_ERR_BAD_PARAM, TRIAD_MINOR_BAD_PARAM, "version \"%.40s\": write a version such as 1.0 (digits, a dot, digits)", version);
    }
    if (args->count < 1 || args->count > 1000000) return triad_fail(err, TRIAD_ERR_BAD_PARAM, TRIAD_MINOR_BAD_PARAM, "count %d: ask for 1 to 1000000 seats", args->count);
    triad_copy(request.feature, sizeof request.feature, args->feature);
    triad_copy(request.version, sizeof request.version, version);
    request.count = args->count;
    triad_attempt granted;
    int result = search(ctx, &request, &granted, err);
    if (result != TRIAD_OK) return result;
    return triad_license_start(out, &request, &ctx->settings, &granted, args->on_event, args->user_data, err);
}

int triad_checkout(triad_context *ctx, const char *feature, const char *version, int count, triad_license **out, triad_error *err) {
    triad_checkout_args args;
    memset(&args, 0, sizeof args);
    args.feature = feature;
    args.version = version;
    args.count = count;
    return triad_checkout_ex(ctx, &args, out, err);
}
