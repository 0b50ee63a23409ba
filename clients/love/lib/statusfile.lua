-- Reads the shell engine's status file ($RETROSYNC_HOME/status, clients/shell/README.md
-- "Status file", format 1) and turns it into what the status screen shows, in a player's words.
local M = {}

M.FORMAT = 1

local SYSTEMS = {
  gb = "Game Boy", gbc = "Game Boy Color", gba = "Game Boy Advance", nes = "NES", fds = "Famicom Disk",
  snes = "SNES", genesis = "Mega Drive / Genesis", sms = "Master System", gg = "Game Gear", n64 = "Nintendo 64",
  ps1 = "PlayStation", psp = "PSP", nds = "Nintendo DS", pce = "PC Engine", pcecd = "PC Engine CD",
  segacd = "Mega CD", ngp = "Neo Geo Pocket", ngpc = "Neo Geo Pocket Color", ws = "WonderSwan",
  wsc = "WonderSwan Color", lynx = "Lynx", atari2600 = "Atari 2600", arcade = "Arcade", mame = "Arcade",
  fbneo = "Arcade", neogeo = "Neo Geo", pico8 = "PICO-8", virtualboy = "Virtual Boy", dos = "DOS",
}
SYSTEMS["32x"] = "32X"

function M.systemName(id) return SYSTEMS[id] or (id or "?"):upper() end

local function unescape(s) return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)) end

-- "gba/Pokemon%20Emerald/battery" → "gba", "Pokemon Emerald", "battery"
function M.splitKey(key)
  local sys, game, kind = key:match("^([^/]+)/([^/]+)/(.+)$")
  if not sys then return nil end
  return unescape(sys), unescape(game), unescape(kind)
end

local function split(line)
  local out = {}
  for f in (line .. "\t"):gmatch("([^\t]*)\t") do out[#out + 1] = f end
  return out
end

-- Parses the text of a status file. Returns a table or nil, reason.
--   { format, state, updated, pid, server, device, platform, lastSync, saves = { {key, system,
--     game, kind, state, version, detail, path} }, skipped = { {reason, path} }, errors = { {time,
--     level, message} } }
function M.parse(text)
  if type(text) ~= "string" or text == "" then return nil, "empty" end
  local st = { saves = {}, skipped = {}, errors = {} }
  local first = true
  for line in (text:gsub("\r", "") .. "\n"):gmatch("([^\n]*)\n") do
    if line ~= "" then
      local f = split(line)
      if first then
        if f[1] ~= "retrosync-status" then return nil, "not a status file" end
        st.format = tonumber(f[2])
        if not st.format or st.format > M.FORMAT then return nil, "status format " .. tostring(f[2]) .. " is newer than this app" end
        first = false
      elseif f[1] == "save" then
        local sys, game, kind = M.splitKey(f[2] or "")
        if sys then
          st.saves[#st.saves + 1] = { key = f[2], system = sys, game = game, kind = kind, state = f[3] or "synced",
            version = tonumber(f[4] or ""), detail = f[5] or "", path = f[6] or "" }
        end
      elseif f[1] == "skipped" then
        st.skipped[#st.skipped + 1] = { reason = f[2] or "", path = f[3] or "" }
      elseif f[1] == "error" then
        st.errors[#st.errors + 1] = { time = tonumber(f[2] or ""), level = f[3] or "error", message = f[4] or "" }
      elseif f[1] == "updated" or f[1] == "pid" or f[1] == "last_sync" or f[1] == "scan_interval" then
        local k = f[1] == "last_sync" and "lastSync" or f[1] == "scan_interval" and "scanInterval" or f[1]
        st[k] = tonumber(f[2] or "")
      elseif f[1] then
        st[f[1]] = f[2] or ""
      end
    end
  end
  if first then return nil, "not a status file" end
  return st
end

-- Counts for the summary line.
function M.counts(st)
  local c = { synced = 0, up = 0, down = 0, conflict = 0, skipped = #st.skipped }
  for _, s in ipairs(st.saves) do
    if s.state == "pending" and s.detail == "download" then c.down = c.down + 1
    elseif s.state == "pending" then c.up = c.up + 1
    elseif s.state == "conflict" then c.conflict = c.conflict + 1
    else c.synced = c.synced + 1 end
  end
  return c
end

-- Saves grouped by system, systems and games sorted by name: { {system, name, saves = {…}} }.
function M.bySystem(st)
  local groups, index = {}, {}
  for _, s in ipairs(st.saves) do
    local g = index[s.system]
    if not g then g = { system = s.system, name = M.systemName(s.system), saves = {} }; index[s.system] = g; groups[#groups + 1] = g end
    g.saves[#g.saves + 1] = s
  end
  table.sort(groups, function(a, b) return a.name < b.name end)
  for _, g in ipairs(groups) do table.sort(g.saves, function(a, b) return a.game:lower() < b.game:lower() end) end
  return groups
end

local KIND = { battery = "save", rtc = "clock" }
function M.kindName(kind)
  if KIND[kind] then return KIND[kind] end
  local slot = kind:match("^state/[^/]+/(.+)$")
  if slot then return slot == "auto" and "auto state" or ("state " .. slot) end
  return kind
end

-- A save's state in a player's words.
function M.stateWords(s)
  if s.state == "synced" then return "in sync" end
  if s.state == "pending" then return s.detail == "download" and "downloading" or "waiting to upload" end
  if s.state == "conflict" then
    return s.detail == "lost" and "conflict: the other device's save kept here, yours on the server"
      or "conflict: yours kept, the other one saved on the server"
  end
  return s.state
end

-- Engine messages (retrosync.log lines) in a player's words.
local RULES = {
  { "no longer knows this device", "This device was removed from your account. Unpair and pair it again." },
  { "server unreachable", "Can't reach the server. Check the Wi-Fi; RetroSync keeps trying." },
  { "SHA%-256 mismatch", "A download arrived damaged. Your save was left untouched; it will try again." },
  { "RZIP file does not inflate", "A compressed save looks damaged and was skipped." },
  { "file%(s%) not synced", "Some files can't be synced yet: add the game's ROM or set its core." },
  { "cannot replace", "Couldn't write a save to the SD card (full or read-only?)." },
  { "cannot create", "Couldn't write a save to the SD card (full or read-only?)." },
  { "backup failed", "Couldn't keep a backup on the SD card (full?); the save was left as it was." },
  { "quota", "Your storage on the server is full. Free some space in the dashboard." },
  { "%(507%)", "Your storage on the server is full. Free some space in the dashboard." },
  { "%(413%)", "A save is larger than the server accepts." },
  { "%(429%)", "The server is busy; RetroSync will try again shortly." },
  { "symbolic link", "A save folder is a link; RetroSync does not follow it." },
}
function M.errorWords(message)
  local lower = message:lower()
  for _, r in ipairs(RULES) do
    if lower:find(r[1]:lower()) then return r[2] end
  end
  local key = message:match("^upload ([^ :]+)")
  if key then
    local _, game = M.splitKey(key)
    return "Couldn't upload " .. (game or key) .. "; it will try again."
  end
  key = message:match("^download ([^ ]+)")
  if key then
    local _, game = M.splitKey(key)
    return "Couldn't download " .. (game or key) .. "; it will try again."
  end
  return "Something went wrong: " .. message:sub(1, 80)
end

-- The last `n` distinct errors, newest first, in words.
function M.lastErrors(st, n)
  local out, seen = {}, {}
  for i = #st.errors, 1, -1 do
    local w = M.errorWords(st.errors[i].message)
    if not seen[w] then seen[w] = true; out[#out + 1] = { time = st.errors[i].time, words = w } end
    if #out >= (n or 3) then break end
  end
  return out
end

-- "just now", "5 min ago", "3 h ago", "2 days ago", "never".
function M.ago(t, now)
  if not t then return "never" end
  local d = now - t
  if d < 0 then d = 0 end
  if d < 45 then return "just now" end
  if d < 3600 then return math.floor(d / 60 + 0.5) .. " min ago" end
  if d < 86400 then return math.floor(d / 3600 + 0.5) .. " h ago" end
  return math.floor(d / 86400 + 0.5) .. " days ago"
end

-- The headline for the daemon's state.
function M.headline(st, running)
  if not running or st.state == "stopped" then return "Background sync is off" end
  if st.state == "offline" then return "Offline - will retry" end
  if st.state == "unauthorized" then return "This device is no longer paired" end
  if st.state == "starting" then return "Starting..." end
  local c = M.counts(st)
  if c.up + c.down > 0 then return "Syncing..." end
  if c.conflict > 0 then return "Up to date (with conflicts kept)" end
  return "Up to date"
end

return M
