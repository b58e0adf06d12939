/* libFuzzer target for the ack link (proto/ack_link.c, proto/ack_page.c):
 * the request path and token parser on arbitrary bytes, the router's view
 * of "/a/{token}", and the page rendered with the bytes as every text.
 * Invariants: only a 32-character lowercase hex token parses, its hash is
 * the SHA-256 of exactly those bytes, a path parses only as "/a/<token>",
 * and no '<' or '"' from the input reaches the page unescaped. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ack_link.h"
#include "ack_page.h"
#include "router.h"

static const struct route fuzz_ack_routes[] = {
	{"GET", "/a/{token}", NULL, 0, NULL},
	{"POST", "/a/{token}", NULL, 0, NULL},
};

static int fuzz_ack_is_token(const uint8_t *d, size_t n)
{
	if (n != ACK_TOKEN_CHARS)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}
	unsigned char hash[32], want[32];
	int ok = ack_token_parse((const char *)data, size, hash);
	if (ok != fuzz_ack_is_token(data, size))
		abort();
	if (ok) {
		crypto_hash_sha256(want, data, size);
		if (memcmp(hash, want, 32) != 0)
			abort();
	}
	char *s = malloc(size + 4);
	if (!s)
		abort();
	memcpy(s, "/a/", 3);
	memcpy(s + 3, data, size);
	s[size + 3] = '\0';
	size_t len = strlen(s);
	int path_ok = ack_link_path(s, hash);
	/* The server sees the path up to its first NUL. */
	if (path_ok != fuzz_ack_is_token(data, len - 3))
		abort();
	struct route_match m;
	enum route_result rr = router_match(fuzz_ack_routes, 2, "GET", s, &m);
	if (path_ok && rr != ROUTE_OK)
		abort(); /* every live token reaches the handler */
	if (rr == ROUTE_OK && !path_ok && ack_token_parse(m.params[0], strlen(m.params[0]), hash))
		abort();
	/* The bytes as every text of the page, and the same with '<', '>'
	 * and '"' made harmless: if everything is escaped, both pages have
	 * the same markup, so the same count of those characters. */
	char *text = s + 3;
	char *tame = strdup(text);
	if (!tame)
		abort();
	for (char *c = tame; *c; c++)
		if (*c == '<' || *c == '>' || *c == '"')
			*c = 'x';
	char *pages[2];
	for (int k = 0; k < 2; k++) {
		const char *v = k ? tame : text;
		struct ack_page p = {.state = (enum ack_page_state)(size % 4),
		                     .zh = size & 1,
		                     .priority = 1,
		                     .kind = v,
		                     .resident_name = v,
		                     .address = v,
		                     .phone = v,
		                     .raised_at = v,
		                     .status = (size & 2) ? "open" : v,
		                     .who_has = v,
		                     .access_notes = v,
		                     .action = v};
		pages[k] = ack_page_render(&p);
	}
	for (const char *q = "<>\""; *q; q++) {
		size_t a = 0, b = 0;
		for (const char *c = pages[0]; *c; c++)
			a += *c == *q;
		for (const char *c = pages[1]; *c; c++)
			b += *c == *q;
		if (a != b)
			abort();
	}
	free(pages[0]);
	free(pages[1]);
	free(tame);
	free(s);
	return 0;
}
