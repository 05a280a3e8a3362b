-- lunet.test.spy: spies and stubs, busted-compatible.
--
--   local s = spy.new(function(x) return x * 2 end)   -- a callable that records calls
--   local s = spy.on(obj, "method")                   -- wraps obj.method (still calls it)
--   local s = stub(obj, "method", ret1, ...)          -- replaces obj.method; returns ret1, …
--   s.calls[i].vals (arguments, .n = count), s.returnvals[i] (results)
--   s:called(n) / s:called_with(...) → boolean;  s:clear();  s:revert()
--   stub: s:returns(...), s:invokes(fn)
-- Spies made by spy.on and stub are reverted automatically after each test.
local diff = require "lunet.test.diff"

local M = {}
local Spy = { __name = "lunet.Spy" }
Spy.__index = Spy

local active = {}   -- spies to revert after the current test

local function pack(...) return { n = select("#", ...), ... } end

function Spy:__call(...)
  local args = pack(...)
  self.calls[#self.calls + 1] = { vals = args, refs = args }
  local results = pack(self.callback(...))
  self.returnvals[#self.returnvals + 1] = results
  return table.unpack(results, 1, results.n)
end

function Spy:__tostring() return "spy(" .. (self.name or "function") .. ")" end

function Spy:called(n)
  if n == nil then return #self.calls > 0 end
  return #self.calls == n
end

local function args_match(expected, actual)
  if expected.n ~= actual.n then return false end
  for i = 1, expected.n do
    local ok = diff.same(expected[i], actual[i], 1)
    if not ok then return false end
  end
  return true
end

function Spy:called_with(...)
  local expected = pack(...)
  for _, c in ipairs(self.calls) do
    if args_match(expected, c.vals) then return true end
  end
  return false
end

function Spy:returned_with(...)
  local expected = pack(...)
  for _, r in ipairs(self.returnvals) do
    if args_match(expected, r) then return true end
  end
  return false
end

function Spy:clear()
  self.calls, self.returnvals = {}, {}
  return self
end

function Spy:revert()
  if self.target then
    rawset(self.target, self.key, self.original)
    self.target = nil
  end
  return self.original
end

function Spy:returns(...)
  local r = pack(...)
  self.callback = function() return table.unpack(r, 1, r.n) end
  return self
end

function Spy:invokes(fn)
  self.callback = fn
  return self
end

function M.is_spy(v) return getmetatable(v) == Spy end

function M.new(fn, name)
  if fn ~= nil and type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    error("spy.new(): expected a function, got " .. type(fn), 2)
  end
  return setmetatable({ callback = fn or function() end, calls = {}, returnvals = {}, name = name }, Spy)
end

local function attach(who, target, key, s)
  if type(target) ~= "table" then error(who .. ": expected a table, got " .. type(target), 3) end
  if type(key) ~= "string" then error(who .. ": expected a field name, got " .. type(key), 3) end
  s.target, s.key, s.original, s.name = target, key, rawget(target, key), key
  rawset(target, key, s)
  active[#active + 1] = s
  return s
end

function M.on(target, key)
  local original = type(target) == "table" and target[key] or nil
  if type(original) ~= "function" and not M.is_spy(original) then
    error("spy.on(): " .. tostring(key) .. " is not a function (" .. type(original) .. ")", 2)
  end
  return attach("spy.on()", target, key, M.new(original))
end

function M.stub(target, key, ...)
  local s = attach("stub()", target, key, M.new(function() end))
  if select("#", ...) > 0 then s:returns(...) end
  return s
end

-- Called by the runner after each test.
function M.revert_all()
  for i = #active, 1, -1 do active[i]:revert() end
  active = {}
end

M.Spy = Spy
return M
