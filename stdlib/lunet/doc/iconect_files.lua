-- Help and LuaLS annotations for p.files and p.filestores of lunet.iconect
-- (stdlib/lunet/iconect_files.lua). Format: the helper brief's "Help/annotation source".
return {
  module = "lunet.iconect_files",
  doc = "Native files of records (p.files) and file stores (p.filestores) of an iCONECT project. "
    .. "Uploads stream from disk in chunks (multipart part `file`, query chunk_index from 1 and chunk_count), "
    .. "so memory stays bounded whatever the file size; a failed chunk is retried alone; a progress line "
    .. "shows on a terminal. An upload cut off midway records its position in lunet.state, and the same "
    .. "upload started again with resume = true continues from the first chunk the server did not "
    .. "acknowledge, after checking that the file's size and modification time are unchanged. "
    .. "Scripts reach these through `ic:project(id).files` and `.filestores`.",
  classes = {
    { name = "iconect.Files", doc = "The native files of a project's records: one file per record and native-file field.",
      fields = {} },
    { name = "iconect.FileStores", doc = "A project's file stores: list, get, and chunked uploads by file name.",
      fields = {} },
  },
  functions = {
    { name = "upload", of = "iconect.Files",
      params = { { name = "options", type = "table",
        doc = "record (integer), field (integer, a native-file field), path (string), chunk_size (integer bytes, "
          .. "default 8 MiB), resume (boolean), progress (fun(done:integer,total:integer)), filename (string, "
          .. "default the path's last part), progress_bar (boolean, default true: only drawn on a terminal)" } },
      returns = { { type = "table", doc = "the server's answer to the last chunk (complete, size, sha256, …)" } },
      doc = "Upload a file to a record's native-file field in chunks. Raises a lunet.Error when a chunk still "
        .. "fails after retries; the acknowledged position is then kept for resume = true.",
      example = [[local p = ic:project(322)
p.files:upload{ record = 17, field = 9, path = "big.pdf", chunk_size = 8 * 1024 * 1024, resume = true,
  progress = function(done, total) print(done, total) end }]] },
    { name = "download", of = "iconect.Files",
      params = { { name = "options", type = "table", doc = "record (integer), field (integer), path (string)" } },
      returns = { { type = "table", doc = "{ status = integer, bytes = integer, path = string }" } },
      doc = "Stream a record's native file to disk. The destination only ever holds a complete file: bytes go to "
        .. "a temporary file beside it that is renamed into place at the end and removed on failure.",
      example = [[local r = p.files:download{ record = 17, field = 9, path = "out.pdf" }
print(r.bytes)]] },
    { name = "delete", of = "iconect.Files",
      params = { { name = "options", type = "table", doc = "record (integer), field (integer)" } },
      returns = { { type = "table", doc = "the server's answer" } },
      doc = "Delete a record's native file (the field's value becomes null).",
      example = [[p.files:delete{ record = 17, field = 9 }]] },
    { name = "list", of = "iconect.FileStores", params = {},
      returns = { { type = "lunet.Cursor" } },
      doc = "The project's file stores, as a cursor.",
      example = [[for s in p.filestores:list() do print(s.id, s.name) end]] },
    { name = "get", of = "iconect.FileStores",
      params = { { name = "filestore", type = "integer", doc = "the file store's id" } },
      returns = { { type = "table" } },
      doc = "One file store.",
      example = [[print(p.filestores:get(1).name)]] },
    { name = "upload", of = "iconect.FileStores",
      params = { { name = "options", type = "table",
        doc = "filestore (integer), path (string), chunk_size (integer), resume (boolean), "
          .. "progress (fun(done:integer,total:integer)), filename (string), progress_bar (boolean)" } },
      returns = { { type = "table", doc = "the server's answer to the last chunk" } },
      doc = "Upload a file into a file store in chunks, under its file name; same chunking, retries, progress "
        .. "and resume as files:upload.",
      example = [[p.filestores:upload{ filestore = 1, path = "load/volume001.dat", resume = true }]] },
    { name = "native", params = { { name = "project", type = "table", doc = "{ _conn = lunet.Connection, id = integer }" } },
      returns = { { type = "iconect.Files" } },
      doc = "Used by lunet.iconect to build p.files; scripts use ic:project(id).files.",
      example = [[local files = require("lunet.iconect_files").native(ic:project(322))]] },
    { name = "filestores", params = { { name = "project", type = "table", doc = "{ _conn = lunet.Connection, id = integer }" } },
      returns = { { type = "iconect.FileStores" } },
      doc = "Used by lunet.iconect to build p.filestores; scripts use ic:project(id).filestores.",
      example = [[local stores = require("lunet.iconect_files").filestores(ic:project(322))]] },
  },
}
