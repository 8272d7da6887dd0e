/* SPDX-License-Identifier: MIT */
/*
 * digest.c - SHA-256 and SHA-1 over OpenSSL's EVP interface. Every EVP
 * call's result is checked: a digest that silently failed would make two
 * different bodies look alike (or one body look changed).
 */
#include <openssl/evp.h>
#include <string.h>

#include "crawld/web/digest.h"

struct digest {
	EVP_MD_CTX *ctx;  /* owned */
	const EVP_MD *md; /* libcrypto's, static */
	enum digest_alg alg;
};

/* libcrypto's method for alg; NULL for an unknown one. */
static const EVP_MD *
digest_md(enum digest_alg alg)
{
	switch (alg) {
	case DIGEST_SHA256:
		return EVP_sha256();
	case DIGEST_SHA1:
		return EVP_sha1();
	}
	return NULL;
}

size_t
digest_size(enum digest_alg alg)
{
	return alg == DIGEST_SHA1 ? 20 : 32;
}

/* A new, started digest. */
struct digest *
digest_new(enum digest_alg alg)
{
	struct digest *d;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->alg = alg;
	d->md = digest_md(alg);
	d->ctx = EVP_MD_CTX_new();
	if (d->md == NULL || d->ctx == NULL || digest_reset(d) != CW_OK) {
		digest_free(d);
		return NULL;
	}
	return d;
}

void
digest_free(struct digest *d)
{
	if (d == NULL)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

/* Start a new message. */
enum cw_rc
digest_reset(struct digest *d)
{
	return EVP_DigestInit_ex(d->ctx, d->md, NULL) == 1 ? CW_OK : CW_EINVAL;
}

/* Add bytes to the message. */
enum cw_rc
digest_update(struct digest *d, const void *data, size_t len)
{
	if (len == 0)
		return CW_OK;
	return EVP_DigestUpdate(d->ctx, data, len) == 1 ? CW_OK : CW_EINVAL;
}

/* End the message, as bytes. */
enum cw_rc
digest_final(struct digest *d, unsigned char md[DIGEST_MAX_SIZE])
{
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(d->ctx, out, &n) != 1 || n > DIGEST_MAX_SIZE ||
	    n != digest_size(d->alg))
		return CW_EINVAL;
	memcpy(md, out, n);
	return CW_OK;
}

/* End the message, as lower-case hex. */
enum cw_rc
digest_final_hex(struct digest *d, char *hex)
{
	static const char xd[] = "0123456789abcdef";
	unsigned char md[DIGEST_MAX_SIZE];
	size_t n = digest_size(d->alg), i;

	hex[0] = '\0';
	if (digest_final(d, md) != CW_OK)
		return CW_EINVAL;
	for (i = 0; i < n; i++) {
		hex[2 * i] = xd[md[i] >> 4];
		hex[2 * i + 1] = xd[md[i] & 0xf];
	}
	hex[2 * n] = '\0';
	return CW_OK;
}

/* SHA-256 of one buffer, as hex. */
enum cw_rc
digest_sha256_hex(const void *data, size_t len, char *hex)
{
	struct digest *d = digest_new(DIGEST_SHA256);
	enum cw_rc rc;

	hex[0] = '\0';
	if (d == NULL)
		return CW_ENOMEM;
	rc = digest_update(d, data, len);
	if (rc == CW_OK)
		rc = digest_final_hex(d, hex);
	digest_free(d);
	return rc;
}
