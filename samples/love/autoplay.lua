-- The scripted session CI runs (love samples/love --autoplay ...): opens and plays recommended games and one
-- found by browsing, refreshes the recommendations after each action (and five times in one frame, which cancels
-- requests in flight), then checks what a player would see: the list changed, played games left it, the model
-- serves it, every event was recorded and the library never took a noticeable part of a frame. Ends with a
-- screenshot and a "N passed, N failed" line that build/native.sh adds to the C totals.
local odr = require("odr")

local Autoplay = {}
Autoplay.__index = Autoplay

local LIBRARY_BUDGET_MS = 4 -- a quarter of a 60 fps frame: the library's worst time in any one frame

function Autoplay.new(game, options)
  local self = setmetatable({ game = game, options = options, passed = 0, failed = 0, steps = {}, at = 0, wait = 0 }, Autoplay)
  local function step(name, run) self.steps[#self.steps + 1] = { name = name, run = run } end
  -- An action done once, then seconds of frames before the next step (a player's pace).
  local function act(name, seconds, action)
    local done = false
    step(name, function()
      if not done then done = true; action() end
      return self:pause(seconds)
    end)
  end
  local shop = game.shop
  -- Waits for the answer in flight; the next step starts on the frame after it arrived.
  local function answered() return not shop:refreshing() end
  step("first answer", function() return answered() end)
  step("remember the first list", function()
    self.first = game:shownIds()
    self:check(#shop.items == game.count, "first answer has %d items, wanted %d", #shop.items, game.count)
    return true
  end)
  local function openAndPlay(index)
    act("select card " .. index, 0.3, function() game.selected = index end)
    act("open card " .. index, 0.6, function() game:open() end)
    act("play card " .. index, 1.2, function() game:play() end)
    act("back to the shop", 0, function() game:back() end)
    step("answer after playing", answered)
  end
  openAndPlay(2)
  act("browse a game not recommended", 1.0, function() game:browse() end)
  act("back from browsing", 0, function() game:back() end)
  step("answer after browsing", answered)
  openAndPlay(1)
  -- A player mashing "refresh": each new request cancels and frees the one still in flight.
  act("five refreshes in one frame", 0, function() for _ = 1, 5 do shop:refresh() end end)
  step("last answer", answered)
  act("let the screen settle", 0.5, function() game.selected = 1 end)
  step("final checks", function() self:finalChecks(); return true end)
  step("screenshot", function() self:screenshot(); return true end)
  step("wait for the screenshot", function() return self.shot ~= nil end)
  step("quit", function() self:finish(); return true end)
  return self
end

function Autoplay:pause(seconds)
  self.wait = self.wait + love.timer.getDelta()
  if self.wait < seconds then return false end
  self.wait = 0
  return true
end

function Autoplay:check(ok, ...)
  if ok then self.passed = self.passed + 1 else
    self.failed = self.failed + 1
    print("FAIL autoplay: " .. string.format(...))
  end
end

-- One step per frame at most; a step returns true when done.
function Autoplay:update(dt)
  if self.finished then return end
  self.at = self.at + dt
  if self.at > self.options.timeout then
    self:check(false, "the session did not finish within %d s (step: %s)", self.options.timeout, self.steps[1] and self.steps[1].name or "?")
    return self:finish()
  end
  local current = self.steps[1]
  if current and current.run() then table.remove(self.steps, 1) end
end

function Autoplay:finalChecks()
  local game, shop = self.game, self.game.shop
  local last = game:shownIds()
  local changed = table.concat(self.first, ",") ~= table.concat(last, ",")
  print("first list: " .. table.concat(self.first, ", "))
  print("last list:  " .. table.concat(last, ", "))
  self:check(changed, "the recommendations did not change after the player's actions")
  local shown = {}
  for _, id in ipairs(last) do shown[id] = true end
  for _, id in ipairs(game.played) do self:check(not shown[id], "game %s was played and is still recommended", id) end
  local fromModel = 0
  for _, item in ipairs(shop.items) do fromModel = fromModel + (item.source == odr.ODR_SOURCE_MODEL and 1 or 0) end
  self:check(fromModel > 0, "no recommendation comes from the model after %d plays", #game.played)
  self:check(#shop.failures == 0, "%d library calls failed (first: %s)", #shop.failures, shop.failures[1] or "")
  self:check(#shop.responses >= 4, "%d answers, wanted at least 4", #shop.responses)
  self:check(shop.canceled >= 4, "%d requests canceled by newer ones, wanted at least 4", shop.canceled)
  self:check(shop.plays == 3 and shop.opens == 3, "%d plays and %d opens recorded, wanted 3 and 3", shop.plays, shop.opens)
  local ids = {}
  for _, response in ipairs(shop.responses) do ids[response.items[1].requestId] = true end
  local distinct = 0
  for _ in pairs(ids) do distinct = distinct + 1 end
  self:check(distinct == #shop.responses, "%d distinct request ids for %d answers", distinct, #shop.responses)
  self:check(shop.impressions == #shop.responses * game.count, "%d impressions for %d answers", shop.impressions, #shop.responses)
  self:check(game.worstLibraryMs < LIBRARY_BUDGET_MS, "the library took %.2f ms of one frame (budget %d ms)", game.worstLibraryMs, LIBRARY_BUDGET_MS)
  local frames = 0
  for _, response in ipairs(shop.responses) do frames = math.max(frames, response.frames) end
  print(string.format("frames: %d, worst frame %.1f ms (update + draw + present, %d over the 16.7 ms budget), worst library time in a frame %.2f ms, answers took up to %d frames",
    game.frames, game.worstFrameMs, game.slowFrames, game.worstLibraryMs, frames))
end

function Autoplay:screenshot()
  love.graphics.captureScreenshot(function(image)
    local png = image:encode("png"):getString()
    local file, err = io.open(self.options.screenshot, "wb")
    self:check(file ~= nil, "cannot write %s: %s", self.options.screenshot, tostring(err))
    if file then
      file:write(png)
      file:close()
      self:check(#png > 20000, "screenshot is only %d bytes", #png)
      print(string.format("screenshot: %s (%d bytes)", self.options.screenshot, #png))
    end
    self.shot = true
  end)
end

function Autoplay:finish()
  if self.finished then return end
  self.finished = true
  self:check(self.game.shop:close() == odr.ODR_OK, "odr_close")
  print(string.format("%d passed, %d failed", self.passed, self.failed))
  love.event.quit(self.failed == 0 and 0 or 1)
end

return Autoplay
