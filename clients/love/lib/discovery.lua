-- LAN discovery client (docs/discovery.md, format version 1): builds the probe, parses answers,
-- and asks the network through a UDP socket (LuaSocket, bundled with LÖVE). Pure functions first
-- so they can be tested without a network.
local M = {}

M.VERSION = 1
M.PORT = 47624
M.PROBE_MIN = 512
M.ANSWER_HEADER = "RETROSYNC/1 ANSWER"

-- "RETROSYNC/1 DISCOVER\n" padded to PROBE_MIN bytes (servers ignore shorter probes).
function M.probe()
  local head = "RETROSYNC/" .. M.VERSION .. " DISCOVER\n"
  return head .. string.rep(" ", M.PROBE_MIN - #head)
end

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- Parses one answer. Returns {name=, url=, version=} or nil, reason. Unknown keys are ignored;
-- a URL must be http(s)://host[:port] with an optional path and no spaces.
function M.parse(text)
  if type(text) ~= "string" or #text == 0 then return nil, "empty" end
  if #text > 1500 then return nil, "too long" end
  local lines = {}
  for line in (text:gsub("\r", "") .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  if lines[1] ~= M.ANSWER_HEADER then return nil, "not a RetroSync answer" end
  local fields = {}
  for i = 2, #lines do
    local k, v = lines[i]:match("^([%w_]+)=(.*)$")
    if k and (k == "name" or k == "url" or k == "version") and not fields[k] then fields[k] = trim(v) end
  end
  local url = fields.url
  if not url or not url:match("^https?://[%w%.%-%[%]:]+[^%s]*$") then return nil, "no usable url" end
  url = url:gsub("/+$", "")
  local name = fields.name
  if not name or name == "" then name = url end
  name = name:gsub("%c", " "):sub(1, 64)
  return { name = name, url = url, version = (fields.version or "?"):gsub("%c", ""):sub(1, 32) }
end

-- Adds an answer to a list of servers (deduplicated by URL, in order of arrival).
function M.merge(list, server)
  for _, s in ipairs(list) do
    if s.url == server.url then s.name, s.version = server.name, server.version; return false end
  end
  list[#list + 1] = server
  return true
end

-- Directed broadcast addresses of the local networks from /proc/net/route (destination and mask
-- are little-endian hex): some Wi-Fi stacks drop 255.255.255.255 without a default route.
function M.routeBroadcasts(text)
  local out, seen = {}, {}
  for line in (text or ""):gmatch("[^\n]+") do
    local iface, dest, mask = line:match("^(%S+)%s+(%x%x%x%x%x%x%x%x)%s+%x+%s+%x+%s+%S+%s+%S+%s+%S+%s+(%x%x%x%x%x%x%x%x)")
    if iface and iface ~= "lo" and dest ~= "00000000" and mask ~= "00000000" then
      local b = {}
      for i = 4, 1, -1 do
        local d = tonumber(dest:sub(2 * i - 1, 2 * i), 16)
        local m = tonumber(mask:sub(2 * i - 1, 2 * i), 16)
        b[#b + 1] = d + (255 - m)  -- d has no bits outside m on a network route
      end
      local addr = string.format("%d.%d.%d.%d", b[1], b[2], b[3], b[4])
      if not seen[addr] then seen[addr] = true; out[#out + 1] = addr end
    end
  end
  return out
end

-- The addresses to probe: RETROSYNC_DISCOVERY_ADDRS (comma separated), else 255.255.255.255 and
-- each local network's own broadcast address.
function M.addresses(env, routeText)
  local v = env and env("RETROSYNC_DISCOVERY_ADDRS")
  local out = {}
  if v and v ~= "" then
    for a in v:gmatch("[^,%s]+") do out[#out + 1] = a end
    return out
  end
  out[1] = "255.255.255.255"
  for _, a in ipairs(M.routeBroadcasts(routeText)) do out[#out + 1] = a end
  return out
end

-- A listener: probe() sends, poll() returns newly found servers. `socket` is LuaSocket.
function M.listener(socket, opts)
  opts = opts or {}
  local udp = socket.udp()
  udp:settimeout(0)
  udp:setsockname("*", 0)
  udp:setoption("broadcast", true)
  local self = { servers = {}, errors = {} }
  function self.send()
    for _, addr in ipairs(opts.addresses or { "255.255.255.255" }) do
      local ok, err = udp:sendto(M.probe(), addr, opts.port or M.PORT)
      if not ok then self.errors[addr] = err end
    end
  end
  function self.poll()
    local found = {}
    for _ = 1, 32 do
      local data = udp:receivefrom()
      if not data then break end
      local s = M.parse(data)
      if s and M.merge(self.servers, s) then found[#found + 1] = s end
    end
    return found
  end
  function self.close() udp:close() end
  return self
end

return M
