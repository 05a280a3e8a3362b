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

local function faults(spec) control:request{ method = "PUT", path = "/_sandbox/faults", text = spec } end

-- Runs fn, checks its count, and counts the /coredata/api requests it made.
local measure = dofile("bench/lib/sandbox_bench.lua").measurer{ control = control, total = total, latency = latency,
  counts = function(path) return path:find("^/coredata/api/") ~= nil end }

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
