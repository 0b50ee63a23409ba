-- RetroSync for handhelds with LÖVE 11 (PortMaster): find the server, pair with a code shown on
-- screen (and a QR code), then see what is synced. The shell engine (clients/shell) does the
-- syncing; this app starts it, reads its status file and asks it to sync now.
--
--   love <this folder> [--server URL] [--name NAME] [--root DIR] [--platform ID]
--                      [--engine DIR] [--window WxH]
-- RETROSYNC_HOME: where the engine keeps its config and state (default: <engine>/data).
local App = require("lib.app")
local UI = require("lib.ui")
local engine = require("lib.engine")
local discovery = require("lib.discovery")

local app, test

local function parseArgs(args)
  local o = {}
  local i = 1
  while args[i] do
    local a = args[i]
    local k = a:match("^%-%-(%w+)$")
    if k and args[i + 1] then o[k] = args[i + 1]; i = i + 2 else i = i + 1 end
  end
  return o
end

local function fail(msg)
  app = nil
  UI.fatal = msg
  io.stderr:write("retrosync: ", msg, "\n")
end

function love.load(args)
  local o = parseArgs(args or {})
  love.keyboard.setKeyRepeat(true)
  local size = o.window or os.getenv("RETROSYNC_WINDOW")
  if size then
    local w, h = size:match("^(%d+)x(%d+)$")
    if w then love.window.setMode(tonumber(w), tonumber(h), { resizable = true }) end
  elseif not os.getenv("DISPLAY") then
    -- On a handheld (KMS/DRM, no X): the whole screen, whatever its size.
    love.window.setMode(0, 0, { fullscreen = true })
  end
  local source = love.filesystem.getSource()
  local dir = engine.findEngine(source, o.engine or os.getenv("RETROSYNC_ENGINE"))
  if not dir then return fail("the sync engine (retrosync/daemon.sh) was not found next to the app") end
  local home = os.getenv("RETROSYNC_HOME")
  if not home or home == "" then home = dir .. "/data" end
  local ok, socket = pcall(require, "socket")
  local disc
  if ok then
    local port = tonumber(os.getenv("RETROSYNC_DISCOVERY_PORT") or "") or discovery.PORT
    local rf = io.open("/proc/net/route", "r")
    local routes = rf and rf:read("*a") or ""
    if rf then rf:close() end
    local okl, l = pcall(discovery.listener, socket, { port = port, addresses = discovery.addresses(os.getenv, routes) })
    if okl then disc = l end
  end
  local sys = {
    discovery = disc,
    engine = engine.new({ engine = dir, home = home, name = o.name, root = o.root, platform = o.platform }),
    store = engine.store(home),
    now = love.timer.getTime,
    wall = os.time,
  }
  app = App.new(sys, { server = o.server })
  local script = os.getenv("RETROSYNC_TEST_SCRIPT")
  if script and script ~= "" then test = require("lib.testinput").load(script) end
end

function love.update(dt)
  if not app then return end
  app:update(dt)
  if app.quit then love.event.quit(0) end
  if test then test:step(app, UI.shown, love.timer.getTime()) end
end

function love.draw()
  local w, h = love.graphics.getDimensions()
  if not app then
    love.graphics.clear(0.08, 0.09, 0.11)
    love.graphics.setColor(1, 0.5, 0.5)
    love.graphics.printf(UI.fatal or "", 20, h / 3, w - 40, "center")
    return
  end
  UI.draw(app, w, h)
end

-- Gamepad first (d-pad, A/B, Start/Select — "back" is Select in SDL's mapping), keyboard as the fallback.
local PAD = { dpup = "up", dpdown = "down", dpleft = "left", dpright = "right", a = "a", b = "b", start = "start", back = "select", guide = "select" }
local KEYS = { up = "up", down = "down", left = "left", right = "right", ["return"] = "a", kpenter = "a", z = "a", space = "a",
  escape = "b", x = "b", backspace = "b", s = "start", tab = "select", rshift = "select" }

function love.gamepadpressed(_, button)
  if app and PAD[button] then app:press(PAD[button]) end
end

-- Some handhelds expose the d-pad as a hat on a joystick without a gamepad mapping.
function love.joystickhat(joystick, _, dir)
  if joystick:isGamepad() or not app then return end
  local m = { u = "up", d = "down", l = "left", r = "right" }
  if m[dir] then app:press(m[dir]) end
end

function love.keypressed(key)
  if not app then if key == "escape" then love.event.quit(0) end return end
  if KEYS[key] then app:press(KEYS[key]) end
end
