-- The shop's recommendations, kept fresh with the poll API: refresh() starts a request, update() polls it once
-- per frame (never blocks) and, when the answer is in, shows it and records one impression per item shown.
-- Opening and playing record feedback linked to the response (request id and rank), or plain events for games
-- the player found by browsing. Every library call is timed: `spent` is this frame's time inside the library.
local odr = require("odr")

local Shop = {}
Shop.__index = Shop

function Shop.new(client, user, count, clock)
  return setmetatable({
    client = client, user = user, count = count, clock = clock,
    items = {}, responses = {}, request = nil, pollFrames = 0,
    impressions = 0, opens = 0, plays = 0, canceled = 0, failures = {},
    spent = 0, -- seconds inside the library during the current frame
  }, Shop)
end

function Shop:timed(call, ...)
  local t0 = self.clock()
  local a, b, c = call(...)
  self.spent = self.spent + (self.clock() - t0)
  return a, b, c
end

function Shop:fail(message)
  self.failures[#self.failures + 1] = message
  print("failure: " .. message)
end

-- Starts a fresh request; one still in flight is canceled and freed (the newest question wins).
function Shop:refresh()
  if self.request then
    self:timed(self.request.cancel, self.request)
    self:timed(self.request.free, self.request)
    self.canceled = self.canceled + 1
  end
  local request, _, message = self:timed(odr.start, self.client, self.user, self.count)
  if not request then return self:fail("odr_recommend_start: " .. message) end
  self.request, self.pollFrames = request, 0
end

function Shop:refreshing()
  return self.request ~= nil
end

-- Called once per frame.
function Shop:update()
  if not self.request then return end
  self.pollFrames = self.pollFrames + 1
  local items, rc, message = self:timed(self.request.poll, self.request)
  if items == false then return end
  self:timed(self.request.free, self.request)
  self.request = nil
  if not items then return self:fail("odr_poll: " .. tostring(rc) .. " " .. message) end
  self.items = items
  self.responses[#self.responses + 1] = { items = items, frames = self.pollFrames }
  for _, item in ipairs(items) do
    local result = self:timed(odr.feedback, self.client, self.user, item, odr.ODR_EVENT_IMPRESSION)
    if result == odr.ODR_OK then self.impressions = self.impressions + 1 else self:fail("impression: " .. odr.why(result, self.client)) end
  end
end

-- The player opened or played a game; item is a recommendation (linked feedback) or a catalogue id (plain event).
function Shop:act(item, eventType)
  local rc
  if type(item) == "table" then
    rc = self:timed(odr.feedback, self.client, self.user, item, eventType)
  else
    rc = self:timed(odr.track, self.client, self.user, item, eventType)
  end
  if rc ~= odr.ODR_OK then return self:fail("recording event " .. eventType .. ": " .. odr.why(rc, self.client)) end
  if eventType == odr.ODR_EVENT_PLAY then self.plays = self.plays + 1 else self.opens = self.opens + 1 end
end

function Shop:close()
  if self.request then self.request:free() end
  self.request = nil
  return odr.close(self.client)
end

return Shop
