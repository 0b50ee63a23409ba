-- Screen layout from the window size alone (no LÖVE calls), designed at 640×480 and scaled:
-- fonts by min(w/640, h/480); wide screens put the QR beside the code, square ones below it.
-- Every screen's boxes are {x, y, w, h} in pixels; spec/layout_spec.lua checks them at 640×480,
-- 720×720 and 1024×768 (inside the screen, not overlapping, text large enough).
local M = {}

M.BASE_W, M.BASE_H = 640, 480

local function round(v) return math.floor(v + 0.5) end
local function box(x, y, w, h) return { x = round(x), y = round(y), w = round(w), h = round(h) } end

function M.compute(w, h)
  local s = math.min(w / M.BASE_W, h / M.BASE_H)
  local L = { w = w, h = h, scale = s }
  L.margin = round(16 * s)
  L.font = { title = round(28 * s), body = round(18 * s), small = round(14 * s), code = round(72 * s), key = round(20 * s) }
  local m = L.margin
  L.header = box(0, 0, w, L.font.title + 2 * m)
  L.footer = box(0, h - (L.font.small + m), w, L.font.small + m)
  L.content = box(m, L.header.h + m / 2, w - 2 * m, L.footer.y - L.header.h - m)
  local c = L.content
  L.row = round(L.font.body * 1.9)

  -- Find the server: an intro line, then the list of servers found + "Enter an address".
  L.find = { intro = box(c.x, c.y, c.w, L.font.body * 2.6) }
  L.find.list = box(c.x, L.find.intro.y + L.find.intro.h, c.w, c.y + c.h - (L.find.intro.y + L.find.intro.h))
  L.find.rows = math.max(1, math.floor(L.find.list.h / L.row))

  -- Pair: the code large, the link and time left, the QR beside (wide) or below (square).
  local wide = w / h >= 1.2
  L.pair = { wide = wide }
  if wide then
    local q = math.min(c.h, round(c.w * 0.42))
    L.pair.qr = box(c.x + c.w - q, c.y + (c.h - q) / 2, q, q)
    local tw = c.w - q - m
    L.pair.code = box(c.x, c.y + c.h * 0.12, tw, L.font.code * 1.25)
    L.pair.text = box(c.x, L.pair.code.y + L.pair.code.h + m, tw, c.y + c.h - (L.pair.code.y + L.pair.code.h + m))
  else
    L.pair.code = box(c.x, c.y, c.w, L.font.code * 1.25)
    L.pair.text = box(c.x, L.pair.code.y + L.pair.code.h, c.w, (L.font.body + L.font.small) * 1.2 * 2.6)
    local top = L.pair.text.y + L.pair.text.h + m / 2
    local q = math.min(c.w, c.y + c.h - top)
    L.pair.qr = box(c.x + (c.w - q) / 2, top, q, q)
  end

  -- Status: headline + two summary lines, the action buttons, the list of saves, the last errors.
  local st = {}
  st.summary = box(c.x, c.y, c.w, L.font.title * 1.3 + L.font.body * 3.1)
  local by = st.summary.y + st.summary.h + m / 2
  local bw = (c.w - 2 * m) / 3
  local bh = L.font.body * 2.2
  st.buttons = {}
  for i = 1, 3 do st.buttons[i] = box(c.x + (i - 1) * (bw + m), by, bw, bh) end
  st.errors = box(c.x, c.y + c.h - L.font.small * 1.6 * 3, c.w, L.font.small * 1.6 * 3)
  local ly = by + bh + m
  st.list = box(c.x, ly, c.w, st.errors.y - m / 2 - ly)
  st.rows = math.max(1, math.floor(st.list.h / round(L.font.body * 1.5)))
  st.rowH = round(L.font.body * 1.5)
  L.status = st

  -- On-screen keyboard: the text field, then 5 rows of 10 keys and a row of 4 wide keys.
  local kb = {}
  kb.field = box(c.x, c.y, c.w, L.font.body * 2.2)
  local top = kb.field.y + kb.field.h + m
  local gap = math.max(2, round(4 * s))
  local kw = math.floor((c.w - 9 * gap) / 10)
  local kh = math.floor(math.min(kw, (c.y + c.h - top - 5 * gap) / 6))
  kb.gap, kb.keyW, kb.keyH = gap, kw, kh
  kb.grid = box(c.x + (c.w - (10 * kw + 9 * gap)) / 2, top, 10 * kw + 9 * gap, 6 * kh + 5 * gap)
  L.keyboard = kb

  -- Confirm dialog (unpair).
  L.dialog = box(w * 0.12, h * 0.25, w * 0.76, h * 0.5)
  return L
end

-- The box of key (col, row) on the keyboard; the last row has 4 keys each 2.5 columns wide.
function M.key(L, col, row)
  local kb = L.keyboard
  local x0, y0 = kb.grid.x, kb.grid.y + (row - 1) * (kb.keyH + kb.gap)
  if row == 6 then
    local w4 = (kb.grid.w - 3 * kb.gap) / 4
    return box(x0 + (col - 1) * (w4 + kb.gap), y0, w4, kb.keyH)
  end
  return box(x0 + (col - 1) * (kb.keyW + kb.gap), y0, kb.keyW, kb.keyH)
end

-- Is box a inside box b?
function M.inside(a, b) return a.x >= b.x and a.y >= b.y and a.x + a.w <= b.x + b.w and a.y + a.h <= b.y + b.h end
-- Do two boxes overlap?
function M.overlap(a, b) return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h end

return M
