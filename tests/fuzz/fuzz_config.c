/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config.c - libFuzzer target for the daemon's config parser.
 *
 * Input: the INI text. It is parsed into a fresh config; invariants
 * checked: a failure always comes with a "file:line: message" (or
 * "file: message") naming the file, a success has a usable listen address
 * and the options of a job built from the defaults serialise to JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/conf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse one input and check the invariants. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daemon_config c;
	struct crawl_opts o;
	char err[1024], *json;
	enum cw_rc rc;

	config_init(&c);
	err[0] = '\0';
	rc = config_parse(
	    &c, "f.conf", (const char *)data, size, err, sizeof(err));
	if (rc == CW_EINVAL && strncmp(err, "f.conf:", 7) != 0)
		abort();
	if (rc == CW_OK) {
		if (c.listen.text[0] == '\0' || c.db == NULL)
			abort();
		if (!c.listen.loopback && (!c.allow_remote || !c.token_file))
			abort();
		crawl_opts_init(&o);
		if (config_job_opts(&c, NULL, &o, err, sizeof(err)) == CW_OK) {
			json = crawl_opts_to_json(&o);
			if (json == NULL)
				abort();
			free(json);
		}
		crawl_opts_cleanup(&o);
	}
	config_cleanup(&c);
	return 0;
}
