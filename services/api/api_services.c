/* The service catalogue (/v1/services): what the service net offers. */
#include <string.h>

#include "api_records.h"
#include "api_refs.h"
#include "db_records.h"

static const char *const providers[] = {"staff", "volunteer", "clinic", "partner", NULL};
static const char *const units[] = {"visit", "hour", NULL}; /* how price_cents bills */

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct field_spec service_fields[] = {
	{"id", FIELD_ID},
	{"name", FIELD_STRING, true, 1, 200},
	{"category", FIELD_ENUM, true, 0, 0, api_categories},
	{"provider", FIELD_ENUM, true, 0, 0, providers},
	{"duration_min", FIELD_INT, true, 1, 1440},
	{"active", FIELD_BOOL},
	{"price_cents", FIELD_INT, false, 0, 100000000},
	{"unit", FIELD_ENUM, false, 0, 0, units},
};

const struct api_resource api_services = {
	.desc = &db_services,
	.pol = PR_SERVICE,
	.id_prefix = "svc_",
	.fields = service_fields,
	.n_fields = N(service_fields),
};
