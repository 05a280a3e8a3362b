import Foundation
import LunetJSON

/// Sends requests: auth, retries with backoff, redirects, tracing,
/// statistics, and failures as `APIError`. Everything hard about HTTP lives
/// here once, so API bindings are only routes and shapes.
///
/// One engine per run (it holds the run's statistics and retry budget); the
/// connection pools underneath are shared by the whole process.
public final class HTTPEngine: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeout: Duration = .seconds(10)
        /// Longest silence while a response is arriving.
        public var readTimeout: Duration = .seconds(60)
        /// One attempt of an ordinary request, response body included.
        public var requestTimeout: Duration = .seconds(60)
        /// All attempts of an ordinary request and the waits between them.
        public var deadline: Duration = .seconds(300)
        /// All attempts of a download or a body streamed from disk, which
        /// have no per-attempt limit (only `readTimeout`).
        public var transferDeadline: Duration = .seconds(6 * 3600)
        public var retry = RetryPolicy()
        /// Largest response body held in memory.
        public var maxBodySize = 256 << 20
        public var userAgent = "lunet/0.1"
        /// Engines with the same pool name and timeouts share connections
        /// (one pool per process by default); another name gets its own.
        public var pool = "shared"

        public init() {}
    }

    public let configuration: Configuration
    public let clock: EngineClock
    public let random: RandomSource
    public let stats: RunStats
    public let budget: RetryBudget
    public let redactor: Redactor
    public let trace: TraceLog?
    let transport: HTTPTransport

    public init(
        configuration: Configuration = Configuration(), clock: EngineClock = .system, random: RandomSource = .system,
        stats: RunStats = RunStats(), budget: RetryBudget = RetryBudget(), redactor: Redactor = .shared,
        trace: TraceLog? = nil
    ) {
        self.configuration = configuration
        self.clock = clock
        self.random = random
        self.stats = stats
        self.budget = budget
        self.redactor = redactor
        self.trace = trace
        transport = .shared(
            pool: configuration.pool, connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout)
    }

    /// Who a request is for: names the API in errors, supplies credentials,
    /// and reads the API's error bodies.
    public struct Context: Sendable {
        public var api: APIName
        public var auth: (any AuthProvider)?
        public var errors: ErrorShape
        /// false: a failure status after retries is returned as a response
        /// instead of thrown (`conn:request{}` in Lua).
        public var throwOnFailureStatus: Bool

        public init(api: APIName = .http, auth: (any AuthProvider)? = nil, errors: ErrorShape? = nil, throwOnFailureStatus: Bool = true) {
            self.api = api
            self.auth = auth
            self.errors = errors ?? .standard(for: api)
            self.throwOnFailureStatus = throwOnFailureStatus
        }
    }

    /// Send `request`; the body comes back in memory.
    /// Throws `APIError`, or `CancellationError` when the task is cancelled.
    public func send(_ request: HTTPRequest, _ context: Context = Context()) async throws -> HTTPResponse {
        let streamed = request.body.isStreamedFromDisk
        return try await perform(
            request, context, sink: .memory(limit: configuration.maxBodySize),
            timeout: request.timeout ?? (streamed ? nil : configuration.requestTimeout),
            deadline: request.deadline ?? (streamed ? configuration.transferDeadline : configuration.deadline))
    }

    /// Send `request` and stream a successful body into the file at `path`,
    /// which appears complete or not at all (see `DownloadFile`).
    public func download(_ request: HTTPRequest, to path: String, _ context: Context = Context()) async throws -> HTTPResponse {
        try await perform(
            request, context, sink: .file(path: path), timeout: request.timeout,
            deadline: request.deadline ?? configuration.transferDeadline)
    }

    // MARK: The exchange loop

    private func perform(
        _ original: HTTPRequest, _ context: Context, sink: HTTPTransport.Sink, timeout: Duration?, deadline: Duration
    ) async throws -> HTTPResponse {
        let started = clock.now()
        budget.recordRequest()
        stats.update { $0.requests += 1 }
        defer {
            let elapsed = clock.now() - started
            stats.update { $0.httpTime += elapsed }
        }
        var exchange = Exchange(request: original, context: context, deadline: started + deadline, allowed: deadline)
        do {
            return try await run(&exchange, sink: sink, timeout: timeout)
        } catch {
            stats.update { $0.failures += 1 }
            throw error
        }
    }

    /// The state of one logical request across its attempts.
    private struct Exchange {
        var request: HTTPRequest
        let context: Context
        let deadline: Duration
        /// The time all attempts were given, for messages.
        let allowed: Duration
        var attempts = 0
        var redirects = 0
        var renewedCredentials = false
        /// After a redirect to another host, no credentials are sent.
        var crossOrigin = false
    }

    private func run(_ x: inout Exchange, sink: HTTPTransport.Sink, timeout: Duration?) async throws -> HTTPResponse {
        while true {
            try Task.checkCancellation()
            x.attempts += 1
            let sending = try await prepare(x)
            let url = sending.fullURL
            let remaining = x.deadline - clock.now()
            guard remaining > .zero else { throw deadlineError(x, url: url) }
            let attemptTimeout = timeout.map { min($0, remaining) } ?? remaining
            trace?.request(sending, url: url)
            let started = clock.now()
            let result: HTTPTransport.Result
            do {
                result = try await transport.send(sending, url: url, timeout: attemptTimeout, sink: sink)
            } catch {
                let deadlineBound = attemptTimeout == remaining && (timeout.map { $0 > remaining } ?? true)
                try await recover(from: error, x, url: url, started: started, deadlineBound: deadlineBound)
                continue
            }
            if let response = try await settle(result, &x, sent: sending, url: url, sink: sink, started: started) {
                return response
            }
        }
    }

    /// The request as this attempt sends it: credentials and default headers.
    private func prepare(_ x: Exchange) async throws -> HTTPRequest {
        var sending = x.request
        if let auth = x.context.auth, !x.crossOrigin {
            do {
                try await auth.authorize(&sending)
            } catch let error as APIError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw APIError(
                    api: x.context.api, method: x.request.method.rawValue, url: redactor.url(x.request.fullURL),
                    message: redactor.scrub("credentials unavailable: \(error)"), attempts: x.attempts - 1)
            }
        }
        addDefaultHeaders(&sending)
        return sending
    }

    /// After a transport failure: return to try again (having waited), or
    /// throw the failure as an `APIError`.
    private func recover(from error: Error, _ x: Exchange, url: URL, started: Duration, deadlineBound: Bool) async throws {
        if Task.isCancelled || error is CancellationError { throw CancellationError() }
        var failure = TransportFailure.classify(error)
        if failure.kind == .timeout, deadlineBound {
            failure.message = "deadline of \(HTTPTransport.seconds(x.allowed)) reached"
        }
        trace?.failure(failure, elapsed: clock.now() - started)
        let retryable = RetryPolicy.isRetryable(.transport(failure), method: x.request.method, mode: x.request.retry)
        let plan = retryable ? planRetry(x, retryAfter: nil) : .giveUp(nil)
        if case .wait(let wait) = plan {
            trace?.retry(failure.message, retry: x.attempts, wait: wait)
            try await clock.sleep(wait)
            return
        }
        throw APIError(
            api: x.context.api, method: x.request.method.rawValue, url: redactor.url(url),
            message: redactor.scrub(failure.message + plan.suffix), retryable: retryable, attempts: x.attempts,
            transport: failure.kind)
    }

    /// After a response: the response when it is final, nil to go again
    /// (redirect, renewed credentials, retry after waiting); throws failures.
    private func settle(
        _ result: HTTPTransport.Result, _ x: inout Exchange, sent: HTTPRequest, url: URL, sink: HTTPTransport.Sink,
        started: Duration
    ) async throws -> HTTPResponse? {
        var response = result.response
        response.attempts = x.attempts
        stats.update {
            $0.bytesSent += result.bytesSent
            $0.bytesReceived += result.bytesReceived
        }
        let toFile = if case .file = sink { response.isSuccess } else { false }
        trace?.response(response, bytes: Int(result.bytesReceived), elapsed: clock.now() - started, toFile: toFile)

        if response.isRedirect, case .follow(let limit) = x.request.redirects {
            try followRedirect(&x, response: response, from: url, limit: limit)
            return nil
        }
        if response.status == 401, let auth = x.context.auth, !x.crossOrigin, !x.renewedCredentials,
            await auth.invalidate(request: sent, response: response)
        {
            x.renewedCredentials = true
            trace?.note("401: renewing credentials, one more attempt")
            return nil
        }
        guard response.status >= 400 else { return response }
        let retryable = RetryPolicy.isRetryable(.status(response.status), method: x.request.method, mode: x.request.retry)
        let retryAfter = RetryAfter.delay(response.headers["Retry-After"], now: clock.date())
        let plan = retryable ? planRetry(x, retryAfter: retryAfter) : .giveUp(nil)
        if case .wait(let wait) = plan {
            trace?.retry(String(response.status), retry: x.attempts, wait: wait)
            try await clock.sleep(wait)
            return nil
        }
        guard x.context.throwOnFailureStatus else { return response }
        var error = APIError.from(
            response: response, api: x.context.api, method: x.request.method.rawValue, shape: x.context.errors,
            redactor: redactor, retryable: retryable)
        error.message += plan.suffix
        throw error
    }

    private enum RetryPlan {
        case wait(Duration)
        case giveUp(String?)

        var suffix: String {
            if case .giveUp(let why?) = self { return " (\(why))" }
            return ""
        }
    }

    /// Whether and how long to wait before the next attempt of a failure
    /// that is retryable in itself.
    private func planRetry(_ x: Exchange, retryAfter: Duration?) -> RetryPlan {
        let policy = configuration.retry
        guard x.attempts < (x.request.maxAttempts ?? policy.maxAttempts) else { return .giveUp(nil) }
        let wait = policy.wait(retry: x.attempts, random: random.next(), retryAfter: retryAfter)
        if clock.now() + wait >= x.deadline {
            if let retryAfter, retryAfter == wait {
                return .giveUp("Retry-After \(HTTPTransport.seconds(retryAfter)) is past the deadline")
            }
            return .giveUp("deadline of \(HTTPTransport.seconds(x.allowed)) reached")
        }
        guard budget.spend() else { return .giveUp("retry budget of this run exhausted") }
        stats.update { $0.retries += 1 }
        return .wait(wait)
    }

    private func deadlineError(_ x: Exchange, url: URL) -> APIError {
        APIError(
            api: x.context.api, method: x.request.method.rawValue, url: redactor.url(url),
            message: "deadline reached before attempt \(x.attempts)", retryable: true, attempts: x.attempts - 1,
            transport: .timeout)
    }

    private func addDefaultHeaders(_ request: inout HTTPRequest) {
        request.headers.setDefault("User-Agent", configuration.userAgent)
        request.headers.setDefault("Accept-Encoding", "gzip, deflate")
        if let type = request.body.contentType { request.headers.setDefault("Content-Type", type) }
    }

    // MARK: Redirects

    private func followRedirect(_ x: inout Exchange, response: HTTPResponse, from url: URL, limit: Int) throws {
        guard let location = response.headers["Location"], let next = URL(string: location, relativeTo: url)?.absoluteURL
        else {
            throw APIError.from(
                response: response, api: x.context.api, method: x.request.method.rawValue, shape: x.context.errors,
                redactor: redactor, retryable: false)
        }
        x.redirects += 1
        guard x.redirects <= limit else {
            throw APIError(
                api: x.context.api, method: x.request.method.rawValue, url: redactor.url(url), status: response.status,
                message: "more than \(limit) redirects", attempts: x.attempts)
        }
        let leaving = !Self.sameOrigin(url, next)
        if leaving { x.crossOrigin = true }
        if x.crossOrigin {
            for name in ["Authorization", "Proxy-Authorization", "Cookie"] { x.request.headers.remove(name) }
        }
        // 303 means "GET the answer elsewhere". 301 and 302 keep the method
        // and body: silently turning a POST into a GET (what browsers do)
        // would lose the data of a create.
        if response.status == 303, x.request.method != .head {
            x.request.method = .get
            x.request.body = .none
            x.request.headers.remove("Content-Type")
        }
        x.request.url = next
        x.request.query = []
        x.attempts -= 1  // a redirect is not a retry
        trace?.redirect(response.status, to: next, droppedAuthorization: leaving)
    }

    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        func port(_ u: URL) -> Int? { u.port ?? (u.scheme?.lowercased() == "https" ? 443 : u.scheme?.lowercased() == "http" ? 80 : nil) }
        return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && port(a) == port(b)
    }
}

extension HTTPBody {
    /// Bodies read from disk while sending: large, so no per-attempt limit.
    var isStreamedFromDisk: Bool {
        switch self {
        case .file: return true
        case .multipart(let m):
            return m.parts.contains { if case .file = $0 { true } else { false } }
        default: return false
        }
    }
}
