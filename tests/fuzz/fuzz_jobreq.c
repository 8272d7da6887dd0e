/* SPDX-License-Identifier: MIT */
/*
 * fuzz_jobreq.c - libFuzzer target for a submitted job's options: the
 * body of POST /crawls as the API reads it (json_loadb, duplicates
 * refused, an object) and config_job_opts() over a daemon config with
 * [crawl] defaults.
 *
 * Invariants: a refused body always says why; an accepted job's options
 * serialise to JSON (crawls.options), and that JSON, read back as a
 * restart reads a stored job (config_stored_opts), is accepted and gives
 * the same options again: a job the API took is a job the daemon can
 * resume.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/conf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base_conf[] = "[daemon]\nlisten = 127.0.0.1:0\n"
				"[store]\ndb = /nonexistent/crawld.db\n"
				"[crawl]\ndepth = 3\ndelay = 0.25\n"
				"exclude = \\.pdf$\n";

/* The options a restart would read back from json, serialised again. */
static char *
stored_again(const struct daemon_config *c, const char *json)
{
	struct crawl_opts o;
	char err[1024], *again = NULL;

	crawl_opts_init(&o);
	if (config_stored_opts(c, json, &o, err, sizeof(err)) == CW_OK)
		again = crawl_opts_to_json(&o);
	crawl_opts_cleanup(&o);
	return again;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daemon_config c;
	struct crawl_opts o;
	json_error_t jerr;
	char err[1024], *json, *again;
	json_t *body;
	enum cw_rc rc;

	body =
	    json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL || !json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	config_init(&c);
	if (config_parse(&c, "f.conf", base_conf, sizeof(base_conf) - 1, err,
		sizeof(err)) != CW_OK)
		abort(); /* the fixture itself */
	crawl_opts_init(&o);
	err[0] = '\0';
	rc = config_job_opts(&c, body, &o, err, sizeof(err));
	if (rc == CW_EINVAL && err[0] == '\0')
		abort(); /* refused without a reason */
	if (rc == CW_OK) {
		json = crawl_opts_to_json(&o);
		if (json == NULL)
			abort();
		again = stored_again(&c, json);
		if (again == NULL || strcmp(again, json) != 0)
			abort(); /* accepted, but a restart would not resume it
				  */
		free(again);
		free(json);
	}
	crawl_opts_cleanup(&o);
	config_cleanup(&c);
	json_decref(body);
	return 0;
}
