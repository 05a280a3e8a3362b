-- lunet_sync.sources: built-in source adapters. A source is
--   { name = "…", open = function(ctx) return iterator end }
-- where the iterator is a function returning the next item (nil at the end),
-- a lunet.Cursor, a lunet.Feed (checkpointed: ctx.checkpoint is the name) or an array.
local M = {}

local function need(cond, msg) if not cond then error("lunet_sync.sources." .. msg, 3) end end

--- sources.array(items, name?) → source of a Lua array (tests, small fixed lists)
function M.array(items, name)
  need(type(items) == "table", "array(): expected an array, got " .. type(items))
  return { name = name or "array", open = function() return items end }
end

--- sources.iterator(make, name) → source calling make(ctx) for a fresh iterator/cursor/feed each run
function M.iterator(make, name)
  need(type(make) == "function", "iterator(): expected a function, got " .. type(make))
  return { name = name or "iterator", open = make }
end

--- sources.icl_changes(portal, { type = "building", since = "now"? }) → iCL change feed, checkpointed
function M.icl_changes(portal, opts)
  need(type(portal) == "table", "icl_changes(): expected an icl connection, got " .. type(portal))
  opts = opts or {}
  return {
    name = "icl changes(" .. (opts.type or "all") .. ")",
    open = function(ctx)
      return portal:changes{ type = opts.type, since = opts.since, checkpoint = ctx.checkpoint }
    end,
  }
end

--- sources.icl_list(portal, type, list_options?) → every item of an iCL content type (no checkpoint)
function M.icl_list(portal, type_, opts)
  need(type(portal) == "table", "icl_list(): expected an icl connection, got " .. type(portal))
  need(type(type_) == "string", "icl_list(): expected a content type name, got " .. type(type_))
  return { name = "icl " .. type_, open = function() return portal:content(type_):list(opts) end }
end

return M
