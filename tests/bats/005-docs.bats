#!/usr/bin/env bats
# The manual pages: each renders without a warning, and every reference to
# one of the project's pages names the section that page is in.

load helpers

TOP=$BATS_TEST_DIRNAME/../..

@test "man pages render without warnings" {
	for page in "$TOP"/man/*.[158]; do
		run bash -c "LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l '$page' 2>&1 >/dev/null"
		assert_output ""
	done
}

@test "man pages and the README cite the project's pages in their sections" {
	declare -A section=()
	for page in "$TOP"/man/*.[158]; do
		local name=${page##*/}
		section[${name%.*}]=${name##*.}
	done
	[ "${#section[@]}" -ge 10 ]
	local bad=() ref name sec
	# troff (.BR name (N)) and plain text (name(N)) references
	while IFS= read -r ref; do
		name=${ref%%[ (]*}
		sec=${ref##*(}
		sec=${sec%)}
		[ -n "${section[$name]:-}" ] || continue
		[ "${section[$name]}" = "$sec" ] || bad+=("$ref (it is section ${section[$name]})")
	done < <(grep -ohE '[a-z][a-z0-9.-]* ?\([1-8]\)' "$TOP"/man/*.[158] "$TOP"/README.md | sort -u)
	[ "${#bad[@]}" -eq 0 ] || fail "wrong sections: ${bad[*]}"
}
