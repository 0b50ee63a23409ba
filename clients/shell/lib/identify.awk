# Save identity for busybox awk, part 3: ROM index, path → key (identify) and key → path
# (place). Mirrors packages/core/src/identity/{roms,resolve-system,identify,place}.ts.
#
# MODE=identify  stdin: "<mtime>\t<size>\t<host path>" (size/mtime may be empty)
#                out:   save\t<enc key>\t<mtime>\t<size>\t<compressed>\t<autoload>\t<host path>\t<rank>
#                       (rank 0: the folder this platform writes; else a legacy / alias folder)
#                       ignored|ambiguous|unsupported\t<reason or candidates>\t\t\t\t\t<host path>
# MODE=place     stdin: "<enc key>"   out: ok\t<enc key>\t<host path>\t<compress>  |  err\t<enc key>\t<code>\t<message>
# MODE=key       stdin: "<enc key>"   out: valid\t<canonical enc key>\t<normalized>  |  invalid\t<reason>
# MODE=encode   stdin: a plain key   out: the key percent-encoded per segment
# MODE=romindex out:   the ROM index (from ROMS) for ROMIDX=<file> in later runs
# MODE=roots     out:   saves|states|roms\t<device dir>
# MODE=romkey    stdin: "<ROM host path>"  out: key\t<enc battery save key>  |  unknown\t<reason>
#                (a launcher hook names the ROM it starts: the save that game writes, for its play lease)
# ROMS: file of ROM host paths (optional). Host paths are ROOT + device path.

BEGIN {
  FS = "\t"
  load_tables()
  if (MODE != "key" && MODE != "encode") build_profile()
  if (ROMIDX != "") load_rom_index()
  else if (ROMS != "") load_roms()
  if (ROMIDX == "" && PLAYLISTS != "") load_playlists()
  if (MODE == "romindex") { for (j = 1; j <= NROM; j++) print RP[j] "\t" RF[j] "\t" RSTM[j] "\t" RR[j] "\t" RD[j] "\t" RY[j] "\t" RK[j]; exit 0 }
  if (MODE == "roots") { print_roots(); exit 0 }
}

MODE == "key" {
  e = decode_key($1)
  if (e != "") print "invalid\t" e
  else print "valid\t" encode_key(DKEY) "\t" normalized_key()
  next
}
MODE == "encode" { print encode_key(nfc($0)); next }
MODE == "identify" { identify_line($1, $2, $3); next }
MODE == "romkey" { romkey_line($0); next }
MODE == "place" { place_line($1); next }

function dev(host) { return ROOT == "" ? host : (substr(host, 1, length(ROOT)) == ROOT ? substr(host, length(ROOT) + 1) : host) }

# A folder inside another scanned one of the same kind (DraStic's backup/ inside a ROM root) is scanned with it.
function nested(kind, dir,   j, d) {
  for (j = 1; j <= LN[kind]; j++) {
    if (L[kind, j, "incontent"]) { for (d = 1; d <= NR_ROOTS; d++) if (below(ROOTS[d], dir) > 0) return 1 }
    else if (L[kind, j, "dir"] != "" && below(L[kind, j, "dir"], dir) > 0) return 1
  }
  return 0
}

function print_roots(   k, i, d, seen) {
  split("saves states", KS, " ")
  for (k = 1; k <= 2; k++) for (i = 1; i <= LN[KS[k]]; i++) {
    if (L[KS[k], i, "incontent"]) { for (d = 1; d <= NR_ROOTS; d++) if (!((KS[k], ROOTS[d]) in seen)) { seen[KS[k], ROOTS[d]] = 1; print KS[k] "\t" ROOTS[d] } }
    else if (!((KS[k], L[KS[k], i, "dir"]) in seen) && !nested(KS[k], L[KS[k], i, "dir"])) { seen[KS[k], L[KS[k], i, "dir"]] = 1; print KS[k] "\t" L[KS[k], i, "dir"] }
  }
  for (d = 1; d <= NR_ROOTS; d++) print "roms\t" ROOTS[d]
  for (d = 1; d <= NR_PL; d++) print "playlists\t" PLS[d]
  for (i = 1; i <= LN["saves"]; i++) if (L["saves", i, "placeable"] && L["saves", i, "primary"]) { print "save_folders\t" L["saves", i, "folders"]; break }
}

# ---- ROM index --------------------------------------------------------------------------------
# RetroArch playlists (PLAYLISTS: a file listing *.lpl host paths): JSON (1.7.6+, one key per line
# as RetroArch writes it) or six lines per entry. Each entry's path is a ROM (device path), its
# db_name ("Nintendo - Game Boy Advance.lpl") the system. Mirrors playlists.ts.
function load_playlists(   lpl, line, json, n, path, db, name) {
  while ((getline lpl < PLAYLISTS) > 0) {
    name = basename(lpl); json = -1; n = 0; path = ""; db = ""
    while ((getline line < lpl) > 0) {
      if (json == -1) { if (line ~ /^[ \t]*$/) continue; json = line ~ /^[ \t]*\{/ }
      if (json) {
        if (line ~ /^[ \t]*"path"[ \t]*:/) path = json_str(line)
        else if (line ~ /^[ \t]*"db_name"[ \t]*:/) db = json_str(line)
        else if (line ~ /^[ \t]*}/) { if (path != "") add_playlist_rom(path, db, name); path = ""; db = "" }
      } else {
        n++
        if (n % 6 == 1) path = line
        else if (n % 6 == 0) { add_playlist_rom(path, line, name); path = "" }
      }
    }
    if (!json && path != "") add_playlist_rom(path, "", name)
    close(lpl)
  }
  close(PLAYLISTS)
}

function json_str(line,   v) {
  v = line; sub(/^[^:]*:[ \t]*"/, "", v); sub(/"[ \t]*,?[ \t\r]*$/, "", v)
  gsub(/\\\//, "/", v); gsub(/\\"/, "\"", v); gsub(/\\\\/, "\\", v)
  return v
}

function lrdb_sys(name,   k) { sub(/\.lpl$/, "", name); k = "lrdb" SUBSEP fold(name); return (k in TB) ? TB[k] : "" }

function add_playlist_rom(path, db, lplname,   p, h, file, cont, e, j, sys) {
  sub(/\r$/, "", path); sub(/\r$/, "", db)
  if (path == "" || path == "DETECT") return
  gsub(/\\/, "/", path)
  p = norm_path(path); h = last_index(p, "#")
  if (h > last_index(p, "/")) { file = substr(p, h + 1); cont = substr(p, 1, h - 1) } else { file = basename(p); cont = p }
  e = ext_of(file)
  sys = lrdb_sys(db)
  if (sys == "" && lower(lplname) !~ /^content_(history|favorites)/) sys = lrdb_sys(lplname)
  if (sys == "") sys = (("romext", e) in TB) ? TB["romext", e] : ""
  j = ++NROM
  RP[j] = cont; RF[j] = file; RSTM[j] = e == "" ? file : substr(file, 1, length(file) - length(e))
  RR[j] = dirname(cont); RD[j] = basename(dirname(cont)); RY[j] = sys
  RK[j] = fold(RSTM[j])
  RIDX[RK[j]] = (RK[j] in RIDX) ? RIDX[RK[j]] "," j : j
}

function load_roms(   line, p, r, n, file, e, fs, j, hidden, i) {
  while ((getline line < ROMS) > 0) {
    p = norm_path(dev(line))
    for (r = 1; r <= NR_ROOTS; r++) if ((n = below(ROOTS[r], p)) > 0) break
    if (r > NR_ROOTS || n > 3) continue
    hidden = 0; for (i = 1; i < n; i++) if (SEG[i] ~ /^\./) hidden = 1
    file = SEG[n]
    if (hidden || file ~ /^\./ || ignore_reason(file) != "") continue
    classify(file); if (FC != "other") continue
    e = ext_of(file)
    j = ++NROM
    RP[j] = p; RF[j] = file; RSTM[j] = e == "" ? file : substr(file, 1, length(file) - length(e)); RR[j] = ROOTS[r]
    RD[j] = n > 1 ? SEG[1] : ""
    RY[j] = (("romext", e) in TB) ? TB["romext", e] : ""
    if (RY[j] == "" && RD[j] != "") { fs = psys(RD[j]); if (count(fs) == 1) RY[j] = fs }
    RK[j] = fold(RSTM[j])
    RIDX[RK[j]] = (RK[j] in RIDX) ? RIDX[RK[j]] "," j : j
  }
  close(ROMS)
}

# The battery save key of a ROM: its system from the extension, else from its folder's name.
function romkey_line(host,   p, n, file, e, stem, sys, fs, dir) {
  p = norm_path(dev(host)); n = split(p, PARTS, "/"); file = PARTS[n]; dir = n > 1 ? PARTS[n - 1] : ""
  e = ext_of(file); stem = e == "" ? file : substr(file, 1, length(file) - length(e))
  sys = (("romext", e) in TB) ? TB["romext", e] : ""
  if (sys == "" && dir != "") { fs = psys(dir); if (count(fs) == 1) sys = fs }
  if (sys == "" || stem == "") { print "unknown\tcannot tell the system of " file " (extension " e ", folder " dir ")"; return }
  if (decode_key(encode_key(sys "/" stem "/battery")) != "") { print "unknown\tnot a valid save name: " file; return }
  print "key\t" encode_key(sys "/" stem "/battery")
}

# The index as MODE=romindex wrote it (the daemon rebuilds it every 10 minutes, not every pass).
function load_rom_index(   line, a, j) {
  while ((getline line < ROMIDX) > 0) {
    split(line, a, "\t"); j = ++NROM
    RP[j] = a[1]; RF[j] = a[2]; RSTM[j] = a[3]; RR[j] = a[4]; RD[j] = a[5]; RY[j] = a[6]; RK[j] = a[7]
    RIDX[RK[j]] = (RK[j] in RIDX) ? RIDX[RK[j]] "," j : j
  }
  close(ROMIDX)
}

# ROM indexes named like game (optionally only in dir) into HITS[1..n]; returns n.
function find_roms(game, dir,   g, j, n, a, m, i) {
  g = fold(game); n = 0
  if (!(g in RIDX)) return 0
  m = split(RIDX[g], a, ",")
  for (i = 1; i <= m; i++) { j = a[i] + 0; if (dir == "" || dirname(RP[j]) == dir) HITS[++n] = j }
  return n
}

# ---- system decision ----------------------------------------------------------------------------
function allowed(systems, cands,   a, n, i, out, c, cn, ca) {
  out = ""; n = split(systems, a, ",")
  for (i = 1; i <= n; i++) {
    if (a[i] == "") continue
    if (cands == "*") { out = add(out, a[i]); continue }
    cn = split(cands, ca, ",")
    for (c = 1; c <= cn; c++) if (same_family(ca[c], a[i])) { out = add(out, a[i]); break }
  }
  return out
}

# Sets DEC_SYS and DEC_EV, or DEC_SYS="" with DEC_CANDS/DEC_REASON.
function resolve(cands, romext, game, besides, size,   hint, named, only, fam, roms, n, i, fit, a, s, sizes, raw) {
  raw = cands
  if (cands == "") cands = "*"
  hint = romext != "" && (("romext", romext) in TB) ? TB["romext", romext] : ""
  named = allowed(hint, cands)
  if (count(named) == 1) { DEC_SYS = named; DEC_EV = "name"; return }
  only = cands != "*" && count(cands) == 1 ? cands : ""
  fam = only != "" && (("family", only) in TB) && count(TB["family", only]) > 1
  if (only != "" && !fam) { DEC_SYS = only; DEC_EV = "folder"; return }
  roms = ""
  if (besides != "") { n = find_roms(game, besides); for (i = 1; i <= n; i++) roms = roms "," RY[HITS[i]] }
  n = find_roms(game, ""); for (i = 1; i <= n; i++) roms = roms "," RY[HITS[i]]
  roms = allowed(roms, cands)
  if (count(roms) == 1) { DEC_SYS = roms; DEC_EV = "rom"; return }
  if (only != "") { DEC_SYS = only; DEC_EV = "folder"; return }
  cands = count(roms) > 1 ? roms : (cands == "*" ? "" : cands)
  if (count(cands) > 1 && size != "") {
    fit = ""; n = split(cands, a, ",")
    for (i = 1; i <= n; i++) { s = a[i]; sizes = (("size", s) in TB) ? TB["size", s] : ""; if (sizes == "" || has(sizes, size + 0)) fit = add(fit, s) }
    if (count(fit) == 1) { DEC_SYS = fit; DEC_EV = "size"; return }
    if (fit != "") cands = fit
  }
  DEC_SYS = ""; DEC_CANDS = sorted(cands)
  DEC_REASON = cands == "" ? (raw == "*" ? "no system folder here and no ROM named like the game found; add the ROM folder to the ROM roots" : "the folder names no known system and no ROM named like the game was found") : "this folder serves " DEC_CANDS "; no ROM named like the game tells which"
}

# ---- identify ---------------------------------------------------------------------------------
function out_other(status, what, host) { print status "\t" what "\t\t\t\t\t" host }

function locate(kind, path,   pass, i, r, n, nf, fa, e) {
  # Folders of one system and extension (DraStic's backup/) first: they may sit inside a ROM folder.
  e = lower(ext_of(basename(path)))
  for (pass = 1; pass <= 2; pass++) for (i = 1; i <= LN[kind]; i++) {
    if (pass == 1 ? (L[kind, i, "system"] == "" || lower(L[kind, i, "ext"]) != e) : L[kind, i, "system"] != "") continue
    if (L[kind, i, "incontent"]) {
      for (r = 1; r <= NR_ROOTS; r++) if ((n = below(ROOTS[r], path)) >= 2) { LOC = i; LOC_F[1] = SEG[1]; LOC_NF = 1; return 1 }
    } else if (L[kind, i, "dir"] != "") {
      nf = split(L[kind, i, "folders"], fa, ",")
      n = below(L[kind, i, "dir"], path)
      if (n > 0 && L[kind, i, "folders"] == "rompath") { LOC = i; LOC_NF = n - 1; for (r = 1; r < n; r++) LOC_F[r] = SEG[r]; return 1 }
      if (n > 0 && n == nf + 1) { LOC = i; LOC_NF = nf; for (r = 1; r <= nf; r++) LOC_F[r] = SEG[r]; return 1 }
    }
  }
  return 0
}

# The ROM folder a rompath layout mirrors: the card (parent of the layout's folder) plus the sub-folders.
function rompath_dir(   d, i) { d = dirname(L[LOCK, LOC, "dir"]); for (i = 1; i <= LOC_NF; i++) d = d "/" LOC_F[i]; return norm_path(d) }

function under_any(path,   k, i) {
  for (k = 1; k <= 2; k++) for (i = 1; i <= LN[KS2[k]]; i++)
    if (!L[KS2[k], i, "incontent"] && L[KS2[k], i, "dir"] != "" && below(L[KS2[k], i, "dir"], path) > 0) return 1
  return 0
}

function narrow(systems,   both, a, n, i) {
  if (systems == "") return
  if (EV_C == "*") { EV_C = systems; return }
  both = ""; n = split(EV_C, a, ",")
  for (i = 1; i <= n; i++) if (has(systems, a[i])) both = add(both, a[i])
  EV_C = both == "" ? systems : both
}

function folder_evidence(kind,   fa, nf, i, lvl, name, dash) {
  EV_C = "*"; EV_CORE = ""
  if (L[kind, LOC, "system"] != "") { EV_C = L[kind, LOC, "system"]; return }
  if (L[kind, LOC, "incontent"]) { narrow(psys(LOC_F[1])); if (EV_C == "*") EV_C = ""; return }
  if (L[kind, LOC, "folders"] == "rompath") {
    # <card>/saves_RA/<ROM folder relative to the card>/: the system folder is the one below a ROM root.
    name = LOC_NF ? LOC_F[LOC_NF] : ""
    for (i = 1; i <= NR_ROOTS; i++) if (below(ROOTS[i], rompath_dir() "/x") >= 2) { name = SEG[1]; break }
    if (name != "") narrow(psys(name))
    if (EV_C == "*") EV_C = ""
    return
  }
  nf = split(L[kind, LOC, "folders"], fa, ",")
  for (i = 1; i <= nf; i++) {
    lvl = fa[i]; name = LOC_F[i]
    if (lvl == "core") { EV_CORE = name; narrow(systems_for_core(name)) }
    else if (lvl == "tag") narrow(systems_for_tag(name))
    else if (lvl == "tag-core") {
      dash = index(name, "-")
      EV_CORE = dash ? PREFIX substr(name, dash + 1) : ""
      narrow(systems_for_tag(dash ? substr(name, 1, dash - 1) : name))
    } else narrow(psys(name))
  }
  if (nf > 0 && EV_C == "*") EV_C = ""
  if (nf == 0) EV_C = "*"
}

function identify_line(mtime, size, host,   path, name, r, kind, minui, game, romext, key, core, e) {
  split("saves states", KS2, " ")
  path = norm_path(dev(host)); name = basename(path)
  r = ignore_reason(path)
  if (r != "") { out_other("ignored", r, host); return }
  classify(name)
  if (FC == "thumbnail") { out_other("ignored", "image", host); return }
  if (FC == "other") { out_other("ignored", under_any(path) ? "not-a-save-file" : "outside-save-folders", host); return }
  kind = FC == "state" ? "states" : "saves"
  if (!locate(kind, path)) { out_other("ignored", "outside-save-folders", host); return }
  LOCK = kind
  if (FC == "state" && L[kind, LOC, "naming"] == "retroarch" && FC_NAMING != "retroarch") { out_other("ignored", "not-a-save-file", host); return }
  minui = has(L[kind, LOC, "folders"], "tag") || has(L[kind, LOC, "folders"], "tag-core")
  if (minui) { split_rom_ext(FC_STEM); game = SPLIT_GAME; romext = SPLIT_EXT } else { game = FC_STEM; romext = "" }
  folder_evidence(kind)
  resolve(EV_C == "*" ? "" : EV_C, romext, game, L[kind, LOC, "incontent"] ? dirname(path) : (L[kind, LOC, "folders"] == "rompath" ? rompath_dir() : ""), size)
  if (EV_C == "*") {}  # handled inside resolve: "" means any
  if (DEC_SYS == "") { out_other("ambiguous", DEC_CANDS, host); return }
  if (FC == "battery") DEC_SYS = ext_system(DEC_SYS, ext_of(name))
  core = EV_CORE != "" ? EV_CORE : (FC == "state" && (DEC_SYS in CORE) ? CORE[DEC_SYS] : "")
  if (FC == "state" && core == "") { out_other("unsupported", "no core is known for this state (set a core for " DEC_SYS ")", host); return }
  key = DEC_SYS "/" game "/" (FC == "state" ? "state/" core "/" FC_SLOT : FC)
  key = nfc(key)
  e = key_error(key)
  if (e != "") { out_other("unsupported", e, host); return }
  print "save\t" encode_key(key) "\t" mtime "\t" size "\t" L[kind, LOC, "compressed"] "\t" ((FC == "state" && FC_SLOT == "auto" && L[kind, LOC, "autoload"]) ? 1 : 0) "\t" host "\t" ((L[kind, LOC, "placeable"] && L[kind, LOC, "primary"]) ? 0 : LOC)
}
