-- The first screen a brand-new player sees: a few games proposed by odr_onboarding_items (spread over the catalogue
-- and known enough to answer), asked one at a time. The player answers liked / not for me / never played with a key
-- (L, D, N) or a click on its button; each answer is recorded at once with odr_onboarding_answer, an ordinary event
-- the next recommendation uses. When every game is answered, or the player presses Enter to skip the rest, the
-- game moves on to the shop, whose first recommendations already use the answers.
local odr = require("odr")

local Onboarding = {}
Onboarding.__index = Onboarding

-- The answers, in button order: key, label, the header's constant, colour. Keys, buttons and checks read this table.
Onboarding.choices = {
  { key = "l", label = "Liked it", answer = "ODR_ANSWER_LIKED", colour = { 0.35, 0.85, 0.45 } },
  { key = "d", label = "Not for me", answer = "ODR_ANSWER_DISLIKED", colour = { 0.95, 0.40, 0.40 } },
  { key = "n", label = "Never played", answer = "ODR_ANSWER_NOT_SEEN", colour = { 0.65, 0.65, 0.80 } },
}

local BUTTON_LEFT, BUTTON_TOP, BUTTON_WIDTH, BUTTON_HEIGHT, BUTTON_GAP = 60, 400, 170, 54, 20

-- Where answer button `index` is (x, y, width, height): for drawing and for clicks alike.
function Onboarding.button(index)
  return BUTTON_LEFT + (index - 1) * (BUTTON_WIDTH + BUTTON_GAP), BUTTON_TOP, BUTTON_WIDTH, BUTTON_HEIGHT
end

-- The choice a key stands for, or nil.
function Onboarding.choiceForKey(key)
  for _, choice in ipairs(Onboarding.choices) do
    if key == choice.key then return choice end
  end
end

-- The choice whose button is under (x, y), or nil.
function Onboarding.choiceAt(x, y)
  for index, choice in ipairs(Onboarding.choices) do
    local bx, by, bw, bh = Onboarding.button(index)
    if x >= bx and x < bx + bw and y >= by and y < by + bh then return choice end
  end
end

-- Asks the library for `count` questions for the shop's user (library time counted in the shop's frame budget).
function Onboarding.new(shop, count)
  local items, message = shop:timed(odr.onboardingItems, shop.client, shop.user, count)
  if not items then
    shop:fail("odr_onboarding_items: " .. message)
    items = {}
  end
  return setmetatable({ shop = shop, items = items, at = 1, answers = {} }, Onboarding)
end

function Onboarding:current()
  return self.items[self.at]
end

function Onboarding:finished()
  return self.at > #self.items
end

-- Records `choice` (an entry of Onboarding.choices) for the game being asked about and moves to the next one.
function Onboarding:answer(choice)
  local item = self:current()
  if not item then return end
  local shop = self.shop
  local rc = shop:timed(odr.answer, shop.client, shop.user, item.id, odr[choice.answer])
  if rc ~= odr.ODR_OK then return shop:fail("odr_onboarding_answer: " .. odr.why(rc, shop.client)) end
  self.answers[#self.answers + 1] = { id = item.id, choice = choice }
  self.at = self.at + 1
end

-- The ids answered with one of the header's answers (e.g. "ODR_ANSWER_LIKED").
function Onboarding:answered(answer)
  local ids = {}
  for _, entry in ipairs(self.answers) do
    if entry.choice.answer == answer then ids[#ids + 1] = entry.id end
  end
  return ids
end

return Onboarding
