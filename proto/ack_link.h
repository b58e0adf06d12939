/* The one-time ack link of a message: `{public_url}/a/{token}`, the token
 * 32 lowercase hex characters (128 random bits). Only the SHA-256 of the
 * token text is stored. */
#ifndef CN_ACK_LINK_H
#define CN_ACK_LINK_H

#include <stdbool.h>
#include <stddef.h>

#define ACK_TOKEN_BYTES  16
#define ACK_TOKEN_CHARS  (2 * ACK_TOKEN_BYTES)
#define ACK_TOKEN_TTL_MS (24LL * 3600 * 1000)

/* A fresh token (NUL-terminated) and its hash. */
void ack_token_new(char out[ACK_TOKEN_CHARS + 1], unsigned char hash[32]);
/* Checks `s` (`len` bytes, need not be NUL-terminated) is a token as we
 * make them and hashes it; false for anything else (nothing is hashed). */
bool ack_token_parse(const char *s, size_t len, unsigned char hash[32]);
/* The token from a request path "/a/<token>"; false when the path is not
 * exactly that. */
bool ack_link_path(const char *path, unsigned char hash[32]);
/* Builds "{base}/a/{token}" into out; false when it does not fit. A
 * trailing '/' of base is dropped. */
bool ack_link_url(const char *base, const char *token, char *out, size_t size);

#endif
