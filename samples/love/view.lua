-- Drawing only: the level-select screen (recommended cartridges with reasons and sources), the game being
-- played, what the player did, and the frame and library timings. Reads the game state, never changes it.
local catalogue = require("catalogue")
local odr = require("odr")
local utf8 = require("utf8")

local view = {}
local fonts
local sourceNames, sourceColours

function view.init()
  fonts = {
    title = love.graphics.newFont(30), heading = love.graphics.newFont(18), card = love.graphics.newFont(16),
    small = love.graphics.newFont(12), tiny = love.graphics.newFont(11),
  }
  sourceNames = { [odr.ODR_SOURCE_MODEL] = "MODEL", [odr.ODR_SOURCE_CONTENT] = "CONTENT", [odr.ODR_SOURCE_POPULARITY] = "POPULAR" }
  sourceColours = { [odr.ODR_SOURCE_MODEL] = { 0.30, 0.85, 0.95 }, [odr.ODR_SOURCE_CONTENT] = { 0.45, 0.90, 0.45 }, [odr.ODR_SOURCE_POPULARITY] = { 1.0, 0.65, 0.25 } }
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
  g.print("Level select", 250, 26)
  g.setFont(fonts.small)
  g.setColor(0.7, 0.7, 0.8)
  g.printf(string.format("%s  ·  model v%d  ·  %.0f fps", state.user, state.modelVersion, love.timer.getFPS()), 520, 28, 480, "right")
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
  local colour = sourceColours[item.source] or { 0.7, 0.7, 0.7 }
  g.setColor(colour)
  g.rectangle("line", x + 500, y + 8, 80, 20, 4)
  g.setFont(fonts.tiny)
  g.printf(sourceNames[item.source] or "?", x + 500, y + 11, 80, "center")
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

local function detail(state)
  local g = love.graphics
  local item = state.shop.items[state.selected]
  if not item then return end
  local game = gameOf(state, item.id)
  g.setColor(0, 0, 0, 0.6)
  g.rectangle("fill", 0, 0, g.getDimensions())
  g.setColor(0.16, 0.15, 0.28)
  g.rectangle("fill", 160, 170, 480, 260, 10)
  cartridge(180, 190, catalogue.colour(game), ">")
  g.setFont(fonts.heading)
  g.setColor(1, 1, 1)
  g.printf(game.title, 260, 192, 360)
  g.setFont(fonts.small)
  g.setColor(0.85, 0.85, 0.6)
  g.printf(item.reason, 260, 250, 360)
  g.setColor(0.7, 0.7, 0.85)
  g.printf("Press P to play", 180, 390, 440, "center")
end

function view.draw(state)
  background()
  header(state)
  recommendations(state, 24, 72)
  sidebar(state, 636, 72)
  if state.screen == "detail" then detail(state) end
end

return view
