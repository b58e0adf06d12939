/* GET and POST /a/{token}: the page behind the one-time link every channel
 * message carries (contract.md section 4). No login: the token is the
 * credential, so anything wrong with it (unknown, expired, tampered, the
 * alert resolved) is the same 404 and changes nothing. A GET never
 * changes anything: chat apps and mail scanners open links themselves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ack_link.h"
#include "ack_page.h"
#include "alerts.h"
#include "api_handlers.h"
#include "app.h"
#include "db.h"
#include "db_alerts.h"
#include "db_deliveries.h"
#include "outbox.h"
#include "txn.h"
#include "xalloc.h"

#define HTML "text/html; charset=utf-8"

static void invalid(struct api_req *r)
{
	struct ack_page p = {.state = ACK_PAGE_INVALID,
	                     .zh = ack_page_wants_zh(api_header(r, "Accept-Language"), true)};
	api_reply_text(r, 404, HTML, ack_page_render(&p));
}

/* The token's record when it is alive: known, not expired, its alert not
 * resolved. */
static bool live_token(struct api_req *r, unsigned char hash[32], struct db_ack_token *tok,
                       json_t **alert)
{
	*alert = NULL;
	const char *param = api_param(r, 0);
	if (!ack_token_parse(param, strlen(param), hash) ||
	    db_ack_token_get(r->db, hash, tok) != CN_OK || r->now >= tok->expires_at ||
	    db_alert_json(r->db, tok->alert_id, false, alert) != CN_OK) {
		json_decref(*alert);
		*alert = NULL;
		return false;
	}
	const char *status = json_string_value(json_object_get(*alert, "status"));
	if (!status || strcmp(status, "resolved") == 0) {
		json_decref(*alert);
		*alert = NULL;
		return false;
	}
	return true;
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Who has the alert, as a person reads it. */
static void who_has(struct api_req *r, const json_t *alert, char *out, size_t size)
{
	out[0] = '\0';
	const char *by = jstr(alert, "acked_by");
	const json_t *contact = json_object_get(alert, "acked_by_contact");
	if (by) {
		char name[201], phone[41], email[255];
		if (db_staff_reach(r->db, by, name, phone, email, NULL) == CN_OK && name[0])
			snprintf(out, size, "%.120s%s%.40s", name, phone[0] ? ", " : "", phone);
		else
			snprintf(out, size, "%s", by);
	} else if (json_is_object(contact)) {
		const char *rel = jstr(contact, "relation");
		snprintf(out, size, "%.120s%s%.40s%s",
		         jstr(contact, "name") ? jstr(contact, "name") : "?", rel ? " (" : "",
		         rel ? rel : "", rel ? ")" : "");
	}
}

static void render(struct api_req *r, int status, enum ack_page_state state,
                   const struct db_ack_token *tok, const json_t *alert)
{
	json_t *card = NULL;
	db_resident_card(r->db, jstr(alert, "resident_id"), &card);
	char who[200], notes[1100] = "";
	who_has(r, alert, who, sizeof(who));
	const char *st = jstr(alert, "status");
	/* The key safe is for staff, and only while the alert is active. */
	if (tok->staff_id[0] && st && strcmp(st, "resolved") != 0)
		db_resident_access_notes(r->db, jstr(alert, "resident_id"), notes, sizeof(notes));
	struct ack_page p = {
		.state = state,
		.zh = ack_page_wants_zh(api_header(r, "Accept-Language"),
	                                strncmp(tok->lang, "en", 2) != 0),
		.priority = (int)json_integer_value(json_object_get(alert, "priority")),
		.kind = jstr(alert, "kind"),
		.resident_name = jstr(card, "name"),
		.address = jstr(card, "address"),
		.phone = jstr(card, "phone"),
		.raised_at = jstr(alert, "created_at"),
		.status = st,
		.who_has = who,
		.access_notes = notes,
		.action = r->path,
	};
	api_reply_text(r, status, HTML, ack_page_render(&p));
	json_decref(card);
}

void api_ack_page(struct api_req *r)
{
	unsigned char hash[32];
	struct db_ack_token tok;
	json_t *alert = NULL;
	if (!live_token(r, hash, &tok, &alert)) {
		invalid(r);
		return;
	}
	render(r, 200, ACK_PAGE_VIEW, &tok, alert);
	json_decref(alert);
}

void api_ack_submit(struct api_req *r)
{
	unsigned char hash[32];
	struct db_ack_token tok;
	json_t *alert = NULL;
	if (!live_token(r, hash, &tok, &alert)) {
		invalid(r);
		return;
	}
	struct outbox ob;
	outbox_init(&ob);
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK) {
		if (tok.staff_id[0]) {
			struct principal who;
			memset(&who, 0, sizeof(who));
			snprintf(who.id, sizeof(who.id), "%s", tok.staff_id);
			rc = alerts_step(r->app, r->db, tok.alert_id, STEP_ACK, &who, NULL, NULL,
			                 r->now, &ob);
		} else {
			rc = alerts_ack_by_contact(r->app, r->db, tok.alert_id, tok.contact, r->now,
			                           &ob);
		}
	}
	if (rc == CN_OK)
		rc = db_ack_token_use(r->db, hash, r->now);
	struct txn_end t = {.app = r->app, .db = r->db, .ob = &ob, .note = true};
	rc = txn_commit(&t, rc);
	outbox_free(&ob);
	json_decref(alert);
	alert = NULL;
	if (rc != CN_OK) {
		if (rc != CN_ERR_CONFLICT) {
			api_error(r, rc, "the acknowledgement could not be stored; try again");
			return;
		}
		/* Someone was first (or this link was used): say who has it. */
		if (db_alert_json(r->db, tok.alert_id, false, &alert) == CN_OK)
			render(r, 409, ACK_PAGE_TAKEN, &tok, alert);
		else
			invalid(r);
		json_decref(alert);
		return;
	}
	if (db_alert_json(r->db, tok.alert_id, false, &alert) == CN_OK)
		render(r, 200, ACK_PAGE_DONE, &tok, alert);
	else
		invalid(r);
	json_decref(alert);
}
