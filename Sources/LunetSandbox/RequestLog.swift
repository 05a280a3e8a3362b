import Foundation
import LunetJSON
import NIOConcurrencyHelpers

/// One request a module route (or an unknown path) received.
public struct RequestLogEntry: Sendable, Equatable {
    /// 1 for the first request since the log was last cleared.
    public var sequence: Int
    public var time: Date
    public var method: String
    public var path: String
    public var query: String?
    /// nil when the connection was reset instead of answered.
    public var status: Int?
    /// The injected fault ("503", "reset", "reset-after"), if any.
    public var fault: String?
    public var delayMilliseconds: Double
    public var durationMilliseconds: Double

    var json: JSONValue {
        [
            "seq": .integer(Int64(sequence)),
            "time": .string(time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
            "method": .string(method),
            "path": .string(path),
            "query": query.map(JSONValue.string) ?? .null,
            "status": status.map { .integer(Int64($0)) } ?? .null,
            "fault": fault.map(JSONValue.string) ?? .null,
            "delay_ms": .double(rounded(delayMilliseconds)),
            "duration_ms": .double(rounded(durationMilliseconds)),
        ]
    }

    private func rounded(_ milliseconds: Double) -> Double {
        (milliseconds * 1000).rounded() / 1000
    }
}

/// The last `capacity` requests, oldest first; older ones are dropped and counted.
final class RequestLog: Sendable {
    static let defaultCapacity = 10_000

    private struct Ring {
        var entries: [RequestLogEntry] = []
        var oldest = 0
        var recorded = 0
    }

    private let capacity: Int
    private let ring = NIOLockedValueBox(Ring())

    init(capacity: Int = RequestLog.defaultCapacity) {
        self.capacity = capacity
    }

    func record(_ make: (_ sequence: Int) -> RequestLogEntry) {
        ring.withLockedValue { ring in
            ring.recorded += 1
            let entry = make(ring.recorded)
            if ring.entries.count < capacity {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.oldest] = entry
                ring.oldest = (ring.oldest + 1) % capacity
            }
        }
    }

    /// Entries with a sequence number above `after`, and how many requests fell out of the log.
    func entries(after: Int = 0) -> (entries: [RequestLogEntry], dropped: Int) {
        ring.withLockedValue { ring in
            let ordered = ring.entries[ring.oldest...] + ring.entries[..<ring.oldest]
            return (ordered.filter { $0.sequence > after }, ring.recorded - ring.entries.count)
        }
    }

    func clear() {
        ring.withLockedValue { $0 = Ring() }
    }
}
