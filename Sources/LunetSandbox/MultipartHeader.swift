import Foundation

/// Reading multipart part headers, shared by every emulator that accepts
/// uploads (the test API, iCONECT, CoreData).
public enum MultipartHeader {
    /// `key="value"` (or unquoted) from a header's parameters, e.g. the
    /// `name` of `Content-Disposition: form-data; name="file"`.
    public static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
