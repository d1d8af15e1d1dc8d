/*
 * Wire framing (docs/PROTOCOL.md, "Framing"): a 4-byte big-endian payload length, then that many
 * bytes of UTF-8 JSON. Socket-free: bytes go in as the socket delivers them (split anywhere,
 * several frames at once), whole payloads come out.
 */
#ifndef TRIAD_FRAME_H
#define TRIAD_FRAME_H

#include <stddef.h>

#define TRIAD_FRAME_HEADER_BYTES 4
/* Largest payload a client sends (servers close a connection that sends more). */
#define TRIAD_MAX_REQUEST_BYTES (64u * 1024u)
/* Largest payload a client accepts from a server. */
#define TRIAD_MAX_REPLY_BYTES (16u * 1024u * 1024u)

#define TRIAD_FRAME_NONE 0
#define TRIAD_FRAME_READY 1
#define TRIAD_FRAME_TOO_LARGE (-1)
#define TRIAD_FRAME_NO_MEMORY (-2)

typedef struct triad_frame_decoder {
    unsigned char *buffer;
    size_t length;   /* bytes held */
    size_t start;    /* where the next frame begins */
    size_t capacity;
    size_t max_payload;
    int failed;
    size_t announced; /* the length that failed, for the message */
} triad_frame_decoder;

void triad_frame_decoder_init(triad_frame_decoder *decoder, size_t max_payload);
void triad_frame_decoder_free(triad_frame_decoder *decoder);
/* Appends bytes. Returns 0, or TRIAD_FRAME_NO_MEMORY. */
int triad_frame_decoder_push(triad_frame_decoder *decoder, const unsigned char *bytes, size_t size);
/*
 * The next whole payload: TRIAD_FRAME_READY with the payload and its size pointing into the decoder (valid
 * until the next push or next call), TRIAD_FRAME_NONE when more bytes are needed, or
 * TRIAD_FRAME_TOO_LARGE when a header announces more than max_payload (the decoder then stays
 * failed: the stream cannot be resynchronised).
 */
int triad_frame_decoder_next(triad_frame_decoder *decoder, const unsigned char **payload, size_t *size);

/* Header + payload in one malloc'd buffer; NULL when payload_size is over max or out of memory. */
unsigned char *triad_frame_encode(const char *payload, size_t payload_size, size_t max_payload, size_t *frame_size);

#endif
