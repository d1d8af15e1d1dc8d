/*
 * Checks out a feature, works for a minute while the library heartbeats (and follows a triad
 * through failover), then checks the license in.
 *
 *   checkout_example FEATURE [VERSION] [SEARCH_PATH]
 *
 * Without SEARCH_PATH it searches as FlexLM does (LM_LICENSE_FILE, ~/.flexlmrc, the registry).
 * TRIAD_EXAMPLE_SECONDS=5 shortens the minute (tests). Exit codes: 0 done, 1 denied or lost,
 * 2 no server or bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>

#include "triad/triad.h"

#ifdef _WIN32
#include <windows.h>
static void sleep_one_second(void) { Sleep(1000); }
#else
#include <time.h>
static void sleep_one_second(void) {
    struct timespec second = {1, 0};
    nanosleep(&second, NULL);
}
#endif

/* Runs on the license's heartbeat thread: report and return quickly. */
static void on_event(void *user_data, triad_license *license, const triad_event *event) {
    (void)user_data;
    (void)license;
    if (event->kind == TRIAD_EVENT_LOST) printf("license lost: %s\n", event->detail->message);
    else printf("license %s on %d@%s\n", event->kind == TRIAD_EVENT_RESUMED ? "kept" : "checked out again", event->port, event->server);
    fflush(stdout);
}

static int work_seconds(void) {
    const char *text = getenv("TRIAD_EXAMPLE_SECONDS");
    int seconds = text != NULL ? atoi(text) : 60;
    return seconds >= 0 ? seconds : 60;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FEATURE [VERSION] [SEARCH_PATH]\n", argv[0]);
        return 2;
    }
    triad_error error;
    triad_context *context = NULL;
    triad_options options = {0};
    options.agent = "checkout_example";
    if (triad_open(&context, argc > 3 ? argv[3] : NULL, &options, &error) != TRIAD_OK) {
        fprintf(stderr, "%s\n", error.message);
        return 2;
    }
    if (triad_context_problems(context)[0] != '\0') fprintf(stderr, "%s", triad_context_problems(context));

    triad_checkout_args request = {0};
    request.feature = argv[1];
    request.version = argc > 2 ? argv[2] : "1.0";
    request.count = 1;
    request.on_event = on_event;
    triad_license *license = NULL;
    if (triad_checkout_ex(context, &request, &license, &error) != TRIAD_OK) {
        printf("checkout of %s failed: %s\n", argv[1], error.message);
        triad_close(context);
        return error.code == TRIAD_ERR_CANT_CONNECT || error.code == TRIAD_ERR_CANT_READ || error.code == TRIAD_ERR_BAD_REPLY ? 2 : 1;
    }
    triad_license_info info;
    triad_license_info_get(license, &info);
    printf("checked out %s v%s from %d@%s (expires %s)\n", info.feature, info.version, info.port, info.server, info.expiry);
    fflush(stdout);

    int seconds = work_seconds();
    int status = 0;
    for (int second = 0; second < seconds; second++) {
        if (triad_license_state(license, &error) != TRIAD_OK) {
            printf("stopping work: %s\n", error.message);
            status = 1;
            break;
        }
        sleep_one_second(); /* the application's real work goes here */
    }
    if (triad_checkin(license) == TRIAD_OK) printf("checked in %s\n", argv[1]);
    triad_close(context);
    return status;
}
