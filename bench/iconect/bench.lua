-- The iCONECT benchmark's lunet side: run by bench/iconect/run.
-- Usage: lunet run bench/iconect/bench.lua SANDBOX_URL TOTAL LATENCY_MS
-- Prints one tab-separated line per measurement:
--   label, work, requests, bound seconds (requests × latency), seconds
local iconect = require "lunet.iconect"
local http = require "lunet.http"

local base, total, latency = arg[1], tonumber(arg[2]), tonumber(arg[3])
local BATCH, PAGE = 500, 500
local control = http.connect{ url = base }
local ic = iconect.connect{ api_url = base .. "/iconect/api/v1", identity_url = base .. "/iconect/identity",
  client_id = "lunet-sandbox", grant = "password", username = "sandbox", password = "sandbox-password" }

-- Runs fn, checks its count, and counts the /iconect/api requests it made.
local measure = dofile("bench/lib/sandbox_bench.lua").measurer{ control = control, total = total, latency = latency,
  counts = function(path) return path:find("^/iconect/api/") ~= nil end }

local function records()
  local i = 0
  return function()
    i = i + 1
    if i > total then return nil end
    return { field_data = { [2] = ("B%08d"):format(i), [3] = "Benchmark record " .. i, [4] = "Custodian " .. i % 17,
                            [6] = i % 300 } }
  end
end

-- A project of its own per run (from the demo template: the same fields), so every count is exact.
local function fresh(name) return ic:project(ic.projects:create{ name = name, project_template_id = 3 }.id) end

local seq = fresh("bench sequential")
measure("create, batches of 500, sequential", "create", function()
  local r = seq.records:create(records(), { batch_size = BATCH })
  assert(#r.errors == 0, r.errors[1] and r.errors[1].error)
  return #r.created
end)
local conc = fresh("bench concurrent")
measure("create, batches of 500, concurrency 4", "create", function()
  local r = conc.records:create(records(), { batch_size = BATCH, concurrency = 4 })
  return #r.created
end)
measure("records:list, pages of 500, prefetch 1", "list", function()
  local n = 0
  for _ in seq.records:list{ page_size = PAGE } do n = n + 1 end
  return n
end)
measure("records:list, pages of 500, prefetch 0", "list", function()
  local n = 0
  for _ in seq.records:list{ page_size = PAGE, prefetch = 0 } do n = n + 1 end
  return n
end)
