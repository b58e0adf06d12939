#include "cn_error.h"

struct err_info {
	const char *text;
	const char *code;
	int http;
};

static const struct err_info infos[CN_ERR_COUNT] = {
	[CN_OK] = {"success", "ok", 200},
	[CN_ERR_INVALID] = {"invalid input", "bad_request", 400},
	[CN_ERR_UNAUTHORIZED] = {"not authenticated", "unauthorized", 401},
	[CN_ERR_FORBIDDEN] = {"not allowed", "forbidden", 403},
	[CN_ERR_NOT_FOUND] = {"not found", "not_found", 404},
	[CN_ERR_METHOD] = {"method not allowed", "method_not_allowed", 405},
	[CN_ERR_CONFLICT] = {"conflict", "conflict", 409},
	[CN_ERR_TOO_LARGE] = {"request body too large", "too_large", 413},
	[CN_ERR_MEDIA_TYPE] = {"unsupported media type", "unsupported_media_type", 415},
	[CN_ERR_THROTTLED] = {"too many requests", "too_many_requests", 429},
	[CN_ERR_DB] = {"database error", "internal", 500},
	[CN_ERR_IO] = {"I/O error", "internal", 500},
	[CN_ERR_FULL] = {"database or disk is full", "storage_full", 503},
	[CN_ERR_UNAVAILABLE] = {"service unavailable", "unavailable", 503},
};

const char *cn_strerror(enum cn_err err)
{
	return (err >= 0 && err < CN_ERR_COUNT) ? infos[err].text : "unknown error";
}

int cn_err_http_status(enum cn_err err)
{
	return (err >= 0 && err < CN_ERR_COUNT) ? infos[err].http : 500;
}

const char *cn_err_code(enum cn_err err)
{
	return (err >= 0 && err < CN_ERR_COUNT) ? infos[err].code : "internal";
}
