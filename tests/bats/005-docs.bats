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

# The README's Layout names every folder of the tree (to two levels), so a
# reader finds each room there; a new folder must be named when it is made.
@test "README Layout names every folder of the tree" {
	local dirs layout missing=()
	if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
		dirs=$(git -C "$TOP" ls-files | awk -F/ 'NF > 1 { print $1 } NF > 2 { print $1 "/" $2 }' | sort -u)
	else # a copy without git: what the build and the packaging make is not the tree's
		dirs=$(cd "$TOP" && find . -mindepth 1 -maxdepth 2 -type d | sed 's|^\./||' |
			grep -vE '^(build|\.git)|^debian/' | sort)
	fi
	[ -n "$dirs" ]
	layout=$(sed -n '/^## Layout$/,/^## /p' "$TOP/README.md")
	[ -n "$layout" ]
	for d in $dirs; do
		grep -qE "^    $d/ " <<<"$layout" || missing+=("$d")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "not in README's Layout: ${missing[*]}"
		return 1
	fi
	# and the design it points to is in the tree
	assert [ -s "$TOP/docs/design.md" ]
	run grep -c '^## ' "$TOP/docs/design.md"
	assert_success
	[ "$output" -ge 7 ]
}
