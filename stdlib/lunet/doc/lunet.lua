--[==[
The doc source of Lunet's Lua surface. Each module documents itself in
stdlib/lunet/doc/<name>.lua (module `lunet.doc.<name>`); `help(x)` in the
REPL and `lunet setup` (LuaLS annotations) both read these tables, so the
two never drift. Every lunet.doc.* module is discovered automatically:
adding a file is all it takes.

Format (types use LuaLS syntax: `string?`, `integer`, `table<string,any>`,
`fun(item:table):boolean`, `lunet.Cursor`):

  return {
    module = "lunet.x",                 -- the require name
    doc = "One paragraph.",
    fields = { { name = "null", type = "lightuserdata", doc = "…" } },   -- optional: module-level values
    classes = {
      { name = "x.Thing", doc = "…", match = { "lunet.x.Thing" },        -- match: optional, see below
        fields = { { name = "id", type = "integer", doc = "…" } } },
    },
    functions = {                       -- `of` = class for methods (called with ':'), nil for module functions
      { name = "connect", params = { { name = "options", type = "string|table?", doc = "…" } },
        returns = { { type = "x.Thing", doc = "optional" } },
        doc = "One paragraph.", example = [[local t = x.connect("prod")]] },
      { name = "list", of = "x.Thing", params = {}, returns = { { type = "lunet.Cursor" } },
        doc = "…", example = [[for item in t:list() do print(item.id) end]] },
    },
  }

How help(obj) finds an object's class: through its metatable's `__name`.
A class matches an object when `__name` equals the class name, or the class
name with "lunet." put in front or taken away (class "icl.Portal" matches
__name "lunet.icl.Portal"), or one of the names in the class's `match`
list. So: give every metatable scripts can reach a `__name`, and name the
class after it. Modules match by identity (help(icl) where icl is the
loaded module), module functions too (help(json.encode)).

Tests/lua/sandbox/help_test.lua checks that every public function of every
documented module has an entry, that every example compiles, and that the
methods of the objects it can build are all documented.
]==]
return {
  module = "lunet",
  doc = "Facts about the run: the Lunet version, HTTP statistics, and the sandbox URL when running with --sandbox.",
  fields = {
    { name = "version", type = "string", doc = "The Lunet version, e.g. \"0.1.0\"." },
    { name = "sandbox", type = "string?", doc = "The in-process sandbox's base URL with --sandbox, else nil." },
  },
  classes = {},
  functions = {
    { name = "stats", params = {},
      returns = { { type = "{requests:integer, retries:integer, failures:integer, bytes_sent:integer, bytes_received:integer, http_seconds:number}" } },
      doc = "HTTP statistics of the run so far: requests sent, retries, failures, bytes sent and received, and the time spent waiting on HTTP.",
      example = [[local s = require("lunet").stats()
print(s.requests, s.http_seconds)]] },
  },
}
