-- lunet.icl: the iCL Portal binding's Lua surface (lua-api.md, "iCL Portal").
-- Connections, auth, retries and errors come from the Swift core (this
-- chunk's argument; Sources/LunetICL/Binding/ICLBinding.swift); paths live
-- in one route table (Sources/LunetICL/ICLRoutes.swift).
local core = ...
local paging = require "lunet.paging"
local check = require "lunet._check"

local icl = {}

-- The portal answers most calls in an ASP.NET Boilerplate envelope
-- {result, success, error, __abp} and some bare: accept both.
local function unwrap(body)
  if type(body) == "table" and body.__abp ~= nil then return body.result end
  return body
end

local function check_string(caller, name, v, optional)
  if v == nil and optional then return end
  if type(v) ~= "string" or v == "" then
    error(("icl %s: %s must be a %sstring, got %s"):format(caller, name, optional and "non-empty " or "non-empty ",
      v == "" and "an empty string" or type(v)), 3)
  end
end

local function check_key(caller, key)
  if type(key) ~= "string" and math.type(key) ~= "integer" then
    error(("icl %s: key must be an _id, contentItemId or externalId string, got %s"):format(caller, type(key)), 3)
  end
  return tostring(key)
end

local function check_options(caller, opts, allowed)
  return check.options("icl", caller, opts, allowed) -- a tail call: errors point at the script
end

------------------------------------------------------------------ the connection

local Portal = { __name = "lunet.icl.Portal" }
Portal.__index = Portal

--- icl.connect(profile_or_options) → portal
function icl.connect(options)
  return setmetatable({ _conn = core.connect(options) }, Portal)
end

function Portal:__tostring()
  return (tostring(self._conn):gsub("^<icl connection", "<icl connection"))
end

--- portal:request{ method=, path=, query=, body=, headers= } → { status, headers, body }
function Portal:request(t) return self._conn:request(t) end

------------------------------------------------------------------ content items

local Content = { __name = "lunet.icl.Content" }
Content.__index = Content

--- portal:content(type) → collection of one type; portal:content() → all types
function Portal:content(type_)
  if type_ ~= nil and (type(type_) ~= "string" or type_ == "") then
    error("icl content(): type must be a string or nil, got " .. (type_ == "" and "an empty string" or type(type_)), 2)
  end
  return setmetatable({ _conn = self._conn, type = type_ }, Content)
end

function Content:__tostring() return "<icl content(" .. (self.type or "all types") .. ")>" end

local list_options = { filter = true, orderby = true, page_size = true, limit = true, prefetch = true }

--- collection:list{ filter=, orderby=, page_size=, limit=, prefetch= } → cursor
-- OData v3: property names capitalised (`Title`); on content() only
-- ContentItemId, Title and ExternalId can be filtered.
function Content:list(opts)
  opts = check_options("content:list()", opts, list_options)
  check_string("content:list()", "filter", opts.filter, true)
  check_string("content:list()", "orderby", opts.orderby, true)
  local conn, type_ = self._conn, self.type
  local route = type_ and "content.list" or "content.listAll"
  return paging.cursor{
    name = "content(" .. (type_ or "") .. ")", caller = "icl content:list()",
    page_size = opts.page_size, limit = opts.limit, prefetch = opts.prefetch, start = 0,
    advance = function(offset, size) return offset + size end,
    fetch = function(offset, size)
      local body = unwrap(conn:_call(route, { type = type_ }, { query = {
        ["$filter"] = opts.filter, ["$orderby"] = opts.orderby, ["$top"] = size, ["$skip"] = offset,
        ["$inlinecount"] = "allpages" } }))
      local items = body.results or {}
      return { items = items, next = offset + size, total = body.__count }
    end,
  }
end

local function need_type(self, caller)
  if not self.type then error("icl content():" .. caller .. ": needs a content type: use portal:content(\"building\")", 3) end
end

--- collection:get(key) → item (key: _id, contentItemId or externalId); raises 404 when absent
function Content:get(key)
  need_type(self, "get()")
  return unwrap(self._conn:_call("content.get", { type = self.type, key = check_key("content:get()", key) }))
end

--- collection:create(item) → the stored item
function Content:create(item)
  need_type(self, "create()")
  if type(item) ~= "table" then error("icl content:create(): item must be a table, got " .. type(item), 2) end
  return unwrap(self._conn:_call("content.create", { type = self.type }, { body = item }))
end

--- collection:replace(key, item) → the stored item. A PUT: fields not in `item` are removed.
function Content:replace(key, item)
  need_type(self, "replace()")
  if type(item) ~= "table" then error("icl content:replace(): item must be a table, got " .. type(item), 2) end
  return unwrap(self._conn:_call("content.replace", { type = self.type, key = check_key("content:replace()", key) },
    { body = item }))
end

--- collection:delete(key): a soft delete; raises 404 when absent or already deleted
function Content:delete(key)
  need_type(self, "delete()")
  self._conn:_call("content.delete", { type = self.type, key = check_key("content:delete()", key) })
end

local upsert_options = { batch_size = true, atomic = true, concurrency = true }

--- collection:upsert(items, { batch_size = 500, atomic = true, concurrency = 1 }) → report
-- items: an array or any iterator; each needs an externalId. Report:
-- count, batches, succeeded {index, externalId, id}, errored {index,
-- externalId, error}, rolled_back {index, externalId} (atomic batches that
-- failed: valid items not stored).
function Content:upsert(items, opts)
  need_type(self, "upsert()")
  opts = check_options("content:upsert()", opts, upsert_options)
  local atomic = opts.atomic
  if atomic == nil then atomic = true end
  local conn, type_ = self._conn, self.type
  return paging.batch(items, opts, {
    caller = "icl content:upsert()", batch_size = 500, lists = { "succeeded", "errored", "rolled_back" },
    key = function(item) return type(item) == "table" and item.externalId or nil end,
    send = function(batch)
      -- The answer names items by externalId. Items of one batch sharing one
      -- (a deleted item and its successor, from a feed) are stored in order
      -- and matched to the answer's entries in order.
      local first, later = {}, nil
      for i, item in ipairs(batch) do
        local ext = type(item) == "table" and item.externalId
        if type(ext) ~= "string" or ext == "" then
          error("icl content:upsert(): item " .. i .. " of a batch has no externalId (the batch upsert matches items by it)", 0)
        end
        if first[ext] == nil then
          first[ext] = i
        else
          later = later or {}
          later[ext] = later[ext] or {}
          table.insert(later[ext], i)
        end
      end
      local function take(ext)
        local i = first[ext]
        if i then first[ext] = false; return i end
        local rest = later and later[ext]
        if rest and #rest > 0 then return table.remove(rest, 1) end
        return nil
      end
      local body = unwrap(conn:_call(atomic and "content.batch" or "content.batchIgnoreErrors", { type = type_ },
        { body = batch }))
      local report, seen = { succeeded = {}, errored = {}, rolled_back = {} }, {}
      for _, e in ipairs(body.errored or {}) do
        local i = take(e.externalId)
        if i then seen[i] = true; table.insert(report.errored, { index = i, externalId = e.externalId, error = e.error }) end
      end
      -- The server's entries become the report's (one table less per item
      -- of a 20,000-item upsert); `index` is the item's place in the batch.
      local stored = report.succeeded
      for _, s in ipairs(body.succeeded or {}) do
        local i = take(s.externalId)
        if i then seen[i] = true; s.index = i; stored[#stored + 1] = s end
      end
      for i, item in ipairs(batch) do
        if not seen[i] then
          if atomic and #report.errored > 0 then
            table.insert(report.rolled_back, { index = i, externalId = item.externalId })
          else
            -- neither listed as stored nor as rejected: report it, never drop it
            table.insert(report.errored, { index = i, externalId = item.externalId, error = "not in the server's answer" })
          end
        end
      end
      return report
    end,
  })
end

------------------------------------------------------------------ change feeds

local NEWEST = "__________8" -- the portal's "from now on" token

local feed_options = { type = true, token = true, since = true, checkpoint = true, follow = true, interval = true }

--- portal:changes{ type=, token=, since = "now", checkpoint=, follow=, interval= } → feed
function Portal:changes(opts)
  opts = check_options("changes()", opts, feed_options)
  check_string("changes()", "type", opts.type, true)
  local conn, type_ = self._conn, opts.type
  local route = type_ and "content.changes" or "content.changesAll"
  local function fetch(token)
    local body = unwrap(conn:_call(route, { type = type_ }, { query = { changeToken = token or "0" } }))
    return { items = body.Results or body.results or {}, next = body.NextChangeToken or body.nextChangeToken }
  end
  return paging.feed{
    name = type_ and ("changes(" .. type_ .. ")") or "changes", caller = "icl changes()",
    fetch = fetch, now = function() return fetch(NEWEST).next end,
    token = opts.token, since = opts.since, checkpoint = opts.checkpoint, follow = opts.follow, interval = opts.interval,
  }
end

------------------------------------------------------------------ content types

local Types = { __name = "lunet.icl.Types" }
Types.__index = Types

function Portal:types() return setmetatable({ _conn = self._conn }, Types) end
function Types:__tostring() return "<icl content types>" end

--- portal:types():list{ page_size=, limit=, prefetch= } → cursor of type definitions
function Types:list(opts)
  opts = check_options("types():list()", opts, { page_size = true, limit = true, prefetch = true })
  local conn = self._conn
  return paging.cursor{
    name = "content types", caller = "icl types():list()", start = 0,
    page_size = opts.page_size, limit = opts.limit, prefetch = opts.prefetch,
    advance = function(offset, size) return offset + size end,
    fetch = function(offset, size)
      local body = unwrap(conn:_call("types.list", nil,
        { query = { ["$top"] = size, ["$skip"] = offset, ["$inlinecount"] = "allpages" } }))
      return { items = body.results or {}, next = offset + size, total = body.__count }
    end,
  }
end

local Type = { __name = "lunet.icl.Type" }
Type.__index = Type

--- portal:type(name) → a content type
function Portal:type(name)
  check_string("type()", "name", name)
  return setmetatable({ _conn = self._conn, name = name }, Type)
end

function Type:__tostring() return "<icl content type " .. self.name .. ">" end

function Type:get() return unwrap(self._conn:_call("type.get", { name = self.name })) end

--- type:download(path): the definition saved to a file (atomically) → { status, bytes, path }
function Type:download(path)
  check_string("type:download()", "path", path)
  return self._conn:_download("type.download", { name = self.name }, path)
end

function Type:create(definition)
  if type(definition) ~= "table" then error("icl type:create(): definition must be a table, got " .. type(definition), 2) end
  return unwrap(self._conn:_call("type.create", { name = self.name }, { body = definition }))
end

--- type:update(definition, { force = false }): breaking changes need force = true
function Type:update(definition, opts)
  if type(definition) ~= "table" then error("icl type:update(): definition must be a table, got " .. type(definition), 2) end
  opts = check_options("type:update()", opts, { force = true })
  return unwrap(self._conn:_call(opts.force and "type.forceUpdate" or "type.update", { name = self.name }, { body = definition }))
end

--- type:delete{ force = false }: a type still used needs force = true
function Type:delete(opts)
  opts = check_options("type:delete()", opts, { force = true })
  return unwrap(self._conn:_call(opts.force and "type.forceDelete" or "type.delete", { name = self.name }))
end

--- portal:reset_sync_filters()
function Portal:reset_sync_filters()
  return unwrap(self._conn:_call("type.resetSyncFilters"))
end

return icl
