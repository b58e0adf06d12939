/* Outgoing channel messages (contract.md section 4): one encoder per
 * channel kind, the message texts in zh-CN and en, and the signatures the
 * receivers verify. Pure: no I/O, the clock comes in as an argument.
 *
 * Kinds and what chmsg_encode() produces:
 *   webhook   JSON {"event":"page","delivery_id","level","alert","resident",
 *             "to","ack_url","text"}; with a secret `signature` is
 *             "sha256=<hex HMAC-SHA256 of the body>"
 *   sms/voice JSON {"to","text","delivery_id","ack_url"}, signed like webhook
 *   wecom     {"msgtype":"text","text":{"content","mentioned_mobile_list"}},
 *             content cut to the robot's 2048 bytes on a UTF-8 boundary
 *   dingtalk  {"msgtype":"text","text":{"content"},"at":{"atMobiles"}};
 *             with a secret `query` is "timestamp=<ms>&sign=<urlenc b64>"
 *   feishu    {"msg_type":"text","content":{"text"}}; with a secret the body
 *             starts with "timestamp" (seconds) and "sign"
 *   email     an RFC 5322 message (headers, blank line, UTF-8 text body) */
#ifndef CN_CHANNEL_MSG_H
#define CN_CHANNEL_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cn_error.h"

enum chmsg_kind {
	CHK_WEBHOOK,
	CHK_WECOM,
	CHK_DINGTALK,
	CHK_FEISHU,
	CHK_EMAIL,
	CHK_SMS,
	CHK_VOICE,
	CHK_COUNT
};

/* "webhook", ...; false when unknown. */
const char *chmsg_kind_name(enum chmsg_kind k);
int chmsg_kind_from_name(const char *name, enum chmsg_kind *out); /* 1 found, 0 not */
/* Messages a minute a robot accepts (care-model.md): wecom and dingtalk
 * 20, feishu 100; 0 = unlimited. */
int chmsg_default_rate(enum chmsg_kind k);

/* WeCom's text robot takes at most 2048 bytes of content. */
#define CHMSG_WECOM_MAX 2048
/* An SMS text stays under this many bytes (70 Chinese characters is one
 * SMS part; we aim for at most three parts). */
#define CHMSG_TEXT_MAX 400

/* One page of one alert to one person, as the message names it. All
 * strings borrowed; NULL reads as "". */
struct chmsg_page {
	const char *locale; /* "zh-CN" (default) or "en" */
	int priority;
	const char *kind; /* alert kind name */
	int64_t alert_id;
	int level;
	const char *resident_name, *address, *phone;
	const char *ack_url;
	int64_t delivery_id;
	const char *to_staff_id; /* a staff member, or */
	const char *to_contact;  /* the name of a resident's contact */
	const char *to_name;
	const char *to_addr;       /* phone or e-mail; may be empty */
	const char *mention_phone; /* robots: mention this phone */
	const json_t *alert;       /* webhook: the alert as the API shows it; may be NULL */
};

struct chmsg_out {
	char *body; /* owned; NUL-terminated */
	size_t len;
	char *query;     /* owned or NULL: to append to the URL */
	char *signature; /* owned or NULL: X-CareNet-Signature value */
};

/* The short text of one page: priority, kind, resident, address, ack
 * link, in the page's locale. Writes at most `size` bytes with the NUL,
 * cut on a UTF-8 boundary. Returns the length written. */
size_t chmsg_text(const struct chmsg_page *p, char *out, size_t size);
/* The subject of a mail: priority, kind, resident. */
size_t chmsg_subject(const struct chmsg_page *p, char *out, size_t size);
/* A kind's name in the locale ("紧急呼叫" / "SOS"). Never NULL. */
const char *chmsg_kind_label(const char *locale, const char *kind);

/* Encodes `n` >= 1 pages as one message of `kind` (n > 1: a merged
 * listing of every alert in it; the first page carries the delivery id
 * and addressee). `secret` may be NULL; `now_ms` feeds the robots'
 * timestamps; `from` is the mail sender (email only).
 * Returns CN_OK, CN_ERR_INVALID (n == 0, unknown kind). Caller frees
 * with chmsg_out_free(). */
enum cn_err chmsg_encode(enum chmsg_kind kind, const struct chmsg_page *pages, size_t n,
                         const char *secret, int64_t now_ms, const char *from,
                         struct chmsg_out *out);
void chmsg_out_free(struct chmsg_out *out);

/* "sha256=" + hex HMAC-SHA256(key, msg): the webhook signature.
 * out must hold 7 + 64 + 1 bytes. */
void chmsg_sign_webhook(const char *key, const void *msg, size_t len, char out[72]);
/* DingTalk: base64(HMAC-SHA256(key = secret, msg = ts "\n" secret)),
 * URL-encoded. out >= 96 bytes. */
void chmsg_sign_dingtalk(const char *secret, int64_t ts_ms, char *out, size_t size);
/* Feishu: base64(HMAC-SHA256(key = ts "\n" secret, msg = "")). ts in
 * seconds. out >= 64 bytes. */
void chmsg_sign_feishu(const char *secret, int64_t ts_s, char *out, size_t size);

/* Cuts `s` (NUL-terminated) to at most max bytes without splitting a UTF-8
 * sequence; returns the new length. */
size_t chmsg_utf8_cut(char *s, size_t max);

#endif
