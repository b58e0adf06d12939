#include "csv.h"

#include <string.h>

void csv_cell(FILE *f, const char *text)
{
	if (!text || !*text)
		return;
	int formula = strchr("=+-@\t\r", text[0]) != NULL;
	int quote = strpbrk(text, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (const char *s = text; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}
