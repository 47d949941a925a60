-- The "game" behind each cartridge: a tiny brick breaker that plays itself, coloured like its cartridge. It is
-- only there so that playing a level takes frames of real drawing while the library works in the background.
local Minigame = {}
Minigame.__index = Minigame

function Minigame.new(game, colour, width, height)
  local self = setmetatable({ game = game, colour = colour, w = width, h = height, score = 0 }, Minigame)
  self.ball = { x = width / 2, y = height * 0.7, dx = 170, dy = -190 }
  self.paddle = width / 2
  self.bricks = {}
  for row = 0, 3 do
    for col = 0, 9 do self.bricks[#self.bricks + 1] = { x = 8 + col * (width - 16) / 10, y = 26 + row * 16, alive = true } end
  end
  return self
end

function Minigame:update(dt)
  local b = self.ball
  b.x, b.y = b.x + b.dx * dt, b.y + b.dy * dt
  if b.x < 5 or b.x > self.w - 5 then b.dx = -b.dx; b.x = math.max(5, math.min(self.w - 5, b.x)) end
  if b.y < 5 then b.dy = -b.dy; b.y = 5 end
  self.paddle = self.paddle + (b.x - self.paddle) * math.min(1, dt * 8)
  if b.y > self.h - 18 and b.dy > 0 then b.dy = -b.dy end
  local brickWidth = (self.w - 16) / 10 - 4
  for _, brick in ipairs(self.bricks) do
    if brick.alive and b.x > brick.x and b.x < brick.x + brickWidth and b.y > brick.y and b.y < brick.y + 12 then
      brick.alive, b.dy, self.score = false, -b.dy, self.score + 50
    end
  end
end

function Minigame:draw(x, y)
  local g = love.graphics
  g.setColor(0.05, 0.05, 0.09)
  g.rectangle("fill", x, y, self.w, self.h, 6)
  local r, gr, bl = unpack(self.colour)
  local brickWidth = (self.w - 16) / 10 - 4
  for i, brick in ipairs(self.bricks) do
    if brick.alive then
      local shade = 0.7 + 0.3 * ((i % 3) / 2)
      g.setColor(r * shade, gr * shade, bl * shade)
      g.rectangle("fill", x + brick.x, y + brick.y, brickWidth, 12, 2)
    end
  end
  g.setColor(1, 1, 1)
  g.circle("fill", x + self.ball.x, y + self.ball.y, 5)
  g.rectangle("fill", x + self.paddle - 30, y + self.h - 14, 60, 6, 3)
  g.print(string.format("SCORE %05d", self.score), x + 8, y + 6)
end

return Minigame
