import Foundation
import LunetJSON

/// A record is `{field_data, id, version}`; `field_data` maps field ids
/// (as strings) to values. The seed says `native_field_id` "must be present
/// in the field_data object", so its keys are field ids.
enum RecordShape {
    static func render(_ record: JSONObject, fieldIDs: Set<Int64>?, sizeLimit: Int?) -> JSONValue {
        var data = JSONObject()
        for (key, value) in record["field_data"]?.object ?? [:] {
            if let fieldIDs, !fieldIDs.contains(Int64(key) ?? -1) { continue }
            data[key] = truncated(value, sizeLimit)
        }
        return ["field_data": .object(data), "id": .integer(record.int("id")), "version": .integer(record.int("version"))]
    }

    /// `size_limit`: "the maximum length of the field" in a listing.
    private static func truncated(_ value: JSONValue, _ limit: Int?) -> JSONValue {
        guard let limit, limit > 0, case .string(let text) = value, text.count > limit else { return value }
        return .string(String(text.prefix(limit)))
    }

    /// `field_data` with its keys in field-id order.
    static func sorted(_ data: JSONObject) -> JSONObject {
        JSONObject(data.sorted { (Int64($0.key) ?? 0) < (Int64($1.key) ?? 0) }.map { ($0.key, $0.value) })
    }
}

/// Why one record of a batch was refused; it goes into `record_errors`.
struct RecordProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Checks the values of a record's `field_data` against the project's fields.
struct FieldValues {
    let fields: [Int64: JSONObject]
    /// The native file field that may hold an S3 key in this request.
    let s3NativeField: Int64?

    /// The values as stored (numeric strings become numbers), or the problem.
    func validate(_ data: JSONObject) throws(RecordProblem) -> JSONObject {
        var clean = JSONObject()
        for (key, value) in data {
            guard let id = Int64(key) else { throw RecordProblem("field_data key '\(key)' is not a field id") }
            guard let field = fields[id] else { throw RecordProblem("Field \(id) was not found") }
            clean[key] = try check(value, field)
        }
        return clean
    }

    private func check(_ value: JSONValue, _ field: JSONObject) throws(RecordProblem) -> JSONValue {
        let label = "field '\(field.str("name"))' (\(field.int("id")))"
        let type = field.int("type")
        if type == FieldType.identity || type == FieldType.computed {
            throw RecordProblem("The \(label) is read-only")
        }
        if value.isNull { return .null }
        switch type {
        case FieldType.limitedText, FieldType.fullText, FieldType.imageLink:
            guard let text = value.string else { throw RecordProblem("The \(label) expects text") }
            let length = field.int("length")
            if type == FieldType.limitedText, length > 0, text.count > length {
                throw RecordProblem("The value for the \(label) is longer than its length of \(length)")
            }
            return value
        case FieldType.numeric, FieldType.currency:
            if value.double != nil { return value }
            if let text = value.string?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                if let integer = Int64(text) { return .integer(integer) }
                if let number = Double(text), number.isFinite { return .double(number) }
            }
            throw RecordProblem("The \(label) expects a number")
        case FieldType.date:
            guard let text = value.string, Self.isDate(text) else { throw RecordProblem("The \(label) expects a date") }
            return value
        case FieldType.dateTime:
            guard let text = value.string, Self.isDateTime(text) else {
                throw RecordProblem("The \(label) expects a date and time")
            }
            return value
        case FieldType.duration:
            if value.integer != nil { return value }
            guard let text = value.string, Self.isDuration(text) else {
                throw RecordProblem("The \(label) expects a duration (d.hh:mm:ss or seconds)")
            }
            return value
        case FieldType.nativeFile:
            guard field.int("id") == s3NativeField else {
                throw RecordProblem(
                    "The \(label) is a native file field: upload a file, or give filestore_id and native_field_id")
            }
            guard let key = value.string, !key.isEmpty else { throw RecordProblem("The \(label) expects an S3 object key") }
            return value
        default:
            return value
        }
    }

    // Dates as the field formats write them (any order of day, month,
    // year; '/', '-' or '.' between them, or none for YYYYMMDD) or ISO 8601.
    static func isDate(_ text: String) -> Bool {
        if text.count == 8, text.allSatisfy(\.isNumber) { return true }
        let parts = text.split(omittingEmptySubsequences: false) { "/-.".contains($0) }
        return parts.count == 3 && parts.allSatisfy { (1...4).contains($0.count) && $0.allSatisfy(\.isNumber) }
            && parts.contains { $0.count <= 2 }
    }

    static func isDateTime(_ text: String) -> Bool {
        if Clock.parse(text) != nil { return true }
        let pieces = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard pieces.count == 2 || (pieces.count == 1 && isDate(pieces[0])) else { return false }
        return isDate(pieces[0]) && (pieces.count == 1 || isTime(pieces[1]))
    }

    static func isTime(_ text: String) -> Bool {
        var clock = text.uppercased()
        for suffix in [" AM", " PM", "AM", "PM"] where clock.hasSuffix(suffix) {
            clock = String(clock.dropLast(suffix.count))
            break
        }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
        return (2...3).contains(parts.count) && parts.allSatisfy { (1...2).contains($0.count) && $0.allSatisfy(\.isNumber) }
    }

    static func isDuration(_ text: String) -> Bool {
        let pieces = text.split(separator: ".", maxSplits: 1).map(String.init)
        if pieces.count == 2 { return Int(pieces[0]) != nil && isTime(pieces[1]) }
        return isTime(text)
    }
}
