return {
  module = "lunet.http",
  doc = "A connection to any HTTP/JSON service, with the same engine as the API bindings: retries, redaction of secrets, tracing and statistics.",
  classes = {
    { name = "lunet.Connection", doc = "A connection to one service (every binding's connection is one underneath). tostring gives e.g. <icl connection https://… profile=prod>.",
      fields = { { name = "service", type = "string", doc = "\"http\", \"icl\", \"iconect\", …" },
                 { name = "url", type = "string", doc = "The base URL." },
                 { name = "profile", type = "string?", doc = "The configuration profile it came from." } } },
  },
  functions = {
    { name = "connect", params = { { name = "options",
        type = "{url:string, token:string?, api_key_header:string?, api_key:string?, headers:table<string,string>?}",
        doc = "url is required; token sends a bearer token; api_key_header + api_key send a key header" } },
      returns = { { type = "lunet.Connection" } },
      doc = "Connect to an HTTP/JSON service. Nothing is sent until the first request.",
      example = [[local api = http.connect{ url = "https://example.org/api", token = "…" }]] },
    { name = "request", of = "lunet.Connection", params = { { name = "request",
        type = "{method:string?, path:string, query:table?, body:any?, text:string?, form:table?, headers:table?, retry:any?, raw:boolean?}",
        doc = "method defaults to GET; body is sent as JSON" } },
      returns = { { type = "{status:integer, headers:table<string,string>, body:any}" } },
      doc = "Send one request with the connection's auth, retries and tracing, for anything the bindings do not cover. A JSON response body is decoded. Failures raise a lunet.Error.",
      example = [[local r = api:request{ method = "POST", path = "/items", body = { name = "x" } }
print(r.status, r.body)]] },
  },
}
