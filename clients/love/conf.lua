-- LÖVE 11.x configuration. The window starts at 640×480 (Miyoo Mini/Flip/A30, RG35XX family);
-- main.lua switches to the screen's own size on a handheld (fullscreen) or to --window WxH.
function love.conf(t)
  t.identity = "retrosync"
  t.version = "11.4"
  t.console = false
  t.window.title = "RetroSync"
  t.window.width = 640
  t.window.height = 480
  t.window.resizable = true
  t.window.vsync = 1
  t.modules.audio = false
  t.modules.sound = false
  t.modules.physics = false
  t.modules.video = false
  t.modules.touch = false
end
