-- JSON codec benchmark: lunet.json against lua-cjson, in one process.
--   lunet run bench/json/bench.lua DOC.json [RUNS]
-- Times decode and encode (best of RUNS, default 5, os.clock) and prints
-- MB/s, where MB is the size of DOC.json for both directions (so the ratio
-- is the inverse ratio of the times), and lunet/cjson.
local path = assert(arg[1], "usage: bench.lua DOC.json [RUNS]")
local runs = tonumber(arg[2]) or 5

local f = assert(io.open(path, "rb"))
local doc = f:read("a")
f:close()
local mb = #doc / (1024 * 1024)

local json = require "lunet.json"
local ok, cjson = pcall(require, "cjson")
if not ok then
  io.stderr:write("bench.lua: cannot load cjson (install lua-cjson): ", tostring(cjson), "\n")
  os.exit(1)
end

local function best(fn)
  local t = math.huge
  local result
  for _ = 1, runs do
    collectgarbage()
    collectgarbage()
    local t0 = os.clock()
    result = fn()
    local dt = os.clock() - t0
    if dt < t then t = dt end
    result = nil
  end
  return t
end

-- Decoded values, kept for the encode runs and the sanity checks.
local lv = json.decode(doc)
local cv = cjson.decode(doc)
assert(#lv == #cv, string.format("record counts differ: lunet %d, cjson %d", #lv, #cv))
-- A light check that both decoders read the same numbers and strings.
for i = 1, #lv, 97 do
  local a, b = lv[i], cv[i]
  assert(a.id == b.id and a.title == b.title and a.amount == b.amount and a.ratio == b.ratio,
    "records differ at " .. i)
end
-- lunet's output must read back to the same document.
local again = json.decode(json.encode(lv))
assert(#again == #lv and again[#again].externalId == lv[#lv].externalId)

local times = {}
for _, name in ipairs({ "decode", "encode" }) do times[name] = {} end
times.decode.lunet = best(function() return json.decode(doc) end)
times.decode.cjson = best(function() return cjson.decode(doc) end)
times.encode.lunet = best(function() return json.encode(lv) end)
times.encode.cjson = best(function() return cjson.encode(cv) end)

print(string.format("document: %s, %.1f MB, %d records; best of %d runs (os.clock)", path, mb, #lv, runs))
for _, name in ipairs({ "decode", "encode" }) do
  local l, c = mb / times[name].lunet, mb / times[name].cjson
  print(string.format("%s  lunet %6.1f MB/s  cjson %6.1f MB/s  ratio %.2f", name, l, c, l / c))
end
