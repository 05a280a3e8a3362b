import CLuaShim
import Foundation
import LunetJSON

/// `--trace`: each exchange as two lines, plus one per retry or redirect,
/// secrets redacted:
///
///     → POST https://host/token form{grant_type=client_credentials, client_id=abc, client_secret=••••}
///     ← 200 OK 312 B 84 ms {"access_token":"••••","expires_in":3600}
///     ↻ 503, retry 2 in 0.8 s
public struct TraceLog: Sendable {
    public let sink: @Sendable (String) -> Void
    public let redactor: Redactor
    /// Bodies up to this size are shown (JSON and forms only).
    public var bodyLimit = 1024

    public init(redactor: Redactor = .shared, sink: @escaping @Sendable (String) -> Void = TraceLog.stderr) {
        self.sink = sink
        self.redactor = redactor
    }

    public static let stderr: @Sendable (String) -> Void = { line in lunet_write_stderr(line + "\n") }

    func request(_ request: HTTPRequest, url: URL) {
        var line = "→ \(request.method) \(redactor.url(url))"
        if let body = describe(request.body) { line += " " + body }
        sink(line)
    }

    func response(_ response: HTTPResponse, bytes: Int, elapsed: Duration, toFile: Bool = false) {
        var line = "← \(HTTPStatusText.line(response.status)) \(Self.size(bytes)) \(Self.milliseconds(elapsed))"
        if toFile { line += " to file" }
        if !toFile, response.isJSON, response.body.count <= bodyLimit, let json = try? response.json() {
            line += " " + redactor.json(json).serializedString()
        }
        sink(line)
    }

    func failure(_ failure: TransportFailure, elapsed: Duration) {
        sink("← \(redactor.scrub(failure.message)) \(Self.milliseconds(elapsed))")
    }

    func retry(_ what: String, retry: Int, wait: Duration) {
        sink("↻ \(what), retry \(retry) in \(String(format: "%.1f", wait.inSeconds)) s")
    }

    func redirect(_ status: Int, to url: URL, droppedAuthorization: Bool) {
        sink("↪ \(status) to \(redactor.url(url))\(droppedAuthorization ? " (credentials not forwarded)" : "")")
    }

    func note(_ text: String) { sink("· " + redactor.scrub(text)) }

    private func describe(_ body: HTTPBody) -> String? {
        switch body {
        case .none: return nil
        case .form(let fields): return "form" + redactor.form(fields)
        case .json(let bytes):
            guard bytes.count <= bodyLimit, let json = try? JSONValue.parse(bytes) else { return "json(\(Self.size(bytes.count)))" }
            return "json" + redactor.json(json).serializedString()
        case .bytes(let bytes, let type): return "\(type)(\(Self.size(bytes.count)))"
        case .file(let path, let range, let type):
            let size = range.map { " \(Self.size(Int($0.count)))" } ?? ""
            return "\(type)(file \(path)\(size))"
        case .multipart(let m): return "multipart(\(m.parts.map(\.traceLabel).joined(separator: ", ")))"
        }
    }

    static func size(_ bytes: Int) -> String {
        if bytes < 10_000 { return "\(bytes) B" }
        if bytes < 10_000_000 { return String(format: "%.1f kB", Double(bytes) / 1000) }
        return String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    static func milliseconds(_ d: Duration) -> String {
        let ms = d.inSeconds * 1000
        return ms < 10 ? String(format: "%.1f ms", ms) : "\(Int(ms.rounded())) ms"
    }
}
