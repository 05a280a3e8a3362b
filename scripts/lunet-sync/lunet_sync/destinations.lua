-- lunet_sync.destinations: built-in destination adapters. A destination is
--   { name = "…", batch_size = n?, send = function(items) return report end }
-- report = { succeeded = { { index = i, … } }, errored = { { index = i, error = "…" } } },
-- indexes 1-based into `items`. send raises to stop the run.
local M = {}

local function need(cond, msg) if not cond then error("lunet_sync.destinations." .. msg, 3) end end

--- destinations.icl_upsert(portal, type, { atomic = false }) → batch upsert into an iCL content type
-- (items need an externalId). Items of an atomic batch rolled back count as errored.
function M.icl_upsert(portal, type_, opts)
  need(type(portal) == "table", "icl_upsert(): expected an icl connection, got " .. type(portal))
  need(type(type_) == "string", "icl_upsert(): expected a content type name, got " .. type(type_))
  opts = opts or {}
  local atomic = opts.atomic
  if atomic == nil then atomic = false end
  local content = portal:content(type_)
  return {
    name = "icl upsert(" .. type_ .. ")",
    batch_size = opts.batch_size or 500,
    send = function(items)
      local r = content:upsert(items, { batch_size = #items, atomic = atomic })
      local errored = {}
      for _, e in ipairs(r.errored) do errored[#errored + 1] = e end
      for _, e in ipairs(r.rolled_back or {}) do
        errored[#errored + 1] = { index = e.index, error = "rolled back with its atomic batch" }
      end
      return { succeeded = r.succeeded, errored = errored }
    end,
  }
end

--- destinations.each(fn, name?) → calls fn(item, i) per item; an error rejects that item only
function M.each(fn, name)
  need(type(fn) == "function", "each(): expected a function, got " .. type(fn))
  return {
    name = name or "each",
    send = function(items)
      local r = { succeeded = {}, errored = {} }
      for i, item in ipairs(items) do
        local ok, err = pcall(fn, item, i)
        if ok then r.succeeded[#r.succeeded + 1] = { index = i }
        else r.errored[#r.errored + 1] = { index = i, error = tostring(err) } end
      end
      return r
    end,
  }
end

--- destinations.collect(list?) → appends items to a Lua array (tests, dry runs); returns the adapter and the list
function M.collect(list)
  list = list or {}
  return {
    name = "collect",
    items = list,
    send = function(items)
      local r = { succeeded = {} }
      for i, item in ipairs(items) do
        list[#list + 1] = item
        r.succeeded[i] = { index = i }
      end
      return r
    end,
  }, list
end

return M
