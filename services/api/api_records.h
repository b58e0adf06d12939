/* Descriptors of the plain record resources, for the route table: one file
 * each (api_sites.c, api_staff.c, api_residents.c, api_devices.c,
 * api_shifts.c, api_services.c) on the generic handlers of api_crud.c. */
#ifndef CN_API_RECORDS_H
#define CN_API_RECORDS_H

#include "api_crud.h"

extern const struct api_resource api_sites;
extern const struct api_resource api_staff;
extern const struct api_resource api_residents;
extern const struct api_resource api_devices;
extern const struct api_resource api_shifts;
extern const struct api_resource api_rotas;
extern const struct api_resource api_services;
extern const struct api_resource api_channels;

/* The nested field tables of a resident (monitoring, emergency_contacts[],
 * needs[]), for the fuzz target of the body rules. */
extern const struct field_spec api_monitoring_fields[];
extern const size_t api_monitoring_field_count;
extern const struct field_spec api_contact_fields[];
extern const size_t api_contact_field_count;
extern const struct field_spec api_need_fields[];
extern const size_t api_need_field_count;

/* POST /v1/devices: re-enrols a retired id, otherwise res_create. */
void api_device_create(struct api_req *r);

#endif
