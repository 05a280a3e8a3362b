-- lunet.coredata: the CoreData ECM binding's Lua surface (lua-api.md,
-- "CoreData"; decisions in docs/coredata.md). Connections, the apikey
-- header, retries and errors come from the Swift core (this chunk's
-- argument; Sources/LunetCoreData/Binding/); paths live in one route table
-- (Sources/LunetCoreData/CoreDataRoutes.swift).
local core = ...
local paging = require "lunet.paging"
local check = require "lunet._check"
local json = require "lunet.json"
local dates = require "lunet.coredata.dates"

local coredata = { dates = dates }

local function fail(caller, msg, level) error("coredata " .. caller .. ": " .. msg, (level or 2) + 1) end

local function sorted_keys(t)
  local names = {}
  for n in pairs(t) do names[#names + 1] = n end
  table.sort(names)
  return names
end

local function check_options(caller, opts, allowed)
  return check.options("coredata", caller, opts, allowed) -- a tail call: errors point at the script
end

-- An id argument: a non-empty string, or an object (table) with one.
local function check_id(caller, what, v, level)
  if type(v) == "table" and type(v.id) == "string" then v = v.id end
  if type(v) ~= "string" or v == "" then
    fail(caller, what .. " must be an id string (or an object with an id), got "
      .. (v == "" and "an empty string" or type(v)), (level or 2) + 1)
  end
  return v
end

local function is_null(v) return v == nil or v == json.null end

------------------------------------------------------------------ filters

-- Documented filters per resource (seed 003; `parent` on folders is the
-- sandbox's assumption). Date fields take exact, gt, gte, lt, lte, range.
local DATE_OPS = { "", "__gt", "__gte", "__lt", "__lte", "__range" }
local function filter_set(names, with_dates)
  local set = {}
  for _, n in ipairs(names) do set[n] = true end
  if with_dates then
    for _, field in ipairs { "created", "modified" } do
      for _, op in ipairs(DATE_OPS) do set[field .. op] = true end
    end
  end
  return set
end
local FILTERS = {
  spaces = filter_set({}),
  folders = filter_set({ "parent" }),
  projects = filter_set({ "title", "title__startswith", "associated_contacts_id" }, true),
  files = filter_set({ "title", "title__startswith", "parent", "associated_contacts_id" }, true),
  contacts = filter_set({ "title", "title__startswith", "identifier", "identifier__startswith" }, true),
  tasks = filter_set({ "title", "title__startswith", "associated_contacts_id" }, true),
}
coredata.FILTERS = FILTERS
local ID_FILTERS = { parent = true, associated_contacts_id = true }
local PAGE_OPTIONS = { page_size = true, limit = true, prefetch = true }
local MAX_PAGE = 1000 -- Tastypie's max_limit

-- The query for `opts`' filters: names checked against the resource's,
-- dates formatted as the API wants (ISO 8601 UTC to the second, `Z`).
-- `depth`: frames from this function's caller up to the user's code (2
-- from changes() and from list_cursor, which methods tail-call).
local function build_filters(caller, resource, opts, skip, depth)
  local known, query, level = FILTERS[resource], {}, depth or 2
  for name, value in pairs(opts) do
    if not (skip and skip[name]) then
      if not known[name] then
        local names = sorted_keys(known)
        fail(caller, ("unknown option '%s' (%s filters: %s%s)"):format(tostring(name), resource,
          #names > 0 and table.concat(names, ", ") or "none",
          skip and ("; options: " .. table.concat(sorted_keys(skip), ", ")) or ""), level + 1)
      end
      local field, op = name:match("^(%a+)__(%a+)$")
      field = field or name
      if field == "created" or field == "modified" then
        local text, err = dates.filter_value(op or "exact", value)
        if not text then fail(caller, name .. ": " .. err, level + 1) end
        query[name] = text
      elseif ID_FILTERS[field] then
        query[name] = check_id(caller, name, value, level + 1)
      else
        if type(value) ~= "string" or value == "" then
          fail(caller, name .. " must be a non-empty string, got " .. (value == "" and "an empty string" or type(value)), level + 1)
        end
        query[name] = value
      end
    end
  end
  return query
end

------------------------------------------------------------------ the connection

local Connection = { __name = "lunet.coredata.Connection" }
Connection.__index = Connection

local Resource = { __name = "lunet.coredata.Resource" }
Resource.__index = Resource

local RESOURCES = { "spaces", "projects", "files", "folders", "contacts", "tasks" }
local CREATABLE = { projects = true, contacts = true }
local UPDATABLE = { projects = true, contacts = true, files = true, folders = true, tasks = true }

--- coredata.connect(profile_or_options) → connection
function coredata.connect(options)
  local ok, conn = pcall(core.connect, options)
  if not ok then
    -- raised at this file's line: report it at the caller's
    if type(conn) == "string" then conn = conn:gsub("^[^\n]-:%d+: ", "", 1) end
    error(conn, 2)
  end
  local origin = conn.url:match("^(https?://[^/]+)")
  local self = setmetatable({ _conn = conn, _origin = origin }, Connection)
  for _, name in ipairs(RESOURCES) do
    self[name] = setmetatable({ _cd = self, _conn = conn, name = name }, Resource)
  end
  return self
end

function Connection:__tostring() return tostring(self._conn) end

-- A path as CoreData wants it: ending in '/' (without it the server
-- redirects, and a POST may come back as a GET).
local function slashed(path)
  local base, query = path:match("^([^?#]*)(.*)$")
  if base:sub(-1) ~= "/" then base = base .. "/" end
  return base .. query
end

--- cd:request{ method=, path=, query=, body=, headers= } → { status, headers, body }
-- For what the binding does not cover; the trailing slash is added.
function Connection:request(t)
  if type(t) ~= "table" then fail("request()", "options must be a table, got " .. type(t)) end
  if type(t.path) == "string" and not t.path:match("^https?://") then
    local copy = {}
    for k, v in pairs(t) do copy[k] = v end
    copy.path = slashed(t.path)
    t = copy
  end
  return self._conn:request(t)
end

-- meta.next is a path from the host root (`/api/v2/…?limit=&offset=`):
-- resolve it against the base URL's origin, not the base URL.
local function next_url(self, meta)
  local n = type(meta) == "table" and meta.next or nil
  if is_null(n) or n == "" then return nil end
  if n:match("^https?://") then return n end
  if n:sub(1, 1) ~= "/" then n = "/" .. n end
  return self._origin .. n
end

local function list_cursor(self, caller, route, params, resource, opts)
  -- Methods tail-call this function: level 2 is their caller.
  if opts ~= nil and type(opts) ~= "table" then fail(caller, "options must be a table, got " .. type(opts)) end
  opts = opts or {}
  local query = build_filters(caller, resource, opts, PAGE_OPTIONS)
  local cd, conn = self._cd, self._conn
  return paging.cursor{
    name = caller:gsub(":list%(%)$", ""), caller = "coredata " .. caller,
    page_size = opts.page_size, max_page_size = MAX_PAGE, limit = opts.limit, prefetch = opts.prefetch,
    fetch = function(position, size)
      local body
      if position == nil then
        local q = { limit = size, offset = 0 }
        for k, v in pairs(query) do q[k] = v end
        body = conn:_call(route, params, { query = q })
      else
        body = conn:request{ path = position }.body
      end
      if type(body) ~= "table" or type(body.objects) ~= "table" then
        error("coredata " .. caller .. ": the server's answer has no 'objects' list", 0)
      end
      local meta = type(body.meta) == "table" and body.meta or {}
      return { items = body.objects, next = next_url(cd, meta), total = math.tointeger(meta.total_count) }
    end,
  }
end

------------------------------------------------------------------ resources

function Resource:__tostring() return "<coredata " .. self.name .. ">" end

--- cd.X:list{ filters…, page_size=, limit=, prefetch= } → cursor
function Resource:list(opts)
  return list_cursor(self, self.name .. ":list()", self.name .. ".list", nil, self.name, opts)
end

--- cd.X:get(id) → object; raises the API's 404 when absent
function Resource:get(id)
  id = check_id(self.name .. ":get()", "id", id)
  return (self._conn:_call(self.name .. ".get", { id = id }))
end

-- A body for create/update: a table; ids may be given as objects.
local function body_of(caller, fields)
  if type(fields) ~= "table" then fail(caller, "fields must be a table, got " .. type(fields), 3) end
  local body = {}
  for k, v in pairs(fields) do
    if type(k) ~= "string" then fail(caller, "field names must be strings, got " .. type(k), 3) end
    if (k == "space" or k == "parent") and type(v) == "table" and type(v.id) == "string" then v = v.id end
    body[k] = v
  end
  return body
end

--- cd.projects:create{ space = id, title = "…", … } / cd.contacts:create{ title = "…", … } → the new object
function Resource:create(fields)
  local caller = self.name .. ":create()"
  if not CREATABLE[self.name] then fail(caller, "CoreData creates only projects and contacts through API v2") end
  local body = body_of(caller, fields)
  if self.name == "projects" then check_id(caller, "space", body.space) end
  if type(body.title) ~= "string" or body.title == "" then
    fail(caller, "title is required (a non-empty string), got " .. (body.title == "" and "an empty string" or type(body.title)))
  end
  return (self._conn:_call(self.name .. ".create", nil, { body = body }))
end

--- cd.X:update(id, fields) → the object: a partial update (PATCH; assumed, see docs/coredata.md)
function Resource:update(id, fields)
  local caller = self.name .. ":update()"
  if not UPDATABLE[self.name] then fail(caller, "spaces cannot be updated") end
  id = check_id(caller, "id", id)
  return (self._conn:_call(self.name .. ".update", { id = id }, { body = body_of(caller, fields) }))
end

-- A contact's projects, files and tasks.
for _, nested in ipairs { "projects", "files", "tasks" } do
  Resource[nested] = function(self, id, opts)
    local caller = self.name .. ":" .. nested .. "()"
    if self.name ~= "contacts" then fail(caller, "only contacts have nested " .. nested .. " lists") end
    id = check_id(caller, "id", id)
    return list_cursor(self, caller, "contacts." .. nested, { id = id }, nested, opts)
  end
end

------------------------------------------------------------------ file content

-- S3's XML errors (<Code>, <Message>) into the lunet.Error's fields.
local function storage_error(e)
  if type(e) == "table" and type(e.body) == "string" then
    local code, message = e.body:match("<Code>(.-)</Code>"), e.body:match("<Message>(.-)</Message>")
    if code then e.code = code end
    if message then e.message = "storage: " .. message end
  end
  return e
end

--- cd.files:download(id, path) → { status, bytes, path }
-- Follows the 302 to the pre-signed storage link without the API key,
-- streams to a temporary file beside `path` and renames it into place.
function Resource:download(id, path)
  local caller = self.name .. ":download()"
  if self.name ~= "files" then fail(caller, "only files have content") end
  id = check_id(caller, "id", id)
  if type(path) ~= "string" or path == "" then fail(caller, "path must be a non-empty string, got " .. type(path)) end
  local ok, r = pcall(self._conn._download, self._conn, "files.content", { id = id }, path)
  if not ok then error(storage_error(r), 0) end
  return r
end

local TYPES = {
  pdf = "application/pdf", txt = "text/plain", csv = "text/csv", json = "application/json", xml = "application/xml",
  html = "text/html", htm = "text/html", png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", gif = "image/gif",
  zip = "application/zip", doc = "application/msword", xls = "application/vnd.ms-excel",
  docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
local UPLOAD_OPTIONS = { path = true, title = true, filename = true, content_type = true, folder = true,
                         project = true, filespace = true }
local PARENTS = { "folder", "project", "filespace" }

--- cd.files:upload{ folder|project|filespace = id, path = "x.pdf", title=, filename=, content_type= } → the new file
-- POST /api/v3/files/ as multipart, the content streamed from disk.
function Resource:upload(opts)
  local caller = self.name .. ":upload()"
  if self.name ~= "files" then fail(caller, "only files can be uploaded") end
  opts = check_options(caller, opts, UPLOAD_OPTIONS)
  if type(opts.path) ~= "string" or opts.path == "" then fail(caller, "path must be a non-empty string, got " .. type(opts.path)) end
  local f, why = io.open(opts.path, "rb")
  if not f then fail(caller, "cannot read " .. opts.path .. ": " .. tostring(why)) end
  f:close()
  local parent, parent_id
  for _, name in ipairs(PARENTS) do
    if opts[name] ~= nil then
      if parent then fail(caller, "give one parent, not both " .. parent .. " and " .. name) end
      parent, parent_id = name, check_id(caller, name, opts[name])
    end
  end
  if not parent then fail(caller, "a parent is required: folder, project or filespace") end
  local filename = opts.filename or opts.path:match("([^/\\]+)$")
  for _, k in ipairs { "filename", "title", "content_type" } do
    local v = k == "filename" and filename or opts[k]
    if v ~= nil and (type(v) ~= "string" or v == "") then fail(caller, k .. " must be a non-empty string, got " .. type(v)) end
  end
  local ext = filename:match("%.([%w]+)$")
  local content_type = opts.content_type or (ext and TYPES[ext:lower()]) or "application/octet-stream"
  local parts = {
    { name = "filename", value = filename },
    { name = "title", value = opts.title or filename },
    { name = parent, value = parent_id },
    { name = "content", path = opts.path, filename = filename, content_type = content_type },
  }
  return (self._conn:_upload("files.upload", nil, parts))
end

------------------------------------------------------------------ change feed

local FEED_OPTIONS = { resource = true, token = true, since = true, checkpoint = true, follow = true, interval = true,
                       page_size = true, filter = true }
local FEED_RESOURCES = { projects = true, files = true, contacts = true, tasks = true }

--- cd:changes{ resource=, checkpoint=, token=, since=, follow=, interval=, page_size=, filter= } → feed
-- See docs/coredata.md, "Change feed", for the token and its guarantees.
function Connection:changes(opts)
  local caller = "changes()"
  opts = check_options(caller, opts, FEED_OPTIONS)
  local resource = opts.resource
  if not FEED_RESOURCES[resource] then
    fail(caller, "resource must be one of contacts, files, projects, tasks (the resources with a modified filter), got "
      .. tostring(resource))
  end
  local size = opts.page_size or 500
  if math.type(size) ~= "integer" or size < 1 or size > MAX_PAGE then
    fail(caller, "option 'page_size' must be an integer from 1 to " .. MAX_PAGE .. ", got " .. tostring(size))
  end
  local filter = {}
  if opts.filter ~= nil then
    if type(opts.filter) ~= "table" then fail(caller, "option 'filter' must be a table, got " .. type(opts.filter)) end
    for k in pairs(opts.filter) do
      if type(k) == "string" and k:match("^modified") then
        fail(caller, "filter: " .. k .. " cannot be used: the feed filters on modified itself (use since)")
      end
    end
    filter = build_filters("changes() filter", resource, opts.filter, nil, 2)
  end
  if opts.token ~= nil and not dates.is_token(opts.token) then
    fail(caller, "option 'token' must be a feed token (a table saved from feed.token), got " .. type(opts.token))
  end
  local from_since
  if opts.since ~= nil and opts.since ~= "now" then
    local start, err = dates.epoch(opts.since)
    if not start then fail(caller, "option 'since' must be \"now\" or a date: " .. err) end
    from_since = function() return dates.start_token(start) end
  end
  local feed = require("lunet.coredata.feed").new(self._conn, resource, filter, size)
  return paging.feed{
    name = "changes(" .. resource .. ")", caller = "coredata changes()",
    fetch = feed.fetch, now = feed.now, from_since = from_since, show = dates.show_token,
    token = opts.token, since = opts.since, checkpoint = opts.checkpoint, follow = opts.follow,
    interval = opts.interval,
  }
end

return coredata
