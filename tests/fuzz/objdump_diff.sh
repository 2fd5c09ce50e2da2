#!/usr/bin/env bash
# Differential check of monitor/ecam/a64_ldst.c against GNU objdump, run by hand
# while working on the decoder (it needs the cross binutils, so it is not
# part of `make test`):
#
#   tests/fuzz/objdump_diff.sh [WORDS] [SEED]     (default 1000000 words, seed 1)
#
# It draws WORDS pseudo-random words in the Loads and Stores group (bits
# [28:25] = x1x0), half of them further pinned to the two classes the
# decoder accepts (load/store register and register pair, V = 0) so that
# the interesting space is dense, decodes each with a host build of
# monitor/ecam/a64_ldst.c and disassembles the same words with
# aarch64-linux-gnu-objdump. For every word it derives from the disassembly
# alone what the decoder must say:
#
# - "ok" for LDR/STR/LDUR/STUR/LDTR/STTR of every size and sign, LDP/STP,
#   LDPSW, LDNP/STNP on W/X registers with a [base] operand, unless the
#   operands show a CONSTRAINED UNPREDICTABLE form (writeback with the base
#   among the transferred registers and not SP; a load pair with Rt = Rt2),
#   for which it must say "unpredictable" (objdump prints those silently);
# - for every other mnemonic the refusal class it belongs to (SIMD&FP
#   operands, exclusive/ordered, atomic, literal, prefetch, the other
#   unsupported classes); objdump's "undefined" accepts any refusal but
#   "unpredictable", which binutils prints as undefined for LDPSW only.
#
# Prints every kind of disagreement with examples and exits non-zero when
# there is one. Mnemonics it cannot map are listed but are not failures
# unless the decoder accepted the word.
set -euo pipefail

words=${1:-1000000}
seed=${2:-1}
top=$(cd "$(dirname "$0")/../.." && pwd)
objdump=${OBJDUMP:-aarch64-linux-gnu-objdump}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/gen.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <monitor/ecam/a64_ldst.h>

static uint64_t state;

static uint64_t next(void) /* splitmix64 */
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
	unsigned long n = strtoul(argv[1], NULL, 0);
	FILE *bin = fopen(argv[3], "wb");
	struct a64_ldst d;

	state = strtoull(argv[2], NULL, 0);
	for (unsigned long i = 0; i < n; i++) {
		uint64_t r = next();
		uint32_t w = (uint32_t)r;

		w = (w & ~A64_LDST_GROUP_MASK) | A64_LDST_GROUP;
		if (r >> 63)
			w = (w & ~A64_LDST_CLASS_MASK) |
			    ((r >> 62) & 1 ? A64_LDST_CLASS_REG : A64_LDST_CLASS_PAIR);
		fputc(w & 0xff, bin);
		fputc((w >> 8) & 0xff, bin);
		fputc((w >> 16) & 0xff, bin);
		fputc(w >> 24, bin);
		printf("%08x %s\n", w, a64_ldst_status_name(a64_ldst_decode(w, &d)));
	}
	return fclose(bin) != 0;
}
EOF
cc -std=gnu11 -O2 -Wall -Werror -I"$top/arch/include" -I"$top" "$tmp/gen.c" "$top/monitor/ecam/a64_ldst.c" -o "$tmp/gen"
"$tmp/gen" "$words" "$seed" "$tmp/words.bin" >"$tmp/decoded.txt"
"$objdump" -D -z -b binary -m aarch64 -EL "$tmp/words.bin" |
	grep -E '^ +[0-9a-f]+:'$'\t' >"$tmp/dis.txt"

awk -F'\t' -v want="$words" '
function regnum(tok) {
	if (tok == "sp" || tok == "wsp")
		return "sp"
	if (tok ~ /zr$/)
		return 31
	return substr(tok, 2) + 0
}
function class_of(m, o, first) {
	if (m == ".inst")
		return "undefined"
	if (m ~ /^(cpy|set)/ && o ~ /^\[/)
		return "unsupported"
	if (first ~ /^([bhsdqvz][0-9]+|\{)/)
		return "simd-fp"
	if (m ~ /^(prfm|prfum|rprfm)$/)
		return "prefetch"
	if (m ~ /^(ldr|ldrsw)$/ && o !~ /\[/)
		return "literal"
	if (m ~ /^(ldx|stx|ldax|stlx|ldar|stlr|ldlar|stllr|cas|ldapur|stlur|ldiapp|stilp)/)
		return "exclusive-ordered"
	if (m ~ /^ldapr/)
		return "atomic|exclusive-ordered"
	if (m ~ /^(ld|st)(add|clr|eor|set|smax|smin|umax|umin)/ || m ~ /^swp/ || m ~ /^(ld64b|st64b|st64bv|st64bv0)$/)
		return "atomic"
	if (m ~ /^(ldg|stg|stzg|st2g|stz2g|stgp|ldgm|stgm|stzgm|gcs|ldraa|ldrab)/)
		return "unsupported"
	return "unmapped:" m
}
FNR == NR { word[NR] = $0; next }
{
	n++
	split(word[n], dw, " ")
	w = $2
	sub(/ +$/, "", w)
	if (w != dw[1]) {
		printf "out of step at word %d: decoder %s, objdump %s\n", n, dw[1], w
		exit 2
	}
	got = dw[2]
	m = $3
	o = $4
	sub(/ *(\/\/|;|<).*$/, "", o)
	nops = split(o, op, ", ")
	first = op[1]

	single = m ~ /^(ldr|str|ldrb|strb|ldrh|strh|ldrsb|ldrsh|ldrsw|ldur|stur|ldurb|sturb|ldurh|sturh|ldursb|ldursh|ldursw|ldtr|sttr|ldtrb|sttrb|ldtrh|sttrh|ldtrsb|ldtrsh|ldtrsw)$/
	pair = m ~ /^(ldp|stp|ldpsw|ldnp|stnp)$/
	gpr = first ~ /^[wx]([0-9]+|zr)$/ && (!pair || op[2] ~ /^[wx]([0-9]+|zr)$/)
	if ((single || pair) && gpr && o ~ /\[/) {
		base = o
		sub(/^[^[]*\[/, "", base)
		sub(/[],].*$/, "", base)
		wb = o ~ /\]!$/ || o ~ /\], /
		load = m ~ /^ld/
		rn = regnum(base)
		unpred = 0
		if (wb && rn != "sp" && (regnum(op[1]) == rn || (pair && regnum(op[2]) == rn)))
			unpred = 1
		if (pair && load && regnum(op[1]) == regnum(op[2]))
			unpred = 1
		expect = unpred ? "unpredictable" : "ok"
	} else {
		expect = class_of(m, o, first)
	}

	if (expect ~ /^unmapped:/) {
		unmapped[expect]++
		if (got == "ok")
			bad("decoder accepts, objdump shows " substr(expect, 10), w, got, m, o)
		next
	}
	if (expect == "undefined") {
		# binutils prints the CONSTRAINED UNPREDICTABLE forms of LDPSW
		# (opc = 01 in the pair classes: words 0x68..., 0x69...) as
		# undefined; everywhere else it prints them as instructions.
		if (got == "ok" || (got == "unpredictable" && w !~ /^6[89]/))
			bad("decoder " got ", objdump undefined", w, got, m, o)
		else
			agree["undefined (" got ")"]++
		next
	}
	if (("|" expect "|") !~ ("\\|" got "\\|"))
		bad("decoder " got ", expected " expect, w, got, m, o)
	else
		agree[expect]++
}
function bad(kind, w, got, m, o) {
	disagree++
	kinds[kind]++
	if (kinds[kind] <= 8)
		example[kind] = example[kind] sprintf("    %s  %s %s\n", w, m, o)
}
END {
	if (n != want) {
		printf "objdump gave %d lines for %d words\n", n, want
		exit 2
	}
	for (k in agree)
		printf "agree  %-28s %d\n", k, agree[k]
	for (k in unmapped)
		printf "unmapped mnemonic (decoder refused): %s %d\n", substr(k, 10), unmapped[k]
	for (k in kinds) {
		printf "DISAGREE %s: %d, e.g.\n%s", k, kinds[k], example[k]
	}
	printf "%d words compared, %d disagreements\n", n, disagree + 0
	exit disagree ? 1 : 0
}' "$tmp/decoded.txt" "$tmp/dis.txt"
