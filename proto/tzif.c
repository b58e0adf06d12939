#include "tzif.h"

#include <stdbool.h>
#include <string.h>

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static bool header(const unsigned char *p, size_t len, struct counts *c)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return false;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
	return c->type >= 1 && c->type <= 256 && c->time <= TZIF_MAX_TRANSITIONS &&
	       c->leap <= 1000 && c->chars <= 4096 && c->isut <= 256 && c->isstd <= 256;
}

/* Bytes of a data block with `tsize`-byte times. */
static size_t block_size(const struct counts *c, size_t tsize)
{
	return c->time * (tsize + 1) + c->type * 6 + c->chars + c->leap * (tsize + 4) + c->isstd +
	       c->isut;
}

enum cn_err tzif_decode(const unsigned char *buf, size_t len, struct tzif *out)
{
	struct counts c;
	memset(out, 0, sizeof(*out));
	if (!buf || len > TZIF_MAX_BYTES || !header(buf, len, &c))
		return CN_ERR_INVALID;
	size_t tsize = 4;
	const unsigned char *p = buf + 44;
	size_t left = len - 44;
	if (buf[4] >= '2') {
		/* Skip the 32-bit block; the 64-bit one follows its header. */
		size_t skip = block_size(&c, 4);
		if (skip > left || !header(p + skip, left - skip, &c))
			return CN_ERR_INVALID;
		p += skip + 44;
		left -= skip + 44;
		tsize = 8;
	}
	if (block_size(&c, tsize) > left)
		return CN_ERR_INVALID;
	const unsigned char *times = p, *idx = p + c.time * tsize, *types = idx + c.time;
	for (uint32_t i = 0; i < c.time; i++) {
		int64_t t = tsize == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
		if (idx[i] >= c.type || (i > 0 && t <= out->at[i - 1]))
			return CN_ERR_INVALID;
		out->at[i] = t;
		out->off[i] = (int32_t)be32(types + 6 * idx[i]);
	}
	out->n = c.time;
	/* Before the first transition: the first standard-time type (RFC
	 * 8536 3.2), else type 0. */
	out->off_before = (int32_t)be32(types);
	for (uint32_t k = 0; k < c.type; k++) {
		if (types[6 * k + 4] == 0) {
			out->off_before = (int32_t)be32(types + 6 * k);
			break;
		}
	}
	for (size_t i = 0; i < out->n; i++)
		if (out->off[i] < -26 * 3600 || out->off[i] > 26 * 3600)
			return CN_ERR_INVALID;
	return CN_OK;
}

long tzif_offset(const struct tzif *z, int64_t utc_ms)
{
	int64_t s = utc_ms >= 0 ? utc_ms / 1000 : (utc_ms - 999) / 1000;
	if (z->n == 0 || s < z->at[0])
		return z->off_before;
	size_t lo = 0, hi = z->n; /* the last at[i] <= s lies in [lo, hi) */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= s)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[lo];
}

int64_t tzif_to_utc(const struct tzif *z, int64_t local_ms)
{
	/* The offset before and after any change near that wall time: try
	 * the earlier one first (a repeated hour maps to its first pass). */
	long a = tzif_offset(z, local_ms - 86400000LL), b = tzif_offset(z, local_ms + 86400000LL);
	int64_t first = local_ms - (int64_t)(a > b ? a : b) * 1000;
	if (tzif_offset(z, first) * 1000 + first == local_ms)
		return first;
	int64_t second = local_ms - (int64_t)(a > b ? b : a) * 1000;
	if (tzif_offset(z, second) * 1000 + second == local_ms)
		return second;
	/* A skipped wall time: forwards by the size of the gap. */
	return local_ms - (int64_t)(a < b ? a : b) * 1000;
}
