-- The CoreData benchmark's lunet side: run by bench/coredata/run.
-- Usage: lunet run bench/coredata/bench.lua SANDBOX_URL TOTAL LATENCY_MS FOLDER_ID
-- With LATENCY_MS on /coredata/api, pages the TOTAL files of FOLDER_ID and
-- consumes their change feed. Prints one tab-separated line per measurement:
--   label, work, requests, bound seconds (requests × latency), seconds
local coredata = require "lunet.coredata"
local http = require "lunet.http"
local state = require "lunet.state"

local base, total, latency = arg[1], tonumber(arg[2]), tonumber(arg[3])
local control = http.connect{ url = base }
local cd = coredata.connect{ url = base .. "/coredata", user = "lunet", key = "coredata-sandbox-key" }

local function now() local f = io.open("/proc/uptime"); local t = f:read("n"); f:close(); return t end
local function faults(spec) control:request{ method = "PUT", path = "/_sandbox/faults", text = spec } end

local function measure(label, work, fn)
  control:request{ method = "DELETE", path = "/_sandbox/requests" }
  local start = now()
  local n = fn()
  local t = now() - start
  assert(n == total, label .. ": " .. tostring(n) .. " items, expected " .. total)
  local count = 0
  for _, r in ipairs(control:request{ path = "/_sandbox/requests" }.body.requests) do
    if r.path:find("^/coredata/api/") then count = count + 1 end
  end
  local bound = count * latency / 1000
  io.stderr:write(("%-44s %6.2f s  (%d requests, bound %.2f s, %.2f × bound)\n"):format(label, t, count, bound, t / bound))
  print(table.concat({ label, work, count, ("%.3f"):format(bound), ("%.3f"):format(t) }, "\t"))
end

-- The files were uploaded by peer.py's setup (see run).
local folder = { id = arg[4] }
faults(("latency=%dms,path=/coredata/api"):format(latency))
io.stderr:write(("%d files, %d ms latency on /coredata/api\n"):format(total, latency))
for _, size in ipairs { 100, 1000 } do
  measure(("page files, page_size %d, prefetch 1"):format(size), "page " .. size, function()
    local n = 0
    for _ in cd.files:list{ parent = folder.id, page_size = size } do n = n + 1 end
    return n
  end)
end
measure("change feed with checkpoint (500 a page)", "feed", function()
  state.delete("checkpoint:bench-files")
  local n = 0
  for _ in cd:changes{ resource = "files", filter = { parent = folder.id }, checkpoint = "bench-files" } do n = n + 1 end
  assert(state.get("checkpoint:bench-files"), "no checkpoint saved")
  return n
end)
