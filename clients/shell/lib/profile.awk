# Save identity for busybox awk, part 2: the platform's profile on this device (layouts with
# retroarch.cfg, NextUI formats and user settings applied; ROM roots; cores; folder names).
# Mirrors packages/core/src/identity/profile.ts. Layout fields, per kind ("saves"/"states") and
# index 1..LN[kind]: dir ("" = next to the ROM), folders ("core,tag"…), name, ext, naming,
# compressed, autoload, incontent, placeable, primary.

function build_profile(   a, n, i, k, kv, rk, j, vols, nv, line, b, fmt) {
  for (k in TB) { split(k, a, SUBSEP); if (a[1] == "var") V[a[2]] = TB[k] }
  n = split(VARS, a, ";")
  for (i = 1; i <= n; i++) if ((j = index(a[i], "=")) > 1) V[substr(a[i], 1, j - 1)] = substr(a[i], j + 1)
  nv = PFN["volumes"]
  if (nv == 1 && !("sd" in V)) V["sd"] = PFA["volumes", 1]
  if (RAFILE != "") {
    while ((getline line < RAFILE) > 0) { if ((j = index(line, "\t")) > 0) RA[substr(line, 1, j - 1)] = substr(line, j + 1) }
    close(RAFILE)
  }
  # NextUI formats replace the first save / state layout's naming.
  fmt = ("save_format" SUBSEP (NXS == "" ? "0" : NXS))
  if (fmt in FMT) { split(FMT[fmt], b, "\t"); SFMT_NAME = b[4]; SFMT_EXT = b[5]; SFMT_C = b[6] }
  fmt = ("state_format" SUBSEP (NXT == "" ? "0" : NXT))
  if (fmt in FMT) { split(FMT[fmt], b, "\t"); TFMT_NAMING = b[4]; TFMT_C = b[5] }
  firsts = 1; firstt = 1
  for (i = 1; i <= NL; i++) if (on_volume(i)) HASVOL[RAWL[i, 1]] = 1
  for (i = 1; i <= NL; i++) {
    rk = RAWL[i, 1]
    if (rk == "saves" && firsts && SFMT_NAME != "") { RAWL[i, 4] = SFMT_NAME; RAWL[i, 5] = SFMT_EXT; RAWL[i, 7] = SFMT_C }
    if (rk == "states" && firstt && TFMT_NAMING != "") { RAWL[i, 6] = TFMT_NAMING; RAWL[i, 7] = TFMT_C }
    if (rk == "saves") firsts = 0; else firstt = 0
    # RetroArch's pre-1.16 flat default: only when retroarch.cfg does not say how it sorts.
    if (RAWL[i, 13] == 1 && sort_set(rk)) continue
    if (CARD && HASVOL[rk] && !on_volume(i)) continue
    KEEPF = RAWL[i, 13] == 1
    add_layouts(i, rk)
  }
  override_dir("saves", SAVEDIR); override_dir("states", STATEDIR)
  # ROM roots
  NR_ROOTS = 0
  # The user's ROM roots (RS_ROMROOTS, --rom-root) first, then the platform's own.
  if (ROMROOTS != "") { n = split(ROMROOTS, a, ";"); for (i = 1; i <= n; i++) add_root(norm_path(a[i])) }
  for (i = 1; i <= PFN["rom_roots"]; i++) expand_all(PFA["rom_roots", i], "add_root")
  if ("rgui_browser_directory" in RA) add_root(norm_path(ra_dir(RA["rgui_browser_directory"])))
  # RetroArch playlist folders: retroarch.cfg's, then the platform's.
  NR_PL = 0
  if ("playlist_directory" in RA && RA["playlist_directory"] != "default") add_pl(norm_path(ra_dir(RA["playlist_directory"])))
  if ("content_history_directory" in RA && RA["content_history_directory"] != "default") add_pl(norm_path(ra_dir(RA["content_history_directory"])))
  for (i = 1; i <= PFN["playlists"]; i++) expand_all(PFA["playlists", i], "add_pl")
  # cores: generic defaults, the platform's, the user's
  for (k in TB) { split(k, a, SUBSEP); if (a[1] == "defcore") CORE[a[2]] = TB[k] }
  for (k in PCORE) CORE[k] = PCORE[k]
  n = split(CORES, a, ";")
  for (i = 1; i <= n; i++) if ((j = index(a[i], "=")) > 1) CORE[substr(a[i], 1, j - 1)] = substr(a[i], j + 1)
  for (k in PSF) PFS[fold(PSF[k])] = k
  FOLDER_NAMES = PF["folder_names"]
  PREFIX = PF["state_core_prefix"]
}

function add_pl(r,   i) { if (r == "" || r == "\001") return; for (i = 1; i <= NR_PL; i++) if (PLS[i] == r) return; PLS[++NR_PL] = r }

function add_root(r,   i) { if (r == "" || r == "\001") return; for (i = 1; i <= NR_ROOTS; i++) if (ROOTS[i] == r) return; ROOTS[++NR_ROOTS] = r }

# Expands a template for the device's volume (or each volume when none is known); calls back
# through a fixed dispatch since awk has no function values.
function expand_all(tpl, what,   i, p, saved, had) {
  if (index(tpl, "{sd}") && !("sd" in V)) {
    for (i = 1; i <= PFN["volumes"]; i++) {
      V["sd"] = PFA["volumes", i]; p = expand(tpl); delete V["sd"]
      if (p != "\001") dispatch(what, p, i)
    }
  } else { p = expand(tpl); if (p != "\001") dispatch(what, p, 1) }
}

function dispatch(what, p, i) {
  if (what == "add_root") add_root(norm_path(p))
  else if (what == "add_pl") add_pl(norm_path(p))
  else if (what == "layout") { EXP_N++; EXP[EXP_N] = p }
}

function add_layouts(r, kind,   base, i, idx) {
  if (RAWL[r, 9] == 1 || RAWL[r, 2] == "") { put_layout(kind, r, "", RAWL[r, 12] == 1); return }
  EXP_N = 0; delete EXP
  expand_all(RAWL[r, 2], "layout")
  for (i = 1; i <= EXP_N; i++) put_layout(kind, r, norm_path(EXP[i]), RAWL[r, 12] == 1 && RAWL[r, 14] == "" && i == 1)
}

function put_layout(kind, r, dir, primary,   i) {
  i = ++LN[kind]
  L[kind, i, "dir"] = dir
  L[kind, i, "folders"] = RAWL[r, 3] == "-" ? "" : RAWL[r, 3]
  L[kind, i, "name"] = RAWL[r, 4]; L[kind, i, "ext"] = RAWL[r, 5]; L[kind, i, "naming"] = RAWL[r, 6]
  L[kind, i, "compressed"] = RAWL[r, 7]; L[kind, i, "autoload"] = RAWL[r, 8]
  L[kind, i, "incontent"] = (RAWL[r, 9] == 1 || dir == "") ? 1 : 0
  L[kind, i, "placeable"] = RAWL[r, 11]; L[kind, i, "primary"] = primary ? 1 : 0
  L[kind, i, "system"] = RAWL[r, 14]
  if (RAWL[r, 10] == 1) apply_retroarch(kind, i)
}

# The layout's folder is on the card ({sd}) or next to the ROMs.
function on_volume(r) { return RAWL[r, 2] == "" || RAWL[r, 9] == 1 || index(RAWL[r, 2], "{sd}") > 0 }

function sort_set(kind) {
  if (kind == "saves") return ("sort_savefiles_enable" in RA) || ("sort_savefiles_by_content_enable" in RA) || ("savefiles_in_content_dir" in RA)
  return ("sort_savestates_enable" in RA) || ("sort_savestates_by_content_enable" in RA) || ("savestates_in_content_dir" in RA)
}

# A folder's systems: the platform's own folder names (GarlicOS `Game Boy Advance`) first.
function psys(name,   f) { f = fold(name); return (f in PFS) ? PFS[f] : systems_for_folder(name) }

function ra_bool(k) { return (k in RA) ? (RA[k] == "true" ? 1 : 0) : -1 }
function ra_dir(v) {
  if (v ~ /^:/ && ("retroarch" in V)) { v = substr(v, 2); sub(/^[\\\/]+/, "", v); return V["retroarch"] "/" v }
  if ((v == "~" || v ~ /^~\//) && ("home" in V)) return V["home"] substr(v, 2)
  return v
}

function apply_retroarch(kind, i,   s, dk, byCore, byContent, inC, comp, f, only) {
  s = kind == "saves"
  dk = s ? "savefile_directory" : "savestate_directory"
  byCore = ra_bool(s ? "sort_savefiles_enable" : "sort_savestates_enable")
  byContent = ra_bool(s ? "sort_savefiles_by_content_enable" : "sort_savestates_by_content_enable")
  inC = ra_bool(s ? "savefiles_in_content_dir" : "savestates_in_content_dir")
  comp = ra_bool(s ? "save_file_compression" : "savestate_file_compression")
  if ((dk in RA) && RA[dk] != "" && RA[dk] != "default") L[kind, i, "dir"] = norm_path(ra_dir(RA[dk]))
  f = L[kind, i, "folders"]
  only = !KEEPF && (f == "" || f == "core" || f == "content" || f == "content,core" || f == "core,content")
  if (only) {
    if (byContent == -1) byContent = has(f, "content")
    if (byCore == -1) byCore = has(f, "core")
    f = ""
    if (byContent) f = "content"
    if (byCore) f = add(f, "core")
    L[kind, i, "folders"] = f
  }
  if (!KEEPF && inC != -1 && (inC || L[kind, i, "dir"] != "")) L[kind, i, "incontent"] = inC
  if (!L[kind, i, "incontent"] && L[kind, i, "dir"] == "") L[kind, i, "incontent"] = 1
  if (comp != -1) L[kind, i, "compressed"] = comp
  if (!s && ra_bool("savestate_auto_load") != -1) L[kind, i, "autoload"] = ra_bool("savestate_auto_load")
}

function override_dir(kind, dir,   i) {
  if (dir == "") return
  for (i = 1; i <= LN[kind]; i++) if (L[kind, i, "placeable"] && L[kind, i, "primary"]) {
    L[kind, i, "dir"] = norm_path(dir); L[kind, i, "incontent"] = 0; return
  }
}

# nds-dsv → nds (the system whose ROMs and folders a save system uses), and its extension.
function base_system(sys,   k, b) { k = "extbase" SUBSEP sys; if (!(k in TB)) return sys; split(TB[k], b, ":"); return b[1] }
function system_ext(sys,   k, b) { k = "extbase" SUBSEP sys; if (!(k in TB)) return ""; split(TB[k], b, ":"); return b[2] }
# The system a battery save with extension ext is keyed under (.dsv of nds → nds-dsv).
function ext_system(sys, ext,   k) { k = "extsys" SUBSEP lower(ext) ":" sys; return (k in TB) ? TB[k] : sys }

function system_folder(sys,   k) {
  if (sys in PSF) return PSF[sys]
  if (base_system(sys) != sys) return system_folder(base_system(sys))
  k = (FOLDER_NAMES == "es" ? "sysfolder-es" : "sysfolder-tags") SUBSEP sys
  return (k in TB) ? TB[k] : sys
}
