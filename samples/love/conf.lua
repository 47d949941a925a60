-- LÖVE 11 configuration: a fixed-size window, no audio (CI machines have no sound card; the game is silent).
function love.conf(t)
  t.identity = "ondevicereco-shop"
  t.version = "11.4"
  t.window.title = "Pixel Arcade — level select (OnDeviceReco)"
  t.window.width = 1024
  t.window.height = 640
  t.window.vsync = 0 -- main.lua paces frames itself, so timing is the same with and without a display's vsync
  t.modules.audio = false
  t.modules.sound = false
  t.modules.joystick = false
  t.modules.physics = false
  t.modules.video = false
end
