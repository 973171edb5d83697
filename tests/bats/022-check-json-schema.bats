#!/usr/bin/env bats
# kata-check --json against its published JSON schema (data/, installed in
# share/kata-containers), on every fixture host, this machine and the
# configurations that change the report's shape; and the check-id
# catalogue of kata-check(1) against the ids the report really has.

bats_require_minimum_version 1.5.0
load helpers

SCHEMA=$BATS_TEST_DIRNAME/../../data/kata-check.schema.json
MAN=$BATS_TEST_DIRNAME/../../man/kata-check.1

# validate FILE...: every document against the schema (Debian's python3-jsonschema).
validate() {
	/usr/bin/python3 - "$SCHEMA" "$@" <<'PYEOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    for e in validator.iter_errors(json.load(open(path))):
        bad += 1
        print("%s: /%s: %s" % (path, "/".join(map(str, e.absolute_path)), e.message[:300]))
sys.exit(1 if bad else 0)
PYEOF
}

# reports DIR: kata-check --json for every fixture, this host and some configurations, into DIR.
reports() {
	local dir=$1 h
	mkdir -p "$dir"
	for h in "$FIXTURES"/*/; do
		"$KATA_CHECK" --json --host-root "$h" >"$dir/$(basename "$h").json" || true
	done
	"$KATA_CHECK" --json >"$dir/this-host.json" || true
	printf '[hypervisor.qemu]\nimage = "/i.img"\njailer_path = "/j"\nenable_hugepages = true\n' >"$dir/k1.toml"
	"$KATA_CHECK" --json --host-root "$FIXTURES/intel-ready" --kata-config "$dir/k1.toml" >"$dir/kata1-config.json" || true
	printf 'not toml [' >"$dir/bad.toml"
	"$KATA_CHECK" --json --host-root "$FIXTURES/intel-ready" --kata-config "$dir/bad.toml" >"$dir/bad-config.json" || true
	"$KATA_CHECK" --json --strict --host-root "$FIXTURES/amd-unloaded" >"$dir/strict.json" || true
}

@test "every report validates against the published schema, whose version is the report's" {
	reports "$BATS_TEST_TMPDIR/r"
	[ "$(ls "$BATS_TEST_TMPDIR/r"/*.json | wc -l)" -ge 20 ]
	run validate "$BATS_TEST_TMPDIR"/r/*.json
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(jq '.properties.schema_version.const' "$SCHEMA")" = "$(jq '.schema_version' "$BATS_TEST_TMPDIR/r/intel-ready.json")" ]
}

@test "the schema fails a report that breaks it" {
	"$KATA_CHECK" --json --host-root "$FIXTURES/amd-unloaded" >"$BATS_TEST_TMPDIR/ok.json" || true
	jq '.checks[0].level = "OK"' "$BATS_TEST_TMPDIR/ok.json" >"$BATS_TEST_TMPDIR/level.json"
	jq '(.checks[] | select(.level == "FAIL")).remedy = null' "$BATS_TEST_TMPDIR/ok.json" >"$BATS_TEST_TMPDIR/remedy.json"
	jq 'del(.facts.firmware)' "$BATS_TEST_TMPDIR/ok.json" >"$BATS_TEST_TMPDIR/facts.json"
	jq '.schema_version = 1' "$BATS_TEST_TMPDIR/ok.json" >"$BATS_TEST_TMPDIR/version.json"
	for f in level remedy facts version; do
		run validate "$BATS_TEST_TMPDIR/$f.json"
		[ "$status" -eq 1 ] || { echo "$f.json validated"; return 1; }
	done
}

@test "kata-check(1) catalogues every check id the report has, and every id the rules can give" {
	reports "$BATS_TEST_TMPDIR/r"
	# the catalogue: ".B id" lines of CHECK IDS; upper-case parts are names
	patterns=$(sed -n '/^\.SH CHECK IDS/,/^\.SH /p' "$MAN" | sed -n 's/^\.B \([a-z][^ ]*\)$/\1/p' |
		sed -E 's/\./\\./g; s/[A-Z]+/[^ ]+/g; s/^/^/; s/$/$/')
	[ "$(wc -l <<<"$patterns")" -ge 40 ]
	missing=$(jq -r '.checks[].id' "$BATS_TEST_TMPDIR"/r/*.json | sort -u | grep -v -E -f <(echo "$patterns") || true)
	[ -z "$missing" ] || { echo "not in kata-check(1): $missing"; return 1; }
	# ids written out in the rules' sources
	src=$(grep -oh 'report_add([^,]*, "[a-z_.]*"' "$BATS_TEST_DIRNAME"/../../check/rules*.c | sed 's/.*"\(.*\)"/\1/' | sort -u)
	[ "$(wc -l <<<"$src")" -ge 25 ]
	missing=$(grep -v -E -f <(echo "$patterns") <<<"$src" || true)
	[ -z "$missing" ] || { echo "not in kata-check(1): $missing"; return 1; }
}
