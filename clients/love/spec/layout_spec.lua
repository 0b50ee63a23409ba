local layout = require("lib.layout")
local keyboard = require("lib.keyboard")

local SIZES = { { 640, 480 }, { 720, 720 }, { 1024, 768 }, { 480, 320 }, { 1280, 720 } }

for _, size in ipairs(SIZES) do
  local w, h = size[1], size[2]
  describe("layout at " .. w .. "x" .. h, function()
    local L = layout.compute(w, h)
    local screen = { x = 0, y = 0, w = w, h = h }

    it("keeps header, content and footer inside the screen, in order, apart", function()
      for _, b in ipairs({ L.header, L.content, L.footer }) do assert.is_true(layout.inside(b, screen)) end
      assert.is_false(layout.overlap(L.header, L.content))
      assert.is_false(layout.overlap(L.content, L.footer))
    end)

    it("uses fonts a handheld screen can show (body >= 11 px at the smallest, larger as it grows)", function()
      assert.is_true(L.font.body >= math.floor(11 * math.min(w / 640, h / 480) / 0.75 * 0.75))
      if w >= 640 and h >= 480 then assert.is_true(L.font.body >= 18) end
      assert.is_true(L.font.code > L.font.title and L.font.title > L.font.body and L.font.body > L.font.small)
    end)

    it("pair screen: code, text and QR inside the content, not overlapping; the QR large enough to scan", function()
      local P = L.pair
      for _, b in ipairs({ P.code, P.text, P.qr }) do assert.is_true(layout.inside(b, L.content), "outside: " .. b.x .. "," .. b.y .. " " .. b.w .. "x" .. b.h) end
      assert.is_false(layout.overlap(P.code, P.qr))
      assert.is_false(layout.overlap(P.text, P.qr))
      assert.is_false(layout.overlap(P.code, P.text))
      assert.are.equal(P.qr.w, P.qr.h)
      assert.is_true(P.qr.w >= 0.3 * math.min(w, h), "QR " .. P.qr.w)
      -- "123 456" fits its box (digits are ~0.64 em wide in LÖVE's default font, a space ~0.32 em)
      assert.is_true((6 * 0.65 + 0.35) * L.font.code <= P.code.w)
      assert.are.equal(w / h >= 1.2, P.wide)
    end)

    it("status screen: summary, three buttons, list and errors stacked inside the content", function()
      local S = L.status
      local parts = { S.summary, S.buttons[1], S.buttons[2], S.buttons[3], S.list, S.errors }
      for _, b in ipairs(parts) do assert.is_true(layout.inside(b, L.content)) end
      for i = 1, #parts do for j = i + 1, #parts do assert.is_false(layout.overlap(parts[i], parts[j]), i .. " overlaps " .. j) end end
      assert.is_true(S.rows >= 3)
    end)

    it("keyboard: every key inside the content, none overlapping, each at least 24 px at 640x480 and up", function()
      local keys = {}
      for row = 1, #keyboard.ROWS do for col = 1, #keyboard.ROWS[row] do keys[#keys + 1] = layout.key(L, col, row) end end
      for i, k in ipairs(keys) do
        assert.is_true(layout.inside(k, L.content))
        assert.is_false(layout.overlap(k, L.keyboard.field))
        for j = i + 1, #keys do assert.is_false(layout.overlap(k, keys[j])) end
        if w >= 640 and h >= 480 then assert.is_true(k.w >= 24 and k.h >= 24) end
      end
    end)

    it("find screen: at least 3 rows of servers fit", function()
      assert.is_true(L.find.rows >= 3)
      assert.is_true(layout.inside(L.find.list, L.content))
    end)
  end)
end

describe("keyboard model", function()
  it("moves with wrap-around, maps columns onto the 4-key row, presses keys and actions", function()
    local kb = keyboard.new("")
    keyboard.move(kb, 0, -1)
    assert.are.equal("1", keyboard.current(kb))
    keyboard.move(kb, -1, 0)
    assert.are.equal("0", keyboard.current(kb))
    keyboard.move(kb, 0, -1)
    assert.are.equal("OK", keyboard.current(kb))
    assert.are.equal("ok", keyboard.press(kb))
    keyboard.move(kb, 1, 0)
    assert.are.equal("DEL", keyboard.current(kb))
    keyboard.move(kb, 0, -1); keyboard.press(kb)
    assert.are.equal("http://", kb.text)
  end)

  it("turns typed text into a URL or a reason", function()
    assert.are.equal("http://192.168.1.10:3000", keyboard.toUrl("192.168.1.10:3000"))
    assert.are.equal("https://sync.example.net", keyboard.toUrl("https://sync.example.net/"))
    assert.is_nil(keyboard.toUrl(""))
    assert.is_nil(keyboard.toUrl("http://"))
    assert.is_nil(keyboard.toUrl("host:99999"))
    assert.is_nil(keyboard.toUrl("ho st@x"))
  end)
end)
