-- The scripted session CI runs (love samples/love --autoplay ...): starts as a brand-new player on the onboarding
-- screen (asks the library what a player with no answers would be recommended, answers the six questions with keys
-- and one click, then checks the first recommendations use the answers), opens and plays recommended games and one
-- found by browsing, refreshes the recommendations after each action (and five times in one frame, which cancels
-- requests in flight), then checks what a player would see: the list changed, played games left it, the model
-- serves it, every event was recorded and the library never took a noticeable part of a frame. Ends with a
-- screenshot and a "N passed, N failed" line that build/native.sh adds to the C totals.
local odr = require("odr")
local Onboarding = require("onboarding")
local view = require("view")

local Autoplay = {}
Autoplay.__index = Autoplay

local LIBRARY_BUDGET_MS = 4 -- a quarter of a 60 fps frame: the library's worst time in any one frame

function Autoplay.new(game, options)
  local self = setmetatable({ game = game, options = options, passed = 0, failed = 0, steps = {}, at = 0, wait = 0, shots = {} }, Autoplay)
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
  step("recommendations before any onboarding answer", function() return self:probeCold() end)
  step("the onboarding questions", function() self:checkQuestions(); return true end)
  -- Liked, never played, not for me (a click on its button), liked, never played, liked; the screen pictured halfway.
  local onboardingShot = options.screenshot:gsub("%.png$", "") .. "-onboarding.png"
  for index, how in ipairs({ "l", "n", "click", "l", "n", "l" }) do
    if index == 4 then
      step("onboarding screenshot", function() self:screenshot(onboardingShot); return true end)
      step("wait for the onboarding screenshot", function() return self.shots[onboardingShot] end)
    end
    act("onboarding answer " .. index .. " (" .. how .. ")", 0.4, function()
      if how == "click" then
        local x, y, w, h = Onboarding.button(2)
        game:click(x + w / 2, y + h / 2)
      else
        game:answer(Onboarding.choiceForKey(how))
      end
    end)
  end
  step("first answer", function() return answered() end)
  step("remember the first list", function()
    self.first = game:shownIds()
    self:check(#shop.items == game.count, "first answer has %d items, wanted %d", #shop.items, game.count)
    self:checkAfterOnboarding()
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
  step("screenshot", function() self:screenshot(options.screenshot); return true end)
  step("wait for the screenshot", function() return self.shots[options.screenshot] end)
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

-- What the library recommends the player before any answer, asked with the poll API like the shop does but never
-- shown (so no impression is recorded): the list the answers must change.
function Autoplay:probeCold()
  local game = self.game
  if not self.coldRequest then
    self:check(game.screen == "onboarding", "a brand-new player starts on %s, not on the onboarding screen", game.screen)
    local request, _, message = odr.start(game.shop.client, game.user, game.count)
    if not request then
      self:check(false, "odr_recommend_start before onboarding: %s", message)
      self.cold = {}
      return true
    end
    self.coldRequest = request
  end
  local items, _, message = self.coldRequest:poll()
  if items == false then return false end
  self.coldRequest:free()
  self:check(items ~= nil, "recommendations before onboarding failed: %s", tostring(message))
  self.cold = items or {}
  return true
end

local function ids(items)
  local list = {}
  for _, item in ipairs(items) do list[#list + 1] = item.id end
  return list
end

local function contains(list, id)
  for _, other in ipairs(list) do if other == id then return true end end
  return false
end

local function countSource(items, source)
  local n = 0
  for _, item in ipairs(items) do n = n + (item.source == source and 1 or 0) end
  return n
end

function Autoplay:checkQuestions()
  local questions = self.game.onboarding and self.game.onboarding.items or {}
  self:check(#questions == 6, "%d onboarding questions, wanted 6", #questions)
  local seen = {}
  for rank, item in ipairs(questions) do
    self:check(not seen[item.id], "game %s asked twice", item.id)
    seen[item.id] = true
    self:check(item.rank == rank and item.reason ~= "", "question %d: rank %d, reason %q", rank, item.rank, item.reason)
    self:check(view.source(item.source).label ~= "?", "question %d has unlabelled source %d", rank, item.source)
  end
  print("onboarding questions: " .. table.concat(ids(questions), ", "))
end

-- The first recommendations after the answers, against the list before them: they use the answers at once.
function Autoplay:checkAfterOnboarding()
  local game, shop = self.game, self.game.shop
  local onboarding = game.onboarding
  local liked, disliked = onboarding:answered("ODR_ANSWER_LIKED"), onboarding:answered("ODR_ANSWER_DISLIKED")
  self:check(#onboarding.answers == 6 and #liked == 3 and #disliked == 1, "%d answers recorded (%d liked, %d not for me), wanted 6 (3, 1)",
    #onboarding.answers, #liked, #disliked)
  local cold, after = ids(self.cold), game:shownIds()
  print("before onboarding: " .. table.concat(cold, ", "))
  print("after onboarding:  " .. table.concat(after, ", "))
  self:check(#cold == game.count, "%d recommendations before onboarding, wanted %d", #cold, game.count)
  self:check(table.concat(cold, ",") ~= table.concat(after, ","), "the answers did not change the recommendations")
  -- Not merely the cold list with the answered games taken out: the answers reorder what is left.
  local coldRest = {}
  for _, id in ipairs(cold) do
    if not contains(liked, id) and not contains(disliked, id) then coldRest[#coldRest + 1] = id end
  end
  local prefix = {}
  for i = 1, #coldRest do prefix[i] = after[i] end
  self:check(table.concat(coldRest, ",") ~= table.concat(prefix, ","), "the new list only drops the answered games from the cold one")
  for _, id in ipairs(liked) do self:check(not contains(after, id), "liked game %s is recommended back", id) end
  for _, id in ipairs(disliked) do self:check(not contains(after, id), "disliked game %s is recommended", id) end
  self:check(countSource(self.cold, odr.ODR_SOURCE_MODEL) == 0, "the model answered for a player with no history")
  self:check(countSource(shop.items, odr.ODR_SOURCE_MODEL) > 0, "no recommendation from the model right after %d liked answers", #liked)
  local again, message = odr.onboardingItems(shop.client, game.user, 6)
  self:check(again ~= nil, "odr_onboarding_items after the answers: %s", tostring(message))
  for _, item in ipairs(again or {}) do
    self:check(not contains(ids(onboarding.answers), item.id), "game %s asked again after it was answered", item.id)
  end
  self:check(#view.unlabelledSources() == 0, "sources without a label: %s", table.concat(view.unlabelledSources(), ", "))
  for _, item in ipairs(self.cold) do self:check(view.source(item.source).label ~= "?", "unlabelled source %d", item.source) end
  for _, item in ipairs(shop.items) do self:check(view.source(item.source).label ~= "?", "unlabelled source %d", item.source) end
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

-- Saves the next frame as a PNG at `path`; self.shots[path] is set once it is written.
function Autoplay:screenshot(path)
  self.game.screenshotFrame = true -- not a frame a player would wait for: left out of the frame times
  love.graphics.captureScreenshot(function(image)
    local png = image:encode("png"):getString()
    local file, err = io.open(path, "wb")
    self:check(file ~= nil, "cannot write %s: %s", path, tostring(err))
    if file then
      file:write(png)
      file:close()
      self:check(#png > 20000, "screenshot is only %d bytes", #png)
      print(string.format("screenshot: %s (%d bytes)", path, #png))
    end
    self.shots[path] = true
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
