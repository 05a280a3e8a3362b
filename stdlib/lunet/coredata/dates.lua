-- lunet.coredata.dates: CoreData's timestamps. The API has whole-second,
-- UTC timestamps; filters take ISO 8601 (`2019-09-02T15:38:32Z`) and
-- objects carry `modified` without a zone (`2024-02-26T12:17:21`, UTC).
-- Scripts may give a date as an os.time() integer, an os.date("*t") table
-- (local time, read as os.time reads it) or an ISO 8601 string (a missing
-- zone means UTC, as in the API's own objects).
local json = require "lunet.json"

local M = {}

local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function days_in(m, y)
  if m == 2 then return ((y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0) and 29 or 28 end
  if m == 4 or m == 6 or m == 9 or m == 11 then return 30 end
  return 31
end

--- dates.parse(text) → seconds since 1970 (a float when the text has a
-- fraction), or nil and why. `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]`,
-- `T` or a space, then nothing (UTC), `Z`, or `±HH:MM`.
function M.parse(text)
  local y, mo, d, rest = text:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
  if not y then return nil, "'" .. text .. "' is not ISO 8601 (e.g. 2019-09-02T15:38:32Z)" end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo < 1 or mo > 12 or d < 1 or d > days_in(mo, y) then return nil, "'" .. text .. "' is not a valid date" end
  local seconds = days_from_civil(y, mo, d) * 86400
  if rest == "" then return seconds end
  local h, mi, tail = rest:match("^[T ](%d%d):(%d%d)(.*)$")
  if not h then return nil, "'" .. text .. "' is not ISO 8601 (e.g. 2019-09-02T15:38:32Z)" end
  h, mi = tonumber(h), tonumber(mi)
  local s, fraction = 0, nil
  local s_text, after = tail:match("^:(%d%d)(.*)$")
  if s_text then
    s, tail = tonumber(s_text), after
    local f, after2 = tail:match("^%.(%d+)(.*)$")
    if f then fraction, tail = tonumber("0." .. f), after2 end
  end
  if h > 23 or mi > 59 or s > 59 then return nil, "'" .. text .. "' is not a valid time" end
  seconds = seconds + h * 3600 + mi * 60 + s
  if tail ~= "" and tail ~= "Z" and tail ~= "z" then
    local sign, oh, om = tail:match("^([+-])(%d%d):?(%d%d)$")
    if not sign then return nil, "'" .. text .. "' has an unreadable zone (use Z or +HH:MM)" end
    local offset = tonumber(oh) * 3600 + tonumber(om) * 60
    seconds = sign == "+" and seconds - offset or seconds + offset
  end
  if fraction and fraction > 0 then return seconds + fraction end
  return seconds
end

--- dates.epoch(v) → seconds since 1970, or nil and why.
function M.epoch(v)
  local kind = type(v)
  if kind == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return nil, "got " .. tostring(v) end
    return v
  elseif kind == "string" then
    return M.parse(v)
  elseif kind == "table" then
    for _, k in ipairs { "year", "month", "day" } do
      if math.type(v[k]) ~= "integer" then
        return nil, "a date table needs integer year, month and day (as os.date(\"*t\") gives), " .. k .. " is " .. type(v[k])
      end
    end
    local limits = { month = { 1, 12 }, day = { 1, 31 }, hour = { 0, 23 }, min = { 0, 59 }, sec = { 0, 60 } }
    for k, r in pairs(limits) do
      local x = v[k]
      if x ~= nil and (math.type(x) ~= "integer" or x < r[1] or x > r[2]) then
        return nil, "date table field " .. k .. " must be an integer from " .. r[1] .. " to " .. r[2] .. ", got " .. tostring(x)
      end
    end
    local ok, t = pcall(os.time, { year = v.year, month = v.month, day = v.day, hour = v.hour or 0, min = v.min or 0,
                                   sec = v.sec or 0, isdst = v.isdst })
    if not ok or t == nil then return nil, "date table cannot be represented: " .. tostring(t) end
    return t
  end
  return nil, "expected an os.time() number, an os.date(\"*t\") table or an ISO 8601 string, got " .. kind
end

--- dates.iso(seconds) → "2019-09-02T15:38:32Z" (whole seconds, UTC)
function M.iso(seconds)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(seconds))
end

-- Filters on whole-second data: a fractional bound is rounded so the
-- filter selects the same objects (gt/lte down, gte/lt up).
local ROUND = { exact = math.floor, gt = math.floor, lte = math.floor, gte = math.ceil, lt = math.ceil }

--- dates.filter_value(op, v) → the query text, or nil and why
-- op: exact, gt, gte, lt, lte or range (v = { from, to } or "from,to").
function M.filter_value(op, v)
  if op == "range" then
    local a, b
    if type(v) == "table" and v.year == nil then
      if #v ~= 2 then return nil, "a range is { from, to } (two dates), got a table of " .. #v end
      a, b = v[1], v[2]
    elseif type(v) == "string" and v:find(",", 1, true) then
      a, b = v:match("^([^,]*),([^,]*)$")
      if not a then return nil, "a range is \"from,to\" (two dates), got '" .. v .. "'" end
    else
      return nil, "a range is { from, to } or \"from,to\", got " .. type(v)
    end
    local ta, ea = M.epoch(a)
    if not ta then return nil, "range start: " .. ea end
    local tb, eb = M.epoch(b)
    if not tb then return nil, "range end: " .. eb end
    if tb < ta then return nil, "range end " .. M.iso(tb) .. " is before its start " .. M.iso(ta) end
    return M.iso(math.ceil(ta)) .. "," .. M.iso(math.floor(tb))
  end
  local t, err = M.epoch(v)
  if not t then return nil, err end
  return M.iso(ROUND[op](t))
end

------------------------------------------------------------------ feed tokens

--- A feed token: { v = 1, since = ISO, seen = { [ISO second] = { [id] = snapshot_id } }, pass = {…}? }
function M.is_token(t)
  return type(t) == "table" and t.v == 1 and type(t.since) == "string" and M.parse(t.since) ~= nil
    and (t.seen == nil or type(t.seen) == "table")
end

function M.start_token(seconds)
  return { v = 1, since = M.iso(seconds), seen = json.object {} }
end

function M.show_token(t)
  if type(t) ~= "table" then return tostring(t) end
  local n = 0
  for _, bucket in pairs(t.seen or {}) do for _ in pairs(bucket) do n = n + 1 end end
  local text = "since " .. tostring(t.since) .. ", " .. n .. " seen"
  if type(t.pass) == "table" then text = text .. ", pass at offset " .. tostring(t.pass.offset) end
  return text
end

return M
