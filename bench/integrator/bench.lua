-- The integrator.io benchmark's lunet side: run by bench/integrator/run.
-- Usage: lunet run bench/integrator/bench.lua SANDBOX_URL TOTAL LATENCY_MS
-- Loads TOTAL records behind the demo "Heartbeat API" connection, then
-- prints one tab-separated line per measurement:
--   label, work, requests, bound seconds (requests × latency), seconds
local integrator = require "lunet.integrator"
local http = require "lunet.http"

local base, total, latency = arg[1], tonumber(arg[2]), tonumber(arg[3])
local CONNECTION = "5a1498b3bc227369ab2aa77b"
local MODEL = { rest = { relativeURI = "/bench" } }
local control = http.connect{ url = base }
local celigo = integrator.connect()

-- The data: TOTAL records, each about as big as the seed's NetSuite rows.
local i = 0
local report = celigo.connections:import(CONNECTION, MODEL, function()
  i = i + 1
  if i > total then return nil end
  return { code = ("R%06d"):format(i), name = "Record " .. i, email = "r" .. i .. "@example.com",
           hours = i % 18, month = "November", year = 2017, userid = "123ab456c789de1011" }
end, { batch_size = 1000 })
assert(#report.succeeded == total, "import: " .. #report.errored .. " errored")
-- The peer pages in a fresh process: drop the loading's garbage (the 20,000-entry
-- report) so that the collector does not walk it during the measurements.
report = nil
collectgarbage()

-- Counts the export's page requests.
local measure = dofile("bench/lib/sandbox_bench.lua").measurer{ control = control, total = total, latency = latency,
  counts = function(path) return path:find("/export/pages", 1, true) ~= nil end }

local function export(page_size)
  return function()
    local n, last = 0, nil
    for record in celigo.connections:export_pages(CONNECTION, MODEL, { page_size = page_size }) do
      n = n + 1
      last = record.code
    end
    assert(last == ("R%06d"):format(total), "export: last record " .. tostring(last))
    return n
  end
end

io.stderr:write(("%d records, %d ms latency on /integrator/v1\n"):format(total, latency))
for _, size in ipairs { 100, 1000 } do
  local work = ("export_pages, pageSize %d"):format(size)
  measure(work, work, export(size))
end
