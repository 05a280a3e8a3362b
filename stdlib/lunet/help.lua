--[[
lunet.help — `help(x)` in the REPL and the LuaLS annotations of `lunet setup`,
both made from the doc source `stdlib/lunet/doc/<name>.lua` (modules
`lunet.doc.<name>`; the format is described in stdlib/lunet/doc/lunet.lua).

  local help = require "lunet.help"
  help(x)                 prints the documentation of x (nil: an overview)
  help.text(x)            --> the same text
  help.index()            --> { modules = {…}, classes = { [name] = class }, entries = { [key] = fn }, problems = {…} }
  help.doc_modules()      --> names of every lunet.doc.* module (embedded, preloaded or loaded)
  help.annotations()      --> array of { path = "lunet/icl.lua", text = "---@meta …" }
  help.class_of(value)    --> the documented class of an object, or nil

Every lunet.doc.* module is found without a list kept here: the host
preloads `lunet._stdlib` (the names of the modules compiled into the
binary), and any `lunet.doc.*` in package.preload or package.loaded counts.
]]

local H = {}

local function sorted(t)
  table.sort(t)
  return t
end

function H.doc_modules()
  local names, seen = {}, {}
  local function add(name)
    if type(name) == "string" and name:find("^lunet%.doc%.") and not seen[name] then
      seen[name] = true
      names[#names + 1] = name
    end
  end
  local ok, stdlib = pcall(require, "lunet._stdlib")
  if ok and type(stdlib) == "table" then for _, name in ipairs(stdlib) do add(name) end end
  for name in pairs(package.preload) do add(name) end
  for name in pairs(package.loaded) do add(name) end
  return sorted(names)
end

-- "lunet.icl" → "icl"; "lunet" stays "lunet".
local function short_name(module)
  return (module:gsub("^lunet%.", ""))
end
H.short_name = short_name

local index_cache

function H.index(refresh)
  if index_cache and not refresh then return index_cache end
  local idx = { modules = {}, by_module = {}, classes = {}, entries = {}, problems = {} }
  for _, name in ipairs(H.doc_modules()) do
    local ok, doc = pcall(require, name)
    if not ok then
      idx.problems[#idx.problems + 1] = name .. ": " .. tostring(doc)
    elseif type(doc) ~= "table" or type(doc.module) ~= "string" then
      idx.problems[#idx.problems + 1] = name .. ": must return a table with a `module` name"
    else
      doc.short = short_name(doc.module)
      idx.modules[#idx.modules + 1] = doc
      idx.by_module[doc.module] = doc
      for _, class in ipairs(doc.classes or {}) do
        class.module = doc
        class.methods = {}
        idx.classes[class.name] = class
      end
      for _, fn in ipairs(doc.functions or {}) do
        fn.module = doc
        if fn.of then
          fn.key = fn.of .. ":" .. fn.name
          local class = idx.classes[fn.of]
          if class then class.methods[#class.methods + 1] = fn
          else idx.problems[#idx.problems + 1] = doc.module .. ": " .. fn.key .. ": class " .. fn.of .. " is not documented" end
        else
          fn.key = doc.short .. "." .. fn.name
        end
        idx.entries[fn.key] = fn
      end
    end
  end
  table.sort(idx.modules, function(a, b) return a.module < b.module end)
  index_cache = idx
  return idx
end

---------------------------------------------------------------------------
-- Objects to classes
---------------------------------------------------------------------------

-- An object's class is found from its metatable's __name: a class matches
-- when __name equals its `name`, or its name with "lunet." added or
-- removed, or one of the names in its `match` list.
function H.class_of(value)
  local mt = (debug and debug.getmetatable or getmetatable)(value)
  if type(mt) ~= "table" then return nil end
  local tag = rawget(mt, "__name")
  if type(tag) ~= "string" then return nil end
  local idx = H.index()
  local candidates = { tag, "lunet." .. tag, (tag:gsub("^lunet%.", "")) }
  for _, name in ipairs(candidates) do
    if idx.classes[name] then return idx.classes[name] end
  end
  for _, class in pairs(idx.classes) do
    for _, m in ipairs(class.match or {}) do
      if m == tag then return class end
    end
  end
  return nil
end

---------------------------------------------------------------------------
-- Text
---------------------------------------------------------------------------

local function wrap(text, indent, width)
  width = width or 78
  local lines = {}
  for paragraph in (text or ""):gmatch("[^\n]+") do
    local line = indent
    for word in paragraph:gmatch("%S+") do
      if #line > #indent and #line + 1 + #word > width then
        lines[#lines + 1] = line
        line = indent .. word
      else
        line = line .. (#line > #indent and " " or "") .. word
      end
    end
    lines[#lines + 1] = line
  end
  return table.concat(lines, "\n")
end

local function first_sentence(text)
  text = text or ""
  return text:match("^(.-[%.!?])%s+%u") or text:match("^[^\n]*")
end

local function receiver(of)
  local base = of:match("([%w_]+)$") or of
  return base:sub(1, 1):lower() .. base:sub(2)
end

function H.signature(fn)
  local params = {}
  for i, p in ipairs(fn.params or {}) do
    params[i] = p.name .. (p.type and (": " .. p.type) or "")
  end
  local returns = {}
  for i, r in ipairs(fn.returns or {}) do returns[i] = r.type .. (r.name and (" " .. r.name) or "") end
  local head
  if fn.of then head = receiver(fn.of) .. ":" .. fn.name
  elseif fn.module.short == "lunet" then head = "lunet." .. fn.name
  else head = fn.module.short .. "." .. fn.name end
  local text = head .. "(" .. table.concat(params, ", ") .. ")"
  if #returns > 0 then text = text .. " → " .. table.concat(returns, ", ") end
  return text
end

local function function_text(fn)
  local out = { H.signature(fn) }
  if fn.of then out[#out + 1] = "  (method of " .. fn.of .. ", module " .. fn.module.module .. ")" end
  out[#out + 1] = wrap(fn.doc, "  ")
  local documented = {}
  for _, p in ipairs(fn.params or {}) do
    if p.doc then documented[#documented + 1] = "    " .. p.name .. ": " .. p.doc end
  end
  if #documented > 0 then
    out[#out + 1] = "  Parameters:"
    for _, line in ipairs(documented) do out[#out + 1] = line end
  end
  if fn.example then
    out[#out + 1] = "  Example:"
    for line in (fn.example .. "\n"):gmatch("(.-)\n") do out[#out + 1] = "    " .. line end
  end
  return table.concat(out, "\n")
end

local function class_text(class)
  local out = { class.name .. " (module " .. class.module.module .. ")", wrap(class.doc, "  ") }
  if class.fields and #class.fields > 0 then
    out[#out + 1] = "  Fields:"
    for _, f in ipairs(class.fields) do
      out[#out + 1] = "    " .. f.name .. ": " .. (f.type or "any") .. (f.doc and ("  " .. first_sentence(f.doc)) or "")
    end
  end
  if #class.methods > 0 then
    out[#out + 1] = "  Methods:"
    for _, fn in ipairs(class.methods) do
      out[#out + 1] = "    " .. H.signature(fn)
    end
    out[#out + 1] = '  help("' .. class.name .. ':' .. class.methods[1].name .. '") shows one method in full.'
  end
  return table.concat(out, "\n")
end

local function module_text(doc)
  local out = { doc.module .. (doc.short ~= doc.module and ("  (REPL global: " .. doc.short .. ")") or ""),
    wrap(doc.doc, "  ") }
  local functions = {}
  for _, fn in ipairs(doc.functions or {}) do
    if not fn.of then functions[#functions + 1] = fn end
  end
  if #functions > 0 then
    out[#out + 1] = "  Functions:"
    for _, fn in ipairs(functions) do out[#out + 1] = "    " .. H.signature(fn) end
  end
  if doc.fields and #doc.fields > 0 then
    out[#out + 1] = "  Fields:"
    for _, f in ipairs(doc.fields) do out[#out + 1] = "    " .. doc.short .. "." .. f.name .. ": " .. (f.type or "any") end
  end
  if doc.classes and #doc.classes > 0 then
    local names = {}
    for i, c in ipairs(doc.classes) do names[i] = c.name end
    out[#out + 1] = "  Classes: " .. table.concat(names, ", ")
  end
  return table.concat(out, "\n")
end

-- The REPL's globals, as lunet.repl makes them: module short names, and
-- connection name → service.
local function repl_globals()
  local repl = require "lunet.repl"
  return repl.MODULE_GLOBALS, repl.CONNECTIONS
end

local function overview()
  local idx = H.index()
  local out = {
    "Lunet help. help(x) documents a module, object, function or name:",
    '  help(icl)  help(portal)  help("icl.connect")  help("Cursor:collect")  help("collect")',
    "Modules:",
  }
  for _, doc in ipairs(idx.modules) do
    local line = "  " .. string.format("%-18s", doc.module) .. first_sentence(doc.doc)
    if utf8.len(line) and utf8.len(line) > 100 then line = line:sub(1, utf8.offset(line, 99) - 1) .. "…" end
    out[#out + 1] = line
  end
  local modules, connections = repl_globals()
  local names = {}
  for name in pairs(connections) do names[#names + 1] = name end
  out[#out + 1] = "REPL globals: " .. table.concat(modules, ", ") .. ", lunet, help; connections "
    .. table.concat(sorted(names), ", ") .. "."
  out[#out + 1] = "REPL: `_` is the last result, a trailing `;` prints nothing, Tab completes,"
  out[#out + 1] = "Ctrl-C stops a running call, Ctrl-D exits. inspect(x) prints any value in full."
  return table.concat(out, "\n")
end

-- Look a name up: module, class, "mod.fn", "Class:method", "Class.method"
-- (with or without the lunet. prefix), then any function of that name.
local function lookup_name(name)
  local idx = H.index()
  local doc = idx.by_module[name] or idx.by_module["lunet." .. name]
  if doc then return module_text(doc) end
  local class = idx.classes[name] or idx.classes["lunet." .. name]
  if class then return class_text(class) end
  local key = name:gsub("^lunet%.", "")
  local fn = idx.entries[name] or idx.entries[key] or idx.entries[(name:gsub("%.([%w_]+)$", ":%1"))]
  if fn then return function_text(fn) end
  -- "Cursor:collect" (class name without its module), or a bare name
  local matches = {}
  local method = name:match("[:%.]([%w_]+)$") or name
  local owner = name:match("^(.-)[:%.][%w_]+$")
  for _, entry in pairs(idx.entries) do
    if entry.name == method then
      local of = entry.of or entry.module.short
      if not owner or of == owner or of:sub(-#owner - 1) == "." .. owner then matches[#matches + 1] = entry end
    end
  end
  for _, c in pairs(idx.classes) do
    if c.name:match("([%w_]+)$") == name then return class_text(c) end
  end
  if #matches == 1 then return function_text(matches[1]) end
  if #matches > 1 then
    table.sort(matches, function(a, b) return a.key < b.key end)
    local out = { "Several entries are named " .. method .. ":" }
    for _, m in ipairs(matches) do out[#out + 1] = '  help("' .. m.key .. '")  ' .. H.signature(m) end
    return table.concat(out, "\n")
  end
  return nil
end

function H.text(x)
  if x == nil then return overview() end
  if type(x) == "string" then
    return lookup_name(x) or ("No help for '" .. x .. "'. help() lists the modules.")
  end
  local idx = H.index()
  local meta = (debug and debug.getmetatable or getmetatable)(x)
  if type(meta) == "table" and type(rawget(meta, "__help")) == "string" then
    return lookup_name(rawget(meta, "__help")) or "No help for " .. rawget(meta, "__help")
  end
  for _, doc in ipairs(idx.modules) do
    if package.loaded[doc.module] ~= nil and rawequal(package.loaded[doc.module], x) then return module_text(doc) end
  end
  local class = H.class_of(x)
  if class then return class_text(class) end
  if type(x) == "function" then
    for _, doc in ipairs(idx.modules) do
      local loaded = package.loaded[doc.module]
      if type(loaded) == "table" then
        for _, fn in ipairs(doc.functions or {}) do
          if not fn.of and rawequal(rawget(loaded, fn.name), x) then return function_text(fn) end
        end
      end
    end
    return "No help for this function. help(object) lists an object's methods; help(\"name\") searches by name."
  end
  local mt = (debug and debug.getmetatable or getmetatable)(x)
  local tag = type(mt) == "table" and rawget(mt, "__name")
  return "No help for this " .. (type(tag) == "string" and (tag .. " ") or "") .. type(x)
    .. " value. help() lists the documented modules."
end

---------------------------------------------------------------------------
-- LuaLS annotations
---------------------------------------------------------------------------

local function ident(name)
  return (name:gsub("[^%w_]", "_"))
end

local function comment(text)
  local out = {}
  for line in ((text or "") .. "\n"):gmatch("(.-)\n") do out[#out + 1] = "---" .. line end
  return table.concat(out, "\n")
end

local function param_name(p)
  if p.name == "..." then return "..." end
  return ident(p.name)
end

local function function_annotation(fn, owner)
  local out = {}
  local doc = fn.doc or ""
  if fn.example then doc = doc .. "\n\nExample:\n```lua\n" .. fn.example .. "\n```" end
  out[#out + 1] = comment(doc)
  local names = {}
  for _, p in ipairs(fn.params or {}) do
    names[#names + 1] = param_name(p)
    out[#out + 1] = "---@param " .. param_name(p) .. " " .. (p.type or "any") .. (p.doc and (" " .. p.doc:gsub("\n", " ")) or "")
  end
  for _, r in ipairs(fn.returns or {}) do
    out[#out + 1] = "---@return " .. r.type .. (r.name and (" " .. (r.name == "..." and "..." or ident(r.name))) or "")
      .. (r.doc and (" # " .. r.doc:gsub("\n", " ")) or "")
  end
  local path = owner and (owner .. (fn.of and ":" or ".") .. fn.name) or fn.name
  out[#out + 1] = "function " .. path .. "(" .. table.concat(names, ", ") .. ") end"
  return table.concat(out, "\n")
end

local function module_path(module)
  return module:gsub("%.", "/") .. ".lua"
end

function H.module_annotation(doc)
  local out = { "---@meta " .. doc.module, "-- Generated by `lunet setup` from lunet.doc." .. doc.short .. "; do not edit.", "" }
  for _, class in ipairs(doc.classes or {}) do
    out[#out + 1] = comment(class.doc)
    out[#out + 1] = "---@class " .. class.name .. (class.parent and (" : " .. class.parent) or "")
    for _, f in ipairs(class.fields or {}) do
      out[#out + 1] = "---@field " .. f.name .. " " .. (f.type or "any") .. (f.doc and (" " .. f.doc:gsub("\n", " ")) or "")
    end
    out[#out + 1] = "local " .. ident(class.name) .. " = {}"
    out[#out + 1] = ""
    for _, fn in ipairs(doc.functions or {}) do
      if fn.of == class.name then
        out[#out + 1] = function_annotation(fn, ident(class.name))
        out[#out + 1] = ""
      end
    end
  end
  out[#out + 1] = comment(doc.doc)
  out[#out + 1] = "---@class " .. doc.module
  for _, f in ipairs(doc.fields or {}) do
    out[#out + 1] = "---@field " .. f.name .. " " .. (f.type or "any") .. (f.doc and (" " .. f.doc:gsub("\n", " ")) or "")
  end
  out[#out + 1] = "local M = {}"
  out[#out + 1] = ""
  for _, fn in ipairs(doc.functions or {}) do
    if not fn.of then
      -- `global = true`: a global where the module is in force (the test
      -- API inside `lunet test` files), not a field of the module
      out[#out + 1] = function_annotation(fn, not fn.global and "M" or nil)
      out[#out + 1] = ""
    end
  end
  out[#out + 1] = "return M"
  return table.concat(out, "\n") .. "\n"
end


local function connect_type(doc)
  for _, fn in ipairs(doc and doc.functions or {}) do
    if fn.name == "connect" and not fn.of and fn.returns and fn.returns[1] then return fn.returns[1].type end
  end
  return "any"
end

function H.global_names()
  local modules, connections = repl_globals()
  local names = { "help", "lunet", "_" }
  for _, name in ipairs(modules) do names[#names + 1] = name end
  for name in pairs(connections) do names[#names + 1] = name end
  return sorted(names)
end

function H.globals_annotation()
  local idx = H.index()
  local out = { "---@meta", "-- Globals of `lunet repl` (generated by `lunet setup`; do not edit).", "" }
  local modules, connections = repl_globals()
  out[#out + 1] = "lunet = require \"lunet\""
  for _, name in ipairs(modules) do
    if idx.by_module["lunet." .. name] then out[#out + 1] = name .. " = require \"lunet." .. name .. "\"" end
  end
  local names = {}
  for name in pairs(connections) do names[#names + 1] = name end
  for _, name in ipairs(sorted(names)) do
    local doc = idx.by_module["lunet." .. connections[name]]
    if doc then
      out[#out + 1] = "---@type " .. connect_type(doc)
      out[#out + 1] = name .. " = nil"
    end
  end
  out[#out + 1] = "---Print the documentation of a module, object, function or name."
  out[#out + 1] = "---@param x any"
  out[#out + 1] = "function help(x) end"
  out[#out + 1] = "---The last result printed by the REPL."
  out[#out + 1] = "_ = nil"
  return table.concat(out, "\n") .. "\n"
end

function H.annotations()
  local files = {}
  for _, doc in ipairs(H.index().modules) do
    files[#files + 1] = { path = module_path(doc.module), text = H.module_annotation(doc) }
  end
  files[#files + 1] = { path = "lunet_repl_globals.lua", text = H.globals_annotation() }
  return files
end

return setmetatable(H, {
  __call = function(_, x) print(H.text(x)) end,
})
