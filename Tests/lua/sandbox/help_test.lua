-- Doc coverage and help(): every public function of every documented
-- module has an entry, every example compiles, the objects a script meets
-- map to documented classes whose methods are all documented. Runs under
-- `lunet run --sandbox` (so connections can be made and lunet._stdlib lists
-- the embedded modules, doc modules of other bindings included).
local help = require "lunet.help"
local repl = require "lunet.repl"

-- lunet.* modules that are internal (no doc needed)
local INTERNAL = { ["lunet._coroutine"] = true, ["lunet._stdlib"] = true, ["lunet.repl"] = true, ["lunet.help"] = true }

local function public_modules()
  local names, seen = {}, {}
  local function add(name)
    if type(name) == "string" and (name == "lunet" or name:find("^lunet%.[%w_]+$")) and not INTERNAL[name]
      and not name:find("^lunet%.doc") and not name:find("^lunet%._") and not seen[name] then
      seen[name] = true
      names[#names + 1] = name
    end
  end
  for _, name in ipairs(require "lunet._stdlib") do add(name) end
  for name in pairs(package.preload) do add(name) end
  table.sort(names)
  return names
end

-- The callable globals a `lunet test` file sees, by dotted name: asked of
-- a real `lunet test` run (this file runs under the harness, whose own
-- describe/it must not be replaced).
local globals_cache
local function test_globals()
  if globals_cache then return globals_cache end
  local names = {}
  for _, doc in ipairs(help.index().modules) do
    for _, fn in ipairs(doc.functions or {}) do
      if fn.global and not fn.of then names[#names + 1] = fn.name end
    end
  end
  local spec = os.tmpname() .. "_spec.lua"
  local f = assert(io.open(spec, "w"))
  f:write("it('lists the test API', function()\n  local out = {}\n")
  for _, n in ipairs(names) do
    f:write(("  do local v = _G; for p in (%q):gmatch('[^.]+') do v = type(v) == 'table' and v[p] or nil end\n"):format(n))
    f:write(("    local mt = getmetatable(v); if type(v) == 'function' or (mt and mt.__call) then out[#out + 1] = %q end end\n"):format(n))
  end
  f:write("  print('GLOBALS ' .. table.concat(out, ' '))\nend)\n")
  f:close()
  local p = assert(io.popen('"$(readlink /proc/$PPID/exe)" test ' .. spec .. " 2>&1"))
  local text = p:read("a"); p:close(); os.remove(spec)
  globals_cache = {}
  for name in (text:match("GLOBALS ([^\n]*)") or ""):gmatch("%S+") do globals_cache[name] = true end
  assert(next(globals_cache), "lunet test listed no globals: " .. text)
  return globals_cache
end

describe("doc source", function()
  it("loads every lunet.doc module without problems", function()
    local idx = help.index(true)
    assert.equals("", table.concat(idx.problems, "\n"))
    for _, name in ipairs({ "lunet", "json", "task", "http", "state", "log", "inspect", "paging", "icl" }) do
      assert.truthy(idx.by_module[name == "lunet" and "lunet" or "lunet." .. name], "no doc for " .. name)
    end
  end)

  it("documents every API binding and host module in this build", function()
    -- lua-api.md's modules; others (libraries added later) are listed by
    -- help() when they bring a doc file, and are not required here
    local REQUIRED = { "lunet", "lunet.icl", "lunet.iconect", "lunet.coredata", "lunet.integrator",
      "lunet.json", "lunet.state", "lunet.log", "lunet.task", "lunet.http", "lunet.inspect", "lunet.paging" }
    local present = {}
    for _, name in ipairs(public_modules()) do present[name] = true end
    local idx = help.index()
    local missing = {}
    for _, name in ipairs(REQUIRED) do
      if present[name] and not idx.by_module[name] then missing[#missing + 1] = name end
    end
    assert.truthy(present["lunet.icl"] and present["lunet.json"], "the module list is incomplete")
    assert.equals("", table.concat(missing, ", "), "modules without stdlib/lunet/doc/<name>.lua")
  end)

  it("has an entry for every public function of every documented module, and none stale", function()
    local gaps = {}
    for _, doc in ipairs(help.index().modules) do
      local ok, module = pcall(require, doc.module)
      if not ok then
        gaps[#gaps + 1] = doc.module .. ": cannot be required: " .. tostring(module)
      else
        local documented = {}
        -- entries marked `global` are globals where the module is in force
        -- (the test API inside `lunet test` files) and are checked there
        for _, fn in ipairs(doc.functions or {}) do
          if not fn.of then
            local exists
            if fn.global then
              exists = test_globals()[fn.name]
            else
              documented[fn.name:match("^[^.]+")] = true
              local v = module
              for part in fn.name:gmatch("[^.]+") do v = type(v) == "table" and v[part] or nil end
              exists = type(v) == "function"
            end
            if not exists then gaps[#gaps + 1] = doc.module .. "." .. fn.name .. " is documented but does not exist" end
          end
        end
        for k, v in pairs(module) do
          if type(v) == "function" and type(k) == "string" and k:sub(1, 1) ~= "_" and not documented[k] then
            gaps[#gaps + 1] = doc.module .. "." .. k .. " has no doc entry"
          end
        end
      end
    end
    assert.equals("", table.concat(gaps, "\n"))
  end)

  it("gives every entry a paragraph, typed parameters and an example that compiles", function()
    local problems = {}
    for key, fn in pairs(help.index().entries) do
      if type(fn.doc) ~= "string" or #fn.doc < 10 then problems[#problems + 1] = key .. ": no doc paragraph" end
      if type(fn.example) ~= "string" then
        problems[#problems + 1] = key .. ": no example"
      else
        local chunk, err = load(fn.example, "=" .. key)
        if not chunk then problems[#problems + 1] = key .. ": example does not compile: " .. err end
      end
      for _, p in ipairs(fn.params or {}) do
        if type(p.name) ~= "string" or type(p.type) ~= "string" then problems[#problems + 1] = key .. ": parameter without name or type" end
      end
    end
    assert.equals("", table.concat(problems, "\n"))
  end)
end)

describe("objects map to documented classes", function()
  local icl = require "lunet.icl"
  local task = require "lunet.task"
  local http = require "lunet.http"
  local lunet = require "lunet"

  local function check(object, class_name, gaps)
    local class = help.class_of(object)
    if not class then gaps[#gaps + 1] = tostring(object) .. ": no documented class"; return end
    assert.equals(class_name, class.name)
    local documented = {}
    for _, m in ipairs(class.methods) do documented[m.name] = true end
    -- the class's methods: its metatable's __methods / __index tables
    -- (functions stored in an instance, such as a cursor's fetch, are data)
    local mt = debug.getmetatable(object)
    local methods = {}
    if type(mt.__methods) == "table" then repl.keys_of(mt.__methods, methods) end
    if type(mt.__index) == "table" then repl.keys_of(mt.__index, methods) end
    for name, v in pairs(methods) do
      if (type(v) == "function") and name:sub(1, 1) ~= "_" and not documented[name] then
        gaps[#gaps + 1] = class.name .. ":" .. name .. " has no doc entry"
      end
    end
  end

  it("covers connections, collections, cursors, feeds and tasks", function()
    local gaps = {}
    local portal = icl.connect()
    check(portal, "icl.Portal", gaps)
    check(portal:content("building"), "icl.Content", gaps)
    check(portal:types(), "icl.Types", gaps)
    check(portal:type("building"), "icl.Type", gaps)
    check(portal:content("building"):list(), "lunet.Cursor", gaps)
    check(portal:changes{ type = "building" }, "lunet.Feed", gaps)
    local h = task.spawn(function() end)
    check(h, "lunet.Task", gaps)
    h:wait()
    check(http.connect{ url = lunet.sandbox }, "lunet.Connection", gaps)
    assert.equals("", table.concat(gaps, "\n"))
  end)
end)

describe("help text", function()
  it("documents objects, modules, functions and names", function()
    local portal = require("lunet.icl").connect()
    assert.matches("^icl%.Portal %(module lunet%.icl%)", help.text(portal))
    assert.matches("portal:content%(type: string%?%) → icl%.Content", help.text(portal))
    assert.matches("Example:\n    local portal = icl%.connect", help.text("icl.connect"))
    assert.matches("^json%.encode%(", help.text(require("lunet.json").encode))
    assert.matches("^lunet%.json", help.text(require "lunet.json"))
    assert.matches("^cursor:collect%(", help.text("Cursor:collect"))
    assert.matches('help%("icl%.Content:delete"%)', help.text("delete"))
    assert.matches("^No help for 'nothing_like_this'", help.text("nothing_like_this"))
  end)
end)

describe("LuaLS annotations", function()
  it("are valid Lua with classes, fields and methods", function()
    local files = help.annotations()
    local by_path = {}
    for _, f in ipairs(files) do
      by_path[f.path] = f.text
      local chunk, err = load(f.text, "=" .. f.path)
      assert.truthy(chunk, err)
    end
    local icl_text = by_path["lunet/icl.lua"]
    assert.matches("^%-%-%-@meta lunet%.icl\n", icl_text)
    assert.matches("\n%-%-%-@class icl%.Portal\n", icl_text)
    assert.matches("\n%-%-%-@param type string%? content type; nil for all types\n%-%-%-@return icl%.Content\nfunction icl_Portal:content%(type%) end", icl_text)
    assert.matches("\n%-%-%-@field page_size integer", by_path["lunet/paging.lua"])
    assert.matches("\nportal = nil", by_path["lunet_repl_globals.lua"])
    assert.matches("\njson = require \"lunet.json\"", by_path["lunet_repl_globals.lua"])
    assert.falsy(by_path["lunet_repl_globals.lua"]:find("\ncsv = ", 1, true), "csv is not a REPL global")
  end)
end)
