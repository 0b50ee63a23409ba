# Selective sync for busybox awk: the rule of packages/core/src/filter/sync-filter.ts, checked
# against the shared vectors packages/core/vectors/sync-filter.json (test/filter.test.ts).
# Run with tables.awk and keys.awk:
#   -v FILTERS="file\037file…"  filter files (TSV as GET /api/sync/filter?format=tsv answers:
#                               system_mode, states, system, include_game, exclude_game with
#                               percent-encoded <system>/<game>; the local filter may write
#                               include_game_raw / exclude_game_raw with the plain name). A save
#                               syncs only when every file allows it; no file = everything.
#   -v COL=N                    column of the percent-encoded save key in each stdin line (1)
#   -v WANT=allowed|excluded|mark   print the allowed lines (default), the excluded ones, or
#                               every line with "1" (syncs) or "0" appended as a last column.
# The rule, in order: a state with states=false never syncs; a game in exclude_game never syncs;
# a game in include_game syncs; then system_mode all | only (listed systems) | except (all but
# the listed). Games compare folded (NFC, case, white space), systems as whole ids.
function game_id(entry, raw,   e, p) {
  e = raw ? encode_key(entry) : entry
  p = index(e, "/"); if (p < 2) return ""
  e = tolower(substr(e, 1, p - 1)) substr(e, p)
  if (decode_key(e "/battery") != "") return ""
  return KEY_SYS "/" fold(KEY_GAME)
}
function load_filter(f, n,   line, a, g) {
  MODE_[n] = "all"; STATES_[n] = 1
  while ((getline line < f) > 0) {
    sub(/\r$/, "", line)
    split(line, a, "\t")
    if (a[1] == "system_mode") MODE_[n] = a[2]
    else if (a[1] == "states") STATES_[n] = (a[2] == "true" || a[2] == "1")
    else if (a[1] == "system") SYS_[n, tolower(a[2])] = 1
    else if (a[1] == "include_game" || a[1] == "exclude_game" || a[1] == "include_game_raw" || a[1] == "exclude_game_raw") {
      g = game_id(a[2], a[1] ~ /_raw$/)
      if (g == "") continue
      if (a[1] ~ /^include/) INC_[n, g] = 1; else EXC_[n, g] = 1
    }
  }
  close(f)
}
function allows(n, enc,   g) {
  if (decode_key(enc) != "") return 0
  if (KEY_KIND == "state" && !STATES_[n]) return 0
  g = KEY_SYS "/" fold(KEY_GAME)
  if ((n, g) in EXC_) return 0
  if ((n, g) in INC_) return 1
  if (MODE_[n] == "only") return ((n, KEY_SYS) in SYS_)
  if (MODE_[n] == "except") return !((n, KEY_SYS) in SYS_)
  return 1
}
BEGIN {
  FS = "\t"; load_tables(); if (COL == "") COL = 1; if (WANT == "") WANT = "allowed"
  NF_ = FILTERS == "" ? 0 : split(FILTERS, FL, "\037")
  for (i = 1; i <= NF_; i++) load_filter(FL[i], i)
}
{
  ok = 1
  for (i = 1; i <= NF_ && ok; i++) ok = allows(i, $COL)
  if (NF_ == 0 && decode_key($COL) != "") ok = 0
  if (WANT == "mark") print $0 "\t" ok
  else if ((WANT == "allowed") == (ok == 1)) print
}
