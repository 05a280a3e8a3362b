return {
  module = "lunet.json",
  doc = "A JSON codec that reads and writes Lua values directly. JSON null is json.null (never a hole in an array); decoded empty arrays and objects keep their type when encoded again; decode errors name the 1-based byte offset.",
  fields = {
    { name = "null", type = "lightuserdata", doc = "The JSON null value (equal to cjson.null)." },
  },
  classes = {},
  functions = {
    { name = "decode", params = { { name = "text", type = "string", doc = "JSON text" } },
      returns = { { type = "any" } },
      doc = "Decode JSON text into Lua values: objects and arrays become tables (marked with their JSON type), null becomes json.null. Raises an error naming the byte offset of a syntax error.",
      example = [[local v = json.decode('{"a":[1,2,null]}')
print(v.a[3] == json.null)]] },
    { name = "encode", params = { { name = "value", type = "any" },
        { name = "options", type = "{pretty:boolean?, sort_keys:boolean?, indent:string?}?", doc = "pretty printing, sorted keys, indent string" } },
      returns = { { type = "string" } },
      doc = "Encode a Lua value as JSON text. Tables with keys 1..n are arrays, others objects; an empty table is an object unless marked with json.array. Errors name the path of the value that cannot be encoded.",
      example = [[print(json.encode({ name = "HG", tags = json.array({}) }, { sort_keys = true }))]] },
    { name = "array", params = { { name = "t", type = "table" } }, returns = { { type = "table" } },
      doc = "Mark a table as a JSON array (so an empty one encodes as []) and return it.",
      example = [==[print(json.encode(json.array({})))  -- []]==] },
    { name = "object", params = { { name = "t", type = "table" } }, returns = { { type = "table" } },
      doc = "Mark a table as a JSON object (so an empty one encodes as {}) and return it.",
      example = [[print(json.encode({ meta = json.object({}) }))]] },
  },
}
