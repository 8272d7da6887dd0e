/* SPDX-License-Identifier: MIT */
/*
 * digest.h - message digests of bodies, fed as they stream in: SHA-256 for
 * a page's content hash (pages.content_hash, fetches.content_hash), SHA-1
 * for what WARC records name. A thin wrapper of OpenSSL's EVP interface
 * (libcrypto), the one place the crawl, the store, the mirror and the WARC
 * writer get their digests from (only the daemon's token check calls
 * libcrypto itself, for its constant-time compare).
 *
 * A struct digest owns one EVP_MD_CTX and is reused: digest_reset() starts
 * a new message, digest_update() adds bytes, digest_final() ends it.
 * Not thread-safe: one thread uses a digest at a time.
 */
#ifndef CRAWLD_DIGEST_H
#define CRAWLD_DIGEST_H

#include <stddef.h>

#include "crawld/base/common.h"

enum digest_alg {
	DIGEST_SHA256 = 0,
	DIGEST_SHA1,
};

#define DIGEST_MAX_SIZE 32	       /* bytes of the longest digest */
#define DIGEST_SHA256_HEX (2 * 32 + 1) /* lower-case hex and NUL */
#define DIGEST_HEX_MAX (2 * DIGEST_MAX_SIZE + 1) /* any algorithm's hex */

struct digest;

/* A new digest of alg, started (digest_reset done); NULL when out of
   memory or when libcrypto lacks the algorithm. */
struct digest *digest_new(enum digest_alg alg);

/* Free it. NULL is a no-op. */
void digest_free(struct digest *d);

/* Start a new message (any earlier one is dropped). CW_ENOMEM/CW_EINVAL
   when libcrypto refuses. */
CW_WARN_UNUSED enum cw_rc digest_reset(struct digest *d);

/* Add len bytes (len 0 is fine, data may then be NULL). */
CW_WARN_UNUSED enum cw_rc digest_update(
    struct digest *d, const void *data, size_t len);

/* End the message: its digest_size(alg) bytes into md. Start the next
   one with digest_reset(). */
CW_WARN_UNUSED enum cw_rc digest_final(
    struct digest *d, unsigned char md[DIGEST_MAX_SIZE]);

/* End the message: its digest as lower-case hex into hex (at least
   DIGEST_HEX_MAX bytes). Start the next one with digest_reset(). */
CW_WARN_UNUSED enum cw_rc digest_final_hex(struct digest *d, char *hex);

/* The digest's size in bytes (32 for SHA-256, 20 for SHA-1). */
size_t digest_size(enum digest_alg alg);

/* One-shot SHA-256 of len bytes as hex (DIGEST_SHA256_HEX bytes). */
CW_WARN_UNUSED enum cw_rc digest_sha256_hex(
    const void *data, size_t len, char *hex);

#endif /* CRAWLD_DIGEST_H */
