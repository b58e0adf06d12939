#include "routes.h"

#include "api.h"
#include "api_core.h"
#include "api_handlers.h"

#define R(m, p, h, f) {m, p, (const void *)(h), f}

/* Literal paths come before parameter paths of the same shape. */
const struct route api_routes[] = {
	R("GET", "/healthz", api_healthz, API_PUBLIC),
	R("GET", "/metrics", api_metrics, API_PUBLIC),
	R("GET", "/v1/openapi.json", api_openapi_json, 0),
	R("GET", "/v1/openapi.yaml", api_openapi_yaml, 0),
	R("POST", "/v1/auth/login", api_login, API_PUBLIC | API_WRITE),
	R("POST", "/v1/auth/logout", api_logout, API_WRITE),
	R("GET", "/v1/me", api_me, 0),
};

const size_t api_route_count = sizeof(api_routes) / sizeof(api_routes[0]);
