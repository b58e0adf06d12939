#include "ack_page.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channel_msg.h"
#include "xalloc.h"

struct sbuf {
	char *p;
	size_t len, cap;
};

static void put_raw(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *grown = xrealloc(b->p, cap);
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void put(struct sbuf *b, const char *s) { put_raw(b, s, strlen(s)); }

/* Text from the database: always escaped. */
static void put_text(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			put(b, "&amp;");
			break;
		case '<':
			put(b, "&lt;");
			break;
		case '>':
			put(b, "&gt;");
			break;
		case '"':
			put(b, "&quot;");
			break;
		case '\'':
			put(b, "&#39;");
			break;
		default:
			put_raw(b, s, 1);
		}
	}
}

size_t ack_page_escape(char *out, size_t size, const char *s)
{
	struct sbuf b = {0};
	put(&b, "");
	put_text(&b, s);
	size_t n = b.len < size ? b.len : size - 1;
	memcpy(out, b.p, n);
	out[n] = '\0';
	free(b.p);
	return n;
}

bool ack_page_wants_zh(const char *al, bool fallback_zh)
{
	if (!al || !*al)
		return fallback_zh;
	/* The first of en/zh in the list wins (q-values are rarely below
	 * the order browsers send). */
	for (const char *s = al; *s; s++) {
		while (*s == ' ' || *s == ',')
			s++;
		if (strncasecmp(s, "zh", 2) == 0)
			return true;
		if (strncasecmp(s, "en", 2) == 0)
			return false;
		while (*s && *s != ',')
			s++;
		if (!*s)
			break;
	}
	return fallback_zh;
}

static const char *status_label(bool zh, const char *st)
{
	static const char *const m[][3] = {
		{"open", "open: nobody has it yet", "待接单"},
		{"acknowledged", "acknowledged", "已接单"},
		{"dispatched", "responder on the way", "已派人前往"},
		{"on_site", "responder on site", "已到场"},
		{"resolved", "resolved", "已处理完毕"},
	};
	for (size_t i = 0; st && i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(st, m[i][0]) == 0)
			return m[i][zh ? 2 : 1];
	return st ? st : "";
}

static void row(struct sbuf *b, const char *label, const char *value)
{
	put(b, "<dt>");
	put(b, label);
	put(b, "</dt><dd>");
	put_text(b, value && *value ? value : "-");
	put(b, "</dd>");
}

char *ack_page_render(const struct ack_page *p)
{
	struct sbuf b = {0};
	bool zh = p->zh;
	put(&b, "<!DOCTYPE html>\n<html lang=\"");
	put(&b, zh ? "zh-CN" : "en");
	put(&b,
	    "\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"robots\" content=\"noindex\"><title>CareNet</title><style>"
	    "body{font-family:system-ui,sans-serif;margin:0;padding:16px;max-width:480px}"
	    "h1{font-size:1.4em}dt{color:#555;font-size:.85em;margin-top:8px}dd{margin:0;font-size:1.1em}"
	    "button{width:100%;font-size:1.3em;padding:16px;margin-top:20px;background:#c62828;"
	    "color:#fff;border:0;border-radius:8px}.note{background:#fff3cd;padding:8px;margin-top:12px}"
	    ".ok{background:#e8f5e9;padding:12px}.taken{background:#eceff1;padding:12px}"
	    "</style></head><body>");
	if (p->state == ACK_PAGE_INVALID) {
		put(&b,
		    zh ? "<h1>链接无效或已过期</h1><p>This link is not valid or has expired.</p>"
		       : "<h1>This link is not valid or has expired.</h1><p>链接无效或已过期</p>");
		put(&b, "</body></html>\n");
		return b.p;
	}
	char head[160];
	snprintf(head, sizeof(head), "<h1>P%d ", p->priority);
	put(&b, head);
	put_text(&b, chmsg_kind_label(zh ? "zh-CN" : "en", p->kind));
	put(&b, "</h1>");
	if (p->state == ACK_PAGE_DONE)
		put(&b,
		    zh ? "<p class=\"ok\">已确认：这个报警由您负责。请尽快前往。</p>"
		       : "<p class=\"ok\">Acknowledged: you have this alert. Please go now.</p>");
	else if (p->state == ACK_PAGE_TAKEN) {
		put(&b, zh ? "<p class=\"taken\">已有人接单："
		           : "<p class=\"taken\">Someone has it already: ");
		put_text(&b,
		         p->who_has && *p->who_has ? p->who_has : (zh ? "其他人" : "someone else"));
		put(&b, "</p>");
	}
	put(&b, "<dl>");
	row(&b, zh ? "老人" : "Resident", p->resident_name);
	row(&b, zh ? "地址" : "Address", p->address);
	put(&b, "<dt>");
	put(&b, zh ? "电话" : "Phone");
	put(&b, "</dt><dd>");
	if (p->phone && *p->phone) {
		put(&b, "<a href=\"tel:");
		put_text(&b, p->phone);
		put(&b, "\">");
		put_text(&b, p->phone);
		put(&b, "</a>");
	} else {
		put(&b, "-");
	}
	put(&b, "</dd>");
	row(&b, zh ? "报警时间" : "Raised", p->raised_at);
	row(&b, zh ? "状态" : "Status", status_label(zh, p->status));
	if (p->who_has && *p->who_has)
		row(&b, zh ? "负责人" : "Who has it", p->who_has);
	put(&b, "</dl>");
	if (p->access_notes && *p->access_notes) {
		put(&b, "<p class=\"note\"><strong>");
		put(&b, zh ? "入户信息" : "Access notes");
		put(&b, ":</strong> ");
		put_text(&b, p->access_notes);
		put(&b, "</p>");
	}
	if (p->state == ACK_PAGE_VIEW && p->status && strcmp(p->status, "open") == 0) {
		put(&b, "<form method=\"post\" action=\"");
		put_text(&b, p->action);
		put(&b, "\"><button type=\"submit\">");
		put(&b, zh ? "确认接单" : "Acknowledge");
		put(&b, "</button></form>");
	}
	put(&b, "</body></html>\n");
	return b.p;
}
