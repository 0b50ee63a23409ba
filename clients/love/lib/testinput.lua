-- Test-only input hook: RETROSYNC_TEST_SCRIPT names a file of commands that main.lua feeds
-- through the same callbacks as real input (love.keypressed / love.gamepadpressed). It is loaded
-- only when that variable is set. One command per line (# comments):
--   key NAME                  a keyboard key (e.g. down, return, escape)
--   pad BUTTON                a gamepad button (dpup dpdown dpleft dpright a b start back)
--   wait_screen NAME [SECS]   until the app shows that screen (default 30 s)
--   wait_text TEXT [SECS]     until TEXT is drawn on screen (TEXT may not hold spaces; use _ for one)
--   sleep SECS
--   size W H                  resize the window
--   shot NAME                 screenshot to $RETROSYNC_TEST_SHOTS/NAME-<w>x<h>.png
--   quit
-- It prints "[test] …" lines (screen changes, the pairing code) for the driving test to read; a
-- wait that times out prints "[test] FAIL …" and quits with status 1.
local T = {}

function T.load(path)
  local f = assert(io.open(path, "r"), "cannot read " .. path)
  local cmds = {}
  for line in f:lines() do
    line = line:gsub("#.*$", ""):gsub("^%s+", ""):gsub("%s+$", "")
    if line ~= "" then
      local words = {}
      for w in line:gmatch("%S+") do words[#words + 1] = w end
      cmds[#cmds + 1] = words
    end
  end
  f:close()
  return setmetatable({ cmds = cmds, i = 1, started = nil, shots = os.getenv("RETROSYNC_TEST_SHOTS") or "." }, { __index = T })
end

local function say(s) io.stdout:write("[test] ", s, "\n"); io.stdout:flush() end
T.say = say

local fakePad = { getName = function() return "test pad" end, isGamepad = function() return true end }

function T:fail(why)
  say("FAIL " .. why)
  self.failed = true
  love.event.quit(1)
end

-- Runs commands until one has to wait. `app` is the app, `shown` the strings drawn last frame.
function T:step(app, shown, now)
  if app.screen ~= self.lastScreen then say("screen " .. tostring(app.screen)); self.lastScreen = app.screen end
  local code = app.pairing and app.pairing.code
  if code and code ~= self.lastCode then say("code " .. code); self.lastCode = code end
  while not self.failed and self.i <= #self.cmds do
    local c = self.cmds[self.i]
    local op = c[1]
    self.started = self.started or now
    local waited = now - self.started
    if op == "key" then love.keypressed(c[2], c[2], false)
    elseif op == "pad" then love.gamepadpressed(fakePad, c[2])
    elseif op == "sleep" then if waited < tonumber(c[2]) then return end
    elseif op == "wait_screen" then
      if app.screen ~= c[2] then
        if waited > tonumber(c[3] or 30) then return self:fail("screen " .. c[2] .. " not reached (at " .. tostring(app.screen) .. ")") end
        return
      end
    elseif op == "wait_text" then
      local want = c[2]:gsub("_", " ")
      local found = false
      for _, s in ipairs(shown) do if s:find(want, 1, true) then found = true; break end end
      if not found then
        if waited > tonumber(c[3] or 30) then return self:fail("text '" .. want .. "' not shown; shown: " .. table.concat(shown, " | ")) end
        return
      end
    elseif op == "size" then love.window.setMode(tonumber(c[2]), tonumber(c[3]), { resizable = true })
    elseif op == "shot" then
      local w, h = love.graphics.getDimensions()
      local file = self.shots .. "/" .. c[2] .. "-" .. w .. "x" .. h .. ".png"
      love.graphics.captureScreenshot(function(img)
        local data = img:encode("png")
        local out = io.open(file, "wb")
        if out then out:write(data:getString()); out:close(); say("shot " .. file) else say("FAIL cannot write " .. file) end
      end)
      self.i = self.i + 1; self.started = nil
      return -- the capture happens at the end of this frame
    elseif op == "quit" then say("done"); love.event.quit(0); self.i = #self.cmds + 1; return
    else return self:fail("unknown command " .. op) end
    self.i = self.i + 1
    self.started = nil
  end
end

return T
