/*
 * Fuzzes the client's frame decoder and message decoder: random frames (valid messages, mutated
 * messages, random bytes, oversize and truncated headers) fed in random splits. Run under
 * AddressSanitizer/UBSan by the conformance suite; any crash or sanitizer report fails it.
 *
 *   triad_fuzz_frames [FRAMES] [SEED]      (default 100000 frames, seed 1)
 *
 * Also checks that every frame it encodes comes out of the decoder whole and unchanged.
 */
#include "frame.h"
#include "message.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint32_t next_random(void) {
    /* xorshift64*: reproducible from the seed on every platform */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (uint32_t)((state * 2685821657736338717ULL) >> 32);
}

static uint32_t below(uint32_t n) { return n == 0 ? 0 : next_random() % n; }

static const char *const samples[] = {
    "{\"type\":\"welcome\",\"version\":1,\"server\":\"a\",\"port\":27000,\"serverVersion\":\"0.1.0\"}",
    "{\"type\":\"granted\",\"id\":1,\"leaseId\":\"L1\",\"resumeToken\":\"T\",\"feature\":\"cad\",\"version\":\"1.0\",\"count\":1,"
    "\"heartbeatIntervalMs\":1000,\"timeoutMs\":3000,\"expiry\":\"permanent\",\"server\":\"a\",\"port\":27000,\"handle\":7,\"resumed\":false,"
    "\"members\":[{\"host\":\"a\",\"port\":1},{\"host\":\"b\",\"port\":2},{\"host\":\"c\",\"port\":3}],\"failoverMs\":5000}",
    "{\"type\":\"denied\",\"id\":2,\"code\":-4,\"reason\":\"Licensed number of users already reached. (-4,342)\"}",
    "{\"type\":\"redirect\",\"id\":3,\"host\":\"b\",\"port\":27001}",
    "{\"type\":\"heartbeatAck\",\"id\":4,\"unknown\":[\"L1\",\"L2\"]}",
    "{\"type\":\"checkedIn\",\"id\":5,\"leaseId\":\"L1\"}",
    "{\"type\":\"refused\",\"id\":6,\"reason\":\"no master\"}",
    "{\"type\":\"error\",\"code\":\"BAD_MESSAGE\",\"message\":\"x\"}",
    "{\"type\":\"shutdown\",\"reason\":\"lmdown\"}",
    "{\"type\":\"revoked\",\"leaseIds\":[\"L1\"],\"reason\":\"lmremove\"}",
    "{\"type\":\"statusReply\",\"id\":7,\"status\":{}}",
    "{\"type\":\"done\",\"id\":8,\"message\":\"ok\"}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "{\"type\":\"granted\",\"id\":1e400,\"leaseId\":\"\\ud800\",\"count\":-1}",
    "\"\\u0000\"",
};

#define MAX_PAYLOAD 70000

/* A payload: a sample, a mutated sample, random bytes, random printable text, or (rarely) a big one. */
static size_t make_payload(unsigned char *out) {
    uint32_t kind = below(4);
    if (below(64) == 0) {
        size_t big = below(MAX_PAYLOAD);
        for (size_t i = 0; i < big; i++) out[i] = (unsigned char)(32 + below(95));
        return big;
    }
    const char *sample = samples[below(sizeof samples / sizeof samples[0])];
    size_t length = strlen(sample);
    if (kind == 0) {
        memcpy(out, sample, length);
        return length;
    }
    if (kind == 1) {
        memcpy(out, sample, length);
        uint32_t edits = 1 + below(8);
        for (uint32_t i = 0; i < edits && length > 0; i++) {
            uint32_t at = below((uint32_t)length);
            switch (below(3)) {
            case 0: out[at] = (unsigned char)below(256); break;
            case 1: length = at; break; /* truncate */
            default: out[at] = (unsigned char)"{}[]\",:0123456789-eE.tfn\\u"[below(27)]; break;
            }
        }
        return length;
    }
    length = below(kind == 2 ? 64 : 4096);
    for (size_t i = 0; i < length; i++) out[i] = (unsigned char)(kind == 2 ? below(256) : 32 + below(95));
    return length;
}

int main(int argc, char **argv) {
    long frames = argc > 1 ? atol(argv[1]) : 100000;
    state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    if (state == 0) state = 1;
    unsigned char *stream = malloc((MAX_PAYLOAD + 4) * 8);
    static unsigned char payload[MAX_PAYLOAD];
    triad_frame_decoder decoder;
    triad_frame_decoder_init(&decoder, TRIAD_MAX_REPLY_BYTES);
    long decoded = 0, valid = 0, oversize = 0;
    for (long frame = 0; frame < frames;) {
        /* a batch of up to eight frames, sometimes with a corrupt header */
        size_t used = 0;
        int batch = 1 + (int)below(8);
        int corrupt = below(50) == 0;
        for (int i = 0; i < batch && frame < frames; i++, frame++) {
            size_t length = make_payload(payload);
            size_t announced = corrupt && i == batch - 1 ? (size_t)next_random() : length;
            stream[used++] = (unsigned char)(announced >> 24);
            stream[used++] = (unsigned char)(announced >> 16);
            stream[used++] = (unsigned char)(announced >> 8);
            stream[used++] = (unsigned char)announced;
            memcpy(stream + used, payload, length);
            used += length;
        }
        /* feed it in random splits; every complete payload goes through the message decoder */
        size_t fed = 0;
        while (fed < used) {
            /* reads come in any size; power-of-two sizes (as sockets deliver them) fill buffers exactly */
            size_t piece = below(3) == 0 ? (size_t)1 << below(15) : 1 + below((uint32_t)(used - fed));
            if (piece > used - fed) piece = used - fed;
            if (triad_frame_decoder_push(&decoder, stream + fed, piece) != 0) {
                fprintf(stderr, "out of memory\n");
                return 1;
            }
            fed += piece;
            const unsigned char *got;
            size_t size;
            int result;
            while ((result = triad_frame_decoder_next(&decoder, &got, &size)) == TRIAD_FRAME_READY) {
                triad_message message;
                char why[300];
                decoded++;
                if (triad_message_decode(got, size, "L1", &message, why, sizeof why) == 0) valid++;
            }
            if (result == TRIAD_FRAME_TOO_LARGE) {
                /* the stream cannot be resynchronised: a client closes the connection; start afresh */
                oversize++;
                triad_frame_decoder_free(&decoder);
                triad_frame_decoder_init(&decoder, TRIAD_MAX_REPLY_BYTES);
                break;
            }
        }
        if (!corrupt && decoder.length != decoder.start) {
            fprintf(stderr, "frame %ld: %lu bytes left over after whole frames\n", frame, (unsigned long)(decoder.length - decoder.start));
            return 1;
        }
        if (corrupt) {
            triad_frame_decoder_free(&decoder);
            triad_frame_decoder_init(&decoder, TRIAD_MAX_REPLY_BYTES);
        }
    }
    triad_frame_decoder_free(&decoder);
    free(stream);

    /* round trip: what the encoder frames, the decoder returns whole and unchanged */
    triad_frame_decoder_init(&decoder, TRIAD_MAX_REPLY_BYTES);
    for (int i = 0; i < 1000; i++) {
        size_t length = make_payload(payload);
        size_t frame_size = 0;
        unsigned char *frame = triad_frame_encode((const char *)payload, length, TRIAD_MAX_REPLY_BYTES, &frame_size);
        const unsigned char *got = NULL;
        size_t size = 0;
        int result = TRIAD_FRAME_NONE;
        for (size_t b = 0; b < frame_size && result != TRIAD_FRAME_READY; b++) {
            triad_frame_decoder_push(&decoder, frame + b, 1);
            result = triad_frame_decoder_next(&decoder, &got, &size);
        }
        if (result != TRIAD_FRAME_READY || size != length || (length > 0 && memcmp(got, payload, length) != 0)) {
            fprintf(stderr, "round trip %d: the decoder did not return the encoded payload\n", i);
            return 1;
        }
        free(frame);
    }
    triad_frame_decoder_free(&decoder);
    printf("fuzzed %ld frames: %ld payloads decoded, %ld valid messages, %ld oversize headers; 1000 round trips\n", frames, decoded, valid, oversize);
    return 0;
}
