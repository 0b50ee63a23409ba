-- On-screen keyboard for typing a server address with the d-pad: 5 rows of 10 characters and a
-- row of 4 actions. Pure model; lib/ui.lua draws it from layout.key().
local M = {}

M.ROWS = {
  { "1", "2", "3", "4", "5", "6", "7", "8", "9", "0" },
  { "q", "w", "e", "r", "t", "y", "u", "i", "o", "p" },
  { "a", "s", "d", "f", "g", "h", "j", "k", "l", ":" },
  { "z", "x", "c", "v", "b", "n", "m", ".", "/", "-" },
  { "http://", "https://", ":3000", ".local", ".lan", "192.168.", "10.0.", "_", "~", "@" },
  { "DEL", "CLEAR", "CANCEL", "OK" },
}
M.MAX = 160

function M.new(text)
  return { text = text or "", col = 1, row = 2 }
end

local function width(row) return #M.ROWS[row] end

-- Moves the cursor; wraps around; the action row has 4 keys (columns map proportionally).
function M.move(kb, dx, dy)
  if dy ~= 0 then
    local from = kb.row
    kb.row = (kb.row - 1 + dy) % #M.ROWS + 1
    if width(from) ~= width(kb.row) then
      kb.col = math.floor((kb.col - 1) * width(kb.row) / width(from)) + 1
    end
  end
  if dx ~= 0 then kb.col = (kb.col - 1 + dx) % width(kb.row) + 1 end
  if kb.col > width(kb.row) then kb.col = width(kb.row) end
end

function M.current(kb) return M.ROWS[kb.row][kb.col] end

-- Presses the key under the cursor: returns "ok", "cancel" or nil (text changed).
function M.press(kb)
  local k = M.current(kb)
  if k == "OK" then return "ok" end
  if k == "CANCEL" then return "cancel" end
  if k == "DEL" then kb.text = kb.text:sub(1, -2); return nil end
  if k == "CLEAR" then kb.text = ""; return nil end
  if #kb.text + #k <= M.MAX then kb.text = kb.text .. k end
  return nil
end

function M.backspace(kb) kb.text = kb.text:sub(1, -2) end

-- A typed address as a server URL: adds http:// when no scheme; refuses what cannot be one.
function M.toUrl(text)
  local t = (text or ""):gsub("%s", "")
  if t == "" then return nil, "Type the server's address, e.g. 192.168.1.10:3000" end
  if not t:match("^https?://") then t = "http://" .. t end
  t = t:gsub("/+$", "")
  local host = t:match("^https?://([^/:]+)")
  if not host or host == "" or not host:match("^[%w%.%-]+$") then return nil, "That address doesn't look right" end
  local port = t:match("^https?://[^/:]+:(%d*)")
  if port and (port == "" or tonumber(port) > 65535) then return nil, "The port after ':' must be a number up to 65535" end
  return t
end

return M
