#include "message.h"

#include "cJSON.h"
#include "text.h"
#include "triad/triad.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the UTF-8 sequence at text (1-4), or 0 when it is not valid UTF-8 (RFC 3629). */
static size_t utf8_sequence(const unsigned char *text, size_t left) {
    unsigned char c = text[0];
    if (c < 0x80) return 1;
    size_t length;
    unsigned lowest;
    if (c >= 0xc2 && c <= 0xdf) {
        length = 2;
        lowest = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        length = 3;
        lowest = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        length = 4;
        lowest = 0x10000;
    } else {
        return 0;
    }
    if (left < length) return 0;
    unsigned value = c & (0x3fu >> (length - 1));
    for (size_t i = 1; i < length; i++) {
        if ((text[i] & 0xc0) != 0x80) return 0;
        value = (value << 6) | (text[i] & 0x3fu);
    }
    if (value < lowest || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return 0;
    return length;
}

static int utf8_valid(const unsigned char *text, size_t size) {
    for (size_t i = 0; i < size;) {
        size_t step = utf8_sequence(text + i, size - i);
        if (step == 0) return 0;
        i += step;
    }
    return 1;
}

int triad_text_fits(const char *text, size_t min_units, size_t max_units) {
    size_t units = 0;
    const unsigned char *bytes = (const unsigned char *)text;
    size_t size = strlen(text);
    for (size_t i = 0; i < size;) {
        size_t step = utf8_sequence(bytes + i, size - i);
        if (step == 0) return 0;
        units += step == 4 ? 2 : 1; /* characters beyond U+FFFF are two UTF-16 units */
        i += step;
    }
    return units >= min_units && units <= max_units;
}

int triad_version_valid(const char *version) {
    size_t length = strlen(version);
    if (length == 0 || length > TRIAD_VERSION_MAX) return 0;
    size_t i = 0;
    while (i < length && isdigit((unsigned char)version[i])) i++;
    if (i == 0) return 0;
    if (i == length) return 1;
    if (version[i] != '.') return 0;
    size_t fraction = ++i;
    while (i < length && isdigit((unsigned char)version[i])) i++;
    return i == length && i > fraction;
}

/* ---------------------------------------------------------------- decoding */

typedef struct reader {
    const cJSON *object;
    const char *type;
    char *why;
    size_t why_size;
} reader;

static int field_problem(reader *r, const char *field, const char *expected) {
    snprintf(r->why, r->why_size, "invalid message at %s.%s: expected %s", r->type, field, expected);
    return -1;
}

/* A string field copied into target (capacity bytes). Longer than max_units: refused when
 * `exact`, cut short otherwise (human text). */
static int read_string(reader *r, const char *field, char *target, size_t capacity, size_t min_units, int exact) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(r->object, field);
    if (!cJSON_IsString(item) || item->valuestring == NULL) return field_problem(r, field, "a string");
    size_t length = strlen(item->valuestring);
    if (length < min_units) return field_problem(r, field, "a non-empty string");
    if (length >= capacity) {
        if (exact) {
            char expected[64];
            snprintf(expected, sizeof expected, "a string of at most %u bytes", (unsigned)(capacity - 1));
            return field_problem(r, field, expected);
        }
        /* cut at a character boundary so the copy stays UTF-8 */
        size_t cut = capacity - 1;
        while (cut > 0 && (((unsigned char)item->valuestring[cut]) & 0xc0) == 0x80) cut--;
        memcpy(target, item->valuestring, cut);
        target[cut] = '\0';
        return 0;
    }
    memcpy(target, item->valuestring, length + 1);
    return 0;
}

/* A whole number in [min, max] (JSON numbers are doubles: 3.5, 1e300 and NaN are refused). */
static int read_integer(reader *r, const char *field, double min, double max, double *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(r->object, field);
    if (!cJSON_IsNumber(item)) return field_problem(r, field, "a number");
    double value = item->valuedouble;
    if (!(value >= min && value <= max) || floor(value) != value) {
        char expected[96];
        snprintf(expected, sizeof expected, "a whole number from %.0f to %.0f", min, max);
        return field_problem(r, field, expected);
    }
    *out = value;
    return 0;
}

static int read_int(reader *r, const char *field, double min, double max, int *out) {
    double value = 0;
    if (read_integer(r, field, min, max, &value) != 0) return -1;
    *out = (int)value;
    return 0;
}

static int read_bool(reader *r, const char *field, int *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(r->object, field);
    if (!cJSON_IsBool(item)) return field_problem(r, field, "true or false");
    *out = cJSON_IsTrue(item) ? 1 : 0;
    return 0;
}

#define INT_LIMIT 2147483647.0
#define ID_LIMIT 9007199254740991.0 /* 2^53 - 1: every id a JavaScript server can send */

static int read_id(reader *r, triad_message *out) {
    double id = 0;
    if (read_integer(r, "id", 0, ID_LIMIT, &id) != 0) return -1;
    out->has_id = 1;
    out->id = (long long)id;
    return 0;
}

/* A list of strings; sets mentions_lease when one equals lease. */
static int read_lease_list(reader *r, const char *field, const char *lease, triad_message *out) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(r->object, field);
    if (!cJSON_IsArray(list)) return field_problem(r, field, "a list of lease ids");
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        if (!cJSON_IsString(item) || item->valuestring == NULL) return field_problem(r, field, "a list of lease ids (strings)");
        if (lease != NULL && strcmp(item->valuestring, lease) == 0) out->mentions_lease = 1;
    }
    return 0;
}

static int read_members(reader *r, triad_message *out) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(r->object, "members");
    if (list == NULL) return 0; /* a single server sends none */
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > 3) return field_problem(r, "members", "a list of at most three {host, port}");
    const cJSON *member;
    cJSON_ArrayForEach(member, list) {
        reader inner = {member, "granted.members", r->why, r->why_size};
        if (!cJSON_IsObject(member)) return field_problem(r, "members", "a list of {host, port} objects");
        triad_address *address = &out->members[out->member_count];
        if (read_string(&inner, "host", address->host, sizeof address->host, 1, 1) != 0) return -1;
        if (read_int(&inner, "port", 1, 65535, &address->port) != 0) return -1;
        out->member_count++;
    }
    return 0;
}

static int decode_granted(reader *r, triad_message *out) {
    if (read_id(r, out) != 0) return -1;
    if (read_string(r, "leaseId", out->lease_id, sizeof out->lease_id, 1, 1) != 0) return -1;
    if (read_string(r, "resumeToken", out->resume_token, sizeof out->resume_token, 1, 1) != 0) return -1;
    if (read_string(r, "feature", out->feature, sizeof out->feature, 0, 0) != 0) return -1;
    if (read_string(r, "version", out->version, sizeof out->version, 0, 0) != 0) return -1;
    if (read_int(r, "count", 1, INT_LIMIT, &out->count) != 0) return -1;
    if (read_int(r, "heartbeatIntervalMs", 1, INT_LIMIT, &out->heartbeat_interval_ms) != 0) return -1;
    if (read_int(r, "timeoutMs", 1, INT_LIMIT, &out->timeout_ms) != 0) return -1;
    if (read_string(r, "expiry", out->expiry, sizeof out->expiry, 0, 0) != 0) return -1;
    if (read_string(r, "server", out->host, sizeof out->host, 1, 1) != 0) return -1;
    if (read_int(r, "port", 0, 65535, &out->port) != 0) return -1;
    if (read_int(r, "handle", -INT_LIMIT, INT_LIMIT, &out->handle) != 0) return -1;
    if (read_bool(r, "resumed", &out->resumed) != 0) return -1;
    if (read_members(r, out) != 0) return -1;
    out->failover_ms = 0;
    if (cJSON_GetObjectItemCaseSensitive(r->object, "failoverMs") != NULL && read_int(r, "failoverMs", 0, INT_LIMIT, &out->failover_ms) != 0) return -1;
    return 0;
}

/* A reply that carries one text besides its id (done, refused). */
static int decode_id_and_text(reader *r, triad_message *out, triad_message_type type, const char *field) {
    out->type = type;
    if (read_id(r, out) != 0) return -1;
    return read_string(r, field, out->text, sizeof out->text, 0, 0);
}

static int decode_fields(reader *r, const char *lease, triad_message *out) {
    const char *type = r->type;
    if (strcmp(type, "welcome") == 0) {
        out->type = TRIAD_MSG_WELCOME;
        if (read_int(r, "version", -INT_LIMIT, INT_LIMIT, &out->protocol_version) != 0) return -1;
        if (read_string(r, "server", out->host, sizeof out->host, 0, 0) != 0) return -1;
        if (read_int(r, "port", -INT_LIMIT, INT_LIMIT, &out->port) != 0) return -1;
        return read_string(r, "serverVersion", out->server_version, sizeof out->server_version, 0, 0);
    }
    if (strcmp(type, "granted") == 0) {
        out->type = TRIAD_MSG_GRANTED;
        return decode_granted(r, out);
    }
    if (strcmp(type, "denied") == 0) {
        if (decode_id_and_text(r, out, TRIAD_MSG_DENIED, "reason") != 0) return -1;
        return read_int(r, "code", -INT_LIMIT, INT_LIMIT, &out->code);
    }
    if (strcmp(type, "redirect") == 0) {
        out->type = TRIAD_MSG_REDIRECT;
        if (read_id(r, out) != 0 || read_string(r, "host", out->host, sizeof out->host, 1, 1) != 0) return -1;
        return read_int(r, "port", 1, 65535, &out->port);
    }
    if (strcmp(type, "heartbeatAck") == 0) {
        out->type = TRIAD_MSG_HEARTBEAT_ACK;
        if (read_id(r, out) != 0) return -1;
        return read_lease_list(r, "unknown", lease, out);
    }
    if (strcmp(type, "checkedIn") == 0) {
        out->type = TRIAD_MSG_CHECKED_IN;
        return read_id(r, out) != 0 ? -1 : read_string(r, "leaseId", out->lease_id, sizeof out->lease_id, 0, 0);
    }
    if (strcmp(type, "statusReply") == 0) {
        out->type = TRIAD_MSG_STATUS_REPLY;
        if (read_id(r, out) != 0) return -1;
        return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r->object, "status")) ? 0 : field_problem(r, "status", "an object");
    }
    if (strcmp(type, "done") == 0) return decode_id_and_text(r, out, TRIAD_MSG_DONE, "message");
    if (strcmp(type, "refused") == 0) return decode_id_and_text(r, out, TRIAD_MSG_REFUSED, "reason");
    if (strcmp(type, "error") == 0) {
        out->type = TRIAD_MSG_ERROR;
        if (read_string(r, "code", out->error_code, sizeof out->error_code, 0, 0) != 0) return -1;
        return read_string(r, "message", out->text, sizeof out->text, 0, 0);
    }
    if (strcmp(type, "shutdown") == 0) {
        out->type = TRIAD_MSG_SHUTDOWN;
        return read_string(r, "reason", out->text, sizeof out->text, 0, 0);
    }
    if (strcmp(type, "revoked") == 0) {
        out->type = TRIAD_MSG_REVOKED;
        if (read_lease_list(r, "leaseIds", lease, out) != 0) return -1;
        return read_string(r, "reason", out->text, sizeof out->text, 0, 0);
    }
    snprintf(r->why, r->why_size, "invalid message: unknown type \"%.64s\"", type);
    return -1;
}

int triad_message_decode(const unsigned char *payload, size_t size, const char *lease_of_interest, triad_message *out, char *why, size_t why_size) {
    memset(out, 0, sizeof *out);
    if (!utf8_valid(payload, size)) {
        triad_copy(why, why_size, "frame is not UTF-8 JSON");
        return -1;
    }
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts((const char *)payload, size, &end, 0);
    /* one JSON value and nothing after it but white space */
    while (json != NULL && end < (const char *)payload + size && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')) end++;
    if (json != NULL && end != (const char *)payload + size) {
        cJSON_Delete(json);
        json = NULL;
    }
    if (json == NULL) {
        triad_copy(why, why_size, "frame is not UTF-8 JSON");
        return -1;
    }
    int result = -1;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(json, "type");
    if (!cJSON_IsObject(json)) {
        triad_copy(why, why_size, "invalid message: expected a JSON object");
    } else if (!cJSON_IsString(type) || type->valuestring == NULL) {
        triad_copy(why, why_size, "invalid message at type: expected a message type");
    } else {
        reader r = {json, type->valuestring, why, why_size};
        result = decode_fields(&r, lease_of_interest, out);
    }
    cJSON_Delete(json);
    return result;
}

const char *triad_message_type_name(triad_message_type type) {
    static const char *const names[] = {"?", "welcome", "granted", "denied", "redirect", "heartbeatAck", "checkedIn", "statusReply", "done", "refused", "error", "shutdown", "revoked"};
    return (size_t)type < sizeof names / sizeof names[0] ? names[type] : "?";
}

/* ---------------------------------------------------------------- requests */

/* Prints and frees the object; NULL when any step ran out of memory. */
static char *finish(cJSON *object, int complete) {
    char *text = complete && object != NULL ? cJSON_PrintUnformatted(object) : NULL;
    cJSON_Delete(object);
    return text;
}

static int add_request_head(cJSON *object, const char *type, long long id) {
    return object != NULL && cJSON_AddStringToObject(object, "type", type) != NULL && cJSON_AddNumberToObject(object, "id", (double)id) != NULL;
}

char *triad_request_hello(const char *agent) {
    cJSON *object = cJSON_CreateObject();
    int complete = object != NULL && cJSON_AddStringToObject(object, "type", "hello") != NULL &&
                   cJSON_AddNumberToObject(object, "version", TRIAD_PROTOCOL_VERSION) != NULL &&
                   cJSON_AddStringToObject(object, "role", "client") != NULL && cJSON_AddStringToObject(object, "agent", agent) != NULL;
    return finish(object, complete);
}

char *triad_request_checkout(long long id, const triad_checkout_fields *fields) {
    cJSON *object = cJSON_CreateObject();
    int complete = add_request_head(object, "checkout", id) && cJSON_AddStringToObject(object, "feature", fields->feature) != NULL &&
                   cJSON_AddStringToObject(object, "version", fields->version) != NULL && cJSON_AddNumberToObject(object, "count", fields->count) != NULL &&
                   cJSON_AddStringToObject(object, "user", fields->user) != NULL && cJSON_AddStringToObject(object, "host", fields->host) != NULL &&
                   cJSON_AddStringToObject(object, "display", fields->display) != NULL &&
                   (fields->resume_token == NULL || cJSON_AddStringToObject(object, "resumeToken", fields->resume_token) != NULL);
    return finish(object, complete);
}

char *triad_request_heartbeat(long long id, const char *lease_id) {
    cJSON *object = cJSON_CreateObject();
    int complete = add_request_head(object, "heartbeat", id);
    cJSON *leases = complete ? cJSON_CreateStringArray(&lease_id, 1) : NULL;
    if (leases != NULL && !cJSON_AddItemToObject(object, "leaseIds", leases)) {
        cJSON_Delete(leases);
        leases = NULL;
    }
    return finish(object, complete && leases != NULL);
}

char *triad_request_checkin(long long id, const char *lease_id) {
    cJSON *object = cJSON_CreateObject();
    int complete = add_request_head(object, "checkin", id) && cJSON_AddStringToObject(object, "leaseId", lease_id) != NULL;
    return finish(object, complete);
}
