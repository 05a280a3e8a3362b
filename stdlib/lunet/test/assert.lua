-- lunet.test.assert: busted/luassert-compatible assertions.
--
--   assert(v, msg)                       plain Lua assert (returns its arguments)
--   assert.equals(expected, actual)      also are.equal, is.equal, equal
--   assert.same(expected, actual)        deep comparison, failure shows a diff
--   assert.truthy(v) falsy(v) is_true(v) is_false(v) is_nil(v) near(e, a, tol)
--   assert.matches(pattern, s)           Lua pattern
--   assert.has_error(fn, expected)       expected: the message (with or without
--                                        "file:line: "), a substring of it, or a table (same)
--   assert.has_no.errors(fn)             error_matches(fn, pattern)
--   assert.is_string(v) is_number is_table is_function is_boolean is_userdata
--   assert.spy(s).was.called(n)          was.called_with(...), was_not.called()
--   assert.stub(s)…  (the same)
-- Modifiers between dots or underscores: is, are, was, has, does (no effect),
-- not, no (negate): assert.is_not.equal, assert.are_not.same, assert.has_no.errors.
-- A last extra argument is a message shown before the failure.
local diff = require "lunet.test.diff"
local spy = require "lunet.test.spy"

local show = diff.show
local M = {}

local Failure = { __name = "lunet.test.Failure" }
Failure.__tostring = function(f) return f.message end
M.Failure = Failure

function M.is_failure(e) return getmetatable(e) == Failure end

local function fail(message, extra)
  if extra ~= nil then message = tostring(extra) .. "\n" .. message end
  error(setmetatable({ message = message }, Failure), 0)
end
M.fail = fail

local function strip_position(msg)
  if type(msg) ~= "string" then return msg end
  return (msg:gsub("^[^\n:]+:%d+: ", "", 1))
end

local function call_error(fn)
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    fail("expected a function to call, got " .. type(fn))
  end
  local ok, err = pcall(fn)
  if ok then return false end
  if M.is_failure(err) then err = err.message end
  return true, err
end

-- Each assertion: (args…) → ok, message if it should have held, message if it should not have.
-- `n` is the number of arguments it takes before an optional message.
local A = {}

A.equal = { n = 2, function(e, a)
  return e == a, "Expected objects to be equal.\nExpected: " .. show(e) .. "\nActual:   " .. show(a),
    "Expected objects not to be equal.\nBoth: " .. show(a)
end }
A.equals = A.equal

A.same = { n = 2, function(e, a)
  local ok, diffs = diff.same(e, a)
  return ok, not ok and diff.report(e, a, diffs) or "",
    "Expected objects not to be the same.\nBoth: " .. show(a)
end }

A.truthy = { n = 1, function(v)
  return v ~= nil and v ~= false, "Expected a truthy value, got " .. show(v), "Expected a falsy value, got " .. show(v)
end }
A.falsy = { n = 1, function(v)
  return v == nil or v == false, "Expected a falsy value, got " .. show(v), "Expected a truthy value, got " .. show(v)
end }
A["true"] = { n = 1, function(v) return v == true, "Expected true, got " .. show(v), "Expected not true" end }
A["false"] = { n = 1, function(v) return v == false, "Expected false, got " .. show(v), "Expected not false" end }
A["nil"] = { n = 1, function(v) return v == nil, "Expected nil, got " .. show(v), "Expected a value, got nil" end }

for _, t in ipairs { "string", "number", "table", "function", "boolean", "userdata", "thread" } do
  A[t] = { n = 1, function(v)
    return type(v) == t, "Expected a " .. t .. ", got " .. type(v) .. " " .. show(v), "Expected anything but a " .. t
  end }
end

A.near = { n = 3, function(e, a, tol)
  local ok = type(a) == "number" and math.abs(e - a) <= tol
  return ok, "Expected " .. show(a) .. " to be within " .. show(tol) .. " of " .. show(e),
    "Expected " .. show(a) .. " not to be within " .. show(tol) .. " of " .. show(e)
end }

A.matches = { n = 2, function(pattern, s)
  local ok = type(s) == "string" and s:find(pattern) ~= nil
  return ok, "Expected " .. show(s) .. " to match pattern " .. show(pattern),
    "Expected " .. show(s) .. " not to match pattern " .. show(pattern)
end }
A.match = A.matches

A.error = { n = 2, function(fn, expected)
  local raised, err = call_error(fn)
  if not raised then
    return false, "Expected an error" .. (expected ~= nil and (" " .. show(expected)) or "") .. ", but the function returned normally",
      "" -- negated: no error, as wanted
  end
  if expected == nil then return true, "", "Expected no error, got " .. show(err), err end
  local ok
  if type(expected) == "string" and type(err) == "string" then
    ok = err == expected or strip_position(err) == expected or err:find(expected, 1, true) ~= nil
  else
    ok = diff.same(expected, err, 1)
  end
  return ok, "Expected error " .. show(expected) .. "\nGot error:      " .. show(err),
    "Expected an error other than " .. show(expected), err
end }
A.errors = A.error

A.error_matches = { n = 2, function(fn, pattern)
  local raised, err = call_error(fn)
  if not raised then return false, "Expected an error matching " .. show(pattern) .. ", but the function returned normally", "" end
  local ok = type(err) == "string" and (err:find(pattern) ~= nil or strip_position(err):find(pattern) ~= nil)
  return ok, "Expected an error matching " .. show(pattern) .. "\nGot error: " .. show(err),
    "Expected an error not matching " .. show(pattern) .. "\nGot error: " .. show(err), err
end }
A.error_match = A.error_matches

-- Spy assertions take the spy bound by assert.spy(s) as first argument.
local function check_spy(s)
  if not spy.is_spy(s) then fail("expected a spy or stub, got " .. show(s)) end
end
local function plural(n) return n .. (n == 1 and " time" or " times") end

A.called = { n = 2, function(s, times)
  check_spy(s)
  local c = #s.calls
  if times == nil then return c > 0, "Expected " .. tostring(s) .. " to be called, but it never was",
    "Expected " .. tostring(s) .. " not to be called, but it was called " .. plural(c) end
  return c == times, "Expected " .. tostring(s) .. " to be called " .. plural(times) .. ", but it was called " .. plural(c),
    "Expected " .. tostring(s) .. " not to be called " .. plural(times)
end }
A.called_at_least = { n = 2, function(s, times)
  check_spy(s)
  return #s.calls >= times, "Expected " .. tostring(s) .. " to be called at least " .. plural(times) .. ", got " .. #s.calls, "Expected fewer calls"
end }
A.called_at_most = { n = 2, function(s, times)
  check_spy(s)
  return #s.calls <= times, "Expected " .. tostring(s) .. " to be called at most " .. plural(times) .. ", got " .. #s.calls, "Expected more calls"
end }

local function describe_calls(s)
  if #s.calls == 0 then return "It was never called." end
  local lines = { "Its calls:" }
  for i, c in ipairs(s.calls) do
    local parts = {}
    for j = 1, c.vals.n do parts[j] = show(c.vals[j]) end
    lines[#lines + 1] = "  " .. i .. ": (" .. table.concat(parts, ", ") .. ")"
  end
  return table.concat(lines, "\n")
end
local function args_text(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = show((select(i, ...))) end
  return "(" .. table.concat(parts, ", ") .. ")"
end
-- called_with takes any number of arguments: no trailing message.
A.called_with = { n = math.huge, function(s, ...)
  check_spy(s)
  return s:called_with(...), "Expected " .. tostring(s) .. " to be called with " .. args_text(...) .. "\n" .. describe_calls(s),
    "Expected " .. tostring(s) .. " not to be called with " .. args_text(...)
end }
A.returned_with = { n = math.huge, function(s, ...)
  check_spy(s)
  return s:returned_with(...), "Expected " .. tostring(s) .. " to return " .. args_text(...),
    "Expected " .. tostring(s) .. " not to return " .. args_text(...)
end }

local modifiers = { is = true, are = true, was = true, has = true, does = true, the = true, be = true, to = true }
local negations = { ["not"] = true, no = true }

local Chain = {}

local function chain(negated, bound)
  return setmetatable({ _negated = negated, _bound = bound, _has_bound = bound ~= nil }, Chain)
end

Chain.__index = function(self, key)
  if type(key) ~= "string" then return nil end
  local negated = self._negated
  local tokens = {}
  for t in key:gmatch("[^_]+") do tokens[#tokens + 1] = t end
  local i = 1
  while i <= #tokens and (modifiers[tokens[i]] or negations[tokens[i]]) do
    if negations[tokens[i]] then negated = not negated end
    i = i + 1
  end
  if i > #tokens then return chain(negated, rawget(self, "_bound")) end
  local name = table.concat(tokens, "_", i)
  local a = A[name]
  if not a then error("assert: unknown assertion '" .. key .. "'", 2) end
  local bound, has_bound = rawget(self, "_bound"), rawget(self, "_has_bound")
  return function(...)
    local args
    if has_bound then args = { n = select("#", ...) + 1, bound, ... } else args = { n = select("#", ...), ... } end
    local message = nil
    if a.n ~= math.huge and args.n > a.n then message = args[a.n + 1] end
    local ok, yes_msg, no_msg, result = a[1](table.unpack(args, 1, a.n == math.huge and args.n or math.min(args.n, a.n)))
    if negated then
      if ok then fail(no_msg, message) end
    elseif not ok then
      fail(yes_msg, message)
    end
    if result ~= nil then return result end
    return ...
  end
end

local root = chain(false, nil)
local Root = setmetatable({}, {
  __index = function(_, key)
    if key == "spy" or key == "stub" then
      return function(s) check_spy(s); return chain(false, s) end
    end
    if key == "fail" then return function(msg) fail(tostring(msg or "failed")) end end
    return root[key]
  end,
  __call = function(_, v, msg, ...)
    if not v then
      fail(msg ~= nil and tostring(msg) or "assertion failed!")
    end
    return v, msg, ...
  end,
})

M.assert = Root
M.assertions = A

-- match._ (any value), match.is_string() …, for same() and called_with().
local match = {}
local function matcher(name, pred)
  local m = setmetatable({}, { __tostring = function() return name end })
  diff.matcher[m] = pred
  return m
end
match._ = matcher("match._", function() return true end)
for _, t in ipairs { "string", "number", "table", "function", "boolean" } do
  match["is_" .. t] = function() return matcher("match.is_" .. t .. "()", function(v) return type(v) == t end) end
end
match.is_truthy = function() return matcher("match.is_truthy()", function(v) return v ~= nil and v ~= false end) end
match.matches = function(p) return matcher("match.matches(" .. show(p) .. ")", function(v) return type(v) == "string" and v:find(p) ~= nil end) end
match.is_same = function(e) return matcher("match.is_same(" .. show(e) .. ")", function(v) return (diff.same(e, v, 1)) end) end
M.match = match

return M
