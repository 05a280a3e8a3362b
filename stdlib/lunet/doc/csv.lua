return {
  module = "lunet.csv",
  doc = "RFC 4180 files for operator scripts: csv.rows streams records with the line each starts on; csv.writer quotes what needs quoting, ends lines with CRLF and, unless appending, writes PATH.part and renames it into place on close, so PATH is whole or untouched.",
  classes = {
    { name = "lunet.csv.Writer", doc = "A CSV file being written (csv.writer).",
      fields = { { name = "path", type = "string" },
                 { name = "rows", type = "integer", doc = "Records written so far." },
                 { name = "empty", type = "boolean", doc = "Nothing in the file yet (with append: write the header row)." } } },
  },
  functions = {
    { name = "rows", params = { { name = "source", type = "string|file*", doc = "a path (closed at the end) or an open file" } },
      returns = { { type = "fun():(string[]?, integer?)" } },
      doc = "Iterate the records: each as an array of strings, with the line it starts on. Quoted fields may hold commas, doubled quotes and line breaks; blank lines are skipped; an Excel byte order mark is dropped. An unterminated quote raises 'PATH:LINE: unterminated quoted field'.",
      example = [[for fields, line in csv.rows("buildings.csv") do print(line, fields[1]) end]] },
    { name = "field", params = { { name = "v", type = "any" } }, returns = { { type = "string" } },
      doc = "One field's text: nil and json.null empty, floats with up to 14 significant digits, tables as JSON, quoted when it holds a comma, quote, CR or LF.",
      example = [[assert(csv.field('say "hi", twice') == '"say ""hi"", twice"')]] },
    { name = "line", params = { { name = "values", type = "any[]" }, { name = "n", type = "integer?", doc = "fields to write (default #values; holes are empty)" } },
      returns = { { type = "string" } },
      doc = "One record's text, CRLF included.",
      example = [[io.write(csv.line({ "id", "name" }))]] },
    { name = "writer", params = { { name = "path", type = "string" }, { name = "options", type = "{append:boolean?}?" } },
      returns = { { type = "lunet.csv.Writer" } },
      doc = "Open a CSV file for writing. A new file goes to PATH.part and is renamed to PATH by close (abort removes it); with append = true records go straight to the end of PATH.",
      example = [[local w = csv.writer("out.csv")
w:write({ "id", "name" })
w:write({ 1, "Wien, Mitte" })
w:close()]] },
    { name = "write", of = "lunet.csv.Writer", params = { { name = "values", type = "any[]" }, { name = "n", type = "integer?" } }, returns = {},
      doc = "Write one record (see csv.line).",
      example = [[local w = csv.writer(os.tmpname()); w:write({ "a", 1, 2.5 }); w:close()]] },
    { name = "close", of = "lunet.csv.Writer", params = {}, returns = { { type = "integer", doc = "records written" } },
      doc = "Flush and, for a new file, rename PATH.part to PATH.",
      example = [[local w = csv.writer(os.tmpname()); w:write({ "x" }); print(w:close())]] },
    { name = "abort", of = "lunet.csv.Writer", params = {}, returns = {},
      doc = "Stop without touching PATH: the part file is removed (records already appended stay).",
      example = [[local w = csv.writer(os.tmpname()); w:write({ "x" }); w:abort()]] },
  },
}
