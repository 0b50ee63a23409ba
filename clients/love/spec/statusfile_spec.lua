local statusfile = require("lib.statusfile")

local SAMPLE = table.concat({
  "retrosync-status\t1",
  "state\tidle",
  "updated\t1700000100",
  "pid\t4242",
  "server\thttp://192.168.1.10:3000",
  "device\tMini",
  "platform\tonion",
  "last_sync\t1700000000",
  "scan_interval\t5",
  "save\tgba/Pokemon%20Emerald/battery\tsynced\t3\t\t/mnt/SDCARD/Saves/CurrentProfile/saves/gpSP/Pokemon Emerald.sav",
  "save\tgba/Advance%20Wars/battery\tpending\t\tupload\t/x/Advance Wars.sav",
  "save\tsnes/Chrono%20Trigger/battery\tconflict\t7\tlost\t/x/Chrono Trigger.srm",
  "save\tgb/Tetris/battery\tpending\t2\tdownload\t",
  "save\tgba/Pokemon%20Emerald/state%2FgpSP%2F1\tsynced\t1\t\t/x/s",
  "skipped\tambiguous: gb,gbc\t/x/Mystery.sav",
  "error\t1700000050\terror\tupload gba/Advance%20Wars/battery (/x/Advance Wars.sav) failed: Server unreachable (000)",
  "error\t1700000060\twarn\tGET /api/sync/files: server unreachable (curl: (7) Failed to connect)",
  "error\t1700000070\terror\tdownload gb/Tetris/battery v2: SHA-256 mismatch (got a, want b); local save left untouched",
  "",
}, "\n")

describe("status file", function()
  it("parses the header fields, saves, skipped files and errors", function()
    local st = assert(statusfile.parse(SAMPLE))
    assert.are.equal(1, st.format)
    assert.are.equal("idle", st.state)
    assert.are.equal(4242, st.pid)
    assert.are.equal(1700000000, st.lastSync)
    assert.are.equal("Mini", st.device)
    assert.are.equal(5, #st.saves)
    assert.are.same({ key = "gba/Pokemon%20Emerald/battery", system = "gba", game = "Pokemon Emerald", kind = "battery", state = "synced", version = 3, detail = "",
      path = "/mnt/SDCARD/Saves/CurrentProfile/saves/gpSP/Pokemon Emerald.sav" }, st.saves[1])
    assert.are.equal("state/gpSP/1", st.saves[5].kind)
    assert.are.same({ reason = "ambiguous: gb,gbc", path = "/x/Mystery.sav" }, st.skipped[1])
    assert.are.equal(3, #st.errors)
  end)

  it("refuses what is not a status file, or a newer format", function()
    assert.is_nil(statusfile.parse(""))
    assert.is_nil(statusfile.parse("hello\n"))
    local st, why = statusfile.parse("retrosync-status\t2\nstate\tidle\n")
    assert.is_nil(st)
    assert.truthy(why:find("newer"))
  end)

  it("counts and groups saves by system, sorted", function()
    local st = assert(statusfile.parse(SAMPLE))
    assert.are.same({ synced = 2, up = 1, down = 1, conflict = 1, skipped = 1 }, statusfile.counts(st))
    local g = statusfile.bySystem(st)
    assert.are.same({ "Game Boy", "Game Boy Advance", "SNES" }, { g[1].name, g[2].name, g[3].name })
    assert.are.same({ "Advance Wars", "Pokemon Emerald", "Pokemon Emerald" }, { g[2].saves[1].game, g[2].saves[2].game, g[2].saves[3].game })
  end)

  it("says states and errors in a player's words, newest first, without repeats", function()
    local st = assert(statusfile.parse(SAMPLE))
    assert.are.equal("waiting to upload", statusfile.stateWords(st.saves[2]))
    assert.truthy(statusfile.stateWords(st.saves[3]):find("conflict"))
    assert.are.equal("state 1", statusfile.kindName("state/gpSP/1"))
    local e = statusfile.lastErrors(st, 3)
    assert.are.equal("A download arrived damaged. Your save was left untouched; it will try again.", e[1].words)
    assert.are.equal("Can't reach the server. Check the Wi-Fi; RetroSync keeps trying.", e[2].words)
    assert.are.equal(2, #e) -- the upload failure was "server unreachable" too
    assert.are.equal("Couldn't upload Advance Wars; it will try again.", statusfile.errorWords("upload gba/Advance%20Wars/battery (/x/a.sav) failed: Bad request (400)"))
    assert.truthy(statusfile.errorWords("weird thing"):find("^Something went wrong"))
  end)

  it("words the headline and the time since the last sync", function()
    local st = assert(statusfile.parse(SAMPLE))
    assert.are.equal("Syncing...", statusfile.headline(st, true))
    assert.are.equal("Background sync is off", statusfile.headline(st, false))
    assert.are.equal("Up to date", statusfile.headline(assert(statusfile.parse("retrosync-status\t1\nstate\tidle\n")), true))
    assert.are.equal("Offline - will retry", statusfile.headline(assert(statusfile.parse("retrosync-status\t1\nstate\toffline\n")), true))
    assert.are.equal("never", statusfile.ago(nil, 100))
    assert.are.equal("just now", statusfile.ago(90, 100))
    assert.are.equal("5 min ago", statusfile.ago(1000, 1300))
    assert.are.equal("2 h ago", statusfile.ago(0, 7200))
  end)
end)
