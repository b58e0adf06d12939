/* libFuzzer target for the REST body rules: the bytes are a request body,
 * parsed as http_server.c parses it (jansson, duplicate keys rejected, at
 * most HTTP_BODY_MAX bytes) and then checked by validate_fields() against
 * field tables that mirror services/api_records.c, as a POST and as a
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
#include "http_server.h"
#include "topic.h"
#include "validate.h"

/* ---- tables mirroring services/api_records.c (keep in step) ---- */

static const char *const fz_roles[] = {"admin", "coordinator", "caregiver", "volunteer", "family",
                                       NULL};
static const char *const fz_categories[] = {"meal",    "cleaning", "bathing", "companionship",
                                            "medical", "escort",   "repair",  "other",
                                            NULL};
static const char *const fz_tiers[] = {"primary", "backup", "supervisor", NULL};
static const char *const fz_statuses[] = {"enrolled", "paused", "discharged", NULL};
static const char *const fz_presences[] = {"home", "daycare", "away", NULL};
static const char *const fz_providers[] = {"staff", "volunteer", "clinic", "partner", NULL};
static const char *const fz_protocols[] = {"native", "z2m", NULL};
static const char *const fz_kinds[] = {"sos_button", "fall_detector", "motion", "door",
                                       "bed", "water_leak", "smoke", "gas", "temperature",
                                       "checkin", "other", NULL};

static const struct field_spec fz_site[] = {
	{"id", FIELD_ID},
	{"name", FIELD_STRING, true, 1, 200},
	{"address", FIELD_STRING, false, 0, 500, NULL, true},
	{"phone", FIELD_STRING, false, 0, 40, NULL, true},
};

static const struct field_spec fz_staff[] = {
	{"id", FIELD_ID},
	{"site_id", FIELD_ID, false, 0, 0, NULL, true},
	{"name", FIELD_STRING, true, 1, 200},
	{"role", FIELD_ENUM, true, 0, 0, fz_roles},
	{"phone", FIELD_STRING, false, 0, 40, NULL, true},
	{"username", FIELD_STRING, true, 1, 64},
	{"password", FIELD_STRING, true, 10, 256},
	{"active", FIELD_BOOL},
	{"skills", FIELD_ARRAY, false, 0, 8},
	{"resident_ids", FIELD_ARRAY, false, 0, 50},
};

static const struct field_spec fz_resident[] = {
	{"id", FIELD_ID},
	{"site_id", FIELD_ID, true},
	{"name", FIELD_STRING, true, 1, 200},
	{"birth_date", FIELD_DATE, false, 0, 0, NULL, true},
	{"address", FIELD_STRING, false, 0, 500, NULL, true},
	{"phone", FIELD_STRING, false, 0, 40, NULL, true},
	{"emergency_contacts", FIELD_ARRAY, false, 0, 10},
	{"care_level", FIELD_STRING, false, 0, 40, NULL, true},
	{"status", FIELD_ENUM, false, 0, 0, fz_statuses},
	{"presence", FIELD_ENUM, false, 0, 0, fz_presences},
	{"presence_until", FIELD_TIME, false, 0, 0, NULL, true},
	{"monitoring", FIELD_OBJECT},
	{"needs", FIELD_ARRAY, false, 0, 20},
};

static const struct field_spec fz_monitoring[] = {
	{"active_from", FIELD_HHMM},
	{"active_to", FIELD_HHMM},
	{"inactivity_minutes", FIELD_INT, false, 0, 1440},
	{"night_from", FIELD_HHMM},
	{"night_to", FIELD_HHMM},
	{"checkin_by", FIELD_HHMM, false, 0, 0, NULL, true},
};

static const struct field_spec fz_contact[] = {
	{"name", FIELD_STRING, true, 1, 200},
	{"phone", FIELD_STRING, true, 1, 40},
	{"relation", FIELD_STRING, false, 0, 60, NULL, true},
};

static const struct field_spec fz_need[] = {
	{"category", FIELD_ENUM, true, 0, 0, fz_categories},
	{"text", FIELD_STRING, true, 1, 500},
};

static const struct field_spec fz_device[] = {
	{"id", FIELD_ID, true},
	{"resident_id", FIELD_ID, false, 0, 0, NULL, true},
	{"kind", FIELD_ENUM, true, 0, 0, fz_kinds},
	{"room", FIELD_STRING, false, 0, 100, NULL, true},
	{"protocol", FIELD_ENUM, false, 0, 0, fz_protocols},
	{"z2m_name", FIELD_STRING, false, 1, CN_Z2M_NAME_MAX, NULL, true},
	{"exit_door", FIELD_BOOL},
	{"heartbeat_s", FIELD_INT, false, 5, 86400},
};

static const struct field_spec fz_shift[] = {
	{"id", FIELD_ID},
	{"staff_id", FIELD_ID, true},
	{"site_id", FIELD_ID, true},
	{"starts_at", FIELD_TIME, true},
	{"ends_at", FIELD_TIME, true},
	{"tier", FIELD_ENUM, true, 0, 0, fz_tiers},
};

static const struct field_spec fz_service[] = {
	{"id", FIELD_ID},
	{"name", FIELD_STRING, true, 1, 200},
	{"category", FIELD_ENUM, true, 0, 0, fz_categories},
	{"provider", FIELD_ENUM, true, 0, 0, fz_providers},
	{"duration_min", FIELD_INT, true, 1, 1440},
	{"active", FIELD_BOOL},
};

#define FZ_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const struct field_spec *fields;
	size_t n;
} fz_tables[] = {
	{fz_site, FZ_N(fz_site)},         {fz_staff, FZ_N(fz_staff)},
	{fz_resident, FZ_N(fz_resident)}, {fz_device, FZ_N(fz_device)},
	{fz_shift, FZ_N(fz_shift)},       {fz_service, FZ_N(fz_service)},
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
		fz_check_result(r, validate_fields(r, mon, "monitoring.", fz_monitoring,
		                                   FZ_N(fz_monitoring), true));
	}
	static const struct {
		const char *name;
		const struct field_spec *fields;
		size_t n;
	} lists[] = {{"emergency_contacts", fz_contact, FZ_N(fz_contact)},
	             {"needs", fz_need, FZ_N(fz_need)}};
	for (size_t l = 0; l < FZ_N(lists); l++) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(body, lists[l].name), i, v)
		{
			char prefix[48];
			snprintf(prefix, sizeof(prefix), "%s[%zu].", lists[l].name, i);
			fz_reset(r, body);
			fz_check_result(r, validate_fields(r, v, prefix, lists[l].fields, lists[l].n, false));
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
		fz_check_result(&r, validate_body(&r, fz_tables[t].fields, fz_tables[t].n));
		fz_reset(&r, body);
		fz_check_result(&r, validate_patch(&r, fz_tables[t].fields, fz_tables[t].n));
	}
	if (json_is_object(body))
		fz_nested(&r, body);
	fz_reset(&r, NULL);
	json_decref(body);
	return 0;
}
