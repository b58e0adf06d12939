#include "zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define ZONE_DIR "/usr/share/zoneinfo/"

bool zone_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > ZONE_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+' || c == '/';
		if (!ok || (c == '/' && name[i + 1] == '/'))
			return false;
	}
	return true;
}

enum cn_err zone_load(const char *name, struct tzif *out)
{
	if (!zone_name_ok(name))
		return CN_ERR_INVALID;
	char path[sizeof(ZONE_DIR) + ZONE_NAME_MAX];
	snprintf(path, sizeof(path), "%s%s", ZONE_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return CN_ERR_NOT_FOUND;
	unsigned char *buf = xmalloc(TZIF_MAX_BYTES + 1);
	size_t len = fread(buf, 1, TZIF_MAX_BYTES + 1, f);
	fclose(f);
	enum cn_err rc = tzif_decode(buf, len, out) == CN_OK ? CN_OK : CN_ERR_NOT_FOUND;
	free(buf);
	return rc;
}
