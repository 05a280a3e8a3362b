-- Delete the records matching a search with a MassActionDelete job, and
-- wait for it: a view selects the records, the job deletes them.
--
--   lunet run [--sandbox] scripts/examples/iconect_run_job.lua PROJECT "SEARCH WORDS" [--timeout S]
--
-- Prints each status the job passes through and the record count before
-- and after. Exits 1 when the job does not end Completed, 124 (as for --timeout) when it is still running after --timeout seconds.
local iconect = require "lunet.iconect"
local lunet = require "lunet"

local project_id, search, timeout = math.tointeger(tonumber(arg[1] or "")), arg[2], 600
if arg[3] == "--timeout" then timeout = tonumber(arg[4]) end
if not project_id or not search or search == "" or not timeout or (arg[3] and arg[3] ~= "--timeout") then
  io.stderr:write('usage: lunet run iconect_run_job.lua PROJECT "SEARCH WORDS" [--timeout S]\n')
  os.exit(2)
end

local ic = iconect.connect()
if lunet.sandbox and not pcall(ic.projects.get, ic.projects, project_id) then
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
end
local p = ic:project(project_id)

local before = p.records:count()
local view = p.views:create{ search_query = search }
local selected = #p.records:list{ view_id = view.id, field_ids = { 1 }, page_size = 500 }:collect()
print(("project %d: %d records, %d match %q (view %d)"):format(project_id, before, selected, search, view.id))

local job = p.jobs:create{ type = "MassActionDelete", name = "Delete: " .. search, details = { view_id = view.id } }
p.jobs:start(job, { view_id = view.id })
local last
local function show(j)
  if j.status_name ~= last then
    last = j.status_name
    print(("job %d: %s"):format(j.id, j.status_name))
  end
end
local ok, result = pcall(p.jobs.wait, p.jobs, job, { timeout = timeout, interval = 0.5, progress = show })
if not ok then
  if type(result) == "table" and result.code == "timeout" then
    print(("job %d still %s after %g s; it keeps running on the server"):format(job.id, result.job.status_name, timeout))
    os.exit(124)
  end
  error(result, 0)
end
show(result)
p.views:delete(view)
print(("job %d ended %s: %s; %d records left (was %d)"):format(result.id, result.status_name,
  tostring(result.status_message), p.records:count(), before))
if result.status_name ~= "Completed" then os.exit(1) end
