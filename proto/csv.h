/* CSV for spreadsheets (RFC 4180), safe to open: a cell that a
 * spreadsheet would run as a formula (starting with = + - @, a tab or a
 * carriage return) is written with a leading apostrophe, which shows as
 * text (OWASP "CSV injection"). */
#ifndef CN_CSV_H
#define CN_CSV_H

#include <stdio.h>

/* The UTF-8 byte order mark, so that a spreadsheet set to a Chinese
 * locale reads the file as UTF-8. */
#define CSV_BOM "\xEF\xBB\xBF"

/* Writes one text cell to f: quoted when it holds a comma, quote or line
 * break (quotes doubled), defused when it starts a formula. NULL writes
 * an empty cell. */
void csv_cell(FILE *f, const char *text);

#endif
