local discovery = require("lib.discovery")

describe("discovery", function()
  it("pads the probe to 512 bytes, version 1 first", function()
    local p = discovery.probe()
    assert.are.equal(512, #p)
    assert.are.equal("RETROSYNC/1 DISCOVER\n", p:sub(1, 21))
  end)

  it("parses an answer", function()
    local s = assert(discovery.parse("RETROSYNC/1 ANSWER\nname=Living room\nurl=http://192.168.1.10:3000\nversion=0.1.0\n"))
    assert.are.same({ name = "Living room", url = "http://192.168.1.10:3000", version = "0.1.0" }, s)
  end)

  it("ignores unknown keys, CRLF, a trailing slash, and keeps the first value of a key", function()
    local s = assert(discovery.parse("RETROSYNC/1 ANSWER\r\nurl=https://sync.example.net/\r\nname=A\r\nname=B\r\nfuture=1\r\nversion=2\r\n"))
    assert.are.same({ name = "A", url = "https://sync.example.net", version = "2" }, s)
  end)

  it("refuses other headers, versions and unusable URLs", function()
    assert.is_nil(discovery.parse("RETROSYNC/2 ANSWER\nname=x\nurl=http://a:1\nversion=1\n"))
    assert.is_nil(discovery.parse("HTTP/1.1 200 OK\n"))
    assert.is_nil(discovery.parse("RETROSYNC/1 ANSWER\nname=x\nversion=1\n"))
    assert.is_nil(discovery.parse("RETROSYNC/1 ANSWER\nurl=ftp://a\n"))
    assert.is_nil(discovery.parse("RETROSYNC/1 ANSWER\nurl=http://a b\n"))
    assert.is_nil(discovery.parse(""))
    assert.is_nil(discovery.parse(nil))
    assert.is_nil(discovery.parse(string.rep("x", 2000)))
  end)

  it("names a nameless server by its URL and merges answers by URL", function()
    local list = {}
    assert.is_true(discovery.merge(list, assert(discovery.parse("RETROSYNC/1 ANSWER\nurl=http://a:1\n"))))
    assert.are.equal("http://a:1", list[1].name)
    assert.is_false(discovery.merge(list, assert(discovery.parse("RETROSYNC/1 ANSWER\nname=Den\nurl=http://a:1\nversion=3\n"))))
    assert.are.equal(1, #list)
    assert.are.equal("Den", list[1].name)
  end)

  it("probes 255.255.255.255 and each local network's broadcast, unless RETROSYNC_DISCOVERY_ADDRS says otherwise", function()
    assert.are.same({ "255.255.255.255" }, discovery.addresses(function() return nil end))
    local routes = table.concat({
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
      "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
      "wlan0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
      "usb0\t0000000A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
      "lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0",
    }, "\n")
    assert.are.same({ "255.255.255.255", "192.168.1.255", "10.0.255.255" }, discovery.addresses(function() return nil end, routes))
    assert.are.same({ "127.255.255.255" }, discovery.addresses(function() return "127.255.255.255" end, routes))
    assert.are.same({ "127.255.255.255", "10.0.0.255" }, discovery.addresses(function() return "127.255.255.255, 10.0.0.255" end))
  end)

  it("sends the probe to every address and reads answers from a socket", function()
    local sent, inbox = {}, {
      "RETROSYNC/1 ANSWER\nname=A\nurl=http://a:1\nversion=1\n",
      "garbage",
      "RETROSYNC/1 ANSWER\nname=A again\nurl=http://a:1\nversion=1\n",
    }
    local fake = { udp = function()
      return {
        settimeout = function() end, setsockname = function() end, setoption = function() end, close = function() end,
        sendto = function(_, data, addr, port) sent[#sent + 1] = { #data, addr, port } return #data end,
        receivefrom = function() return table.remove(inbox, 1) end,
      }
    end }
    local l = discovery.listener(fake, { port = 4000, addresses = { "127.255.255.255", "255.255.255.255" } })
    l.send()
    assert.are.same({ { 512, "127.255.255.255", 4000 }, { 512, "255.255.255.255", 4000 } }, sent)
    local found = l.poll()
    assert.are.equal(1, #found)
    assert.are.equal("http://a:1", found[1].url)
  end)
end)
