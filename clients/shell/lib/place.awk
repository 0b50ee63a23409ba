# Save identity for busybox awk, part 4: key → path on this platform (placeKey in
# packages/core/src/identity/place.ts). Never a path outside the save folder or ROOT.

function place_err(enc, code, msg) { print "err\t" enc "\t" code "\t" msg }

function choose_layout(kind, rom, sys,   i, r, own) {
  # A folder kept for one system (DraStic's backup/ for nds-dsv) takes that system's saves; the others the rest.
  own = 0; for (i = 1; i <= LN[kind]; i++) if (L[kind, i, "placeable"] && L[kind, i, "system"] == sys) own = 1
  for (i = 1; i <= LN[kind]; i++) if (L[kind, i, "placeable"] && own && L[kind, i, "system"] == sys) {
    if (L[kind, i, "dir"] != "" && exists_dir(L[kind, i, "dir"])) return i
  }
  if (own) { for (i = 1; i <= LN[kind]; i++) if (L[kind, i, "placeable"] && L[kind, i, "system"] == sys) return i }
  # <card>/saves_RA/…: the save goes on the card that holds the ROM.
  if (rom) for (i = 1; i <= LN[kind]; i++) if (L[kind, i, "placeable"] && L[kind, i, "system"] == "" && L[kind, i, "folders"] == "rompath" && inside(dirname(L[kind, i, "dir"]), RP[rom])) return i
  for (i = 1; i <= LN[kind]; i++) if (L[kind, i, "placeable"] && L[kind, i, "system"] == "") {
    if (L[kind, i, "incontent"]) { for (r = 1; r <= NR_ROOTS; r++) if (exists_dir(ROOTS[r])) return i }
    else if (L[kind, i, "dir"] != "" && exists_dir(L[kind, i, "dir"])) return i
  }
  for (i = 1; i <= LN[kind]; i++) if (L[kind, i, "placeable"] && L[kind, i, "system"] == "" && L[kind, i, "primary"]) return i
  for (i = 1; i <= LN[kind]; i++) if (L[kind, i, "placeable"] && L[kind, i, "system"] == "") return i
  return 0
}

# The device's ROM for the key (same system, else same family), or 0.
function key_rom(   n, i, j, s) {
  n = find_roms(KEY_GAME, ""); s = base_system(KEY_SYS)
  for (i = 1; i <= n; i++) if (RY[HITS[i]] == s) return HITS[i]
  for (i = 1; i <= n; i++) { j = HITS[i]; if (RY[j] != "" && same_family(RY[j], s)) return j }
  return 0
}

function tag_of(folder,   t) {
  if (match(folder, /\([^()]+\)[ \t]*$/)) { t = substr(folder, RSTART + 1); sub(/\)[ \t]*$/, "", t); return t }
  return folder
}

function place_line(enc,   card, rdir, n, e, kind, li, core, ours, fixed, rom, sysf, nf, fa, i, lvl, folders, c, tag, romfile, stem, minui, needs, base, file, suf, dir, devpath, bdir, host) {
  e = decode_key(enc)
  if (e != "") { place_err(enc, "invalid-key", e); return }
  kind = KEY_KIND == "state" ? "states" : "saves"
  rom = key_rom()
  li = choose_layout(kind, rom, KEY_SYS)
  if (!li) { place_err(enc, "no-core", P " has no " kind " folder"); return }
  core = KEY_CORE
  if (core != "") {
    ours = PREFIX == "" ? substr(core, 1, 8) != "minarch-" : substr(core, 1, length(PREFIX)) == PREFIX
    fixed = !has(L[kind, li, "folders"], "core") && !has(L[kind, li, "folders"], "tag-core")
    if (!ours || (fixed && core != CORE[KEY_SYS])) { place_err(enc, "core-mismatch", P " does not run " core " for " KEY_SYS); return }
  }
  sysf = system_folder(KEY_SYS)
  nf = split(L[kind, li, "folders"], fa, ","); folders = ""
  for (i = 1; i <= nf; i++) {
    lvl = fa[i]
    if (lvl == "core") {
      c = core != "" ? core : CORE[KEY_SYS]
      if (c == "") { place_err(enc, "no-core", "no core is set for " KEY_SYS " on " P); return }
      folders = folders "/" c
    } else if (lvl == "rompath") {
      card = dirname(L[kind, li, "dir"]); rdir = ""
      if (rom) rdir = dirname(RP[rom])
      else { for (c = 1; c <= NR_ROOTS; c++) if (inside(card, ROOTS[c])) { rdir = join(ROOTS[c], sysf); break }; if (rdir == "") rdir = join(card "/Roms", sysf) }
      n = below(card, rdir "/x"); for (c = 1; c < n; c++) folders = folders "/" SEG[c]
    } else if (lvl == "content") folders = folders "/" (rom ? basename(dirname(RP[rom])) : sysf)
    else if (lvl == "system") folders = folders "/" (rom && RD[rom] != "" ? RD[rom] : sysf)
    else if (lvl == "tag") folders = folders "/" (rom && RD[rom] != "" ? tag_of(RD[rom]) : sysf)
    else {
      tag = rom && RD[rom] != "" ? tag_of(RD[rom]) : sysf
      folders = folders "/" tag "-" substr(core, length(PREFIX) + 1)
    }
  }
  romfile = rom ? RF[rom] : ((base_system(KEY_SYS) in DEFEXT) ? KEY_GAME DEFEXT[base_system(KEY_SYS)] : "")
  stem = rom ? RSTM[rom] : KEY_GAME
  minui = has(L[kind, li, "folders"], "tag") || has(L[kind, li, "folders"], "tag-core")
  needs = minui && (KEY_KIND == "rtc" || (kind == "states" ? L[kind, li, "naming"] == "minui" : L[kind, li, "name"] == "rom_file"))
  if (needs && romfile == "") { place_err(enc, "rom-extension-unknown", P " names the file after the ROM with its extension; put the ROM on the device first"); return }
  base = needs ? romfile : stem
  if (KEY_KIND == "state") {
    suf = state_suffix(L[kind, li, "naming"], KEY_SLOT)
    if (suf == "\001") { place_err(enc, "slot-unsupported", P " has no state slot " KEY_SLOT); return }
    file = base suf
  } else file = base (KEY_KIND == "rtc" ? ".rtc" : (L[kind, li, "system"] == "" && system_ext(KEY_SYS) != "" ? system_ext(KEY_SYS) : L[kind, li, "ext"]))
  if (tolower(file) ~ /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/ || length(file) > 255 || file ~ /[\/\\]/ || ("/" folders "/") ~ /\/\.\.?\//) {
    place_err(enc, "unsafe-name", file " cannot be written on " P); return
  }
  if (L[kind, li, "incontent"]) dir = rom ? dirname(RP[rom]) : join(NR_ROOTS ? ROOTS[1] : "/", sysf)
  else dir = join(L[kind, li, "dir"] == "" ? "/" : L[kind, li, "dir"], substr(folders, 2))
  devpath = join(dir, file)
  bdir = L[kind, li, "incontent"] ? (rom ? RR[rom] : (NR_ROOTS ? ROOTS[1] : "/")) : L[kind, li, "dir"]
  if (!inside(bdir, devpath)) { place_err(enc, "outside-root", devpath " is outside " bdir); return }
  host = ROOT == "" ? devpath : norm_path(ROOT "/" devpath)
  print "ok\t" enc "\t" host "\t" L[kind, li, "compressed"]
}

function inside(dir, path,   n, a, i) {
  n = split(path, a, "/"); for (i = 1; i <= n; i++) if (a[i] == "..") return 0
  return norm_path(dir) == norm_path(path) || below(dir, path) > 0
}
