-- Drives the shell engine (clients/shell: setup.sh, launch.sh, daemon.sh) — the app never syncs
-- by itself. Commands run in a LÖVE thread (io.popen there), so the screen never waits on them;
-- their output lines come back over a channel.
local M = {}

local THREAD = [[
local cmd, out = ...
local f = io.popen(cmd, "r")
if not f then out:push("EXIT 127"); out:push(false); return end
for line in f:lines() do out:push(line) end
f:close()
out:push(false)
]]

-- Single-quotes a value for sh.
function M.q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function exists(path)
  local f = io.open(path, "r")
  if f then f:close(); return true end
  return false
end

-- Where the shell engine lives: --engine / RETROSYNC_ENGINE, else beside the app (packaged:
-- <app>/retrosync; in the repo: clients/shell).
function M.findEngine(source, explicit)
  if explicit and explicit ~= "" then return exists(explicit .. "/daemon.sh") and explicit or nil end
  for _, d in ipairs({ source .. "/retrosync", source .. "/../retrosync", source .. "/../shell" }) do
    if exists(d .. "/daemon.sh") then return (d:gsub("/[^/]+/%.%./", "/")) end
  end
  return nil
end

-- A job: a shell command whose output lines arrive while the UI runs.
function M.spawn(cmd)
  local ch = love.thread.newChannel()
  local t = love.thread.newThread(THREAD)
  t:start(cmd, ch)
  local job = { done = false, exit = nil, pid = nil }
  function job.lines()
    local got = {}
    while true do
      local v = ch:pop()
      if v == nil then break end
      if v == false then job.done = true; break end
      local pid = v:match("^PID (%d+)$")
      if pid then job.pid = pid end
      local code = v:match("^EXIT (%d+)$")
      if code then job.exit = tonumber(code) end
      got[#got + 1] = v
    end
    local err = t:getError()
    if err and not job.done then job.done = true; job.exit = job.exit or 1; got[#got + 1] = "engine: " .. err end
    return got
  end
  function job.cancel()
    if job.pid then os.execute("kill " .. job.pid .. " 2>/dev/null") end
  end
  return job
end

function M.new(cfg)
  local E = { dir = cfg.engine, home = cfg.home }
  local env = "export RETROSYNC_HOME=" .. M.q(cfg.home) .. "; "
  local function sh(script, args)
    return "sh " .. M.q(E.dir .. "/" .. script) .. (args and (" " .. args) or "")
  end
  -- The command's pid first (so it can be cancelled), its output, then "EXIT <status>".
  local function wrap(cmd)
    return "sh -c " .. M.q(env .. "echo \"PID $$\"; exec " .. cmd) .. " < /dev/null 2>&1; echo \"EXIT $?\""
  end

  function E.paired()
    local f = io.open(cfg.home .. "/config", "r")
    if not f then return false end
    local text = f:read("*a"); f:close()
    return text:find("RS_API_KEY='%x+'") ~= nil
  end

  function E.pair(url)
    local args = "--server " .. M.q(url) .. " --device-code --qr"
    if cfg.name then args = args .. " --name " .. M.q(cfg.name) end
    if cfg.root then args = args .. " --root " .. M.q(cfg.root) end
    if cfg.platform then args = args .. " --platform " .. M.q(cfg.platform) end
    return M.spawn(wrap(sh("setup.sh", args)))
  end

  local ACTIONS = {
    start = function() return sh("launch.sh", "start") .. " && { " .. sh("launch.sh", "install-boot") .. " 2>&1 || true; }" end,
    stop = function() return sh("launch.sh", "stop") .. "; " .. sh("launch.sh", "remove-boot") .. " 2>&1; true" end,
    once = function() return sh("daemon.sh", "--once") end,
    unpair = function() return sh("launch.sh", "unpair") end,
  }
  function E.run(action)
    local body = ACTIONS[action]()
    -- Compound commands go through their own sh so "exec" applies to one process.
    return M.spawn("sh -c " .. M.q(env .. body) .. " < /dev/null 2>&1; echo \"EXIT $?\"")
  end

  function E.statusText()
    local f = io.open(cfg.home .. "/status", "r")
    if not f then return nil end
    local t = f:read("*a"); f:close()
    return t
  end

  -- Is the daemon with this pid alive? (/proc: no process started for it)
  function E.running(pid)
    if not pid then return false end
    local f = io.open("/proc/" .. tostring(pid) .. "/cmdline", "r")
    if not f then return false end
    local c = f:read("*a") or ""; f:close()
    return c:find("daemon.sh", 1, true) ~= nil
  end

  -- "Sync now": the trigger file, and SIGUSR1 so the daemon does not finish its nap first.
  function E.syncNow(pid)
    local f = io.open(cfg.home .. "/sync-now", "w")
    if f then f:close() end
    if pid then os.execute("kill -USR1 " .. tonumber(pid) .. " 2>/dev/null") end
  end
  return E
end

-- The app's own small settings (the chosen server) in $RETROSYNC_HOME/app.conf, key=value lines.
function M.store(home)
  local path = home .. "/app.conf"
  local S = {}
  function S.load()
    local t = {}
    local f = io.open(path, "r")
    if not f then return t end
    for line in f:lines() do
      local k, v = line:match("^([%w_]+)=(.*)$")
      if k then t[k] = v end
    end
    f:close()
    return t
  end
  function S.save(t)
    os.execute("mkdir -p " .. M.q(home))
    local tmp = path .. ".tmp"
    local f = io.open(tmp, "w")
    if not f then return false end
    for k, v in pairs(t) do f:write(k, "=", tostring(v):gsub("[\r\n]", ""), "\n") end
    f:close()
    return os.rename(tmp, path)
  end
  return S
end

return M
