import CLuaShim
import Foundation

/// What `lunet test` prints: text (failures as they come, then a summary),
/// TAP version 13, or JUnit XML, on standard output.
final class TestReport {
    enum Format: String { case text, tap, junit }

    let format: Format
    private(set) var results: [TestResult] = []
    private var files: [String] = []

    init(format: Format) { self.format = format }

    var passedCount: Int { results.filter { $0.status == .passed }.count }
    var failedCount: Int { results.filter { $0.status == .failed || $0.status == .error }.count }
    var skippedCount: Int { results.filter { $0.status == .skipped }.count }

    var summary: String {
        var line = "\(passedCount) passed, \(failedCount) failed"
        if skippedCount > 0 { line += ", \(skippedCount) skipped" }
        return line
    }

    func add(_ fileResults: [TestResult]) {
        results += fileResults
        if let f = fileResults.first?.file, !files.contains(f) { files.append(f) }
        guard format == .text else { return }
        var text = ""
        for r in fileResults {
            switch r.status {
            case .passed: continue
            case .skipped: text += "SKIP \(r.location ?? r.file): \(r.name)\n"
            case .failed, .error:
                text += "\(r.status == .failed ? "FAIL" : "ERROR") \(r.location ?? r.file): \(r.name)\n"
                text += Self.indent(r.message ?? "(no message)") + "\n"
                if r.status == .error, let trace = r.trace, !trace.isEmpty { text += Self.indent(trace) + "\n" }
                text += "\n"
            }
        }
        write(text)
    }

    func finish() {
        switch format {
        case .text: write(summary + "\n")
        case .tap: write(tap())
        case .junit: write(junit())
        }
    }

    private func write(_ text: String) {
        guard !text.isEmpty else { return }
        lunet_flush_stdout()
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func indent(_ text: String, by prefix: String = "  ") -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
    }

    // MARK: TAP version 13

    func tap() -> String {
        var out = "TAP version 13\n1..\(results.count)\n"
        for (i, r) in results.enumerated() {
            let description = "\(r.file): \(r.name)"
                .replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "#", with: "\\#")
                .replacingOccurrences(of: "\n", with: " ")
            switch r.status {
            case .passed: out += "ok \(i + 1) - \(description)\n"
            case .skipped: out += "ok \(i + 1) - \(description) # SKIP pending\n"
            case .failed, .error:
                out += "not ok \(i + 1) - \(description)\n"
                out += "  ---\n"
                out += "  severity: \(r.status == .failed ? "fail" : "error")\n"
                if let at = r.location { out += "  at: \(Self.yamlQuoted(at))\n" }
                out += "  message: |-\n" + Self.indent(r.message ?? "", by: "    ") + "\n"
                out += "  ...\n"
            }
        }
        out += "# \(summary)\n"
        return out
    }

    static func yamlQuoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    // MARK: JUnit XML

    func junit() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let total = results.reduce(0) { $0 + $1.time }
        out += "<testsuites name=\"lunet test\" tests=\"\(results.count)\" failures=\"\(failedCount)\" errors=\"0\" skipped=\"\(skippedCount)\" time=\"\(Self.seconds(total))\">\n"
        for file in files {
            let cases = results.filter { $0.file == file }
            let failures = cases.filter { $0.status == .failed || $0.status == .error }.count
            let skipped = cases.filter { $0.status == .skipped }.count
            let time = cases.reduce(0) { $0 + $1.time }
            out += "  <testsuite name=\(Self.attr(file)) tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(Self.seconds(time))\">\n"
            for r in cases {
                var head = "    <testcase name=\(Self.attr(r.name)) classname=\(Self.attr(file)) file=\(Self.attr(file))"
                if let loc = r.location, let line = loc.split(separator: ":").last, Int(line) != nil { head += " line=\"\(line)\"" }
                head += " time=\"\(Self.seconds(r.time))\""
                switch r.status {
                case .passed: out += head + "/>\n"
                case .skipped: out += head + ">\n      <skipped message=\"pending\"/>\n    </testcase>\n"
                case .failed, .error:
                    let message = r.message ?? ""
                    let first = message.split(separator: "\n").first.map(String.init) ?? ""
                    var body = (r.location.map { $0 + ": " } ?? "") + message
                    if r.status == .error, let trace = r.trace, !trace.isEmpty { body += "\n" + trace }
                    out += head + ">\n"
                    out += "      <failure message=\(Self.attr(first)) type=\"\(r.status == .failed ? "assertion" : "error")\">\(Self.escape(body))</failure>\n"
                    out += "    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    static func seconds(_ t: Double) -> String { String(format: "%.3f", t) }

    static func attr(_ s: String) -> String { "\"" + escape(s, attribute: true) + "\"" }

    /// XML 1.0 text: markup characters escaped; characters XML cannot carry
    /// at all (most C0 controls) become U+FFFD.
    static func escape(_ s: String, attribute: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&apos;"
            case "\n" where attribute: out += "&#10;"
            case "\t" where attribute: out += "&#9;"
            case "\r": out += "&#13;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
