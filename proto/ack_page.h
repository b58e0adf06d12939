/* The phone-sized HTML page behind an ack link (GET and POST /a/{token}),
 * in English or Chinese. Every text from the database is HTML-escaped.
 * Pure: renders what it is given. */
#ifndef CN_ACK_PAGE_H
#define CN_ACK_PAGE_H

#include <stdbool.h>
#include <stddef.h>

enum ack_page_state {
	ACK_PAGE_VIEW,    /* GET: the alert, and the button while it is open */
	ACK_PAGE_DONE,    /* POST that acknowledged: "you have it" */
	ACK_PAGE_TAKEN,   /* POST too late (409): who has it */
	ACK_PAGE_INVALID, /* unknown, expired or tampered link (404) */
};

/* All strings borrowed; NULL reads as "". */
struct ack_page {
	enum ack_page_state state;
	bool zh;
	int priority;
	const char *kind; /* alert kind name */
	const char *resident_name, *address, *phone;
	const char *raised_at;    /* RFC 3339 */
	const char *status;       /* alert status */
	const char *who_has;      /* who acknowledged, or NULL */
	const char *access_notes; /* NULL unless a staff member's page of an active alert */
	const char *action;       /* the form's target: the link's own path */
};

/* Returns the page (NUL-terminated; caller frees with free()). */
char *ack_page_render(const struct ack_page *p);
/* Whether an Accept-Language header prefers Chinese over English; with
 * no header, `fallback_zh`. */
bool ack_page_wants_zh(const char *accept_language, bool fallback_zh);
/* Appends `s` HTML-escaped (& < > " ') into out (size bytes, NUL kept).
 * Returns the length of out. */
size_t ack_page_escape(char *out, size_t size, const char *s);

#endif
