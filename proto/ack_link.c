#include "ack_link.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

void ack_token_new(char out[ACK_TOKEN_CHARS + 1], unsigned char hash[32])
{
	unsigned char raw[ACK_TOKEN_BYTES];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, ACK_TOKEN_CHARS + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	crypto_hash_sha256(hash, (const unsigned char *)out, ACK_TOKEN_CHARS);
}

bool ack_token_parse(const char *s, size_t len, unsigned char hash[32])
{
	if (!s || len != ACK_TOKEN_CHARS)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	crypto_hash_sha256(hash, (const unsigned char *)s, len);
	return true;
}

bool ack_link_path(const char *path, unsigned char hash[32])
{
	if (!path || strncmp(path, "/a/", 3) != 0)
		return false;
	return ack_token_parse(path + 3, strlen(path + 3), hash);
}

bool ack_link_url(const char *base, const char *token, char *out, size_t size)
{
	size_t blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	int n = snprintf(out, size, "%.*s/a/%s", (int)blen, base, token);
	return n > 0 && (size_t)n < size;
}
