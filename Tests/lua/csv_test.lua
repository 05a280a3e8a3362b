-- lunet.csv: reading records with their lines, writing atomically.
local csv = require "lunet.csv"
local json = require "lunet.json"

local function tmpfile(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb")); f:write(text); f:close()
  return path
end
local function read(path)
  local f = io.open(path, "rb"); if not f then return nil end
  local s = f:read("a"); f:close(); return s
end
local function all(path)
  local out = {}
  for fields, line in csv.rows(path) do out[#out + 1] = { line = line, fields = fields } end
  return out
end

describe("csv.rows", function()
  it("reads quoted fields with commas, quotes and line breaks, and says where each record starts", function()
    local path = tmpfile('\239\187\191id,name\r\n1,"Wien, ""Mitte"""\r\n\r\n2,"two\nlines"\n3,\n')
    local rows = all(path)
    assert.same({
      { line = 1, fields = { "id", "name" } },
      { line = 2, fields = { "1", 'Wien, "Mitte"' } },
      { line = 4, fields = { "2", "two\nlines" } },
      { line = 6, fields = { "3", "" } },
    }, rows)
    os.remove(path)
  end)

  it("names the file and line of an unterminated quote", function()
    local path = tmpfile('a,b\n1,"open\nstill open\n')
    assert.has_error(function() all(path) end, path .. ':2: unterminated quoted field')
    os.remove(path)
  end)

  it("rejects what is neither a path nor a file", function()
    assert.has_error(function() csv.rows(42) end, "csv.rows(): bad argument #1 (path or open file expected, got number)")
    assert.has_error(function() csv.rows("/nonexistent/x.csv") end)
  end)
end)

describe("csv.writer", function()
  it("writes PATH.part and renames it on close, quoting as needed", function()
    local path = os.tmpname(); os.remove(path)
    local w = csv.writer(path)
    w:write({ "id", "name", "score", "tags" })
    w:write({ 1, 'say "hi", twice', 2.5, { "a", "b" } })
    w:write({ 2, nil, json.null }, 4)
    assert.equals(nil, read(path)) -- not there until close
    assert.equals(3, w:close())
    assert.equals('id,name,score,tags\r\n1,"say ""hi"", twice",2.5,"[""a"",""b""]"\r\n2,,,\r\n', read(path))
    assert.equals(nil, read(path .. ".part"))
    -- and reads back the same
    local rows = all(path)
    assert.same({ "1", 'say "hi", twice', "2.5", '["a","b"]' }, rows[2].fields)
    os.remove(path)
  end)

  it("abort leaves the target as it was", function()
    local path = tmpfile("old\r\n")
    local w = csv.writer(path)
    w:write({ "new" })
    w:abort()
    assert.equals("old\r\n", read(path))
    assert.equals(nil, read(path .. ".part"))
    os.remove(path)
  end)

  it("appends, and says whether the file was empty", function()
    local path = os.tmpname() -- exists, empty
    local w = csv.writer(path, { append = true })
    assert.truthy(w.empty)
    w:write({ "h" }); w:close()
    w = csv.writer(path, { append = true })
    assert.falsy(w.empty)
    w:write({ "x,y" }); w:close()
    assert.equals('h\r\n"x,y"\r\n', read(path))
    os.remove(path)
  end)

  it("checks its arguments", function()
    assert.has_error(function() csv.writer("") end, "csv.writer(): bad argument #1 (path expected, got an empty string)")
    assert.has_error(function() csv.writer("x.csv", { atomic = true }) end, "csv.writer(): unknown option 'atomic' (known: append)")
    local w = csv.writer(os.tmpname())
    w:close()
    assert.has_error(function() w:write({ 1 }) end)
  end)
end)
