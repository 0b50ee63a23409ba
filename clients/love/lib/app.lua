-- The app's state machine: screens, what each button does, and what the engine's answers change.
-- No LÖVE calls here: everything outside (the network, the shell engine, files, clocks) comes in
-- through `sys`, so spec/app_spec.lua drives it with fakes.
--
--   find ──A on a server──▶ pair ──PAIRED──▶ status ──Unpair + confirm──▶ find
--    │ └─A on "Enter an address"─▶ keyboard ──OK──▶ pair          ▲
--    └─ (already paired at start) ─────────────────────────────────┘
--
-- sys = {
--   discovery = { send(), poll() → {new servers} } or nil (no LuaSocket),
--   engine = { paired(), pair(url) → job, run(action) → job, statusText(), running(pid),
--              syncNow(pid), pairArgs },  job = { lines() → {new lines}, done, exit, cancel() }
--   store = { load() → {server=}, save(t) },
--   now() → seconds (monotonic), wall() → epoch seconds,
-- }
local keyboard = require("lib.keyboard")
local statusfile = require("lib.statusfile")

local App = {}
App.__index = App

App.PROBE_EVERY = 2

function App.new(sys, opts)
  local self = setmetatable({ sys = sys, opts = opts or {}, screen = nil, servers = {}, sel = 1, msg = nil }, App)
  self.prefs = sys.store.load() or {}
  if sys.engine.paired() then
    self:goStatus()
  elseif self.opts.server then
    self:choose(self.opts.server)
  else
    self:goFind()
  end
  return self
end

-- Screens ---------------------------------------------------------------------------------------

function App:goFind(msg)
  self.screen = "find"
  self.sel = 1
  self.msg = msg
  self.nextProbe = 0
end

-- The rows of the find screen: servers heard on the network, the remembered one, then "Enter an address".
function App:findItems()
  local items = {}
  local seen = {}
  for _, s in ipairs(self.servers) do
    items[#items + 1] = { label = s.name, url = s.url, detail = s.url .. "  (v" .. s.version .. ")" }
    seen[s.url] = true
  end
  if self.prefs.server and not seen[self.prefs.server] then
    items[#items + 1] = { label = "Last used", url = self.prefs.server, detail = self.prefs.server }
  end
  items[#items + 1] = { label = "Enter an address...", manual = true, detail = "type the server's address" }
  return items
end

function App:choose(url)
  self.prefs.server = url
  self.sys.store.save(self.prefs)
  self:goPair()
end

function App:goPair()
  self.screen = "pair"
  self.pairing = { lines = {}, code = nil, link = nil, qr = nil, deadline = nil, error = nil }
  self.job = self.sys.engine.pair(self.prefs.server)
end

function App:goKeyboard()
  self.screen = "keyboard"
  self.kb = keyboard.new(self.prefs.server or "http://")
  self.msg = nil
end

function App:goStatus(msg)
  self.screen = "status"
  self.button = self.button or 1
  self.scroll = 0
  self.msg = msg
  self.nextRead = 0
  self:readStatus()
end

function App:goConfirm()
  self.screen = "confirm"
end

-- Buttons: up down left right a b start select ---------------------------------------------------

function App:press(button)
  local f = self["press_" .. self.screen]
  if f then f(self, button) end
end

function App:press_find(b)
  local items = self:findItems()
  if b == "up" then self.sel = (self.sel - 2) % #items + 1
  elseif b == "down" then self.sel = self.sel % #items + 1
  elseif b == "a" or b == "start" then
    local it = items[self.sel]
    if it.manual then self:goKeyboard() else self:choose(it.url) end
  elseif b == "select" then self:goKeyboard()
  elseif b == "b" then self.quit = true end
end

function App:press_keyboard(b)
  local kb = self.kb
  if b == "up" then keyboard.move(kb, 0, -1)
  elseif b == "down" then keyboard.move(kb, 0, 1)
  elseif b == "left" then keyboard.move(kb, -1, 0)
  elseif b == "right" then keyboard.move(kb, 1, 0)
  elseif b == "b" then keyboard.backspace(kb)
  elseif b == "select" then self:goFind()
  elseif b == "a" or b == "start" then
    local r = b == "start" and "ok" or keyboard.press(kb)
    if r == "cancel" then self:goFind()
    elseif r == "ok" then
      local url, err = keyboard.toUrl(kb.text)
      if url then self:choose(url) else self.msg = err end
    end
  end
end

function App:press_pair(b)
  local p = self.pairing
  if b == "b" then
    if self.job and not self.job.done then self.job.cancel() end
    self.job = nil
    self:goFind()
  elseif (b == "a" or b == "start") and p.error then
    self:goPair()
  end
end

function App:press_status(b)
  if b == "left" then self.button = (self.button - 2) % 3 + 1
  elseif b == "right" then self.button = self.button % 3 + 1
  elseif b == "up" then self.scroll = math.max(0, self.scroll - 1)
  elseif b == "down" then self.scroll = self.scroll + 1
  elseif b == "start" then self:syncNow()
  elseif b == "a" then
    if self.button == 1 then self:syncNow()
    elseif self.button == 2 then self:toggleBackground()
    else self:goConfirm() end
  elseif b == "b" then self.quit = true end
end

function App:press_confirm(b)
  if b == "a" then
    self.action = { name = "unpair", job = self.sys.engine.run("unpair") }
    self.screen = "status"
    self.msg = "Unpairing..."
  elseif b == "b" then
    self.screen = "status"
  end
end

-- Status actions ---------------------------------------------------------------------------------

function App:running()
  return self.status ~= nil and self.status.state ~= "stopped" and self.sys.engine.running(self.status.pid)
end

function App:syncNow()
  if self:running() then
    -- The trigger works whatever else is going on (e.g. the start after pairing still finishing).
    self.sys.engine.syncNow(self.status.pid)
    self.msg = "Syncing now..."
  elseif self.action and not self.action.job.done then
    return
  else
    self.action = { name = "once", job = self.sys.engine.run("once") }
    self.msg = "Syncing once (background sync is off)..."
  end
end

function App:toggleBackground()
  if self.action and not self.action.job.done then return end
  if self:running() then
    self.action = { name = "stop", job = self.sys.engine.run("stop") }
    self.msg = "Turning background sync off..."
  else
    self.action = { name = "start", job = self.sys.engine.run("start") }
    self.msg = "Turning background sync on..."
  end
end

function App:readStatus()
  local text = self.sys.engine.statusText()
  if text then
    local st = statusfile.parse(text)
    if st then self.status = st end
  end
end

-- Time ------------------------------------------------------------------------------------------

-- ISO 8601 UTC ("2026-12-02T15:55:00.000Z") → epoch seconds, without the local time zone.
function App.isoToEpoch(s)
  local y, mo, d, h, mi, se = (s or ""):match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)")
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (mo + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(se)
end

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12 }
-- An HTTP Date header ("Wed, 02 Dec 2026 15:46:08 GMT") → epoch seconds.
function App.httpDateToEpoch(s)
  local d, mon, y, h, mi, se = (s or ""):match("(%d+) (%a+) (%d+) (%d+):(%d+):(%d+)")
  if not d or not MONTHS[mon] then return nil end
  return App.isoToEpoch(string.format("%04d-%02d-%02dT%s:%s:%s", tonumber(y), MONTHS[mon], tonumber(d), h, mi, se))
end

-- Seconds left on the pairing code (from the server's own clock, so a device whose clock is wrong
-- still counts down correctly), or nil before the code arrived.
function App:timeLeft()
  local p = self.pairing
  if not p or not p.deadline then return nil end
  return math.max(0, p.deadline - self.sys.now())
end

function App:update(dt)
  local now = self.sys.now()
  if self.screen == "find" and self.sys.discovery then
    if now >= (self.nextProbe or 0) then
      self.sys.discovery.send()
      self.nextProbe = now + App.PROBE_EVERY
    end
    for _, s in ipairs(self.sys.discovery.poll()) do
      local dup = false
      for _, have in ipairs(self.servers) do if have.url == s.url then dup = true end end
      if not dup then self.servers[#self.servers + 1] = s end
    end
  end
  if self.screen == "pair" and self.job then self:updatePair(now) end
  if self.action then self:updateAction() end
  if self.screen == "status" and now >= (self.nextRead or 0) then
    self:readStatus()
    self.nextRead = now + 1
  end
end

function App:updatePair(now)
  local p, job = self.pairing, self.job
  for _, line in ipairs(job.lines()) do
    local tag, rest = line:match("^(%u+) (.*)$")
    if tag == "CODE" then p.code = rest
    elseif tag == "LINK" then p.link = rest
    elseif tag == "EXPIRES" then p.expires = App.isoToEpoch(rest)
    elseif tag == "SERVERTIME" then p.serverTime = tonumber(rest) and math.floor(tonumber(rest) / 1000)
    elseif tag == "SERVERDATE" then p.serverDate = App.httpDateToEpoch(rest)
    elseif tag == "QR" then p.qr = rest
    elseif tag == "PAIRED" then p.paired = rest
    elseif tag ~= "PID" and tag ~= "EXIT" and line ~= "" then p.lines[#p.lines + 1] = line end
  end
  -- The code's time left by the server's clock (X-Server-Time, else its Date header): a handheld
  -- without a clock battery may think it is 1970.
  if p.code and p.expires and not p.deadline and (p.serverTime or p.serverDate or job.done) then
    local ttl = p.expires - (p.serverTime or p.serverDate or p.expires - 900)
    p.deadline = now + math.max(0, math.min(ttl, 3600))
  end
  if p.link and self.prefs.server then
    -- A server that calls itself "localhost" (no NEXT_PUBLIC_API_URL): show the address this device reached.
    local base = self.prefs.server:gsub("%%", "%%%%")
    p.link = p.link:gsub("^https?://localhost[:%d]*", base):gsub("^https?://127%.0%.0%.1[:%d]*", base)
  end
  if job.done then
    self.job = nil
    if job.exit == 0 and p.paired then
      self.action = { name = "start", job = self.sys.engine.run("start") }
      self:goStatus("Paired! Turning background sync on...")
    else
      local last = p.lines[#p.lines] or "the engine stopped"
      last = last:gsub("^setup%.sh: ", "")
      if last:find("not entered in time") or last:find("expired") then last = "The code expired. Press A for a new one." end
      p.error = last
    end
  end
end

-- What launch.sh install-boot said, for a player.
function App.bootWords(line)
  line = line or ""
  if line:find("boot hook added") or line:find("boot hook already") then return "It starts again when the device boots." end
  if line:find("no boot hook") then return "Open RetroSync again after a restart." end
  return ""
end

function App:updateAction()
  local a = self.action
  local out = a.job.lines()
  for _, l in ipairs(out) do
    if not l:match("^EXIT ") and not l:match("^PID ") and l ~= "" then a.last = l end
  end
  if not a.job.done then return end
  self.action = nil
  if a.name == "unpair" then
    self.status = nil
    self:goFind("This device is unpaired. Its saves stay on the card and on the server.")
    return
  end
  if a.name == "start" then
    local boot = App.bootWords(a.last)
    self.msg = a.job.exit == 0 and ("Background sync is on. " .. boot) or ("Couldn't start: " .. (a.last or "see retrosync.log"))
  elseif a.name == "stop" then
    self.msg = "Background sync is off." 
  elseif a.name == "once" then
    self.msg = a.job.exit == 0 and "Synced." or a.job.exit == 3 and "Can't reach the server. Check the Wi-Fi." or "Sync finished with problems (see below)."
  end
  self.nextRead = 0
end

return App
