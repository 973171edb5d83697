/* JSON renderer: the report with its verdict, plus every fact, under a
 * schema version scripts can test. Jansson is used here and in
 * facts_json.c only on the check side. */
#include "config_probe.h"
#include "render.h"
#include "version.h"

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *item_to_json(const struct report_item *it)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(it->id));
	json_object_set_new(o, "group", json_string(group_name(it->group)));
	json_object_set_new(o, "what", json_string(it->what));
	json_object_set_new(o, "level", json_string(level_name(it->level)));
	json_object_set_new(o, "summary", json_string(it->summary));
	json_object_set_new(o, "detail", str_or_null(it->detail));
	json_object_set_new(o, "remedy", str_or_null(it->remedy));
	if (it->fix != FIX_NONE) {
		json_t *fix = json_object();
		json_object_set_new(fix, "action", json_string(fix_kind_name(it->fix)));
		json_object_set_new(fix, "target", str_or_null(it->fix_arg));
		json_object_set_new(o, "fix", fix);
	} else {
		json_object_set_new(o, "fix", json_null());
	}
	return o;
}

json_t *assessment_to_json(const struct assessment *a, bool strict)
{
	const struct report *r = &a->report;
	const struct host_facts *f = a->facts;
	json_t *root = json_object(), *items = json_array(), *counts = json_object();
	bool capable = assessment_capable(a, strict);

	json_object_set_new(root, "schema_version", json_integer(REPORT_SCHEMA_VERSION));
	json_object_set_new(root, "program", json_string("kata-check"));
	json_object_set_new(root, "version", json_string(KC_VERSION));
	json_object_set_new(root, "host_root", json_string(f->host_root));
	json_object_set_new(root, "strict", json_boolean(strict));
	json_object_set_new(root, "capable", json_boolean(capable));
	json_object_set_new(root, "verdict", json_string(capable ? MSG_CAPABLE : MSG_NOT_CAPABLE));
	/* kata-runtime's decision with this configuration, and why not */
	json_object_set_new(root, "runtime_ready", json_boolean(a->ready));
	json_t *reasons = json_array();
	for (size_t i = 0; i < a->reasons.n; i++)
		json_array_append_new(reasons, json_string(a->reasons.v[i]));
	json_object_set_new(root, "reasons", reasons);
	json_object_set_new(counts, "pass", json_integer((json_int_t)report_count(r, LEVEL_PASS)));
	json_object_set_new(counts, "warn", json_integer((json_int_t)report_count(r, LEVEL_WARN)));
	json_object_set_new(counts, "fail", json_integer((json_int_t)report_count(r, LEVEL_FAIL)));
	json_object_set_new(counts, "skip", json_integer((json_int_t)report_count(r, LEVEL_SKIP)));
	json_object_set_new(root, "counts", counts);
	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(items, item_to_json(&r->items[i]));
	json_object_set_new(root, "checks", items);
	json_object_set_new(root, "facts", facts_to_json(f));
	return root;
}

json_t *config_to_json(const struct config_state *cs)
{
	json_t *o = json_object(), *warnings = json_array(), *notes = json_array(),
	       *tried = json_array();

	json_object_set_new(o, "file", str_or_null(cs->src.path));
	json_object_set_new(o, "origin",
			    cs->src.origin ? json_string(cs->src.origin) : json_null());
	json_object_set_new(o, "loaded", json_boolean(cs->loaded));
	json_object_set_new(o, "error", str_or_null(cs->error));
	for (size_t i = 0; i < cs->src.tried.n; i++)
		json_array_append_new(tried, json_string(cs->src.tried.v[i]));
	json_object_set_new(o, "tried", tried);
	for (size_t i = 0; i < cs->cfg.warnings.n; i++)
		json_array_append_new(warnings, json_string(cs->cfg.warnings.v[i]));
	json_object_set_new(o, "warnings", warnings);
	for (size_t i = 0; i < cs->notes.n; i++)
		json_array_append_new(notes, json_string(cs->notes.v[i]));
	json_object_set_new(o, "adjustments", notes);
	json_object_set_new(o, "accel",
			    cs->loaded ? json_string(cs->cfg.hypervisor.accel) : json_null());
	return o;
}
