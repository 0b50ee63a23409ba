# Save identity for busybox awk, part 1: tables, name folding, folder → system lookups and the
# platform profile. Mirrors packages/core/src/identity/{tables,systems,profile,paths}.ts; the
# shared vectors (packages/core/vectors/*.json) check that both agree.
#
# Variables (awk -v): T tables dir, P platform id, VARS "k=v;k=v" (sd, home, config…),
# RAFILE retroarch settings (key TAB value lines), NXS/NXT NextUI save/state format,
# CORES "gba=gpSP;…", ROMROOTS "dir;dir" (the user's, searched before the platform's), SAVEDIR/STATEDIR overrides,
# ROOT host folder standing for the device's "/" (only used to test which folders exist).

function load_tables(   line, f, n, a, i, k) {
  for (i = 1; i < 256; i++) { CH[i] = sprintf("%c", i); ORD[CH[i]] = i }
  f = T "/identity.tsv"
  while ((getline line < f) > 0) {
    if (line ~ /^#/) continue
    split(line, a, "\t")
    if (a[1] == "nfc") { NFC[a[2]] = a[3]; continue }
    if (a[1] == "lower") { LOW[a[2]] = a[3]; continue }
    if (a[1] ~ /^ign-/) { IGN_N++; IGN_T[IGN_N] = substr(a[1], 5); IGN_V[IGN_N] = a[2]; IGN_R[IGN_N] = a[3]; continue }
    TB[a[1], a[2]] = a[3]
    if (a[1] == "romext" || a[1] == "container") ROMEXTS[a[2]] = 1
    if (a[1] == "romext" && !((a[3]) in DEFEXT)) DEFEXT[a[3]] = a[2]
    if (a[1] == "core" || a[1] == "tag" || a[1] == "folder" || a[1] == "romext") { if (a[3] != "-") SYSTEMS[a[3]] = 1 }
  }
  close(f)
  f = T "/platforms.tsv"
  while ((getline line < f) > 0) {
    if (line ~ /^#/) continue
    n = split(line, a, "\t")
    if (a[1] != P && a[1] != "*") continue
    k = a[2]
    if (k == "layout") { NL++; for (i = 3; i <= n; i++) RAWL[NL, i - 2] = a[i]; continue }
    if (k == "core") { PCORE[a[3]] = a[4]; continue }
    if (k == "system_folder") { PSF[a[3]] = a[4]; continue }
    if (k == "save_format" || k == "state_format") { FMT[k, a[3]] = line; continue }
    PF[k] = a[3]; PFN[k] = n - 2
    for (i = 3; i <= n; i++) PFA[k, i - 2] = a[i]
  }
  close(f)
  if (!("device_type" in PF) && P != "") { print "error\tunknown-platform\t" P; exit 3 }
}

# ---- names -------------------------------------------------------------------------------
function nfc(s,   out, i, c, c2, k, m, base, done) {
  if (s !~ /[\314\315]|\343\202[\231\232]/) return s
  out = ""
  i = 1
  while (i <= length(s)) {
    c = substr(s, i, 1)
    m = ""
    if (c == "\314" || c == "\315") m = substr(s, i, 2)
    else if (substr(s, i, 3) == "\343\202\231" || substr(s, i, 3) == "\343\202\232") m = substr(s, i, 3)
    if (m != "") {
      done = 0
      for (k = 1; k <= 3 && k <= length(out); k++) {
        base = substr(out, length(out) - k + 1)
        if ((base m) in NFC) { out = substr(out, 1, length(out) - k) NFC[base m]; done = 1; break }
      }
      if (!done) out = out m
      i += length(m)
      continue
    }
    out = out c
    i++
  }
  return out
}

function lower(s,   out, i, c, o, two) {
  s = tolower(s)
  if (s !~ /[\200-\377]/) return s
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1); o = ORD[c]
    if (o >= 192 && o < 224) { two = substr(s, i, 2); out = out ((two in LOW) ? LOW[two] : two); i++; continue }
    if (o >= 224 && o < 240) { two = substr(s, i, 3); out = out ((two in LOW) ? LOW[two] : two); i += 2; continue }
    out = out c
  }
  return out
}

# normalizeName: NFC, lower-case, whitespace runs → one space, trimmed.
function fold(s) {
  s = lower(nfc(s))
  gsub(/[ \t\r\n\f\v]+/, " ", s)
  sub(/^ /, "", s); sub(/ $/, "", s)
  return s
}

function ext_of(name,   i) {
  i = last_index(name, ".")
  return i <= 1 ? "" : lower(substr(name, i))
}

function last_index(s, ch,   i) {
  for (i = length(s); i > 0; i--) if (substr(s, i, 1) == ch) return i
  return 0
}

# ---- lists as comma strings: "" empty, "*" any --------------------------------------------
function has(list, x) { return index("," list ",", "," x ",") > 0 }
function add(list, x) { return x == "" || has(list, x) ? list : (list == "" ? x : list "," x) }
function add_all(list, xs,   a, n, i) { n = split(xs, a, ","); for (i = 1; i <= n; i++) list = add(list, a[i]); return list }
function count(list,   a) { return list == "" ? 0 : split(list, a, ",") }
function sorted(list,   a, n, i, j, t, out) {
  n = split(list, a, ",")
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  out = ""; for (i = 1; i <= n; i++) out = out (i > 1 ? "," : "") a[i]
  return out
}

# ---- folder → system ----------------------------------------------------------------------
function tag_sys(folded) { return ((("tag", folded) in TB) && TB["tag", folded] != "-") ? TB["tag", folded] : "" }
function folder_sys(folded) { return (("folder", folded) in TB) ? TB["folder", folded] : "" }

function tokens(name, out,   s) {
  s = fold(name)
  gsub(/[^a-z0-9\200-\377]+/, " ", s)
  sub(/^ /, "", s); sub(/ $/, "", s)
  return s == "" ? 0 : split(s, out, " ")
}

function systems_for_core(folder,   f, tk, n, i, out) {
  f = fold(folder)
  if (("core", f) in TB) return TB["core", f]
  out = ""; n = tokens(folder, tk)
  for (i = 1; i <= n; i++) {
    if (("core", tk[i]) in TB) out = add_all(out, TB["core", tk[i]])
    out = add(out, folder_sys(tk[i]))
  }
  return out
}

function systems_for_tag(tag) { return tag_sys(fold(tag)) }

function systems_for_folder(folder,   f, d, inner, tk, n, i, out) {
  f = fold(folder)
  d = folder_sys(f); if (d == "") d = tag_sys(f)
  if (d != "") return d
  if (match(folder, /\([^()]+\)[ \t]*$/)) {
    inner = substr(folder, RSTART + 1, RLENGTH - 1); sub(/\)[ \t]*$/, "", inner)
    inner = systems_for_folder(inner)
    if (inner != "") return inner
  }
  out = ""; n = tokens(folder, tk)
  for (i = 1; i <= n; i++) { out = add(out, folder_sys(tk[i])); out = add(out, tag_sys(tk[i])) }
  return out
}

function same_family(a, b) { return a == b || ((("family", a) in TB) && has(TB["family", a], b)) }

# ---- paths --------------------------------------------------------------------------------
function norm_path(p,   abs, n, a, i, out) {
  abs = substr(p, 1, 1) == "/"
  n = split(p, a, "/"); out = ""
  for (i = 1; i <= n; i++) if (a[i] != "" && a[i] != ".") out = out (out == "" ? "" : "/") a[i]
  return abs ? "/" out : out
}
function basename(p,   i) { i = last_index(p, "/"); return i ? substr(p, i + 1) : p }
function dirname(p,   i) { i = last_index(p, "/"); return i == 0 ? "" : (i == 1 ? "/" : substr(p, 1, i - 1)) }
function join(a, b) { return norm_path(a "/" b) }

# Segments of path below dir into SEG[1..n]; returns n, or 0 when not strictly inside (or "..").
function below(dir, path,   d, prefix, rest, n, i) {
  d = norm_path(dir); path = norm_path(path)
  prefix = d == "/" ? "/" : d "/"
  if (substr(path, 1, length(prefix)) != prefix || length(path) <= length(prefix)) return 0
  rest = substr(path, length(prefix) + 1)
  n = split(rest, SEG, "/")
  for (i = 1; i <= n; i++) if (SEG[i] == "..") return 0
  return n
}

function expand(tpl,   out, i, name, k) {
  for (i = 0; i < 5; i++) {
    if (tpl ~ /^~(\/|$)/) { if (!("home" in V)) return "\001"; tpl = V["home"] substr(tpl, 2) }
    while (match(tpl, /\{[a-z_]+\}/)) {
      name = substr(tpl, RSTART + 1, RLENGTH - 2)
      if (!(name in V) || V[name] == "") return "\001"
      tpl = substr(tpl, 1, RSTART - 1) V[name] substr(tpl, RSTART + RLENGTH)
    }
    if (tpl !~ /^~(\/|$)/ && tpl !~ /\{[a-z_]+\}/) return tpl
  }
  return tpl
}

function exists_dir(devpath) { return system("[ -d '" ROOT devpath "' ]") == 0 }
