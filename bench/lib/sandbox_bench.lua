-- The lunet side of the sandbox benchmarks (bench/{icl,iconect,coredata,
-- integrator}/bench.lua), loaded with dofile from the repository's root:
--
--   local bench = dofile("bench/lib/sandbox_bench.lua")
--   local measure = bench.measurer{ control = http.connect{ url = base }, total = total, latency = latency,
--                                   counts = function(path) return path:find("^/icl/api/") ~= nil end }
--   measure("upsert, concurrency 4", "upsert", function() … return items_handled end)
--
-- measure clears the sandbox's request log, times fn on a monotonic clock,
-- checks the count fn returns, counts the logged requests of the work and
-- prints one tab-separated line (label, work, requests, bound seconds =
-- requests × latency, seconds) for bench/lib/compare.py, and a readable one
-- on stderr.
local task = require "lunet.task"

local M = { now = task.clock }

function M.measurer(o)
  return function(label, work, fn)
    o.control:request{ method = "DELETE", path = "/_sandbox/requests" }
    local start = M.now()
    local n = fn()
    local t = M.now() - start
    assert(n == o.total, label .. ": " .. tostring(n) .. " items, expected " .. o.total)
    local count = 0
    for _, r in ipairs(o.control:request{ path = "/_sandbox/requests" }.body.requests) do
      if o.counts(r.path) then count = count + 1 end
    end
    local bound = count * o.latency / 1000
    io.stderr:write(("%-44s %6.3f s  (%d requests, bound %.2f s, %.2f × bound)\n"):format(label, t, count, bound, t / bound))
    print(table.concat({ label, work, count, ("%.3f"):format(bound), ("%.3f"):format(t) }, "\t"))
  end
end

return M
