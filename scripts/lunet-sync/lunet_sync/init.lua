-- lunet_sync: reusable "feed → transform → upsert" pipelines between any two
-- APIs, with checkpoints and a report. See ../README.md.
--
--   local sync = require "lunet_sync"
--   local p = sync.pipeline{
--     name = "buildings → archive",
--     source = sync.sources.icl_changes(portal, { type = "building" }),
--     transform = function(item) if not item.isDeleted then return { … } end end,
--     destination = sync.destinations.icl_upsert(archive, "building", { atomic = false }),
--     checkpoint = "sync:buildings",
--   }
--   local report = p:run()          -- or p:run{ limit = 100 }
--   print(sync.format(report))
--
-- Sources and destinations are plain tables (lunet_sync.sources and
-- lunet_sync.destinations hold the built-in ones; write your own for any API):
--   source      = { name = "…", open = function(ctx) return iterator end }
--                 ctx.checkpoint: the pipeline's checkpoint name (nil: none);
--                 return a lunet.Feed to get checkpoints that only advance
--                 past items the destination has acknowledged.
--   destination = { name = "…", batch_size = n, send = function(items) return report end }
--                 report = { succeeded = { { index = i, … } }, errored = { { index = i, error = "…" } } }
--                 with 1-based indexes into `items`; items in neither list count as errored.
--                 Raise to stop the run (the checkpoint stays before that batch).
local paging = require "lunet.paging"

local M = {}
M.sources = require "lunet_sync.sources"
M.destinations = require "lunet_sync.destinations"
M.version = "0.1.0"

local known = { name = true, source = true, transform = true, destination = true, checkpoint = true,
                batch_size = true, concurrency = true, key = true }

local function arg_error(msg) error("lunet_sync.pipeline(): " .. msg, 3) end

local function check_adapter(what, adapter, needs)
  if type(adapter) ~= "table" then arg_error(what .. " must be an adapter table, got " .. type(adapter)) end
  local f = adapter[needs]
  if type(f) ~= "function" and not (type(f) == "table" and (getmetatable(f) or {}).__call) then
    arg_error(what .. " '" .. tostring(adapter.name) .. "' has no " .. needs .. "() function")
  end
end

local Pipeline = { __name = "lunet_sync.Pipeline" }
Pipeline.__index = Pipeline

--- sync.pipeline{ name, source, transform?, destination, checkpoint?, batch_size?, concurrency?, key? } → pipeline
-- key(item) names an item in the report (default: item.externalId or item.id).
function M.pipeline(spec)
  if type(spec) ~= "table" then arg_error("expected a table of options, got " .. type(spec)) end
  for k in pairs(spec) do
    if not known[k] then
      local names = {}
      for n in pairs(known) do names[#names + 1] = n end
      table.sort(names)
      arg_error("unknown option '" .. tostring(k) .. "' (known: " .. table.concat(names, ", ") .. ")")
    end
  end
  check_adapter("source", spec.source, "open")
  check_adapter("destination", spec.destination, "send")
  if spec.transform ~= nil and type(spec.transform) ~= "function" then
    arg_error("transform must be a function, got " .. type(spec.transform))
  end
  if spec.checkpoint ~= nil and (type(spec.checkpoint) ~= "string" or spec.checkpoint == "") then
    arg_error("checkpoint must be a non-empty string")
  end
  for _, n in ipairs { "batch_size", "concurrency" } do
    if spec[n] ~= nil and (math.type(spec[n]) ~= "integer" or spec[n] < 1) then
      arg_error(n .. " must be a positive integer, got " .. tostring(spec[n]))
    end
  end
  return setmetatable({
    name = spec.name or (tostring(spec.source.name) .. " → " .. tostring(spec.destination.name)),
    source = spec.source, destination = spec.destination, transform = spec.transform,
    checkpoint = spec.checkpoint, batch_size = spec.batch_size or spec.destination.batch_size or 100,
    concurrency = spec.concurrency or 1,
    key = spec.key or function(item) return type(item) == "table" and (item.externalId or item.id) or nil end,
  }, Pipeline)
end

function Pipeline:__tostring() return "<lunet_sync pipeline " .. self.name .. ">" end

local function key_of(self, item)
  local ok, k = pcall(self.key, item)
  return ok and k or nil
end

--- pipeline:run{ limit = n } → report   (limit: not with a checkpointed feed)
-- Reads the source (from its checkpoint), transforms each item (nil: skip),
-- sends batches to the destination, advances the checkpoint past
-- acknowledged batches. Report: name, read, written, skipped, failed,
-- batches, succeeded = { {index, key, …} }, errored = { {index, key, stage, error} },
-- skipped_items = { {index, key, reason} }, checkpoint (the source's token after the run).
-- A destination failure raises a lunet_sync error whose .report holds the partial report.
function Pipeline:run(opts)
  opts = opts or {}
  if type(opts) ~= "table" then error("pipeline:run(): options must be a table, got " .. type(opts), 2) end
  for k in pairs(opts) do
    if k ~= "limit" then error("pipeline:run(): unknown option '" .. tostring(k) .. "' (known: limit)", 2) end
  end
  local limit = opts.limit
  if limit ~= nil and (math.type(limit) ~= "integer" or limit < 0) then
    error("pipeline:run(): limit must be a non-negative integer, got " .. tostring(limit), 2)
  end

  local input = self.source.open({ checkpoint = self.checkpoint, pipeline = self.name })
  local feed = getmetatable(input) == paging.Feed and input or nil
  local report = { name = self.name, read = 0, written = 0, skipped = 0, failed = 0, batches = 0,
                   succeeded = {}, errored = {}, skipped_items = {} }
  local transform, dest = self.transform, self.destination

  -- The batch writer sees the source items; each batch is transformed here,
  -- so its indexes (positions in the source order) stay right.
  local source_input = input
  if limit then
    if feed and feed.checkpoint then
      -- a feed checkpoints whole pages as they are read; cut short, it would
      -- save a position past items that were never sent
      error("pipeline:run(): limit cannot be used with a checkpointed feed ('" .. feed.checkpoint .. "')", 2)
    end
    local n, nxt = 0, input
    if type(input) == "table" and not (getmetatable(input) or {}).__call then
      local i = 0
      nxt = function() i = i + 1; return input[i] end
    end
    source_input = function()
      if n >= limit then return nil end
      local item = nxt()
      if item ~= nil then n = n + 1 end
      return item
    end
  end

  local send = function(items)
    local out, back, result = {}, {}, { succeeded = {}, errored = {}, skipped = {} }
    for i, item in ipairs(items) do
      local ok, value = true, item
      if transform then ok, value = pcall(transform, item) end
      if not ok then
        table.insert(result.errored, { index = i, key = key_of(self, item), stage = "transform", error = tostring(value) })
      elseif value == nil then
        table.insert(result.skipped, { index = i, key = key_of(self, item), reason = "transform returned nil" })
      else
        out[#out + 1] = value
        back[#out] = i
      end
    end
    if #out == 0 then return result end
    local sent, r = pcall(dest.send, out)
    if not sent then
      -- a table, so the batch writer can attach the report so far
      if type(r) ~= "table" then r = { message = tostring(r), cause = r } end
      error(r, 0)
    end
    if type(r) ~= "table" then
      error("lunet_sync: destination '" .. tostring(dest.name) .. "' send() returned " .. type(r) .. " instead of a report", 0)
    end
    local seen = {}
    for _, e in ipairs(r.succeeded or {}) do
      local i = back[e.index]
      if i and not seen[i] then
        seen[i] = true
        local entry = { index = i, key = key_of(self, out[e.index]) }
        for k, v in pairs(e) do if entry[k] == nil then entry[k] = v end end
        entry.index = i
        table.insert(result.succeeded, entry)
      end
    end
    for _, e in ipairs(r.errored or {}) do
      local i = back[e.index]
      if i and not seen[i] then
        seen[i] = true
        table.insert(result.errored, { index = i, key = key_of(self, out[e.index]), stage = "destination", error = tostring(e.error) })
      end
    end
    for j, i in pairs(back) do
      if not seen[i] then
        table.insert(result.errored, { index = i, key = key_of(self, out[j]), stage = "destination",
          error = "not in the destination's report" })
      end
    end
    return result
  end

  local ok, merged = pcall(paging.batch, source_input,
    { batch_size = self.batch_size, concurrency = self.concurrency },
    { caller = "lunet_sync " .. self.name, lists = { "succeeded", "errored", "skipped" }, send = send })
  local partial = ok and merged or (type(merged) == "table" and merged.report) or nil
  if partial then
    report.read, report.batches = partial.count, partial.batches
    report.succeeded, report.errored, report.skipped_items = partial.succeeded, partial.errored, partial.skipped
    report.written, report.failed, report.skipped = #partial.succeeded, #partial.errored, #partial.skipped
  end
  report.checkpoint = feed and feed.token or nil
  if not ok then
    local message = type(merged) == "table" and tostring(merged.message or merged) or tostring(merged)
    error(setmetatable({ message = "lunet_sync " .. self.name .. ": stopped: " .. message, cause = merged, report = report },
      { __tostring = function(e) return e.message end }), 0)
  end
  return report
end

--- sync.format(report) → text: one summary line, then one line per failed item (at most 20).
function M.format(report)
  local lines = { string.format("%s: read %d, written %d, skipped %d, failed %d in %d batches%s",
    report.name, report.read, report.written, report.skipped, report.failed, report.batches,
    report.checkpoint ~= nil and (", checkpoint " .. tostring(report.checkpoint)) or "") }
  for i, e in ipairs(report.errored) do
    if i > 20 then
      lines[#lines + 1] = "  … " .. (#report.errored - 20) .. " more"
      break
    end
    lines[#lines + 1] = string.format("  #%d %s (%s): %s", e.index, tostring(e.key or "?"), e.stage, e.error)
  end
  return table.concat(lines, "\n")
end

return M
