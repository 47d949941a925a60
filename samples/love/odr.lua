-- LuaJIT FFI binding of libondevicereco, taken from the header itself: build/native.sh preprocesses
-- ondevicereco.h with `gcc -E -P -dD`, so one file carries both the declarations (for ffi.cdef) and the ODR_*
-- #defines (read here as Lua numbers). Nothing is declared by hand, so the binding cannot drift from the header.
-- Only the poll API is used for recommendations: LuaJIT must not be called back on a library thread.
local ffi = require("ffi")

local odr = {}
local C

function odr.load(libPath, cdefPath)
  local file = assert(io.open(cdefPath, "r"), "cannot read " .. cdefPath)
  local declarations = {}
  for line in file:lines() do
    local name, value = line:match("^#define%s+(ODR_[%w_]+)%s+(%-?%d+)%s*$")
    if name then
      odr[name] = tonumber(value)
    elseif not line:match("^%s*#") then
      declarations[#declarations + 1] = line
    end
  end
  file:close()
  ffi.cdef(table.concat(declarations, "\n"))
  C = ffi.load(libPath)
  odr.C = C
  return odr
end

-- A NULL const char * is a truthy cdata in LuaJIT: compare with nil before ffi.string.
function odr.text(pointer)
  if pointer == nil then return nil end
  return ffi.string(pointer)
end

-- The message of a failed call: on the client when there is one, else the thread's last error.
function odr.why(rc, client)
  local message = client and odr.text(C.odr_errmsg(client)) or odr.text(C.odr_last_error())
  return string.format("%s (%s)", odr.text(C.odr_errstr(rc)) or tostring(rc), message or "no message")
end

-- Opens a client. The collector closes it if the game never calls odr.close; odr.close detaches that finalizer
-- first, so the handle is never closed twice.
function odr.open(databasePath, keyPem)
  local config = ffi.new("odr_config")
  config.struct_size = ffi.sizeof("odr_config")
  config.database_path = databasePath
  config.trusted_key_pem = keyPem
  config.initial_consent = odr.ODR_CONSENT_LOCAL_ONLY
  local out = ffi.new("odr_client*[1]")
  local rc = C.odr_open(config, out)
  if rc ~= odr.ODR_OK then return nil, odr.why(rc) end
  return ffi.gc(out[0], C.odr_close)
end

function odr.close(client)
  ffi.gc(client, nil)
  return C.odr_close(client)
end

function odr.loadModel(client, bundleDir)
  local version = ffi.new("int64_t[1]")
  local rc = C.odr_load_model(client, bundleDir, version)
  if rc ~= odr.ODR_OK then return nil, odr.why(rc, client) end
  return tonumber(version[0])
end

-- One recommendation as a Lua table, with a private copy of the C struct so feedback links to its response.
local function item(record)
  local raw = ffi.new("odr_recommendation")
  ffi.copy(raw, record, ffi.sizeof(raw))
  return {
    id = ffi.string(record.item_id), score = record.score, rank = record.rank, source = record.source,
    exploration = record.is_exploration == 1, reason = ffi.string(record.reason),
    requestId = ffi.string(record.request_id), raw = raw,
  }
end

-- A request started with odr_recommend_start. poll() never blocks: false while pending; the items once ready;
-- nil, code, message on failure (ODR_ECANCELED included). Freed explicitly, or when collected.
local Request = {}
Request.__index = Request

function odr.start(client, user, count)
  local out = ffi.new("odr_request*[1]")
  local rc = C.odr_recommend_start(client, user, count, out)
  if rc ~= odr.ODR_OK then return nil, rc, odr.why(rc, client) end
  return setmetatable({
    handle = ffi.gc(out[0], C.odr_request_free), count = count,
    buffer = ffi.new("odr_recommendation[?]", count), got = ffi.new("int32_t[1]"),
  }, Request)
end

function Request:poll()
  local rc = C.odr_poll(self.handle, self.buffer, self.count, ffi.sizeof("odr_recommendation"), self.got)
  if rc == odr.ODR_PENDING then return false end
  if rc ~= odr.ODR_OK then return nil, rc, odr.why(rc) end
  local items = {}
  for i = 0, self.got[0] - 1 do items[#items + 1] = item(self.buffer[i]) end
  return items
end

function Request:cancel()
  return C.odr_request_cancel(self.handle)
end

function Request:free()
  if self.handle == nil then return odr.ODR_OK end
  local handle = self.handle
  self.handle = nil
  ffi.gc(handle, nil)
  return C.odr_request_free(handle)
end

-- Onboarding a brand-new user: up to count items to ask about, as recommendation tables (rank, source, reason);
-- nil and the message on failure. A blocking call (SQLite reads, no model run), made once when the screen opens.
function odr.onboardingItems(client, user, count)
  local buffer, got = ffi.new("odr_recommendation[?]", count), ffi.new("int32_t[1]")
  local rc = C.odr_onboarding_items(client, user, count, buffer, ffi.sizeof("odr_recommendation"), got)
  if rc ~= odr.ODR_OK then return nil, odr.why(rc, client) end
  local items = {}
  for i = 0, got[0] - 1 do items[#items + 1] = item(buffer[i]) end
  return items
end

-- The user's answer (odr.ODR_ANSWER_*) about one onboarding item: an event the next recommendation uses.
function odr.answer(client, user, itemId, answer)
  return C.odr_onboarding_answer(client, user, itemId, answer)
end

-- How many events the device holds for the user (at most `limit`): 0 means a brand-new user.
function odr.historyLength(client, user, limit)
  local buffer, got = ffi.new("odr_recent_item[?]", limit), ffi.new("int32_t[1]")
  local rc = C.odr_recent_sequence(client, user, limit, buffer, ffi.sizeof("odr_recent_item"), got)
  if rc ~= odr.ODR_OK then return nil, odr.why(rc, client) end
  return got[0]
end

function odr.track(client, user, itemId, eventType)
  return C.odr_track(client, user, itemId, eventType, 0, 0)
end

function odr.feedback(client, user, recommendation, eventType)
  return C.odr_record_feedback(client, user, recommendation.raw, eventType)
end

return odr
