-- lunet.coredata.feed: CoreData has no change feed; this builds one on
-- `modified__gte` and `snapshot_id` (wire.md, "Change feed"), as the
-- fetch/now pair of a paging.feed. docs/coredata.md explains the token and
-- why it is safe:
--
--   token = { v = 1, since = ISO second,
--             seen = { [ISO second] = { [id] = snapshot_id, … }, … },
--             pass = { offset =, started =, max =, low =, total = } or nil }
--
-- A pass reads every object with modified >= since (the API lists in
-- creation order, not by modification) and delivers those whose
-- (id, snapshot_id) is not in `seen`. After a complete pass, `since`
-- moves to `low`: the greatest, over the pass's pages, of the newest
-- `modified` seen so far minus the time the pass had run (+1 s). Each is
-- a lower bound of the server's clock when the pass began, so an object
-- changed while the pass ran, at a position the pass had already read,
-- has a `modified` at least that late and the next pass finds it. `seen` keeps every pair at or after the new `since`, so the
-- overlap is never delivered twice. Changes within one second are told
-- apart by their snapshot_id.
local json = require "lunet.json"
local task = require "lunet.task"
local dates = require "lunet.coredata.dates"

local M = {}

local function is_null(v) return v == nil or v == json.null end

function M.new(conn, resource, filter, size)
  local route = resource .. ".list"

  local function page(since, offset, limit)
    local q = { modified__gte = dates.iso(since), limit = limit, offset = offset }
    for k, v in pairs(filter) do q[k] = v end
    local body = conn:_call(route, nil, { query = q })
    if type(body) ~= "table" or type(body.objects) ~= "table" or type(body.meta) ~= "table" then
      error("coredata changes(): the server's answer has no 'meta' and 'objects'", 0)
    end
    return body
  end

  -- The pass's next API page, requested as soon as the current one
  -- arrives so its latency overlaps the script's work (as a cursor's
  -- prefetch does). Used only by a request for the same page; any other
  -- is still waited for, so its failure is not left unobserved.
  local ahead
  local function get(since, offset, limit)
    local a = ahead
    ahead = nil
    if a then
      if a.since == since and a.offset == offset and a.limit == limit then return a.handle:wait() end
      pcall(a.handle.wait, a.handle)
    end
    return page(since, offset, limit)
  end
  local function prefetch(since, offset, limit)
    ahead = { since = since, offset = offset, limit = limit, handle = task.spawn(page, since, offset, limit) }
  end

  -- One feed page: API pages of the current pass until one has something
  -- new, or the pass ends. Never changes `token` (it may be saved later).
  local function fetch(token)
    token = token or dates.start_token(0)
    if not dates.is_token(token) then
      error("coredata changes(): the start token is not a CoreData feed token (a checkpoint saved by another feed?): "
        .. (type(token) == "table" and json.encode(token):sub(1, 200) or tostring(token)), 0)
    end
    local since = assert(dates.parse(token.since))
    local pass = type(token.pass) == "table" and token.pass or {}
    local offset, total = math.tointeger(pass.offset) or 0, math.tointeger(pass.total)
    local started = math.tointeger(pass.started) or os.time()
    local max = pass.max and dates.parse(pass.max) or nil
    local low = pass.low and dates.parse(pass.low) or nil

    -- copy-on-write of the seen buckets
    local seen, copied = {}, {}
    for k, bucket in pairs(token.seen or {}) do seen[k] = bucket end
    local function remember(key, id, snapshot)
      if not copied[key] then
        local fresh = {}
        for i, s in pairs(seen[key] or {}) do fresh[i] = s end
        seen[key], copied[key] = fresh, true
      end
      seen[key][id] = snapshot
    end

    local items = {}
    while true do
      local body = get(since, offset, size)
      local count = math.tointeger(body.meta.total_count)
      if not is_null(body.meta.next) and #body.objects > 0 then prefetch(since, offset + #body.objects, size) end
      if total and count and count < total then
        -- Objects left the listing (deleted) while the pass ran: the rest
        -- moved towards the front. Step back so none is skipped.
        offset, total = math.max(0, offset - (total - count)), count
      else
        total = count or total
        local objects = body.objects
        for _, o in ipairs(objects) do
          local m, why = dates.parse(type(o.modified) == "string" and o.modified or "")
          if not m or type(o.id) ~= "string" or type(o.snapshot_id) ~= "string" then
            error("coredata changes(): an object without a readable id, snapshot_id and modified ("
              .. tostring(o.id) .. ": " .. tostring(why or "") .. ")", 0)
          end
          m = math.floor(m)
          if max == nil or m > max then max = m end
          local key = dates.iso(m)
          local bucket = seen[key]
          if not (bucket and bucket[o.id] == o.snapshot_id) then
            remember(key, o.id, o.snapshot_id)
            items[#items + 1] = o
          end
        end
        offset = offset + #objects
        if max then
          -- The server's clock read at least `max` by now, so it read at
          -- least this when the pass began (+1 s for whole seconds).
          local bound = max - (os.time() - started) - 1
          if low == nil or bound > low then low = bound end
        end
        if is_null(body.meta.next) or #objects == 0 then
          -- The pass is complete: move on, keeping what the next pass will see again.
          local next_since = since
          if low and low > since then next_since = low end
          local kept = json.object {}
          for key, bucket in pairs(seen) do
            if dates.parse(key) >= next_since then kept[key] = bucket end
          end
          return { items = items, next = { v = 1, since = dates.iso(next_since), seen = kept } }
        end
        if #items > 0 then
          return { items = items, next = { v = 1, since = token.since, seen = seen,
            pass = { offset = offset, started = started, max = max and dates.iso(max), low = low and dates.iso(low),
              total = total } } }
        end
      end
    end
  end

  local function count_after(t)
    local q = { modified__gt = dates.iso(t), limit = 1, offset = 0 }
    for k, v in pairs(filter) do q[k] = v end
    local body = conn:_call(route, nil, { query = q })
    return math.tointeger(type(body) == "table" and type(body.meta) == "table" and body.meta.total_count) or 0
  end

  -- "now": the newest `modified` on the server (found by bisection over
  -- `modified__gt` counts, ~35 one-object requests), and everything at
  -- or after it marked seen; later changes are delivered.
  local function now()
    if count_after(-1) == 0 then return dates.start_token(0) end
    local lo, hi = -1, os.time() + 86400
    while count_after(hi) > 0 do lo, hi = hi, hi + (hi - lo) end
    while hi - lo > 1 do
      local mid = (lo + hi) // 2
      if count_after(mid) > 0 then lo = mid else hi = mid end
    end
    local token = dates.start_token(hi)
    repeat
      local r = fetch(token)
      token = r.next
    until #r.items == 0
    return token
  end

  return { fetch = fetch, now = now }
end

return M
