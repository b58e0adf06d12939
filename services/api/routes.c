#include "routes.h"

#include "api.h"
#include "api_core.h"
#include "api_handlers.h"
#include "api_health.h"
#include "api_photos.h"
#include "api_records.h"
#include "api_regions.h"
#include "api_service_net.h"
#include "api_settlement.h"

#define R(m, p, h, f)                            \
	{                                        \
		m, p, (const void *)(h), f, NULL \
	}
/* A generic record route: the handler gets the resource as its arg. */
#define RES(m, p, h, f, res)                       \
	{                                          \
		m, p, (const void *)(h), f, &(res) \
	}
#define W API_WRITE

/* Literal paths come before parameter paths of the same shape. */
const struct route api_routes[] = {
	R("GET", "/healthz", api_healthz, API_PUBLIC),
	R("GET", "/metrics", api_metrics, API_PUBLIC),
	R("GET", "/a/{token}", api_ack_page, API_PUBLIC),
	R("POST", "/a/{token}", api_ack_submit, API_PUBLIC | W),
	R("GET", "/v1/openapi.json", api_openapi_json, 0),
	R("GET", "/v1/openapi.yaml", api_openapi_yaml, 0),
	R("POST", "/v1/auth/login", api_login, API_PUBLIC | W),
	R("POST", "/v1/auth/logout", api_logout, W),
	R("GET", "/v1/me", api_me, 0),

	RES("GET", "/v1/sites", res_list, 0, api_sites),
	RES("POST", "/v1/sites", res_create, W, api_sites),
	RES("GET", "/v1/sites/{id}", res_get, 0, api_sites),
	RES("PATCH", "/v1/sites/{id}", res_patch, W, api_sites),
	R("GET", "/v1/sites/{id}/thresholds", api_site_thresholds_get, 0),
	R("PUT", "/v1/sites/{id}/thresholds", api_site_thresholds_put, W),
	/* issue 15: escalation policies */
	R("GET", "/v1/sites/{id}/escalation", api_escalation_get, 0),
	R("PUT", "/v1/sites/{id}/escalation", api_escalation_put, W),

	RES("GET", "/v1/staff", res_list, 0, api_staff),
	RES("POST", "/v1/staff", res_create, W, api_staff),
	RES("GET", "/v1/staff/{id}", res_get, 0, api_staff),
	RES("PATCH", "/v1/staff/{id}", res_patch, W, api_staff),
	RES("DELETE", "/v1/staff/{id}", res_delete, W, api_staff),

	RES("GET", "/v1/channels", res_list, 0, api_channels),
	RES("POST", "/v1/channels", res_create, W, api_channels),
	RES("GET", "/v1/channels/{id}", res_get, 0, api_channels),
	RES("PATCH", "/v1/channels/{id}", res_patch, W, api_channels),
	RES("DELETE", "/v1/channels/{id}", res_delete, W, api_channels),

	RES("GET", "/v1/residents", res_list, 0, api_residents),
	RES("POST", "/v1/residents", res_create, W, api_residents),
	RES("GET", "/v1/residents/{id}", res_get, 0, api_residents),
	RES("PATCH", "/v1/residents/{id}", res_patch, W, api_residents),
	RES("DELETE", "/v1/residents/{id}", res_delete, W, api_residents),
	R("GET", "/v1/residents/{id}/measurements", api_measurements_list, 0),
	R("POST", "/v1/residents/{id}/measurements", api_measurements_create, W),
	R("GET", "/v1/residents/{id}/thresholds", api_resident_thresholds_get, 0),
	R("PUT", "/v1/residents/{id}/thresholds", api_resident_thresholds_put, W),
	R("GET", "/v1/residents/{id}/activity", api_activity_list, 0),

	RES("GET", "/v1/devices", res_list, 0, api_devices),
	RES("POST", "/v1/devices", api_device_create, W, api_devices),
	RES("GET", "/v1/devices/{id}", res_get, 0, api_devices),
	RES("PATCH", "/v1/devices/{id}", res_patch, W, api_devices),
	RES("DELETE", "/v1/devices/{id}", res_delete, W, api_devices),

	R("GET", "/v1/events", api_events_list, 0),

	RES("GET", "/v1/shifts", res_list, 0, api_shifts),
	RES("POST", "/v1/shifts", res_create, W, api_shifts),
	RES("DELETE", "/v1/shifts/{id}", res_delete, W, api_shifts),
	RES("GET", "/v1/rotas", res_list, 0, api_rotas),
	RES("POST", "/v1/rotas", res_create, W, api_rotas),
	RES("GET", "/v1/rotas/{id}", res_get, 0, api_rotas),
	RES("PATCH", "/v1/rotas/{id}", res_patch, W, api_rotas),
	RES("DELETE", "/v1/rotas/{id}", res_delete, W, api_rotas),
	R("GET", "/v1/oncall", api_oncall, 0),

	R("GET", "/v1/alerts", api_alerts_list, 0),
	R("POST", "/v1/alerts", api_alerts_create, W),
	R("GET", "/v1/alerts/stream", api_alerts_stream, API_STREAM),
	R("GET", "/v1/alerts/{id}", api_alerts_get, 0),
	R("POST", "/v1/alerts/{id}/ack", api_alerts_ack, W),
	R("POST", "/v1/alerts/{id}/dispatch", api_alerts_dispatch, W),
	R("POST", "/v1/alerts/{id}/arrive", api_alerts_arrive, W),
	R("POST", "/v1/alerts/{id}/resolve", api_alerts_resolve, W),
	R("POST", "/v1/alerts/{id}/notes", api_alerts_notes, W),

	RES("GET", "/v1/services", res_list, 0, api_services),
	RES("POST", "/v1/services", res_create, W, api_services),
	RES("PATCH", "/v1/services/{id}", res_patch, W, api_services),

	R("GET", "/v1/attendance", api_attendance_list, 0),
	R("POST", "/v1/attendance", api_attendance_record, W),

	R("GET", "/v1/requests", api_requests_list, 0),
	R("POST", "/v1/requests", api_requests_create, W),
	R("GET", "/v1/requests/{id}", api_requests_get, 0),
	R("GET", "/v1/requests/{id}/candidates", api_requests_candidates, 0),
	R("POST", "/v1/requests/{id}/assign", api_requests_assign, W),
	R("POST", "/v1/requests/{id}/start", api_requests_start, W),
	R("POST", "/v1/requests/{id}/complete", api_requests_complete, W),
	R("POST", "/v1/requests/{id}/cancel", api_requests_cancel, W),

	R("GET", "/v1/reports/response", api_report_response, 0),

	R("GET", "/v1/audit", api_audit_list, 0),

	/* issue 19: regions, visit evidence, settlement, volunteer hours */
	RES("GET", "/v1/regions", res_list, 0, api_regions),
	RES("POST", "/v1/regions", res_create, W, api_regions),
	RES("PATCH", "/v1/regions/{id}", res_patch, W, api_regions),
	R("GET", "/v1/staff/{id}/hours", api_staff_hours, 0),
	R("POST", "/v1/requests/{id}/confirm", api_request_confirm, W),
	R("GET", "/v1/requests/{id}/photos", api_request_photos_list, 0),
	R("POST", "/v1/requests/{id}/photos", api_request_photos_add, W | API_UPLOAD),
	R("GET", "/v1/requests/{id}/photos/{n}", api_request_photo_get, 0),
	R("GET", "/v1/reports/settlement", api_report_settlement, 0),
	R("POST", "/v1/settlements/adjustments", api_settlement_adjust, W),
	R("POST", "/v1/settlements/{month}/close", api_settlement_close, W),
};

const size_t api_route_count = sizeof(api_routes) / sizeof(api_routes[0]);
