-- Runs with `lunet run --sandbox` (see Tests/LunetCLITests/SandboxLuaSuiteTests.swift).
-- p.files and p.filestores of lunet.iconect (stdlib/lunet/iconect_files.lua)
-- against the emulator: chunked uploads (empty file, exact multiple, a
-- chunk retried alone, resume), streamed downloads, file stores.
local lunet = require "lunet"
local http = require "lunet.http"
local json = require "lunet.json"
local state = require "lunet.state"
local iconect = require "lunet.iconect"

local sandbox = require "sandbox_control"
local control = sandbox.control
local FILE = "/iconect/api/v1/projects/1/records/5/files/9"

local reseed = sandbox.reseed
local faults = sandbox.faults

-- chunk_index of each POST to `path`, from the sandbox's request log.
local function chunks(path)
  local out = {}
  for _, r in ipairs(control:request{ path = "/_sandbox/requests" }.body.requests) do
    if r.path == path and r.method == "POST" then out[#out + 1] = tonumber(r.query:match("chunk_index=(%d+)")) end
  end
  return out
end

local function write(bytes)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb")); f:write(bytes); f:close()
  return path
end

local function read(path)
  local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s
end

local function pattern(n, seed)
  local t = {}
  for i = 1, n do t[i] = string.char((i * 31 + seed) % 256) end
  return table.concat(t)
end

describe("iconect p.files and p.filestores", function()
  local ic, p
  before_each(function()
    faults("")
    reseed()
    state.use(os.tmpname() .. ".db")
    ic = iconect.connect()
    p = ic:project(1)
  end)

  it("uploads an empty file as one empty chunk and downloads it", function()
    local path = write("")
    local answer = p.files:upload{ record = 5, field = 9, path = path, chunk_size = 1000 }
    assert.equals(true, answer.complete)
    assert.equals(0, answer.size)
    local out = os.tmpname()
    assert.equals(0, p.files:download{ record = 5, field = 9, path = out }.bytes)
    assert.equals("", read(out))
    assert.same({ 1 }, chunks(FILE))
  end)

  it("sends an exact multiple of the chunk size without an empty last chunk, reporting progress", function()
    local bytes = pattern(3000, 1)
    local seen = {}
    local answer = p.files:upload{ record = 5, field = 9, path = write(bytes), chunk_size = 1000,
      progress = function(done, total) seen[#seen + 1] = done .. "/" .. total end }
    assert.equals(3, answer.chunk_count)
    assert.same({ "1000/3000", "2000/3000", "3000/3000" }, seen)
    assert.same({ 1, 2, 3 }, chunks(FILE))
    local out = os.tmpname()
    p.files:download{ record = 5, field = 9, path = out }
    assert.equals(bytes, read(out))
  end)

  it("retries a failing chunk alone", function()
    local bytes = pattern(2500, 2)
    faults("path=" .. FILE .. ",503@2,503@3")
    local answer = p.files:upload{ record = 5, field = 9, path = write(bytes), chunk_size = 1000 }
    faults("")
    assert.equals(true, answer.complete)
    assert.same({ 1, 2, 2, 2, 2, 3, 3 }, chunks(FILE))
  end)

  it("resumes an interrupted upload from the first chunk the server did not acknowledge", function()
    local path = write(pattern(4500, 3))
    faults("path=" .. FILE .. ",400@3")
    assert.has_error(function() p.files:upload{ record = 5, field = 9, path = path, chunk_size = 1000 } end, "400")
    faults("")
    local answer = p.files:upload{ record = 5, field = 9, path = path, chunk_size = 1000, resume = true }
    assert.equals(true, answer.complete)
    assert.same({ 1, 2, 3, 3, 4, 5 }, chunks(FILE))
    assert.same({}, state.keys("iconect/upload/"))
  end)

  it("deletes a native file", function()
    p.files:upload{ record = 5, field = 9, path = write("abc") }
    p.files:delete{ record = 5, field = 9 }
    assert.has_error(function() p.files:download{ record = 5, field = 9, path = os.tmpname() } end, "404")
  end)

  it("lists, gets and uploads to file stores", function()
    local names = {}
    for s in p.filestores:list() do names[#names + 1] = s.name end
    assert.same({ "Native Uploads", "S3 Evidence Bucket" }, names)
    assert.equals("Native Uploads", p.filestores:get(1).name)
    local answer = p.filestores:upload{ filestore = 1, path = write(pattern(2048, 4)), chunk_size = 1024 }
    assert.equals(true, answer.complete)
    assert.equals(2048, answer.size)
  end)

  it("rejects bad arguments before sending", function()
    assert.has_error(function() p.files:upload{ record = 5, path = "x" } end,
      "iconect files:upload(): field must be a positive integer id, got nil")
    assert.has_error(function() p.files:upload{ record = 5, field = 9, path = "x", size = 1 } end,
      "iconect files:upload(): unknown option 'size'")
    assert.has_error(function() p.filestores:upload{ filestore = 1, path = "/nonexistent/file" } end,
      "iconect filestores:upload(): cannot read /nonexistent/file")
    assert.same({}, chunks(FILE))
  end)
end)
