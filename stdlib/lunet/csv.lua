-- lunet.csv: RFC 4180 files for operator scripts (exports, imports, feed
-- syncs). Reading streams record by record and knows where each starts;
-- writing quotes what needs quoting, ends lines with CRLF, and (unless
-- appending) writes beside the target and renames it into place on close,
-- so the file is whole or absent, never half-written.
local json = require "lunet.json"

local csv = {}

------------------------------------------------------------------ reading

--- csv.rows(path_or_file) → iterator of (fields, line): each record as an
-- array of strings and the line it starts on. Quoted fields may hold commas,
-- doubled quotes and line breaks; CRLF and LF both end records; blank lines
-- are skipped; a UTF-8 byte order mark (Excel) before the first field is
-- dropped. A path is closed at the end; an open file is left open.
function csv.rows(source)
  local file, name, owned = source, "csv", false
  if type(source) == "string" then
    local f, err = io.open(source, "rb")
    if not f then error("csv.rows(): " .. tostring(err), 2) end
    file, name, owned = f, source, true
  elseif io.type(source) ~= "file" then
    error("csv.rows(): bad argument #1 (path or open file expected, got " .. type(source) .. ")", 2)
  end
  local line_no, first, done = 0, true, false
  return function()
    if done then return nil end
    local line = file:read("L")
    while line == "\n" or line == "\r\n" do line_no = line_no + 1; line = file:read("L") end
    if not line then
      done = true
      if owned then file:close() end
      return nil
    end
    line_no = line_no + 1
    if first then line, first = line:gsub("^\239\187\191", ""), false end
    local start, fields, pos, field = line_no, {}, 1, ""
    while true do
      if line:sub(pos, pos) == '"' then -- a quoted field, possibly over several lines
        pos = pos + 1
        while true do
          local q = line:find('"', pos, true)
          if not q then
            field = field .. line:sub(pos)
            line = file:read("L") or error(("%s:%d: unterminated quoted field"):format(name, start), 0)
            line_no, pos = line_no + 1, 1
          elseif line:sub(q + 1, q + 1) == '"' then
            field, pos = field .. line:sub(pos, q), q + 2
          else
            field, pos = field .. line:sub(pos, q - 1), q + 1
            break
          end
        end
      end
      local stop = line:find("[,\r\n]", pos) or #line + 1
      field = field .. line:sub(pos, stop - 1)
      fields[#fields + 1] = field
      if line:sub(stop, stop) ~= "," then return fields, start end
      field, pos = "", stop + 1
    end
  end
end

------------------------------------------------------------------ writing

--- csv.field(v) → one field's text: nil and json.null empty, floats with
-- up to 14 significant digits, tables as JSON, quoted when holding a comma,
-- quote, CR or LF (quotes doubled).
function csv.field(v)
  if v == nil or v == json.null then return "" end
  if math.type(v) == "float" then v = ("%.14g"):format(v)
  elseif type(v) == "table" then v = json.encode(v) end
  local s = tostring(v)
  if s:find('[,"\r\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

--- csv.line(values [, n]) → one record's text with its CRLF: fields 1..n
-- (n defaults to #values; holes are empty fields).
function csv.line(values, n)
  local t = {}
  for i = 1, n or #values do t[i] = csv.field(values[i]) end
  return table.concat(t, ",") .. "\r\n"
end

local Writer = { __name = "lunet.csv.Writer" }
Writer.__index = Writer

--- csv.writer(path [, { append = false }]) → writer. A new file is written
-- as PATH.part and renamed to PATH by writer:close(), so PATH is whole or
-- untouched; writer:abort() removes the part file. With append = true,
-- records go straight to the end of PATH (created if absent), and
-- writer.empty says whether it had nothing in it yet (write a header then).
function csv.writer(path, opts)
  if type(path) ~= "string" or path == "" then
    error("csv.writer(): bad argument #1 (path expected, got " .. (path == "" and "an empty string" or type(path)) .. ")", 2)
  end
  if opts ~= nil and type(opts) ~= "table" then error("csv.writer(): options must be a table, got " .. type(opts), 2) end
  for k in pairs(opts or {}) do
    if k ~= "append" then error("csv.writer(): unknown option '" .. tostring(k) .. "' (known: append)", 2) end
  end
  local append = opts and opts.append or false
  local w = setmetatable({ path = path, append = append, rows = 0, empty = true }, Writer)
  if append then
    local existing = io.open(path, "rb")
    if existing then w.empty = existing:seek("end") == 0; existing:close() end
    w.target = path
  else
    w.target = path .. ".part"
  end
  local file, err = io.open(w.target, append and "ab" or "wb")
  if not file then error("csv.writer(): " .. tostring(err), 2) end
  w.file = file
  return w
end

--- writer:write(values [, n]): one record (see csv.line).
function Writer:write(values, n)
  if not self.file then error("csv writer: " .. self.path .. " is already closed", 2) end
  if type(values) ~= "table" then error("csv writer:write(): bad argument #1 (table expected, got " .. type(values) .. ")", 2) end
  assert(self.file:write(csv.line(values, n)))
  self.rows = self.rows + 1
  self.empty = false
end

--- writer:close() → records written: flushes, and renames PATH.part to PATH.
function Writer:close()
  if not self.file then return self.rows end
  local ok, err = self.file:close()
  self.file = nil
  if not ok then error("csv writer: " .. self.target .. ": " .. tostring(err), 2) end
  if not self.append then
    local renamed, rerr = os.rename(self.target, self.path)
    if not renamed then error("csv writer: " .. tostring(rerr), 2) end
  end
  return self.rows
end

--- writer:abort(): stop without touching PATH (the part file is removed;
-- appended records stay).
function Writer:abort()
  if self.file then self.file:close(); self.file = nil end
  if not self.append then os.remove(self.target) end
end

function Writer:__tostring()
  return ("<csv writer %s%s rows=%d>"):format(self.path, self.append and " append" or "", self.rows)
end

return csv
