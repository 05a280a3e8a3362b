-- Paging through 20,000 records of the sandbox test API: run by bench/paging/run.
-- Usage: lunet run bench/paging/bench.lua BASE_URL TOTAL PAGE_SIZE LATENCY_MS
local http = require "lunet.http"
local task = require "lunet.task"
local paging = require "lunet.paging"

local base, total, size, latency = arg[1], tonumber(arg[2]), tonumber(arg[3]), tonumber(arg[4])
local api = http.connect{ url = base }
local pages = math.ceil(total / size)
local bound = pages * latency / 1000

local function now() local f = io.open("/proc/uptime"); local t = f:read("n"); f:close(); return t end

local function fetch(offset, limit)
  local r = api:request{ path = "/items", query = { offset = offset, limit = limit, total = total } }
  return { items = r.body.items, next = r.body.next and offset + limit or nil, total = r.body.total }
end

local function run(label, fn)
  local start = now()
  local n = fn()
  local t = now() - start
  assert(n == total, label .. ": got " .. n .. " records, expected " .. total)
  print(("%-34s %6.2f s   %5.2f × bound"):format(label, t, t / bound))
  return t
end

print(("%d records, %d pages of %d, %d ms latency per request: bound (pages × latency) = %.2f s")
  :format(total, pages, size, latency, bound))
for _, prefetch in ipairs { 0, 1 } do
  run("cursor, next page from the server, prefetch " .. prefetch, function()
    local n = 0
    for _ in paging.cursor{ fetch = fetch, start = 0, page_size = size, prefetch = prefetch } do n = n + 1 end
    return n
  end)
end
-- With offset paging the next positions are known ahead, so deeper
-- prefetch keeps several pages in flight (memory: (prefetch + 1) pages).
run("cursor, offset paging, prefetch 4", function()
  local n = 0
  for _ in paging.cursor{ fetch = fetch, start = 0, page_size = size, prefetch = 4,
                          advance = function(o, s) return o + s end } do n = n + 1 end
  return n
end)
run("task.map over pages, concurrency 8", function()
  local offsets = {}
  for p = 0, pages - 1 do offsets[#offsets + 1] = p * size end
  local results = task.map(offsets, function(offset) return #fetch(offset, size).items end, { concurrency = 8 })
  local n = 0
  for _, c in ipairs(results) do n = n + c end
  return n
end)
