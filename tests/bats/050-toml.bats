#!/usr/bin/env bats
# The TOML parser through toml-decode: every valid document decodes to its
# expected tagged JSON; every invalid one fails, exit 1, naming the right
# line and saying what was wrong. Expected JSON for the valid corpus was
# produced with an independent TOML 1.0 implementation.

load helpers

TOML_DECODE=$KC_BUILD/bin/toml-decode
CORPUS=$BATS_TEST_DIRNAME/../toml

@test "toml-decode: every valid document gives its expected JSON" {
	failed=0
	for doc in "$CORPUS"/valid/*.toml; do
		want=${doc%.toml}.json
		if ! got=$(timeout 10 "$TOML_DECODE" <"$doc" 2>&1); then
			echo "FAIL $(basename "$doc"): $got"
			failed=$((failed + 1))
			continue
		fi
		if ! diff <(jq -S . <<<"$got") <(jq -S . "$want") >/dev/null; then
			echo "DIFF $(basename "$doc"):"
			diff <(jq -S . <<<"$got") <(jq -S . "$want") | head -20
			failed=$((failed + 1))
		fi
	done
	[ "$failed" -eq 0 ]
}

@test "toml-decode: every invalid document fails on the right line, saying why" {
	failed=0
	while read -r name line message; do
		[[ "$name" == \#* || -z "$name" ]] && continue
		doc=$CORPUS/invalid/$name.toml
		rc=0
		out=$(timeout 10 "$TOML_DECODE" <"$doc" 2>&1 >/dev/null) || rc=$?
		if [ "$rc" -ne 1 ]; then
			echo "$name: exit $rc, expected 1 ($out)"
			failed=$((failed + 1))
		elif [[ "$out" != "<stdin>:$line:"* ]]; then
			echo "$name: expected line $line, got: $out"
			failed=$((failed + 1))
		elif [[ "$out" != *"$message"* ]]; then
			echo "$name: expected message containing '$message', got: $out"
			failed=$((failed + 1))
		fi
	done <"$CORPUS/invalid/EXPECTED"
	# every invalid document has an expectation
	for doc in "$CORPUS"/invalid/*.toml; do
		grep -q "^$(basename "$doc" .toml) " "$CORPUS/invalid/EXPECTED" || { echo "no expectation for $doc"; failed=$((failed + 1)); }
	done
	[ "$failed" -eq 0 ]
}

@test "toml-decode: errors carry line and column" {
	run_cmd 1 bash -c "printf 'a = 1\n  b = [1, 2\n' | $TOML_DECODE"
	assert_output "<stdin>:3:1: expected ',' or ']' in the array opened at 2:7, found end of file"
	run_cmd 1 bash -c "printf 'x = \"\\\\q\"\n' | $TOML_DECODE"
	assert_output --partial "<stdin>:1:6: invalid escape '\\q'"
}

@test "toml-decode: columns count characters, not bytes" {
	run_cmd 1 bash -c "printf 'k = \"日本\" x\n' | $TOML_DECODE"
	assert_output "<stdin>:1:10: expected a new line after the value, found 'x'"
}

@test "toml-decode: --help, and output written only for valid input" {
	run_cmd 0 "$TOML_DECODE" --help
	assert_output --partial "tagged JSON"
	run_cmd 1 bash -c "echo 'a = ' | $TOML_DECODE 2>/dev/null"
	assert_output ""
}

@test "toml-decode: nesting past 100 levels is an error naming the place, never a crash" {
	local T=$BATS_TEST_TMPDIR
	# by a header, by dotted keys, by both together, by arrays
	printf '[%sa]\nx = 1\n' "$(printf 'a.%.0s' $(seq 30000))" >"$T/header.toml"
	printf '%sa = 1\n' "$(printf 'a.%.0s' $(seq 200000))" >"$T/dotted.toml"
	printf '[%sa]\n%sb = 1\n' "$(printf 'a.%.0s' $(seq 59))" "$(printf 'b.%.0s' $(seq 49))" >"$T/both.toml"
	printf 'a = %s%s\n' "$(printf '[%.0s' $(seq 150))" "$(printf ']%.0s' $(seq 150))" >"$T/arrays.toml"
	printf 'a = %s1%s\n' "$(printf '{b.c = %.0s' $(seq 60))" "$(printf '}%.0s' $(seq 60))" >"$T/inline.toml"
	for f in header dotted both arrays inline; do
		run_cmd 1 sh -c "'$KC_BUILD/bin/toml-decode' <'$T/$f.toml'"
		assert_output --regexp "<stdin>:[12]:[0-9]+: (a key of more than 100 parts|nested more than 100 levels deep)"
	done
	# 100 levels exactly is fine
	printf '[%sa]\nx = 1\n' "$(printf 'a.%.0s' $(seq 98))" >"$T/ok.toml"
	run_cmd 0 sh -c "'$KC_BUILD/bin/toml-decode' <'$T/ok.toml'"
}

@test "toml-decode: a table of 100000 keys decodes whole (indexed look-ups)" {
	local T=$BATS_TEST_TMPDIR
	{ echo '[t]'; seq 0 99999 | sed 's/.*/k& = &/'; echo 'k5 = 1'; } >"$T/dup.toml"
	run_cmd 1 sh -c "'$KC_BUILD/bin/toml-decode' <'$T/dup.toml'"
	assert_output --partial "<stdin>:100002:1: duplicate key 'k5' (first defined at line 7)"
	{ echo '[t]'; seq 0 99999 | sed 's/.*/k& = &/'; } >"$T/wide.toml"
	"$KC_BUILD/bin/toml-decode" <"$T/wide.toml" >"$T/wide.json"
	assert_equal "$(jq '.t | length' "$T/wide.json")" 100000
	assert_equal "$(jq -r '.t.k99999.value' "$T/wide.json")" 99999
}
