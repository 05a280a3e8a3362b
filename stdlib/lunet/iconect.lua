-- lunet.iconect: the iCONECT binding's Lua surface (lua-api.md, "iCONECT").
-- Connections, auth, retries and errors come from the Swift core (this
-- chunk's argument; Sources/LunetIConect/Binding/IConectBinding.swift);
-- paths live in one route table (Sources/LunetIConect/IConectRoutes.swift).
-- Native files and file stores are lunet.iconect_files. Decisions:
-- docs/iconect.md.
local core = ...
local paging = require "lunet.paging"
local check = require "lunet._check"
local json = require "lunet.json"
local task = require "lunet.task"
local files = require "lunet.iconect_files"

local iconect = {}

------------------------------------------------------------------ argument checks

local function fail(caller, msg, level) error("iconect " .. caller .. ": " .. msg, (level or 2) + 1) end

local function describe(v)
  if type(v) == "string" then return ("string '%s'"):format(#v > 40 and v:sub(1, 40) .. "…" or v) end
  if math.type(v) == "float" then return "number " .. tostring(v) end
  return type(v)
end

local function check_options(caller, opts, allowed)
  return check.options("iconect", caller, opts, allowed) -- a tail call: errors point at the script
end

-- An object id: an integer, a string of digits, or a table with an `id`
-- (an object a method returned).
local function ref(caller, name, v, level)
  local given = v
  if type(v) == "table" then v = v.id end
  if type(v) == "string" and v:match("^%d+$") then v = math.tointeger(tonumber(v)) end
  if math.type(v) == "float" then v = math.tointeger(v) end
  if math.type(v) ~= "integer" then
    fail(caller, ("%s must be an integer id (or an object with an id), got %s"):format(name, describe(given)), (level or 2) + 1)
  end
  return v
end

local function check_table(caller, name, v, level)
  if type(v) ~= "table" then fail(caller, name .. " must be a table, got " .. type(v), (level or 2) + 1) end
  return v
end

local function check_integer(caller, name, v, min, level)
  if v == nil then return nil end
  if math.type(v) ~= "integer" or (min and v < min) then
    fail(caller, ("option '%s' must be %s integer, got %s"):format(name,
      min == 0 and "a non-negative" or (min and "a positive" or "an"), describe(v)), (level or 2) + 1)
  end
  return v
end

-- page_size, limit and prefetch, checked here so that a mistake names
-- the script's line (lunet.paging checks them too).
local function cursor_options(caller, opts, level)
  level = level or 3
  check_integer(caller, "page_size", opts.page_size, 1, level)
  check_integer(caller, "limit", opts.limit, 0, level)
  check_integer(caller, "prefetch", opts.prefetch, 0, level)
end

local function id_list(caller, name, v, level)
  if v == nil then return nil end
  if type(v) ~= "table" then
    fail(caller, ("option '%s' must be an array of integer ids, got %s"):format(name, type(v)), (level or 2) + 1)
  end
  local out = {}
  for i, x in ipairs(v) do out[i] = ref(caller, name .. "[" .. i .. "]", x, (level or 2) + 1) end
  return out
end

------------------------------------------------------------------ enumerations

-- iconect.enums.job_status[5] == "Completed", iconect.enums.job_status.Completed == 5
local enums = {}
for name, members in pairs(core.enums) do
  if name ~= "terminal_job_statuses" then
    local t = {}
    for number, member in pairs(members) do t[number] = member; t[member] = number end
    enums[name] = t
  end
end
local terminal = {}
for _, status in ipairs(core.enums.terminal_job_statuses) do terminal[status] = true end
iconect.enums = enums

-- A member given by number (passed on as is: the server decides) or by
-- name (exact, else case-insensitive).
local function member(caller, what, enum_name, v, level)
  if v == nil or math.type(v) == "integer" then return v end
  local enum = enums[enum_name]
  if type(v) == "string" then
    if math.type(enum[v]) == "integer" then return enum[v] end
    for key, number in pairs(enum) do
      if type(key) == "string" and key:lower() == v:lower() then return number end
    end
  end
  local names = {}
  for number, name in pairs(enum) do
    if math.type(number) == "integer" then names[#names + 1] = { number, name } end
  end
  table.sort(names, function(a, b) return a[1] < b[1] end)
  for i, pair in ipairs(names) do names[i] = pair[2] .. " (" .. pair[1] .. ")" end
  fail(caller, ("%s must be a %s number or name (%s), got %s"):format(what, enum_name, table.concat(names, ", "),
    describe(v)), (level or 2) + 1)
end

--- iconect.terminal(job_or_status) → true when a job with that status will not change by itself
function iconect.terminal(v)
  if type(v) == "table" then v = v.status end
  return terminal[member("terminal()", "status", "job_status", v, 2)] == true
end

-- The enum-valued members of each kind of object: accepted by name in
-- request bodies, and given a `<member>_name` in answers.
local kinds = {
  client = { state = "state" },
  project = { state = "state", type = "database_type" },
  field = { type = "field_type", date_format = "date_format", numeric_format = "numeric_format",
            currency_format = "currency_format", time_format = "time_format", duration_format = "duration_format" },
  panel = { type = "panel_type" },
  job = { type = "job_type", status = "job_status", state = "job_state" },
}

-- A copy of a request body with enum names made numbers and our own
-- `*_name` members left out (they are not the server's).
local function body_of(caller, kind, t, level)
  check_table(caller, kind, t, (level or 2) + 1)
  local members, out = kinds[kind], {}
  for k, v in pairs(t) do
    local enum_name = members[k]
    if enum_name then
      out[k] = member(caller, kind .. "." .. k, enum_name, v, (level or 2) + 1)
    elseif not (type(k) == "string" and members[k:match("^(.*)_name$") or ""]) then
      out[k] = v
    end
  end
  return out
end

-- An answer with `<member>_name` beside each enum member (`status_name`).
local function named(kind, object)
  if type(object) ~= "table" then return object end
  for k, enum_name in pairs(kinds[kind]) do
    local v = object[k]
    if math.type(v) == "integer" then object[k .. "_name"] = enums[enum_name][v] end
  end
  return object
end

local function named_all(kind, list)
  for _, object in ipairs(list or {}) do named(kind, object) end
  return list or {}
end

------------------------------------------------------------------ cursors

-- Listings the API answers whole (no paging parameters) still return a
-- cursor, as every list method does; `limit` applies.
local function whole(name, caller, opts, fetch)
  cursor_options(caller, opts) -- whole() is tail-called: it stands in the method's place
  return paging.cursor{
    name = name, caller = "iconect " .. caller, limit = opts.limit, start = 1, prefetch = 0,
    fetch = function()
      local items = fetch() or {}
      return { items = items, next = nil, total = #items }
    end,
  }
end

------------------------------------------------------------------ the connection

local Connection = { __name = "lunet.iconect.Connection" }
Connection.__index = Connection

local Clients = { __name = "lunet.iconect.Clients" }
Clients.__index = Clients
local Projects = { __name = "lunet.iconect.Projects" }
Projects.__index = Projects

--- iconect.connect(profile_or_options) → connection
function iconect.connect(options)
  local conn = core.connect(options)
  local ic = setmetatable({ _conn = conn }, Connection)
  ic.clients = setmetatable({ _conn = conn }, Clients)
  ic.projects = setmetatable({ _conn = conn }, Projects)
  return ic
end

function Connection:__tostring() return tostring(self._conn) end

--- ic:request{ method=, path=, query=, body=, headers= } → { status, headers, body }
function Connection:request(t) return self._conn:request(t) end

function Connection:user() return (self._conn:_call("user")) end
function Connection:system() return (self._conn:_call("system")) end
function Connection:upload_target() return (self._conn:_call("upload_target")) end
function Connection:dataservers() return (self._conn:_call("dataservers.list")) end

------------------------------------------------------------------ clients

function Clients:__tostring() return "<iconect clients>" end

function Clients:list(opts)
  opts = check_options("clients:list()", opts, { limit = true })
  local conn = self._conn
  return whole("clients", "clients:list()", opts, function() return named_all("client", conn:_call("clients.list")) end)
end

function Clients:get(id)
  return named("client", (self._conn:_call("clients.get", { client_id = ref("clients:get()", "id", id) })))
end

function Clients:create(t)
  return named("client", (self._conn:_call("clients.create", nil, { body = body_of("clients:create()", "client", t) })))
end

function Clients:update(id, t)
  id = ref("clients:update()", "id", id)
  return named("client", (self._conn:_call("clients.update", { client_id = id },
    { body = body_of("clients:update()", "client", t) })))
end

function Clients:delete(id)
  return (self._conn:_call("clients.delete", { client_id = ref("clients:delete()", "id", id) }))
end

function Clients:activate(id)
  return (self._conn:_call("clients.activate", { client_id = ref("clients:activate()", "id", id) }))
end

function Clients:deactivate(id)
  return (self._conn:_call("clients.deactivate", { client_id = ref("clients:deactivate()", "id", id) }))
end

------------------------------------------------------------------ projects

function Projects:__tostring() return "<iconect projects>" end

--- projects:list{ type = 0 | "Projects" | 1 | "Templates" | 2 | "ProjectsAndTemplates", limit = }
function Projects:list(opts)
  opts = check_options("projects:list()", opts, { type = true, limit = true })
  local type_ = member("projects:list()", "option 'type'", "database_filter", opts.type, 2)
  local conn = self._conn
  return whole("projects", "projects:list()", opts, function()
    return named_all("project", conn:_call("projects.list", nil, { query = { type = type_ } }))
  end)
end

function Projects:get(id)
  return named("project", (self._conn:_call("projects.get", { project_id = ref("projects:get()", "id", id) })))
end

--- projects:create{ name=, description=, client_id=, dataservers_id=, project_template_id=, state=, type= }
function Projects:create(t)
  local body = body_of("projects:create()", "project", t)
  if body.project_template_id ~= nil then
    body.project_template_id = ref("projects:create()", "project_template_id", body.project_template_id)
  end
  return named("project", (self._conn:_call("projects.create", nil, { body = body })))
end

function Projects:update(id, t)
  id = ref("projects:update()", "id", id)
  return named("project", (self._conn:_call("projects.update", { project_id = id },
    { body = body_of("projects:update()", "project", t) })))
end

function Projects:delete(id)
  return (self._conn:_call("projects.delete", { project_id = ref("projects:delete()", "id", id) }))
end

function Projects:activate(id)
  return (self._conn:_call("projects.activate", { project_id = ref("projects:activate()", "id", id) }))
end

function Projects:deactivate(id)
  return (self._conn:_call("projects.deactivate", { project_id = ref("projects:deactivate()", "id", id) }))
end

------------------------------------------------------------------ one project

local Project = { __name = "lunet.iconect.Project" }
Project.__index = Project

local Fields = { __name = "lunet.iconect.Fields" }
Fields.__index = Fields
local Panels = { __name = "lunet.iconect.Panels" }
Panels.__index = Panels
local Folders = { __name = "lunet.iconect.Folders" }
Folders.__index = Folders
local Records = { __name = "lunet.iconect.Records" }
Records.__index = Records
local Jobs = { __name = "lunet.iconect.Jobs" }
Jobs.__index = Jobs
local Views = { __name = "lunet.iconect.Views" }
Views.__index = Views
local Templates = { __name = "lunet.iconect.Templates" }
Templates.__index = Templates

--- ic:project(id) → project (nothing is fetched)
function Connection:project(id)
  id = ref("project()", "id", id)
  local conn = self._conn
  local p = setmetatable({ _conn = conn, id = id }, Project)
  local function part(class) return setmetatable({ _conn = conn, _project = id }, class) end
  p.fields, p.panels, p.records, p.jobs = part(Fields), part(Panels), part(Records), part(Jobs)
  p.views, p.templates = part(Views), part(Templates)
  p.files = files.native(p)
  p.filestores = files.filestores(p)
  return p
end

function Project:__tostring() return "<iconect project " .. self.id .. ">" end

local function pp(self, extra)
  local params = { project_id = self._project or self.id }
  for k, v in pairs(extra or {}) do params[k] = v end
  return params
end

function Project:get() return named("project", (self._conn:_call("projects.get", pp(self)))) end
function Project:settings() return named("project", (self._conn:_call("projects.settings", pp(self)))) end
function Project:client() return named("client", (self._conn:_call("projects.client", pp(self)))) end
function Project:dataserver() return (self._conn:_call("projects.dataserver", pp(self))) end

function Project:add_client(c)
  return (self._conn:_call("projects.add_client", pp(self, { client_id = ref("project:add_client()", "client", c) })))
end

function Project:remove_client(c)
  return (self._conn:_call("projects.remove_client", pp(self, { client_id = ref("project:remove_client()", "client", c) })))
end

------------------------------------------------------------------ fields

function Fields:__tostring() return "<iconect fields of project " .. self._project .. ">" end

function Fields:list(opts)
  opts = check_options("fields:list()", opts, { limit = true })
  local conn, params = self._conn, pp(self)
  return whole("fields", "fields:list()", opts, function() return named_all("field", conn:_call("fields.list", params)) end)
end

function Fields:get(f)
  return named("field", (self._conn:_call("fields.get", pp(self, { field_id = ref("fields:get()", "field", f) }))))
end

--- fields:create{ {name=, type=}, … } → the created fields (all or none)
function Fields:create(list)
  if type(list) ~= "table" or list[1] == nil then
    fail("fields:create()", "fields must be a non-empty array of field tables ({ { name =, type = }, … }), got "
      .. (type(list) == "table" and "a table without array items" or type(list)))
  end
  local body = {}
  for i, f in ipairs(list) do body[i] = body_of("fields:create()", "field", f) end
  return named_all("field", (self._conn:_call("fields.create", pp(self), { body = body })))
end

function Fields:update(f, t)
  f = ref("fields:update()", "field", f)
  return named("field", (self._conn:_call("fields.update", pp(self, { field_id = f }),
    { body = body_of("fields:update()", "field", t) })))
end

function Fields:delete(f)
  return named("field", (self._conn:_call("fields.delete", pp(self, { field_id = ref("fields:delete()", "field", f) }))))
end

------------------------------------------------------------------ panels

function Panels:__tostring() return "<iconect panels of project " .. self._project .. ">" end

--- panels:list{ type = "" | 0 | "STANDARD" | 1 | "CUSTOM_RELATED", limit = }
function Panels:list(opts)
  opts = check_options("panels:list()", opts, { type = true, limit = true })
  local type_ = opts.type
  if type_ ~= "" then type_ = member("panels:list()", "option 'type'", "panel_type", type_, 2) end
  local conn, params = self._conn, pp(self)
  return whole("panels", "panels:list()", opts, function()
    return named_all("panel", conn:_call("panels.list", params, { query = { type = type_ } }))
  end)
end

function Panels:get(n)
  return named("panel", (self._conn:_call("panels.get", pp(self, { panel_id = ref("panels:get()", "panel", n) }))))
end

function Panels:create(t)
  return named("panel", (self._conn:_call("panels.create", pp(self), { body = body_of("panels:create()", "panel", t) })))
end

function Panels:update(n, t)
  n = ref("panels:update()", "panel", n)
  return named("panel", (self._conn:_call("panels.update", pp(self, { panel_id = n }),
    { body = body_of("panels:update()", "panel", t) })))
end

function Panels:delete(n)
  return named("panel", (self._conn:_call("panels.delete", pp(self, { panel_id = ref("panels:delete()", "panel", n) }))))
end

------------------------------------------------------------------ folders

--- p:folders(panel) → the folders of one panel
function Project:folders(panel)
  panel = ref("project:folders()", "panel", panel)
  return setmetatable({ _conn = self._conn, _project = self.id, _panel = panel }, Folders)
end

function Folders:__tostring() return ("<iconect folders of panel %d, project %d>"):format(self._panel, self._project) end

local function fp(self, d, caller)
  local params = pp(self, { panel_id = self._panel })
  if d ~= nil or caller then params.folder_id = ref(caller, "folder", d, 3) end
  return params
end

--- folders:list{ parent_id = 0, limit = } → the children of parent_id (0: the top level)
function Folders:list(opts)
  opts = check_options("folders:list()", opts, { parent_id = true, limit = true })
  local parent = opts.parent_id ~= nil and ref("folders:list()", "option 'parent_id'", opts.parent_id) or nil
  local conn, params = self._conn, fp(self)
  return whole("folders", "folders:list()", opts, function()
    return conn:_call("folders.list", params, { query = { parent_id = parent } })
  end)
end

function Folders:get(d) return (self._conn:_call("folders.get", fp(self, d, "folders:get()"))) end

function Folders:create(t)
  return (self._conn:_call("folders.create", fp(self), { body = check_table("folders:create()", "folder", t) }))
end

function Folders:update(d, t)
  local params = fp(self, d, "folders:update()")
  return (self._conn:_call("folders.update", params, { body = check_table("folders:update()", "folder", t) }))
end

function Folders:delete(d) return (self._conn:_call("folders.delete", fp(self, d, "folders:delete()"))) end

--- folders:records(d) → the records filed in folder d (an array)
function Folders:records(d) return (self._conn:_call("folders.records", fp(self, d, "folders:records()"))) end

local function record_refs(caller, ids)
  if type(ids) ~= "table" then fail(caller, "record_ids must be an array of record ids, got " .. type(ids), 3) end
  local out = {}
  for i, r in ipairs(ids) do out[i] = { id = ref(caller, "record_ids[" .. i .. "]", r, 3) } end
  return json.array(out)
end

function Folders:add_records(d, ids)
  local params = fp(self, d, "folders:add_records()")
  return (self._conn:_call("folders.add_records", params, { body = { records = record_refs("folders:add_records()", ids) } }))
end

function Folders:remove_records(d, ids)
  local params = fp(self, d, "folders:remove_records()")
  return (self._conn:_call("folders.remove_records", params,
    { body = { records = record_refs("folders:remove_records()", ids) } }))
end

------------------------------------------------------------------ records

function Records:__tostring() return "<iconect records of project " .. self._project .. ">" end

local list_options = { page_size = true, limit = true, prefetch = true, field_ids = true, record_ids = true,
                       view_id = true, size_limit = true }

--- records:list{ page_size = 100, limit=, prefetch=, field_ids=, record_ids= | view_id=, size_limit= } → cursor
function Records:list(opts)
  opts = check_options("records:list()", opts, list_options)
  cursor_options("records:list()", opts)
  if opts.record_ids ~= nil and opts.view_id ~= nil then
    fail("records:list()", "options 'record_ids' and 'view_id' are mutually exclusive: give one or the other")
  end
  local query = {
    field_ids = id_list("records:list()", "field_ids", opts.field_ids),
    record_ids = id_list("records:list()", "record_ids", opts.record_ids),
    view_id = opts.view_id ~= nil and ref("records:list()", "option 'view_id'", opts.view_id) or nil,
    size_limit = check_integer("records:list()", "size_limit", opts.size_limit, 0),
  }
  local conn, params = self._conn, pp(self)
  return paging.cursor{
    name = "records of project " .. self._project, caller = "iconect records:list()",
    page_size = opts.page_size, limit = opts.limit, prefetch = opts.prefetch, start = 1,
    advance = function(page) return page + 1 end,
    fetch = function(page, size)
      local q = { page = page, page_size = size }
      for k, v in pairs(query) do q[k] = v end
      local items = conn:_call("records.list", params, { query = q })
      return { items = items or {}, next = page + 1 }
    end,
  }
end

--- records:get(r, { field_ids = }) → the record; raises 404 when absent
function Records:get(r, opts)
  r = ref("records:get()", "record", r)
  opts = check_options("records:get()", opts, { field_ids = true })
  return (self._conn:_call("records.get", pp(self, { record_id = r }),
    { query = { field_ids = id_list("records:get()", "field_ids", opts.field_ids) } }))
end

function Records:delete(r)
  return (self._conn:_call("records.delete", pp(self, { record_id = ref("records:delete()", "record", r) })))
end

--- records:count() → an integer
function Records:count()
  local n = self._conn:_call("records.count", pp(self))
  if type(n) == "table" then n = n.count end
  return math.tointeger(n) or n
end

--- records:folders(r) → the ids of the folders record r is filed in
function Records:folders(r)
  return (self._conn:_call("records.folders", pp(self, { record_id = ref("records:folders()", "record", r) })))
end

-- One record as sent: `field_data` keyed by field id as a string (scripts
-- may use integer keys). Returns the body or nil and why it cannot be sent.
local function record_body(rec, need_id)
  if type(rec) ~= "table" then return nil, "a record must be a table, got " .. type(rec) end
  local data = rec.field_data
  if type(data) ~= "table" then return nil, "the record has no field_data table" end
  local out, clean = {}, {}
  for k, v in pairs(data) do
    if math.type(k) == "integer" then clean[tostring(k)] = v
    elseif type(k) == "string" then clean[k] = v
    else return nil, "field_data keys must be field ids, got " .. describe(k) end
  end
  for k, v in pairs(rec) do out[k] = v end
  out.field_data = json.object(clean)
  if need_id then
    local id = rec.id
    if type(id) == "string" and id:match("^%d+$") then id = math.tointeger(tonumber(id)) end
    if math.type(id) ~= "integer" then return nil, "the record has no integer id (update needs one)" end
    out.id = id
  else
    out.id = nil
  end
  return out
end

-- Sends one batch's valid records and maps the server's answer, whose
-- indexes are 0-based among the records sent, to 1-based positions in the
-- batch. Records refused before sending, and any the answer leaves out,
-- are errors: every record ends up in exactly one list.
local function send_records(conn, route, params, extra, batch, need_id, lists, collect)
  local report, sent, positions = {}, {}, {}
  for _, name in ipairs(lists) do report[name] = {} end
  for i, rec in ipairs(batch) do
    local body, problem = record_body(rec, need_id)
    if body then
      sent[#sent + 1] = body
      positions[#sent] = i
    else
      table.insert(report.errors, { index = i, id = need_id and type(rec) == "table" and rec.id or nil, error = problem })
    end
  end
  if #sent == 0 then return report end
  local body = { records = sent }
  for k, v in pairs(extra) do body[k] = v end
  local answer = conn:_call(route, params, { body = body }) or {}
  local seen = {}
  -- place(list, server_index, entry): entry.index becomes the record's
  -- position in the batch; entry.id defaults to the id sent (updates).
  local function place(list, server_index, entry)
    local j = math.tointeger(tonumber(server_index))
    local i = j and positions[j + 1]
    if i and not seen[i] then
      seen[i] = true
      entry.index = i
      if entry.id == nil and need_id then entry.id = sent[j + 1].id end
      table.insert(report[list], entry)
    end
  end
  for _, e in ipairs(answer.record_errors or {}) do
    place("errors", e.index, { id = e.id, error = e.message or e.error or json.encode(e) })
  end
  collect(answer, place, sent)
  for j, i in ipairs(positions) do
    if not seen[i] then
      table.insert(report.errors, { index = i, id = need_id and sent[j].id or nil, error = "not in the server's answer" })
    end
  end
  for _, name in ipairs(lists) do table.sort(report[name], function(a, b) return a.index < b.index end) end
  return report
end

local write_options = { batch_size = true, concurrency = true, filestore_id = true, native_field_id = true }

local function write_extra(caller, opts)
  local extra = {}
  if opts.filestore_id ~= nil then extra.filestore_id = ref(caller, "option 'filestore_id'", opts.filestore_id, 3) end
  if opts.native_field_id ~= nil then
    extra.native_field_id = ref(caller, "option 'native_field_id'", opts.native_field_id, 3)
  end
  return extra
end

--- records:create(records, { hash_ids=, batch_size = 500, concurrency = 1, filestore_id=, native_field_id= })
-- → { count, batches, created = { {index, id} }, duplicates = { {index, id} }, errors = { {index, error} } }
function Records:create(records, opts)
  local write = { hash_ids = true }
  for k in pairs(write_options) do write[k] = true end
  opts = check_options("records:create()", opts, write)
  local extra = write_extra("records:create()", opts)
  if opts.hash_ids ~= nil then extra.hash_ids = json.array(id_list("records:create()", "hash_ids", opts.hash_ids)) end
  local conn, params = self._conn, pp(self)
  local lists = { "created", "duplicates", "errors" }
  return paging.batch(records, { batch_size = opts.batch_size, concurrency = opts.concurrency }, {
    caller = "iconect records:create()", batch_size = 500, lists = lists,
    send = function(batch)
      return send_records(conn, "records.create", params, extra, batch, false, lists, function(answer, place)
        for k, id in pairs(answer.new_records_list or {}) do place("created", k, { id = id }) end
        for k, id in pairs(answer.duplicate_list or {}) do place("duplicates", k, { id = id }) end
      end)
    end,
  })
end

--- records:update(records, { batch_size = 500, concurrency = 1 }) — each record { id=, field_data=, version=? }
-- → { count, batches, updated = { {index, id} }, errors = { {index, id, error} } }
function Records:update(records, opts)
  opts = check_options("records:update()", opts, write_options)
  local extra = write_extra("records:update()", opts)
  local conn, params = self._conn, pp(self)
  local lists = { "updated", "errors" }
  return paging.batch(records, { batch_size = opts.batch_size, concurrency = opts.concurrency }, {
    caller = "iconect records:update()", batch_size = 500, lists = lists,
    -- Two updates of one record stay in input order, even with concurrency.
    key = function(rec) return type(rec) == "table" and math.tointeger(tonumber(rec.id)) or nil end,
    send = function(batch)
      return send_records(conn, "records.update", params, extra, batch, true, lists, function(_, place, sent)
        -- The server lists only failures: the others were updated.
        for j, rec in ipairs(sent) do place("updated", j - 1, { id = rec.id }) end
      end)
    end,
  })
end

------------------------------------------------------------------ jobs

function Jobs:__tostring() return "<iconect jobs of project " .. self._project .. ">" end

local function job_types(caller, types)
  if types == nil then return nil end
  if type(types) ~= "table" then types = { types } end
  local out = {}
  for i, t in ipairs(types) do out[i] = member(caller, "types[" .. i .. "]", "job_type", t, 3) end
  return out
end

--- jobs:list{ types = { 50006, "NativeImport" }, page_size = 20, limit=, prefetch= } → cursor
function Jobs:list(opts)
  opts = check_options("jobs:list()", opts, { types = true, page_size = true, limit = true, prefetch = true })
  cursor_options("jobs:list()", opts)
  local types = job_types("jobs:list()", opts.types)
  local conn, params = self._conn, pp(self)
  return paging.cursor{
    name = "jobs of project " .. self._project, caller = "iconect jobs:list()",
    page_size = opts.page_size or 20, limit = opts.limit, prefetch = opts.prefetch, start = 0,
    advance = function(row, size) return row + size end,
    fetch = function(row, size)
      local items = conn:_call("jobs.list", params, { query = { start_row = row, job_count = size, types = types } })
      return { items = named_all("job", items), next = row + size }
    end,
  }
end

function Jobs:get(j)
  return named("job", (self._conn:_call("jobs.get", pp(self, { job_id = ref("jobs:get()", "job", j) }))))
end

--- jobs:create{ type = 50006 | "MassActionDelete", name=, description=, details = {…} }
function Jobs:create(t)
  return named("job", (self._conn:_call("jobs.create", pp(self), { body = body_of("jobs:create()", "job", t) })))
end

function Jobs:update(j, t)
  j = ref("jobs:update()", "job", j)
  return named("job", (self._conn:_call("jobs.update", pp(self, { job_id = j }), { body = body_of("jobs:update()", "job", t) })))
end

--- jobs:delete(j, { delete_data = false })
function Jobs:delete(j, opts)
  j = ref("jobs:delete()", "job", j)
  opts = check_options("jobs:delete()", opts, { delete_data = true })
  if opts.delete_data ~= nil and type(opts.delete_data) ~= "boolean" then
    fail("jobs:delete()", "option 'delete_data' must be a boolean, got " .. describe(opts.delete_data))
  end
  return named("job", (self._conn:_call("jobs.delete", pp(self, { job_id = j }), { query = { delete_data = opts.delete_data } })))
end

--- jobs:start(j, { view_id = }) → the job as started
function Jobs:start(j, opts)
  j = ref("jobs:start()", "job", j)
  opts = check_options("jobs:start()", opts, { view_id = true })
  local body = opts.view_id ~= nil and { view_id = ref("jobs:start()", "option 'view_id'", opts.view_id) } or nil
  return named("job", (self._conn:_call("jobs.start", pp(self, { job_id = j }), { body = body })))
end

function Jobs:stop(j)
  return named("job", (self._conn:_call("jobs.stop", pp(self, { job_id = ref("jobs:stop()", "job", j) }))))
end

--- jobs:wait(j, { timeout = 600, interval = 2, progress = fn(job) }) → the job in a terminal status
-- Raises a lunet.Error (code "timeout", the last job in e.job) when the
-- timeout passes first.
function Jobs:wait(j, opts)
  j = ref("jobs:wait()", "job", j)
  opts = check_options("jobs:wait()", opts, { timeout = true, interval = true, progress = true })
  local timeout, interval = opts.timeout or 600, opts.interval or 2
  if type(timeout) ~= "number" or timeout < 0 then
    fail("jobs:wait()", "option 'timeout' must be a non-negative number of seconds, got " .. describe(timeout))
  end
  if type(interval) ~= "number" or interval <= 0 then
    fail("jobs:wait()", "option 'interval' must be a positive number of seconds, got " .. describe(interval))
  end
  if opts.progress ~= nil and type(opts.progress) ~= "function" then
    fail("jobs:wait()", "option 'progress' must be a function, got " .. type(opts.progress))
  end
  local deadline = task.clock() + timeout
  while true do
    local job = self:get(j)
    if terminal[job.status] then return job end
    if opts.progress then opts.progress(job) end
    local left = deadline - task.clock()
    if left <= 0 then
      local e = core.error{
        method = "GET", url = self._conn.url .. "/projects/" .. self._project .. "/jobs/" .. j, code = "timeout",
        retryable = true,
        message = ("job %d did not finish within %g s (status %s, state %s: %s)"):format(j, timeout,
          tostring(job.status_name or job.status), tostring(job.state_name or job.state), tostring(job.status_message)),
      }
      e.job = job
      error(e, 2)
    end
    task.sleep(math.min(interval, left))
  end
end

------------------------------------------------------------------ views and templates

function Views:__tostring() return "<iconect views of project " .. self._project .. ">" end

--- views:create{ selected_ids = {…} | search_query = "…", invert_selection = false, expiry_date = }
function Views:create(t)
  check_table("views:create()", "view", t)
  if t.selected_ids ~= nil and t.search_query ~= nil then
    fail("views:create()", "selected_ids and search_query are mutually exclusive: give one or the other")
  end
  local body = {}
  for k, v in pairs(t) do body[k] = v end
  if t.selected_ids ~= nil then body.selected_ids = json.array(id_list("views:create()", "selected_ids", t.selected_ids)) end
  return (self._conn:_call("views.create", pp(self), { body = body }))
end

function Views:delete(v)
  return (self._conn:_call("views.delete", pp(self, { view_id = ref("views:delete()", "view", v) })))
end

function Templates:__tostring() return "<iconect templates of project " .. self._project .. ">" end

--- templates:list{ type = 7 | "NativeImport", limit = } → cursor (type defaults to 7, the only kind)
function Templates:list(opts)
  opts = check_options("templates:list()", opts, { type = true, limit = true })
  local type_ = member("templates:list()", "option 'type'", "template_type", opts.type, 2) or 7
  local conn, params = self._conn, pp(self)
  return whole("templates", "templates:list()", opts, function()
    return conn:_call("templates.list", params, { query = { type = type_ } })
  end)
end

return iconect
