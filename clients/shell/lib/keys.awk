# Save keys for busybox awk: validation (packages/core/src/key/save-key.ts), percent-encoding
# (encodeURIComponent per segment, as the server's TSV and URLs use), and file classification
# (packages/core/src/identity/{names,ignore}.ts).

# Decodes one percent-encoded segment; "\001" when it holds NUL or a bad escape.
function pct_decode(s,   out, i, c, h) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c != "%") { out = out c; continue }
    h = substr(s, i + 1, 2)
    if (h !~ /^[0-9A-Fa-f][0-9A-Fa-f]$/) return "\001"
    c = hexval(h)
    if (c == 0) return "\001"
    out = out CH[c]; i += 2
  }
  return out
}
function hexval(h,   d) { h = tolower(h); return index("0123456789abcdef", substr(h, 1, 1)) * 16 + index("0123456789abcdef", substr(h, 2, 1)) - 17 }

function pct_encode(s,   out, i, c) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c ~ /[A-Za-z0-9_.!~*'()-]/) out = out c
    else out = out sprintf("%%%02X", ORD[c])
  }
  return out
}
function encode_key(k,   a, n, i, out) { n = split(k, a, "/"); out = ""; for (i = 1; i <= n; i++) out = out (i > 1 ? "/" : "") pct_encode(a[i]); return out }

# Why a name segment is refused, or "".
function seg_error(what, v) {
  if (v == "") return what " is empty"
  if (v == "." || v == "..") return what " may not be " v
  if (v ~ /[\001-\037\177\/\\:*?"<>|]/ || v ~ /\302[\200-\237]/) return what " contains a forbidden character"
  # U+00AD, U+061C, U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+2066-U+2069, U+FEFF (UTF-8 bytes)
  if (v ~ /\302\255|\330\234|\342\200[\213-\217\252-\256]|\342\201[\240-\244\246-\251]|\357\273\277/) return what " contains an invisible or text-direction character"
  if (v ~ /^[ \t\r\n\f\v]/ || v ~ /[ \t\r\n\f\v]$/ || v ~ /^\302\240/ || v ~ /\302\240$/) return what " has leading or trailing spaces"
  if (v ~ /\.$/) return what " ends with a dot"
  if (length(v) > 200) return what " is longer than 200 bytes"
  return ""
}

# Validates a decoded key; sets KEY_SYS, KEY_GAME, KEY_KIND, KEY_CORE, KEY_SLOT; returns "" or the reason.
function key_error(key,   a, n, e) {
  if (key == "") return "key is empty"
  if (length(key) > 512) return "key is longer than 512 bytes"
  n = split(key, a, "/")
  if (n < 3) return "expected <system>/<game>/<kind>"
  if (a[1] !~ /^[a-z0-9][a-z0-9_-]*$/ || length(a[1]) > 32) return "system must be a lower-case id like gba"
  if ((e = seg_error("game", a[2])) != "") return e
  KEY_SYS = a[1]; KEY_GAME = a[2]; KEY_KIND = a[3]; KEY_CORE = ""; KEY_SLOT = ""
  if (a[3] == "battery" || a[3] == "rtc") return n == 3 ? "" : "kind " a[3] " takes no further segments"
  if (a[3] != "state") return "kind must be battery, rtc or state/<core>/<slot>"
  if (n != 5) return "a state key is <system>/<game>/state/<core>/<slot>"
  if ((e = seg_error("core", a[4])) != "") return e
  if (a[5] !~ /^(auto|[0-9][0-9]?[0-9]?)$/) return "slot must be a number 0-999 or auto"
  KEY_CORE = a[4]; KEY_SLOT = a[5]
  return ""
}

# Decodes an encoded key (from the server) into DKEY; returns "" or the reason it is refused.
function decode_key(enc,   a, n, i, s, out) {
  n = split(enc, a, "/"); out = ""
  for (i = 1; i <= n; i++) {
    s = pct_decode(a[i])
    if (s == "\001") return "bad percent-encoding or a NUL byte"
    if (index(s, "/")) return "a segment contains /"
    out = out (i > 1 ? "/" : "") s
  }
  DKEY = nfc(out)
  return key_error(DKEY)
}

function normalized_key(   k) {
  k = KEY_SYS "/" fold(KEY_GAME) "/" KEY_KIND
  if (KEY_KIND == "state") k = k "/" fold(KEY_CORE) "/" KEY_SLOT
  return k
}

# ---- files ----------------------------------------------------------------------------------
function ignore_reason(path,   n, a, name, lname, i, j, v, t, dirs) {
  n = split(path, a, "/")
  name = a[n]; lname = lower(name)
  dirs = "/"
  for (j = 1; j < n; j++) if (a[j] != "") dirs = dirs lower(a[j]) "/"
  for (i = 1; i <= IGN_N; i++) {
    t = IGN_T[i]; v = IGN_V[i]
    if (t == "name") { if (lname == v) return IGN_R[i] }
    else if (t == "prefix") { if (substr(name, 1, length(v)) == v) return IGN_R[i] }
    else if (t == "suffix") { if (length(lname) >= length(v) && substr(lname, length(lname) - length(v) + 1) == v) return IGN_R[i] }
    else if (t == "infix") { if (index(lname, v)) return IGN_R[i] }
    else if (index(dirs, "/" v "/")) return IGN_R[i]
  }
  return ""
}

function num(s) { return s + 0 "" }

# Sets FC (battery|rtc|state|thumbnail|other), FC_STEM, FC_SLOT, FC_NAMING.
function classify(name,   l, e) {
  l = lower(name); FC_STEM = ""; FC_SLOT = ""; FC_NAMING = ""
  if (l ~ /\.(state([0-9][0-9]?[0-9]?|\.auto|\.[0-9][0-9]?[0-9]?)?|st[0-9])\.(png|bmp)$/) { FC = "thumbnail"; return }
  if (l ~ /^.+\.state\.auto$/) { FC = "state"; FC_STEM = substr(name, 1, length(name) - 11); FC_SLOT = "auto"; FC_NAMING = "retroarch"; return }
  if (match(l, /\.state\.[0-9][0-9]?[0-9]?$/) && RSTART > 1) { FC = "state"; FC_STEM = substr(name, 1, RSTART - 1); FC_SLOT = num(substr(l, RSTART + 7)); FC_NAMING = "nextui"; return }
  if (match(l, /\.state[0-9]?[0-9]?[0-9]?$/) && RSTART > 1) { FC = "state"; FC_STEM = substr(name, 1, RSTART - 1); FC_SLOT = RLENGTH > 6 ? num(substr(l, RSTART + 6)) : "0"; FC_NAMING = "retroarch"; return }
  if (match(l, /\.st[0-9]$/) && RSTART > 1) { FC = "state"; FC_STEM = substr(name, 1, RSTART - 1); FC_SLOT = substr(l, RSTART + 3); if (FC_SLOT == "9") FC_SLOT = "auto"; FC_NAMING = "minui"; return }
  e = ext_of(name)
  FC_STEM = substr(name, 1, length(name) - length(e))
  if (FC_STEM == "") { FC = "other"; return }
  if (("battery", e) in TB) { FC = "battery"; return }
  if (("rtc", e) in TB) { FC = "rtc"; return }
  FC = "other"
}

# MinUI names keep the ROM extension: sets SPLIT_GAME, SPLIT_EXT ("" when none).
function split_rom_ext(name,   e) {
  e = ext_of(name)
  if (e != "" && (e in ROMEXTS) && length(name) > length(e)) { SPLIT_GAME = substr(name, 1, length(name) - length(e)); SPLIT_EXT = e }
  else { SPLIT_GAME = name; SPLIT_EXT = "" }
}

function state_suffix(naming, slot) {
  if (naming == "retroarch") return slot == "auto" ? ".state.auto" : (slot == "0" ? ".state" : ".state" slot)
  if (naming == "nextui") return slot == "auto" ? ".state.auto" : ".state." slot
  if (slot == "auto") return ".st9"
  return slot ~ /^[0-8]$/ ? ".st" slot : "\001"
}
