/* Health, metrics, the caller's own record and the OpenAPI document. */
#include "api_core.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "db_pool.h"
#include "metrics.h"
#include "mqtt_client.h"
#include "xalloc.h"

/* From the generated openapi.c: proto/openapi.yaml and its JSON form. */
extern const char openapi_yaml[];
extern const char openapi_json[];

void api_healthz(struct api_req *r)
{
	struct app *app = r->app;
	const char *db_state = "ok";
	int store = atomic_load(&app->store_state);
	if (db_ping(r->db) != CN_OK)
		db_state = "error";
	else if (store == STORE_FULL)
		db_state = "full";
	const char *mqtt = mqtt_connected(app->mqtt) ? "connected" : "disconnected";
	bool ok = strcmp(db_state, "ok") == 0 && strcmp(mqtt, "connected") == 0;
	api_reply(r, ok ? 200 : 503,
	          json_pack("{s:s,s:s,s:s}", "status", ok ? "ok" : "degraded", "db", db_state, "mqtt",
	                    mqtt));
}

void api_metrics(struct api_req *r)
{
	api_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	               metrics_render(r->app->metrics));
}

void api_openapi_json(struct api_req *r)
{
	api_reply_text(r, 200, "application/json", xstrdup(openapi_json));
}

void api_openapi_yaml(struct api_req *r)
{
	api_reply_text(r, 200, "application/yaml; charset=utf-8", xstrdup(openapi_yaml));
}

void api_not_found(struct api_req *r)
{
	api_error(r, CN_ERR_NOT_FOUND, "not found");
}
