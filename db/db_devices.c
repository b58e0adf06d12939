#include "db_devices.h"

#include <stdio.h>
#include <string.h>

const char *device_status_name(enum device_status s)
{
	switch (s) {
	case DEV_ONLINE:
		return "online";
	case DEV_OFFLINE:
		return "offline";
	default:
		return "unknown";
	}
}

static void copy_text(char *dst, size_t size, struct db_stmt *st, int col)
{
	const unsigned char *s = db_col_text(st, col);
	snprintf(dst, size, "%s", s ? (const char *)s : "");
}

static enum device_status status_from(const char *s)
{
	if (strcmp(s, "online") == 0)
		return DEV_ONLINE;
	if (strcmp(s, "offline") == 0)
		return DEV_OFFLINE;
	return DEV_UNKNOWN;
}

enum cn_err db_devices_load_all(struct db *db, void (*fn)(void *ctx, const struct device *dev),
                                void *ctx)
{
	static const char sql[] =
		"SELECT d.key, d.id, d.resident_id, r.site_id, d.kind, d.z2m_name, d.protocol,"
		" d.exit_door, d.heartbeat_s, d.status, d.last_seen, d.battery, d.created_at,"
		" EXISTS(SELECT 1 FROM alerts a WHERE a.device_id = d.id AND a.kind = 'low_battery'"
		"        AND a.status <> 'resolved')"
		" FROM devices d LEFT JOIN residents r ON r.id = d.resident_id"
		" WHERE d.removed_at IS NULL";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct device dev;
		memset(&dev, 0, sizeof(dev));
		dev.key = db_col_int64(st, 0);
		copy_text(dev.id, sizeof(dev.id), st, 1);
		copy_text(dev.resident_id, sizeof(dev.resident_id), st, 2);
		copy_text(dev.site_id, sizeof(dev.site_id), st, 3);
		copy_text(dev.kind, sizeof(dev.kind), st, 4);
		copy_text(dev.z2m_name, sizeof(dev.z2m_name), st, 5);
		const unsigned char *proto = db_col_text(st, 6);
		dev.z2m = proto && strcmp((const char *)proto, "z2m") == 0 && dev.z2m_name[0];
		dev.exit_door = db_col_int(st, 7) != 0;
		dev.heartbeat_s = db_col_int(st, 8);
		const unsigned char *status = db_col_text(st, 9);
		dev.status = status_from(status ? (const char *)status : "");
		dev.last_seen = db_col_int64(st, 10);
		dev.battery = db_col_type(st, 11) == DB_NULL ? -1 : db_col_int(st, 11);
		dev.enrolled_at = db_col_int64(st, 12);
		dev.low_battery = db_col_int(st, 13) != 0;
		fn(ctx, &dev);
	}
	db_reset(st);
	return rc == DB_DONE ? CN_OK : db_err(rc);
}

enum cn_err db_devices_store_live(struct db *db, const struct device *dev)
{
	static const char sql[] =
		"UPDATE devices SET status = ?2, last_seen = ?3, battery = ?4 WHERE key = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, dev->key);
	db_bind_textn(st, 2, device_status_name(dev->status), -1);
	db_bind_opt_int(st, 3, dev->last_seen > 0, dev->last_seen);
	db_bind_opt_int(st, 4, dev->battery >= 0, dev->battery);
	return db_step_done(st);
}
