-- Pixel Arcade: a level-select screen whose "Recommended for you" row comes from OnDeviceReco, called through
-- LuaJIT's FFI. The frame loop never waits for the library: recommendations are requested with
-- odr_recommend_start and collected with odr_poll once per frame (no callback: LuaJIT must not be entered from a
-- library thread). What the player opens and plays is recorded, linked to the answer it came from. A player the
-- device has no history for starts on the onboarding screen (onboarding.lua): a few games to answer about, whose
-- answers the first recommendations use.
--
--   love samples/love [--autoplay] --lib dist/lib/libondevicereco.so --cdef artifacts/native/ondevicereco.ffi.h
--        [--db artifacts/love-shop.db] [--bundle DIR --key KEY.pem.pub] [--catalogue data/movielens-small/movies.csv]
--        [--screenshot artifacts/love-shop.png] [--user player-1]
-- build/native.sh writes the --cdef file (the header preprocessed) and runs the autoplay session under Xvfb.
local odr = require("odr")
local catalogue = require("catalogue")
local Shop = require("shop")
local Minigame = require("minigame")
local view = require("view")
local Onboarding = require("onboarding")
local Autoplay = require("autoplay")

local FRAME = 1 / 60
local ONBOARDING_QUESTIONS = 6
local game = {
  count = 6, selected = 1, screen = "shop", recent = {}, played = {}, modelVersion = 0,
  frames = 0, worstFrameMs = 0, slowFrames = 0, worstLibraryMs = 0,
}
local autoplay

-- In the scripted session an error (a missing library, a failed call) must fail CI with a counted failure,
-- instead of showing LÖVE's error screen until someone closes it.
for _, argument in ipairs(arg or {}) do
  if argument == "--autoplay" then
    love.errorhandler = function(message)
      print(debug.traceback("error: " .. tostring(message), 2))
      print("0 passed, 1 failed")
      return function() return 1 end
    end
  end
end

local function parseOptions(args)
  local options = {
    lib = "dist/lib/libondevicereco.so", cdef = "artifacts/native/ondevicereco.ffi.h", db = "artifacts/love-shop.db",
    catalogue = "data/movielens-small/movies.csv", screenshot = "artifacts/love-shop.png", user = "player-1", timeout = 30,
  }
  local i = 1
  while i <= #args do
    local name = args[i]:match("^%-%-(.+)$")
    if name == "autoplay" then options.autoplay = true; i = i + 1
    elseif name and args[i + 1] then options[name] = args[i + 1]; i = i + 2
    else error("unknown argument " .. tostring(args[i])) end
  end
  options.timeout = tonumber(options.timeout)
  return options
end

local function readFile(path)
  local file = assert(io.open(path, "rb"), "cannot read " .. path)
  local text = file:read("*a")
  file:close()
  return text
end

function game:shownIds()
  local ids = {}
  for _, item in ipairs(self.shop.items) do ids[#ids + 1] = item.id end
  return ids
end

function game:note(verb, id, from)
  self.recent[#self.recent + 1] = { verb = verb, id = id, from = from }
end

function game:startPlaying(id)
  local info = self.games[id] or { id = id, title = "Game " .. id, genres = {} }
  self.minigame = Minigame.new(info, catalogue.colour(info), 364, 200)
  self.played[#self.played + 1] = id
  self.screen = "playing"
end

-- Enter on a card: the detail screen, recorded as a click on that answer's item.
function game:open()
  local item = self.shop.items[self.selected]
  if not item then return end
  self.current = item
  self.shop:act(item, odr.ODR_EVENT_CLICK)
  self:note("opened", item.id, "recommended #" .. item.rank)
  self.screen = "detail"
end

function game:play()
  if self.screen ~= "detail" or not self.current then return end
  self.shop:act(self.current, odr.ODR_EVENT_PLAY)
  self:note("played", self.current.id, "recommended #" .. self.current.rank)
  self:startPlaying(self.current.id)
end

-- A game found without the recommendations (the browse shelf): plain events, no response to link to.
function game:browse(id)
  if not id then
    local shown = {}
    for _, shownId in ipairs(self:shownIds()) do shown[shownId] = true end
    for _, candidate in ipairs({ "260", "1196", "2571", "1210", "318" }) do
      if not shown[candidate] then id = candidate; break end
    end
  end
  self.shop:act(id, odr.ODR_EVENT_VIEW)
  self.shop:act(id, odr.ODR_EVENT_PLAY)
  self:note("played", id, "browsed")
  self:startPlaying(id)
end

-- One onboarding answer (an entry of Onboarding.choices); after the last question the shop opens.
function game:answer(choice)
  if self.screen ~= "onboarding" then return end
  local asked = self.onboarding:current()
  local before = #self.onboarding.answers
  self.onboarding:answer(choice)
  if #self.onboarding.answers > before then self:note(choice.label, asked.id, "onboarding") end
  if self.onboarding:finished() then self:finishOnboarding() end
end

-- A click on the onboarding screen: on an answer button, that answer.
function game:click(x, y)
  local choice = self.screen == "onboarding" and Onboarding.choiceAt(x, y)
  if choice then self:answer(choice) end
end

-- Into the shop with the answers given so far (Enter skips the questions left): its first recommendations use them.
function game:finishOnboarding()
  self.screen = "shop"
  self.shop:refresh()
end

-- Back to the shop: ask for fresh recommendations, which arrive on a later frame.
function game:back()
  self.screen = "shop"
  self.shop:refresh()
end

function love.load(args)
  local options = parseOptions(args)
  odr.load(options.lib, options.cdef)
  assert(odr.C.odr_abi_version() == odr.ODR_ABI_VERSION, "the library's ABI is not this header's")
  game.games = catalogue.load(options.catalogue)
  game.user = options.user
  local key = options.key and readFile(options.key) or nil
  -- Opening the store and verifying the model read the disk: done once here, before the first frame.
  local client = assert(odr.open(options.db, key))
  if options.bundle then game.modelVersion = assert(odr.loadModel(client, options.bundle)) end
  game.shop = Shop.new(client, game.user, game.count, love.timer.getTime)
  -- A player with no history at all is new here: ask first, recommend after.
  local history = assert(odr.historyLength(client, game.user, 1))
  if history == 0 then game.onboarding = Onboarding.new(game.shop, ONBOARDING_QUESTIONS) end
  if game.onboarding and not game.onboarding:finished() then game.screen = "onboarding" else game.shop:refresh() end
  view.init()
  print(string.format("OnDeviceReco %s (ABI %d) in LÖVE %s, model v%d", odr.text(odr.C.odr_version()), odr.C.odr_abi_version(),
    love.getVersion(), game.modelVersion))
  if options.autoplay then autoplay = Autoplay.new(game, options) end
end

function love.update(dt)
  game.shop:update()
  if game.minigame then game.minigame:update(dt) end
  if autoplay then autoplay:update(dt) end
end

function love.draw()
  view.draw(game)
end

function love.keypressed(key)
  if autoplay then return end
  if game.screen == "onboarding" then
    if key == "return" then game:finishOnboarding()
    elseif key == "escape" then love.event.quit()
    elseif Onboarding.choiceForKey(key) then game:answer(Onboarding.choiceForKey(key)) end
    return
  end
  if key == "up" then game.selected = math.max(1, game.selected - 1)
  elseif key == "down" then game.selected = math.min(#game.shop.items, game.selected + 1)
  elseif key == "return" and game.screen == "shop" then game:open()
  elseif key == "p" then game:play()
  elseif key == "b" and game.screen == "shop" then game:browse()
  elseif key == "r" then game.shop:refresh()
  elseif key == "escape" then
    if game.screen == "shop" then love.event.quit() else game:back() end
  end
end

function love.mousepressed(x, y, button)
  if autoplay or button ~= 1 then return end
  game:click(x, y)
end

function love.quit()
  if game.shop and game.shop.client and not autoplay then game.shop:close() end
  return false
end

-- The frame loop, paced at 60 fps by sleeping the rest of each frame (Xvfb has no vsync). It measures each
-- frame's work (events, update, draw, present) and the time spent inside the library during it.
function love.run()
  love.load(love.arg.parseGameArguments(arg), arg)
  love.timer.step()
  return function()
    local start = love.timer.getTime()
    game.shop.spent = 0
    love.event.pump()
    for name, a, b, c, d, e, f in love.event.poll() do
      if name == "quit" and not love.quit() then return a or 0 end
      love.handlers[name](a, b, c, d, e, f)
    end
    love.update(love.timer.step())
    love.graphics.origin()
    love.graphics.clear(0, 0, 0)
    love.draw()
    love.graphics.present()
    local work = love.timer.getTime() - start
    game.frames = game.frames + 1
    game.worstLibraryMs = math.max(game.worstLibraryMs, game.shop.spent * 1000)
    -- The first frames rasterise the fonts' glyphs; a frame that saves a screenshot encodes a PNG in present.
    if game.frames > 5 and not game.screenshotFrame then
      game.worstFrameMs = math.max(game.worstFrameMs, work * 1000)
      if work > FRAME then game.slowFrames = game.slowFrames + 1 end
    end
    game.screenshotFrame = false
    if work < FRAME then love.timer.sleep(FRAME - work) end
  end
end
