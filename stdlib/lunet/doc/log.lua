return {
  module = "lunet.log",
  doc = "Logging for scripts: human-readable lines on a terminal, JSON lines with --log-format json. Fields must be JSON-able; secrets in them are redacted.",
  classes = {},
  functions = {
    { name = "debug", params = { { name = "message", type = "any" }, { name = "fields", type = "table?" } }, returns = {},
      doc = "Log at debug level (shown only when the level is debug).", example = [[log.debug("page fetched", { page = 3 })]] },
    { name = "info", params = { { name = "message", type = "any" }, { name = "fields", type = "table?" } }, returns = {},
      doc = "Log at info level.", example = [[log.info("sync done", { items = 120 })]] },
    { name = "warn", params = { { name = "message", type = "any" }, { name = "fields", type = "table?" } }, returns = {},
      doc = "Log at warn level.", example = [[log.warn("skipped item", { id = "HG" })]] },
    { name = "error", params = { { name = "message", type = "any" }, { name = "fields", type = "table?" } }, returns = {},
      doc = "Log at error level (this does not raise).", example = [[log.error("upsert failed", { errored = 2 })]] },
    { name = "level", params = { { name = "name", type = "string?", doc = "debug, info, warn or error" } }, returns = { { type = "string" } },
      doc = "Set the lowest level that is written (when a name is given) and return the current one.",
      example = [[log.level("debug")]] },
  },
}
