#include "tls.h"

#include <ctype.h>
#include <string.h>

int triad_tls_normalise_fingerprint(const char *text, char out[65]) {
    static const char prefix[] = "sha256 fingerprint";
    size_t skip = 0;
    while (skip < sizeof prefix - 1 && tolower((unsigned char)text[skip]) == prefix[skip]) skip++;
    if (skip == sizeof prefix - 1) {
        while (isspace((unsigned char)text[skip])) skip++;
        if (text[skip] == '=') text += skip + 1;
    }
    size_t digits = 0;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c == ':' || isspace((unsigned char)*c)) continue;
        if (!isxdigit((unsigned char)*c) || digits == 64) return -1;
        out[digits++] = (char)toupper((unsigned char)*c);
    }
    out[digits] = '\0';
    return digits == 64 ? 0 : -1;
}
