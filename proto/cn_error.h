/* The one error type of CareNet: every fallible function returns one of
 * these (CN_OK = 0) and hands results back through out-parameters.
 * cn_strerror() gives the text, cn_err_http_status() the one mapping to an
 * HTTP status and cn_err_code() the `code` of the REST error body. */
#ifndef CN_ERROR_H
#define CN_ERROR_H

enum cn_err {
	CN_OK = 0,
	CN_ERR_INVALID,      /* bad input: 400 */
	CN_ERR_UNAUTHORIZED, /* no or bad credentials: 401 */
	CN_ERR_FORBIDDEN,    /* known caller, not allowed: 403 */
	CN_ERR_NOT_FOUND,    /* 404 */
	CN_ERR_METHOD,       /* 405 */
	CN_ERR_CONFLICT,     /* state or uniqueness conflict: 409 */
	CN_ERR_TOO_LARGE,    /* 413 */
	CN_ERR_MEDIA_TYPE,   /* 415 */
	CN_ERR_THROTTLED,    /* 429 */
	CN_ERR_DB,           /* database failure: 500 */
	CN_ERR_IO,           /* I/O failure: 500 */
	CN_ERR_FULL,         /* database or disk full: 503 */
	CN_ERR_UNAVAILABLE,  /* a needed part is down or shutting down: 503 */
	CN_ERR_COUNT
};

const char *cn_strerror(enum cn_err err);
int cn_err_http_status(enum cn_err err);
/* Machine-readable code: "bad_request", "not_found", ... */
const char *cn_err_code(enum cn_err err);

#endif
