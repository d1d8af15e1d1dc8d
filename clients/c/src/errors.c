#include "errors.h"

#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct code_text {
    int code;
    const char *text;
} code_text;

/* FlexLM's public sentences for the codes a Triad server or client produces. */
static const code_text texts[] = {
    {TRIAD_OK, "Success."},
    {-1, "Cannot find license file."},
    {-2, "Invalid license file syntax."},
    {-4, "Licensed number of users already reached."},
    {-5, "No such feature exists."},
    {-8, "Invalid license signature."},
    {-9, "Invalid host."},
    {-10, "Feature has expired."},
    {-12, "Invalid returned data from license server system."},
    {-15, "Cannot connect to license server system."},
    {-16, "Cannot read data from license server system."},
    {-25, "License server does not support this version of this feature."},
    {-31, "Feature start date is in the future."},
    {-38, "User/host on EXCLUDE list for feature."},
    {-39, "User/host not on INCLUDE list for feature."},
    {-40, "Cannot allocate dynamic memory."},
    {-42, "Invalid checkout request."},
    {-87, "Checkout exceeds MAX specified in options file."},
    {-96, "License server machine is down or not responding."},
    {TRIAD_ERR_REVOKED, "License was reclaimed or removed by the license server."},
};

const char *triad_error_text(int code) {
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        if (texts[i].code == code) return texts[i].text;
    }
    return "License request failed.";
}

int triad_fail(triad_error *err, int code, int minor, const char *format, ...) {
    if (err == NULL) return code;
    char detail[sizeof err->message];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(detail, sizeof detail, format, arguments);
    va_end(arguments);
    size_t detail_length = strlen(detail);
    while (detail_length > 0 && (detail[detail_length - 1] == '\n' || detail[detail_length - 1] == ' ')) detail[--detail_length] = '\0';
    err->code = code;
    err->minor = minor;
    err->denied = 0;
    /* a long detail is cut short; the numbers at the end always stay */
    char numbers[32];
    snprintf(numbers, sizeof numbers, " (%d,%d)", code, minor);
    size_t room = sizeof err->message - strlen(numbers);
    triad_copy(err->message, room, triad_error_text(code));
    size_t used = strlen(err->message);
    if (used + 1 < room) {
        err->message[used++] = ' ';
        triad_copy(err->message + used, room - used, detail);
    }
    memcpy(err->message + strlen(err->message), numbers, strlen(numbers) + 1);
    return code;
}

int triad_denial(triad_error *err, int code, const char *reason) {
    if (err == NULL) return code;
    err->code = code;
    err->minor = 0;
    err->denied = 1;
    triad_copy(err->message, sizeof err->message, reason);
    /* the server's reason ends in "(major,minor)", FlexLM's way */
    const char *numbers = strrchr(reason, '(');
    int major = 0, minor = 0;
    if (numbers != NULL && sscanf(numbers, "(%d,%d)", &major, &minor) == 2 && major == code) err->minor = minor;
    return code;
}

void triad_clear_error(triad_error *err) {
    if (err == NULL) return;
    err->code = TRIAD_OK;
    err->minor = 0;
    err->denied = 0;
    err->message[0] = '\0';
}
