#include "db_records.h"

#include "db_regions.h"

#include <stdio.h>
#include <string.h>

/* `col = CASE WHEN :has_col THEN :col ELSE col END`: one fixed UPDATE per
 * resource applies whichever fields a PATCH carries. */
#define SET(c) c " = CASE WHEN :has_" c " = 1 THEN :" c " ELSE " c " END, "
#define TIMES  "created_at AS \"created_at@t\", updated_at AS \"updated_at@t\""

/* ---- sites ---- */

static const struct res_col site_cols[] = {
	{"name", COL_TEXT},
	{"address", COL_TEXT},
	{"phone", COL_TEXT},
	{"region_id", COL_TEXT},
	{"visit_radius_m", COL_INT},
	{"locale", COL_TEXT},
	/* issue 15: the zone of the site's rotas and the on-site reminder */
	{"timezone", COL_TEXT},
	{"onsite_timeout_s", COL_INT},
};
#define SITE_COLUMNS \
	"id, name, address, phone, region_id, visit_radius_m, locale, timezone, onsite_timeout_s, " TIMES
const struct res_desc db_sites = {
	.name = "sites",
	.cols = site_cols,
	.n_cols = 8,
	.sql_insert =
		"INSERT INTO sites(id, name, address, phone, region_id, visit_radius_m, locale,"
		" timezone, onsite_timeout_s, created_at, updated_at) VALUES (:id, :name,"
		" :address, :phone, :region_id, coalesce(:visit_radius_m, 300),"
		" coalesce(:locale, 'zh-CN'), :timezone, coalesce(:onsite_timeout_s, 2700),"
		" :now, :now)",
	.sql_update = "UPDATE sites SET " SET("name") SET("address") SET("phone") SET("region_id")
		SET("visit_radius_m") SET("locale") SET("timezone")
			SET("onsite_timeout_s") " updated_at = :now WHERE id = :id",
	.sql_get = "SELECT " SITE_COLUMNS " FROM sites WHERE id = :id",
	.sql_list =
		"SELECT rowid AS _key, " SITE_COLUMNS " FROM sites WHERE rowid > :after"
		" AND (:site IS NULL OR id = :site)"
		" AND (:region IS NULL OR id IN " DB_REGION_SITES ")"
		" AND (:family IS NULL OR id IN (SELECT r.site_id FROM residents r"
		"      JOIN staff_residents f ON f.resident_id = r.id WHERE f.staff_id = :family))"
		" ORDER BY rowid LIMIT :limit",
	.sql_delete = "SELECT 1 WHERE 1 = 0", /* sites are never deleted */
	.filters = NULL,
};

/* ---- staff ---- */

static const struct res_col staff_cols[] = {
	{"site_id", COL_TEXT}, {"name", COL_TEXT},     {"role", COL_TEXT},
	{"phone", COL_TEXT},   {"username", COL_TEXT}, {"password_hash", COL_TEXT},
	{"active", COL_BOOL},  {"skills", COL_JSON},   {"region_id", COL_TEXT},
	{"email", COL_TEXT},   {"contacts", COL_JSON},
};
#define STAFF_COLUMNS                                                                                        \
	"s.id, s.site_id, s.name, s.role, s.phone, s.username, s.active AS \"active@b\","                    \
	" s.skills AS \"skills@j\", s.email, s.contacts AS \"contacts@j\", CASE WHEN s.role = 'family' THEN" \
	" (SELECT json_group_array(resident_id) FROM (SELECT resident_id FROM staff_residents"               \
	"  WHERE staff_id = s.id ORDER BY resident_id) AS r) END AS \"resident_ids@o\","                     \
	" s.region_id, s.created_at AS \"created_at@t\", s.updated_at AS \"updated_at@t\""
static const char *const staff_filters[] = {"site_id", "role", "active", NULL};
const struct res_desc db_staff = {
	.name = "staff",
	.cols = staff_cols,
	.n_cols = 11,
	.sql_insert = "INSERT INTO staff(id, site_id, name, role, phone, username, password_hash,"
		      " active, skills, region_id, email, contacts, created_at, updated_at) VALUES"
		      " (:id, :site_id, :name, :role, :phone, :username, :password_hash,"
		      " coalesce(:active, 1), coalesce(:skills, '[]'), :region_id, :email,"
		      " coalesce(:contacts, '[]'), :now, :now)",
	.sql_update = "UPDATE staff SET " SET("site_id") SET("name") SET("role") SET("phone")
		SET("username") SET("password_hash") SET("active") SET("skills") SET("region_id")
			SET("email") SET("contacts") " updated_at = :now WHERE id = :id",
	.sql_get = "SELECT " STAFF_COLUMNS " FROM staff s WHERE s.id = :id",
	.sql_list =
		"SELECT s.rowid AS _key, " STAFF_COLUMNS " FROM staff s WHERE s.rowid > :after"
		" AND (:site IS NULL OR s.site_id = :site"
		"      OR (s.site_id IS NULL AND s.role = 'family' AND EXISTS(SELECT 1"
		"          FROM staff_residents f JOIN residents r ON r.id = f.resident_id"
		"          WHERE f.staff_id = s.id AND r.site_id = :site)))"
		" AND (:self IS NULL OR s.id = :self)"
		" AND (:family IS NULL OR s.id = :family)"
		" AND (:f_site_id IS NULL OR s.site_id = :f_site_id)"
		" AND (:f_role IS NULL OR s.role = :f_role)"
		" AND (:f_active IS NULL OR s.active = CASE WHEN :f_active = 'true' THEN 1 ELSE 0 END)"
		" ORDER BY s.rowid LIMIT :limit",
	/* Staff are deactivated, never deleted: their name stays on timelines. */
	.sql_delete =
		"UPDATE staff SET active = 0, updated_at = :now WHERE id = :id AND active = 1",
	.filters = staff_filters,
};

/* ---- residents ---- */

static const struct res_col resident_cols[] = {
	{"site_id", COL_TEXT},
	{"name", COL_TEXT},
	{"birth_date", COL_TEXT},
	{"address", COL_TEXT},
	{"phone", COL_TEXT},
	{"emergency_contacts", COL_JSON},
	{"care_level", COL_TEXT},
	{"status", COL_TEXT},
	{"presence", COL_TEXT},
	{"presence_until", COL_TIME},
	{"active_from", COL_TEXT},
	{"active_to", COL_TEXT},
	{"inactivity_minutes", COL_INT},
	{"night_from", COL_TEXT},
	{"night_to", COL_TEXT},
	{"checkin_by", COL_TEXT},
	{"needs", COL_JSON},
	{"location", COL_JSON},
	{"subsidy", COL_JSON},
	{"access_notes", COL_TEXT},
};
#define RESIDENT_COLUMNS                                                                    \
	"id, site_id, name, birth_date, address, phone,"                                    \
	" emergency_contacts AS \"emergency_contacts@j\", care_level, status, presence,"    \
	" presence_until AS \"presence_until@t\", json_object('active_from', active_from,"  \
	" 'active_to', active_to, 'inactivity_minutes', inactivity_minutes, 'night_from',"  \
	" night_from, 'night_to', night_to, 'checkin_by', checkin_by) AS \"monitoring@j\"," \
	" needs AS \"needs@j\", location AS \"location@j\", subsidy AS \"subsidy@j\","      \
	" access_notes, " TIMES
static const char *const resident_filters[] = {"site_id", "status", "presence", NULL};
const struct res_desc db_residents = {
	.name = "residents",
	.cols = resident_cols,
	.n_cols = 20,
	.sql_insert =
		"INSERT INTO residents(id, site_id, name, birth_date, address, phone, emergency_contacts,"
		" care_level, status, presence, presence_until, active_from, active_to,"
		" inactivity_minutes, night_from, night_to, checkin_by, needs, created_at, updated_at,"
		" location, subsidy, access_notes)"
		" VALUES (:id, :site_id, :name, :birth_date, :address, :phone,"
		" coalesce(:emergency_contacts, '[]'), :care_level, coalesce(:status, 'enrolled'),"
		" coalesce(:presence, 'home'), :presence_until, coalesce(:active_from, '07:00'),"
		" coalesce(:active_to, '22:00'), coalesce(:inactivity_minutes, 240),"
		" coalesce(:night_from, '23:00'), coalesce(:night_to, '06:00'), :checkin_by,"
		" coalesce(:needs, '[]'), :now, :now, :location, :subsidy, :access_notes)",
	.sql_update = "UPDATE residents SET " SET("site_id") SET("name") SET("birth_date") SET(
		"address") SET("phone") SET("emergency_contacts") SET("care_level") SET("status")
		SET("presence") SET("presence_until") SET("active_from") SET("active_to")
			SET("inactivity_minutes") SET("night_from") SET("night_to")
				SET("checkin_by") SET("needs") SET("location") SET("subsidy")
					SET("access_notes") " updated_at = :now WHERE id = :id",
	.sql_get = "SELECT " RESIDENT_COLUMNS " FROM residents WHERE id = :id",
	.sql_list = "SELECT rowid AS _key, " RESIDENT_COLUMNS " FROM residents WHERE rowid > :after"
		    " AND (:site IS NULL OR site_id = :site)"
		    " AND (:region IS NULL OR site_id IN " DB_REGION_SITES ")"
		    " AND (:family IS NULL OR id IN (SELECT resident_id FROM staff_residents"
		    "      WHERE staff_id = :family))"
		    " AND (:f_site_id IS NULL OR site_id = :f_site_id)"
		    " AND (:f_status IS NULL OR status = :f_status)"
		    " AND (:f_presence IS NULL OR presence = :f_presence)"
		    " ORDER BY rowid LIMIT :limit",
	.sql_delete =
		"UPDATE residents SET status = 'discharged', updated_at = :now WHERE id = :id",
	.filters = resident_filters,
};

/* ---- devices ---- */

static const struct res_col device_cols[] = {
	{"resident_id", COL_TEXT}, {"kind", COL_TEXT},     {"room", COL_TEXT},
	{"protocol", COL_TEXT},    {"z2m_name", COL_TEXT}, {"exit_door", COL_BOOL},
	{"heartbeat_s", COL_INT},
};
#define DEVICE_COLUMNS                                                                              \
	"d.id, d.resident_id, r.site_id, d.kind, d.room, d.protocol, d.z2m_name,"                   \
	" d.exit_door AS \"exit_door@b\", d.heartbeat_s, d.status, d.last_seen AS \"last_seen@t\"," \
	" d.battery, d.created_at AS \"created_at@t\", d.updated_at AS \"updated_at@t\""
static const char *const device_filters[] = {"resident_id", "status", "kind", NULL};
const struct res_desc db_devices = {
	.name = "devices",
	.cols = device_cols,
	.n_cols = 7,
	/* A retired id is enrolled again (its hardware id is its topic); the
	 * row and its events stay. A current one changes nothing: a conflict. */
	.sql_insert =
		"INSERT INTO devices(id, resident_id, kind, room, protocol, z2m_name, exit_door,"
		" heartbeat_s, created_at, updated_at) VALUES (:id, :resident_id, :kind, :room,"
		" coalesce(:protocol, 'native'), :z2m_name, coalesce(:exit_door, 0),"
		" :heartbeat_s, :now, :now)"
		" ON CONFLICT(id) DO UPDATE SET resident_id = excluded.resident_id,"
		" kind = excluded.kind, room = excluded.room, protocol = excluded.protocol,"
		" z2m_name = excluded.z2m_name, exit_door = excluded.exit_door,"
		" heartbeat_s = excluded.heartbeat_s, status = 'unknown', last_seen = NULL,"
		" battery = NULL, removed_at = NULL, created_at = excluded.created_at,"
		" updated_at = excluded.updated_at WHERE devices.removed_at IS NOT NULL",
	.sql_update = "UPDATE devices SET " SET("resident_id") SET("kind") SET("room")
		SET("protocol") SET("z2m_name") SET("exit_door") SET(
			"heartbeat_s") " updated_at = :now WHERE id = :id AND removed_at IS NULL",
	.sql_get = "SELECT " DEVICE_COLUMNS " FROM devices d LEFT JOIN residents r"
		   " ON r.id = d.resident_id WHERE d.id = :id AND d.removed_at IS NULL",
	.sql_list = "SELECT d.key AS _key, " DEVICE_COLUMNS " FROM devices d LEFT JOIN residents r"
		    " ON r.id = d.resident_id WHERE d.key > :after AND d.removed_at IS NULL"
		    " AND (:site IS NULL OR r.site_id = :site)"
		    " AND (:f_resident_id IS NULL OR d.resident_id = :f_resident_id)"
		    " AND (:f_status IS NULL OR d.status = :f_status)"
		    " AND (:f_kind IS NULL OR d.kind = :f_kind)"
		    " ORDER BY d.key LIMIT :limit",
	/* Retired, not deleted: their events stay. The friendly name is freed
	 * for a replacement device. */
	.sql_delete = "UPDATE devices SET removed_at = :now, z2m_name = NULL, updated_at = :now"
		      " WHERE id = :id AND removed_at IS NULL",
	.filters = device_filters,
};

/* ---- shifts ---- */

static const struct res_col shift_cols[] = {
	{"staff_id", COL_TEXT}, {"site_id", COL_TEXT}, {"starts_at", COL_TIME},
	{"ends_at", COL_TIME},  {"tier", COL_TEXT},
};
#define SHIFT_COLUMNS                                                                              \
	"h.id, h.staff_id, h.site_id, h.starts_at AS \"starts_at@t\", h.ends_at AS \"ends_at@t\"," \
	" h.tier, h.created_at AS \"created_at@t\""
static const char *const shift_filters[] = {"site_id", "staff_id", NULL};
const struct res_desc db_shifts = {
	.name = "shifts",
	.cols = shift_cols,
	.n_cols = 5,
	.sql_insert =
		"INSERT INTO shifts(id, staff_id, site_id, starts_at, ends_at, tier, created_at)"
		" VALUES (:id, :staff_id, :site_id, :starts_at, :ends_at, :tier, :now)",
	.sql_update = "SELECT 1 WHERE 1 = 0", /* shifts are replaced, not edited */
	.sql_get = "SELECT " SHIFT_COLUMNS " FROM shifts h WHERE h.id = :id",
	.sql_list =
		"SELECT h.rowid AS _key, " SHIFT_COLUMNS " FROM shifts h WHERE h.rowid > :after"
		" AND (:site IS NULL OR h.site_id = :site) AND (:self IS NULL OR h.staff_id = :self)"
		" AND (:f_site_id IS NULL OR h.site_id = :f_site_id)"
		" AND (:f_staff_id IS NULL OR h.staff_id = :f_staff_id)"
		" ORDER BY h.rowid LIMIT :limit",
	.sql_delete = "DELETE FROM shifts WHERE id = :id",
	.filters = shift_filters,
};

/* ---- service catalogue ---- */

static const struct res_col service_cols[] = {
	{"name", COL_TEXT},        {"category", COL_TEXT}, {"provider", COL_TEXT},
	{"duration_min", COL_INT}, {"active", COL_BOOL},   {"price_cents", COL_INT},
	{"unit", COL_TEXT},
};
#define SERVICE_COLUMNS \
	"id, name, category, provider, duration_min, active AS \"active@b\", price_cents, unit, " TIMES
static const char *const service_filters[] = {"category", "active", NULL};
const struct res_desc db_services = {
	.name = "services",
	.cols = service_cols,
	.n_cols = 7,
	.sql_insert = "INSERT INTO services(id, name, category, provider, duration_min, active,"
		      " price_cents, unit, created_at, updated_at) VALUES (:id, :name, :category,"
		      " :provider, :duration_min, coalesce(:active, 1), coalesce(:price_cents, 0),"
		      " coalesce(:unit, 'visit'), :now, :now)",
	.sql_update = "UPDATE services SET " SET("name") SET("category") SET("provider")
		SET("duration_min") SET("active") SET("price_cents")
			SET("unit") " updated_at = :now WHERE id = :id",
	.sql_get = "SELECT " SERVICE_COLUMNS " FROM services WHERE id = :id",
	.sql_list =
		"SELECT rowid AS _key, " SERVICE_COLUMNS " FROM services WHERE rowid > :after"
		" AND (:f_category IS NULL OR category = :f_category)"
		" AND (:f_active IS NULL OR active = CASE WHEN :f_active = 'true' THEN 1 ELSE 0 END)"
		" ORDER BY rowid LIMIT :limit",
	.sql_delete = "SELECT 1 WHERE 1 = 0", /* withdrawn with active: false */
	.filters = service_filters,
};

/* ---- the rest ---- */

static enum cn_err exists(struct db *db, const char *sql, const char *a, const char *b, bool *yes)
{
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, a);
	if (b)
		db_bind_text(st, 2, b);
	int64_t v = 0;
	enum cn_err rc = db_step_int64(st, &v);
	*yes = v != 0;
	return rc;
}

enum cn_err db_staff_set_residents(struct db *db, const char *staff_id, const json_t *ids)
{
	static const char del[] = "DELETE FROM staff_residents WHERE staff_id = ?1";
	static const char ins[] = "INSERT INTO staff_residents(staff_id, resident_id)"
				  " VALUES (?1, ?2) ON CONFLICT DO NOTHING";
	struct db_stmt *st = db_stmt(db, del);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, staff_id);
	enum cn_err rc = db_step_done(st);
	size_t i;
	json_t *v;
	json_array_foreach (ids, i, v) {
		if (rc != CN_OK)
			break;
		st = db_stmt(db, ins);
		if (!st)
			return CN_ERR_DB;
		db_bind_text(st, 1, staff_id);
		db_bind_text(st, 2, json_string_value(v));
		rc = db_step_done(st);
	}
	return rc;
}

enum cn_err db_family_has_resident(struct db *db, const char *staff_id, const char *resident_id,
                                   bool *yes)
{
	static const char sql[] = "SELECT EXISTS(SELECT 1 FROM staff_residents WHERE staff_id = ?1"
				  " AND resident_id = ?2)";
	return exists(db, sql, staff_id, resident_id, yes);
}

enum cn_err db_resident_has_history(struct db *db, const char *id, bool *yes)
{
	static const char sql[] =
		"SELECT EXISTS(SELECT 1 FROM alerts WHERE resident_id = ?1)"
		" OR EXISTS(SELECT 1 FROM events e JOIN devices d ON d.key = e.device_key"
		"           WHERE d.resident_id = ?1)"
		" OR EXISTS(SELECT 1 FROM attendance WHERE resident_id = ?1)"
		" OR EXISTS(SELECT 1 FROM requests WHERE resident_id = ?1)";
	return exists(db, sql, id, NULL, yes);
}

enum cn_err db_resident_has_active_alert(struct db *db, const char *id, bool *yes)
{
	static const char sql[] = "SELECT EXISTS(SELECT 1 FROM alerts WHERE resident_id = ?1"
				  " AND status <> 'resolved')";
	return exists(db, sql, id, NULL, yes);
}

enum cn_err db_resident_delete(struct db *db, const char *id)
{
	static const char links[] = "DELETE FROM staff_residents WHERE resident_id = ?1";
	static const char devs[] = "UPDATE devices SET resident_id = NULL WHERE resident_id = ?1";
	static const char timers[] = "DELETE FROM rule_timers WHERE resident_id = ?1";
	static const char row[] = "DELETE FROM residents WHERE id = ?1";
	const char *const steps[] = {links, devs, timers, row};
	enum cn_err rc = CN_OK;
	for (size_t i = 0; rc == CN_OK && i < 4; i++) {
		struct db_stmt *st = db_stmt(db, steps[i]);
		if (!st)
			return CN_ERR_DB;
		db_bind_text(st, 1, id);
		rc = db_step_done(st);
	}
	return rc;
}

static enum cn_err one_text(struct db *db, const char *sql, const char *id, char *out, size_t size)
{
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const unsigned char *s = db_col_text(st, 0);
		snprintf(out, size, "%s", s ? (const char *)s : "");
	}
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_resident_site(struct db *db, const char *id, char site[65])
{
	static const char sql[] = "SELECT site_id FROM residents WHERE id = ?1";
	return one_text(db, sql, id, site, 65);
}

enum cn_err db_staff_site_role(struct db *db, const char *id, char site[65], char role[16],
                               bool *active)
{
	static const char sql[] =
		"SELECT coalesce(site_id, ''), role, active FROM staff WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(site, 65, "%s", (const char *)db_col_text(st, 0));
		snprintf(role, 16, "%s", (const char *)db_col_text(st, 1));
		*active = db_col_int(st, 2) != 0;
	}
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_device_is_retired(struct db *db, const char *id, bool *yes)
{
	static const char sql[] = "SELECT EXISTS(SELECT 1 FROM devices WHERE id = ?1"
				  " AND removed_at IS NOT NULL)";
	return exists(db, sql, id, NULL, yes);
}

enum cn_err db_device_revive(struct db *db, const char *id, int64_t now)
{
	static const char sql[] = "UPDATE devices SET removed_at = NULL, status = 'unknown',"
				  " created_at = ?2, updated_at = ?2 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, now);
	return db_step_done(st);
}

enum cn_err db_device_registry_row(struct db *db, const char *id, struct device *out)
{
	static const char sql[] =
		"SELECT d.key, coalesce(d.resident_id, ''), coalesce(r.site_id, ''), d.kind,"
		" coalesce(d.z2m_name, ''), d.protocol, d.exit_door, d.heartbeat_s, d.created_at"
		" FROM devices d LEFT JOIN residents r ON r.id = d.resident_id"
		" WHERE d.id = ?1 AND d.removed_at IS NULL";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		memset(out, 0, sizeof(*out));
		out->key = db_col_int64(st, 0);
		snprintf(out->id, sizeof(out->id), "%s", id);
		snprintf(out->resident_id, sizeof(out->resident_id), "%s", db_col_text(st, 1));
		snprintf(out->site_id, sizeof(out->site_id), "%s", db_col_text(st, 2));
		snprintf(out->kind, sizeof(out->kind), "%s", db_col_text(st, 3));
		snprintf(out->z2m_name, sizeof(out->z2m_name), "%s", db_col_text(st, 4));
		out->z2m = strcmp((const char *)db_col_text(st, 5), "z2m") == 0 && out->z2m_name[0];
		out->exit_door = db_col_int(st, 6) != 0;
		out->heartbeat_s = db_col_int(st, 7);
		out->enrolled_at = db_col_int64(st, 8);
		out->battery = -1;
	}
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_active_admins(struct db *db, int *n)
{
	static const char sql[] = "SELECT count(*) FROM staff WHERE role = 'admin' AND active = 1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	int64_t v = 0;
	enum cn_err rc = db_step_int64(st, &v);
	*n = (int)v;
	return rc;
}

enum cn_err db_shift_overlaps(struct db *db, const char *staff_id, int64_t from, int64_t to,
                              bool *yes)
{
	static const char sql[] = "SELECT EXISTS(SELECT 1 FROM shifts WHERE staff_id = ?1"
				  " AND starts_at < ?3 AND ends_at > ?2)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, staff_id);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, to);
	int64_t v = 0;
	enum cn_err rc = db_step_int64(st, &v);
	*yes = v != 0;
	return rc;
}

/* ---- channels (migration 007) ---- */

static const struct res_col channel_cols[] = {
	{"site_id", COL_TEXT}, {"kind", COL_TEXT},        {"name", COL_TEXT},    {"url", COL_TEXT},
	{"secret", COL_TEXT},  {"rate_per_min", COL_INT}, {"enabled", COL_BOOL},
};
/* The secret is written, never read back: only whether one is set. */
#define CHANNEL_COLUMNS                                                                            \
	"id, site_id, kind, name, url, (secret IS NOT NULL AND secret <> '') AS \"has_secret@b\"," \
	" coalesce(rate_per_min, CASE kind WHEN 'wecom' THEN 20 WHEN 'dingtalk' THEN 20"           \
	" WHEN 'feishu' THEN 100 END) AS rate_per_min, enabled AS \"enabled@b\", " TIMES
static const char *const channel_filters[] = {"site_id", "kind", NULL};
const struct res_desc db_channels = {
	.name = "channels",
	.cols = channel_cols,
	.n_cols = 7,
	.sql_insert = "INSERT INTO channels(id, site_id, kind, name, url, secret, rate_per_min,"
		      " enabled, created_at, updated_at) VALUES (:id, :site_id, :kind, :name, :url,"
		      " :secret, :rate_per_min, coalesce(:enabled, 1), :now, :now)",
	.sql_update = "UPDATE channels SET " SET("site_id") SET("kind") SET("name") SET("url") SET(
		"secret") SET("rate_per_min") SET("enabled") " updated_at = :now WHERE id = :id",
	.sql_get = "SELECT " CHANNEL_COLUMNS " FROM channels WHERE id = :id",
	.sql_list = "SELECT rowid AS _key, " CHANNEL_COLUMNS " FROM channels WHERE rowid > :after"
		    " AND (:site IS NULL OR site_id = :site)"
		    " AND (:f_site_id IS NULL OR site_id = :f_site_id)"
		    " AND (:f_kind IS NULL OR kind = :f_kind)"
		    " ORDER BY rowid LIMIT :limit",
	/* Deliveries keep their channel: a channel is disabled, not removed. */
	.sql_delete =
		"UPDATE channels SET enabled = 0, updated_at = :now WHERE id = :id AND enabled = 1",
	.filters = channel_filters,
};
