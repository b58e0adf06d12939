/* The descriptors of the plain REST resources (see db_crud.h), and the
 * few statements around them that are not plain CRUD. */
#ifndef CN_DB_RECORDS_H
#define CN_DB_RECORDS_H

#include <stdbool.h>

#include "db_crud.h"
#include "db_devices.h"

extern const struct res_desc db_sites;
extern const struct res_desc db_channels;
extern const struct res_desc db_staff;
extern const struct res_desc db_residents;
extern const struct res_desc db_devices;
extern const struct res_desc db_shifts;
extern const struct res_desc db_services;

/* Replaces a family member's resident list. */
enum cn_err db_staff_set_residents(struct db *db, const char *staff_id, const json_t *ids);
/* Whether `resident_id` is in family member `staff_id`'s list. */
enum cn_err db_family_has_resident(struct db *db, const char *staff_id, const char *resident_id,
                                   bool *yes);
/* Whether a resident has history (events or alerts): then it is
 * discharged, not deleted. */
enum cn_err db_resident_has_history(struct db *db, const char *id, bool *yes);
/* Whether a resident has an active (unresolved) alert. */
enum cn_err db_resident_has_active_alert(struct db *db, const char *id, bool *yes);
/* Deletes a resident without history (and its family links). */
enum cn_err db_resident_delete(struct db *db, const char *id);
/* The site of a resident (NOT_FOUND when unknown). */
enum cn_err db_resident_site(struct db *db, const char *id, char site[65]);
/* The site and role of a staff member. */
enum cn_err db_staff_site_role(struct db *db, const char *id, char site[65], char role[16],
                               bool *active);
/* A retired device with this id: revive it (re-enrolment). */
enum cn_err db_device_is_retired(struct db *db, const char *id, bool *yes);
enum cn_err db_device_revive(struct db *db, const char *id, int64_t now);
/* Key and site of a current device, for the in-memory registry. */
enum cn_err db_device_registry_row(struct db *db, const char *id, struct device *out);
/* The number of active admins (the last one cannot be deactivated). */
enum cn_err db_active_admins(struct db *db, int *n);
/* Whether the staff member's new shift overlaps one of theirs. */
enum cn_err db_shift_overlaps(struct db *db, const char *staff_id, int64_t from, int64_t to,
                              bool *yes);

#endif
