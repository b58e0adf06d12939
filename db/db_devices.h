/* Storage of devices: the registry rows and their live state. */
#ifndef CN_DB_DEVICES_H
#define CN_DB_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "topic.h"

#define DEVICES_FLUSH_MS 60000

enum device_status { DEV_UNKNOWN = 0, DEV_ONLINE, DEV_OFFLINE };

struct device {
	int64_t key;
	char id[CN_DEVICE_ID_MAX + 1];
	char resident_id[65];
	char site_id[65];
	char kind[32];
	char z2m_name[CN_Z2M_NAME_MAX + 1];
	bool z2m;
	bool exit_door;
	int heartbeat_s;
	/* live state */
	enum device_status status;
	int64_t last_seen;   /* ms, 0 = never */
	int battery;         /* -1 = unknown */
	bool low_battery;    /* a low_battery alert is active */
	int64_t enrolled_at; /* created, or re-enrolled */
	int64_t flushed_at;  /* when live state last reached the database */
	bool dirty;          /* live state differs from the database */
};

const char *device_status_name(enum device_status s);

/* Calls fn with every device not removed, with its resident's site. */
enum cn_err db_devices_load_all(struct db *db, void (*fn)(void *ctx, const struct device *dev),
                                void *ctx);

/* Writes live state (status, last_seen, battery) of one device. */
enum cn_err db_devices_store_live(struct db *db, const struct device *dev);

#endif
