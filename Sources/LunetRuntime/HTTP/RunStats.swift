import Foundation

/// Counters for `--stats`, updated by the engine from any task.
public final class RunStats: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// Requests as the caller made them (a request retried three times is one).
        public var requests = 0
        /// Extra attempts: retries, auth renewals, redirects not counted.
        public var retries = 0
        /// Requests that ended in an error.
        public var failures = 0
        public var bytesSent: Int64 = 0
        public var bytesReceived: Int64 = 0
        /// Sum of the requests' durations, waits included (concurrent
        /// requests each count their own time).
        public var httpTime: Duration = .zero
        /// Items the script received from cursors and change feeds (counted
        /// per page delivered by lunet.paging).
        public var itemsRead = 0
        /// Items stored by acknowledged batch writes: the entries of the
        /// success list (the first list of a batch method's report).
        public var itemsWritten = 0
    }

    private let state = LockedValue(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.current }

    func update(_ change: (inout Snapshot) -> Void) { state.withLock(change) }

    /// lunet.paging's count of items delivered to the script and written.
    public func countItems(read: Int, written: Int) {
        update {
            $0.itemsRead += read
            $0.itemsWritten += written
        }
    }

    /// `HTTP: 120 requests, 3 retries, 1 failed, 1.2 MB sent, 45.3 MB received, 12.4 s in HTTP`
    public var summary: String {
        let s = snapshot
        return "HTTP: \(s.requests) request\(s.requests == 1 ? "" : "s"), \(s.retries) retr\(s.retries == 1 ? "y" : "ies"), "
            + "\(s.failures) failed, \(TraceLog.size(Int(s.bytesSent))) sent, \(TraceLog.size(Int(s.bytesReceived))) received, "
            + String(format: "%.1f s in HTTP", s.httpTime.inSeconds)
    }
}
