-- lunet.integrator: the integrator.io (Celigo) binding's Lua surface
-- (lua-api.md, "integrator.io"; decisions in docs/integrator.md).
-- Connections, auth, retries and errors come from the Swift core (this
-- chunk's argument; Sources/LunetIntegrator/Binding/); paths live in one
-- route table (Sources/LunetIntegrator/IntegratorRoutes.swift).
local core = ...
local paging = require "lunet.paging"
local check = require "lunet._check"
local json = require "lunet.json"
local task = require "lunet.task"

local integrator = {}

------------------------------------------------------------------ argument checks

local function argerror(caller, msg) error("integrator " .. caller .. ": " .. msg, 3) end

local function describe(v)
  if v == "" then return "an empty string" end
  return type(v)
end

local function check_id(caller, name, v)
  if type(v) ~= "string" or v == "" then
    argerror(caller, name .. " must be a non-empty string, got " .. describe(v))
  end
  return v
end

local function check_table(caller, name, v)
  if type(v) ~= "table" then argerror(caller, name .. " must be a table, got " .. type(v)) end
  return v
end

local function check_options(caller, opts, allowed)
  return check.options("integrator", caller, opts, allowed) -- a tail call: errors point at the script
end

local function check_seconds(caller, name, v, positive)
  if v ~= nil and (type(v) ~= "number" or v < 0 or v ~= v or (positive and v == 0)) then
    argerror(caller, "option '" .. name .. "' must be a " .. (positive and "positive" or "non-negative")
      .. " number of seconds, got " .. tostring(v))
  end
  return v
end

------------------------------------------------------------------ Link paging

local function origin(url)
  local o = tostring(url):match("^([%a][%w+.-]*://[^/?#]+)")
  return o and o:lower()
end

-- A cursor over a list that pages with `Link: <…>; rel="next"`. The first
-- request is the route with `limit` = page size; the next ones are the
-- server's links as given (they carry skip and limit). A link to another
-- host is refused: the token is never sent there.
local function link_cursor(conn, spec, opts)
  local home = origin(conn.url)
  return paging.cursor{
    name = spec.name, caller = spec.caller, max_page_size = 1000,
    page_size = opts.page_size, limit = opts.limit, prefetch = opts.prefetch,
    fetch = function(position, size)
      local response
      if position then
        if origin(position) ~= home then
          error(core.error{ url = position, message = "the Link rel=\"next\" of " .. spec.name
            .. " points to another host; not following it with the token" }, 0)
        end
        response = conn:request{ path = position }
      else
        local method, path = core.route(conn, spec.route, spec.params)
        local query = {}
        for k, v in pairs(spec.query or {}) do query[k] = v end
        query.limit = size
        response = conn:request{ method = method, path = path, query = query }
      end
      local items = response.body
      if items == nil then items = {} end -- 204: an empty list
      if type(items) ~= "table" then
        error(core.error{ url = position or spec.route, status = response.status,
          message = spec.name .. ": expected a JSON array, got " .. type(items) }, 0)
      end
      return { items = items, next = core.link(response.headers.link, "next", position or conn.url) }
    end,
  }
end

local list_options = { page_size = true, limit = true, prefetch = true }

------------------------------------------------------------------ the connection

local Celigo = { __name = "lunet.integrator.Connection" }
Celigo.__index = Celigo

local Connections = { __name = "lunet.integrator.Connections" }
Connections.__index = Connections
local Flows = { __name = "lunet.integrator.Flows" }
Flows.__index = Flows
local Jobs = { __name = "lunet.integrator.Jobs" }
Jobs.__index = Jobs
local State = { __name = "lunet.integrator.State" }
State.__index = State

--- integrator.connect(profile_or_options) → connection
function integrator.connect(options)
  local ok, conn = pcall(core.connect, options)
  if not ok then -- a bad option: report it at the caller's line, not this one
    if type(conn) == "string" then error((conn:gsub("^[^\n]-:%d+: ", "", 1)), 2) end
    error(conn, 0)
  end
  return setmetatable({
    _conn = conn,
    connections = setmetatable({ _conn = conn }, Connections),
    flows = setmetatable({ _conn = conn }, Flows),
    jobs = setmetatable({ _conn = conn }, Jobs),
    state = setmetatable({ _conn = conn }, State),
  }, Celigo)
end

function Celigo:__tostring() return tostring(self._conn) end
function Connections:__tostring() return "<integrator connections>" end
function Flows:__tostring() return "<integrator flows>" end
function Jobs:__tostring() return "<integrator jobs>" end
function State:__tostring() return "<integrator state>" end

--- celigo:request{ method=, path=, query=, body=, headers= } → { status, headers, body }
function Celigo:request(t) return self._conn:request(t) end

--- celigo:token_info() → { _userId, scope }
function Celigo:token_info() return (self._conn:_call("tokenInfo")) end

------------------------------------------------------------------ connections

--- connections:list{ page_size = 100, limit =, prefetch = 1 } → cursor
function Connections:list(opts)
  opts = check_options("connections:list()", opts, list_options)
  return link_cursor(self._conn, { name = "connections", caller = "integrator connections:list()",
    route = "connections.list" }, opts)
end

function Connections:get(id)
  return (self._conn:_call("connections.get", { id = check_id("connections:get()", "id", id) }))
end

function Connections:create(connection)
  check_table("connections:create()", "connection", connection)
  return (self._conn:_call("connections.create", nil, { body = connection }))
end

--- connections:update(id, connection): a PUT, fields left out are removed
function Connections:update(id, connection)
  check_id("connections:update()", "id", id)
  check_table("connections:update()", "connection", connection)
  return (self._conn:_call("connections.update", { id = id }, { body = connection }))
end

function Connections:delete(id)
  self._conn:_call("connections.delete", { id = check_id("connections:delete()", "id", id) })
end

--- connections:ping(id) or connections:ping(model): a virtual ping (nothing saved)
function Connections:ping(id_or_model)
  if type(id_or_model) == "table" then
    return (self._conn:_call("connections.pingVirtual", nil, { body = id_or_model }))
  end
  if type(id_or_model) ~= "string" or id_or_model == "" then
    argerror("connections:ping()", "argument must be a connection id or a connection model table, got "
      .. describe(id_or_model))
  end
  return (self._conn:_call("connections.ping", { id = id_or_model }))
end

--- connections:debug(id, { resource = rid }) → the debug log as text
function Connections:debug(id, opts)
  check_id("connections:debug()", "id", id)
  opts = check_options("connections:debug()", opts, { resource = true })
  if opts.resource ~= nil then check_id("connections:debug()", "option 'resource'", opts.resource) end
  local body = self._conn:_call("connections.debug", { id = id },
    { query = { _resourceId = opts.resource }, raw = true })
  return body or ""
end

--- connections:export(id, export_model) → { data, dataURIs } (the first page)
function Connections:export(id, model)
  check_id("connections:export()", "id", id)
  check_table("connections:export()", "export_model", model)
  return (self._conn:_call("connections.export", { id = id }, { body = { export = model } }))
end

--- connections:export_pages(id, export_model, { page_size =, limit =, prefetch = 1 }) → cursor of records
-- Each answer's pagedExportState is sent back as the exact text received
-- (it is signed) until an answer says done.
function Connections:export_pages(id, model, opts)
  local caller = "connections:export_pages()"
  check_id(caller, "id", id)
  check_table(caller, "export_model", model)
  opts = check_options(caller, opts, list_options)
  if opts.page_size ~= nil then
    if math.type(opts.page_size) ~= "integer" or opts.page_size < 1 or opts.page_size > 1000 then
      argerror(caller, "option 'page_size' must be an integer from 1 to 1000, got " .. tostring(opts.page_size))
    end
    local copy = {}
    for k, v in pairs(model) do copy[k] = v end
    copy.pageSize = opts.page_size
    model = copy
  end
  local ok, model_json = pcall(json.encode, model)
  if not ok then argerror(caller, "export_model is not JSON-able: " .. tostring(model_json)) end
  local conn = self._conn
  local size = math.type(model.pageSize) == "integer" and model.pageSize or 20
  return paging.cursor{
    name = "export(" .. id .. ")", caller = "integrator " .. caller, page_size = size,
    limit = opts.limit, prefetch = opts.prefetch,
    fetch = function(state)
      local method, path = core.route(conn, "connections.exportPages", { id = id })
      while true do
        local text = state and ('{"export":' .. model_json .. ',"pagedExportState":' .. state .. '}')
          or ('{"export":' .. model_json .. '}')
        -- Safe to repeat: the server answers a repeated state with the same page.
        local response = conn:request{ method = method, path = path, text = text, raw = true, retry = "safe",
          headers = { ["Content-Type"] = "application/json" } }
        local raw = response.body or ""
        local body = json.decode(raw)
        local items = type(body) == "table" and body.data or {}
        if items == json.null then items = {} end
        local answered = type(body) == "table" and body.pagedExportState
        local done = type(answered) ~= "table" or answered.done == true
        local next_state = not done and core.member(raw, "pagedExportState") or nil
        -- An empty page that is not the last: ask for the next one at once.
        if #items > 0 or next_state == nil then return { items = items, next = next_state } end
        state = next_state
      end
    end,
  }
end

local function succeeded(code) return code == nil or (math.type(code) == "integer" and code >= 200 and code < 300) end

--- connections:import(id, import_model, records, { batch_size = 100, concurrency = 1 }) → report
-- records: an array or any iterator. Report: count, batches,
-- succeeded {index, id, statusCode}, errored {index, statusCode, errors}.
function Connections:import(id, model, records, opts)
  local caller = "connections:import()"
  check_id(caller, "id", id)
  check_table(caller, "import_model", model)
  if records == nil then argerror(caller, "records must be an array or an iterator, got nil") end
  opts = check_options(caller, opts, { batch_size = true, concurrency = true })
  local conn = self._conn
  return paging.batch(records, opts, {
    caller = "integrator " .. caller, batch_size = 100, lists = { "succeeded", "errored" },
    send = function(batch)
      local results = conn:_call("connections.import", { id = id }, { body = { import = model, data = batch } })
      local report = { succeeded = {}, errored = {} }
      for i = 1, #batch do
        local r = type(results) == "table" and results[i] or nil
        if type(r) ~= "table" then
          table.insert(report.errored, { index = i, errors = {
            { code = "missing_result", message = "the server's answer has no result for this record" } } })
        elseif succeeded(r.statusCode) and r.errors == nil then
          table.insert(report.succeeded, { index = i, id = r.id or r._id, statusCode = r.statusCode })
        else
          table.insert(report.errored, { index = i, statusCode = r.statusCode,
            errors = r.errors or { { message = r.message or "rejected" } } })
        end
      end
      return report
    end,
  })
end

--- connections:map(id, import_model, records) → the mapped records (the server's answer)
function Connections:map(id, model, records)
  check_id("connections:map()", "id", id)
  check_table("connections:map()", "import_model", model)
  check_table("connections:map()", "records", records)
  return (self._conn:_call("connections.importMap", { id = id },
    { body = { import = model, data = json.array(records) } }))
end

------------------------------------------------------------------ flows

--- flows:list{ page_size =, limit =, prefetch = } → cursor
function Flows:list(opts)
  opts = check_options("flows:list()", opts, list_options)
  return link_cursor(self._conn, { name = "flows", caller = "integrator flows:list()", route = "flows.list" }, opts)
end

function Flows:get(id)
  return (self._conn:_call("flows.get", { id = check_id("flows:get()", "id", id) }))
end

--- flows:run(id) → the server's answer, e.g. { _jobId = "…" }
function Flows:run(id)
  return (self._conn:_call("flows.run", { id = check_id("flows:run()", "id", id) }))
end

------------------------------------------------------------------ jobs

local job_filters = {
  "_integrationId", "_exportId", "_importId", "_flowId", "_flowJobId", "_flowId_in", "_bulkJobId",
  "createdAt_lte", "createdAt_gte", "status", "type", "type_in", "retriable",
  "numError_lte", "numError_gte", "numSuccess_lte", "numSuccess_gte", "numIgnore_lte", "numIgnore_gte",
  "numExport_lte", "numExport_gte",
}
local job_required = { _integrationId = true, _exportId = true, _importId = true, _flowId = true,
  _flowJobId = true, _flowId_in = true, createdAt_lte = true, createdAt_gte = true }
local job_options = { page_size = true, limit = true, prefetch = true }
for _, f in ipairs(job_filters) do job_options[f] = true end

-- "2024-03-02T09:00:00.123Z" (or without milliseconds) → epoch milliseconds.
local function epoch_ms(text)
  if math.type(text) == "integer" then return text end
  local y, mo, d, h, mi, s, frac = tostring(text):match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)%.?(%d*)Z$")
  if not y then return nil end
  y, mo = tonumber(y), tonumber(mo)
  -- days from civil (Howard Hinnant)
  local yy = mo <= 2 and y - 1 or y
  local era = (yy >= 0 and yy or yy - 399) // 400
  local yoe = yy - era * 400
  local doy = (153 * (mo + (mo > 2 and -3 or 9)) + 2) // 5 + tonumber(d) - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  local days = era * 146097 + doe - 719468
  local ms = frac ~= "" and tonumber((frac .. "00"):sub(1, 3)) or 0
  return ((days * 24 + tonumber(h)) * 60 + tonumber(mi)) * 60000 + tonumber(s) * 1000 + ms
end
integrator._epoch_ms = epoch_ms
integrator._member, integrator._link, integrator._clock = core.member, core.link, task.clock -- for tests

--- jobs:list{ _flowId =, createdAt_gte =, status =, …, page_size = 100, limit = } → cursor, newest first
-- Pages with createdAt_lte (the documented workaround: jobs have no paging
-- of their own): the next page asks for jobs created at or before the last
-- one seen and drops those already delivered, so jobs sharing a
-- millisecond across a page boundary are neither lost nor repeated.
function Jobs:list(opts)
  local caller = "jobs:list()"
  opts = check_options(caller, opts, job_options)
  local query, has_required = {}, false
  for _, f in ipairs(job_filters) do
    local v = opts[f]
    if v ~= nil then
      local t = type(v)
      if t ~= "string" and t ~= "number" and t ~= "boolean" then
        argerror(caller, "option '" .. f .. "' must be a string, number or boolean, got " .. t)
      end
      query[f] = v
      if job_required[f] then has_required = true end
    end
  end
  if not has_required then
    argerror(caller, "needs an id or date filter (_flowId, _integrationId, _exportId, _importId, _flowJobId, "
      .. "_flowId_in, createdAt_gte or createdAt_lte): integrator.io rejects a job list without one")
  end
  local conn = self._conn
  return paging.cursor{
    name = "jobs", caller = "integrator " .. caller, max_page_size = 1000,
    page_size = opts.page_size, limit = opts.limit, prefetch = opts.prefetch,
    start = { lte = opts.createdAt_lte, seen = {} },
    fetch = function(position, size)
      while true do
        local limit = position.limit or size
        local q = {}
        for k, v in pairs(query) do q[k] = v end
        q.createdAt_lte, q.limit = position.lte, limit
        local raw = conn:_call("jobs.list", nil, { query = q }) or {}
        local items = {}
        for _, job in ipairs(raw) do
          if not position.seen[job._id] then items[#items + 1] = job end
        end
        if #raw < limit then return { items = items, next = nil } end
        local last = raw[#raw].createdAt
        if #items > 0 then
          local seen = {}
          if last == position.lte then for k in pairs(position.seen) do seen[k] = true end end
          for _, job in ipairs(raw) do if job.createdAt == last then seen[job._id] = true end end
          return { items = items, next = { lte = last, seen = seen } }
        elseif limit < 1000 then
          -- A full page of jobs already delivered, all from the boundary
          -- millisecond: ask for a bigger page of it.
          position = { lte = position.lte, seen = position.seen, limit = math.min(1000, limit * 2) }
        else
          -- More than 1000 jobs in one millisecond (the API's page maximum):
          -- the rest of that millisecond cannot be reached; step past it.
          local ms = epoch_ms(last)
          if ms == nil then return { items = items, next = nil } end
          position = { lte = ms - 1, seen = {} }
        end
      end
    end,
  }
end

function Jobs:get(id)
  return (self._conn:_call("jobs.get", { id = check_id("jobs:get()", "id", id) }))
end

-- Statuses after which a job no longer changes. Anything else (queued,
-- running, retrying, …) is polled again.
local terminal = { completed = true, failed = true, canceled = true, cancelled = true,
  completedWithErrors = true, finished = true }
integrator.terminal_statuses = terminal

--- jobs:wait(id, { timeout = 600, interval = 2 }) → the job in a terminal status
-- A timeout raises a lunet.Error (code "timeout") carrying the last job read in `job`.
function Jobs:wait(id, opts)
  local caller = "jobs:wait()"
  check_id(caller, "id", id)
  opts = check_options(caller, opts, { timeout = true, interval = true })
  local timeout = check_seconds(caller, "timeout", opts.timeout) or 600
  local interval = check_seconds(caller, "interval", opts.interval, true) or 2
  local deadline = task.clock() + timeout
  while true do
    local job = self:get(id)
    if type(job) == "table" and (terminal[job.status] or (job.endedAt ~= nil and job.status ~= "running"
        and job.status ~= "queued")) then
      return job
    end
    local left = deadline - task.clock()
    if left <= 0 then
      local method, path = core.route(self._conn, "jobs.get", { id = id })
      local e = core.error{ method = method, url = self._conn.url .. path, code = "timeout", retryable = true,
        message = ("job %s is still %s after %gs"):format(id, tostring(type(job) == "table" and job.status), timeout) }
      e.job = job
      error(e, 2)
    end
    task.sleep(math.min(interval, left))
  end
end

------------------------------------------------------------------ state

local function check_key(caller, key)
  if type(key) ~= "string" or key == "" then argerror(caller, "key must be a non-empty string, got " .. describe(key)) end
  return key
end

--- state:get(key) → the stored value, or nil when the key is absent
function State:get(key)
  check_key("state:get()", key)
  local ok, body = pcall(self._conn._call, self._conn, "state.get", { key = key })
  if ok then return body end
  if type(body) == "table" and body.status == 404 then return nil end
  error(body, 0)
end

--- state:put(key, value): any JSON-able value
function State:put(key, value)
  check_key("state:put()", key)
  if value == nil then argerror("state:put()", "value must not be nil (use state:delete(key))") end
  self._conn:_call("state.put", { key = key }, { body = value })
end

--- state:delete(key) → true when the key existed, false when it was absent
function State:delete(key)
  check_key("state:delete()", key)
  local ok, e = pcall(self._conn._call, self._conn, "state.delete", { key = key })
  if ok then return true end
  if type(e) == "table" and e.status == 404 then return false end
  error(e, 0)
end

--- state:keys() → array of strings (sorted as the server sends them)
function State:keys()
  local body = self._conn:_call("state.keys")
  if body == nil then return {} end -- 204: no keys
  local keys = body.keys or body
  local out = {}
  for i, k in ipairs(keys) do out[i] = k end
  return out
end

return integrator
