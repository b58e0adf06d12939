/* CSV cells: quoting, and no cell that a spreadsheet runs as a formula. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "csv.h"

static char *cell(const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	csv_cell(f, text);
	fclose(f);
	return buf;
}

static void check(const char *in, const char *want)
{
	char *got = cell(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_csv_plain_and_quoted(void **state)
{
	(void)state;
	check("Ann Li", "Ann Li");
	check("李安", "李安");
	check("a,b", "\"a,b\"");
	check("say \"hi\"", "\"say \"\"hi\"\"\"");
	check("two\nlines", "\"two\nlines\"");
	check(NULL, "");
	check("", "");
}

static void test_csv_formulas_are_defused(void **state)
{
	(void)state;
	check("=1+1", "'=1+1");
	check("+86 10", "'+86 10");
	check("-2", "'-2");
	check("@SUM(A1)", "'@SUM(A1)");
	check("\tx", "'\tx");
	check("\rx", "\"'\rx\"");
	check("=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
	check("1=1", "1=1"); /* only the first character counts */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_plain_and_quoted),
		cmocka_unit_test(test_csv_formulas_are_defused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
