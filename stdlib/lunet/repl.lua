--[[
lunet.repl — the Lua half of `lunet repl` (the Swift half reads lines,
keeps history and runs chunks as tasks so Ctrl-C can stop them).

  repl.new(options)          --> session (options: color, width, max_lines, lazy = { name = loader })
  session:compile(text)      --> fn | nil, message, incomplete
  session:show(n, ...)       --> the text printed for n results
  session:complete(line, text) --> candidates for `text`, the word before the cursor
                                   (or nil, "path"|"module" when the host must list files)

How `local` survives from one line to the next: every chunk runs with its
own _ENV, a session table whose reads fall through to _G (`__index = _G`)
and whose writes go to _G unless the name was declared local in the REPL.
A top-level `local a, b = …` (outside any function or block) is rewritten to
`;__lunet_local("a", "b"); a, b = …`: the call marks the names as session
locals, starting with the value they had (so `local print = print` works),
and the assignment then stores into the session table. `local function f`
becomes `__lunet_local("f"); function f`. Locals inside blocks and functions
are untouched (real Lua locals). Consequences, by design: REPL locals are
visible to later chunks but not to modules (they never reach _G); a local
set to nil reads through to a global of the same name; `<const>` and
`<close>` attributes are dropped at top level (no error, no close call).
]]

local inspect = require "lunet.inspect"

local M = {}

---------------------------------------------------------------------------
-- A small Lua tokenizer: enough to find top-level `local` statements and
-- to tell whether the cursor is inside a string.
---------------------------------------------------------------------------

-- Skip a long bracket starting at i (s:sub(i,i) == "["); returns the index
-- after it, or nil when it is not a long bracket, or #s+1 when unclosed.
local function long_bracket_end(s, i)
  local eq = s:match("^%[(=*)%[", i)
  if not eq then return nil end
  local close = "]" .. eq .. "]"
  local j = s:find(close, i + #eq + 2, true)
  if not j then return #s + 1, true end
  return j + #close
end

-- tokens(s) → array of { kind = "name"|"string"|"number"|"symbol", text, s, e }
-- plus `open_string` = quote char when s ends inside an unclosed string.
local function tokens(s)
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = s:sub(i, i)
    if c:find("%s") then
      i = i + 1
    elseif s:sub(i, i + 1) == "--" then
      local e = s:sub(i + 2, i + 2) == "[" and long_bracket_end(s, i + 2)
      if e then i = e else i = (s:find("\n", i, true) or n) + 1 end
    elseif c == '"' or c == "'" then
      local j = i + 1
      while j <= n do
        local d = s:sub(j, j)
        if d == "\\" then j = j + 2
        elseif d == c or d == "\n" then break
        else j = j + 1 end
      end
      if j > n then out.open_string = c; out.open_at = i; return out end
      out[#out + 1] = { kind = "string", text = s:sub(i, j), s = i, e = j }
      i = j + 1
    elseif c == "[" and s:find("^%[=*%[", i) then
      local e, unclosed = long_bracket_end(s, i)
      if unclosed then out.open_string = "["; out.open_at = i; return out end
      out[#out + 1] = { kind = "string", text = s:sub(i, e - 1), s = i, e = e - 1 }
      i = e
    elseif c:find("[%a_]") then
      local j = s:find("[^%w_]", i) or n + 1
      out[#out + 1] = { kind = "name", text = s:sub(i, j - 1), s = i, e = j - 1 }
      i = j
    elseif c:find("%d") or (c == "." and s:find("^%.%d", i)) then
      local j = s:find("[^%w_%.]", i) or n + 1
      out[#out + 1] = { kind = "number", text = s:sub(i, j - 1), s = i, e = j - 1 }
      i = j
    else
      local sym = s:match("^%.%.%.", i) or s:match("^[=~<>]=", i) or s:match("^::", i)
        or s:match("^%.%.", i) or s:match("^//", i) or s:match("^<<", i) or s:match("^>>", i) or c
      out[#out + 1] = { kind = "symbol", text = sym, s = i, e = i + #sym - 1 }
      i = i + #sym
    end
  end
  return out
end
M.tokens = tokens

local OPENS = { ["function"] = true, ["if"] = true, ["do"] = true, ["repeat"] = true }
local CLOSES = { ["end"] = true, ["until"] = true }

-- Rewrite top-level `local` statements as described at the top.
function M.rewrite_locals(text)
  local toks = tokens(text)
  local depth, edits = 0, {}
  local k = 1
  while k <= #toks do
    local t = toks[k]
    if t.kind == "name" then
      if OPENS[t.text] then depth = depth + 1
      elseif CLOSES[t.text] then depth = depth - 1
      elseif t.text == "local" and depth == 0 then
        local nxt = toks[k + 1]
        if nxt and nxt.kind == "name" and nxt.text == "function" then
          local name = toks[k + 2]
          if name and name.kind == "name" then
            edits[#edits + 1] = { s = t.s, e = t.e, text = ';__lunet_local("' .. name.text .. '");' }
          end
        else
          local names, j = {}, k + 1
          while toks[j] and toks[j].kind == "name" do
            names[#names + 1] = toks[j].text
            j = j + 1
            if toks[j] and toks[j].text == "<" and toks[j + 2] and toks[j + 2].text == ">" then j = j + 3 end
            if toks[j] and toks[j].text == "," then j = j + 1 else break end
          end
          if #names > 0 then
            local last = toks[j - 1]
            local quoted = {}
            for i, n in ipairs(names) do quoted[i] = '"' .. n .. '"' end
            local replacement = ";__lunet_local(" .. table.concat(quoted, ", ") .. "); " .. table.concat(names, ", ")
            if not (toks[j] and toks[j].text == "=") then replacement = replacement .. " = nil" end
            edits[#edits + 1] = { s = t.s, e = last.e, text = replacement }
            k = j - 1
          end
        end
      end
    end
    k = k + 1
  end
  for i = #edits, 1, -1 do
    local e = edits[i]
    text = text:sub(1, e.s - 1) .. e.text .. text:sub(e.e + 1)
  end
  return text
end

---------------------------------------------------------------------------
-- Sessions
---------------------------------------------------------------------------

local Session = {}
Session.__index = Session

function M.new(options)
  options = options or {}
  local declared = {}
  local env = {}
  local function declare(...)
    for i = 1, select("#", ...) do
      local name = select(i, ...)
      local value = env[name] -- the value visible now: previous local or global
      declared[name] = true
      rawset(env, name, value)
    end
  end
  rawset(env, "__lunet_local", declare)
  setmetatable(env, {
    __index = _G,
    __newindex = function(t, k, v)
      if declared[k] then rawset(t, k, v) else _G[k] = v end
    end,
  })
  return setmetatable({
    env = env, declared = declared,
    color = options.color == true,
    width = options.width or 100,
    max_lines = options.max_lines or 60,
    max_rows = options.max_rows or 40,
    lazy = {},
  }, Session)
end

-- Globals made on first use (`portal`, `icl`, …): loaders[name]() runs
-- when the name is first read and its value is then stored in _G. A loader
-- that fails raises its message at the line that used the name.
function Session:lazy_globals(loaders)
  for name, loader in pairs(loaders) do self.lazy[name] = loader end
  local lazy = self.lazy
  local mt = getmetatable(_G) or {}
  local previous = mt.__index
  mt.__index = function(t, k)
    local loader = lazy[k]
    if loader then
      local value = loader()
      rawset(t, k, value)
      return value
    end
    if type(previous) == "function" then return previous(t, k) end
    if type(previous) == "table" then return previous[k] end
    return nil
  end
  setmetatable(_G, mt)
end

local function incomplete(message)
  return message:sub(-5) == "<eof>"
end

-- Compile as `return <text>` (an expression) first, then as statements
-- with top-level locals rewritten. Returns fn, or nil, message, incomplete.
function Session:compile(text)
  local fn = load("return " .. text, "=stdin", "t", self.env)
  if fn then return fn end
  local source = M.rewrite_locals(text)
  local fn2, err = load(source, "=stdin", "t", self.env)
  if fn2 then return fn2 end
  -- judge completeness on the original text (the rewrite never closes a block)
  local _, original_err = load(text, "=stdin", "t", {})
  original_err = original_err or err
  return nil, original_err, incomplete(original_err)
end

-- A file (the startup file) compiled in the session's environment, its
-- top-level locals kept like a typed chunk's.
function Session:load_file(path)
  local f, err = io.open(path, "r")
  if not f then return nil, err end
  local text = f:read("a")
  f:close()
  if text:sub(1, 1) == "#" then text = "--" .. text end
  return load(M.rewrite_locals(text), "@" .. path, "t", self.env)
end

---------------------------------------------------------------------------
-- Globals of the REPL (lua-api.md Conventions): the modules without their
-- lunet. prefix, `lunet` (its fields and, lazily, lunet.X as lunet.X),
-- help, and one connection per configured service. All are made on first
-- use, so the prompt appears without loading anything.
---------------------------------------------------------------------------

M.MODULE_GLOBALS = { "json", "task", "http", "state", "log", "inspect", "paging", "icl", "iconect", "coredata", "integrator" }
M.CONNECTIONS = { portal = "icl", ic = "iconect", cd = "coredata", celigo = "integrator" }

local function need(module, global)
  local ok, m = pcall(require, module)
  if ok then return m end
  local message = tostring(m)
  if message:find("^module '" .. module:gsub("%p", "%%%0") .. "' not found") then
    error(global .. ": " .. module .. " is not in this build of lunet", 0)
  end
  error(global .. ": cannot load " .. module .. ": " .. message, 0)
end

-- A module is available when it is preloaded (bindings, host modules) or
-- one of the searchers finds it, without running it.
local function available(module)
  if package.loaded[module] ~= nil or package.preload[module] ~= nil then return true end
  for _, searcher in ipairs(package.searchers) do
    local ok, loader = pcall(searcher, module)
    if ok and type(loader) == "function" then return true end
  end
  return false
end

local function lunet_proxy()
  local base = require "lunet"
  local names = {}
  for _, short in ipairs(M.MODULE_GLOBALS) do names[#names + 1] = short end
  local proxy = {}
  for k, v in pairs(base) do proxy[k] = v end
  return setmetatable(proxy, {
    __help = "lunet",
    __fields = names,
    __index = function(t, k)
      if type(k) ~= "string" then return nil end
      local ok, m = pcall(require, "lunet." .. k)
      if ok then rawset(t, k, m); return m end
      return nil
    end,
  })
end

-- repl.start{ color, width, services = { "icl", … } } → session with the
-- globals installed; session.connections lists the connection globals whose
-- binding is in this build (the others are defined too and say it is missing).
function M.start(options)
  local session = M.new(options)
  local loaders = { help = function() return require "lunet.help" end, lunet = lunet_proxy }
  for _, short in ipairs(M.MODULE_GLOBALS) do
    loaders[short] = function() return need("lunet." .. short, short) end
  end
  local connected = {}
  for _, service in ipairs(options.services or {}) do
    for global, s in pairs(M.CONNECTIONS) do
      if s == service then
        loaders[global] = function() return need("lunet." .. service, global).connect() end
        if available("lunet." .. service) then connected[#connected + 1] = global end
      end
    end
  end
  table.sort(connected)
  session.connections = connected
  session:lazy_globals(loaders)
  return session
end

---------------------------------------------------------------------------
-- Printing
---------------------------------------------------------------------------

-- Display width of a UTF-8 string: East Asian wide characters and most
-- emoji count 2, combining marks 0, everything else 1.
local function char_width(cp)
  if cp == 0 then return 0 end
  if cp < 32 or (cp >= 0x7f and cp < 0xa0) then return 0 end
  if (cp >= 0x300 and cp <= 0x36f) or (cp >= 0x200b and cp <= 0x200f) or (cp >= 0xfe00 and cp <= 0xfe0f) then return 0 end
  if (cp >= 0x1100 and cp <= 0x115f) or (cp >= 0x2e80 and cp <= 0xa4cf and cp ~= 0x303f)
    or (cp >= 0xac00 and cp <= 0xd7a3) or (cp >= 0xf900 and cp <= 0xfaff) or (cp >= 0xfe30 and cp <= 0xfe4f)
    or (cp >= 0xff00 and cp <= 0xff60) or (cp >= 0xffe0 and cp <= 0xffe6)
    or (cp >= 0x1f300 and cp <= 0x1f64f) or (cp >= 0x1f900 and cp <= 0x1f9ff)
    or (cp >= 0x20000 and cp <= 0x3fffd) then
    return 2
  end
  return 1
end

function M.display_width(s)
  local ok, w = pcall(function()
    local total = 0
    for _, cp in utf8.codes(s) do total = total + char_width(cp) end
    return total
  end)
  return ok and w or #s
end
local display_width = M.display_width

-- s cut to at most `width` columns, with "…" when something was cut.
function M.cut(s, width)
  if display_width(s) <= width then return s end
  local out, used = {}, 0
  local ok = pcall(function()
    for _, cp in utf8.codes(s) do
      local w = char_width(cp)
      if used + w > width - 1 then break end
      out[#out + 1] = utf8.char(cp)
      used = used + w
    end
  end)
  if not ok then return s:sub(1, width - 1) .. "…" end
  return table.concat(out) .. "…"
end

local function pad(s, width)
  return s .. (" "):rep(width - display_width(s))
end

local null_value
local function json_null()
  if null_value == nil then
    local ok, json = pcall(require, "lunet.json")
    null_value = ok and json.null or false
  end
  return null_value
end

local function is_scalar(v)
  local t = type(v)
  return t == "string" or t == "number" or t == "boolean" or v == json_null()
end

-- An array of at least two tables, mostly of scalar fields, without other keys.
local function record_columns(t)
  if type(t) ~= "table" or getmetatable(t) and rawget(getmetatable(t), "__tostring") then return nil end
  local n = #t
  if n < 2 then return nil end
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return nil end
  end
  local count, order = {}, {}
  for i = 1, n do
    local row = t[i]
    if type(row) ~= "table" or (getmetatable(row) and rawget(getmetatable(row), "__tostring")) then return nil end
    for k, v in pairs(row) do
      if type(k) == "string" then
        if not count[k] then count[k] = 0; order[#order + 1] = k end
        if is_scalar(v) then count[k] = count[k] + 1 end
      end
    end
  end
  -- columns that matter: scalar in at least half the rows; identifiers
  -- first, then by name (key order in a Lua table is arbitrary)
  local PREFERRED = { id = 1, _id = 1, key = 2, externalId = 2, contentItemId = 3, name = 4, title = 4, Title = 4 }
  local cols = {}
  for i, k in ipairs(order) do
    if count[k] * 2 >= n then cols[#cols + 1] = { name = k, rank = PREFERRED[k] or 10, seen = i } end
  end
  if #cols == 0 then return nil end
  table.sort(cols, function(a, b)
    if a.rank ~= b.rank then return a.rank < b.rank end
    return a.name < b.name
  end)
  local names = {}
  for i, c in ipairs(cols) do names[i] = c.name end
  return names, #order - #names
end

local MAX_CELL = 32

local function cell_text(v, key)
  if v == nil then return "" end
  if v == json_null() then return "null" end
  if type(v) == "string" then
    if inspect.is_sensitive_key(key) and v ~= "" then return ("•"):rep(4) end
    return (v:gsub("[%c]", " "))
  end
  if type(v) == "table" then
    local mt = getmetatable(v)
    if mt and rawget(mt, "__tostring") then return tostring(v) end
    return next(v) == nil and "{}" or "{…}"
  end
  return tostring(v)
end

-- An array of records as an aligned text table, or nil when t is not one.
function Session:record_table(t)
  local cols, hidden_cols = record_columns(t)
  if not cols then return nil end
  local n = #t
  local shown = math.min(n, self.max_rows)
  local cells, widths = {}, {}
  for c, name in ipairs(cols) do widths[c] = display_width(name) end
  for r = 1, shown do
    cells[r] = {}
    for c, name in ipairs(cols) do
      local text = M.cut(cell_text(t[r][name], name), MAX_CELL)
      cells[r][c] = text
      widths[c] = math.max(widths[c], display_width(text))
    end
  end
  -- drop columns from the right until the table fits the width
  local used, fit = 0, 0
  for c = 1, #cols do
    local add = widths[c] + (c > 1 and 2 or 0)
    if c > 1 and used + add > self.width then break end
    used, fit = used + add, c
  end
  hidden_cols = hidden_cols + (#cols - fit)
  local lines = {}
  local function row(texts, style)
    local parts = {}
    for c = 1, fit do
      local text = c == fit and texts[c] or pad(texts[c], widths[c])
      if self.color and style then text = style .. text .. "\27[0m" end
      parts[c] = text
    end
    return (table.concat(parts, "  "):gsub("%s+$", ""))
  end
  lines[1] = row(cols, "\27[1m")
  local rule = {}
  for c = 1, fit do rule[c] = ("─"):rep(widths[c]) end
  lines[2] = table.concat(rule, "  ")
  for r = 1, shown do lines[#lines + 1] = row(cells[r]) end
  local notes = {}
  if shown < n then notes[#notes + 1] = (n - shown) .. " more rows" end
  if hidden_cols > 0 then notes[#notes + 1] = hidden_cols .. " more columns" end
  if #notes > 0 then
    lines[#lines + 1] = "(" .. n .. " rows; " .. table.concat(notes, ", ")
      .. " not shown: inspect(_) or _[i] shows them)"
  end
  return table.concat(lines, "\n")
end

-- Cut text longer than max_lines, with a note saying how to see all.
function Session:limit_lines(text)
  local count, cut_at = 0, nil
  for pos in text:gmatch("()\n") do
    count = count + 1
    if count == self.max_lines then cut_at = pos end
  end
  if not cut_at then return text end
  local total = count + 1
  return text:sub(1, cut_at - 1) .. "\n"
    .. string.format("… %d more lines (print(inspect(_)) shows everything)", total - self.max_lines)
end

function Session:show_value(v)
  local tabled = self:record_table(v)
  if tabled then return self:limit_lines(tabled) end
  return self:limit_lines(inspect(v, { color = self.color, width = self.width }))
end

function Session:show(n, ...)
  local out = {}
  for i = 1, n do out[i] = self:show_value((select(i, ...))) end
  return table.concat(out, n > 1 and "\n" or "")
end

---------------------------------------------------------------------------
-- Completion
---------------------------------------------------------------------------

local KEYWORDS = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
  "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}

-- Keys reachable from v: raw keys, keys of __index tables (followed up to
-- a few levels), and the methods of userdata classes (__methods).
local function keys_of(v, out, depth)
  out = out or {}
  depth = depth or 0
  if depth > 6 then return out end
  if type(v) == "table" then
    for k, val in next, v do if type(k) == "string" then out[k] = out[k] or val end end
  end
  local mt = (debug and debug.getmetatable or getmetatable)(v)
  if type(mt) == "table" then
    local methods = rawget(mt, "__methods")
    if type(methods) == "table" then keys_of(methods, out, depth + 1) end
    local index = rawget(mt, "__index")
    if type(index) == "table" then keys_of(index, out, depth + 1) end
    local fields = rawget(mt, "__fields")
    if type(fields) == "table" then for _, k in ipairs(fields) do out[k] = out[k] or true end end
  end
  return out
end
M.keys_of = keys_of

-- Is the cursor inside a string? Returns the quote and what precedes it.
local function string_context(line)
  local toks = tokens(line)
  if not toks.open_string then return nil end
  local before = line:sub(1, toks.open_at - 1)
  return toks.open_string, before
end

-- session:complete(line, text): `line` is the input up to the cursor,
-- `text` the word being completed (its tail). Returns an array of
-- replacements for text, or nil and "path" / "module" when the host must
-- list files or modules for the string's contents.
function Session:complete(line, text)
  local quote, before = string_context(line)
  if quote then
    if before:find("require%s*%(?%s*$") then return nil, "module" end
    return nil, "path"
  end
  local prefix, sep, partial = text:match("^(.*)([%.:])([%w_]*)$")
  local candidates = {}
  local function offer(keys, head, want_functions)
    for k, val in pairs(keys) do
      if k:find("^[%a_][%w_]*$") and k:sub(1, #partial) == partial
        and (partial:sub(1, 1) == "_" or k:sub(1, 1) ~= "_")
        and (not want_functions or type(val) == "function" or val == true) then
        candidates[#candidates + 1] = head .. k
      end
    end
  end
  if prefix and prefix:find("^[%a_][%w_%.:]*$") and not prefix:find("[%.:]$") then
    local v = self.env
    for name in prefix:gmatch("[^%.:]+") do
      local ok, got = pcall(function() return v[name] end)
      if not ok or got == nil then return {} end
      v = got
    end
    offer(keys_of(v), prefix .. sep, sep == ":")
  elseif text:find("^[%a_][%w_]*$") or text == "" then
    partial = text
    local keys = keys_of(self.env)
    keys_of(_G, keys)
    for name in pairs(self.lazy) do keys[name] = keys[name] or true end
    for _, k in ipairs(KEYWORDS) do keys[k] = true end
    offer(keys, "", false)
  end
  table.sort(candidates)
  local unique, last = {}, nil
  for _, c in ipairs(candidates) do
    if c ~= last then unique[#unique + 1] = c; last = c end
  end
  return unique
end

return M
