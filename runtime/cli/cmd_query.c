/* list, ps, events, update: looking at containers, and changing limits. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent_client.h"
#include "cli.h"
#include "fs.h"
#include "oci_spec.h"
#include "log.h"
#include "commands.h"
#include "runtime.h"
#include "strutil.h"

static int format_arg(struct cli_opt *opts, bool *json, struct kc_error *err)
{
	const char *f = cli_str(opts, "format");
	*json = false;
	if (!f || !strcmp(f, "table"))
		return 0;
	if (!strcmp(f, "json")) {
		*json = true;
		return 0;
	}
	return kc_error_set(err, 0, "invalid format option \"%s\": table or json", f);
}

int cmd_list(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {
	    {"format", 'f', true, "table|json", "output format (default: table)"},
	    {"quiet", 'q', false, NULL, "only the containers' ids"},
	    {NULL},
	};
	bool json;
	if (cli_parse(argc, argv, 1, opts, err) != argc || format_arg(opts, &json, err) < 0) {
		if (!err->set)
			kc_error_set(err, 0, "list: takes no arguments");
		return 1;
	}
	bool quiet = cli_bool(opts, "quiet");
	char **ids = state_list(rt->root);
	json_t *all = json_array();
	if (!json && !quiet)
		printf("%-20s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (char **id = ids; *id; id++) {
		struct ctr c;
		_cleanup_error_ struct kc_error e = {0};
		if (ctr_open(rt, *id, &c, &e) < 0)
			continue;
		json_t *st = ctr_oci_state(&c);
		if (quiet)
			printf("%s\n", *id);
		else if (!json)
			printf("%-20s %-8d %-10s %-40s %-32s %s\n", *id,
			       (int)json_integer_value(json_object_get(st, "pid")),
			       json_string_value(json_object_get(st, "status")),
			       json_string_value(json_object_get(st, "bundle")),
			       json_string_value(json_object_get(st, "created")), "root");
		json_object_set_new(st, "owner", json_string("root"));
		json_array_append_new(all, st);
		ctr_close(&c);
	}
	if (json && !quiet) {
		json_dumpf(all, stdout, JSON_COMPACT);
		putchar('\n');
	}
	json_decref(all);
	strv_free(ids);
	return 0;
}

int cmd_ps(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {
	    {"format", 'f', true, "table|json", "output format (default: table)"},
	    {NULL},
	};
	bool json;
	int pos = cli_parse(argc, argv, 1, opts, err);
	if (pos < 0 || format_arg(opts, &json, err) < 0)
		return 1;
	if (pos >= argc) {
		kc_error_set(err, 0, "ps: expects the container id");
		return 1;
	}
	const char *id = argv[pos];
	kc_log_field("container", id);
	struct ctr c;
	if (ctr_open(rt, id, &c, err) < 0)
		return 1;
	int rc = 1;
	struct agent_client ac;
	if (ctr_agent_running(&c, &ac, err) == 0) {
		json_t *r = agent_client_call(&ac, "ps", json_pack("{s:s}", "container_id", id),
					      10000, err);
		agent_client_close(&ac);
		if (r) {
			json_t *procs = json_object_get(r, "processes");
			size_t i;
			json_t *p;
			if (json) {
				/* runc's JSON form: the pids */
				json_t *pids = json_array();
				json_array_foreach (procs, i, p)
					json_array_append(pids, json_object_get(p, "pid"));
				json_dumpf(pids, stdout, JSON_COMPACT);
				putchar('\n');
				json_decref(pids);
			} else {
				printf("%-8s %-8s %-8s %-5s %s\n", "UID", "PID", "PPID", "STAT",
				       "CMD");
				json_array_foreach (procs, i, p) {
					printf("%-8d %-8d %-8d %-5s",
					       (int)json_integer_value(json_object_get(p, "uid")),
					       (int)json_integer_value(json_object_get(p, "pid")),
					       (int)json_integer_value(json_object_get(p, "ppid")),
					       json_string_value(json_object_get(p, "state")));
					size_t k;
					json_t *a;
					json_array_foreach (json_object_get(p, "args"), k, a)
						printf(" %s", json_string_value(a));
					putchar('\n');
				}
			}
			json_decref(r);
			rc = 0;
		}
	}
	ctr_close(&c);
	return rc;
}

/* runc's stats event: {"type":"stats","id":...,"data":{cpu,memory,pids}} */
static json_t *stats_event(const char *id, const json_t *s)
{
	json_t *mem_limit = json_object_get(s, "memory_limit");
	json_t *data =
	    json_pack("{s:{s:{s:I, s:I, s:I}}, s:{s:I, s:{s:I, s:O}}, s:{s:I}}", "cpu", "usage",
		      "total", json_integer_value(json_object_get(s, "cpu_usage_ns")), "user",
		      json_integer_value(json_object_get(s, "cpu_user_ns")), "kernel",
		      json_integer_value(json_object_get(s, "cpu_system_ns")), "memory", "cache",
		      json_integer_value(json_object_get(s, "memory_cache")), "usage", "usage",
		      json_integer_value(json_object_get(s, "memory_usage")), "limit",
		      mem_limit ? mem_limit : json_null(), "pids", "current",
		      json_integer_value(json_object_get(s, "pids")));
	return json_pack("{s:s, s:s, s:o}", "type", "stats", "id", id, "data", data);
}

int cmd_events(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {
	    {"stats", 0, false, NULL, "print the figures once and exit"},
	    {"interval", 0, true, "DURATION", "time between two reports: 5s, 500ms (default: 5s)"},
	    {NULL},
	};
	const char *id = cli_one_id(argc, argv, cli_parse(argc, argv, 1, opts, err), "events", err);
	if (!id)
		return 1;
	unsigned interval = 5;
	const char *iv = cli_str(opts, "interval");
	if (iv) {
		/* "5s", "500ms" or seconds */
		char *end;
		double v = strtod(iv, &end);
		if (end == iv || v <= 0 || (*end && strcmp(end, "s") && strcmp(end, "ms"))) {
			kc_error_set(err, 0, "events: --interval '%s' is not a duration", iv);
			return 1;
		}
		interval = !strcmp(end, "ms") ? (unsigned)(v / 1000 > 1 ? v / 1000 : 1)
					      : (unsigned)(v > 1 ? v : 1);
	}
	bool once = cli_bool(opts, "stats");
	for (bool first = true;; first = false) {
		struct ctr c;
		/* a container that does not exist is an error, as with runc; one
		 * deleted while its events stream ends the stream */
		if (ctr_open(rt, id, &c, err) < 0)
			return once || first ? 1 : 0;
		if (!strcmp(ctr_status(&c), "stopped")) {
			ctr_close(&c);
			if (once) {
				kc_error_set(err, 0, "container not running");
				return 1;
			}
			return 0;
		}
		struct agent_client ac;
		json_t *r = NULL;
		if (ctr_agent(&c, &ac, err) == 0) {
			r = agent_client_call(&ac, "stats_container",
					      json_pack("{s:s}", "container_id", id), 10000, err);
			agent_client_close(&ac);
		}
		ctr_close(&c);
		if (!r)
			return 1;
		json_t *ev = stats_event(id, json_object_get(r, "stats"));
		json_dumpf(ev, stdout, JSON_COMPACT);
		putchar('\n');
		fflush(stdout);
		json_decref(ev);
		json_decref(r);
		if (once)
			return 0;
		sleep(interval);
	}
}

/* "512m", "1g", "1048576" */
static int parse_bytes(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || errno || v < -1)
		return -1;
	int64_t mult = 1;
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1024;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1024 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1024LL * 1024 * 1024;
		end++;
		break;
	case '\0': break;
	default: return -1;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -1;
	*out = v * mult;
	return 0;
}

int cmd_update(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {
	    {"resources", 'r', true, "FILE",
	     "the LinuxResources to set, as JSON ('-': standard input); other flags add to it"},
	    {"memory", 0, true, "BYTES", "memory limit (k, m, g suffixes)"},
	    {"memory-reservation", 0, true, "BYTES", "memory soft limit (memory.low)"},
	    {"memory-swap", 0, true, "BYTES", "memory and swap limit; -1: unlimited"},
	    {"cpu-quota", 0, true, "USECS", "CPU time allowed in each period"},
	    {"cpu-period", 0, true, "USECS", "CFS period (default 100000)"},
	    {"cpu-share", 0, true, "N", "CPU weight relative to other containers"},
	    {"pids-limit", 0, true, "N", "maximum number of processes"},
	    {"cpuset-cpus", 0, true, "LIST", "the VM's CPUs the container may use, e.g. 0-1"},
	    {"cpuset-mems", 0, true, "LIST", "the VM's memory nodes the container may use"},
	    {"blkio-weight", 0, true, "N", "block I/O weight, 10 to 1000"},
	    {"kernel-memory", 0, true, "BYTES",
	     "cgroup v2 has no kernel memory limit (runc ignores it too)", CLI_IGNORED},
	    {"kernel-memory-tcp", 0, true, "BYTES",
	     "cgroup v2 has no kernel TCP memory limit (runc ignores it too)", CLI_IGNORED},
	    {"cpu-rt-period", 0, true, "USECS",
	     "the guest's cgroup v2 has no real-time CPU bandwidth", CLI_REFUSED},
	    {"cpu-rt-runtime", 0, true, "USECS",
	     "the guest's cgroup v2 has no real-time CPU bandwidth", CLI_REFUSED},
	    {"l3-cache-schema", 0, true, "SCHEMA", "Intel RDT is not available in the VM",
	     CLI_REFUSED},
	    {"mem-bw-schema", 0, true, "SCHEMA", "Intel RDT is not available in the VM",
	     CLI_REFUSED},
	    {NULL},
	};
	const char *id = cli_one_id(argc, argv, cli_parse(argc, argv, 1, opts, err), "update", err);
	if (!id)
		return 1;
	json_t *res;
	const char *file = cli_str(opts, "resources");
	if (file) {
		res = read_json_arg(file, 4u << 20, err);
		if (res && !json_is_object(res))
			kc_error_set(err, 0, "update: %s: not a JSON object", file);
		if (!json_is_object(res)) {
			json_decref(res);
			kc_error_wrap(err, "update --resources");
			return 1;
		}
	} else {
		res = json_object();
	}
	enum { NUMBER, BYTES, TEXT };
	static const struct {
		const char *flag, *section, *key;
		int kind;
	} map[] = {
	    {"memory", "memory", "limit", BYTES},
	    {"memory-reservation", "memory", "reservation", BYTES},
	    {"memory-swap", "memory", "swap", BYTES},
	    {"cpu-quota", "cpu", "quota", NUMBER},
	    {"cpu-period", "cpu", "period", NUMBER},
	    {"cpu-share", "cpu", "shares", NUMBER},
	    {"cpuset-cpus", "cpu", "cpus", TEXT},
	    {"cpuset-mems", "cpu", "mems", TEXT},
	    {"pids-limit", "pids", "limit", NUMBER},
	    {"blkio-weight", "blockIO", "weight", NUMBER},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const char *v = cli_str(opts, map[i].flag);
		if (!v)
			continue;
		int64_t n = 0;
		if (map[i].kind != TEXT &&
		    (map[i].kind == BYTES ? parse_bytes(v, &n) < 0 : parse_i64(v, 10, &n) < 0)) {
			kc_error_set(err, 0, "update: --%s: '%s' is not a%s number", map[i].flag, v,
				     map[i].kind == BYTES ? " byte" : "");
			json_decref(res);
			return 1;
		}
		json_t *sec = json_object_get(res, map[i].section);
		if (!sec)
			json_object_set_new(res, map[i].section, sec = json_object());
		json_object_set_new(sec, map[i].key,
				    map[i].kind == TEXT ? json_string(v) : json_integer(n));
	}
	if (oci_resources_validate(res, "update", err) < 0) {
		json_decref(res);
		return 1;
	}
	struct ctr c;
	if (ctr_open(rt, id, &c, err) < 0) {
		json_decref(res);
		return 1;
	}
	int rc = ctr_update(rt, &c, res, err) < 0 ? 1 : 0;
	json_decref(res);
	ctr_close(&c);
	return rc;
}
