/* SHA-256 (FIPS 180-4), written from the standard: the sweep CSV's fingerprint of the sweep file
 * and its inputs (docs/sweeps.md). Incremental: init, update any number of times, final.
 * Plain data, no global state. */
#ifndef TP_BASE_SHA256_H
#define TP_BASE_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];          /* the hash value H(i) */
    uint64_t bytes;         /* message length so far */
    unsigned char buf[64];  /* the block being filled */
    size_t fill;            /* bytes in buf */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* Pads, finishes and writes the digest as 64 lower-case hex digits and a NUL (hex[65]). */
void sha256_final_hex(sha256_ctx *c, char hex[65]);
/* The digest of one buffer, as hex. */
void sha256_hex(const void *data, size_t len, char hex[65]);
#endif
