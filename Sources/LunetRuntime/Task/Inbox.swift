import Dispatch
import Synchronization

/// Completions posted from any thread, taken by the Lua thread.
final class Inbox: Sendable {
    struct Completion: Sendable {
        let taskID: Int
        let operationID: UInt64
        let result: Result<any Sendable, any Error>
    }

    private let items = Mutex<[Completion]>([])
    private let signal = DispatchSemaphore(value: 0)

    func post(_ c: Completion) {
        items.withLock { $0.append(c) }
        signal.signal()
    }

    /// Everything posted so far, waiting up to `timeout` for the first.
    func take(waiting timeout: DispatchTimeInterval) -> [Completion] {
        var batch = items.withLock { list in defer { list.removeAll() }; return list }
        if batch.isEmpty, signal.wait(timeout: .now() + timeout) == .success {
            batch = items.withLock { list in defer { list.removeAll() }; return list }
        }
        return batch
    }
}
