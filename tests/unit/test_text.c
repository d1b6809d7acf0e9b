// SPDX-License-Identifier: MIT
/* base/text.c: XML text (JUnit reports, DOT's HTML-like labels). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "unit.h"

/* What nlab_xml_put writes for @s, in a new string. */
static char *xml_of(const char *s, bool attr)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	nlab_xml_put(f, s, attr);
	fclose(f);
	return buf;
}

static void check(const char *s, bool attr, const char *want)
{
	char *got = xml_of(s, attr);

	assert_string_equal(got, want);
	free(got);
}

static void xml_entities(void **state)
{
	(void)state;
	check("a<b>&\"c\"", false, "a&lt;b&gt;&amp;&quot;c&quot;");
	check("it's", false, "it's");
	check("", false, "");
	check(NULL, true, "");
}

static void xml_newlines(void **state)
{
	(void)state;
	check("one\ntwo\tthree", false, "one\ntwo\tthree");
	check("one\ntwo", true, "one&#10;two");
}

static void xml_not_xml(void **state)
{
	(void)state;
	/* Control bytes and DEL: XML 1.0 cannot hold them. */
	check("a\033[2Jb\x7f", false, "a?[2Jb?");
	/* Valid UTF-8 passes whole; a stray byte, an overlong form and a
	 * surrogate are each one '?' per byte they start. */
	check("caf\xc3\xa9 \xe2\x9c\x93", false, "caf\xc3\xa9 \xe2\x9c\x93");
	check("x\xffy", false, "x?y");
	check("\xc0\xaf", false, "??");
	check("\xed\xa0\x80", false, "???");
}

static const struct CMUnitTest text_tests[] = {
	cmocka_unit_test(xml_entities),
	cmocka_unit_test(xml_newlines),
	cmocka_unit_test(xml_not_xml),
};

UNIT_GROUP("text", text_tests, NULL, NULL)
