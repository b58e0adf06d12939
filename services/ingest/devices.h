/* The device registry in memory: lookup by id and by Zigbee2MQTT name for
 * every incoming message, and the live state (status, last_seen, battery)
 * that ingest keeps and the API shows. Thread-safe: one mutex, held only
 * for copies and small updates.
 *
 * The database is loaded once at start; REST changes go to the database
 * first and then here (devices_put / devices_remove), so both stay in
 * step. Live state is written back to the database lazily (on a change of
 * status or battery, and at most every DEVICES_FLUSH_MS otherwise). */
#ifndef CN_DEVICES_H
#define CN_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cn_error.h"
#include "db_devices.h"

struct db;
struct devices;

/* Loads every current device. Free with devices_free(). */
enum cn_err devices_load(struct db *db, struct devices **out);
void devices_free(struct devices *d);

/* Copies the device with native id `id` (or friendly name `z2m_name` when
 * `by_z2m`) into *out; false when unknown. */
bool devices_find(struct devices *d, const char *name, bool by_z2m, struct device *out);

/* Inserts or replaces the registry entry (after a REST write), keeping its
 * live state when it exists. */
void devices_put(struct devices *d, const struct device *dev);
/* Forgets a device (after a REST delete). */
void devices_remove(struct devices *d, const char *id);

/* Live-state update after a message was stored; returns the device's
 * state before (for transitions) in *before. */
void devices_update_live(struct devices *d, int64_t key, int64_t seen, int battery,
                         enum device_status status, struct device *before,
                         struct device *after);

/* Sets or clears the low-battery flag. */
void devices_set_low_battery(struct devices *d, int64_t key, bool low);

/* Marks offline up to `max` devices silent for longer than offline_after x
 * heartbeat_s at `now`, counting silence from no earlier than
 * `listening_since` (when carenetd last connected to the broker), and
 * copies them into `out`. Returns how many. */
size_t devices_sweep_silent(struct devices *d, int64_t now, long offline_after,
                            int64_t listening_since, struct device *out, size_t max);

/* Copies up to `max` devices whose live state needs writing back (dirty
 * and flushed longer than DEVICES_FLUSH_MS ago, or `all`), marking them
 * clean. */
size_t devices_take_dirty(struct devices *d, int64_t now, bool all, struct device *out,
                          size_t max);

/* Live state by id for the API: false when unknown. */
bool devices_live(struct devices *d, const char *id, enum device_status *status,
                  int64_t *last_seen, int *battery);

#endif
