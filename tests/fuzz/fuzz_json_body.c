/* libFuzzer target for the REST body rules: the bytes are a request body,
 * parsed as http_server.c parses it (jansson, duplicate keys rejected, at
 * most HTTP_BODY_MAX bytes) and then checked by validate_fields() against
 * the field tables of services/api_records.c itself, as a POST and as a
 * PATCH, with the nested tables the record handlers use. Invariants: a
 * rejection always leaves a 400 with the contract's error body (a JSON
 * object whose message is a string), an acceptance leaves no response,
 * and nothing leaks (ASan's leak check runs at exit and on -runs).
 * Build: make build/fuzz/fuzz_json_body */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_records.h"
#include "http_server.h"
#include "topic.h"
#include "validate.h"

/* ---- the daemon's own tables (services/api_records.c) ---- */

#define FZ_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct api_resource *const fz_tables[] = {
	&api_sites, &api_staff, &api_residents, &api_devices, &api_shifts, &api_services,
};

/* ---- invariants ---- */

/* The response a validator left behind must be what the contract says:
 * nothing on success, a 400 with {"error": {"code", "message"}} on
 * failure. */
static void fz_check_result(struct api_req *r, bool ok)
{
	if (ok) {
		if (r->status != 0 || r->out || r->out_text)
			abort();
		return;
	}
	if (r->status != 400 || !r->out)
		abort();
	json_t *e = json_object_get(r->out, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	if (!code || !msg || !*msg)
		abort();
	/* The answer must serialise (it is what goes on the wire). */
	char *text = json_dumps(r->out, JSON_COMPACT);
	if (!text)
		abort();
	free(text);
}

static void fz_reset(struct api_req *r, json_t *body)
{
	json_decref(r->out);
	free(r->out_text);
	memset(r, 0, sizeof(*r));
	r->method = "POST";
	r->path = "/v1/fuzz";
	r->client_ip = "127.0.0.1";
	r->body = body;
}

/* The nested checks the resident handler runs after the top level. */
static void fz_nested(struct api_req *r, json_t *body)
{
	json_t *mon = json_object_get(body, "monitoring");
	if (mon) {
		fz_reset(r, body);
		fz_check_result(r, validate_fields(r, mon, "monitoring.", api_monitoring_fields,
		                                   api_monitoring_field_count, true));
	}
	const struct {
		const char *name;
		const struct field_spec *fields;
		size_t n;
	} lists[] = {{"emergency_contacts", api_contact_fields, api_contact_field_count},
	             {"needs", api_need_fields, api_need_field_count}};
	for (size_t l = 0; l < FZ_N(lists); l++) {
		size_t i;
		json_t *v;
		json_array_foreach (json_object_get(body, lists[l].name), i, v) {
			char prefix[48];
			snprintf(prefix, sizeof(prefix), "%s[%zu].", lists[l].name, i);
			fz_reset(r, body);
			fz_check_result(r, validate_fields(r, v, prefix, lists[l].fields,
			                                   lists[l].n, false));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > HTTP_BODY_MAX)
		return 0; /* the server answers 413 before parsing */
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!body) {
		/* the 400 message quotes jansson's text: it must be a C string */
		if (!memchr(jerr.text, '\0', sizeof(jerr.text)))
			abort();
		return 0;
	}
	struct api_req r;
	memset(&r, 0, sizeof(r));
	/* A non-object body is refused by the server before any table; the
	 * validators must refuse it too, not crash. */
	for (size_t t = 0; t < FZ_N(fz_tables); t++) {
		fz_reset(&r, body);
		fz_check_result(&r,
		                validate_body(&r, fz_tables[t]->fields, fz_tables[t]->n_fields));
		fz_reset(&r, body);
		fz_check_result(&r,
		                validate_patch(&r, fz_tables[t]->fields, fz_tables[t]->n_fields));
	}
	if (json_is_object(body))
		fz_nested(&r, body);
	fz_reset(&r, NULL);
	json_decref(body);
	return 0;
}
