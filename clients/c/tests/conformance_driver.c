/*
 * The conformance suite's driver for the C library (test/integration/conformance/README.md
 * describes the line protocol every language's driver speaks): commands on stdin, one per line;
 * answers and events on stdout, one per line.
 */
#include "platform.h"
#include "triad/triad.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HANDLES 64

typedef struct handle {
    char name[64];
    triad_license *license;
} handle;

static handle handles[MAX_HANDLES];
static triad_mutex output;
static triad_context *context;

/* One whole line per call, flushed: events come from heartbeat threads. */
static void say(const char *format, ...) {
    triad_mutex_lock(&output);
    va_list arguments;
    va_start(arguments, format);
    vprintf(format, arguments);
    va_end(arguments);
    putchar('\n');
    fflush(stdout);
    triad_mutex_unlock(&output);
}

/* Messages go on one line: a newline in a server's reason would end the driver's answer. */
static const char *one_line(char *text) {
    for (char *c = text; *c != '\0'; c++) {
        if (*c == '\n' || *c == '\r') *c = ' ';
    }
    return text;
}

static void on_event(void *user_data, triad_license *license, const triad_event *event) {
    handle *slot = user_data;
    if (event->kind == TRIAD_EVENT_LOST) {
        char message[sizeof event->detail->message];
        memcpy(message, event->detail->message, sizeof message);
        say("EVENT %s LOST %d %s", slot->name, event->detail->code, one_line(message));
        return;
    }
    triad_license_info info;
    triad_license_info_get(license, &info);
    say("EVENT %s %s %s %d@%s", slot->name, event->kind == TRIAD_EVENT_RESUMED ? "RESUMED" : "REGRANTED", info.lease_id, info.port, info.server);
}

static handle *find(const char *name, int create) {
    for (int i = 0; i < MAX_HANDLES; i++) {
        if (handles[i].name[0] != '\0' && strcmp(handles[i].name, name) == 0) return &handles[i];
    }
    if (!create) return NULL;
    for (int i = 0; i < MAX_HANDLES; i++) {
        if (handles[i].name[0] == '\0') {
            snprintf(handles[i].name, sizeof handles[i].name, "%s", name);
            return &handles[i];
        }
    }
    return NULL;
}

static void open_context(char *path, char *rest) {
    triad_options options;
    memset(&options, 0, sizeof options);
    for (char *option = strtok(rest, " "); option != NULL; option = strtok(NULL, " ")) {
        char *value = strchr(option, '=');
        if (value == NULL) continue;
        *value++ = '\0';
        if (strcmp(option, "user") == 0) options.user = value;
        else if (strcmp(option, "host") == 0) options.host = value;
        else if (strcmp(option, "display") == 0) options.display = value;
        else if (strcmp(option, "fingerprint") == 0) options.tls_fingerprint = value;
        else if (strcmp(option, "ca") == 0) options.tls_ca_file = value;
        else if (strcmp(option, "vendor") == 0) options.vendor = value;
        else if (strcmp(option, "connect_timeout") == 0) options.connect_timeout_ms = atoi(value);
        else if (strcmp(option, "request_timeout") == 0) options.request_timeout_ms = atoi(value);
    }
    triad_error error;
    triad_close(context);
    context = NULL;
    if (triad_open(&context, strcmp(path, "-") == 0 ? NULL : path, &options, &error) != TRIAD_OK) say("ERROR open %d %s", error.code, one_line(error.message));
    else say("OK open");
}

static void checkout(const char *name, const char *feature, const char *version, int count) {
    handle *slot = find(name, 1);
    if (slot == NULL || slot->license != NULL || context == NULL) {
        say("ERROR %s -42 no context, or the handle name is in use", name);
        return;
    }
    triad_checkout_args args;
    memset(&args, 0, sizeof args);
    args.feature = feature;
    args.version = version;
    args.count = count;
    args.on_event = on_event;
    args.user_data = slot;
    triad_error error;
    triad_license *license = NULL;
    int result = triad_checkout_ex(context, &args, &license, &error);
    if (result != TRIAD_OK) {
        say("%s %s %d %s", error.denied ? "DENIED" : "ERROR", name, error.code, one_line(error.message));
        slot->name[0] = '\0';
        return;
    }
    slot->license = license;
    triad_license_info info;
    triad_license_info_get(license, &info);
    say("GRANTED %s %s %d@%s", name, info.lease_id, info.port, info.server);
}

int main(void) {
    triad_mutex_init(&output);
    char line[8192];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *command = strtok(line, " ");
        if (command == NULL) continue;
        if (strcmp(command, "ping") == 0) {
            say("PONG");
        } else if (strcmp(command, "quit") == 0) {
            break;
        } else if (strcmp(command, "open") == 0) {
            char *path = strtok(NULL, " ");
            char *rest = strtok(NULL, "");
            open_context(path != NULL ? path : "-", rest != NULL ? rest : (char *)"");
        } else if (strcmp(command, "checkout") == 0) {
            char *name = strtok(NULL, " ");
            char *feature = strtok(NULL, " ");
            char *version = strtok(NULL, " ");
            char *count = strtok(NULL, " ");
            if (name == NULL || feature == NULL || version == NULL || count == NULL) say("ERROR ? -42 usage: checkout NAME FEATURE VERSION COUNT");
            else checkout(name, feature, version, atoi(count));
        } else if (strcmp(command, "checkin") == 0 || strcmp(command, "state") == 0) {
            char *name = strtok(NULL, " ");
            handle *slot = name != NULL ? find(name, 0) : NULL;
            if (slot == NULL || slot->license == NULL) {
                say("ERROR %s -42 no such handle", name != NULL ? name : "?");
            } else if (strcmp(command, "state") == 0) {
                triad_error why;
                int state = triad_license_state(slot->license, &why);
                triad_license_info info;
                triad_license_info_get(slot->license, &info);
                say("STATE %s %d %s %d@%s", name, state, info.lease_id, info.port, info.server);
            } else {
                int result = triad_checkin(slot->license);
                slot->license = NULL;
                slot->name[0] = '\0';
                say("CHECKEDIN %s %d", name, result);
            }
        } else {
            say("ERROR ? -42 unknown command %s", command);
        }
    }
    /* quit checks in what is still held (a crash is a SIGKILL from the suite) */
    for (int i = 0; i < MAX_HANDLES; i++) {
        if (handles[i].license != NULL) triad_checkin(handles[i].license);
    }
    triad_close(context);
    triad_mutex_destroy(&output);
    return 0;
}
