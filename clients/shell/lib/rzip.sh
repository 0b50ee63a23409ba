# shellcheck shell=sh
# RetroArch RZIP ("#RZIPv\001#", save_file_compression / savestate_file_compression) with busybox
# only. The protocol syncs raw bytes, so compressed saves are inflated before hashing and upload
# (as packages/core's inflateRzip does); downloads are written raw, which RetroArch reads too.
#
# Format: 8-byte magic, u32 chunk size, u64 total size (little-endian), then per chunk a u32
# length and a zlib stream. busybox has no zlib tool, but a zlib stream minus its 2-byte header
# and 4-byte Adler-32 is raw deflate: wrapped in a gzip header, `gunzip -c` inflates it (and then
# complains about the made-up CRC, which is ignored). The total size from the header is checked,
# and a damaged deflate stream stops gunzip early, so a bad file is refused, never half-read.

rs_is_rzip() { [ "$(head -c 6 "$1" 2>/dev/null)" = "#RZIPv" ]; }

_rz_u32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' \n'; }

# rs_rzip_inflate IN OUT → 0 when OUT holds the whole raw content.
rs_rzip_inflate() {
  _rin=$1; _rout=$2
  _rtotal=$(_rz_u32 "$_rin" 12); _rhi=$(_rz_u32 "$_rin" 16)
  [ "$_rhi" = 0 ] && [ -n "$_rtotal" ] && [ "$_rtotal" -gt 0 ] || return 1
  _rsize=$(wc -c < "$_rin"); _roff=20
  : > "$_rout" || return 1
  while [ "$_roff" -lt "$_rsize" ]; do
    _rn=$(_rz_u32 "$_rin" "$_roff"); _roff=$((_roff + 4))
    [ -n "$_rn" ] && [ "$_rn" -gt 6 ] && [ $((_roff + _rn)) -le "$_rsize" ] || return 1
    { printf '\037\213\010\000\000\000\000\000\000\377'
      tail -c +$((_roff + 3)) "$_rin" | head -c $((_rn - 6))
      printf '\000\000\000\000\000\000\000\000'; } | gunzip -c 2>/dev/null >> "$_rout"
    _roff=$((_roff + _rn))
  done
  [ "$(wc -c < "$_rout")" = "$_rtotal" ]
}

# rs_content FILE → prints the path holding FILE's raw content (FILE itself, or an inflated copy
# in $RS_TMP); fails for an RZIP file that does not inflate.
rs_content() {
  if rs_is_rzip "$1"; then
    rs_rzip_inflate "$1" "$RS_TMP/rzip.raw" || return 1
    printf '%s' "$RS_TMP/rzip.raw"
  else
    printf '%s' "$1"
  fi
}

rs_content_sha() { _rc=$(rs_content "$1") && rs_sha "$_rc"; }
