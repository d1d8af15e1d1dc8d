#include "frame.h"

#include <stdlib.h>
#include <string.h>

void triad_frame_decoder_init(triad_frame_decoder *decoder, size_t max_payload) {
    memset(decoder, 0, sizeof *decoder);
    decoder->max_payload = max_payload;
}

void triad_frame_decoder_free(triad_frame_decoder *decoder) {
    free(decoder->buffer);
    memset(decoder, 0, sizeof *decoder);
}

static size_t announced_length(const unsigned char *header) {
    return ((size_t)header[0] << 24) | ((size_t)header[1] << 16) | ((size_t)header[2] << 8) | (size_t)header[3];
}

int triad_frame_decoder_push(triad_frame_decoder *decoder, const unsigned char *bytes, size_t size) {
    if (decoder->failed || size == 0) return 0;
    /* drop consumed frames first, so the buffer holds at most one frame plus one read */
    if (decoder->start > 0) {
        memmove(decoder->buffer, decoder->buffer + decoder->start, decoder->length - decoder->start);
        decoder->length -= decoder->start;
        decoder->start = 0;
    }
    if (decoder->length + size > decoder->capacity) {
        size_t capacity = decoder->capacity == 0 ? 4096 : decoder->capacity;
        while (capacity < decoder->length + size) capacity *= 2;
        unsigned char *grown = realloc(decoder->buffer, capacity);
        if (grown == NULL) return TRIAD_FRAME_NO_MEMORY;
        decoder->buffer = grown;
        decoder->capacity = capacity;
    }
    memcpy(decoder->buffer + decoder->length, bytes, size);
    decoder->length += size;
    return 0;
}

int triad_frame_decoder_next(triad_frame_decoder *decoder, const unsigned char **payload, size_t *size) {
    if (decoder->failed) return TRIAD_FRAME_TOO_LARGE;
    size_t available = decoder->length - decoder->start;
    if (available < TRIAD_FRAME_HEADER_BYTES) return TRIAD_FRAME_NONE;
    size_t length = announced_length(decoder->buffer + decoder->start);
    if (length > decoder->max_payload) {
        /* refused before anything of it is buffered */
        decoder->failed = 1;
        decoder->announced = length;
        free(decoder->buffer);
        decoder->buffer = NULL;
        decoder->length = decoder->start = decoder->capacity = 0;
        return TRIAD_FRAME_TOO_LARGE;
    }
    if (available - TRIAD_FRAME_HEADER_BYTES < length) return TRIAD_FRAME_NONE;
    *payload = decoder->buffer + decoder->start + TRIAD_FRAME_HEADER_BYTES;
    *size = length;
    decoder->start += TRIAD_FRAME_HEADER_BYTES + length;
    return TRIAD_FRAME_READY;
}

unsigned char *triad_frame_encode(const char *payload, size_t payload_size, size_t max_payload, size_t *frame_size) {
    if (payload_size > max_payload) return NULL;
    unsigned char *frame = malloc(TRIAD_FRAME_HEADER_BYTES + payload_size);
    if (frame == NULL) return NULL;
    frame[0] = (unsigned char)((payload_size >> 24) & 0xff);
    frame[1] = (unsigned char)((payload_size >> 16) & 0xff);
    frame[2] = (unsigned char)((payload_size >> 8) & 0xff);
    frame[3] = (unsigned char)(payload_size & 0xff);
    if (payload_size > 0) memcpy(frame + TRIAD_FRAME_HEADER_BYTES, payload, payload_size);
    *frame_size = TRIAD_FRAME_HEADER_BYTES + payload_size;
    return frame;
}
