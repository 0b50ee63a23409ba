-- Draws the app's screens from its state (lib/app.lua) and the layout (lib/layout.lua).
local layout = require("lib.layout")
local keyboard = require("lib.keyboard")
local statusfile = require("lib.statusfile")

local UI = { fonts = {}, shown = {} }

local C = {
  bg = { 0.08, 0.09, 0.11 }, bar = { 0.13, 0.15, 0.19 }, text = { 0.92, 0.93, 0.95 }, dim = { 0.62, 0.66, 0.73 },
  accent = { 0.49, 0.77, 1 }, sel = { 0.18, 0.36, 0.75 }, ok = { 0.42, 0.84, 0.54 }, warn = { 0.95, 0.71, 0.35 },
  bad = { 1, 0.48, 0.48 }, key = { 0.17, 0.19, 0.24 }, white = { 1, 1, 1 },
}
UI.colors = C

local function font(size)
  size = math.max(8, size)
  if not UI.fonts[size] then UI.fonts[size] = love.graphics.newFont(size) end
  return UI.fonts[size]
end

-- Every string drawn this frame (the test hook waits for text on screen through it).
local function text(s, x, y, limit, align, f, color)
  s = tostring(s)
  UI.shown[#UI.shown + 1] = s
  love.graphics.setFont(f)
  love.graphics.setColor(color or C.text)
  if limit then love.graphics.printf(s, x, y, limit, align or "left") else love.graphics.print(s, x, y) end
end

-- Shortens a string until it fits `w` pixels in font f (adds "...").
local function fit(s, f, w)
  if f:getWidth(s) <= w then return s end
  while #s > 1 and f:getWidth(s .. "...") > w do s = s:sub(1, -2) end
  return s .. "..."
end

local function rect(b, color, mode, r)
  love.graphics.setColor(color)
  love.graphics.rectangle(mode or "fill", b.x, b.y, b.w, b.h, r or 0, r or 0)
end

local TITLES = { find = "Find your server", keyboard = "Server address", pair = "Pair this device", status = "Sync status", confirm = "Unpair" }
local HELP = {
  find = "A choose    SELECT type an address    B quit",
  keyboard = "A type    B delete    START done    SELECT cancel",
  pair = "B back",
  status = "< > choose    A do it    ^ v scroll    START sync now    B quit",
  confirm = "A unpair    B cancel",
}

local function frame(app, L)
  love.graphics.clear(C.bg)
  rect(L.header, C.bar)
  local m = L.margin
  text("RetroSync", m, m, nil, nil, font(L.font.title), C.accent)
  local sub = TITLES[app.screen] or ""
  local fs = font(L.font.body)
  text(sub, L.w / 2, L.header.h / 2 - fs:getHeight() / 2, L.w / 2 - m, "right", fs, C.dim)
  rect(L.footer, C.bar)
  local help = HELP[app.screen] or ""
  if app.screen == "pair" and app.pairing and app.pairing.error then help = "A new code    B back" end
  text(help, m, L.footer.y + (L.footer.h - font(L.font.small):getHeight()) / 2, L.w - 2 * m, "center", font(L.font.small), C.dim)
end

function UI.find(app, L)
  local F = L.find
  local fb, fs = font(L.font.body), font(L.font.small)
  local intro = app.msg
  if not intro then
    if app.sys.discovery then
      intro = #app.servers == 0 and "Looking for RetroSync servers on this network..." or ("Found " .. #app.servers .. " server" .. (#app.servers == 1 and "" or "s") .. " on this network. Pick yours:")
    else
      intro = "This device can't search the network; enter the server's address."
    end
  end
  text(intro, F.intro.x, F.intro.y, F.intro.w, "left", fb, C.text)
  local items = app:findItems()
  local first = math.max(1, math.min(app.sel - F.rows + 1, #items - F.rows + 1))
  for i = first, math.min(#items, first + F.rows - 1) do
    local it = items[i]
    local r = { x = F.list.x, y = F.list.y + (i - first) * L.row, w = F.list.w, h = L.row - 4 }
    if i == app.sel then rect(r, C.sel, "fill", 6) end
    local ty = r.y + (r.h - fb:getHeight()) / 2
    local lw = math.floor(r.w * 0.45)
    text(fit(it.label, fb, lw - L.margin), r.x + L.margin / 2, ty, nil, nil, fb, it.manual and C.accent or C.text)
    local d = fit(it.detail or "", fs, r.w - lw - L.margin)
    text(d, r.x + lw, r.y + (r.h - fs:getHeight()) / 2, r.w - lw - L.margin / 2, "right", fs, i == app.sel and C.text or C.dim)
  end
end

function UI.keyboard(app, L)
  local kb, K = app.kb, L.keyboard
  local fb, fk, fs = font(L.font.body), font(L.font.key), font(L.font.small)
  rect(K.field, C.key, "fill", 6)
  local shown = fit(kb.text, fb, K.field.w - 2 * L.margin)
  local blink = (love.timer.getTime() % 1) < 0.6 and "_" or ""
  text(shown .. blink, K.field.x + L.margin / 2, K.field.y + (K.field.h - fb:getHeight()) / 2, nil, nil, fb, C.text)
  if app.msg then text(app.msg, K.field.x, K.field.y + K.field.h + 2, K.field.w, "right", fs, C.bad) end
  for row = 1, #keyboard.ROWS do
    for col = 1, #keyboard.ROWS[row] do
      local b = layout.key(L, col, row)
      local on = row == kb.row and col == kb.col
      rect(b, on and C.sel or C.key, "fill", 5)
      local label = keyboard.ROWS[row][col]
      local f, size = fk, L.font.key
      while f:getWidth(label) > b.w - 4 and size > 8 do size = size - 1; f = font(size) end
      text(fit(label, f, b.w - 2), b.x, b.y + (b.h - f:getHeight()) / 2, b.w, "center", f, on and C.white or C.text)
    end
  end
end

function UI.pair(app, L)
  local P, p = L.pair, app.pairing
  local fb, fs, fc = font(L.font.body), font(L.font.small), font(L.font.code)
  if p.error then
    text("Pairing didn't work", P.code.x, P.code.y, P.code.w, "left", font(L.font.title), C.bad)
    text(p.error, P.text.x, P.text.y - L.font.code * 0.5, P.text.w, "left", fb, C.text)
    return
  end
  if not p.code then
    text("Asking " .. (app.prefs.server or "the server") .. " for a code...", P.code.x, P.code.y, P.code.w, "left", fb, C.text)
    return
  end
  local shownCode = p.code:sub(1, 3) .. " " .. p.code:sub(4)
  text(shownCode, P.code.x, P.code.y, P.code.w, P.wide and "left" or "center", fc, C.white)
  local lines = {
    { "On your phone or computer, open", fb, C.text },
    { p.link and p.link:gsub("%?code=.*$", "") or app.prefs.server, fs, C.accent },
    { "and enter this code" .. (p.qr and " - or scan the QR code with your phone." or "."), fb, C.text },
  }
  local left = app:timeLeft()
  if left then
    local mm, ss = math.floor(left / 60), math.floor(left % 60)
    lines[#lines + 1] = { left > 0 and string.format("Code expires in %d:%02d", mm, ss) or "The code expired", fs, left > 60 and C.dim or C.warn }
  end
  local y = P.text.y
  for _, l in ipairs(lines) do
    local _, wrapped = l[2]:getWrap(l[1], P.text.w)
    text(l[1], P.text.x, y, P.text.w, P.wide and "left" or "center", l[2], l[3])
    y = y + l[2]:getHeight() * (#wrapped + 0.3)
  end
  if p.qr then
    if not p.image and love.data then
      local b64 = p.qr:match("^data:image/png;base64,(.+)$")
      if b64 then
        local ok, img = pcall(function()
          local bytes = love.data.decode("string", "base64", b64)
          local image = love.graphics.newImage(love.image.newImageData(love.filesystem.newFileData(bytes, "qr.png")))
          image:setFilter("nearest", "nearest")
          return image
        end)
        p.image = ok and img or false
      else
        p.image = false
      end
    end
    if p.image then
      rect(P.qr, C.white, "fill", 4)
      local iw = p.image:getWidth()
      local q = P.qr.w - 2 * math.floor(L.margin / 2)
      local sc = q / iw
      love.graphics.setColor(1, 1, 1)
      love.graphics.draw(p.image, P.qr.x + (P.qr.w - iw * sc) / 2, P.qr.y + (P.qr.h - iw * sc) / 2, 0, sc, sc)
    end
  end
end

local STATE_COLOR = { synced = C.ok, pending = C.warn, conflict = C.warn, skipped = C.dim }

function UI.status(app, L)
  local S, st = L.status, app.status
  local fb, fs, ft = font(L.font.body), font(L.font.small), font(L.font.title)
  local now = app.sys.wall()
  local running = app:running()
  if not st then
    text("Waiting for the sync engine...", S.summary.x, S.summary.y, S.summary.w, "left", fb, C.text)
  else
    local head = statusfile.headline(st, running)
    local hc = head == "Up to date" and C.ok or (head:find("Offline") or head:find("no longer")) and C.bad or C.warn
    text(head, S.summary.x, S.summary.y, S.summary.w, "left", ft, hc)
    local c = statusfile.counts(st)
    local y = S.summary.y + ft:getHeight() * 1.3
    text(fit("Last sync: " .. statusfile.ago(st.lastSync, now) .. "   " .. (st.device or "") .. " on " .. (st.server or ""), fb, S.summary.w), S.summary.x, y, nil, nil, fb, C.text)
    y = y + fb:getHeight() * 1.4
    text(string.format("%d in sync   %d to upload   %d to download%s", c.synced, c.up, c.down,
      c.conflict > 0 and ("   " .. c.conflict .. " conflict" .. (c.conflict == 1 and "" or "s")) or ""), S.summary.x, y, S.summary.w, "left", fb, C.dim)
  end
  local labels = { "Sync now", "Background: " .. (running and "On" or "Off"), "Unpair" }
  for i, b in ipairs(S.buttons) do
    local on = app.button == i and app.screen == "status"
    rect(b, on and C.sel or C.key, "fill", 6)
    text(fit(labels[i], fb, b.w - 8), b.x, b.y + (b.h - fb:getHeight()) / 2, b.w, "center", fb, on and C.white or C.text)
  end
  -- The saves, grouped by system.
  local rows = {}
  if st then
    for _, g in ipairs(statusfile.bySystem(st)) do
      rows[#rows + 1] = { header = g.name .. "  (" .. #g.saves .. ")" }
      for _, s in ipairs(g.saves) do rows[#rows + 1] = { save = s } end
    end
    if #st.skipped > 0 then
      rows[#rows + 1] = { header = "Not synced (" .. #st.skipped .. ")" }
      for _, k in ipairs(st.skipped) do rows[#rows + 1] = { skipped = k } end
    end
  end
  if #rows == 0 then
    text(st and "No saves found on this device yet." or "", S.list.x, S.list.y, S.list.w, "left", fb, C.dim)
  end
  app.scroll = math.max(0, math.min(app.scroll or 0, #rows - S.rows))
  for i = 1, math.min(S.rows, #rows - app.scroll) do
    local r = rows[i + app.scroll]
    local y = S.list.y + (i - 1) * S.rowH
    if r.header then
      text(r.header:upper(), S.list.x, y + (S.rowH - fs:getHeight()) / 2, nil, nil, fs, C.accent)
    elseif r.save then
      local s = r.save
      local words = statusfile.stateWords(s)
      local ww = math.min(fs:getWidth(words), S.list.w * 0.55)
      text(fit(s.game .. "  (" .. statusfile.kindName(s.kind) .. ")", fb, S.list.w - ww - 3 * L.margin), S.list.x + L.margin, y, nil, nil, fb, C.text)
      text(fit(words, fs, S.list.w * 0.55), S.list.x, y + (fb:getHeight() - fs:getHeight()) / 2, S.list.w, "right", fs, STATE_COLOR[s.state] or C.text)
    else
      local k = r.skipped
      local name = k.path:match("([^/]+)$") or k.path
      text(fit(name .. ": " .. k.reason, fs, S.list.w - L.margin), S.list.x + L.margin, y, nil, nil, fs, C.dim)
    end
  end
  -- The action message, then the last errors in words.
  local y = S.errors.y
  local lineH = fs:getHeight() * 1.5
  if app.msg then
    text(fit(app.msg, fs, S.errors.w), S.errors.x, y, nil, nil, fs, C.accent); y = y + lineH
  end
  if st then
    for _, e in ipairs(statusfile.lastErrors(st, app.msg and 2 or 3)) do
      text(fit(e.words, fs, S.errors.w), S.errors.x, y, nil, nil, fs, C.bad); y = y + lineH
    end
  end
end

function UI.confirm(app, L)
  UI.status(app, L)
  love.graphics.setColor(0, 0, 0, 0.6)
  love.graphics.rectangle("fill", 0, 0, L.w, L.h)
  local D = L.dialog
  rect(D, C.bar, "fill", 10)
  local ft, fb, fs = font(L.font.title), font(L.font.body), font(L.font.small)
  local m = L.margin
  text("Unpair this device?", D.x + m, D.y + m, D.w - 2 * m, "center", ft, C.text)
  text("Background sync stops and the key is removed from this device. Your saves stay on the card and on the server. Remove the device in the dashboard too.",
    D.x + m, D.y + m + ft:getHeight() * 1.5, D.w - 2 * m, "center", fb, C.dim)
  text("A unpair      B cancel", D.x + m, D.y + D.h - m - fs:getHeight(), D.w - 2 * m, "center", fs, C.accent)
end

function UI.draw(app, w, h)
  UI.shown = {}
  local L = UI.layoutFor(w, h)
  frame(app, L)
  local f = UI[app.screen]
  if f then f(app, L) end
end

function UI.layoutFor(w, h)
  if not UI.L or UI.L.w ~= w or UI.L.h ~= h then UI.L = layout.compute(w, h) end
  return UI.L
end

return UI
