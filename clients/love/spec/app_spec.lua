local App = require("lib.app")

-- A job whose output the test feeds.
local function fakeJob()
  local j = { done = false, exit = nil, queue = {}, cancelled = false }
  function j.lines() local q = j.queue; j.queue = {}; return q end
  function j.cancel() j.cancelled = true end
  function j.feed(...) for _, l in ipairs({ ... }) do j.queue[#j.queue + 1] = l end end
  function j.finish(code) j.feed("EXIT " .. code); j.exit = code; j.done = true end
  return j
end

local function fakeSys(opts)
  opts = opts or {}
  local sys = { t = 0, saved = nil, jobs = {}, probes = 0, answers = {}, synced = {} }
  sys.now = function() return sys.t end
  sys.wall = function() return 1700000000 + sys.t end
  sys.store = { load = function() return opts.prefs or {} end, save = function(t) sys.saved = { server = t.server } end }
  sys.discovery = {
    send = function() sys.probes = sys.probes + 1 end,
    poll = function() local a = sys.answers; sys.answers = {}; return a end,
  }
  sys.engine = {
    paired = function() return opts.paired or false end,
    pair = function(url) local j = fakeJob(); j.url = url; sys.jobs[#sys.jobs + 1] = { "pair", j }; return j end,
    run = function(action) local j = fakeJob(); sys.jobs[#sys.jobs + 1] = { action, j }; return j end,
    statusText = function() return opts.status end,
    running = function(pid) return pid == 77 and opts.running ~= false end,
    syncNow = function(pid) sys.synced[#sys.synced + 1] = pid end,
  }
  return sys
end

local function lastJob(sys, name)
  for i = #sys.jobs, 1, -1 do if sys.jobs[i][1] == name then return sys.jobs[i][2] end end
end

describe("app state machine", function()
  it("starts on the find screen, probes every 2 s and lists what answers", function()
    local sys = fakeSys()
    local app = App.new(sys)
    assert.are.equal("find", app.screen)
    app:update(0)
    assert.are.equal(1, sys.probes)
    sys.t = 1; app:update(1)
    assert.are.equal(1, sys.probes)
    sys.answers = { { name = "Den", url = "http://10.0.0.2:3000", version = "0.1.0" } }
    sys.t = 2.1; app:update(1.1)
    assert.are.equal(2, sys.probes)
    local items = app:findItems()
    assert.are.equal(2, #items)
    assert.are.equal("Den", items[1].label)
    assert.is_true(items[2].manual)
  end)

  it("pairs with a discovered server: code, QR, time left from the server's clock, then status", function()
    local sys = fakeSys({ status = "retrosync-status\t1\nstate\tidle\npid\t77\n" })
    local app = App.new(sys)
    sys.answers = { { name = "Den", url = "http://10.0.0.2:3000", version = "0.1.0" } }
    app:update(0)
    app:press("a")
    assert.are.equal("pair", app.screen)
    assert.are.same({ server = "http://10.0.0.2:3000" }, sys.saved)
    local job = lastJob(sys, "pair")
    assert.are.equal("http://10.0.0.2:3000", job.url)
    -- The device's clock is years off; the code still has 15 minutes by the server's clock.
    sys.t = 100
    job.feed("PID 99", "", "  Enter this code in the RetroSync dashboard:  123456", "CODE 123456", "LINK http://10.0.0.2:3000/link?code=123456",
      "EXPIRES 2026-12-02T16:00:00.000Z", "SERVERTIME " .. ((App.isoToEpoch("2026-12-02T15:45:00Z")) * 1000), "QR data:image/png;base64,AAAA")
    app:update(0)
    assert.are.equal("123456", app.pairing.code)
    assert.are.equal("data:image/png;base64,AAAA", app.pairing.qr)
    assert.are.equal(900, app:timeLeft())
    sys.t = 160; app:update(0)
    assert.are.equal(840, app:timeLeft())
    job.feed("PAIRED Mini"); job.finish(0)
    app:update(0)
    assert.are.equal("status", app.screen)
    assert.is_not_nil(lastJob(sys, "start"))
  end)

  it("shows why pairing failed and asks for a new code with A; B cancels back to find", function()
    local sys = fakeSys()
    local app = App.new(sys, { server = "http://s:1" })
    assert.are.equal("pair", app.screen)
    local job = lastJob(sys, "pair")
    job.feed("setup.sh: could not get a code: Too many device codes requested from this address. (429)"); job.finish(1)
    app:update(0)
    assert.truthy(app.pairing.error:find("Too many"))
    app:press("a")
    assert.are_not.equal(job, lastJob(sys, "pair"))
    local again = lastJob(sys, "pair")
    app:press("b")
    assert.is_true(again.cancelled)
    assert.are.equal("find", app.screen)
  end)

  it("types an address on the on-screen keyboard and refuses a bad one", function()
    local sys = fakeSys()
    local app = App.new(sys)
    app:press("select")
    assert.are.equal("keyboard", app.screen)
    assert.are.equal("http://", app.kb.text)
    -- row 1 col 1 is "1": up from row 2, then A
    app:press("up"); app:press("a")
    assert.are.equal("http://1", app.kb.text)
    app:press("b"); app:press("b"); app:press("b"); app:press("b"); app:press("b"); app:press("b"); app:press("b"); app:press("b")
    assert.are.equal("", app.kb.text)
    app:press("start")
    assert.are.equal("keyboard", app.screen)
    assert.truthy(app.msg)
    for _, k in ipairs({ "1", "0", ".", "0", ".", "0", ".", "2", ":", "3", "0", "0", "0" }) do app.kb.text = app.kb.text .. k end
    app:press("start")
    assert.are.equal("pair", app.screen)
    assert.are.same({ server = "http://10.0.0.2:3000" }, sys.saved)
  end)

  it("remembers the last server", function()
    local app = App.new(fakeSys({ prefs = { server = "http://old:3000" } }))
    local items = app:findItems()
    assert.are.equal("http://old:3000", items[1].url)
    assert.are.equal("Last used", items[1].label)
  end)

  it("opens on status when paired; sync now, background off/on, unpair with confirmation", function()
    local sys = fakeSys({ paired = true, status = "retrosync-status\t1\nstate\tidle\npid\t77\n" })
    local app = App.new(sys)
    assert.are.equal("status", app.screen)
    assert.is_true(app:running())
    app:press("a") -- Sync now
    assert.are.same({ 77 }, sys.synced)
    app:press("right"); app:press("a") -- Background: off
    local stop = lastJob(sys, "stop")
    assert.is_not_nil(stop)
    stop.feed("stopped"); stop.finish(0); app:update(0)
    assert.truthy(app.msg:find("off"))
    app:press("right"); app:press("a")
    assert.are.equal("confirm", app.screen)
    app:press("b")
    assert.are.equal("status", app.screen)
    assert.is_nil(lastJob(sys, "unpair"))
    app:press("a"); app:press("a")
    local un = lastJob(sys, "unpair")
    un.feed("unpaired"); un.finish(0); app:update(0)
    assert.are.equal("find", app.screen)
  end)

  it("runs one pass when background sync is off, and words the boot hook", function()
    local sys = fakeSys({ paired = true, status = "retrosync-status\t1\nstate\tstopped\npid\t77\n" })
    local app = App.new(sys)
    assert.is_false(app:running())
    app:press("start")
    local once = lastJob(sys, "once")
    assert.is_not_nil(once)
    once.finish(3); app:update(0)
    assert.truthy(app.msg:find("Can't reach"))
    app:press("right"); app:press("a")
    local start = lastJob(sys, "start")
    start.feed("started (pid 77)", "boot hook added to /userdata/system/custom.sh"); start.finish(0); app:update(0)
    assert.truthy(app.msg:find("starts again when the device boots"))
    assert.are.equal("Open RetroSync again after a restart.", App.bootWords("no boot hook for onion: start RetroSync from its app/launcher"))
  end)

  it("converts ISO times to epoch seconds without the local time zone", function()
    assert.are.equal(0, App.isoToEpoch("1970-01-01T00:00:00.000Z"))
    assert.are.equal(951782400, App.isoToEpoch("2000-02-29T00:00:00Z"))
    assert.are.equal(1764690300, App.isoToEpoch("2025-12-02T15:45:00.123Z"))
    assert.is_nil(App.isoToEpoch("yesterday"))
  end)
end)
