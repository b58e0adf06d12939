#define _POSIX_C_SOURCE 200809L
#include "channel_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "xalloc.h"

static const char *const kind_names[CHK_COUNT] = {"webhook", "wecom", "dingtalk", "feishu",
                                                  "email",   "sms",   "voice"};

const char *chmsg_kind_name(enum chmsg_kind k)
{
	return (k >= 0 && k < CHK_COUNT) ? kind_names[k] : "unknown";
}

int chmsg_kind_from_name(const char *name, enum chmsg_kind *out)
{
	for (int i = 0; name && i < CHK_COUNT; i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (enum chmsg_kind)i;
			return 1;
		}
	return 0;
}

int chmsg_default_rate(enum chmsg_kind k)
{
	switch (k) {
	case CHK_WECOM:
	case CHK_DINGTALK:
		return 20;
	case CHK_FEISHU:
		return 100;
	default:
		return 0;
	}
}

static const char *s(const char *v) { return v ? v : ""; }

static int is_en(const char *locale) { return locale && strncmp(locale, "en", 2) == 0; }

struct kind_label {
	const char *kind, *zh, *en;
};
static const struct kind_label labels[] = {
	{"sos", "紧急呼叫", "SOS"},
	{"fall", "跌倒", "fall"},
	{"smoke", "烟雾报警", "smoke alarm"},
	{"gas", "燃气报警", "gas alarm"},
	{"water_leak", "漏水", "water leak"},
	{"inactivity", "长时间无活动", "no activity"},
	{"night_exit", "夜间外出", "night exit"},
	{"missed_checkin", "未报平安", "missed check-in"},
	{"missed_visit", "上门服务未完成", "missed visit"},
	{"device_offline", "设备离线", "device offline"},
	{"low_battery", "电量低", "low battery"},
	{"manual", "人工报警", "manual alert"},
};

const char *chmsg_kind_label(const char *locale, const char *kind)
{
	for (size_t i = 0; kind && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(kind, labels[i].kind) == 0)
			return is_en(locale) ? labels[i].en : labels[i].zh;
	return s(kind);
}

size_t chmsg_utf8_cut(char *str, size_t max)
{
	size_t len = strlen(str);
	if (len <= max)
		return len;
	size_t cut = max;
	/* Step back over continuation bytes to the start of a sequence. */
	while (cut > 0 && ((unsigned char)str[cut] & 0xC0) == 0x80)
		cut--;
	str[cut] = '\0';
	return cut;
}

static size_t finish(char *out, size_t size, int n)
{
	if (n < 0) {
		out[0] = '\0';
		return 0;
	}
	return chmsg_utf8_cut(out, size - 1);
}

size_t chmsg_text(const struct chmsg_page *p, char *out, size_t size)
{
	if (size == 0)
		return 0;
	int en = is_en(p->locale);
	const char *label = chmsg_kind_label(p->locale, p->kind);
	const char *link_lead = en ? ". Acknowledge: " : "。确认接单：";
	char head[1024];
	snprintf(head, sizeof(head), en ? "CareNet P%d %s: %s, %s" : "【CareNet】P%d %s：%s，%s",
	         p->priority, label, s(p->resident_name), s(p->address));
	/* The link is what the person needs: when the text is too long, the
	 * name and address give way, never the link. */
	size_t tail = strlen(link_lead) + strlen(s(p->ack_url));
	if (strlen(head) + tail + 1 > size && tail + 16 < size)
		chmsg_utf8_cut(head, size - 1 - tail);
	int n = snprintf(out, size, "%s%s%s", head, link_lead, s(p->ack_url));
	return finish(out, size, n);
}

size_t chmsg_subject(const struct chmsg_page *p, char *out, size_t size)
{
	int n;
	if (is_en(p->locale))
		n = snprintf(out, size, "[CareNet] P%d %s: %s", p->priority,
		             chmsg_kind_label(p->locale, p->kind), s(p->resident_name));
	else
		n = snprintf(out, size, "【CareNet】P%d %s：%s", p->priority,
		             chmsg_kind_label(p->locale, p->kind), s(p->resident_name));
	return finish(out, size, n);
}

/* The text of n pages: one, or a listing of every alert (a merge). */
static char *texts(const struct chmsg_page *pages, size_t n, size_t max)
{
	char *buf = xmalloc(max + 1);
	if (n == 1) {
		chmsg_text(&pages[0], buf, max + 1);
		return buf;
	}
	size_t len = 0;
	int w = snprintf(buf, max + 1,
	                 is_en(pages[0].locale) ? "CareNet: %zu alerts waiting"
	                                        : "【CareNet】%zu 条待处理报警",
	                 n);
	len = w > 0 ? (size_t)w : 0;
	for (size_t i = 0; i < n && len < max; i++) {
		char line[CHMSG_TEXT_MAX + 1];
		chmsg_text(&pages[i], line, sizeof(line));
		w = snprintf(buf + len, max + 1 - len, "\n%zu. %s", i + 1, line);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	if (len > max)
		len = max;
	buf[len] = '\0';
	chmsg_utf8_cut(buf, max);
	return buf;
}

static void hmac(const void *key, size_t klen, const void *msg, size_t mlen,
                 unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, klen);
	crypto_auth_hmacsha256_update(&st, msg, mlen);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

void chmsg_sign_webhook(const char *key, const void *msg, size_t len, char out[72])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	hmac(key, strlen(key), msg, len, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof(mac));
}

static void b64(const unsigned char *mac, char *out, size_t size)
{
	sodium_bin2base64(out, size, mac, crypto_auth_hmacsha256_BYTES,
	                  sodium_base64_VARIANT_ORIGINAL);
}

void chmsg_sign_dingtalk(const char *secret, int64_t ts_ms, char *out, size_t size)
{
	char msg[600];
	int n = snprintf(msg, sizeof(msg), "%lld\n%s", (long long)ts_ms, secret);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	hmac(secret, strlen(secret), msg, n > 0 ? (size_t)n : 0, mac);
	char raw[64];
	b64(mac, raw, sizeof(raw));
	/* URL-encode: base64 has only '+', '/' and '=' to escape. */
	size_t j = 0;
	for (size_t i = 0; raw[i] && j + 4 < size; i++) {
		char c = raw[i];
		if (c == '+' || c == '/' || c == '=') {
			snprintf(out + j, 4, "%%%02X", (unsigned char)c);
			j += 3;
		} else {
			out[j++] = c;
		}
	}
	out[j] = '\0';
}

void chmsg_sign_feishu(const char *secret, int64_t ts_s, char *out, size_t size)
{
	char key[600];
	int n = snprintf(key, sizeof(key), "%lld\n%s", (long long)ts_s, secret);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	hmac(key, n > 0 ? (size_t)n : 0, "", 0, mac);
	b64(mac, out, size);
}

static json_t *jstr(const char *v) { return json_string(s(v)); }

static json_t *mentions(const struct chmsg_page *pages, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *ph = pages[i].mention_phone;
		if (!ph || !*ph)
			continue;
		int dup = 0;
		size_t k;
		json_t *v;
		json_array_foreach (arr, k, v)
			dup |= strcmp(json_string_value(v), ph) == 0;
		if (!dup)
			json_array_append_new(arr, json_string(ph));
	}
	return arr;
}

static json_t *to_object(const struct chmsg_page *p)
{
	json_t *to = json_object();
	if (p->to_staff_id && *p->to_staff_id)
		json_object_set_new(to, "staff_id", jstr(p->to_staff_id));
	else
		json_object_set_new(to, "contact", jstr(p->to_contact));
	json_object_set_new(to, "name", jstr(p->to_name));
	json_object_set_new(to, "address", jstr(p->to_addr));
	return to;
}

static char *delivery_id_str(int64_t id)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)id);
	return xstrdup(buf);
}

/* Header-safe: a display text with CR/LF removed, RFC 2047 encoded. */
static void mime_word(const char *text, char *out, size_t size)
{
	char clean[512];
	size_t j = 0;
	for (size_t i = 0; text[i] && j + 1 < sizeof(clean); i++)
		clean[j++] = (text[i] == '\r' || text[i] == '\n') ? ' ' : text[i];
	clean[j] = '\0';
	char enc[800];
	sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)clean, j,
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, size, "=?UTF-8?B?%s?=", enc);
}

static void header_clean(const char *in, char *out, size_t size)
{
	size_t j = 0;
	for (size_t i = 0; in && in[i] && j + 1 < size; i++)
		if (in[i] != '\r' && in[i] != '\n' && in[i] != '<' && in[i] != '>')
			out[j++] = in[i];
	out[j] = '\0';
}

static char *email_message(const struct chmsg_page *pages, size_t n, const char *from,
                           int64_t now_ms)
{
	char subject[300], word[1200], rcpt[260], sender[260];
	if (n == 1) {
		chmsg_subject(&pages[0], subject, sizeof(subject));
	} else {
		snprintf(subject, sizeof(subject),
		         is_en(pages[0].locale) ? "[CareNet] %zu alerts waiting"
		                                : "【CareNet】%zu 条待处理报警",
		         n);
	}
	mime_word(subject, word, sizeof(word));
	header_clean(pages[0].to_addr, rcpt, sizeof(rcpt));
	header_clean(from, sender, sizeof(sender));
	char *body = texts(pages, n, 4000);
	/* Bodies are sent as they are: turn bare LF into CRLF for SMTP. */
	size_t blen = strlen(body);
	char *crlf = xmalloc(blen * 2 + 3);
	size_t k = 0;
	for (size_t i = 0; i < blen; i++) {
		if (body[i] == '\n')
			crlf[k++] = '\r';
		crlf[k++] = body[i];
	}
	crlf[k] = '\0';
	free(body);
	time_t secs = (time_t)(now_ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char date[64];
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	size_t size = strlen(crlf) + 2048;
	char *msg = xmalloc(size);
	snprintf(msg, size,
	         "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
	         "Message-ID: <carenet-delivery-%lld@carenet>\r\nX-CareNet-Delivery: %lld\r\n"
	         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	         "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
	         date, sender, rcpt, word, (long long)pages[0].delivery_id,
	         (long long)pages[0].delivery_id, crlf);
	free(crlf);
	return msg;
}

enum cn_err chmsg_encode(enum chmsg_kind kind, const struct chmsg_page *pages, size_t n,
                         const char *secret, int64_t now_ms, const char *from,
                         struct chmsg_out *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0 || kind < 0 || kind >= CHK_COUNT)
		return CN_ERR_INVALID;
	const struct chmsg_page *p = &pages[0];
	json_t *root = NULL;
	char *text = NULL;
	int has_secret = secret && *secret;
	switch (kind) {
	case CHK_WEBHOOK: {
		text = texts(pages, n, 4000);
		json_t *alert = p->alert ? json_deep_copy(p->alert) : json_object();
		char *did = delivery_id_str(p->delivery_id);
		root = json_pack("{s:s,s:s,s:i,s:o,s:{s:s,s:s,s:s},s:o,s:s,s:s}", "event", "page",
		                 "delivery_id", did, "level", p->level, "alert", alert, "resident",
		                 "name", s(p->resident_name), "address", s(p->address), "phone",
		                 s(p->phone), "to", to_object(p), "ack_url", s(p->ack_url), "text",
		                 text);
		free(did);
		if (n > 1) {
			json_t *more = json_array();
			for (size_t i = 1; i < n; i++) {
				char *d = delivery_id_str(pages[i].delivery_id);
				json_array_append_new(
					more, json_pack("{s:s,s:I,s:s,s:s}", "delivery_id", d,
				                        "alert_id", (json_int_t)pages[i].alert_id,
				                        "ack_url", s(pages[i].ack_url), "resident",
				                        s(pages[i].resident_name)));
				free(d);
			}
			json_object_set_new(root, "merged", more);
		}
		break;
	}
	case CHK_SMS:
	case CHK_VOICE: {
		text = texts(pages, n, n == 1 ? CHMSG_TEXT_MAX : 1000);
		char *did = delivery_id_str(p->delivery_id);
		root = json_pack("{s:s,s:s,s:s,s:s}", "to", s(p->to_addr), "text", text,
		                 "delivery_id", did, "ack_url", s(p->ack_url));
		free(did);
		break;
	}
	case CHK_WECOM:
		text = texts(pages, n, CHMSG_WECOM_MAX);
		root = json_pack("{s:s,s:{s:s,s:o}}", "msgtype", "text", "text", "content", text,
		                 "mentioned_mobile_list", mentions(pages, n));
		break;
	case CHK_DINGTALK:
		text = texts(pages, n, 4000);
		root = json_pack("{s:s,s:{s:s},s:{s:o,s:b}}", "msgtype", "text", "text", "content",
		                 text, "at", "atMobiles", mentions(pages, n), "isAtAll", 0);
		if (has_secret) {
			char sign[128];
			chmsg_sign_dingtalk(secret, now_ms, sign, sizeof(sign));
			char q[200];
			snprintf(q, sizeof(q), "timestamp=%lld&sign=%s", (long long)now_ms, sign);
			out->query = xstrdup(q);
		}
		break;
	case CHK_FEISHU:
		text = texts(pages, n, 4000);
		root = json_object();
		if (has_secret) {
			char sign[128], ts[32];
			int64_t secs = now_ms / 1000;
			chmsg_sign_feishu(secret, secs, sign, sizeof(sign));
			snprintf(ts, sizeof(ts), "%lld", (long long)secs);
			json_object_set_new(root, "timestamp", json_string(ts));
			json_object_set_new(root, "sign", json_string(sign));
		}
		json_object_set_new(root, "msg_type", json_string("text"));
		json_object_set_new(root, "content", json_pack("{s:s}", "text", text));
		break;
	case CHK_EMAIL:
		out->body = email_message(pages, n, from ? from : "carenet@localhost", now_ms);
		out->len = strlen(out->body);
		return CN_OK;
	default:
		return CN_ERR_INVALID;
	}
	free(text);
	out->body = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!out->body)
		abort();
	out->len = strlen(out->body);
	if (has_secret && (kind == CHK_WEBHOOK || kind == CHK_SMS || kind == CHK_VOICE)) {
		out->signature = xmalloc(72);
		chmsg_sign_webhook(secret, out->body, out->len, out->signature);
	}
	return CN_OK;
}

void chmsg_out_free(struct chmsg_out *out)
{
	if (!out)
		return;
	free(out->body);
	free(out->query);
	free(out->signature);
	memset(out, 0, sizeof(*out));
}
