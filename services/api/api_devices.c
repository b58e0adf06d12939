/* Devices (/v1/devices): fields, policy facts by the resident's site, id
 * and z2m name checks, heartbeat defaults, the live state shown from
 * memory, and the registry updated after the commit. */
#include <string.h>

#include "api_records.h"
#include "api_refs.h"
#include "app.h"
#include "db.h"
#include "db_records.h"
#include "devices.h"
#include "payload.h"
#include "topic.h"

static const char *const protocols[] = {"native", "z2m", NULL};
static const char *const device_kinds[] = {
	"sos_button",      "fall_detector", "motion",   "door",        "bed",
	"water_leak",      "smoke",         "gas",      "temperature", "checkin",
	"carbon_monoxide", "vibration",     "presence", "other",       NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const struct field_spec device_fields[] = {
	{"id", FIELD_ID, true},
	{"resident_id", FIELD_ID, false, 0, 0, NULL, true},
	{"kind", FIELD_ENUM, true, 0, 0, device_kinds},
	{"room", FIELD_STRING, false, 0, 100, NULL, true},
	{"protocol", FIELD_ENUM, false, 0, 0, protocols},
	{"z2m_name", FIELD_STRING, false, 1, CN_Z2M_NAME_MAX, NULL, true},
	{"exit_door", FIELD_BOOL},
	{"heartbeat_s", FIELD_INT, false, 5, 86400},
};

static void device_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	t->site_id = str(obj, "site_id");
	/* A new device (a create body) belongs to its resident's site. */
	const char *resident = str(obj, "resident_id");
	if (!t->site_id && resident && db_resident_site(r->db, resident, t->site_buf) == CN_OK)
		t->site_id = t->site_buf;
}

/* Supervision defaults: battery sensors check in hourly, mains-powered
 * ones every five minutes. */
static int default_heartbeat(const char *kind)
{
	if (!kind || strcmp(kind, "fall_detector") == 0 || strcmp(kind, "other") == 0)
		return 300;
	return 3600;
}

static bool device_prepare(struct api_req *r, json_t *body, const json_t *before)
{
	const char *resident = str(body, "resident_id");
	char site[65];
	if (resident && !api_ref_resident(r, "resident_id", resident, site))
		return false;
	if (!before && !resident && r->who->role != ROLE_ADMIN) {
		api_error(r, CN_ERR_INVALID,
		          "resident_id: required (only admins enrol unassigned devices)");
		return false;
	}
	const char *protocol = json_object_get(body, "protocol")
	                               ? str(body, "protocol")
	                               : (before ? str(before, "protocol") : "native");
	const json_t *zn = json_object_get(body, "z2m_name");
	const char *z2m = zn ? json_string_value(zn) : (before ? str(before, "z2m_name") : NULL);
	if (strcmp(protocol, "z2m") == 0 && !z2m) {
		api_error(r, CN_ERR_INVALID, "z2m_name: required when protocol is z2m");
		return false;
	}
	if (z2m && (strchr(z2m, '+') || strchr(z2m, '#') || strstr(z2m, "..") || z2m[0] == '/')) {
		api_error(r, CN_ERR_INVALID, "z2m_name: must not contain + # .. or start with /");
		return false;
	}
	/* res_create takes the id out of the body it hands us: read the
	 * request's own. */
	const char *id = str(r->body, "id");
	if (!before && !cn_device_id_valid(id ? id : "x")) {
		api_error(r, CN_ERR_INVALID, "id: not a valid device id");
		return false;
	}
	/* The broker's ACL logs devices in under their id, staff apps as
	 * staff-<id> and the daemon as carenetd: a device may not pose as one. */
	if (!before && id && (strncmp(id, "staff-", 6) == 0 || strcmp(id, "carenetd") == 0)) {
		api_error(r, CN_ERR_INVALID,
		          "id: 'staff-...' and 'carenetd' are reserved broker users");
		return false;
	}
	if (!before && !json_object_get(body, "heartbeat_s"))
		json_object_set_new(body, "heartbeat_s",
		                    json_integer(default_heartbeat(str(body, "kind"))));
	return true;
}

static void device_committed(struct api_req *r, const char *id)
{
	struct device dev;
	if (db_device_registry_row(r->db, id, &dev) == CN_OK) {
		dev.enrolled_at = r->now;
		devices_put(r->app->devices, &dev);
	} else {
		devices_remove(r->app->devices, id);
	}
}

static void device_present(struct api_req *r, json_t *obj)
{
	/* Live state is kept in memory and written back lazily: show it. */
	enum device_status status;
	int64_t last_seen;
	int battery;
	if (!devices_live(r->app->devices, str(obj, "id"), &status, &last_seen, &battery))
		return;
	json_object_set_new(obj, "status", json_string(device_status_name(status)));
	if (last_seen > 0) {
		char ts[32];
		cn_time_format_rfc3339(last_seen, ts);
		json_object_set_new(obj, "last_seen", json_string(ts));
	}
	if (battery >= 0)
		json_object_set_new(obj, "battery", json_integer(battery));
}

const struct api_resource api_devices = {
	.desc = &db_devices,
	.pol = PR_DEVICE,
	.id_prefix = "dev_",
	.fields = device_fields,
	.n_fields = N(device_fields),
	.target = device_target,
	.prepare = device_prepare,
	.committed = device_committed,
	.present = device_present,
};

/* A retired device id comes back on re-enrolment instead of 409: the
 * descriptor's insert revives the retired row, inside res_create's
 * transaction and after its checks. */
void api_device_create(struct api_req *r) { res_create(r); }
