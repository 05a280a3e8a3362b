import Foundation
import Hummingbird

/// Records every non-control request with its outcome. Sits outside the
/// fault layer so it sees injected answers and delays as the client does.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let log: RequestLog

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard !ControlRoutes.owns(request.uri.path) else { return try await next(request, context) }
        let started = ContinuousClock.now
        let time = Date()
        do {
            let response = try await next(request, context)
            record(request, time, started, status: response.status.code, headers: response.headers)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, time, started, status: status, headers: [:])
            throw error
        }
    }

    private func record(_ request: Request, _ time: Date, _ started: ContinuousClock.Instant, status: Int, headers: HTTPFields) {
        let elapsed = ContinuousClock.now - started
        let fault = headers[.sandboxFault]
        let connectionReset = fault == "reset" || fault == "reset-after"
        let delay = headers[.sandboxDelay].flatMap { Double($0.dropLast(2)) } ?? 0
        log.record { sequence in
            RequestLogEntry(
                sequence: sequence, time: time, method: request.method.rawValue, path: request.uri.path,
                query: request.uri.query, status: connectionReset ? nil : status, fault: fault,
                delayMilliseconds: delay,
                durationMilliseconds: Double(elapsed.components.seconds) * 1000
                    + Double(elapsed.components.attoseconds) / 1e15)
        }
    }
}
