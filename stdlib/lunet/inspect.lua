--[[
lunet.inspect — readable, deterministic renderings of Lua values.

  local inspect = require "lunet.inspect"
  inspect(value [, options])            --> string   (the module is callable)
  inspect.inspect(value [, options])    --> string
  inspect.values(n, ...)                --> the n values inspected, joined with "\t"
  inspect.values_with(options, n, ...)  --> the same, with options
  inspect.is_identifier(s)              --> true when s can be written as a bare key
  inspect.sorted_keys(t)                --> every key of t, in display order

Options (all optional):
  depth       4      tables nested deeper than this print as {...}
  max_items   100    entries shown per table; the rest are summarised
  max_string  2000   bytes shown per string; the rest are summarised
  indent      "  "   one level of indentation in multi-line output
  width       80     a table whose one-line form fits stays on one line
  color       false  ANSI colours by type (never any escape code when false)
  redact      true   non-empty strings under secret-looking keys print as "••••"
  null        value printed as `null` (default: lunet.json's null)

Rendering works in two passes. The first walks the value exactly as the
printer will (same depth, item limits and opaque tables) and records which
tables are reached again while still open, i.e. which take part in a cycle;
only those get a `<table N>` label. The second pass prints: every table first
tries its one-line form within the width left on its line (the attempt gives
up as soon as it runs over, so it costs at most about `width` characters) and
falls back to one entry per line. Numbers handed out to tables, functions,
threads and userdata during a failed one-line attempt are taken back, so ids
follow the order in which things appear in the final text.

Tables are read raw (rawget/next): __index, __pairs and friends are ignored.
]]

local byte, char, concat, format = string.byte, string.char, table.concat, string.format
local math_type, huge = math.type, math.huge
local next, pcall, rawequal, rawget, select, setmetatable, tostring, type =
  next, pcall, rawequal, rawget, select, setmetatable, tostring, type
local sort = table.sort
local utf8_len = utf8.len
local get_metatable = (debug and debug.getmetatable) or getmetatable

local M = {}

---------------------------------------------------------------------------
-- Options
---------------------------------------------------------------------------

local DEFAULTS = {
  depth = 4, max_items = 100, max_string = 2000, indent = "  ",
  width = 80, color = false, redact = true,
}

local OPTION_TYPES = {
  depth = "number", max_items = "number", max_string = "number", indent = "string",
  width = "number", color = "boolean", redact = "boolean",
}

-- JSON null arrives in API responses whether or not the script required
-- lunet.json, so look it up (it is a host module: always there in lunet;
-- under a plain Lua without it, nothing prints as null).
local function default_null()
  local json = package.loaded["lunet.json"]
  if json == nil then
    local ok, loaded = pcall(require, "lunet.json")
    if ok then json = loaded end
  end
  if type(json) == "table" then return json.null end
  return nil
end

local function read_options(options)
  if options ~= nil and type(options) ~= "table" then
    error("inspect: options must be a table, got " .. type(options), 4)
  end
  options = options or {}
  local opts = {}
  for name, default in next, DEFAULTS do
    local value = options[name]
    if value == nil then
      value = default
    elseif type(value) ~= OPTION_TYPES[name] then
      error(format("inspect: option '%s' must be a %s, got %s", name, OPTION_TYPES[name], type(value)), 4)
    end
    opts[name] = value
  end
  if options.null ~= nil then opts.null = options.null else opts.null = default_null() end
  return opts
end

---------------------------------------------------------------------------
-- Text helpers: display width and colour
---------------------------------------------------------------------------

local function display_width(s)
  return utf8_len(s) or #s
end

local RESET = "\27[0m"
local STYLES = {
  string = "\27[32m",  -- green
  number = "\27[36m",  -- cyan
  literal = "\27[35m", -- magenta: nil, booleans, null
  opaque = "\27[2m",   -- dim: functions, threads, userdata
  meta = "\27[2m",     -- dim: labels, cycles, elisions
}

-- Returns the text (coloured when asked) and its visible width.
local function paint(st, style, text)
  local width = display_width(text)
  if st.opts.color and not st.plain then
    return STYLES[style] .. text .. RESET, width
  end
  return text, width
end

---------------------------------------------------------------------------
-- Numbers
---------------------------------------------------------------------------

local function format_float(x)
  if x ~= x then return "0/0" end
  if x == huge then return "math.huge" end
  if x == -huge then return "-math.huge" end
  local s = format("%.14g", x)
  if tonumber(s) ~= x then s = format("%.17g", x) end
  if s:find("^-?%d+$") then s = s .. ".0" end
  return s
end

local function format_number(x)
  if math_type(x) == "integer" then return format("%d", x) end
  return format_float(x)
end

---------------------------------------------------------------------------
-- Strings
---------------------------------------------------------------------------

local NAMED_ESCAPES = { [92] = "\\\\", [34] = '\\"', [10] = "\\n", [13] = "\\r", [9] = "\\t" }

-- Length of the valid, printable UTF-8 multibyte sequence starting at i,
-- or nil. C1 control characters (U+0080..U+009F) count as not printable.
local function utf8_sequence_length(s, i)
  local c = byte(s, i)
  local n, lo, hi
  if c >= 0xC2 and c <= 0xDF then n, lo, hi = 2, 0x80, 0xBF
  elseif c == 0xE0 then n, lo, hi = 3, 0xA0, 0xBF
  elseif c == 0xED then n, lo, hi = 3, 0x80, 0x9F
  elseif c >= 0xE1 and c <= 0xEF then n, lo, hi = 3, 0x80, 0xBF
  elseif c == 0xF0 then n, lo, hi = 4, 0x90, 0xBF
  elseif c >= 0xF1 and c <= 0xF3 then n, lo, hi = 4, 0x80, 0xBF
  elseif c == 0xF4 then n, lo, hi = 4, 0x80, 0x8F
  else return nil end
  local c2 = byte(s, i + 1)
  if not c2 or c2 < lo or c2 > hi then return nil end
  if c == 0xC2 and c2 <= 0x9F then return nil end
  for j = i + 2, i + n - 1 do
    local cj = byte(s, j)
    if not cj or cj < 0x80 or cj > 0xBF then return nil end
  end
  return n
end

-- Decimal escape; padded to three digits when a digit follows, so the
-- result reads back as the same bytes.
local function decimal_escape(s, i)
  local c, following = byte(s, i), byte(s, i + 1)
  if following and following >= 48 and following <= 57 then return format("\\%03d", c) end
  return "\\" .. c
end

-- The body of a double-quoted Lua literal for s (without the quotes).
local function escape_string(s)
  if not s:find('[%c"\\\128-\255]') then return s end
  local out, i, len = {}, 1, #s
  while i <= len do
    local c = byte(s, i)
    if NAMED_ESCAPES[c] then
      out[#out + 1] = NAMED_ESCAPES[c]
      i = i + 1
    elseif c >= 32 and c < 127 then
      out[#out + 1] = char(c)
      i = i + 1
    else
      local n = c >= 128 and utf8_sequence_length(s, i)
      if n then
        out[#out + 1] = s:sub(i, i + n - 1)
        i = i + n
      else
        out[#out + 1] = decimal_escape(s, i)
        i = i + 1
      end
    end
  end
  return concat(out)
end

local function is_continuation_byte(c)
  return c ~= nil and c >= 0x80 and c <= 0xBF
end

-- How many leading bytes of s to keep under a limit, without splitting a
-- UTF-8 character (backs off at most three bytes).
local function truncation_point(s, limit)
  local cut = limit
  while cut > 0 and cut > limit - 3 and is_continuation_byte(byte(s, cut + 1)) do
    cut = cut - 1
  end
  if is_continuation_byte(byte(s, cut + 1)) then cut = limit end
  return cut
end

local function quote_string(st, s)
  local limit = st.opts.max_string
  if #s <= limit then return paint(st, "string", '"' .. escape_string(s) .. '"') end
  local cut = truncation_point(s, limit)
  local text = '"' .. escape_string(s:sub(1, cut)) .. format("…(%d more bytes)", #s - cut) .. '"'
  return paint(st, "string", text)
end

---------------------------------------------------------------------------
-- Keys: identifiers, ordering, redaction
---------------------------------------------------------------------------

local KEYWORDS = {}
for word in ([[and break do else elseif end false for function goto if in
  local nil not or repeat return then true until while]]):gmatch("%a+") do
  KEYWORDS[word] = true
end

function M.is_identifier(s)
  return type(s) == "string" and s:find("^[%a_][%w_]*$") ~= nil and not KEYWORDS[s]
end
local is_identifier = M.is_identifier

local function safe_tostring(v)
  local ok, s = pcall(tostring, v)
  if ok and type(s) == "string" then return s end
  return nil
end

-- Numbers ascending, then strings ascending, then everything else by type
-- name and tostring (computed once per key so the order stays consistent).
-- Sorts keys in place and returns it.
local function sort_keys(keys)
  local numbers, strings, others, labels = {}, {}, {}, {}
  for _, k in ipairs(keys) do
    local tk = type(k)
    if tk == "number" then numbers[#numbers + 1] = k
    elseif tk == "string" then strings[#strings + 1] = k
    else
      others[#others + 1] = k
      labels[k] = tk .. "\0" .. (safe_tostring(k) or "")
    end
  end
  sort(numbers)
  sort(strings)
  sort(others, function(a, b) return labels[a] < labels[b] end)
  local n = 0
  for _, group in ipairs({ numbers, strings, others }) do
    for _, k in ipairs(group) do n = n + 1; keys[n] = k end
  end
  return keys
end

function M.sorted_keys(t)
  local keys = {}
  for k in next, t do keys[#keys + 1] = k end
  return sort_keys(keys)
end

local SENSITIVE_KEYS = {
  password = true, passwd = true, secret = true, clientsecret = true,
  token = true, accesstoken = true, refreshtoken = true, idtoken = true,
  apikey = true, authorization = true, cookie = true, privatekey = true,
  codeverifier = true,
}

local function is_sensitive_key(k)
  if type(k) ~= "string" then return false end
  local name = k:lower():gsub("[_%-]", "")
  return SENSITIVE_KEYS[name] == true
    or name:sub(-8) == "password" or name:sub(-6) == "secret" or name:sub(-5) == "token"
end

M.is_sensitive_key = is_sensitive_key

local REDACTED = '"' .. ("\u{2022}"):rep(4) .. '"'

local function should_redact(st, key, value)
  return st.opts.redact and type(value) == "string" and value ~= "" and is_sensitive_key(key)
end

---------------------------------------------------------------------------
-- Per-call state: ids, entry lists, open tables
---------------------------------------------------------------------------

local function new_state(options)
  local opts = read_options(options)
  return {
    opts = opts,
    null = opts.null,
    indent_width = display_width(opts.indent),
    plain = false,   -- true while rendering keys (keys are never coloured)
    open = {},       -- tables on the current path
    cyclic = {},     -- tables reached again while open (from the first pass)
    entries = {},    -- table -> cached display order
    ids = {},        -- kind -> { count = n, [value] = id }
    log = {},        -- ids handed out, in order, so they can be taken back
  }
end

local function id_for(st, kind, value)
  local ids = st.ids[kind]
  if not ids then ids = { count = 0, by_value = {} }; st.ids[kind] = ids end
  local id = ids.by_value[value]
  if id then return id end
  ids.count = ids.count + 1
  ids.by_value[value] = ids.count
  st.log[#st.log + 1] = { kind = kind, value = value }
  return ids.count
end

local function take_back_ids(st, mark)
  for i = #st.log, mark + 1, -1 do
    local entry = st.log[i]
    local ids = st.ids[entry.kind]
    ids.by_value[entry.value] = nil
    ids.count = ids.count - 1
    st.log[i] = nil
  end
end

-- Display order of t's entries: the array part 1..n, then the other keys
-- sorted; at most max_items of them. Cached for the duration of the call.
local function table_entries(st, t)
  local cached = st.entries[t]
  if cached then return cached end
  local limit = st.opts.max_items
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  local others = {}
  for k in next, t do
    if not (math_type(k) == "integer" and k >= 1 and k <= n) then others[#others + 1] = k end
  end
  sort_keys(others)
  local keys = {}
  for i = 1, n do
    if i > limit then break end
    keys[i] = i
  end
  local shown_array = #keys
  for _, k in ipairs(others) do
    if #keys >= limit then break end
    keys[#keys + 1] = k
  end
  cached = { keys = keys, shown_array = shown_array, hidden = n + #others - #keys }
  st.entries[t] = cached
  return cached
end

local function is_null(st, v)
  return st.null ~= nil and rawequal(v, st.null)
end

local function is_json_marker(mt)
  local json_type = rawget(mt, "__jsontype")
  return json_type == "array" or json_type == "object"
end

-- What a table prints as at this depth: "tostring", "empty", "empty_array",
-- "deep", "cycle" or "expand" (its entries are printed).
local function classify_table(st, t, depth)
  local mt = get_metatable(t)
  local marker = type(mt) == "table" and is_json_marker(mt)
  if type(mt) == "table" and not marker and rawget(mt, "__tostring") ~= nil then return "tostring" end
  if next(t) == nil then
    return (marker and rawget(mt, "__jsontype") == "array") and "empty_array" or "empty"
  end
  if depth > st.opts.depth then return "deep" end
  if st.open[t] then return "cycle" end
  return "expand"
end

-- First pass: walk like the printer does and mark the tables in cycles.
local function mark_cycles(st, v, depth)
  if type(v) ~= "table" or is_null(st, v) then return end
  local kind = classify_table(st, v, depth)
  if kind == "cycle" then st.cyclic[v] = true end
  if kind ~= "expand" then return end
  st.open[v] = true
  for _, k in ipairs(table_entries(st, v).keys) do
    mark_cycles(st, k, depth + 1)
    mark_cycles(st, rawget(v, k), depth + 1)
  end
  st.open[v] = nil
end

---------------------------------------------------------------------------
-- Leaves: everything that is not a table whose entries get printed
---------------------------------------------------------------------------

local function render_table_leaf(st, t, kind)
  if kind == "tostring" then
    local s = safe_tostring(t) or "<table: error in __tostring>"
    return s, display_width(s)
  elseif kind == "empty" then return "{}", 2
  elseif kind == "empty_array" then return "[]", 2
  elseif kind == "deep" then return paint(st, "meta", "{...}")
  else return paint(st, "meta", format("<cycle: table %d>", id_for(st, "table", t)))
  end
end

local function render_userdata(st, u)
  local mt = get_metatable(u)
  if type(mt) == "table" and (rawget(mt, "__tostring") ~= nil or rawget(mt, "__name") ~= nil) then
    return paint(st, "opaque", safe_tostring(u) or "<userdata: error in __tostring>")
  end
  return paint(st, "opaque", format("<userdata %d>", id_for(st, "userdata", u)))
end

-- Returns text and width, or nil when v is a table to expand.
local function render_leaf(st, v, depth)
  if is_null(st, v) then return paint(st, "literal", "null") end
  local tv = type(v)
  if tv == "string" then return quote_string(st, v)
  elseif tv == "number" then return paint(st, "number", format_number(v))
  elseif tv == "boolean" or tv == "nil" then return paint(st, "literal", tostring(v))
  elseif tv == "table" then
    local kind = classify_table(st, v, depth)
    if kind == "expand" then return nil end
    return render_table_leaf(st, v, kind)
  elseif tv == "userdata" then return render_userdata(st, v)
  else -- function, thread
    return paint(st, "opaque", format("<%s %d>", tv, id_for(st, tv, v)))
  end
end

---------------------------------------------------------------------------
-- Tables
---------------------------------------------------------------------------

local render_inline -- forward

-- "<table N> " for tables that appear in a cycle, "" otherwise.
local function table_label(st, t)
  if not st.cyclic[t] then return "", 0 end
  local text, width = paint(st, "meta", format("<table %d>", id_for(st, "table", t)))
  return text .. " ", width + 1
end

-- `name = `, `["some key"] = `, `[10] = `, `[<table key>] = ` (never coloured).
local function render_key(st, k, depth)
  local text
  if is_identifier(k) then
    text = k
  elseif type(k) == "string" then
    text = '["' .. escape_string(k) .. '"]'
  elseif type(k) == "number" then
    text = "[" .. format_number(k) .. "]"
  else
    local was_plain = st.plain
    st.plain = true
    text = "[" .. render_inline(st, k, depth, huge) .. "]"
    st.plain = was_plain
  end
  return text .. " = ", display_width(text) + 3
end

local function more_marker(st, hidden, inline)
  if inline then return paint(st, "meta", format("…(%d more)", hidden)) end
  return paint(st, "meta", format("… %d more", hidden))
end

-- One-line form `{ a, b = c }` if it fits in budget columns, else nil.
-- The caller takes back ids handed out by a failed attempt.
local function render_inline_table(st, t, depth, budget)
  local entries = table_entries(st, t)
  local label, used = table_label(st, t)
  used = used + 4 -- "{ " and " }"
  local parts = {}
  st.open[t] = true
  for i, k in ipairs(entries.keys) do
    if i > 1 then used = used + 2 end
    local key_text, key_width = "", 0
    if i > entries.shown_array then key_text, key_width = render_key(st, k, depth + 1) end
    used = used + key_width
    local value = rawget(t, k)
    local text, width
    if should_redact(st, k, value) then
      text, width = paint(st, "string", REDACTED)
      if used + width > budget then text = nil end
    elseif used <= budget then
      text, width = render_inline(st, value, depth + 1, budget - used)
    end
    if not text then st.open[t] = nil; return nil end
    parts[i] = key_text .. text
    used = used + width
  end
  st.open[t] = nil
  if entries.hidden > 0 then
    local text, width = more_marker(st, entries.hidden, true)
    parts[#parts + 1] = text
    used = used + width + (#entries.keys > 0 and 2 or 0)
  end
  if used > budget then return nil end
  return label .. "{ " .. concat(parts, ", ") .. " }", used
end

-- Any value on one line within budget columns, or nil.
function render_inline(st, v, depth, budget)
  local text, width = render_leaf(st, v, depth)
  if text then
    if width > budget then return nil end
    return text, width
  end
  return render_inline_table(st, v, depth, budget)
end

local render_block -- forward

-- Lists are packed several items per line only when every item is short.
local PACKED_ITEM_WIDTH = 20

-- Rendered items when t's shown entries are all array items that print as
-- short leaves (no nested tables to expand), else nil.
local function render_leaf_items(st, t, depth)
  local entries = table_entries(st, t)
  if entries.shown_array ~= #entries.keys then return nil end
  for _, k in ipairs(entries.keys) do
    local v = rawget(t, k)
    if type(v) == "table" and not is_null(st, v) and classify_table(st, v, depth + 1) == "expand" then
      return nil
    end
  end
  local mark = #st.log
  local items = {}
  for i, k in ipairs(entries.keys) do
    local text, width = render_leaf(st, rawget(t, k), depth + 1)
    if width > PACKED_ITEM_WIDTH then take_back_ids(st, mark); return nil end
    items[i] = { text = text, width = width }
  end
  if entries.hidden > 0 then
    local text, width = more_marker(st, entries.hidden, true)
    items[#items + 1] = { text = text, width = width }
  end
  return items
end

-- Items filled into lines of at most width columns (a long item gets a line
-- of its own), separated by commas.
local function pack_items(items, pad, pad_width, width)
  local lines, line, col = {}, {}, pad_width
  for i, item in ipairs(items) do
    local text, item_width = item.text, item.width
    if i < #items then text, item_width = text .. ",", item_width + 1 end
    local needed = (#line > 0 and 1 or 0) + item_width
    if #line > 0 and col + needed > width then
      lines[#lines + 1] = pad .. concat(line, " ")
      line, col = {}, pad_width
      needed = item_width
    end
    line[#line + 1] = text
    col = col + needed
  end
  if #line > 0 then lines[#lines + 1] = pad .. concat(line, " ") end
  return concat(lines, "\n")
end

-- One entry per line, indented one level deeper than the table's own line;
-- a plain list of leaves is packed several items per line instead.
local function render_multiline_table(st, t, depth)
  local entries = table_entries(st, t)
  local label = table_label(st, t)
  local pad = st.opts.indent:rep(depth)
  local pad_width = st.indent_width * depth
  local closing = "\n" .. st.opts.indent:rep(depth - 1) .. "}"
  local items = render_leaf_items(st, t, depth)
  if items then
    return label .. "{\n" .. pack_items(items, pad, pad_width, st.opts.width) .. closing
  end
  local count = #entries.keys + (entries.hidden > 0 and 1 or 0)
  local lines = {}
  st.open[t] = true
  for i, k in ipairs(entries.keys) do
    local key_text, key_width = "", 0
    if i > entries.shown_array then key_text, key_width = render_key(st, k, depth + 1) end
    local value = rawget(t, k)
    local text
    if should_redact(st, k, value) then
      text = paint(st, "string", REDACTED)
    else
      text = render_block(st, value, depth + 1, pad_width + key_width, i < count and 1 or 0)
    end
    lines[i] = pad .. key_text .. text
  end
  st.open[t] = nil
  if entries.hidden > 0 then lines[#lines + 1] = pad .. more_marker(st, entries.hidden, false) end
  return label .. "{\n" .. concat(lines, ",\n") .. closing
end

-- A value starting at column col, followed by suffix_width more columns
-- (the comma): one line when it fits, otherwise multi-line.
function render_block(st, v, depth, col, suffix_width)
  local text = render_leaf(st, v, depth)
  if text then return text end
  local mark = #st.log
  text = render_inline_table(st, v, depth, st.opts.width - col - suffix_width)
  if text then return text end
  take_back_ids(st, mark)
  return render_multiline_table(st, v, depth)
end

---------------------------------------------------------------------------
-- Public API
---------------------------------------------------------------------------

function M.inspect(value, options)
  local st = new_state(options)
  mark_cycles(st, value, 1)
  return (render_block(st, value, 1, 0, 0))
end

local function inspect_values(options, n, ...)
  if math_type(n) ~= "integer" or n < 0 then
    error("inspect.values: the count must be a non-negative integer, got " .. tostring(n), 4)
  end
  local out = {}
  for i = 1, n do out[i] = M.inspect((select(i, ...)), options) end
  return concat(out, "\t")
end

-- values(n, ...): n is explicit so trailing nils are kept.
function M.values(n, ...)
  return inspect_values(nil, n, ...)
end

function M.values_with(options, n, ...)
  return inspect_values(options, n, ...)
end

return setmetatable(M, {
  __call = function(_, value, options) return M.inspect(value, options) end,
})
