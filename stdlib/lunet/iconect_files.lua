-- lunet.iconect_files: the native files and file stores of an iCONECT
-- project (lua-api.md, "iCONECT"): p.files and p.filestores. The binding
-- (lunet.iconect) builds them with native(project) and filestores(project);
-- `project` has `_conn` (the lunet.Connection) and `id`.
--
-- Uploads go in chunks (conn:_upload_chunks, one request per chunk, each
-- streamed from disk and retried alone). This module drives the loop so
-- that between chunks it can record the position in lunet.state and call
-- the script's progress function. docs/iconect-auth.md, "Uploads".
local state = require "lunet.state"
local paging = require "lunet.paging"
local check = require "lunet._check"

local M = {}

M.default_chunk_size = 8 * 1024 * 1024

------------------------------------------------------------------ argument checks


local function describe(v)
  if v == "" then return "an empty string" end
  return type(v) == "string" and ("'" .. v .. "'") or type(v)
end

-- The transfers take one table of arguments: nil is refused like any other
-- non-table; the rest is lunet._check's (a tail call: errors at the script's line).
local function check_options(caller, opts, allowed, what)
  if opts == nil then error(("iconect %s: %s must be a table, got nil"):format(caller, what or "options"), 3) end
  return check.options("iconect", caller, opts, allowed, what)
end

-- An id: a positive integer, or a string of digits.
local function check_id(caller, name, v)
  if math.type(v) == "integer" and v > 0 then return v end
  if type(v) == "number" and v == math.floor(v) and v > 0 then return math.tointeger(v) end
  if type(v) == "string" and v:match("^%d+$") then return math.tointeger(tonumber(v)) end
  error(("iconect %s: %s must be a positive integer id, got %s"):format(caller, name, describe(v)), 3)
end

local function check_path(caller, name, v)
  if type(v) ~= "string" or v == "" then
    error(("iconect %s: %s must be a non-empty string, got %s"):format(caller, name, describe(v)), 3)
  end
  return v
end

local function check_chunk_size(caller, v)
  if v == nil then return M.default_chunk_size end
  if math.type(v) ~= "integer" or v < 1 then
    error(("iconect %s: chunk_size must be a positive integer (bytes), got %s"):format(caller, describe(v)), 3)
  end
  return v
end

local function check_function(caller, name, v)
  if v ~= nil and type(v) ~= "function" then
    error(("iconect %s: %s must be a function(done_bytes, total_bytes), got %s"):format(caller, name, type(v)), 3)
  end
  return v
end

local function readable(caller, path)
  local f, err = io.open(path, "rb")
  if not f then error(("iconect %s: cannot read %s"):format(caller, err or path), 3) end
  f:close()
end

-- The file's path as the resume key spells it (relative paths anchored
-- at the working directory, so `cd` between runs does not mix them up).
local function absolute(path)
  if path:sub(1, 1) == "/" then return path end
  local pwd = os.getenv("PWD")
  return pwd and (pwd:gsub("/$", "") .. "/" .. path:gsub("^%./", "")) or path
end

------------------------------------------------------------------ the chunk loop

-- Where an unfinished upload of `path` to `target` left off.
local function resume_key(conn, project, target, path)
  return ("iconect/upload/%s/projects/%s/%s/%s"):format(conn.url, project.id, target, absolute(path))
end

-- spec: caller, route, status_route, params, status_query, target, path,
-- chunk_size, resume, progress, filename, progress_bar
local function chunked(project, spec)
  local conn = project._conn
  local up = conn:_upload_chunks(spec.route, spec.params, spec.path, {
    chunk_size = spec.chunk_size, filename = spec.filename, progress_bar = spec.progress_bar,
  })
  local key = resume_key(conn, project, spec.target, spec.path)
  local mark = { size = up.size, modified = up.modified, chunk_size = up.chunk_size, count = up.count }
  local first = 1
  local saved = state.get(key)
  if spec.resume and type(saved) == "table" then
    local same = saved.size == mark.size and saved.modified == mark.modified and saved.chunk_size == mark.chunk_size
    if same then
      -- The server's word first (the sandbox has an upload-status route;
      -- where that fails, what this machine saw acknowledged).
      local ok, status = pcall(conn._call, conn, spec.status_route, spec.params, { query = spec.status_query })
      if ok and type(status) == "table" then
        if status.in_progress and status.chunk_count == up.count and math.type(status.next_chunk_index) == "integer" then
          first = status.next_chunk_index
        end
      elseif math.type(saved.acknowledged) == "integer" then
        first = saved.acknowledged + 1
      end
      if first < 1 or first > up.count then first = 1 end
    end
  end
  local body
  for i = first, up.count do
    local ok, answer = pcall(up.send, up, i)
    if not ok then
      up:finish()
      error(answer, 0)
    end
    body = answer
    if i < up.count then
      mark.acknowledged = i
      state.set(key, mark)
    elseif saved ~= nil or i > 1 then
      state.delete(key)
    end
    if spec.progress then spec.progress(up:bytes_through(i), up.size) end
  end
  up:finish()
  return body
end

------------------------------------------------------------------ native files

local Files = { __name = "lunet.iconect.Files" }
Files.__index = Files

function Files:__tostring() return ("<iconect files of project %s>"):format(tostring(self._project.id)) end

local upload_options = {
  record = true, field = true, path = true, chunk_size = true, resume = true, progress = true, filename = true,
  progress_bar = true,
}

--- files:upload{ record=, field=, path=, chunk_size=, resume=, progress=, filename=, progress_bar= } → server's answer
function Files:upload(opts)
  local caller = "files:upload()"
  check_options(caller, opts, upload_options)
  local record, field = check_id(caller, "record", opts.record), check_id(caller, "field", opts.field)
  local path = check_path(caller, "path", opts.path)
  local chunk_size = check_chunk_size(caller, opts.chunk_size)
  local progress = check_function(caller, "progress", opts.progress)
  if opts.filename ~= nil then check_path(caller, "filename", opts.filename) end
  readable(caller, path)
  local params = { project_id = self._project.id, record_id = record, field_id = field }
  return chunked(self._project, {
    route = "files.upload", status_route = "files.upload_status", params = params,
    target = ("records/%d/files/%d"):format(record, field), path = path, chunk_size = chunk_size,
    resume = opts.resume == true, progress = progress, filename = opts.filename,
    progress_bar = opts.progress_bar ~= false,
  })
end

local download_options = { record = true, field = true, path = true }

--- files:download{ record=, field=, path= } → { status=, bytes=, path= }
function Files:download(opts)
  local caller = "files:download()"
  check_options(caller, opts, download_options)
  local record, field = check_id(caller, "record", opts.record), check_id(caller, "field", opts.field)
  local path = check_path(caller, "path", opts.path)
  return self._project._conn:_download("files.download",
    { project_id = self._project.id, record_id = record, field_id = field }, path)
end

local delete_options = { record = true, field = true }

--- files:delete{ record=, field= } → server's answer
function Files:delete(opts)
  local caller = "files:delete()"
  check_options(caller, opts, delete_options)
  local record, field = check_id(caller, "record", opts.record), check_id(caller, "field", opts.field)
  return (self._project._conn:_call("files.delete",
    { project_id = self._project.id, record_id = record, field_id = field }))
end

------------------------------------------------------------------ file stores

local FileStores = { __name = "lunet.iconect.FileStores" }
FileStores.__index = FileStores

function FileStores:__tostring() return ("<iconect filestores of project %s>"):format(tostring(self._project.id)) end

--- filestores:list() → cursor over the project's file stores
function FileStores:list(opts)
  if opts ~= nil then check_options("filestores:list()", opts, {}) end
  local conn, id = self._project._conn, self._project.id
  return paging.cursor {
    name = ("filestores of project %s"):format(tostring(id)), caller = "iconect filestores:list()",
    start = 1,
    fetch = function()
      local body = conn:_call("filestores.list", { project_id = id })
      return { items = type(body) == "table" and body or {}, next = nil }
    end,
  }
end

--- filestores:get(s) → the file store
function FileStores:get(s)
  local store = check_id("filestores:get()", "filestore", s)
  return (self._project._conn:_call("filestores.get", { project_id = self._project.id, filestore_id = store }))
end

local store_upload_options = {
  filestore = true, path = true, chunk_size = true, resume = true, progress = true, filename = true, progress_bar = true,
}

--- filestores:upload{ filestore=, path=, chunk_size=, resume=, progress=, filename=, progress_bar= } → server's answer
function FileStores:upload(opts)
  local caller = "filestores:upload()"
  check_options(caller, opts, store_upload_options)
  local store = check_id(caller, "filestore", opts.filestore)
  local path = check_path(caller, "path", opts.path)
  local chunk_size = check_chunk_size(caller, opts.chunk_size)
  local progress = check_function(caller, "progress", opts.progress)
  local filename = opts.filename ~= nil and check_path(caller, "filename", opts.filename) or path:match("[^/]+$")
  readable(caller, path)
  return chunked(self._project, {
    route = "filestores.upload", status_route = "filestores.upload_status",
    params = { project_id = self._project.id, filestore_id = store }, status_query = { filename = filename },
    target = ("filestores/%d/%s"):format(store, filename), path = path, chunk_size = chunk_size,
    resume = opts.resume == true, progress = progress, filename = filename,
    progress_bar = opts.progress_bar ~= false,
  })
end

------------------------------------------------------------------ constructors

--- native(project) → p.files
function M.native(project)
  return setmetatable({ _project = project }, Files)
end

--- filestores(project) → p.filestores
function M.filestores(project)
  return setmetatable({ _project = project }, FileStores)
end

return M
