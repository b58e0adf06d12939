/* /v1/channels: where pages go besides MQTT (contract.md section 4). Admins
 * manage every channel; a coordinator those of their site. The secret is
 * write-only: reads say only whether one is set (has_secret). */
#include <stdio.h>
#include <string.h>

#include "api_records.h"
#include "channel_msg.h"
#include "db_records.h"

static const char *const kinds[] = {"webhook", "wecom", "dingtalk", "feishu",
                                    "email",   "sms",   "voice",    NULL};

static const struct field_spec channel_fields[] = {
	{"id", FIELD_ID},
	{"site_id", FIELD_ID, false, 0, 0, NULL, true},
	{"kind", FIELD_ENUM, true, 0, 0, kinds},
	{"name", FIELD_STRING, true, 1, 200},
	{"url", FIELD_STRING, false, 0, 1000, NULL, true},
	{"secret", FIELD_STRING, false, 0, 255, NULL, true},
	{"rate_per_min", FIELD_INT, false, 1, 1000, NULL, true},
	{"enabled", FIELD_BOOL},
};

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static void channel_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	(void)r;
	t->site_id = str(obj, "site_id");
}

static bool url_ok(const char *u)
{
	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
		return false;
	for (const char *c = u; *c; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c == 0x7f)
			return false;
	return true;
}

static bool channel_prepare(struct api_req *r, json_t *body, const json_t *before)
{
	const char *kind = json_object_get(body, "kind") ? str(body, "kind") : str(before, "kind");
	const json_t *uv = json_object_get(body, "url");
	const char *url = uv ? json_string_value(uv) : str(before, "url");
	if (kind && strcmp(kind, "email") != 0) {
		/* Every kind but email posts to its url. */
		if (!url || !url_ok(url)) {
			api_error(r, CN_ERR_INVALID,
			          "url: an http:// or https:// address is required for kind %s",
			          kind);
			return false;
		}
	}
	const char *site = str(body, "site_id");
	if (site) {
		json_t *s = NULL;
		bool ok = db_res_get(r->db, &db_sites, site, &s) == CN_OK;
		json_decref(s);
		if (!ok) {
			api_error(r, CN_ERR_INVALID, "site_id: no such site");
			return false;
		}
	}
	return true;
}

const struct api_resource api_channels = {
	.desc = &db_channels,
	.pol = PR_CHANNEL,
	.id_prefix = "chan_",
	.fields = channel_fields,
	.n_fields = sizeof(channel_fields) / sizeof(channel_fields[0]),
	.target = channel_target,
	.prepare = channel_prepare,
};
