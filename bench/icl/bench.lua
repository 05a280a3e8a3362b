-- The iCL benchmark's lunet side: run by bench/icl/run.
-- Usage: lunet run bench/icl/bench.lua SANDBOX_URL TOTAL LATENCY_MS
-- Prints one tab-separated line per measurement:
--   label, work, requests, bound seconds (requests × latency), seconds
local icl = require "lunet.icl"
local http = require "lunet.http"
local state = require "lunet.state"

local base, total, latency = arg[1], tonumber(arg[2]), tonumber(arg[3])
local BATCH, PAGE, FEED_PAGE = 500, 100, 500
local control = http.connect{ url = base }
local portal = icl.connect{ url = base .. "/icl", client_id = "5ec0ffee-1c1a-4d00-8a5e-000000000001",
                            client_secret = "icl-sandbox-secret" }

-- Runs fn, checks its count, and counts the /icl/api requests it made.
local measure = dofile("bench/lib/sandbox_bench.lua").measurer{ control = control, total = total, latency = latency,
  counts = function(path) return path:find("^/icl/api/") ~= nil end }

-- A fresh content type of its own, so every count is exact.
control:request{ method = "POST", path = "/_sandbox/reset" }
portal:type("meter"):create{
  id = "b3c1e0a2-0000-4000-8000-00000000be7c", name = "meter", displayName = "Zähler", titleFieldName = "name",
  fields = {
    { type = "ShortText", name = "name", displayName = "Name", isRequired = true },
    { type = "ShortText", name = "ort", displayName = "Ort", isRequired = false },
    { type = "Number", name = "reading", displayName = "Stand", isRequired = false },
  },
}
local meters = portal:content("meter")
local function items(round)
  local i = 0
  return function()
    i = i + 1
    if i > total then return nil end
    return { externalId = ("M-%06d"):format(i), name = "Zähler " .. i, ort = "Wien", reading = i * round }
  end
end
local function upsert(round, concurrency)
  local r = meters:upsert(items(round), { batch_size = BATCH, concurrency = concurrency })
  assert(#r.errored == 0 and #r.rolled_back == 0, "upsert errors")
  return #r.succeeded
end

io.stderr:write(("%d items, %d ms latency on /icl/api\n"):format(total, latency))
measure("upsert, batches of 500, sequential", "upsert", function() return upsert(1, 1) end)
measure("upsert, batches of 500, concurrency 4", "upsert", function() return upsert(2, 4) end)
measure("page, page_size 100, prefetch 1", "page", function()
  local n = 0
  for _ in meters:list{ page_size = PAGE } do n = n + 1 end
  return n
end)
measure("change feed with checkpoint (500 a page)", "feed", function()
  state.delete("checkpoint:bench-meters")
  local n = 0
  for _ in portal:changes{ type = "meter", checkpoint = "bench-meters" } do n = n + 1 end
  assert(state.get("checkpoint:bench-meters"), "no checkpoint saved")
  return n
end)
