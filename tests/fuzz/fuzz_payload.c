/* libFuzzer target for proto/payload.c and proto/timefmt.c: all four
 * decoders and the RFC 3339 parser on the same bytes, with invariant
 * checks that turn silent nonsense into crashes.
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Iproto \
 *        proto/payload.c proto/timefmt.c proto/event.c proto/reject.c \
 *        tests/fuzz/fuzz_payload.c -ljansson -lm */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "payload.h"
#include "reject.h"

static void fuzz_payload_check_event(const struct cn_event *ev)
{
	char value[CN_EVENT_OTHER_MAX + 8], json[CN_EVENT_OTHER_MAX + 96];
	struct cn_event again;

	if (!memchr(ev->type_name, '\0', sizeof(ev->type_name)) || ev->type_name[0] == '\0')
		abort();
	if ((unsigned)ev->type > CN_EV_OTHER || (unsigned)ev->value > CN_VAL_OTHER)
		abort();
	if (ev->battery < -1 || ev->battery > 100)
		abort();
	if (ev->has_ts && (ev->ts_ms < CN_TS_MIN_MS || ev->ts_ms >= CN_TS_END_MS))
		abort();
	if (ev->has_seq && ev->seq < 0)
		abort();
	if (ev->value == CN_VAL_OTHER && !memchr(ev->other_json, '\0', sizeof(ev->other_json)))
		abort();
	/* whatever we accepted, we can say again as a native event and read
	 * back as the same thing */
	cn_event_value_json(ev, value, sizeof(value));
	snprintf(json, sizeof(json), "{\"type\":\"%s\",\"value\":%s}", ev->type_name, value);
	if (cn_payload_decode_native_event(json, strlen(json), NULL, &again) != CN_REJECT_NONE)
		abort();
	if (again.type != ev->type || again.value != ev->value || strcmp(again.type_name, ev->type_name))
		abort();
	if (ev->value == CN_VAL_NUMBER && again.number != ev->number)
		abort();
	if (ev->value == CN_VAL_OTHER && strcmp(again.other_json, ev->other_json))
		abort();
}

static void fuzz_payload_check_reason(enum cn_reject rc)
{
	if (rc == CN_REJECT_BAD_TOPIC || rc == CN_REJECT_UNKNOWN_DEVICE || (unsigned)rc >= CN_REJECT_COUNT)
		abort();
	if (!cn_reject_name(rc))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cn_payload_limits small = {.max_bytes = 64};
	struct cn_event ev;
	struct cn_z2m_state st;
	enum cn_reject rc;
	bool online;
	int battery;
	int64_t ms;

	rc = cn_payload_decode_native_event(data, size, NULL, &ev);
	fuzz_payload_check_reason(rc);
	if (rc == CN_REJECT_NONE)
		fuzz_payload_check_event(&ev);
	else if (ev.type != CN_EV_OTHER || ev.value != CN_VAL_NONE || ev.battery != -1)
		abort();

	rc = cn_payload_decode_status(data, size, NULL, &online);
	fuzz_payload_check_reason(rc);
	if (rc != CN_REJECT_NONE && online)
		abort();

	rc = cn_payload_decode_heartbeat(data, size, NULL, &battery);
	fuzz_payload_check_reason(rc);
	if (battery < -1 || battery > 100 || (rc != CN_REJECT_NONE && battery != -1))
		abort();

	rc = cn_payload_decode_z2m_state(data, size, NULL, &st);
	fuzz_payload_check_reason(rc);
	if (st.n_events > CN_Z2M_EVENTS_MAX || st.battery < -1 || st.battery > 100 ||
	    st.linkquality < -1 || st.linkquality > 255)
		abort();
	if (rc != CN_REJECT_NONE && st.n_events != 0)
		abort();
	for (size_t i = 0; i < st.n_events; i++) {
		fuzz_payload_check_event(&st.events[i]);
		if (st.events[i].type == CN_EV_OTHER || st.events[i].battery != st.battery)
			abort();
		for (size_t k = 0; k < i; k++)
			if (st.events[k].type == st.events[i].type)
				abort(); /* one event per type */
	}
	if (st.n_attrs > CN_Z2M_ATTRS_MAX || (rc != CN_REJECT_NONE && st.n_attrs != 0))
		abort();
	for (size_t i = 0; i < st.n_attrs; i++) {
		if (!st.attrs[i].name || st.attrs[i].event < -1 || st.attrs[i].event >= (int)st.n_events)
			abort();
		if (st.attrs[i].event >= 0 && st.attrs[i].value == CN_VAL_FALSE &&
		    st.events[st.attrs[i].event].value == CN_VAL_TRUE)
			abort(); /* a restore never points at an alarm event */
	}
	if (st.action_event < -1 || st.action_event >= (int)st.n_events ||
	    (st.action_event >= 0 && st.events[st.action_event].type != CN_EV_BUTTON))
		abort();

	/* the size cap comes first, whatever the bytes */
	rc = cn_payload_decode_native_event(data, size, &small, &ev);
	if ((size > 64) != (rc == CN_REJECT_TOO_LARGE))
		abort();

	/* RFC 3339: whatever parses formats back to the same instant */
	if (cn_time_parse_rfc3339((const char *)data, size, &ms)) {
		char buf[32];
		int64_t back;
		if (ms < 0 || ms >= CN_TS_END_MS)
			abort();
		cn_time_format_rfc3339(ms, buf);
		if (!cn_time_parse_rfc3339(buf, strlen(buf), &back) || back != ms)
			abort();
	}
	/* and formatting any int64 stays inside its buffer */
	if (size >= 8) {
		char buf[32];
		int64_t any;
		memcpy(&any, data, sizeof(any));
		cn_time_format_rfc3339(any, buf);
		if (strlen(buf) >= sizeof(buf))
			abort();
	}
	return 0;
}
