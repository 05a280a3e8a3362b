-- The integrator.io benchmark's lunet side: run by bench/integrator/run.
-- Usage: lunet run bench/integrator/bench.lua SANDBOX_URL TOTAL LATENCY_MS
-- Loads TOTAL records behind the demo "Heartbeat API" connection, then
-- prints one tab-separated line per measurement:
--   work, requests, bound seconds (requests × latency), seconds
local integrator = require "lunet.integrator"
local http = require "lunet.http"

local base, total, latency = arg[1], tonumber(arg[2]), tonumber(arg[3])
local CONNECTION = "5a1498b3bc227369ab2aa77b"
local MODEL = { rest = { relativeURI = "/bench" } }
local control = http.connect{ url = base }
local celigo = integrator.connect()

local function now() local f = io.open("/proc/uptime"); local t = f:read("n"); f:close(); return t end

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

local function measure(work, page_size)
  control:request{ method = "DELETE", path = "/_sandbox/requests" }
  local start = now()
  local n, last = 0, nil
  for record in celigo.connections:export_pages(CONNECTION, MODEL, { page_size = page_size }) do
    n = n + 1
    last = record.code
  end
  local t = now() - start
  assert(n == total and last == ("R%06d"):format(total), work .. ": " .. n .. " records, last " .. tostring(last))
  local count = 0
  for _, r in ipairs(control:request{ path = "/_sandbox/requests" }.body.requests) do
    if r.path:find("/export/pages", 1, true) then count = count + 1 end
  end
  local bound = count * latency / 1000
  io.stderr:write(("%-40s %6.2f s  (%d requests, bound %.2f s, %.2f × bound)\n"):format(work, t, count, bound, t / bound))
  print(table.concat({ work, count, ("%.3f"):format(bound), ("%.3f"):format(t) }, "\t"))
end

io.stderr:write(("%d records, %d ms latency on /integrator/v1\n"):format(total, latency))
measure("export_pages, pageSize 100", 100)
measure("export_pages, pageSize 1000", 1000)
