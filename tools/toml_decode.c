/* toml-decode: TOML on stdin -> JSON on stdout, in the tagged form the
 * common TOML conformance suites read (every scalar as {"type": ...,
 * "value": "..."}). Exit 0; on invalid TOML the error goes to stderr and
 * the exit status is 1. A test tool: built, not installed. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "toml.h"

#define INPUT_MAX (64 * 1024 * 1024)

static json_t *tagged(const char *type, const char *value)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "value", json_string(value));
	return o;
}

/* The shortest text that reads back as the same double. */
static void float_text(double f, char *buf, size_t len)
{
	if (isnan(f)) {
		snprintf(buf, len, "nan");
		return;
	}
	if (isinf(f)) {
		snprintf(buf, len, f > 0 ? "inf" : "-inf");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	/* keep it recognisably a float: 72 -> 72.0 */
	if (!strpbrk(buf, ".e") && strlen(buf) + 3 < len)
		strcat(buf, ".0");
}

static json_t *to_json(const struct toml_value *v)
{
	char buf[64];

	switch (v->type) {
	case TOML_TABLE: {
		json_t *o = json_object();
		for (size_t i = 0; i < v->u.t.n; i++)
			json_object_setn_new(o, v->u.t.kv[i].key, v->u.t.kv[i].key_len,
					     to_json(v->u.t.kv[i].value));
		return o;
	}
	case TOML_ARRAY: {
		json_t *a = json_array();
		for (size_t i = 0; i < v->u.a.n; i++)
			json_array_append_new(a, to_json(v->u.a.items[i]));
		return a;
	}
	case TOML_STRING: {
		json_t *o = json_object();
		json_object_set_new(o, "type", json_string("string"));
		json_object_set_new(o, "value", json_stringn(v->u.s.ptr, v->u.s.len));
		return o;
	}
	case TOML_INTEGER:
		snprintf(buf, sizeof(buf), "%lld", (long long)v->u.i);
		return tagged("integer", buf);
	case TOML_FLOAT: float_text(v->u.f, buf, sizeof(buf)); return tagged("float", buf);
	case TOML_BOOLEAN: return tagged("bool", v->u.b ? "true" : "false");
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		toml_datetime_format(v, buf, sizeof(buf));
		return tagged(v->type == TOML_DATETIME	       ? "datetime"
			      : v->type == TOML_DATETIME_LOCAL ? "datetime-local"
			      : v->type == TOML_DATE_LOCAL     ? "date-local"
							       : "time-local",
			      buf);
	}
	return json_null();
}

int main(int argc, char **argv)
{
	struct strbuf in = STRBUF_INIT;
	_cleanup_error_ struct kc_error err = {0};
	char buf[65536];
	size_t n;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: toml-decode < FILE.toml\nPrint a TOML document as tagged JSON; exit "
		       "1 if it is invalid.\n");
		return 0;
	}
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		strbuf_append_len(&in, buf, n);
		if (in.len > INPUT_MAX) {
			fprintf(stderr, "toml-decode: input larger than %d bytes\n", INPUT_MAX);
			return 1;
		}
	}
	if (ferror(stdin)) {
		fprintf(stderr, "toml-decode: cannot read standard input\n");
		return 1;
	}
	struct toml_value *doc = toml_parse(in.len ? in.s : "", in.len, "<stdin>", &err);
	strbuf_release(&in);
	if (!doc) {
		fprintf(stderr, "%s\n", kc_error_msg(&err));
		return 1;
	}
	json_t *j = to_json(doc);
	toml_free(doc);
	int r = json_dumpf(j, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	if (r < 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
		fprintf(stderr, "toml-decode: cannot write standard output\n");
		return 1;
	}
	return 0;
}
