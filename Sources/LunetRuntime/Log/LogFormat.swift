import LunetJSON

/// How a record becomes a line.
///
/// text: `12:04:05 INFO  synced 120 items  count=120 feed=buildings`
/// (local time; fields sorted; strings bare unless they need quotes;
/// the level coloured when `color`).
///
/// json: `{"ts":"2026-11-24T12:04:05.123Z","level":"info","msg":"…",
/// "run_id":"…","script":"…",…fields}` (UTC). A field named like one of
/// the fixed members is written with a trailing '_' ("msg_") rather than
/// overwrite it.
public enum LogFormat: Sendable, Equatable {
    case text(color: Bool)
    case json

    /// "text" or "json", as `--log-format` takes it.
    public init?(name: String, color: Bool) {
        switch name {
        case "text": self = .text(color: color)
        case "json": self = .json
        default: return nil
        }
    }

    public func render(_ record: LogRecord) -> String {
        switch self {
        case .text(let color): Self.text(record, color: color)
        case .json: Self.json(record)
        }
    }

    private static func text(_ r: LogRecord, color: Bool) -> String {
        var line = ""
        line += paint(Timestamp.clock(r.time), "2", color)
        line += " " + paint(r.level.label, levelColor(r.level), color) + " " + r.message
        if !r.fields.isEmpty {
            let pairs = r.fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { key, value in
                paint(key + "=", "2", color) + textValue(value)
            }
            line += "  " + pairs.joined(separator: " ")
        }
        return line
    }

    private static func textValue(_ value: JSONValue) -> String {
        if case .string(let s) = value, !s.isEmpty,
            !s.unicodeScalars.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 || $0.value == 0x7F })
        {
            return s
        }
        return value.serializedString()
    }

    private static func levelColor(_ level: LogLevel) -> String {
        switch level {
        case .debug: "2"
        case .info: "32"
        case .warn: "33"
        case .error: "1;31"
        }
    }

    private static func paint(_ text: String, _ code: String, _ color: Bool) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private static func json(_ r: LogRecord) -> String {
        var object: JSONObject = [
            "ts": .string(Timestamp.iso8601(r.time)), "level": .string(r.level.name), "msg": .string(r.message),
        ]
        for (key, value) in r.context { object[key] = value }
        for (key, value) in r.fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            var name = key
            while object[name] != nil { name += "_" }
            object[name] = value
        }
        return JSONValue.object(object).serializedString()
    }
}
