-- The games on sale. The sample reuses MovieLens titles and genres (the signed model was trained on those ids),
-- presented as arcade cartridges: item ids are MovieLens movie ids, genres are the cartridge's colour.
local catalogue = {}

local palette = {
  Action = { 0.92, 0.30, 0.26 }, Adventure = { 0.95, 0.60, 0.20 }, Animation = { 0.98, 0.80, 0.25 },
  Children = { 0.55, 0.85, 0.35 }, Comedy = { 0.98, 0.55, 0.70 }, Crime = { 0.55, 0.45, 0.85 },
  Documentary = { 0.50, 0.75, 0.75 }, Drama = { 0.35, 0.60, 0.95 }, Fantasy = { 0.75, 0.45, 0.95 },
  Horror = { 0.65, 0.15, 0.20 }, Musical = { 0.95, 0.45, 0.95 }, Mystery = { 0.40, 0.40, 0.70 },
  Romance = { 0.95, 0.40, 0.50 }, ["Sci-Fi"] = { 0.25, 0.85, 0.90 }, Thriller = { 0.60, 0.60, 0.60 },
  War = { 0.55, 0.55, 0.35 }, Western = { 0.80, 0.60, 0.40 },
}

function catalogue.load(path)
  local games = {}
  local file = assert(io.open(path, "r"), "cannot read " .. path)
  file:read("*l") -- header
  for line in file:lines() do
    local id, title, genres = line:match('^(%d+),"(.*)",(.*)$')
    if not id then id, title, genres = line:match("^(%d+),([^,]*),(.*)$") end
    if id then
      local list = {}
      for genre in genres:gmatch("[^|]+") do list[#list + 1] = genre end
      games[id] = { id = id, title = title, genres = list }
    end
  end
  file:close()
  return games
end

function catalogue.colour(game)
  local genre = game and game.genres[1]
  return palette[genre] or { 0.6, 0.6, 0.65 }
end

return catalogue
