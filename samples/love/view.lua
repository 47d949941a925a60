-- Drawing only: the level-select screen (recommended cartridges with reasons and sources), the game being
-- played, what the player did, and the frame and library timings. Reads the game state, never changes it.
local catalogue = require("catalogue")
local odr = require("odr")
local utf8 = require("utf8")

local Onboarding = require("onboarding")

local view = {}
local fonts

-- Every recommendation source, by its name in the header (ODR_SOURCE_<name>): the badge a card shows. The one table
-- of sources: view.init maps each ODR_SOURCE_* constant the header defines to its entry, and view.unlabelledSources
-- names any constant without one (autoplay fails on it), so a source added to the header cannot show up as "?".
local SOURCES = {
  MODEL = { label = "MODEL", colour = { 0.30, 0.85, 0.95 } },
  CONTENT = { label = "CONTENT", colour = { 0.45, 0.90, 0.45 } },
  POPULARITY = { label = "POPULAR", colour = { 1.0, 0.65, 0.25 } },
  COHORT = { label = "LIKE YOU", colour = { 0.95, 0.55, 0.95 } }, -- popular with players sharing your attributes or searches
}
local UNKNOWN_SOURCE = { label = "?", colour = { 0.7, 0.7, 0.7 } }
local sources, unlabelled = {}, {}

function view.init()
  fonts = {
    title = love.graphics.newFont(30), heading = love.graphics.newFont(18), card = love.graphics.newFont(16),
    small = love.graphics.newFont(12), tiny = love.graphics.newFont(11),
  }
  for name, value in pairs(odr) do
    local source = type(value) == "number" and name:match("^ODR_SOURCE_([%w_]+)$")
    if source then
      sources[value] = SOURCES[source]
      if not SOURCES[source] then unlabelled[#unlabelled + 1] = name end
    end
  end
  table.sort(unlabelled)
end

-- The header's ODR_SOURCE_* constants that have no badge (empty when every source is labelled).
function view.unlabelledSources()
  return unlabelled
end

-- A source's badge (label and colour); "?" only for a value the header does not define.
function view.source(value)
  return sources[value] or UNKNOWN_SOURCE
end

local function gameOf(state, id)
  return state.games[id] or { id = id, title = "Game " .. id, genres = {} }
end

-- Reasons name games by their titles in the model bundle; shorten them to the card's width.
local function fit(font, text, width)
  if font:getWidth(text) <= width then return text end
  while #text > 1 and font:getWidth(text .. "...") > width do text = text:sub(1, utf8.offset(text, -1) - 1) end
  return text .. "..."
end

local function cartridge(x, y, colour, label)
  local g = love.graphics
  g.setColor(colour[1] * 0.6, colour[2] * 0.6, colour[3] * 0.6)
  g.rectangle("fill", x, y, 58, 70, 5)
  g.setColor(colour)
  g.rectangle("fill", x + 5, y + 5, 48, 40, 3)
  g.setColor(0.1, 0.1, 0.12)
  g.rectangle("fill", x + 10, y + 52, 38, 10, 2)
  g.setColor(0.05, 0.05, 0.08)
  g.setFont(fonts.heading)
  g.printf(label, x + 5, y + 14, 48, "center")
end

local function background()
  local g = love.graphics
  local w, h = g.getDimensions()
  for i = 0, h, 8 do
    local t = i / h
    g.setColor(0.07 + 0.05 * t, 0.06 + 0.02 * t, 0.16 + 0.08 * t)
    g.rectangle("fill", 0, i, w, 8)
  end
end

local function header(state)
  local g = love.graphics
  g.setFont(fonts.title)
  g.setColor(1, 0.85, 0.3)
  g.print("PIXEL ARCADE", 24, 16)
  g.setFont(fonts.heading)
  g.setColor(0.8, 0.8, 0.95)
  g.print(state.screen == "onboarding" and "Welcome, new player" or "Level select", 250, 26)
  g.setFont(fonts.small)
  g.setColor(0.7, 0.7, 0.8)
  g.printf(string.format("%s  ·  model v%d  ·  %.0f fps", state.user, state.modelVersion, love.timer.getFPS()), 520, 28, 480, "right")
end

-- The source badge of a recommendation or a question, 80 × 20 at (x, y).
local function badge(sourceValue, x, y)
  local g = love.graphics
  local source = view.source(sourceValue)
  g.setColor(source.colour)
  g.rectangle("line", x, y, 80, 20, 4)
  g.setFont(fonts.tiny)
  g.printf(source.label, x, y + 3, 80, "center")
end

local function card(state, index, item, x, y)
  local g = love.graphics
  local game = gameOf(state, item.id)
  local selected = index == state.selected
  g.setColor(selected and 0.22 or 0.14, selected and 0.20 or 0.13, selected and 0.36 or 0.25, 0.95)
  g.rectangle("fill", x, y, 590, 80, 8)
  if selected then
    g.setColor(1, 0.85, 0.3)
    g.setLineWidth(2)
    g.rectangle("line", x, y, 590, 80, 8)
  end
  cartridge(x + 10, y + 5, catalogue.colour(game), tostring(item.rank))
  g.setFont(fonts.card)
  g.setColor(1, 1, 1)
  g.print(fit(fonts.card, game.title, 400), x + 82, y + 8)
  g.setFont(fonts.tiny)
  g.setColor(0.65, 0.65, 0.8)
  g.print(fit(fonts.tiny, table.concat(game.genres, " · "), 400), x + 82, y + 30)
  g.setFont(fonts.small)
  g.setColor(0.85, 0.85, 0.6)
  g.print(fit(fonts.small, item.reason, 490), x + 82, y + 52)
  badge(item.source, x + 500, y + 8)
  if item.exploration then
    g.setColor(1, 0.5, 0.8)
    g.printf("NEW *", x + 500, y + 32, 80, "center")
  end
end

local function recommendations(state, x, y)
  local g = love.graphics
  g.setFont(fonts.heading)
  g.setColor(1, 1, 1)
  g.print("Recommended for you", x, y)
  if state.shop:refreshing() then
    g.setColor(0.6, 0.8, 1)
    g.setFont(fonts.small)
    local dots = string.rep(".", math.floor(love.timer.getTime() * 4) % 4)
    g.print("refreshing" .. dots, x + 210, y + 5)
  end
  for i, item in ipairs(state.shop.items) do card(state, i, item, x, y + 30 + (i - 1) * 86) end
end

local function sidebar(state, x, y)
  local g = love.graphics
  g.setFont(fonts.heading)
  g.setColor(1, 1, 1)
  local playing = state.screen == "playing"
  g.print(playing and "Now playing" or (state.minigame and "Last played" or "Pick a level"), x, y)
  if state.minigame then
    state.minigame:draw(x, y + 28)
    g.setFont(fonts.small)
    g.setColor(0.9, 0.9, 0.9)
    g.print(fit(fonts.small, state.minigame.game.title, 360), x, y + 28 + state.minigame.h + 6)
  end
  local listY = y + 270
  g.setFont(fonts.heading)
  g.setColor(1, 1, 1)
  g.print("Your session", x, listY)
  g.setFont(fonts.small)
  for i = math.max(1, #state.recent - 5), #state.recent do
    local entry = state.recent[i]
    g.setColor(entry.verb == "played" and { 0.5, 0.95, 0.6 } or { 0.7, 0.8, 1 })
    g.print(fit(fonts.small, entry.verb .. "  " .. gameOf(state, entry.id).title .. (entry.from and "  (" .. entry.from .. ")" or ""), 364), x, listY + 26 + (i - math.max(1, #state.recent - 5)) * 18)
  end
  local shop = state.shop
  g.setColor(0.65, 0.65, 0.8)
  g.setFont(fonts.tiny)
  g.print(string.format("responses %d · impressions %d · opens %d · plays %d", #shop.responses, shop.impressions, shop.opens, shop.plays), x, 560)
  g.print(string.format("worst frame %.1f ms · worst library time in a frame %.2f ms", state.worstFrameMs, state.worstLibraryMs), x, 576)
  g.print("[Up/Down] choose  [Enter] open  [P] play  [R] refresh  [Esc] back", x, 600)
end

-- A game's panel, w × h at (x, y): its cartridge (marked `mark`), title, genres and the library's reason for it.
local function panel(state, item, x, y, w, h, mark)
  local g = love.graphics
  local game = gameOf(state, item.id)
  g.setColor(0.16, 0.15, 0.28, 0.95)
  g.rectangle("fill", x, y, w, h, 10)
  cartridge(x + 20, y + 20, catalogue.colour(game), mark)
  local textX, textWidth = x + 100, w - 120
  g.setFont(fonts.heading)
  g.setColor(1, 1, 1)
  g.printf(game.title, textX, y + 22, textWidth)
  g.setFont(fonts.tiny)
  g.setColor(0.65, 0.65, 0.8)
  g.print(fit(fonts.tiny, table.concat(game.genres, " · "), textWidth), textX, y + 76)
  g.setFont(fonts.small)
  g.setColor(0.85, 0.85, 0.6)
  g.printf(item.reason, textX, y + 100, textWidth)
end

local function detail(state)
  local g = love.graphics
  local item = state.shop.items[state.selected]
  if not item then return end
  g.setColor(0, 0, 0, 0.6)
  g.rectangle("fill", 0, 0, g.getDimensions())
  panel(state, item, 160, 170, 480, 260, ">")
  g.setColor(0.7, 0.7, 0.85)
  g.printf("Press P to play", 180, 390, 440, "center")
end

-- The onboarding screen: the game asked about, how far the questions are, the answer buttons, the answers so far.
local function onboarding(state)
  local g = love.graphics
  local questions = state.onboarding
  g.setFont(fonts.heading)
  g.setColor(1, 1, 1)
  g.print("New here? Tell us which of these games you know", 60, 80)
  g.setFont(fonts.small)
  g.setColor(0.7, 0.7, 0.85)
  g.print(string.format("Game %d of %d  ·  your first recommendations use every answer", math.min(questions.at, #questions.items), #questions.items), 60, 108)
  local item = questions:current()
  if item then
    panel(state, item, 60, 140, 550, 230, "?")
    badge(item.source, 160, 330)
  end
  for index, choice in ipairs(Onboarding.choices) do
    local x, y, w, h = Onboarding.button(index)
    local c = choice.colour
    g.setColor(c[1] * 0.35, c[2] * 0.35, c[3] * 0.35, 0.95)
    g.rectangle("fill", x, y, w, h, 8)
    g.setColor(c)
    g.setLineWidth(2)
    g.rectangle("line", x, y, w, h, 8)
    g.setFont(fonts.card)
    g.printf(string.format("[%s] %s", choice.key:upper(), choice.label), x, y + 17, w, "center")
  end
  g.setFont(fonts.heading)
  g.setColor(1, 1, 1)
  g.print("Your answers", 660, 80)
  g.setFont(fonts.small)
  for i, entry in ipairs(questions.answers) do
    g.setColor(entry.choice.colour)
    g.print(fit(fonts.small, entry.choice.label .. "  " .. gameOf(state, entry.id).title, 340), 660, 80 + 12 + i * 22)
  end
  g.setColor(0.65, 0.65, 0.8)
  g.setFont(fonts.tiny)
  g.print("[L] liked  [D] not for me  [N] never played  (or click)   [Enter] skip to the shop  [Esc] quit", 60, 600)
end

function view.draw(state)
  background()
  header(state)
  if state.screen == "onboarding" then return onboarding(state) end
  recommendations(state, 24, 72)
  sidebar(state, 636, 72)
  if state.screen == "detail" then detail(state) end
end

return view
