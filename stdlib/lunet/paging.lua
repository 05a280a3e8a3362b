-- lunet.paging: the generic machinery behind every binding's listings,
-- change feeds and batch writes (lua-api.md: Cursors, Change feeds, Batch
-- writes). A binding plugs in with a small description:
--
--   paging.cursor{ name = "content(building)", caller = "content:list()",
--                  fetch = function(position, size) return page end,
--                  start = first_position, advance = optional(position, size) → next position,
--                  page_size = 100, limit = nil, prefetch = 1 }
--     page = { items = {…}, next = position or nil at the end, total = n or nil }
--
--   paging.feed{ name, caller, fetch = function(token) return { items = {…}, next = token } end,
--                now = function() return newest_token end,
--                from_since = optional function(since) → token, for a `since` other than "now",
--                show = optional function(token) → text for tostring(feed),
--                token =, since =, checkpoint =, follow =, interval = }
--   A token is any JSON-able value (a string, or a table such as CoreData's
--   { since, seen }); checkpoints store it as JSON in lunet.state.
--
--   paging.batch(input, opts, { caller, send = function(items) return report end,
--                               lists = { "succeeded", "errored", "rolled_back" },
--                               batch_size = 500,
--                               key = optional function(item) → the item's key or nil })
--
-- `fetch` and `send` are plain functions that may wait on the network; the
-- task scheduler makes those waits concurrent (prefetch, concurrency).
local task = require "lunet.task"

local M = {}

-- The run summary's item counts (RunStats): items handed to the script per
-- page, items stored per acknowledged batch. A no-op outside a lunet runtime.
local count_items = (function()
  local ok, lunet = pcall(require, "lunet")
  return ok and type(lunet) == "table" and lunet._count_items or function() end
end)()

local function fail(caller, msg) error(caller .. ": " .. msg, 3) end

local function check_count(caller, name, v, allow_zero)
  if v == nil then return nil end
  if math.type(v) ~= "integer" or v < (allow_zero and 0 or 1) then
    fail(caller, "option '" .. name .. "' must be a " .. (allow_zero and "non-negative" or "positive")
      .. " integer, got " .. tostring(v))
  end
  return v
end

local function check_page(caller, page)
  if type(page) ~= "table" or type(page.items) ~= "table" then
    error(caller .. ": the page fetcher returned " .. type(page) .. " instead of { items = … }", 0)
  end
  return page
end

------------------------------------------------------------------ cursors

local Cursor = { __name = "lunet.Cursor" }
Cursor.__index = Cursor
M.Cursor = Cursor

function M.cursor(spec)
  local caller = spec.caller or "list()"
  local c = setmetatable({
    name = spec.name or "listing",
    caller = caller,
    fetch = spec.fetch,
    start = spec.start,
    advance = spec.advance,
    page_size = check_count(caller, "page_size", spec.page_size) or 100,
    limit = check_count(caller, "limit", spec.limit, true),
    prefetch = check_count(caller, "prefetch", spec.prefetch, true) or 1,
  }, Cursor)
  if spec.max_page_size and c.page_size > spec.max_page_size then
    fail(caller, "option 'page_size' must be at most " .. spec.max_page_size .. ", got " .. c.page_size)
  end
  return c
end

-- One pass over the listing: requests in flight (at most prefetch + 1),
-- the page being consumed, counts.
local function new_pass(c, limit, page_size)
  return { c = c, limit = limit, size = page_size or c.page_size, ahead = {}, next_request = c.start,
           can_request = true, requested = 0, delivered = 0, page = nil, i = 0, finished = false, total = nil }
end

-- Keep `depth` requests in flight (when the next positions are known).
local function request_more(pass, depth)
  local c = pass.c
  while pass.can_request and #pass.ahead < depth
    and (pass.limit == nil or pass.requested < pass.limit) do
    local position = pass.next_request
    pass.requested = pass.requested + pass.size
    pass.ahead[#pass.ahead + 1] = task.spawn(c.fetch, position, pass.size)
    if c.advance then
      pass.next_request = c.advance(position, pass.size)
    else
      pass.can_request = false -- the next position comes with this page
    end
  end
end

-- Requests that will not be needed (the listing ended or the limit was
-- reached) are still waited for, so their failures are not left unobserved.
local function drain(pass)
  for _, h in ipairs(pass.ahead) do pcall(h.wait, h) end
  pass.ahead = {}
  pass.can_request = false
end

local function next_page(pass)
  if pass.finished then return nil end
  if pass.limit and pass.delivered >= pass.limit then
    pass.finished = true
    drain(pass)
    return nil
  end
  request_more(pass, 1) -- the page needed now
  local handle = table.remove(pass.ahead, 1)
  local page = check_page(pass.c.caller, handle:wait())
  pass.total = page.total or pass.total
  local items = page.items
  -- The end: no next position, an empty page, or (offset paging) a short one.
  local ended = page.next == nil or #items == 0 or (pass.c.advance ~= nil and #items < pass.size)
  if ended then
    pass.finished = true
    drain(pass)
  elseif not pass.c.advance then
    pass.next_request, pass.can_request = page.next, true
  end
  if pass.limit and pass.delivered + #items > pass.limit then
    local cut = {}
    for k = 1, pass.limit - pass.delivered do cut[k] = items[k] end
    items = cut
  end
  pass.delivered = pass.delivered + #items
  count_items(#items, 0)
  if not ended and pass.limit and pass.delivered >= pass.limit then
    ended, pass.finished = true, true
    drain(pass)
  end
  if not ended then request_more(pass, pass.c.prefetch) end -- prefetch while the script works
  return items
end

local function next_item(pass)
  while true do
    local page = pass.page
    if page and pass.i < #page then
      pass.i = pass.i + 1
      return page[pass.i]
    end
    pass.page, pass.i = next_page(pass), 0
    if pass.page == nil then return nil end
  end
end

-- `for item in cursor do … end`: a cursor is callable. A loop that runs to
-- the end leaves the cursor ready to start again; one left with `break`
-- continues where it stopped (like an iterator).
function Cursor:__call()
  local pass = rawget(self, "_pass")
  if pass == nil then
    pass = new_pass(self, self.limit)
    rawset(self, "_pass", pass)
  end
  local item = next_item(pass)
  if item == nil then
    rawset(self, "_pass", nil)
    if pass.total then rawset(self, "_total", pass.total) end
  end
  return item
end

function Cursor:pages()
  local pass = new_pass(self, self.limit)
  return function()
    local page = next_page(pass)
    if pass.total then rawset(self, "_total", pass.total) end
    return page
  end
end

function Cursor:collect(n)
  if n ~= nil and (math.type(n) ~= "integer" or n < 0) then
    error(self.caller .. " cursor:collect(): bad argument #1 (non-negative integer expected, got " .. tostring(n) .. ")", 2)
  end
  local limit = self.limit
  if n and (limit == nil or n < limit) then limit = n end
  local pass, out = new_pass(self, limit), {}
  for item in next_item, pass do out[#out + 1] = item end
  if pass.total then rawset(self, "_total", pass.total) end
  return out
end

function Cursor:first()
  local pass = new_pass(self, 1, 1)
  local item = next_item(pass)
  drain(pass)
  if pass.total then rawset(self, "_total", pass.total) end
  return item
end

function Cursor:total()
  local known = rawget(self, "_total")
  if known ~= nil then return known end
  local pass = new_pass(self, 1, 1)
  next_page(pass)
  drain(pass)
  rawset(self, "_total", pass.total or false)
  return pass.total
end

function Cursor:__tostring()
  local parts = { "<cursor " .. self.name, "page_size=" .. self.page_size }
  if self.limit then parts[#parts + 1] = "limit=" .. self.limit end
  if self.prefetch ~= 1 then parts[#parts + 1] = "prefetch=" .. self.prefetch end
  return table.concat(parts, " ") .. ">"
end

------------------------------------------------------------------ feeds

local Feed = { __name = "lunet.Feed" }
Feed.__index = Feed
M.Feed = Feed

local CHECKPOINT_PREFIX = "checkpoint:"
M.CHECKPOINT_PREFIX = CHECKPOINT_PREFIX

local function default_store()
  return require "lunet.state"
end

-- Start position: an explicit token, else the saved checkpoint, else
-- since = "now" (resolved by the server), else the beginning.
function M.feed(spec)
  local caller = spec.caller or "changes()"
  if spec.since ~= nil and spec.since ~= "now" and not spec.from_since then
    fail(caller, "option 'since' must be \"now\", got " .. tostring(spec.since))
  end
  if spec.checkpoint ~= nil and (type(spec.checkpoint) ~= "string" or spec.checkpoint == "") then
    fail(caller, "option 'checkpoint' must be a non-empty string")
  end
  local interval = spec.interval or 10
  if type(interval) ~= "number" or interval < 0 then
    fail(caller, "option 'interval' must be a non-negative number of seconds, got " .. tostring(interval))
  end
  local f = setmetatable({
    name = spec.name or "feed", caller = caller, _fetch = spec.fetch, _now = spec.now,
    checkpoint = spec.checkpoint, follow = spec.follow and true or false, interval = interval,
    _store = spec.store, _since = spec.since, _explicit = spec.token, _from_since = spec.from_since, _show = spec.show,
    _page = nil, _i = 0, _delivered = 0, _boundaries = {}, _ended = false, _started = false,
    _autocommit = true, token = nil, _ahead = nil,
  }, Feed)
  return f
end

function Feed:_state() return self._store or default_store() end

function Feed:_start()
  self._started = true
  local token = self._explicit
  if token == nil and self.checkpoint then token = self:_state().get(CHECKPOINT_PREFIX .. self.checkpoint) end
  if token == nil and self._since == "now" then
    if not self._now then error(self.caller .. ": this feed cannot start from \"now\"", 0) end
    token = self._now()
  elseif token == nil and self._since ~= nil then
    token = self._from_since(self._since)
  end
  self.token, self._fetch_token = token, token
end

function Feed:_save(token)
  self.token = token
  if self.checkpoint and token ~= nil then self:_state().set(CHECKPOINT_PREFIX .. self.checkpoint, token) end
end

-- A page is consumed when the script asks for the item after its last one.
function Feed:_consumed(boundary)
  if self._autocommit then
    self:_save(boundary.token)
    table.remove(self._boundaries, 1)
  end
end

function Feed:__call()
  if not self._started then self:_start() end
  while true do
    local page = self._page
    if page and self._i < #page then
      self._i = self._i + 1
      self._delivered = self._delivered + 1
      return page[self._i]
    end
    if page then
      self._page = nil
      self:_consumed(self._boundaries[#self._boundaries])
    end
    if self._ended then
      if not self.follow then
        self._ended = false -- a later loop polls again from here
        return nil
      end
      task.sleep(self.interval)
      self._ended = false
    end
    local result
    local ahead = self._ahead
    if ahead then
      self._ahead = nil
      local ok, fetched = ahead:wait()
      if not ok then error(fetched, 0) end
      result = fetched
    else
      result = self._fetch(self._fetch_token)
    end
    result = check_page(self.caller, result)
    local boundary = { upto = self._delivered + #result.items, token = result.next }
    self._boundaries[#self._boundaries + 1] = boundary
    if result.next ~= nil then self._fetch_token = result.next end
    if #result.items == 0 then
      self._ended = true
      self:_consumed(boundary)
    else
      self._page, self._i = result.items, 0
      count_items(#result.items, 0)
      -- Fetch the next page while the script works through this one (the
      -- checkpoint still moves only as pages are consumed). Wrapped in pcall
      -- so a feed left early never leaves a failed task behind.
      local fetch, token = self._fetch, self._fetch_token
      self._ahead = task.spawn(function() return pcall(fetch, token) end)
    end
  end
end

--- feed:commit([n]) saves the checkpoint now, covering every page whose
-- items have all been delivered — or, with n, whose items are all among the
-- first n delivered in this run (a batch writer acknowledges that way).
function Feed:commit(n)
  if n ~= nil and math.type(n) ~= "integer" then
    error("feed:commit(): bad argument #1 (integer expected, got " .. type(n) .. ")", 2)
  end
  local upto = n or self._delivered
  local token
  while self._boundaries[1] and self._boundaries[1].upto <= upto do
    token = table.remove(self._boundaries, 1).token
  end
  if token ~= nil then self:_save(token) end
  return self.token
end

--- feed:map(fn) → an iterator of fn(item) for each item of the feed, which
-- a batch writer (content:upsert) checkpoints like the feed itself: the
-- checkpoint advances only over items whose batches were acknowledged.
-- fn must return a value for every item (a nil would end the input early).
local MappedFeed = { __name = "lunet.MappedFeed" }
MappedFeed.__index = MappedFeed
M.MappedFeed = MappedFeed

function Feed:map(fn)
  if type(fn) ~= "function" then
    error("feed:map(): bad argument #1 (function expected, got " .. type(fn) .. ")", 2)
  end
  return setmetatable({ feed = self, _fn = fn, _n = 0 }, MappedFeed)
end

function MappedFeed:__call()
  local item = self.feed()
  if item == nil then return nil end
  self._n = self._n + 1
  local mapped = self._fn(item)
  if mapped == nil then error(self.feed.caller .. ": the function given to feed:map() returned nil for item " .. self._n, 0) end
  return mapped
end

function MappedFeed:commit(n) return self.feed:commit(n) end
function MappedFeed:__tostring() return "<mapped " .. tostring(self.feed):sub(2) end

function Feed:__tostring()
  return "<feed " .. self.name .. (self.checkpoint and (" checkpoint=" .. self.checkpoint) or "")
    .. (self.token ~= nil and (" token=" .. (self._show and self._show(self.token) or tostring(self.token))) or "") .. ">"
end

------------------------------------------------------------------ batch writes

-- Turn an array, an iterator function or a callable (cursor, feed) into a
-- function returning the next item or nil.
local function items_of(caller, input)
  local kind = type(input)
  if kind == "function" then return input end
  local mt = getmetatable(input)
  if mt and mt.__call then return function() return input() end end
  if kind == "table" then
    local i = 0
    return function() i = i + 1; return input[i] end
  end
  error(caller .. ": bad argument #1 (array or iterator expected, got " .. kind .. ")", 3)
end

--- paging.batch(input, opts, spec) → report
-- Reads items lazily, sends them in batches of opts.batch_size with up to
-- opts.concurrency requests in flight, and merges the per-batch reports
-- (entries' `index` made 1-based positions in the input). A failed request
-- raises with the report so far in e.report. A feed given as input is
-- checkpointed only up to the items whose batches have been acknowledged.
-- With spec.key, no item overtakes an earlier one with the same key: a batch
-- holding a key of a batch still in flight waits until that one is answered
-- (a feed can hold a deleted item and its successor under one external id).
function M.batch(input, opts, spec)
  local caller = spec.caller
  opts = opts or {}
  local batch_size = check_count(caller, "batch_size", opts.batch_size) or spec.batch_size or 100
  if spec.max_batch_size and batch_size > spec.max_batch_size then
    fail(caller, "option 'batch_size' must be at most " .. spec.max_batch_size .. ", got " .. batch_size)
  end
  local concurrency = check_count(caller, "concurrency", opts.concurrency) or 1
  local key_of = concurrency > 1 and spec.key or nil
  local next_item = items_of(caller, input)
  local feed = getmetatable(input) == Feed and input or nil
  if getmetatable(input) == MappedFeed then feed = input.feed end
  if feed then feed._autocommit = false end

  local report = { count = 0, batches = 0 }
  for _, name in ipairs(spec.lists) do report[name] = {} end
  local inflight, acknowledged, failure = {}, 0, nil

  local function settle(entry)
    local ok, result = pcall(entry.handle.wait, entry.handle)
    if not ok then
      failure = failure or result
      return
    end
    count_items(0, #(result[spec.lists[1]] or {}))
    local offset = entry.first - 1
    for _, name in ipairs(spec.lists) do
      local list = report[name]
      local n = #list
      for k, e in ipairs(result[name] or {}) do
        e.index = offset + (e.index or 1)
        list[n + k] = e
      end
    end
    if failure == nil then
      acknowledged = entry.first + entry.n - 1
      if feed then feed:commit(acknowledged) end
    end
  end

  local function finish()
    while #inflight > 0 do settle(table.remove(inflight, 1)) end
    if feed then feed._autocommit = true end
    for _, name in ipairs(spec.lists) do
      -- Batches settle in input order, so the lists are usually sorted
      -- already; sorting 20,000 entries anyway cost a noticeable share.
      local list, sorted = report[name], true
      for k = 2, #list do
        if list[k - 1].index > list[k].index then sorted = false; break end
      end
      if not sorted then table.sort(list, function(a, b) return a.index < b.index end) end
    end
  end

  local ok, err = pcall(function()
    local done = false
    while not done and failure == nil do
      local items = {}
      while #items < batch_size do
        local item = next_item()
        if item == nil then done = true; break end
        items[#items + 1] = item
      end
      if #items > 0 then
        local keys
        if key_of then
          keys = {}
          for _, item in ipairs(items) do
            local k = key_of(item)
            if k ~= nil then keys[k] = true end
          end
          -- The newest batch in flight that shares a key: it and every
          -- older one are answered first (they settle in order anyway).
          local last = 0
          for k in pairs(keys) do
            for j = #inflight, last + 1, -1 do
              if inflight[j].keys[k] then last = j; break end
            end
            if last == #inflight then break end
          end
          for _ = 1, last do settle(table.remove(inflight, 1)) end
          if failure ~= nil then break end
        end
        local first = report.count + 1
        report.count = report.count + #items
        report.batches = report.batches + 1
        inflight[#inflight + 1] = { handle = task.spawn(spec.send, items), first = first, n = #items, keys = keys }
        if #inflight >= concurrency then settle(table.remove(inflight, 1)) end
      end
    end
  end)
  finish()
  failure = failure or (not ok and err) or nil
  if failure then
    if type(failure) == "table" then
      failure.report = report
    end
    error(failure, 0)
  end
  return report
end

return M
